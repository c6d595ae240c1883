"""Image checks at index time: is a screenshot there, whole, and inside its folder."""

from __future__ import annotations

import os
from pathlib import Path

from bench_tui.safeio import LeavesFolder, open_regular
from bench_tui.safetext import display_path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def image_problem(
    path: Path | str, within: str | None = None, where: str = "the opened folder"
) -> str | None:
    """Why the image at `path` cannot be shown (missing, empty, truncated, not a regular file,
    leading out of `within`, which `where` names), or None if it looks whole.

    This runs for every screenshot at index time, so the common case costs a few syscalls: a
    whole PNG or JPEG ends with its end marker, and only a file that does not is looked at further.
    """
    try:
        fd, info = open_regular(path, within)
    except FileNotFoundError:
        return "screenshot missing"
    except LeavesFolder as exc:
        return f"screenshot path leaves {where}: {display_path(exc.real)}"
    except OSError as exc:
        return f"screenshot unreadable: {exc.strerror or exc}"
    except ValueError:  # the path came from a file and holds a NUL byte
        return "screenshot path holds a NUL byte"
    try:
        size = info.st_size
        if size == 0:
            return "screenshot is an empty file"
        # Single preads: a regular file returns short only at its end.
        tail = os.pread(fd, 12, max(0, size - 12))
        if tail[4:8] == b"IEND" or tail[-2:] == b"\xff\xd9":
            return None
        head = os.pread(fd, 8, 0)
    except OSError as exc:
        return f"screenshot unreadable: {exc.strerror or exc}"
    finally:
        os.close(fd)
    if head == PNG_SIGNATURE:
        return "screenshot is truncated (PNG has no end marker)"
    if head[:3] == b"\xff\xd8\xff":
        return "screenshot is truncated (JPEG has no end marker)"
    return "screenshot is not a PNG or JPEG image"
