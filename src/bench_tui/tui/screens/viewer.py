"""The Viewer tab: recorded episodes; Enter opens the step viewer (episode.py)."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical

from bench_tui.analysis.episode_metrics import checkpoint_names, score_checkpoint
from bench_tui.analysis.summary import format_rate
from bench_tui.model import Episode
from bench_tui.model.episode import episode_name
from bench_tui.tui.screens.episode import EpisodeScreen
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable


def episode_key(episode: Episode) -> str:
    return f"{episode.id}#{episode.episode_id}"


def checkpoints_cell(names: list[str]) -> str:
    return ", ".join(names) if names else "—"


class ViewerPane(Vertical):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.episodes: dict[str, Episode] = {}

    def compose(self) -> ComposeResult:
        yield SafeStatic("Episodes  (Enter: step viewer with predictions)", classes="pane-heading")
        yield VirtualTable(
            [
                Column("id", "episode", flex=True),
                Column("steps", "steps", 6, justify="right"),
                Column("checkpoints", "checkpoints", 28),
                Column("accuracy", "type acc. (latest)", 24, justify="right"),
            ],
            id="episodes-table",
            empty_text="No episodes found. Looks for episode JSON files (steps with observation + "
            "action) and predictions_*.json beside a training log.",
        )

    def show(self, episodes: list[Episode]) -> None:
        self.episodes = {episode_key(e): e for e in episodes}
        rows = []
        for key, episode in self.episodes.items():
            names = checkpoint_names(episode)
            accuracy: float | None = None
            cell = Text("no predictions", style="dim")
            if names:
                score = score_checkpoint(episode, names[-1])
                accuracy = score.type_accuracy
                cell = Text(format_rate(accuracy), style="bold")
                cell.append(f" · {names[-1]}", style="dim")
            rows.append(
                Row(
                    key=key,
                    cells=(
                        f"{episode_name(episode)}  ({episode.id})",
                        str(len(episode.steps)),
                        checkpoints_cell(names),
                        cell,
                    ),
                    sort_values=(episode_name(episode), len(episode.steps), len(names), accuracy),
                )
            )
        self.query_one("#episodes-table", VirtualTable).set_rows(rows)

    @on(VirtualTable.RowSelected, "#episodes-table")
    def _open(self, event: VirtualTable.RowSelected) -> None:
        episode = self.episodes.get(event.key)
        if episode is not None:
            self.app.push_screen(EpisodeScreen(episode, getattr(self.app, "root", Path.cwd())))
