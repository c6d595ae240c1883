"""Read Python `repr` text (dicts, strings, numbers, enum and numpy reprs) without eval.

Harnesses write Python reprs into their logs and HTML (WebArena's `action_object`, BrowserGym's
action strings). Evaluating them would run whatever a model or web page put there, so this is a
small scanner that understands literal syntax only and stops at anything else.
"""

from __future__ import annotations

import re
from typing import Any

MAX_DEPTH = 20
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
ENUM_REPR = re.compile(r"<([\w.]+):\s*(-?\d+)>")
ARRAY_REPR = re.compile(r"array\(\[([^\]]*)\](?:,\s*dtype=\w+)?\)")
WORDS = {"True": True, "False": False, "None": None, "nan": None, "inf": None}
SIMPLE_ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "0": "\0",
    "\n": "",
}


class ReprError(ValueError):
    """The text is not a literal this scanner reads."""


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def parse_string(text: str, pos: int) -> tuple[str, int]:
    """A quoted Python string literal starting at `pos` (prefixes r/b/u allowed)."""
    raw = False
    while pos < len(text) and text[pos] in "rbuRBU":
        raw = raw or text[pos] in "rR"
        pos += 1
    if pos >= len(text) or text[pos] not in "'\"":
        raise ReprError("expected a string")
    quote = text[pos]
    pos += 1
    out: list[str] = []
    while pos < len(text):
        char = text[pos]
        if char == quote:
            return "".join(out), pos + 1
        if char == "\\" and not raw and pos + 1 < len(text):
            decoded, pos = _escape(text, pos + 1)
            out.append(decoded)
            continue
        out.append(char)
        pos += 1
    raise ReprError("unterminated string")


def _escape(text: str, pos: int) -> tuple[str, int]:
    char = text[pos]
    if char in SIMPLE_ESCAPES:
        return SIMPLE_ESCAPES[char], pos + 1
    width = {"x": 2, "u": 4, "U": 8}.get(char)
    if width is not None:
        digits = text[pos + 1 : pos + 1 + width]
        if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
            code = int(digits, 16)
            if code <= 0x10FFFF:
                return chr(code), pos + 1 + width
    return "\\" + char, pos + 1


def parse_value(text: str, pos: int, depth: int = 0) -> tuple[Any, int]:
    """One literal value at `pos`: string, number, True/False/None, list, tuple, dict, set,
    an enum repr (`<ActionTypes.CLICK: 6>` -> ("ActionTypes.CLICK", 6)) or a numpy `array(...)`."""
    if depth > MAX_DEPTH:
        raise ReprError("nested too deeply")
    pos = _skip_space(text, pos)
    if pos >= len(text):
        raise ReprError("expected a value")
    char = text[pos]
    if char in "'\"" or (char in "rbuRBU" and text[pos + 1 : pos + 2] in ("'", '"')):
        return parse_string(text, pos)
    if char == "<":
        match = ENUM_REPR.match(text, pos)
        if match:
            return (match.group(1), int(match.group(2))), match.end()
        raise ReprError("unknown <...> repr")
    if text.startswith("array(", pos):
        match = ARRAY_REPR.match(text, pos)
        if not match:
            raise ReprError("unreadable array(...)")
        numbers = [n for n in (s.strip() for s in match.group(1).split(",")) if n]
        try:
            return [float(n) for n in numbers], match.end()
        except ValueError as exc:
            raise ReprError("array with non-numbers") from exc
    if char in "[(":
        return _sequence(text, pos, depth)
    if char == "{":
        return _mapping(text, pos, depth)
    for word, value in WORDS.items():
        if text.startswith(word, pos) and not text[pos + len(word) : pos + len(word) + 1].isalnum():
            return value, pos + len(word)
    match = NUMBER.match(text, pos)
    if match:
        literal = match.group(0)
        is_int = all(c.isdigit() or c in "+-" for c in literal)
        return (int(literal) if is_int else float(literal)), match.end()
    raise ReprError(f"unexpected {text[pos]!r}")


def _sequence(text: str, pos: int, depth: int) -> tuple[list[Any], int]:
    close = "]" if text[pos] == "[" else ")"
    pos += 1
    items: list[Any] = []
    while True:
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == close:
            return items, pos + 1
        value, pos = parse_value(text, pos, depth + 1)
        items.append(value)
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos >= len(text) or text[pos] != close:
            raise ReprError("expected , or closing bracket")


def _mapping(text: str, pos: int, depth: int) -> tuple[Any, int]:
    result: dict[Any, Any] = {}
    values: list[Any] = []
    pos += 1
    while True:
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == "}":
            return (values if values and not result else result), pos + 1
        key, pos = parse_value(text, pos, depth + 1)
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == ":":
            value, pos = parse_value(text, pos + 1, depth + 1)
            result[
                key if isinstance(key, (str, int, float, bool)) or key is None else repr(key)
            ] = value
        else:
            values.append(key)  # a set literal
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos >= len(text) or text[pos] != "}":
            raise ReprError("expected , or }")


def parse_dict_prefix(text: str) -> dict[str, Any]:
    """The readable leading entries of a dict repr: stops quietly at the first entry it cannot
    read (an `...`, a truncated tail, an unknown object repr) and keeps the ones before it."""
    result: dict[str, Any] = {}
    pos = _skip_space(text, 0)
    if not text.startswith("{", pos):
        return result
    pos += 1
    while True:
        pos = _skip_space(text, pos)
        if pos >= len(text) or text[pos] == "}":
            return result
        try:
            key, pos = parse_string(text, pos)
            pos = _skip_space(text, pos)
            if not text.startswith(":", pos):
                return result
            value, pos = parse_value(text, pos + 1)
        except ReprError:
            return result
        result[key] = value
        pos = _skip_space(text, pos)
        if not text.startswith(",", pos):
            return result
        pos += 1


CALL_START = re.compile(r"([A-Za-z_][\w.]*)\s*\(")


def parse_calls(text: str) -> list[tuple[str, list[Any], dict[str, Any]]] | None:
    """Function calls with literal arguments, one after another (`click('a')\\nfill('b', 'x')`).

    None when the text holds anything that is not such a call (comments aside).
    """
    calls: list[tuple[str, list[Any], dict[str, Any]]] = []
    pos = 0
    while True:
        pos = _skip_comments(text, pos)
        if pos >= len(text):
            return calls
        match = CALL_START.match(text, pos)
        if not match:
            return None
        try:
            args, kwargs, pos = _arguments(text, match.end())
        except ReprError:
            return None
        calls.append((match.group(1), args, kwargs))


def _skip_comments(text: str, pos: int) -> int:
    while True:
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] in "#;":
            if text[pos] == ";":
                pos += 1
                continue
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end + 1
            continue
        return pos


KEYWORD = re.compile(r"([A-Za-z_]\w*)\s*=(?!=)")


def _arguments(text: str, pos: int) -> tuple[list[Any], dict[str, Any], int]:
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    while True:
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == ")":
            return args, kwargs, pos + 1
        keyword = KEYWORD.match(text, pos)
        if keyword:
            value, pos = parse_value(text, keyword.end())
            kwargs[keyword.group(1)] = value
        else:
            value, pos = parse_value(text, pos)
            args.append(value)
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos >= len(text) or text[pos] != ")":
            raise ReprError("expected , or )")
