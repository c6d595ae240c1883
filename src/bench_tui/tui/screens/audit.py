"""`A` on a run page: checker verdicts people overturned, with their notes, and the rates after review.

The figures are those of `bench-tui audit` (triage/audit.py). Runs with reviewed tasks are listed
(and the run the view was opened from, always); Enter on an overturned task opens its task page.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen

from bench_tui.analysis.summary import format_rate
from bench_tui.model import Run
from bench_tui.triage.audit import Overturned, RunAudit, audit_runs
from bench_tui.triage.labels import SHOULD_PASS
from bench_tui.tui.palette import BAD, GOOD
from bench_tui.tui.screens.task import TaskScreen
from bench_tui.tui.widgets.fitted_footer import FittedFooter
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable


def audit_table(audits: list[RunAudit], labels: dict[str, str], current: str) -> Table:
    table = Table(title="per run and model", title_justify="left", box=None, expand=True)
    table.add_column("run", ratio=3, no_wrap=True)
    table.add_column("model", ratio=2, no_wrap=True)
    for column in ("tasks", "checker", "reviewed", "→pass", "→fail", "after review", "agree"):
        table.add_column(column, justify="right", no_wrap=True)
    for audit in audits:
        table.add_row(
            Text(labels.get(audit.run, audit.run), style="bold" if audit.run == current else ""),
            audit.model,
            str(audit.tasks),
            format_rate(audit.checker_success_rate),
            str(audit.reviewed),
            str(audit.overturned_to_pass),
            str(audit.overturned_to_fail),
            format_rate(audit.corrected_success_rate) if audit.reviewed else "—",
            format_rate(audit.agreement),
        )
    return table


class AuditScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back", id="back")]

    def __init__(self, runs: list[Run], run_id: str, root: Path) -> None:
        super().__init__()
        self.runs = {run.id: run for run in runs}
        self.run_id = run_id
        self.root = root
        self.audits = audit_runs(runs)

    def compose(self) -> ComposeResult:
        shown = [a for a in self.audits if a.reviewed or a.run == self.run_id]
        shown.sort(key=lambda a: a.run != self.run_id)  # the run the view came from first
        labels = {run_id: run.label for run_id, run in self.runs.items()}
        overturned = [item for audit in shown for item in audit.overturned]
        heading = Text("Checker audit", style="bold")
        heading.append(
            f" — {sum(a.reviewed for a in self.audits)} task(s) reviewed, "
            f"{sum(len(a.overturned) for a in self.audits)} verdict(s) overturned"
        )
        yield SafeStatic(heading, classes="screen-heading")
        yield SafeStatic(audit_table(shown, labels, self.run_id), id="audit-runs")
        yield SafeStatic(
            Text(
                "overturned verdicts · Enter opens the task · on a run page, t then + or - "
                "overturns a verdict, v walks the failures",
                style="dim",
            ),
            id="audit-hint",
        )
        self._rows = [self._row(item, labels) for item in overturned]
        yield VirtualTable(
            [
                Column("run", "run", 26),
                Column("model", "model", 18),
                Column("task", "task", 28),
                Column("checker", "checker", 9),
                Column("should", "should", 7),
                Column("note", "note", flex=True),
            ],
            id="audit-table",
            empty_text="No checker verdict overturned yet.",
        )
        yield FittedFooter()

    def on_mount(self) -> None:
        table = self.query_one("#audit-table", VirtualTable)
        table.set_rows(self._rows)
        table.focus()

    @staticmethod
    def _row(item: Overturned, labels: dict[str, str]) -> Row:
        task = item.task_id if item.seed is None else f"{item.task_id} seed {item.seed}"
        should = "pass" if item.label == SHOULD_PASS else "fail"
        return Row(
            key=(item.run, item.model, item.task_id, item.seed),
            cells=(
                labels.get(item.run, item.run),
                item.model,
                task,
                item.checker,
                Text(should, style=GOOD if should == "pass" else BAD),
                item.note or "",
            ),
        )

    @on(VirtualTable.RowSelected, "#audit-table")
    def _open_task(self, event: VirtualTable.RowSelected) -> None:
        run_id, model, task_id, _seed = event.key
        run = self.runs.get(run_id)
        if run is not None:
            order = [e.task_id for e in run.executions if e.model == model]
            self.app.push_screen(TaskScreen(run, task_id, model, order, self.root))
