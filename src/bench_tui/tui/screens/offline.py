"""The Training and Viewer tabs' lists (the detail screens build on these)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from bench_tui.model import Episode, EvalReport, TrainingRun
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable


def _num(value: float | None, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


class TrainingPane(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("Training runs", classes="pane-heading")
        yield VirtualTable(
            [
                Column("id", "training", flex=True),
                Column("model", "model", 20),
                Column("steps", "step", 7, justify="right"),
                Column("epoch", "epoch", 7, justify="right"),
                Column("loss", "loss", 8, justify="right"),
                Column("status", "status", 10),
            ],
            id="trainings-table",
            empty_text="No training logs found. Looks for training_log.json (OpenAdapt custom loop or TRL) "
            "in any folder under the scanned directory.",
        )
        yield Static("Eval reports", classes="pane-heading")
        yield VirtualTable(
            [
                Column("id", "report", flex=True),
                Column("backend", "backend", 10),
                Column("ata", "action type acc.", 16, justify="right"),
                Column("hit", "click hit", 10, justify="right"),
                Column("success", "episode succ.", 13, justify="right"),
            ],
            id="evals-table",
            empty_text="No eval reports found. Looks for JSON files with a `metrics` object "
            "(action_type_accuracy, click_hit_rate, …).",
        )

    def show(self, trainings: list[TrainingRun], evals: list[EvalReport]) -> None:
        self.query_one("#trainings-table", VirtualTable).set_rows(
            [
                Row(
                    key=t.id,
                    cells=(
                        t.id,
                        t.model_name or "—",
                        "—" if t.step is None else str(t.step),
                        "—" if t.epoch is None else f"{t.epoch:g}",
                        _num(t.loss),
                        Text("done", style="green")
                        if t.termination_status
                        else Text("running?", style="yellow"),
                    ),
                )
                for t in trainings
            ]
        )
        self.query_one("#evals-table", VirtualTable).set_rows(
            [
                Row(
                    key=r.id,
                    cells=(
                        r.id,
                        r.backend or "—",
                        _num(r.metrics.get("action_type_accuracy"), 3),
                        _num(r.metrics.get("click_hit_rate"), 3),
                        _num(r.metrics.get("episode_success_rate"), 3),
                    ),
                )
                for r in evals
            ]
        )


class ViewerPane(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("Episodes", classes="pane-heading")
        yield VirtualTable(
            [
                Column("id", "episode", flex=True),
                Column("steps", "steps", 6, justify="right"),
                Column("checkpoints", "checkpoints", 30),
            ],
            id="episodes-table",
            empty_text="No episodes found. Looks for episode JSON files (steps with observation + action) "
            "and predictions_*.json beside a training log.",
        )

    def show(self, episodes: list[Episode]) -> None:
        self.query_one(VirtualTable).set_rows(
            [
                Row(
                    key=f"{e.id}#{e.episode_id}",
                    cells=(
                        f"{e.episode_id}  ({e.id})",
                        str(len(e.steps)),
                        ", ".join(e.predictions) or "—",
                    ),
                )
                for e in episodes
            ]
        )
