"""`ctrl+f`: search every step of the workspace (DESIGN §10 "search").

The query runs off the UI thread: a key only restarts a short timer, and the search that timer
starts replaces any still running. The first search of a folder puts its steps in the index
(that one can take a while on a big study; the heading says so). Enter opens the task page at
the hit's step with the words found highlighted in the step details.
"""

from __future__ import annotations

import re
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input

from bench_tui.index.search import MARK_CLOSE, MARK_OPEN, BadQuery, Hit, terms
from bench_tui.index.workspace import WorkspaceSearch
from bench_tui.model import Workspace
from bench_tui.tui.screens.task import TaskScreen
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable
from bench_tui.tui.worker_errors import reported_work

TYPING_PAUSE_S = 0.15
"""A search starts once typing pauses this long."""
LIMIT = 200
MATCH_STYLE = "bold reverse"


def snippet_text(snippet: str) -> Text:
    """A snippet with its «marked» matches styled and the marks taken out."""
    text = Text()
    for index, part in enumerate(re.split(f"[{MARK_OPEN}{MARK_CLOSE}]", snippet)):
        text.append(part, style=MATCH_STYLE if index % 2 else "")
    return text


def match_pattern(query: str) -> re.Pattern[str] | None:
    """What the task page highlights: each word or phrase of the query, any case, words of a
    phrase apart by anything that is not a letter or digit (as the index sees them)."""
    parts = [r"\W+".join(re.escape(word) for word in term.split()) for term in terms(query)]
    parts = [part for part in parts if part]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


class SearchScreen(Screen[None]):
    HELP_TITLE: ClassVar[str] = "Search"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("down", "results", "Results", show=False, id="to_results"),
    ]

    def __init__(self, workspace: Workspace, *, use_index: bool) -> None:
        super().__init__()
        self.workspace = workspace
        self.searcher = WorkspaceSearch(workspace, use_index=use_index, notice=self._notice)
        self.hits: list[Hit] = []
        self.query_text = ""
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield SafeStatic(
            'Search every step: words (all must match), "a phrase"; case and accents ignored. '
            "Enter opens the task at the step.",
            classes="screen-heading",
        )
        yield Input(placeholder="search instructions, actions, reasoning, logs, errors", id="q")
        yield VirtualTable(
            [
                Column("where", "run · model · task", 48, keep_end=True),
                Column("step", "step", 5, justify="right"),
                Column("field", "field", 11),
                Column("snippet", "snippet", flex=True),
            ],
            id="search-results",
            empty_text="Type to search.",
        )
        yield SafeStatic(id="search-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#q", Input).focus()

    def on_unmount(self) -> None:
        self.searcher.close()

    def _notice(self, message: str) -> None:
        self.app.call_from_thread(self.app.notify, message, severity="warning", timeout=10)

    @on(Input.Changed, "#q")
    def _typed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(TYPING_PAUSE_S, self._start_search)

    @on(Input.Submitted, "#q")
    def _submitted(self) -> None:
        if self.hits:
            self.query_one(VirtualTable).focus()

    def action_results(self) -> None:
        self.query_one(VirtualTable).focus()

    def _start_search(self) -> None:
        query = self.query_text
        status = self.query_one("#search-status", SafeStatic)
        if not terms(query):
            self._show(query, [])
            return
        if not self.searcher.ready:
            status.update(Text("Putting the steps of this folder in the index…", style="dim"))
        self._search(query)

    @reported_work("searching the workspace", group="search", exclusive=True)
    def _search(self, query: str) -> None:
        try:
            hits = self.searcher.search(query, LIMIT)
        except BadQuery:
            hits = []
        self.app.call_from_thread(self._show, query, hits)

    def _show(self, query: str, hits: list[Hit]) -> None:
        if query != self.query_text:
            return  # typing went on: a newer search is coming
        self.hits = hits
        table = self.query_one(VirtualTable)
        table.empty_text = "No match." if terms(query) else "Type to search."
        table.set_rows(
            [
                Row(
                    key=index,
                    cells=(
                        f"{hit.run} · {hit.model} · {hit.task_id}",
                        "" if hit.step is None else str(hit.step),
                        hit.field,
                        snippet_text(hit.snippet),
                    ),
                )
                for index, hit in enumerate(hits)
            ],
            keep_cursor=False,
        )
        count = f"{len(hits)} hit{'' if len(hits) == 1 else 's'}"
        more = f" (the first {LIMIT})" if len(hits) >= LIMIT else ""
        status = self.query_one("#search-status", SafeStatic)
        status.update(Text(f"{count}{more}" if terms(query) else "", style="dim"))

    @on(VirtualTable.RowSelected, "#search-results")
    def _open(self, event: VirtualTable.RowSelected) -> None:
        hit = self.hits[event.key]
        run = next((r for r in self.workspace.runs if r.id == hit.run), None)
        if run is None:
            self.notify("that run is no longer listed: reload (r) and search again", timeout=10)
            return
        order = [task.task_id for task in run.tasks]
        self.app.push_screen(
            TaskScreen(
                run,
                hit.task_id,
                hit.model,
                order,
                self.searcher.root,
                step=hit.step or 1,
                highlight=match_pattern(self.query_text),
            )
        )
