"""The members of a JSON object that come before a given key, read without parsing the rest.

An OpenAdapt execution.json puts its outcome (success, score, …) before a `steps` list that is
95 % of the file; listing 30 000 tasks must not pay for parsing the steps. The members are
decoded with the standard library's own scanner, so values mean exactly what `json.loads` makes
of them.
"""

from __future__ import annotations

import codecs
import json
import json.decoder
import re
from collections.abc import Callable
from typing import Any

# Exists at runtime (the C scanner, or the pure-Python one without _json), but typeshed declares
# `scanstring` only in `_json`, not in `json.decoder`: the annotation gives it its real signature.
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]

HEAD_BYTES = 8192
"""How much of a file is read first; a head that does not fit is read again in full."""
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _skip_whitespace(text: str, position: int) -> int:
    """Where the JSON whitespace starting at `position` ends."""
    found = _WHITESPACE.match(text, position)
    # `[ \t\n\r]*` matches the empty string, so it matches at every position: never None.
    return found.end() if found is not None else position


def object_head(text: str, stop_key: str) -> dict[str, Any] | None:
    """The members before the first `stop_key` member at the top level.

    None when `text` does not start like a JSON object, when anything before `stop_key` does not
    parse (including text that ends first), or when the object has no `stop_key`: then only the
    whole document can say what it holds.
    """
    quick = _head_by_cut(text, stop_key)
    if quick is not None:
        return quick
    position = _skip_whitespace(text, 0)
    if text[position : position + 1] != "{":
        return None
    position += 1
    members: dict[str, Any] = {}
    try:
        while True:
            position = _skip_whitespace(text, position)
            if text[position : position + 1] != '"':
                return None
            key, position = _scanstring(text, position + 1)
            position = _skip_whitespace(text, position)
            if text[position : position + 1] != ":":
                return None
            if key == stop_key:
                return members
            position = _skip_whitespace(text, position + 1)
            value, position = _DECODER.raw_decode(text, position)
            members[key] = value
            position = _skip_whitespace(text, position)
            if text[position : position + 1] != ",":
                return None
            position += 1
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError; so are huge ints
        return None


def _head_by_cut(text: str, stop_key: str) -> dict[str, Any] | None:
    """The common case at C speed: cut before the first `"stop_key"` and close the object.

    Only a cut at a member boundary of the top level parses (inside a string the quotes would be
    escaped; inside a nested object or list a brace would be missing), so a result is exact.
    """
    cut = text.find(json.dumps(stop_key))
    if cut < 0:
        return None
    before = text[:cut].rstrip()
    if not before.endswith(","):
        return None
    try:
        members = json.loads(before[:-1] + "}")
    except (ValueError, RecursionError):
        return None
    return members if isinstance(members, dict) else None


def decode_prefix(raw: bytes) -> str:
    """The text of a file's first bytes, up to the first that is not UTF-8 (a character cut in
    two by the read, or a bad byte: the members before it can still be read)."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return raw[: exc.start].decode("utf-8")
