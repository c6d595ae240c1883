"""Per-checkpoint scores of an episode's predictions (analysis/episode_metrics.py)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench_tui.analysis.episode_metrics import (
    HIT_DISTANCE,
    NO_CHECKPOINT,
    checkpoint_names,
    click_distance,
    latest_checkpoint,
    predictions_for,
    score_checkpoint,
    score_step,
    step_scores,
)
from bench_tui.model import Action, Episode, EpisodeStep, Prediction
from bench_tui.sources.common import ReadContext
from bench_tui.sources.training.predictions import episodes_from_predictions
from tests.fixtures.offline_builders import build_predictions_job, predictions_with_rows


def click(x: float, y: float, kind: str = "click") -> Action:
    return Action(type=kind, x=x, y=y, coord_quality="exact")  # type: ignore[arg-type]


def step(index: int, action: Action) -> EpisodeStep:
    return EpisodeStep(index=index, action=action)


def episode(steps: list[EpisodeStep], **predictions: list[Prediction]) -> Episode:
    return Episode(
        id="ep.json", path="/ep.json", episode_id="ep", steps=steps, predictions=predictions
    )


def test_type_match_mismatch_parse_error_and_no_prediction_stay_apart() -> None:
    human = step(0, click(0.4, 0.2))
    assert score_step(human, Prediction(action=click(0.41, 0.2))).status == "match"
    assert score_step(human, Prediction(action=Action(type="type", text="x"))).status == "mismatch"
    parse = score_step(human, Prediction(raw_output="hmm", parse_error="unreadable"))
    assert parse.status == "parse_error" and parse.type_match is False and parse.correct is False
    none = score_step(human, Prediction())
    assert none.status == "none" and none.type_match is None and none.correct is None
    assert score_step(human, None).status == "none"


def test_click_distance_is_normalised_l2_for_pointed_actions_only() -> None:
    assert click_distance(click(0.1, 0.1), click(0.4, 0.5)) == pytest.approx(0.5)
    assert click_distance(Action(type="type", text="a"), click(0.1, 0.1)) is None
    assert click_distance(click(0.1, 0.1), Action(type="click")) is None
    placeholder = Action(type="click", x=0.5, y=0.5, coord_quality="placeholder")
    assert click_distance(click(0.5, 0.5), placeholder) is None
    assert click_distance(click(0.1, 0.1), None) is None


def test_hit_is_strictly_below_the_threshold() -> None:
    human = step(0, click(0.0, 0.0))
    inside = score_step(human, Prediction(action=click(HIT_DISTANCE - 1e-6, 0.0)))
    edge = score_step(human, Prediction(action=click(HIT_DISTANCE, 0.0)))
    assert inside.hit is True and inside.correct is True
    assert edge.hit is False and edge.correct is False and edge.status == "match"


def test_checkpoint_score_counts_parse_errors_as_misses_and_skips_missing() -> None:
    ep = episode(
        [
            step(0, click(0.1, 0.1)),
            step(1, click(0.5, 0.5)),
            step(2, Action(type="type", text="hi")),
            step(3, Action(type="done")),
            step(4, Action(type="done")),
        ],
        **{
            "Epoch 1": [
                Prediction(action=click(0.12, 0.1)),  # match, hit (0.02)
                Prediction(action=click(0.6, 0.5)),  # match, miss (0.1)
                Prediction(action=Action(type="type", text="hi")),  # match, no distance
                Prediction(raw_output="I would finish", parse_error="no action"),
                Prediction(),  # no prediction
            ]
        },
    )
    score = score_checkpoint(ep, "Epoch 1")
    assert (score.steps, score.scored, score.type_matches) == (5, 4, 3)
    assert (score.parse_errors, score.no_prediction) == (1, 1)
    assert score.type_accuracy == pytest.approx(3 / 4)
    assert score.accuracy == pytest.approx(2 / 4)  # the miss is a type match but not correct
    assert score.mean_distance == pytest.approx((0.02 + 0.1) / 2)
    assert score.hit_rate == pytest.approx(0.5) and score.hits == 1


def test_no_checkpoint_and_short_prediction_lists_give_no_prediction() -> None:
    ep = episode(
        [step(0, click(0.1, 0.1)), step(1, click(0.2, 0.2))],
        **{"Epoch 1": [Prediction(action=click(0.1, 0.1))]},
    )
    assert predictions_for(ep, NO_CHECKPOINT) == [None, None]
    assert [s.status for s in step_scores(ep, "Epoch 1")] == ["match", "none"]
    assert [s.status for s in step_scores(ep, "Epoch 9")] == ["none", "none"]
    empty = score_checkpoint(ep, "Epoch 9")
    assert empty.type_accuracy is None and empty.accuracy is None and empty.hit_rate is None


def test_checkpoints_are_ordered_by_training_and_latest_is_last() -> None:
    ep = episode([], **{"Epoch 10": [], "Epoch 2": [], "Preview": [], "Final": []})
    assert checkpoint_names(ep) == ["Preview", "Epoch 2", "Epoch 10", "Final"]
    assert latest_checkpoint(ep) == "Final"
    assert latest_checkpoint(episode([])) is None


def test_scores_from_a_predictions_file_keep_parse_errors_apart(tmp_path: Path) -> None:
    data = predictions_with_rows(
        4,
        [
            {"predicted_action": {"type": "click", "x": 0.0, "y": 0.5}, "match": True},
            {
                "predicted_action": {"type": "predicted", "raw_output": "I am not sure"},
                "match": False,
            },
            {"predicted_action": None, "match": None},
            {
                "predicted_action": {
                    "type": "predicted",
                    "raw_output": "Action: CLICK(x=0.33, y=0.5)",
                },
                "match": True,
            },
        ],
    )
    job = build_predictions_job(tmp_path, {"epoch1": data})
    (ep,) = episodes_from_predictions(job, ReadContext(root=tmp_path))
    scores = step_scores(ep, "Epoch 1")
    assert [s.status for s in scores] == ["match", "parse_error", "none", "match"]
    assert scores[3].distance == pytest.approx(math.hypot(0.33 - 0.3, 0.0))
    assert score_checkpoint(ep, "Epoch 1").type_accuracy == pytest.approx(2 / 3)
