"""`R` on a run page: tasks a model ran more than once, as a row of ✓/✗ marks each, flaky first.

Enter on a flaky task opens a passing and a failing trial in the split view, at their first
divergence; on any other task, its two latest trials. `m` shows the next model with trials. The
figures are those of `bench-tui repeats` (analysis/repeats.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen

from bench_tui.analysis.repeats import (
    ModelRepeats,
    TaskTrials,
    Trial,
    find_trials,
    flaky_first,
    model_repeats,
    repeated,
)
from bench_tui.analysis.summary import format_rate
from bench_tui.model import Run
from bench_tui.render.marks import trial_marks
from bench_tui.tui.palette import BAD, GOOD, WARN_BOLD
from bench_tui.tui.screens.compare_task import CompareTaskScreen
from bench_tui.tui.widgets.fitted_footer import FittedFooter
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable


def kind_of(task: TaskTrials) -> Text:
    if task.flaky:
        return Text("flaky", style=WARN_BOLD)
    if task.passes == 0:
        return Text("never passes", style=BAD)
    return Text("always passes", style=GOOD)


def trial_pair(task: TaskTrials) -> tuple[Trial, Trial] | None:
    """What Enter compares: a passing and a failing trial of a flaky task, else the last two."""
    if task.flaky:
        passing, failing = task.first(True), task.first(False)
        if passing is not None and failing is not None:
            return passing, failing
    if task.n >= 2:
        return task.trials[-2], task.trials[-1]
    return None


class RepeatsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("m", "next_model", "Next model", id="next_model"),
    ]

    def __init__(self, runs: list[Run], model: str | None, root: Path) -> None:
        super().__init__()
        self.root = root
        tasks = find_trials(runs)
        self.summaries: list[ModelRepeats] = model_repeats(tasks)
        self.by_model: dict[str, list[TaskTrials]] = {}
        for task in repeated(tasks):
            self.by_model.setdefault(task.model, []).append(task)
        names = [entry.model for entry in self.summaries]
        self.model_index = names.index(model) if model in names else 0
        self.asked_model = model

    @property
    def summary(self) -> ModelRepeats | None:
        return self.summaries[self.model_index] if self.summaries else None

    def compose(self) -> ComposeResult:
        yield SafeStatic(id="repeats-heading", classes="screen-heading")
        yield SafeStatic(id="repeats-figures")
        yield VirtualTable(
            [
                Column("task", "task", 30),
                Column("trials", "trials (oldest first)", 22),
                Column("passes", "passes", 7, justify="right"),
                Column("kind", "", 13),
                Column("runs", "runs", flex=True, optional=True),
            ],
            id="repeats-table",
            empty_text="No task was run more than once by the same model in this workspace.",
        )
        yield FittedFooter()

    def on_mount(self) -> None:
        self._show()
        self.query_one("#repeats-table", VirtualTable).focus()

    def _show(self) -> None:
        summary = self.summary
        heading = Text("Repeats", style="bold")
        figures = Text()
        if summary is None:
            figures.append("No task was run more than once by the same model.", style="dim")
        else:
            heading.append(f" — {summary.model}")
            if len(self.summaries) > 1:
                heading.append(f"   (m: model {self.model_index + 1}/{len(self.summaries)})")
            if self.asked_model is not None and summary.model != self.asked_model:
                figures.append(f"{self.asked_model} ran no task twice; showing {summary.model}\n")
            figures.append(f"{summary.tasks_with_trials} tasks with 2+ trials · k = {summary.k}")
            figures.append(f" · pass@1 {format_rate(summary.pass_at_1)}", style="bold")
            figures.append(f" · pass@{summary.k} {format_rate(summary.pass_at_k)}")
            figures.append(f" · pass^{summary.k} {format_rate(summary.pass_hat_k)}")
            figures.append(f" · {len(summary.flaky)} flaky", style=WARN_BOLD)
            figures.append(
                "\n✓ passed  ✗ failed (yellow: no verdict)  ·  Enter: a passing and a failing "
                "trial side by side",
                style="dim",
            )
        self.query_one("#repeats-heading", SafeStatic).update(heading)
        self.query_one("#repeats-figures", SafeStatic).update(figures)
        tasks = flaky_first(self.by_model.get(summary.model, [])) if summary else []
        self.query_one("#repeats-table", VirtualTable).set_rows([self._row(t) for t in tasks])

    @staticmethod
    def _row(task: TaskTrials) -> Row:
        statuses = [trial.execution.status for trial in task.trials]
        return Row(
            key=(task.benchmark, task.key),
            cells=(
                task.task_id,
                trial_marks(statuses),
                f"{task.passes}/{task.n}",
                kind_of(task),
                ", ".join(trial.run.label for trial in task.trials),
            ),
            sort_values=(task.task_id, task.passes / task.n, task.passes, task.flaky, None),
            data={"task": task},
        )

    def action_next_model(self) -> None:
        if self.summaries:
            self.model_index = (self.model_index + 1) % len(self.summaries)
            self.asked_model = None
            self._show()

    @on(VirtualTable.RowSelected, "#repeats-table")
    def _open_pair(self, event: VirtualTable.RowSelected) -> None:
        table = self.query_one("#repeats-table", VirtualTable)
        row = next((r for r in table.rows if r.key == event.key), None)
        pair = trial_pair(row.data["task"]) if row is not None else None
        if pair is None:
            return
        a, b = pair
        self.app.push_screen(CompareTaskScreen(a.run, a.execution, b.run, b.execution, self.root))
