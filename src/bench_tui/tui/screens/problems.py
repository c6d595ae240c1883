"""Every problem found: path, line, message. Enter shows the file around that line."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input

from bench_tui.model import Problem
from bench_tui.tui.widgets.filter_bar import FilterBar
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable

CONTEXT_LINES = 8
MAX_SHOWN_LINE = 400


def file_excerpt(path: Path, line: int | None) -> Text:
    """Lines around `line`, numbered, the problem line highlighted (no file is read whole)."""
    text = Text()
    if not path.is_file():
        return Text(f"{path} cannot be opened (missing, or not a file).", style="yellow")
    target = line or 1
    first = max(1, target - CONTEXT_LINES)
    try:
        with open(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if number < first:
                    continue
                if number > target + CONTEXT_LINES:
                    break
                shown = raw[:MAX_SHOWN_LINE].decode("utf-8", "backslashreplace").rstrip("\r\n")
                if len(raw) > MAX_SHOWN_LINE:
                    shown += f" … ({len(raw):,} bytes on this line)"
                style = "bold black on yellow" if number == line else ""
                text.append(f"{number:>6} │ ", style="dim")
                text.append(shown + "\n", style=style)
    except OSError as exc:
        return Text(f"{path} cannot be read: {exc.strerror or exc}", style="yellow")
    if not text:
        text.append("(the file is empty)", style="dim")
    return text


class FileExcerptScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,enter", "dismiss", "Close")]

    def __init__(self, root: Path, problem: Problem) -> None:
        super().__init__()
        self.root = root
        self.problem = problem

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="excerpt-box"):
            yield SafeStatic(Text(self.problem.located(), style="bold"), id="excerpt-title")
            yield SafeStatic("reading…", id="excerpt-body")

    def on_mount(self) -> None:
        self._read()

    @work(thread=True, exit_on_error=False)
    def _read(self) -> None:
        excerpt = file_excerpt(self.root / self.problem.path, self.problem.line)
        self.app.call_from_thread(self.query_one("#excerpt-body", SafeStatic).update, excerpt)


class ProblemsScreen(Screen[None]):
    HELP_TITLE: ClassVar[str] = "Problems"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("slash", "filter", "Filter", id="filter"),
    ]

    def __init__(self, root: Path, problems: list[Problem]) -> None:
        super().__init__()
        self.root = root
        self.problems = problems

    def compose(self) -> ComposeResult:
        yield SafeStatic(
            f"Problems ({len(self.problems)}) — everything that could not be read; the rest still shows. "
            "Enter shows the file around the line.",
            classes="screen-heading",
        )
        yield FilterBar(placeholder="filter problems by path or message", id="problems-filter")
        yield VirtualTable(
            [
                Column("path", "path", 56, keep_end=True),
                Column("line", "line", 6, justify="right"),
                Column("message", "message", flex=True),
            ],
            id="problems-table",
            empty_text="No problems: every file found could be read.",
        )
        yield SafeStatic(id="problem-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(VirtualTable)
        table.set_rows(
            [
                Row(
                    key=index,
                    cells=(
                        problem.path,
                        "" if problem.line is None else str(problem.line),
                        problem.message,
                    ),
                    sort_values=(problem.path, problem.line, problem.message),
                    data={"text": f"{problem.path} {problem.message}".lower()},
                )
                for index, problem in enumerate(self.problems)
            ]
        )
        table.focus()
        if self.problems:
            self.query_one("#problem-detail", SafeStatic).update(Text(self.problems[0].located()))

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    @on(Input.Changed, "#problems-filter")
    def _filter(self, event: Input.Changed) -> None:
        words = event.value.lower().split()
        self.query_one(VirtualTable).set_filter(
            (lambda row: all(word in row.data["text"] for word in words)) if words else None
        )

    @on(FilterBar.Done)
    def _filter_done(self) -> None:
        self.query_one(VirtualTable).focus()

    @on(VirtualTable.CursorMoved)
    def _show_detail(self, event: VirtualTable.CursorMoved) -> None:
        self.query_one("#problem-detail", SafeStatic).update(
            Text(self.problems[event.key].located())
        )

    @on(VirtualTable.RowSelected)
    def _open(self, event: VirtualTable.RowSelected) -> None:
        self.app.push_screen(FileExcerptScreen(self.root, self.problems[event.key]))
