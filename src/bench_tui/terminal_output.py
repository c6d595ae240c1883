"""The console the command line prints human text with: data-safe, and plain when piped.

DESIGN §10: piped output carries no escape sequences at all and is never wrapped, so
`bench-tui summary DIR | grep …` sees whole run ids. Markup is off: data may hold `[link=…]`.
"""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console

PIPED_WIDTH = 1_000_000
"""Wide enough that no line is ever wrapped: tables size themselves to their content."""


def output_console(file: TextIO | None = None) -> Console:
    stream = file if file is not None else sys.stdout
    isatty = getattr(stream, "isatty", None)
    to_terminal = bool(isatty and isatty())
    if to_terminal:
        return Console(file=stream, markup=False, emoji=False, highlight=False)
    return Console(
        file=stream,
        markup=False,
        emoji=False,
        highlight=False,
        color_system=None,
        force_terminal=False,
        width=PIPED_WIDTH,
        soft_wrap=True,
    )
