"""One episode: steps with the human action (H) and a checkpoint's prediction (P) drawn on the
screenshot, per-step match badges, a checkpoint switcher and per-checkpoint figures."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical

from bench_tui.analysis.episode_metrics import (
    HIT_DISTANCE,
    NO_CHECKPOINT,
    StepScore,
    checkpoint_names,
    latest_checkpoint,
    predictions_for,
    score_checkpoint,
    step_scores,
)
from bench_tui.analysis.summary import format_rate
from bench_tui.model import Action, Episode, Prediction
from bench_tui.model.episode import episode_name
from bench_tui.render.images import Marker, markers_for_action
from bench_tui.safetext import data
from bench_tui.tui.image_mode import app_renderer
from bench_tui.tui.palette import BAD, GOOD, WARN, WARN_BOLD
from bench_tui.tui.screens.playback import StepPlayback
from bench_tui.tui.widgets.fitted_footer import FittedFooter
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.screenshot import Screenshot
from bench_tui.tui.widgets.text_pane import TextPane
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable

HUMAN_RGB = (40, 200, 90)
PREDICTED_RGB = (255, 70, 200)
HUMAN_STYLE = "bold green"
PREDICTED_STYLE = "bold magenta"


def badge(score: StepScore) -> Text:
    """✓ / ✗ type match, "parse error" (answered, unusable) or "—" (no prediction)."""
    if score.status == "none":
        return Text("—", style="dim")
    if score.status == "parse_error":
        return Text("parse error", style=WARN_BOLD)
    if score.status == "match":
        return Text("✓ type", style=GOOD)
    return Text("✗ type", style=BAD)


def distance_cell(score: StepScore) -> Text:
    if score.distance is None:
        return Text("—", style="dim")
    return Text(f"{score.distance:.3f}", style=GOOD if score.hit else BAD)


def short_action(action: Action) -> str:
    """Table-cell form: `click 0.48,0.39` fits a narrow column where describe() would not."""
    if action.has_point and action.type != "drag":
        return f"{action.type} {action.x:.2f},{action.y:.2f}"
    return action.describe()


def predicted_text(score: StepScore) -> str:
    if score.status == "none":
        return "—"
    if score.predicted is None:
        return "parse error"
    return short_action(score.predicted)


class EpisodeScreen(StepPlayback):
    HELP_TITLE: ClassVar[str] = "Episode viewer"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("left,h,up,k", "step(-1)", "Prev step", show=False, id="prev_step"),
        Binding("right,l,down,j", "step(1)", "Next step", show=False, id="next_step"),
        Binding("home,g", "first_step", "First step", show=False, id="first_step"),
        Binding("end,G", "last_step", "Last step", show=False, id="last_step"),
        Binding("less_than_sign", "checkpoint(-1)", "Prev checkpoint", id="prev_checkpoint"),
        Binding("greater_than_sign", "checkpoint(1)", "Next checkpoint", id="next_checkpoint"),
        Binding("space", "play", "Play/pause", id="play"),
        Binding("plus,equals_sign", "speed(1)", "Faster", show=False, id="faster"),
        Binding("minus", "speed(-1)", "Slower", show=False, id="slower"),
        Binding("H", "toggle_human", "H marker", id="toggle_human"),
        Binding("P", "toggle_predicted", "P marker", id="toggle_predicted"),
        Binding("o", "overlay", "Overlay", id="overlay"),
        Binding("p", "progression", "Progression", id="progression"),
        Binding("f", "fullscreen", "Full screen", show=False, id="fullscreen"),
    ]

    def __init__(self, episode: Episode, root: Path) -> None:
        super().__init__()
        self.episode = episode
        self.root = root
        self.checkpoints = [NO_CHECKPOINT, *checkpoint_names(episode)]
        self.checkpoint = latest_checkpoint(episode) or NO_CHECKPOINT
        self.current = 0
        self.show_human = True
        self.show_predicted = True
        self.overlay = True
        self.scores: list[StepScore] = []
        self.predictions: list[Prediction | None] = []

    def compose(self) -> ComposeResult:
        yield SafeStatic(self._heading(), id="episode-heading", classes="screen-heading")
        yield SafeStatic(id="checkpoint-bar")
        with Horizontal(id="episode-body"):
            with Vertical(id="episode-left"):
                steps = VirtualTable(
                    [
                        Column("n", "#", 3, justify="right"),
                        Column("human", "human (H)", flex=True),
                        Column("predicted", "predicted (P)", flex=True),
                        Column("match", "match", 11),
                        Column("distance", "dist", 6, justify="right"),
                    ],
                    id="episode-steps",
                    empty_text="This episode has no steps.",
                )
                steps.can_focus = False
                yield steps
                progression = VirtualTable(
                    [
                        Column("checkpoint", "checkpoint", 10),
                        Column("predicted", "predicted at this step", flex=True),
                        Column("match", "match", 11),
                        Column("distance", "dist", 6, justify="right"),
                    ],
                    id="progression",
                    empty_text="No checkpoint predicted this episode.",
                )
                progression.can_focus = False
                progression.display = False
                yield progression
            with Vertical(id="episode-right"):
                yield Screenshot(id="episode-shot", mode=app_renderer(self.app).mode)
                yield TextPane(id="episode-details")
        yield FittedFooter()

    def on_mount(self) -> None:
        self._switch_checkpoint()

    # ----- rendering ------------------------------------------------------------------------
    def _heading(self) -> Text:
        episode = self.episode
        text = Text(episode_name(episode), style="bold")
        text.append(f"  {episode.id}", style="dim")
        if episode.source:
            text.append(f"  · {episode.source}", style="dim")
        if episode.instruction:
            text.append(f"\n{episode.instruction}", style="italic")
        if episode.description and episode.description != episode.instruction:
            text.append("\n")
            text.append_text(data(episode.description, "dim"))
        return text

    def _switch_checkpoint(self) -> None:
        self.scores = step_scores(self.episode, self.checkpoint)
        self.predictions = predictions_for(self.episode, self.checkpoint)
        self.query_one("#checkpoint-bar", SafeStatic).update(self._checkpoint_bar())
        self.query_one("#episode-steps", VirtualTable).set_rows(
            [
                Row(
                    key=index,
                    cells=(
                        str(index + 1),
                        short_action(step.action),
                        predicted_text(score),
                        badge(score),
                        distance_cell(score),
                    ),
                )
                for index, (step, score) in enumerate(
                    zip(self.episode.steps, self.scores, strict=True)
                )
            ]
        )
        self._show_step()

    def _checkpoint_bar(self) -> Text:
        text = Text("checkpoint ", style="dim")
        for name in self.checkpoints:
            if name == self.checkpoint:
                text.append(f" {name} ", style="bold reverse")
            else:
                text.append(f" {name} ")
        text.append("   < > to switch", style="dim")
        text.append("\n")
        steps = len(self.episode.steps)
        if self.checkpoint == NO_CHECKPOINT:
            text.append(f"human actions only · {steps} steps", style="dim")
            return text
        score = score_checkpoint(self.episode, self.checkpoint)
        text.append(f"{self.checkpoint}: ", style="bold")
        text.append(
            f"type acc {format_rate(score.type_accuracy)} ({score.type_matches}/{score.scored})"
        )
        text.append(f" · acc. (type+hit) {format_rate(score.accuracy)}")
        mean = "—" if score.mean_distance is None else f"{score.mean_distance:.3f}"
        text.append(f" · mean click dist {mean}")
        text.append(
            f" · hit (d<{HIT_DISTANCE:g}) {format_rate(score.hit_rate)} "
            f"({score.hits}/{len(score.distances)})"
        )
        text.append(f" · {steps} steps")
        if score.parse_errors:
            plural = "s" if score.parse_errors > 1 else ""
            text.append(f" · {score.parse_errors} parse error{plural}", style=WARN)
        if score.no_prediction:
            text.append(f" · {score.no_prediction} without prediction", style="dim")
        return text

    def _show_step(self) -> None:
        details = self.query_one("#episode-details", TextPane)
        shot = self.query_one(Screenshot)
        if not self.episode.steps:
            details.update(Text("This episode has no steps.", style="dim"))
            shot.show(None, ())
            return
        step = self.episode.steps[self.current]
        score, prediction = self.scores[self.current], self.predictions[self.current]
        self.query_one("#episode-steps", VirtualTable).cursor_row = self.current
        text = Text(f"step {self.current + 1}/{len(self.episode.steps)}", style="bold")
        text.append(f"  checkpoint {self.checkpoint}\n", style="dim")
        if step.description:
            text.append_text(data(step.description.strip(), "italic"))
            text.append("\n")
        text.append("H ▶ ", style=HUMAN_STYLE)
        text.append(step.action.describe() + "\n")
        if self.checkpoint != NO_CHECKPOINT:
            text.append("P ▶ ", style=PREDICTED_STYLE)
            if score.status == "none":
                text.append("no prediction recorded\n", style="dim")
            elif score.predicted is None:
                reason = prediction.parse_error if prediction else None
                text.append(f"parse error: {reason or 'unreadable output'}\n", style=WARN)
            else:
                text.append(score.predicted.describe() + "\n")
            text.append_text(badge(score))
            if score.distance is None:
                text.append(" · no click distance at this step\n", style="dim")
            else:
                hit = "✓ hit" if score.hit else "✗ miss"
                text.append(f" · distance {score.distance:.3f} · {hit} (d<{HIT_DISTANCE:g})\n")
            if prediction is not None and prediction.raw_output:
                text.append("\nmodel output\n", style="bold")
                text.append(prediction.raw_output.strip() + "\n", style="dim")
        if step.reasoning:
            text.append("\nhuman note\n", style="bold")
            text.append(step.reasoning.strip() + "\n", style="dim")
        details.update(text)
        shot.show(step.screenshot, self._markers(), overlay=self.overlay, caption=self._caption())
        if self.query_one("#progression", VirtualTable).display:
            self._show_progression()

    def _markers(self) -> tuple[Marker, ...]:
        step = self.episode.steps[self.current]
        markers: list[Marker] = []
        predicted = self.scores[self.current].predicted
        # P first, H last: when the two coincide (a hit) the human's target stays on top.
        if self.show_predicted and predicted is not None:
            markers += markers_for_action(predicted, PREDICTED_RGB, "P")
        if self.show_human:
            markers += markers_for_action(step.action, HUMAN_RGB, "H")
        points = [m for m in markers if m.kind != "label"]
        if len({m.tag for m in points}) > 1 and app_renderer(self.app).mode != "none":
            # render.images flips a tag to the other side of its point near an edge, where it
            # can land on the other point; with both drawn, colour (captioned) says which is which.
            markers = [m if m.kind == "label" else replace(m, tag=None) for m in markers]
        return tuple(markers)

    def _caption(self) -> str:
        parts = ["H green, P magenta"]
        hidden = [
            name
            for name, shown in (("H", self.show_human), ("P", self.show_predicted))
            if not shown
        ]
        if hidden:
            parts.append(f"hidden: {' '.join(hidden)}")
        score = self.scores[self.current]
        if score.distance is not None and not hidden:
            # At half-block size a hit puts both markers on the same cells: say so.
            where = "under H" if score.hit else "apart"
            parts.append(f"P {score.distance:.3f} from H ({where})")
        return " · ".join(parts)

    def _show_progression(self) -> None:
        step = self.episode.steps[self.current] if self.episode.steps else None
        rows = []
        for name in self.checkpoints[1:]:
            if step is None:
                break
            score = step_scores(self.episode, name)[self.current]
            rows.append(
                Row(
                    key=name,
                    cells=(name, predicted_text(score), badge(score), distance_cell(score)),
                )
            )
        table = self.query_one("#progression", VirtualTable)
        table.set_rows(rows)
        table.move_cursor_to_key(self.checkpoint)

    # ----- actions --------------------------------------------------------------------------
    def _step_count(self) -> int:
        return len(self.episode.steps)

    def action_checkpoint(self, delta: int) -> None:
        index = self.checkpoints.index(self.checkpoint)
        self.checkpoint = self.checkpoints[(index + delta) % len(self.checkpoints)]
        self._switch_checkpoint()

    def action_toggle_human(self) -> None:
        self.show_human = not self.show_human
        self._show_step()

    def action_toggle_predicted(self) -> None:
        self.show_predicted = not self.show_predicted
        self._show_step()

    def action_overlay(self) -> None:
        self.overlay = not self.overlay
        self._show_step()

    def action_progression(self) -> None:
        table = self.query_one("#progression", VirtualTable)
        table.display = not table.display
        if table.display:
            self._show_progression()

    def action_fullscreen(self) -> None:
        self.toggle_class("-fullscreen")
