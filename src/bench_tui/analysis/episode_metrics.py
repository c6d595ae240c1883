"""How well a checkpoint's predictions match the human actions of an episode (FORMATS §9).

Pure functions over model objects. Three outcomes stay apart: a parsed prediction (type match or
not), a "parse error" (the model answered, unusably: counted as a miss) and "no prediction"
(nothing recorded: left out of every rate, because there is nothing to score).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from bench_tui.model import Action, Episode, EpisodeStep, Prediction
from bench_tui.model.ordering import checkpoint_order

HIT_DISTANCE = 0.05
"""A click is a hit when it lands within this normalised L2 distance of the human's click."""

NO_CHECKPOINT = "None"
"""The switcher entry that shows the human actions only."""

# Actions whose point is the answer: only these get a click distance.
POINTED_TYPES = frozenset({"click", "double_click", "right_click", "drag", "move"})

StepStatus = Literal["match", "mismatch", "parse_error", "none"]


@dataclass(frozen=True)
class StepScore:
    """One step scored against one checkpoint's prediction."""

    status: StepStatus
    predicted: Action | None
    distance: float | None
    """Normalised L2 distance between the two points; None when either has no point."""

    @property
    def type_match(self) -> bool | None:
        if self.status == "none":
            return None
        return self.status == "match"

    @property
    def hit(self) -> bool | None:
        return None if self.distance is None else self.distance < HIT_DISTANCE

    @property
    def correct(self) -> bool | None:
        """Type match, and a hit where there is a distance to judge (the step score)."""
        if self.status == "none":
            return None
        return self.status == "match" and self.hit is not False


@dataclass(frozen=True)
class CheckpointScore:
    checkpoint: str
    steps: int
    scored: int
    """Steps with a prediction or a parse error (the denominator of the rates)."""
    type_matches: int
    parse_errors: int
    no_prediction: int
    correct: int
    distances: tuple[float, ...]
    hits: int

    @property
    def type_accuracy(self) -> float | None:
        return None if self.scored == 0 else self.type_matches / self.scored

    @property
    def accuracy(self) -> float | None:
        """Share of scored steps fully correct: type match plus a hit for pointed actions."""
        return None if self.scored == 0 else self.correct / self.scored

    @property
    def mean_distance(self) -> float | None:
        return math.fsum(self.distances) / len(self.distances) if self.distances else None

    @property
    def hit_rate(self) -> float | None:
        return self.hits / len(self.distances) if self.distances else None


def checkpoint_names(episode: Episode) -> list[str]:
    """The episode's checkpoints in training order (Preview, Epoch 1, Epoch 2, …, others)."""
    return sorted(episode.predictions, key=checkpoint_order)


def latest_checkpoint(episode: Episode) -> str | None:
    names = checkpoint_names(episode)
    return names[-1] if names else None


def click_distance(human: Action, predicted: Action | None) -> float | None:
    """L2 distance in normalised space, for pointed human actions where both sides have a point."""
    if predicted is None or human.type not in POINTED_TYPES:
        return None
    if not (human.has_point and predicted.has_point):
        return None  # placeholder coordinates are no answer to score
    hx, hy, px, py = human.x, human.y, predicted.x, predicted.y
    if hx is None or hy is None or px is None or py is None:
        return None
    return math.hypot(px - hx, py - hy)


def score_step(step: EpisodeStep, prediction: Prediction | None) -> StepScore:
    if prediction is None or (prediction.action is None and prediction.parse_error is None):
        return StepScore("none", None, None)
    if prediction.action is None:
        return StepScore("parse_error", None, None)
    action = prediction.action
    status: StepStatus = "match" if action.type == step.action.type else "mismatch"
    return StepScore(status, action, click_distance(step.action, action))


def predictions_for(episode: Episode, checkpoint: str | None) -> list[Prediction | None]:
    """One entry per step (None where the checkpoint has nothing, or for NO_CHECKPOINT)."""
    found = episode.predictions.get(checkpoint or "") if checkpoint != NO_CHECKPOINT else None
    found = found or []
    return [found[i] if i < len(found) else None for i in range(len(episode.steps))]


def step_scores(episode: Episode, checkpoint: str | None) -> list[StepScore]:
    return [
        score_step(step, prediction)
        for step, prediction in zip(
            episode.steps, predictions_for(episode, checkpoint), strict=True
        )
    ]


def score_checkpoint(episode: Episode, checkpoint: str) -> CheckpointScore:
    scores = step_scores(episode, checkpoint)
    distances = tuple(s.distance for s in scores if s.distance is not None)
    return CheckpointScore(
        checkpoint=checkpoint,
        steps=len(scores),
        scored=sum(1 for s in scores if s.status != "none"),
        type_matches=sum(1 for s in scores if s.status == "match"),
        parse_errors=sum(1 for s in scores if s.status == "parse_error"),
        no_prediction=sum(1 for s in scores if s.status == "none"),
        correct=sum(1 for s in scores if s.correct),
        distances=distances,
        hits=sum(1 for d in distances if d < HIT_DISTANCE),
    )
