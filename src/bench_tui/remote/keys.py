"""Object keys are hostile: a key becomes a path inside the mirror folder, or a reason it cannot."""

from __future__ import annotations

MAX_NAME_BYTES = 255


def unsafe_reason(relative: str) -> str | None:
    """Why the key (relative to the URL's prefix) cannot be a file in the mirror, or None.

    `..`, `.`, empty parts (`a//b`, a leading `/`), NUL and other control characters, and
    names longer than a file system takes are refused: the mirror folder is never left.
    """
    if not relative:
        return "empty key"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in relative):
        return "its key holds a control character"
    for part in relative.split("/"):
        if part in ("", ".", ".."):
            shown = "an empty part (// or a leading /)" if not part else f"'{part}'"
            return f"its key holds {shown}"
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            return "a name in its key is longer than 255 bytes"
    return None
