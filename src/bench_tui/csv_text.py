"""CSV text for exports that spreadsheets open (DESIGN §10 "Hostile content").

Every text cell comes from result files written by agents that browsed the web. A spreadsheet
runs a cell that starts with `=`, `+`, `-` or `@` (tab and CR too, in some) as a formula, so such
a cell gets a leading `'`; numbers the tool formatted are not text and stay as they are. Control
characters other than tab, LF and CR are written visibly (`\\x00`), and lone surrogates (JSON may
carry one) as `\\udxxx`, so the file is plain UTF-8 text.

The stdlib writer does not quote a bare CR when its line terminator is "\\n", and a reader then
splits the row there; this writer quotes every cell holding CR, LF, a quote or a comma.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NEEDS_QUOTES = re.compile('[",\r\n]')


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def csv_text(text: str) -> str:
    """A text cell: hidden characters made visible, a formula start defused."""
    text = _HIDDEN.sub(_visible, text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Any) -> str:
    """null as an empty cell, booleans as true/false, lists joined with `;` (DESIGN §9)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return csv_text(";".join(str(item) for item in value))
    return csv_text(str(value))


def csv_line(cells: list[str]) -> str:
    quoted = (
        '"' + cell.replace('"', '""') + '"' if _NEEDS_QUOTES.search(cell) else cell
        for cell in cells
    )
    return ",".join(quoted) + "\n"
