"""`?`: every binding of the screen it was opened from, with the app-wide ones."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen

from bench_tui.tui.keys import binding_rank, key_label
from bench_tui.tui.palette import ACCENT_BOLD
from bench_tui.tui.widgets.safe_static import SafeStatic


def screen_bindings(screen: Screen[Any]) -> list[tuple[str, str, str, DOMNode]]:
    """(keys, description, action, node) per action active on `screen`, in `binding_rank` order."""
    by_action: dict[tuple[str, str], tuple[list[str], DOMNode]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        description = binding.description or binding.action
        keys, _node = by_action.setdefault((description, binding.action), ([], active.node))
        keys.append(key_label(key))
    entries = [
        (" ".join(dict.fromkeys(keys)), description, action, node)
        for (description, action), (keys, node) in by_action.items()
    ]
    return sorted(entries, key=lambda entry: binding_rank(screen, entry[3], entry[2]))


def binding_rows(screen: Screen[Any]) -> list[tuple[str, str]]:
    """(keys, description) for every binding active on `screen`, the screen's own first."""
    rows: list[tuple[str, str]] = []
    for keys, description, _action, _node in screen_bindings(screen):
        if (keys, description) not in rows:
            rows.append((keys, description))
    return rows


def help_notes(screen: Screen[Any]) -> tuple[str, ...]:
    """What a screen's figures mean where a column name cannot say it (its HELP_NOTES)."""
    notes = getattr(screen, "HELP_NOTES", ())
    return tuple(note for note in notes if isinstance(note, str))


def help_title(screen: Screen[Any], active_tab: str | None) -> str:
    """A person's name for the screen: its HELP_TITLE, or the tab the main screen shows."""
    title = getattr(screen, "HELP_TITLE", None)
    if isinstance(title, str):
        return title
    return (active_tab or "main").capitalize()


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(
        self, rows: list[tuple[str, str]], title: str, notes: tuple[str, ...] = ()
    ) -> None:
        super().__init__()
        self.rows = rows
        self.title_text = title
        self.notes = notes

    def compose(self) -> ComposeResult:
        table = Table(
            title=f"Keys — {self.title_text}", title_justify="left", expand=True, box=None
        )
        table.add_column("key", style=ACCENT_BOLD, no_wrap=True)
        table.add_column("action")
        for keys, description in self.rows:
            table.add_row(keys, description)
        with VerticalScroll(id="help-box"):
            yield SafeStatic(table)
            for note in self.notes:
                yield SafeStatic(note, classes="help-note")
            yield SafeStatic(
                "Esc closes. Ctrl+P opens the command palette with every action.",
                classes="dim-note",
            )
