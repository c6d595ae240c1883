"""The `/` filter of a list, the one every list uses: hidden until asked for, Escape clears it,
Enter returns to the list.

The bar owns the whole wiring so the lists cannot drift apart: the query language of
`analysis.filtering` over the `Filterable` each row declares in `row.data["filter"]`, the
`column="value"` tokens the `F` table writes (matched against the table's own cells), the
"filter: N of M …" count in its title, and the same sentence when nothing matches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input

from bench_tui.analysis.filtering import compile_query, exact_tokens, query_hints
from bench_tui.tui.widgets.virtual_table import Row, VirtualTable, cell_text

DEFAULT_PLACEHOLDER = 'filter: words, !word, "a phrase", domain:x, status:fail, model:x, label:x'


def filter_binding(description: str = "Filter") -> Binding:
    """The key that opens a list's filter (DESIGN §2): one definition for every list."""
    return Binding("slash", "filter", description, id="filter")


def row_predicate(query: str, table: VirtualTable) -> Callable[[Row], bool] | None:
    """Which rows of `table` the query keeps; None keeps them all."""
    if not query.strip():
        return None
    predicate = compile_query(query)
    # `column="value"` (what F writes): the whole cell of that column, by column key.
    positions = {column.key: index for index, column in enumerate(table.columns)}
    exact = [
        (positions.get(token.field or ""), token.value, token.negated)
        for token in exact_tokens(query)
    ]
    if not exact:
        return lambda row: predicate(row.data["filter"])

    def keep(row: Row) -> bool:
        for position, value, negated in exact:
            matched = position is not None and cell_text(row, position) == value
            if matched == negated:
                return False
        return predicate(row.data["filter"])

    return keep


class FilterKey:
    """Mixed into the screen or pane that holds one FilterBar: the action `filter_binding` runs."""

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()  # type: ignore[attr-defined]


class FilterBar(Input):
    """Filters the VirtualTable `table` (an id among the bar's siblings) as the user types."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Shown while typing: the footer says what Esc and Enter do here (the page's keys type text).
        Binding("escape", "clear", "Clear filter"),
        Binding("enter", "done", "Apply"),
    ]

    @dataclass
    class Done(Message):
        bar: FilterBar

    def __init__(
        self,
        *,
        table: str,
        noun: str,
        placeholder: str = DEFAULT_PLACEHOLDER,
        **kwargs: Any,
    ) -> None:
        super().__init__(placeholder=placeholder, **kwargs)
        self.table_id = table
        self.noun = noun
        """One row of the list, as a word: "No task matches the filter.", "1 of 3 tasks"."""
        self.display = False
        self._applied: str | None = None
        self._base_empty: str | None = None

    @property
    def table(self) -> VirtualTable:
        assert self.parent is not None
        return self.parent.query_one(f"#{self.table_id}", VirtualTable)

    def on_mount(self) -> None:
        # The count follows the table, also when rows stream in or a reload replaces them.
        self.watch(self.table, "counts", self._show_count, init=False)

    def open(self) -> None:
        self.display = True
        self.focus()

    def set_query(self, query: str) -> None:
        """Writes `query` in the bar (shown while it holds one) and filters the list by it now."""
        self.value = query
        self.display = bool(query)
        self.apply(query)

    def apply(self, query: str) -> None:
        if query == self._applied:
            return
        self._applied = query
        table = self.table
        if self._base_empty is None:
            self._base_empty = table.empty_text
        if query.strip():
            hints = query_hints(query)
            table.empty_text = f"No {self.noun} matches the filter." + (
                f" ({'; '.join(hints)})" if hints else ""
            )
        else:
            table.empty_text = self._base_empty
        table.set_filter(row_predicate(query, table))
        self._show_count()

    def _show_count(self) -> None:
        table = self.table
        shown, total = len(table.rows), table.total_rows
        noun = self.noun if total == 1 else f"{self.noun}s"
        count = f"{shown} of {total}" if self.value.strip() else str(total)
        self.border_title = f"filter: {count} {noun}"

    def _on_input_changed(self, event: Input.Changed) -> None:
        if event.input is self:
            self.apply(event.value)

    def action_clear(self) -> None:
        self.set_query("")
        self._done()

    def action_done(self) -> None:
        if not self.value:
            self.display = False
        self._done()

    def _done(self) -> None:
        self.table.focus()
        self.post_message(self.Done(self))
