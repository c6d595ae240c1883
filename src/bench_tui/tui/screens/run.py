"""The run page: metric cards, success by domain, models, and the task list."""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical

from bench_tui.analysis.summary import ModelFigures, model_figures
from bench_tui.model import Execution, Run
from bench_tui.triage.audit import audit_model
from bench_tui.tui.screens.audit import AuditScreen
from bench_tui.tui.screens.compare_pick import RUN_PICK_COLUMNS, folder_time, run_partners
from bench_tui.tui.screens.compare_run import CompareRunScreen
from bench_tui.tui.screens.frequency import FrequencyKey
from bench_tui.tui.screens.insights import InsightsScreen
from bench_tui.tui.screens.pick import PickScreen
from bench_tui.tui.screens.repeats import RepeatsScreen
from bench_tui.tui.screens.review import ReviewScreen
from bench_tui.tui.screens.run_export import RunExport
from bench_tui.tui.screens.run_labels import RunLabels
from bench_tui.tui.screens.run_summary import domain_table, model_cards, model_table, run_heading
from bench_tui.tui.screens.run_table import task_columns, task_rows
from bench_tui.tui.screens.task import TaskScreen
from bench_tui.tui.widgets.filter_bar import FilterBar, FilterKey, filter_binding
from bench_tui.tui.widgets.fitted_footer import FittedFooter
from bench_tui.tui.widgets.metric_cards import Card, MetricCards
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable

FAILURES_ONLY = "!status:pass"


class RunScreen(FrequencyKey, FilterKey, RunLabels, RunExport):
    """One run. Enter on a task opens its step replay."""

    HELP_TITLE: ClassVar[str] = "Run page"

    BINDINGS: ClassVar[list[BindingType]] = [
        # The footer shows what a first visit needs and fits 160 columns; `?` and Ctrl+P list all.
        Binding("escape", "app.pop_screen", "Back", id="back"),
        filter_binding(),
        Binding("x", "failures", "Failures", id="failures"),
        Binding("m", "next_model", "Next model", show=False, id="next_model"),
        Binding("d", "breakdown", "Domains", id="breakdown"),
        Binding("c", "compare", "Compare", id="compare"),
        Binding("t", "triage", "Label", id="triage"),
        Binding("space", "mark", "Mark", show=False, id="mark"),
        Binding(
            "u", "next_unlabelled", "Next unlabelled failure", show=False, id="next_unlabelled"
        ),
        Binding("F", "frequency", "Frequency", show=False, id="frequency"),
        Binding("e", "export", "Export", show=False, id="export"),
        Binding("i", "insights", "Insights", id="insights"),
        Binding("R", "repeats", "Repeats", show=False, id="repeats"),
        Binding("A", "audit", "Checker audit", show=False, id="audit"),
        Binding("v", "review", "Review failures", show=False, id="review"),
    ]

    def __init__(self, run: Run, root: Path) -> None:
        super().__init__()
        self.root = root
        self.model_index = 0
        self.init_labels(run, root)
        self._index(run)

    def _index(self, run: Run) -> None:
        self.run = run
        self.models = model_figures(run)
        self.model_index = min(self.model_index, max(0, len(self.models) - 1))
        self.by_task: dict[str, dict[str, Execution]] = {}
        for execution in run.executions:
            self.by_task.setdefault(execution.task_id, {})[execution.model] = execution

    def update_run(self, run: Run) -> None:
        """A live run was read again: new counts, same filter, same cursor."""
        self._index(run)
        self.query_one("#run-heading", SafeStatic).update(self._heading())
        self._show_model()
        table = self.query_one("#tasks-table", VirtualTable)
        table.set_columns(self._columns())
        table.set_rows(self._rows())

    @property
    def current_model(self) -> ModelFigures | None:
        return self.models[self.model_index] if self.models else None

    def compose(self) -> ComposeResult:
        yield SafeStatic(self._heading(), id="run-heading", classes="screen-heading")
        yield MetricCards(id="run-cards")
        with Horizontal(id="run-breakdown"):
            yield SafeStatic(id="run-domains")
            yield SafeStatic(id="run-models")
        with Vertical(id="run-tasks-box"):
            yield FilterBar(table="tasks-table", noun="task", id="tasks-filter")
            yield VirtualTable(
                self._columns(), id="tasks-table", empty_text="This run has no tasks."
            )
        yield FittedFooter()

    def on_mount(self) -> None:
        # Short terminals give the task list the room; `d` brings the breakdown back.
        self.query_one("#run-breakdown").display = self.app.size.height >= 36
        self._show_model()
        self.query_one("#tasks-table", VirtualTable).set_rows(self._rows())
        self.query_one("#tasks-table", VirtualTable).focus()
        self.set_interval(1.0, self._tick_live)
        self.start_reading_labels()

    def _tick_live(self) -> None:
        """Between refreshes the files say nothing new, but the ETA still runs down."""
        if self.run.live and self.run.progress and self.run.progress.as_of is not None:
            self.query_one("#run-heading", SafeStatic).update(self._heading())

    def _heading(self) -> Text:
        return run_heading(self.run, time.time())

    # ----- cards and breakdowns -------------------------------------------------------------
    def _show_model(self) -> None:
        model = self.current_model
        if model is None:
            self.query_one(MetricCards).show([Card("tasks", "0")])
            return
        audit = audit_model(self.run, model.model, self.triage)
        self.query_one(MetricCards).show(
            model_cards(model, self.model_index, len(self.models), audit)
        )
        self.query_one("#run-domains", SafeStatic).update(domain_table(model))
        self.query_one("#run-models", SafeStatic).update(model_table(self.models, self.model_index))
        # Narrow, the breakdown is one column: one model's row only repeats the cards (.tcss).
        self.set_class(len(self.models) < 2, "-one-model")

    # ----- task list -------------------------------------------------------------------------
    def _columns(self) -> list[Column]:
        return task_columns(self.models, self.model_index)

    def _rows(self, only: set[str] | None = None) -> list[Row]:
        """One row per task; outcome columns per model, the rest the selected model's."""
        current = self.current_model.model if self.current_model else None
        return task_rows(self.run, self.by_task, self.models, current, self.triage, only)

    def visible_task_ids(self) -> list[str]:
        return [row.key for row in self.query_one("#tasks-table", VirtualTable).rows]

    def action_failures(self) -> None:
        bar_widget = self.query_one("#tasks-filter", FilterBar)
        words = bar_widget.value.split()
        if FAILURES_ONLY in words:
            words.remove(FAILURES_ONLY)
        else:
            words.append(FAILURES_ONLY)
        bar_widget.set_query(" ".join(words))

    def action_breakdown(self) -> None:
        breakdown = self.query_one("#run-breakdown")
        breakdown.display = not breakdown.display

    def action_next_model(self) -> None:
        """Cards, breakdown and the task list's steps, time, error and labels follow `m`."""
        if len(self.models) < 2:
            only = self.models[0].model if self.models else "no model"
            self.notify(f"m: this run has one model ({only})", timeout=2)
            return
        self.model_index = (self.model_index + 1) % len(self.models)
        self._show_model()
        table = self.query_one("#tasks-table", VirtualTable)
        table.set_columns(self._columns())
        table.set_rows(self._rows())

    # ----- frequency, other pages ----------------------------------------------------------------
    def action_insights(self) -> None:
        if self.current_model is not None:
            runs = self.app.workspace.runs  # type: ignore[attr-defined]
            self.app.push_screen(InsightsScreen(self.run, self.current_model.model, runs))

    def action_repeats(self) -> None:
        runs = self.app.workspace.runs  # type: ignore[attr-defined]
        model = self.current_model.model if self.current_model else None
        self.app.push_screen(RepeatsScreen(runs, model, self.root))

    def action_audit(self) -> None:
        runs = self.app.workspace.runs  # type: ignore[attr-defined]
        self.app.push_screen(AuditScreen(runs, self.run.id, self.root))

    def action_review(self) -> None:
        if self.after_labels(self.action_review):
            return
        if self.current_model is not None and self.store is not None:
            screen = ReviewScreen(
                self.run,
                self.current_model.model,
                self.store,
                self.label_set,
                self.visible_task_ids(),
                self.refresh_labels_now,
                self.root,
            )
            self.app.push_screen(screen)

    def export_selection(self) -> tuple[set[str], str | None]:
        visible = {row.key for row in self.query_one("#tasks-table", VirtualTable).rows}
        return visible, self.current_model.model if self.current_model else None

    def action_compare(self) -> None:
        model = self.current_model.model if self.current_model else "unknown"
        runs = self.app.workspace.runs  # type: ignore[attr-defined]

        def picked(key: tuple[str, str] | None) -> None:
            if key is None:
                return
            other = next((r for r in runs if r.id == key[0]), None)
            if other is not None:
                times = {run.id: folder_time(run) for run in (self.run, other)}
                self.app.push_screen(
                    CompareRunScreen(self.run, model, other, key[1], self.root, times)
                )

        self.app.push_screen(
            PickScreen(
                f"Compare {model} · {self.run.label} with… (the older run is the baseline, A)",
                RUN_PICK_COLUMNS,
                run_partners(runs, self.run, model),
                "No other run or model shares a task with this one.",
            ),
            picked,
        )

    @on(VirtualTable.RowSelected, "#tasks-table")
    def _open_task(self, event: VirtualTable.RowSelected) -> None:
        model = self.current_model.model if self.current_model else "unknown"
        self.app.push_screen(
            TaskScreen(self.run, event.key, model, self.visible_task_ids(), self.root)
        )
