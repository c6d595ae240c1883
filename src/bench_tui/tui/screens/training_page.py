"""One training run: cards, loss curve, learning rate, checkpoints with their eval reports,
evaluations during training, and the `training.log` tail. A LIVE run's log is re-read when it
changes, so the curve grows while the page is open."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from bench_tui.analysis.episode_metrics import HIT_DISTANCE
from bench_tui.analysis.evalpairs import (
    CheckpointLink,
    gate_settings,
    link_checkpoints,
    pair_reports,
    report_labels,
)
from bench_tui.analysis.filtering import Filterable
from bench_tui.analysis.summary import format_rate
from bench_tui.analysis.training import (
    epoch_index,
    epoch_label,
    eta_seconds,
    format_loss,
    mean_step_time,
    steps_per_epoch,
    summary_figures,
    training_status,
)
from bench_tui.model import EvalReport, TrainingAction, TrainingRun
from bench_tui.safeio import boundary
from bench_tui.sources.training.dsl import parse_dsl_action
from bench_tui.sources.training.training_log import check_log
from bench_tui.tui.cells import format_seconds, status_text
from bench_tui.tui.palette import BAD, GOOD, WARN
from bench_tui.tui.screens.evals import EvalsScreen, gate_text
from bench_tui.tui.widgets.filter_bar import FilterBar, FilterKey, filter_binding
from bench_tui.tui.widgets.fitted_footer import FittedFooter
from bench_tui.tui.widgets.log_tail import LogTail
from bench_tui.tui.widgets.loss_plot import LossPlot, TrainingCharts
from bench_tui.tui.widgets.metric_cards import Card, MetricCards
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable
from bench_tui.tui.worker_errors import WorkerFailure, relative_to, reported_work

FOLLOW_S = 1.0
"""How often the log's mtime is checked; a LIVE curve grows within two of these."""


def describe(action: TrainingAction | None) -> str:
    if action is None:
        return "—"
    parts = [action.type or "?"]
    if action.x is not None and action.y is not None:
        parts.append(f"({action.x:.3f}, {action.y:.3f})")
    if action.text:
        parts.append(f'"{action.text}"')
    if len(parts) == 1 and action.raw_output:
        parsed = parse_dsl_action(action.raw_output)
        if parsed is not None:
            return parsed.describe()
        lines = [line.strip() for line in action.raw_output.splitlines() if line.strip()]
        chosen = next(
            (line for line in lines if line.startswith("Action:")), lines[0] if lines else ""
        )
        parts.append(chosen)
    return " ".join(parts)


def training_cards(run: TrainingRun, now: float) -> list[Card]:
    losses = run.losses
    figures = summary_figures(run)
    last = losses[-1] if losses else None
    previous = losses[-2] if len(losses) > 1 else None
    loss_sub = ""
    if last is not None and previous is not None:
        delta = last.loss - previous.loss
        # No tone: one step's change is noise, a red card on a healthy run would mislead.
        loss_sub = f"Δ {delta:+.4f}"
    tail = losses[-10:]
    mean_tail = math.fsum(p.loss for p in tail) / len(tail) if tail else None
    per_epoch = steps_per_epoch(run)
    total = (
        f"of ~{per_epoch * run.total_epochs:.0f}" if per_epoch and run.total_epochs else "global"
    )
    status = training_status(run, now)
    eta = eta_seconds(run)
    elapsed = run.elapsed_time if run.elapsed_time is not None else (last.time if last else None)
    best_step = figures["best_step"]
    return [
        Card("epoch", epoch_label(run), LOG_KINDS.get(run.variant, run.variant)),
        Card("step", "—" if figures["steps"] is None else str(figures["steps"]), total),
        Card("loss", format_loss(last.loss if last else run.loss), loss_sub),
        Card(
            "min loss",
            format_loss(figures["best_loss"]),
            "" if best_step is None else f"at step {best_step}",
        ),
        Card(
            "mean last 10",
            format_loss(mean_tail),
            f"steps {tail[0].step}–{tail[-1].step}" if tail else "",
        ),
        Card("step time", format_seconds(mean_step_time(run)), "per step"),
        Card("elapsed", format_seconds(elapsed), run.hostname or ""),
        Card("ETA", *eta_card(status, eta)),
    ]


LOG_KINDS = {"custom": "OpenAdapt", "trl": "TRL"}
"""The epoch card names the training loop that wrote the log (FORMATS §8), not its variant key."""


def eta_card(status: str, eta: float | None) -> tuple[str, str]:
    """The ETA card's value and sub-line: a finished run says so once."""
    if status == "DONE":
        return "—", "finished"
    if status == "STALE":
        return format_seconds(eta), "log not updated lately"
    return format_seconds(eta), "at the current pace"


HIT_NOTE = (
    f"hit (d<{HIT_DISTANCE:g}): the predicted click lands within {HIT_DISTANCE:g} (normalised "
    "screen distance) of the human's. It is recomputed from the logged distance: the log's own "
    "`correct` field was written upstream with d<50, a pixel threshold applied to normalised "
    "coordinates, so it marks nearly every click correct and is not shown."
)


class TrainingScreen(FilterKey, Screen[None]):
    HELP_TITLE: ClassVar[str] = "Training page"
    HELP_NOTES: ClassVar[tuple[str, ...]] = (HIT_NOTE,)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        filter_binding("Filter evaluations"),
        Binding("E", "eval_reports", "Eval reports", id="eval_reports"),
    ]

    def __init__(
        self,
        training: TrainingRun,
        evals: list[EvalReport],
        root: Path,
        *,
        follow_s: float = FOLLOW_S,
    ) -> None:
        super().__init__()
        self.training = training
        self.evals = evals
        self.root = root
        self.follow_s = follow_s
        self.links: list[CheckpointLink] = []
        self.reload_note: str | None = None
        self._stamp: tuple[int, int] | None = None

    def compose(self) -> ComposeResult:
        run = self.training
        yield SafeStatic(id="training-heading", classes="screen-heading")
        yield MetricCards(id="training-cards")
        with Horizontal(id="training-body"):
            with Vertical(id="training-left"):
                yield LossPlot(id="loss-plot")
                yield TrainingCharts(run, id="training-charts")
            with Vertical(id="training-right"):
                yield SafeStatic(
                    "Checkpoints → eval reports (Enter: details, E: all)", classes="pane-heading"
                )
                yield VirtualTable(
                    [
                        Column("checkpoint", "checkpoint", 16),
                        Column("epoch", "epoch", 5, justify="right"),
                        Column("reports", "eval reports (same config_path)", flex=True),
                    ],
                    id="checkpoints-table",
                    empty_text="No checkpoints found (folders with adapter_config.json).",
                )
                yield SafeStatic(id="checkpoint-detail")
                yield SafeStatic(
                    "Evaluations during training (? says how hit is counted)",
                    classes="pane-heading",
                )
                yield FilterBar(
                    table="training-evals-table",
                    noun="evaluation",
                    placeholder="filter: words, !word, epoch:2, hit:no, type:click",
                    id="training-evals-filter",
                )
                yield VirtualTable(
                    [
                        Column("epoch", "epoch", 5, justify="right"),
                        Column("sample", "sample", 6, justify="right"),
                        Column("human", "human action", flex=True),
                        Column("predicted", "predicted action", flex=True),
                        Column("distance", "dist", 5, justify="right"),
                        Column("hit", f"hit (d<{HIT_DISTANCE:g})", 12),
                    ],
                    id="training-evals-table",
                    empty_text="No evaluations in this log.",
                )
        log = LogTail(
            Path(run.path) / "training.log", within=boundary(self.root), id="training-log"
        )
        log.border_title = "training.log (following)"
        yield log
        yield FittedFooter()

    def on_mount(self) -> None:
        self._render_all()
        self.query_one("#checkpoints-table", VirtualTable).focus()
        # Focusing the table scrolls a short screen down to it: open at the top, heading and cards.
        self.call_after_refresh(self.scroll_home, animate=False)
        self.set_interval(self.follow_s, self._follow)

    # ----- rendering ------------------------------------------------------------------------
    def _render_all(self) -> None:
        run = self.training
        self._render_heading()
        self.query_one(MetricCards).show(training_cards(run, time.time()))
        epoch_starts = []
        for before, after in zip(run.losses, run.losses[1:], strict=False):
            if epoch_index(run, after.epoch) != epoch_index(run, before.epoch):
                epoch_starts.append(after.step)
        self.query_one(LossPlot).set_points(
            [p.step for p in run.losses], [p.loss for p in run.losses], epoch_starts
        )
        self.query_one(TrainingCharts).set_run(run)
        self.links = link_checkpoints(run, self.evals)
        self.query_one("#checkpoints-table", VirtualTable).set_rows(
            [
                Row(
                    key=index,
                    cells=(
                        link.label
                        if link.checkpoint is None or link.checkpoint.valid
                        else Text(f"{link.label} (incomplete)", style=WARN),
                        "—"
                        if link.checkpoint is None or link.checkpoint.epoch is None
                        else str(link.checkpoint.epoch),
                        self._reports_cell(link),
                    ),
                )
                for index, link in enumerate(self.links)
            ]
        )
        self._show_gates()
        self.query_one("#training-evals-table", VirtualTable).set_rows(self._eval_rows())

    def _render_heading(self) -> None:
        run = self.training
        text = Text()
        text.append(run.id, style="bold")
        text.append(f"  {run.model_name or 'model ?'}  ")
        text.append_text(status_text(training_status(run, time.time())))
        if run.termination_status:
            ended = run.termination_status
            if run.termination_message:
                ended += f": {run.termination_message}"
            text.append(f"  ({ended})", style="dim")
        if self.reload_note:
            text.append(f"  ⚠ {self.reload_note}", style=WARN)
        details = [
            f"goal: {run.goal}" if run.goal else "",
            f"config: {run.config_path}" if run.config_path else "",
        ]
        line = "  ·  ".join(d for d in details if d)
        if line:
            text.append("\n" + line, style="dim")
        self.query_one("#training-heading", SafeStatic).update(text)

    @staticmethod
    def _reports_cell(link: CheckpointLink) -> Text:
        if not link.reports:
            return Text("—", style="dim")
        text = Text(", ".join(r.name for r in link.reports))
        if link.assumed:
            text.append("  (assumed: latest)", style="dim")
        return text

    def _show_gates(self) -> None:
        linked = [r for link in self.links for r in link.reports]
        pairs = pair_reports(linked)
        settings = gate_settings()
        if pairs:
            # Every pair, its lines wrapped rather than its names cut; more than fit scroll.
            labels = report_labels(linked)
            body = Text("\n").join(gate_text(pair, settings, labels=labels) for pair in pairs)
        else:
            body = Text("No base/fine-tuned report pair made with this config.", style="dim")
        self.query_one("#checkpoint-detail", SafeStatic).update(body)

    def _eval_rows(self) -> list[Row]:
        run = self.training
        rows = []
        for index, evaluation in enumerate(run.evaluations):
            epoch = epoch_index(run, evaluation.epoch) + 1
            distance = evaluation.distance
            hit = None if distance is None else distance < HIT_DISTANCE
            hit_cell = (
                Text("—", style="dim")
                if hit is None
                else Text("✓ hit", style=GOOD)
                if hit
                else Text("✗ miss", style=BAD)
            )
            human, predicted = (
                describe(evaluation.human_action),
                describe(evaluation.predicted_action),
            )
            rows.append(
                Row(
                    key=index,
                    cells=(
                        str(epoch),
                        "—" if evaluation.sample_idx is None else str(evaluation.sample_idx),
                        human,
                        predicted,
                        "—" if distance is None else f"{distance:.3f}",
                        hit_cell,
                    ),
                    sort_values=(
                        epoch,
                        evaluation.sample_idx,
                        human,
                        predicted,
                        distance,
                        hit,
                    ),
                    data={
                        "filter": Filterable(
                            text=f"{human} {predicted}",
                            fields={
                                "epoch": str(epoch),
                                "hit": "—" if hit is None else ("yes" if hit else "no"),
                                "type": (evaluation.human_action.type or "")
                                if evaluation.human_action
                                else "",
                            },
                        )
                    },
                )
            )
        return rows

    # ----- following the log ----------------------------------------------------------------
    def _follow(self) -> None:
        self._render_heading()  # LIVE becomes STALE with time alone
        if not any(w.group == "training-follow" and w.is_running for w in self.workers):
            self._check_log(self.training)

    @reported_work(
        "reading the training log again",
        group="training-follow",
        exclusive=True,
        where=lambda page, run: relative_to(page.root, run.log_path),
    )
    def _check_log(self, run: TrainingRun) -> None:
        check = check_log(run, self.root, self._stamp)
        if check.stamp is not None:
            self._stamp = check.stamp  # a log gone for now keeps the last stamp
        if check.changed:
            self.app.call_from_thread(self._reloaded, check.run)

    def show_worker_failure(self, failure: WorkerFailure) -> None:
        if failure.group == "training-follow":
            self.reload_note = f"{failure.message}; showing the last good read"
            self._render_heading()

    def _reloaded(self, fresh: TrainingRun | None) -> None:
        if fresh is None:
            self.reload_note = "log could not be read again; showing the last good read"
            self._stamp = None  # try again on the next tick
            self._render_heading()
            return
        self.reload_note = None
        self.training = fresh
        self._render_all()

    # ----- actions --------------------------------------------------------------------------
    @on(VirtualTable.RowSelected, "#checkpoints-table")
    def _checkpoint_selected(self, event: VirtualTable.RowSelected) -> None:
        link = self.links[event.key]
        text = Text(f"{link.label}: ", style="bold")
        if not link.reports:
            text.append(
                "no eval report made from it (none with the same config_path names it)", style="dim"
            )
        for report in link.reports:
            metrics = report.metrics
            text.append(f"\n{report.name}", style="bold")
            text.append(f" ({report.backend or 'backend ?'})  ")
            text.append(
                f"type acc {format_rate(metrics.get('action_type_accuracy'))} · "
                f"click hit {format_rate(metrics.get('click_hit_rate'))} · "
                f"episode succ {format_rate(metrics.get('episode_success_rate'))}"
            )
        self.query_one("#checkpoint-detail", SafeStatic).update(text)

    def action_eval_reports(self) -> None:
        linked = [r for link in self.links for r in link.reports]
        reports = linked or self.evals
        if not reports:
            self.notify("No eval reports in this folder.", timeout=2)
            return
        title = f"Eval reports made with {self.training.config_path}" if linked else "Eval reports"
        self.app.push_screen(EvalsScreen(reports, self.root, title=title))
