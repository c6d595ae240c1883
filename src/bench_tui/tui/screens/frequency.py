"""`F`: how often each value of the focused column occurs; Enter filters the list by it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from textual.dom import DOMNode

from bench_tui.analysis.failures import MISSING, frequency
from bench_tui.analysis.filtering import quote_value
from bench_tui.tui.screens.pick import PickScreen
from bench_tui.tui.widgets.filter_bar import FilterBar
from bench_tui.tui.widgets.virtual_table import Column, Row, cell_text

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


class FrequencyKey(DOMNode):
    """`F` on a page or pane that holds one FilterBar: the frequency of the focused column of
    the bar's table, and Enter on a value writes `column="value"` in the bar, where it can be
    seen and cleared like any filter."""

    def action_frequency(self) -> None:
        bar = self.query_one(FilterBar)
        table = bar.table
        column = table.cursor_column
        values = [cell_text(row, column) for row in table.rows]
        key = table.columns[column].key
        # One value per column, written in the bar where it can be seen (and cleared).
        written = re.compile(rf'(^|\s)!?{re.escape(key)}=("[^"]*"|\S*)')
        active = written.search(bar.value) is not None

        def picked(value: str | None) -> None:
            if value is None:
                return
            query = written.sub(" ", bar.value).strip()
            if value != CLEAR:
                cell = "" if value == MISSING else value  # the table counts empty cells as "—"
                query = f"{query} {key}={quote_value(cell)}".strip()
            bar.set_query(query)

        self.app.push_screen(frequency_screen(table.columns[column].label, values, active), picked)
