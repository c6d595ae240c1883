"""A small chooser: one list, Enter picks, Escape cancels."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen

from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable


class PickScreen(ModalScreen[Any]):
    HELP_TITLE: ClassVar[str] = "Pick"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, columns: list[Column], rows: list[Row], empty_text: str) -> None:
        super().__init__()
        self.title_text = title
        self.columns = columns
        self.rows = rows
        self.empty_text = empty_text

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-box"):
            yield SafeStatic(self.title_text, classes="screen-heading")
            yield VirtualTable(self.columns, id="pick-table", empty_text=self.empty_text)

    def on_mount(self) -> None:
        table = self.query_one(VirtualTable)
        table.set_rows(self.rows)
        table.focus()

    @on(VirtualTable.RowSelected)
    def _picked(self, event: VirtualTable.RowSelected) -> None:
        self.dismiss(event.key)
