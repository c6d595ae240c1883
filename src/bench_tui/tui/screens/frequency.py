"""`F`: how often each value of the focused column occurs; Enter filters the list by it."""

from __future__ import annotations

from collections.abc import Iterable

from bench_tui.analysis.failures import frequency
from bench_tui.tui.screens.pick import PickScreen
from bench_tui.tui.widgets.virtual_table import Column, Row

CLEAR = "\x00clear"
"""Key of the row that removes the column filter."""


def frequency_screen(column_label: str, values: Iterable[str], active: bool) -> PickScreen:
    counted = frequency(value or None for value in values)
    total = sum(count for _, count in counted) or 1
    rows = [
        Row(key=value, cells=(value, str(count), f"{count / total * 100:.1f}%"))
        for value, count in counted
    ]
    if active:
        rows.insert(0, Row(key=CLEAR, cells=("(show every value again)", "", "")))
    return PickScreen(
        f"Frequency of '{column_label}' in the list — Enter filters by a value",
        [
            Column("value", "value", flex=True),
            Column("count", "count", 8, justify="right"),
            Column("share", "share", 7, justify="right"),
        ],
        rows,
        "Nothing to count.",
    )
