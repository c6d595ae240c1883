"""The Training tab: training runs and eval reports; Enter opens a run's page (training_page.py)
or the eval reports screen."""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message

from bench_tui.analysis.evalpairs import gate_settings, pair_reports, report_labels, report_role
from bench_tui.analysis.summary import format_rate
from bench_tui.analysis.training import epoch_label, format_loss, training_status
from bench_tui.model import EvalReport, TrainingRun
from bench_tui.render.charts import sparkline
from bench_tui.sources.training.training_log import check_log
from bench_tui.tui.cells import status_text
from bench_tui.tui.palette import INFO
from bench_tui.tui.screens.evals import EvalsScreen, gate_lines
from bench_tui.tui.screens.training_page import TrainingScreen
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable
from bench_tui.tui.worker_errors import relative_to, reported_work

PANE_REFRESH_S = 2.0
CURVE_W = 24


class TrainingPane(Vertical):
    """Training runs (status kept fresh by a cheap stat of each unfinished log) and eval reports."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("E", "eval_reports", "Eval reports", id="eval_reports"),
    ]

    class Refreshed(Message, bubble=False):
        def __init__(self, runs: list[TrainingRun]) -> None:
            super().__init__()
            self.runs = runs

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.trainings: dict[str, TrainingRun] = {}
        self.evals: list[EvalReport] = []
        self._stamps: dict[str, tuple[int, int] | None] = {}

    def compose(self) -> ComposeResult:
        yield SafeStatic("Training runs  (Enter: open)", classes="pane-heading")
        yield VirtualTable(
            [
                Column("id", "training", flex=True, keep_end=True),
                Column("model", "model", 20),
                Column("status", "status", 8),
                Column("step", "step", 7, justify="right"),
                Column("epoch", "epoch", 7, justify="right"),
                Column("loss", "loss", 8, justify="right"),
                Column("variant", "log", 6, optional=True),
                Column("curve", "loss curve", CURVE_W + 1, optional=True),
            ],
            id="trainings-table",
            empty_text="No training logs found. Looks for training_log.json (OpenAdapt custom loop "
            "or TRL) in any folder under the scanned directory.",
        )
        yield SafeStatic(
            "Eval reports  (Enter or E: metrics, pairs and the LoRA gate)", classes="pane-heading"
        )
        yield SafeStatic(id="pane-gates")
        yield VirtualTable(
            [
                Column("id", "report", flex=True, keep_end=True),
                Column("role", "role", 4),
                Column("backend", "backend", 10),
                Column("ata", "action type acc.", 16, justify="right"),
                Column("hit", "click hit", 10, justify="right"),
                Column("success", "episode succ.", 13, justify="right"),
            ],
            id="evals-table",
            empty_text="No eval reports found. Looks for JSON files with a `metrics` object "
            "(action_type_accuracy, click_hit_rate, …).",
        )

    def on_mount(self) -> None:
        self.set_interval(PANE_REFRESH_S, self._refresh_live)

    def on_resize(self) -> None:
        if self.evals:
            self._render_evals()  # the gates' report names are cut to the width

    def show(self, trainings: list[TrainingRun], evals: list[EvalReport]) -> None:
        for run in trainings:
            known = self.trainings.get(run.id)
            # Discovery may hand back an older read than the one this pane refreshed itself.
            if known is None or (known.modified_at or 0) <= (run.modified_at or 0):
                self.trainings[run.id] = run
        ids = {run.id for run in trainings}
        self.trainings = {key: run for key, run in self.trainings.items() if key in ids}
        self.evals = list(evals)
        self._render_trainings()
        self._render_evals()

    def _render_trainings(self) -> None:
        now = time.time()
        rows = []
        for run in self.trainings.values():
            status = training_status(run, now)
            rows.append(
                Row(
                    key=run.id,
                    cells=(
                        run.id,
                        run.model_name or "—",
                        status_text(status),
                        "—" if run.step is None else str(run.step),
                        epoch_label(run),
                        format_loss(run.loss),
                        run.variant,
                        Text(sparkline([p.loss for p in run.losses], CURVE_W), style=INFO),
                    ),
                    sort_values=(run.id, run.model_name, status, run.step, run.epoch, run.loss),
                )
            )
        self.query_one("#trainings-table", VirtualTable).set_rows(rows)

    def _render_evals(self) -> None:
        rows = []
        for report in self.evals:
            metrics = report.metrics
            role = report_role(report)
            rows.append(
                Row(
                    key=report.id,
                    cells=(
                        report.id,
                        {"base": "base", "finetuned": "ft"}.get(role, ""),
                        report.backend or "—",
                        format_rate(metrics.get("action_type_accuracy")),
                        format_rate(metrics.get("click_hit_rate")),
                        format_rate(metrics.get("episode_success_rate")),
                    ),
                )
            )
        self.query_one("#evals-table", VirtualTable).set_rows(rows)
        pairs = pair_reports(self.evals)
        gates = self.query_one("#pane-gates", SafeStatic)
        gates.display = bool(pairs)
        if pairs:
            settings = gate_settings()
            width = (self.size.width or self.app.size.width) - 2  # the gates' padding
            gates.update(gate_lines(pairs, settings, report_labels(self.evals), width))

    # ----- keeping LIVE runs fresh -------------------------------------------------------------
    def _refresh_live(self) -> None:
        unfinished = [run for run in self.trainings.values() if not run.termination_status]
        if not unfinished:
            return
        self._render_trainings()  # LIVE turns STALE with time alone
        if not any(w.group == "pane-refresh" and w.is_running for w in self.workers):
            self._reread(unfinished, getattr(self.app, "root", Path.cwd()))

    @reported_work(
        "reading training logs again",
        group="pane-refresh",
        exclusive=True,
        where=lambda _pane, runs, root: (
            relative_to(root, runs[0].log_path) if len(runs) == 1 else "."
        ),
    )
    def _reread(self, runs: list[TrainingRun], root: Path) -> None:
        fresh: list[TrainingRun] = []
        for run in runs:
            check = check_log(run, root, self._stamps.get(run.id))
            self._stamps[run.id] = check.stamp
            if check.run is not None:
                fresh.append(check.run)
        if fresh:
            self.post_message(self.Refreshed(fresh))

    @on(Refreshed)
    def _refreshed(self, message: Refreshed) -> None:
        for run in message.runs:
            if run.id in self.trainings:
                self.trainings[run.id] = run
        self._render_trainings()

    # ----- opening ----------------------------------------------------------------------------
    @on(VirtualTable.RowSelected, "#trainings-table")
    def _open_training(self, event: VirtualTable.RowSelected) -> None:
        run = self.trainings.get(event.key)
        if run is not None:
            self.app.push_screen(
                TrainingScreen(run, self.evals, getattr(self.app, "root", Path.cwd()))
            )

    @on(VirtualTable.RowSelected, "#evals-table")
    def _open_eval(self, event: VirtualTable.RowSelected) -> None:
        self._open_evals(event.key)

    def action_eval_reports(self) -> None:
        table = self.query_one("#evals-table", VirtualTable)
        self._open_evals(table.cursor_key if table.has_focus else None)

    def _open_evals(self, focus_id: str | None) -> None:
        if not self.evals:
            self.notify("No eval reports in this folder.", timeout=2)
            return
        root = getattr(self.app, "root", Path.cwd())
        self.app.push_screen(EvalsScreen(self.evals, root, focus_id=focus_id))
