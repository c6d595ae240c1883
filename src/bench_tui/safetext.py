"""Terminal-safe text: the one path every string read from results takes to a screen or a pipe.

Result files are written by agents that browsed the web, so their strings can hold escape
sequences (OSC 52 sets the clipboard, OSC 0 the window title, CSI 2J clears the screen) and
characters that reorder what is shown. `visible` maps each such character to one visible
character, so a string keeps its length (Rich spans over it stay valid) and the reader sees that
something was there: ESC becomes ␛, other C0 controls their control pictures, C1 controls and
bidirectional overrides U+FFFD. Markup is never a concern here: callers hand the result to Rich
as `Text` (see `data`), which never parses it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Imported where used: the commands that print JSON (`summary --json` on a warm index is
    # a few tenths of a second) need `visible` alone, not Rich's 10 ms.
    from rich.text import Text

NEWLINE_MARK = "⏎"
REPLACEMENT = "\ufffd"

_BIDI_AND_INVISIBLE = (
    [0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF]
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
)

_MULTILINE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}
_MULTILINE[0x09] = " "  # a tab moves the cursor; one space keeps columns and the string length
_MULTILINE[0x0A] = "\n"
_MULTILINE[0x7F] = "␡"
_MULTILINE.update({code: REPLACEMENT for code in range(0x80, 0xA0)})
_MULTILINE.update({code: REPLACEMENT for code in _BIDI_AND_INVISIBLE})
_MULTILINE[0x2028] = "\n"
_MULTILINE[0x2029] = "\n"

_ONE_LINE = dict(_MULTILINE)
_ONE_LINE[0x0A] = NEWLINE_MARK
_ONE_LINE[0x2028] = NEWLINE_MARK
_ONE_LINE[0x2029] = NEWLINE_MARK

_UNSAFE_PATTERN = (
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]"
)
_UNSAFE = re.compile(_UNSAFE_PATTERN)
_UNSAFE_ONE_LINE = re.compile(_UNSAFE_PATTERN.replace("\x00-\x09\x0b", "\x00-\x1f"))
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def visible(value: object, *, one_line: bool = False) -> str:
    """`value` as text with every control, C1 and reordering character made visible, 1 for 1.

    `one_line`: newlines become ⏎ too (table cells, titles, status lines).
    """
    text = value if isinstance(value, str) else str(value)
    pattern = _UNSAFE_ONE_LINE if one_line else _UNSAFE
    if pattern.search(text) is None:
        return text
    return text.translate(_ONE_LINE if one_line else _MULTILINE)


def data(value: object, style: str = "", *, one_line: bool = False) -> Text:
    """Data from a result file as a Rich `Text`: made visible, never parsed as markup."""
    from rich.text import Text

    return Text(visible(value, one_line=one_line), style=style)


def visible_text(text: Text, *, one_line: bool = False) -> Text:
    """A `Text` built elsewhere, made visible in place of its characters (spans stay valid)."""
    plain = text.plain
    if (_UNSAFE_ONE_LINE if one_line else _UNSAFE).search(plain) is None:
        return text
    safe = text.copy()
    safe.plain = visible(plain, one_line=one_line)
    return safe


def has_control(text: str) -> bool:
    """Whether `text` holds a character a terminal would act on (C0 but newline, DEL, C1)."""
    return _CONTROL.search(text) is not None


def strip_control(text: str) -> str:
    """`text` without the characters `has_control` finds: the last guard before the terminal."""
    return _CONTROL.sub("", text)


def visible_tree(value: Any, *, one_line: bool = True) -> Any:
    """A copy of a JSON-like tree with every string (keys too) made visible, for human printers."""
    if isinstance(value, str):
        return visible(value, one_line=one_line)
    if isinstance(value, Mapping):
        return {
            visible_tree(key, one_line=one_line): visible_tree(item, one_line=one_line)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [visible_tree(item, one_line=one_line) for item in value]
    return value


def display_path(path: str) -> str:
    """A path as text, with bytes that are not UTF-8 shown as backslash escapes."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
