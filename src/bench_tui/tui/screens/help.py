"""`?`: every binding of the screen it was opened from, with the app-wide ones."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen

from bench_tui.tui.widgets.safe_static import SafeStatic

KEY_NAMES = {
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "slash": "/",
    "question_mark": "?",
    "exclamation_mark": "!",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "space": "space",
    "escape": "esc",
}


def key_label(keys: str) -> str:
    return " ".join(KEY_NAMES.get(key, key) for key in keys.split(","))


def binding_rows(screen: Screen) -> list[tuple[str, str]]:
    """(keys, description) for every binding active on `screen`, focused widget first."""
    seen: set[tuple[str, str]] = set()
    rows: list[tuple[str, str]] = []
    by_action: dict[tuple[str, str], list[str]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        description = binding.description or binding.action
        group = (description, binding.action)
        by_action.setdefault(group, []).append(key_label(key))
    for (description, _action), keys in by_action.items():
        entry = (" ".join(dict.fromkeys(keys)), description)
        if entry not in seen:
            seen.add(entry)
            rows.append(entry)
    return rows


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, rows: list[tuple[str, str]], title: str) -> None:
        super().__init__()
        self.rows = rows
        self.title_text = title

    def compose(self) -> ComposeResult:
        table = Table(
            title=f"Keys — {self.title_text}", title_justify="left", expand=True, box=None
        )
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("action")
        for keys, description in self.rows:
            table.add_row(keys, description)
        with VerticalScroll(id="help-box"):
            yield SafeStatic(table)
            yield SafeStatic(
                "Esc closes. Ctrl+P opens the command palette with every action.",
                classes="dim-note",
            )
