"""A table that renders only the rows on screen (Line API), so 10 000 rows stay instant.

DataTable measures every cell on idle (1 s for 10k rows, STYLE.md §3); this widget keeps the rows
as plain tuples, filters and sorts them in Python, and draws the visible window on demand.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive, var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from bench_tui.model.ordering import natural_key
from bench_tui.safetext import data, visible, visible_text

Cell = str | Text


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int = 10
    flex: bool = False
    """A flex column takes the width the fixed columns leave."""
    justify: str = "left"
    keep_end: bool = False
    """Truncate on the left, for paths whose end says most."""
    optional: bool = False
    """Dropped (right to left) when the table is too narrow for the flex column to stay readable."""
    fit: Callable[[Row, int], Cell] | None = None
    """Draws the cell for a width, where cutting its text at the end would lose what tells it apart."""
    fold_into: str | None = None
    """When dropped, its non-empty cell leads the cell of the column with this key instead, so
    what it holds still reads on the row at any width (DESIGN §10 "Labels at any width")."""


@dataclass
class Row:
    key: Any
    cells: tuple[Cell, ...]
    sort_values: tuple[Any, ...] = ()
    """One value per column for sorting (defaults to the cell text)."""
    data: dict[str, Any] = field(default_factory=dict)


def _sort_key(value: Any) -> tuple[int, Any]:
    # None sorts last whatever the direction of the other values; mixed types never compare.
    if value is None:
        return (2, 0)
    if isinstance(value, (int, float)):
        return (0, value)
    return (1, natural_key(str(value)))  # browser_2 before browser_10


class VirtualTable(ScrollView, can_focus=True):
    """Rows, a row cursor and a column cursor; Enter posts RowSelected."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("g,home", "first", "First", show=False),
        Binding("G,end", "last", "Last", show=False),
        Binding("left,h", "column_left", "Column left", show=False),
        Binding("right,l", "column_right", "Column right", show=False),
        Binding("s", "sort", "Sort", id="sort"),
        Binding("enter", "select", "Open", id="open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--column-cursor",
        "virtual-table--marked",
        "virtual-table--empty",
    }

    # repaint=False: the watcher repaints only the rows whose highlight changed.
    cursor_row: reactive[int] = reactive(0, repaint=False)
    cursor_column: reactive[int] = reactive(0)
    counts: var[tuple[int, int]] = var((0, 0))
    """(rows shown, rows in all), for whoever shows a count (the filter bar)."""

    @dataclass
    class RowSelected(Message):
        table: VirtualTable
        key: Any

        @property
        def control(self) -> VirtualTable:
            return self.table

    @dataclass
    class CursorMoved(Message):
        table: VirtualTable
        key: Any

        @property
        def control(self) -> VirtualTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column] = (),
        *,
        empty_text: str = "Nothing to show.",
        sortable: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.sortable = sortable
        """False where the order is the content (aligned steps): `s` is then not offered."""
        self.columns: list[Column] = list(columns)
        self.empty_text = empty_text
        self._all_rows: list[Row] = []
        self._rows: list[Row] = []
        self._predicate: Callable[[Row], bool] | None = None
        self.sort_column: int | None = None
        self.sort_reverse = False
        self.marked: set[Any] = set()

    # ----- data -------------------------------------------------------------------------
    @property
    def rows(self) -> list[Row]:
        """The rows shown, in display order (after filter and sort)."""
        return self._rows

    @property
    def total_rows(self) -> int:
        return len(self._all_rows)

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self.cursor_column = min(self.cursor_column, max(0, len(self.columns) - 1))
        self.refresh()

    def set_rows(self, rows: Sequence[Row], *, keep_cursor: bool = True) -> None:
        current = self.cursor_key if keep_cursor else None
        self._all_rows = list(rows)
        self._apply(current)

    def replace_rows(self, rows: Sequence[Row]) -> None:
        """Swap in new versions of some rows (same keys), keeping filter, sort and cursor."""
        fresh = {row.key: row for row in rows}
        self._all_rows = [fresh.get(row.key, row) for row in self._all_rows]
        self._apply(self.cursor_key)

    def set_filter(self, predicate: Callable[[Row], bool] | None) -> None:
        current = self.cursor_key
        self._predicate = predicate
        self._apply(current)

    def sort_by(self, column: int, reverse: bool = False) -> None:
        current = self.cursor_key
        self.sort_column, self.sort_reverse = column, reverse
        self._apply(current)

    def _apply(self, keep_key: Any) -> None:
        rows = self._all_rows
        if self._predicate is not None:
            rows = [row for row in rows if self._predicate(row)]
        else:
            rows = list(rows)
        if self.sort_column is not None and self.sort_column < len(self.columns):
            index = self.sort_column
            rows.sort(
                key=lambda row: _sort_key(self._sort_value(row, index)), reverse=self.sort_reverse
            )
        self._rows = rows
        self.counts = (len(rows), len(self._all_rows))
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        target = 0
        if keep_key is not None:
            for position, row in enumerate(rows):
                if row.key == keep_key:
                    target = position
                    break
        self.cursor_row = min(target, max(0, len(rows) - 1))
        self._scroll_cursor_into_view()
        self.refresh()

    @staticmethod
    def _sort_value(row: Row, index: int) -> Any:
        if index < len(row.sort_values):
            return row.sort_values[index]
        cell = row.cells[index] if index < len(row.cells) else ""
        return cell.plain if isinstance(cell, Text) else cell

    @property
    def cursor_key(self) -> Any:
        if 0 <= self.cursor_row < len(self._rows):
            return self._rows[self.cursor_row].key
        return None

    @property
    def cursor_row_data(self) -> Row | None:
        if 0 <= self.cursor_row < len(self._rows):
            return self._rows[self.cursor_row]
        return None

    def move_cursor_to_key(self, key: Any) -> bool:
        for position, row in enumerate(self._rows):
            if row.key == key:
                self.cursor_row = position
                return True
        return False

    # ----- cursor -----------------------------------------------------------------------
    def watch_cursor_row(self, old: int, new: int) -> None:
        top = self.scroll_offset.y
        self._scroll_cursor_into_view()
        if self.scroll_offset.y == top:
            # Only the two rows whose highlight changed (row r is line r + 1, under the header).
            self.refresh_line(old + 1)
            self.refresh_line(new + 1)
        else:
            self.refresh()
        if old != new and self.cursor_key is not None:
            self.post_message(self.CursorMoved(self, self.cursor_key))

    def watch_cursor_column(self) -> None:
        self.refresh()

    def _scroll_cursor_into_view(self) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def action_cursor_up(self) -> None:
        self.cursor_row = max(0, self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.cursor_row = min(max(0, len(self._rows) - 1), self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.cursor_row = max(0, self.cursor_row - self._page())

    def action_page_down(self) -> None:
        self.cursor_row = min(max(0, len(self._rows) - 1), self.cursor_row + self._page())

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = max(0, len(self._rows) - 1)

    def action_column_left(self) -> None:
        visible = self._visible_columns()
        earlier = [i for i in visible if i < self.cursor_column]
        self.cursor_column = earlier[-1] if earlier else (visible[0] if visible else 0)

    def action_column_right(self) -> None:
        visible = self._visible_columns()
        later = [i for i in visible if i > self.cursor_column]
        self.cursor_column = later[0] if later else (visible[-1] if visible else 0)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # False hides the key from the footer and `?` as well as ignoring it.
        return self.sortable or action != "sort"

    def action_sort(self) -> None:
        """Sort on the focused column; again on the same column reverses."""
        column = self.cursor_column
        reverse = not self.sort_reverse if self.sort_column == column else False
        self.sort_by(column, reverse)

    def action_select(self) -> None:
        if self.cursor_key is not None:
            self.post_message(self.RowSelected(self, self.cursor_key))

    # ----- rendering --------------------------------------------------------------------
    MIN_FLEX_WIDTH = 20

    def _layout(self, total: int) -> list[tuple[int, int]]:
        """(column index, width) of the columns that fit, optional ones dropped right to left."""
        visible = list(range(len(self.columns)))
        flex_count = sum(1 for c in self.columns if c.flex)

        def spare(indexes: list[int]) -> int:
            fixed = sum(self.columns[i].width for i in indexes if not self.columns[i].flex)
            return total - fixed - len(indexes)

        if flex_count:
            for index in reversed(range(len(self.columns))):
                if spare(visible) >= self.MIN_FLEX_WIDTH * flex_count:
                    break
                if self.columns[index].optional:
                    visible.remove(index)
        each = max(8, spare(visible) // flex_count) if flex_count else 0
        return [(i, each if self.columns[i].flex else self.columns[i].width) for i in visible]

    def _visible_columns(self) -> list[int]:
        return [index for index, _ in self._layout(self.scrollable_content_region.width)]

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._rows) + 1)

    def _cell_segments(
        self, cell: Cell, width: int, justify: str, base: Style, keep_end: bool = False
    ) -> list[Segment]:
        # Cells hold data from result files: one line, every control character made visible.
        if isinstance(cell, Text):
            text = visible_text(cell, one_line=True)
            if text is cell:
                text = cell.copy()  # truncated and padded below: never the row's own Text
        else:
            text = data(cell, one_line=True)
        text.no_wrap = True
        if keep_end and text.cell_len > width > 1:
            text = Text("…") + text[text.cell_len - width + 1 :]
        text.truncate(width, overflow="ellipsis")
        if justify == "right":
            text.pad_left(width - text.cell_len)
        else:
            text.pad_right(width - text.cell_len)
        # Text.render leaves out the Text's own style (only its spans): a cell styled as a whole,
        # such as "✓ pass", would show in the row's plain colour.
        console = self.app.console
        if text.style:
            base = base + console.get_style(text.style, default=Style.null())
        return [
            Segment(segment.text, base + segment.style if segment.style else base)
            for segment in text.render(console)
            if segment.text
        ]

    def _cell(self, row: Row, index: int, width: int) -> Cell:
        fit = self.columns[index].fit
        if fit is not None:
            return fit(row, width)
        return row.cells[index] if index < len(row.cells) else ""

    def _folded(self, layout: list[tuple[int, int]]) -> dict[int, list[int]]:
        """Shown column index -> the dropped columns whose cells lead it."""
        shown = {index for index, _ in layout}
        keys = {self.columns[index].key: index for index in shown}
        folded: dict[int, list[int]] = {}
        for index, column in enumerate(self.columns):
            if index not in shown and column.fold_into in keys:
                folded.setdefault(keys[column.fold_into], []).append(index)
        return folded

    def _fold(self, row: Row, dropped: list[int], cell: Cell, width: int) -> Text:
        lead = Text()
        for index in dropped:
            part = self._cell(row, index, max(5, width - 3))  # within the brackets
            plain = part.plain if isinstance(part, Text) else part
            if plain:
                lead += (
                    Text("[", style="dim") + data(plain, one_line=True) + Text("] ", style="dim")
                )
        if not lead:
            return cell if isinstance(cell, Text) else data(cell, one_line=True)
        lead.stylize("bold")
        return lead + (cell if isinstance(cell, Text) else data(cell, one_line=True))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        layout = self._layout(width)
        base = self.rich_style
        if y == 0:
            header_style = base + self.get_component_rich_style("virtual-table--header")
            column_cursor = self.get_component_rich_style("virtual-table--column-cursor")
            segments: list[Segment] = []
            for index, cell_width in layout:
                column = self.columns[index]
                label = column.label
                if self.sort_column == index:
                    label += " ▼" if self.sort_reverse else " ▲"
                style = (
                    header_style + column_cursor if index == self.cursor_column else header_style
                )
                segments.extend(self._cell_segments(label, cell_width, column.justify, style))
                segments.append(Segment(" ", header_style))
            return Strip(segments).extend_cell_length(width, header_style).crop(0, width)
        row_index = int(self.scroll_offset.y) + y - 1
        if not self._rows:
            # Wrapped, not cut: the explanation of an empty folder must read whole at 80 columns.
            lines = textwrap.wrap(visible(self.empty_text, one_line=True), max(1, width)) or [""]
            if 1 <= y <= len(lines):
                style = base + self.get_component_rich_style("virtual-table--empty")
                return Strip([Segment(lines[y - 1], style)]).extend_cell_length(width, base)
            return Strip.blank(width, base)
        if row_index >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[row_index]
        style = base
        if row.key in self.marked:
            style = style + self.get_component_rich_style("virtual-table--marked")
        if row_index == self.cursor_row:
            style = style + self.get_component_rich_style("virtual-table--cursor")
        segments = []
        folded = self._folded(layout)
        for index, cell_width in layout:
            column = self.columns[index]
            cell = self._cell(row, index, cell_width)
            if index in folded:
                cell = self._fold(row, folded[index], cell, cell_width)
            segments.extend(
                self._cell_segments(cell, cell_width, column.justify, style, column.keep_end)
            )
            segments.append(Segment(" ", style))
        return Strip(segments).extend_cell_length(width, style).crop(0, width)


def cell_text(row: Row, column: int) -> str:
    cell = row.cells[column] if column < len(row.cells) else ""
    return cell.plain if isinstance(cell, Text) else str(cell)
