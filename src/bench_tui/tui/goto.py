"""`--goto RUN[/TASK[/STEP]]`: open that page once discovery has listed the run.

Discovery streams runs in from a worker; the target is tried on every batch and opened as soon as
it resolves, so a link into the first run found does not wait for the whole scan. A target that
does not resolve by the end of the scan opens the nearest page with a notice (deeplink.resolve_goto).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual.app import App
from textual.widgets import TabbedContent

from bench_tui.deeplink import Goto, resolve_goto
from bench_tui.model import Run
from bench_tui.tui.screens.run import RunScreen
from bench_tui.tui.screens.task import TaskScreen


class PendingGoto:
    def __init__(self, target: str) -> None:
        self.target = target
        self.opened: Goto | None = None

    def try_open(self, app: App[Any], root: Path, runs: Sequence[Run], *, final: bool) -> bool:
        """Open the target's page if it can be told now; whether it was opened."""
        if self.opened is not None:
            return True
        goto = resolve_goto(self.target, runs, final=final)
        if goto is None:
            return False
        self.opened = goto
        open_goto(app, root, goto)
        return True


def open_goto(app: App[Any], root: Path, goto: Goto) -> None:
    for notice in goto.notices:
        app.notify(notice, severity="warning", timeout=10)
    app.screen_stack[0].query_one(TabbedContent).active = "benchmarks"  # the tabs' screen
    if goto.run is None:
        return
    run_page = RunScreen(goto.run, root)
    models = [figures.model for figures in run_page.models]
    if goto.model in models:
        run_page.model_index = models.index(goto.model)
    app.push_screen(run_page)
    if goto.task_id is None:
        return
    order = [task.task_id for task in goto.run.tasks]
    app.push_screen(
        TaskScreen(goto.run, goto.task_id, goto.model or "unknown", order, root, step=goto.step)
    )
