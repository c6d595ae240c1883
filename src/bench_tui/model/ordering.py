"""Natural order for ids and names: `browser_2` before `browser_10`, as a person counts."""

from __future__ import annotations

import re

_PARTS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[tuple[int, int | str], ...], str]:
    """A sort key that compares digit runs by value and the rest case-insensitively.

    Each part is tagged (0 for a number, 1 for text) so that a number and a word never
    compare with each other; equal keys (`a01`, `a1`) fall back to the text itself.
    """
    parts: list[tuple[int, int | str]] = []
    for index, piece in enumerate(_PARTS.split(text)):
        if not piece:
            continue
        if index % 2:
            parts.append((0, int(piece)))
        else:
            parts.append((1, piece.casefold()))
    return (tuple(parts), text)
