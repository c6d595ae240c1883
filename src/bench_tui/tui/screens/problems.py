"""Every problem found: path, line, message. Enter shows the file around that line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen

from bench_tui.analysis.filtering import Filterable
from bench_tui.model import Problem
from bench_tui.safeio import boundary, lexically_inside, open_binary
from bench_tui.safetext import display_path
from bench_tui.sources.common import MAX_PARSE_BYTES
from bench_tui.tui.palette import WARN, WARN_BADGE
from bench_tui.tui.widgets.filter_bar import FilterBar, FilterKey, filter_binding
from bench_tui.tui.widgets.fitted_footer import FittedFooter
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable
from bench_tui.tui.worker_errors import WorkerFailure, reported_work

CONTEXT_LINES = 8
MAX_SHOWN_LINE = 400
MAX_SCAN_BYTES = MAX_PARSE_BYTES
"""The viewer reads no further into a file than a reader would parse."""
_CHUNK = 64 * 1024


def file_excerpt(root: Path, relative: str, line: int | None) -> Text:
    """Lines around `line` of the file at `relative` (a Problem's path) inside the opened folder
    `root`, numbered, the problem line highlighted. Only a regular file inside `root` is read,
    and never more than MAX_SCAN_BYTES of it (no file is read whole)."""
    path = root / relative
    shown = display_path(relative)
    if not lexically_inside(path, root):
        return Text(f"{shown} is outside the opened folder: not shown.", style=WARN)
    try:
        handle = open_binary(path, boundary(root))
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return Text(f"{shown} cannot be opened: {reason}.", style=WARN)
    target = line or 1
    first = max(1, target - CONTEXT_LINES)
    text = Text()
    try:
        with handle:
            for number, head, length, cut in _lines(handle, first, target + CONTEXT_LINES):
                shown_line = head.decode("utf-8", "backslashreplace").rstrip("\r")
                if length > MAX_SHOWN_LINE:
                    shown_line += f" … ({length:,} bytes on this line)"
                if cut:
                    shown_line += f" … (not read past {MAX_SCAN_BYTES // 1048576} MB)"
                style = WARN_BADGE if number == line else ""
                text.append(f"{number:>6} │ ", style="dim")
                text.append(shown_line + "\n", style=style)
    except OSError as exc:
        return Text(f"{shown} cannot be read: {exc.strerror or exc}", style=WARN)
    if not text:
        text.append("(the file is empty)", style="dim")
    return text


def _lines(handle: BinaryIO, first: int, last: int) -> Iterator[tuple[int, bytes, int, bool]]:
    """(number, its first MAX_SHOWN_LINE bytes, its length, cut by the scan cap) of lines
    first..last, read in chunks: a 200 MB line is counted, never held."""
    number, head, length, scanned = 1, bytearray(), 0, 0
    while number <= last:
        if scanned >= MAX_SCAN_BYTES:
            if number >= first:
                yield number, bytes(head), length, True
            return
        chunk = handle.read(min(_CHUNK, MAX_SCAN_BYTES - scanned))
        if not chunk:
            break
        scanned += len(chunk)
        start = 0
        while number <= last:
            end = chunk.find(b"\n", start)
            piece = chunk[start:] if end < 0 else chunk[start:end]
            if number >= first and len(head) < MAX_SHOWN_LINE:
                head += piece[: MAX_SHOWN_LINE - len(head)]
            length += len(piece)
            if end < 0:
                break
            if number >= first:
                yield number, bytes(head), length, False
            number, length, start = number + 1, 0, end + 1
            head.clear()
    if number <= last and number >= first and (length or head):
        yield number, bytes(head), length, False


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

    @reported_work(
        "reading the file excerpt", group="excerpt", where=lambda screen: screen.problem.path
    )
    def _read(self) -> None:
        excerpt = file_excerpt(self.root, self.problem.path, self.problem.line)
        self.app.call_from_thread(self.query_one("#excerpt-body", SafeStatic).update, excerpt)

    def show_worker_failure(self, failure: WorkerFailure) -> None:
        self.query_one("#excerpt-body", SafeStatic).update(failure.message)


class ProblemsScreen(FilterKey, Screen[None]):
    HELP_TITLE: ClassVar[str] = "Problems"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        filter_binding(),
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
        yield FilterBar(
            table="problems-table",
            noun="problem",
            placeholder='filter: words in the path or message, !word, "a phrase"',
            id="problems-filter",
        )
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
        yield FittedFooter()

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
                    data={
                        "filter": Filterable(
                            text=f"{problem.path} {problem.message}",
                            fields={"path": problem.path, "message": problem.message},
                        )
                    },
                )
                for index, problem in enumerate(self.problems)
            ]
        )
        table.focus()
        if self.problems:
            self.query_one("#problem-detail", SafeStatic).update(Text(self.problems[0].located()))

    @on(VirtualTable.CursorMoved)
    def _show_detail(self, event: VirtualTable.CursorMoved) -> None:
        self.query_one("#problem-detail", SafeStatic).update(
            Text(self.problems[event.key].located())
        )

    @on(VirtualTable.RowSelected)
    def _open(self, event: VirtualTable.RowSelected) -> None:
        self.app.push_screen(FileExcerptScreen(self.root, self.problems[event.key]))
