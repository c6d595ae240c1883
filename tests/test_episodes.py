"""Episodes and predictions (FORMATS §9): canonical, legacy, list and wrapped forms, action
mapping, predictions per checkpoint with parse errors kept apart from missing predictions."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench_tui.sources.common import DEFAULT_SCREEN, ReadContext, read_json
from bench_tui.sources.training.episodes import (
    checkpoint_label,
    episodes_from_predictions,
    looks_like_episode_file,
    looks_like_predictions,
    read_episodes,
    read_predictions,
)
from tests.fixtures.json_strategies import any_bytes, json_bytes, json_values, shaped
from tests.fixtures.offline_builders import (
    CANONICAL_EPISODE,
    CUSTOM_LOG,
    EVAL_FT,
    LEGACY_EPISODE,
    PREDICTIONS_EPOCH1,
    build_canonical_episode,
    build_episode_list,
    build_episodes_wrapper,
    build_legacy_episode,
    build_predictions_job,
    predictions_with_rows,
    write_json,
)

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def episode_with_actions(*actions: dict, observation: dict | None = None) -> dict:
    """A canonical episode with one step per action (observation on the first step only)."""
    steps = []
    for index, action in enumerate(actions):
        step = {"step_index": index, "observation": {}, "action": action}
        if index == 0 and observation is not None:
            step["observation"] = observation
        steps.append(step)
    return {"episode_id": "ep", "instruction": "do it", "steps": steps}


def read_one(path: Path, root: Path):
    ctx = ReadContext(root=root)
    episodes = read_episodes(path, ctx)
    assert len(episodes) == 1, ctx.problems
    return episodes[0], ctx


# --- episode files ----------------------------------------------------------------------------


def test_canonical_example(tmp_path: Path) -> None:
    path = build_canonical_episode(tmp_path)

    episode, ctx = read_one(path, tmp_path)

    assert ctx.problems == []
    assert episode.id == "captures/sockshop-checkout/episode.json"
    assert episode.path == str(path)
    assert (episode.episode_id, episode.instruction) == (
        "ep_sockshop_0001",
        "Buy one pair of red socks",
    )
    assert (episode.success, episode.source) == (True, "human")
    assert [step.index for step in episode.steps] == [0, 1, 2]
    first, second, last = episode.steps
    # Normalised coordinates are preferred over the px ones (525/1280 would be 0.41015...).
    assert (first.action.type, first.action.x, first.action.y) == ("click", 0.41, 0.22)
    assert first.action.coord_quality == "exact"
    assert first.screenshot == str(path.parent / "screenshots" / "capture_7f3a_step_0.png")
    assert (second.action.type, second.action.text, second.timestamp) == ("type", "1", 2.4)
    assert last.action.type == "done" and last.reasoning == "Workflow complete."
    assert last.screenshot == second.screenshot


def test_missing_screenshots_are_not_a_problem_at_read_time(tmp_path: Path) -> None:
    path = build_canonical_episode(tmp_path)

    episode, ctx = read_one(path, tmp_path)

    assert episode.steps[0].screenshot is not None
    assert not Path(episode.steps[0].screenshot).exists()
    assert ctx.problems == []


def test_legacy_example(tmp_path: Path) -> None:
    path = build_legacy_episode(tmp_path)

    episode, ctx = read_one(path, tmp_path)

    assert ctx.problems == []
    assert (episode.episode_id, episode.instruction) == ("ep_old_01", "Open the cart")
    (step,) = episode.steps
    assert step.timestamp == 0.0
    assert step.screenshot == str(path.parent / "s0.png")
    assert step.reasoning == "cart icon"
    assert (step.action.type, step.action.x, step.action.y) == ("click", 0.9, 0.05)
    assert step.action.coord_quality == "exact"


@pytest.mark.parametrize(
    "builder", [build_episode_list, build_episodes_wrapper], ids=["list", "wrapped"]
)
def test_several_episodes_in_one_file(tmp_path: Path, builder) -> None:
    path = builder(tmp_path)
    ctx = ReadContext(root=tmp_path)

    episodes = read_episodes(path, ctx)

    assert ctx.problems == []
    assert [e.episode_id for e in episodes] == ["ep_sockshop_0001", "ep_old_01"]
    rel = path.relative_to(tmp_path).as_posix()
    assert [e.id for e in episodes] == [f"{rel}#0", f"{rel}#1"]
    assert [len(e.steps) for e in episodes] == [3, 1]


def test_px_coordinates_use_the_recorded_screen_size_carried_forward(tmp_path: Path) -> None:
    data = episode_with_actions(
        {"type": "click", "coordinates": {"x": 640, "y": 200}},
        {"type": "double_click", "coordinates": {"x": 320, "y": 400}},
        observation={"screen_size": [1280, 800]},
    )

    episode, ctx = read_one(write_json(tmp_path / "ep.json", data), tmp_path)

    assert ctx.problems == []
    first, second = (step.action for step in episode.steps)
    assert (first.x, first.y, first.coord_quality) == (0.5, 0.25, "converted")
    assert (second.type, second.x, second.y) == ("double_click", 0.25, 0.5)


def test_px_coordinates_without_any_size_use_the_default_screen(tmp_path: Path) -> None:
    data = episode_with_actions({"type": "click", "coordinates": {"x": 960, "y": 300}})

    episode, _ = read_one(write_json(tmp_path / "ep.json", data), tmp_path)

    action = episode.steps[0].action
    assert action.x == pytest.approx(960 / DEFAULT_SCREEN[0])
    assert action.y == pytest.approx(300 / DEFAULT_SCREEN[1])


def test_action_mapping(tmp_path: Path) -> None:
    data = episode_with_actions(
        {"type": "hotkey", "key": "s", "modifiers": ["ctrl"]},
        {"type": "key", "key": "ctrl+shift+t"},
        {"type": "click_and_type", "normalized_coordinates": [0.3, 0.4], "text": "socks"},
        {"type": "hover", "normalized_coordinates": [0.5, 0.5]},
        {"type": "drag", "normalized_start": [0.1, 0.2], "normalized_end": [0.7, 0.8]},
        {"type": "scroll", "scroll_direction": "down", "scroll_amount": 3},
        {"type": "window_focus", "window_title": "Notepad"},
        {"type": "click", "element": {"element_id": "btn-7", "name": "Add to cart"}},
    )

    episode, ctx = read_one(write_json(tmp_path / "ep.json", data), tmp_path)

    assert ctx.problems == []
    actions = [step.action for step in episode.steps]
    assert (actions[0].type, actions[0].key, actions[0].modifiers) == ("hotkey", "s", ["ctrl"])
    assert (actions[1].key, actions[1].modifiers) == ("t", ["ctrl", "shift"])
    assert (actions[2].type, actions[2].x, actions[2].y, actions[2].text) == (
        "type",
        0.3,
        0.4,
        "socks",
    )
    assert actions[3].type == "move"
    assert (actions[4].x, actions[4].y, actions[4].end_x, actions[4].end_y) == (0.1, 0.2, 0.7, 0.8)
    assert (actions[5].scroll_direction, actions[5].scroll_amount) == ("down", 3.0)
    assert actions[6].type == "other"
    assert actions[6].raw == {"type": "window_focus", "window_title": "Notepad"}
    assert (actions[7].element_id, actions[7].element_name, actions[7].has_point) == (
        "btn-7",
        "Add to cart",
        False,
    )


def test_bad_steps_are_skipped_with_their_line_and_the_rest_read(tmp_path: Path) -> None:
    data = copy.deepcopy(CANONICAL_EPISODE)
    data["steps"][1] = "clicked somewhere"
    data["steps"][2]["action"]["normalized_coordinates"] = ["left", "top"]
    path = write_json(tmp_path / "ep.json", data)
    lines = path.read_text().splitlines()
    string_step_line = next(n for n, line in enumerate(lines, 1) if "clicked somewhere" in line)
    bad_coords_line = next(
        n
        for n, line in enumerate(lines, 1)
        if '"normalized_coordinates": [' in line and n > string_step_line
    )

    episode, ctx = read_one(path, tmp_path)

    assert [step.index for step in episode.steps] == [0, 2]
    assert [problem.line for problem in ctx.problems] == [string_step_line, bad_coords_line]
    assert "step 1" in ctx.problems[0].message
    assert "normalized_coordinates" in ctx.problems[1].message
    assert episode.steps[1].action.type == "done" and not episode.steps[1].action.has_point


def test_demo_file_is_read_as_a_human_episode(tmp_path: Path) -> None:
    data = {
        "demo_id": "demo_cart",
        "steps": [
            {
                "step_index": 0,
                "screenshot_path": "d0.png",
                "action_type": "click",
                "x": 0.5,
                "y": 0.25,
            }
        ],
    }
    path = write_json(tmp_path / "demo.json", data)

    assert looks_like_episode_file(data)
    episode, ctx = read_one(path, tmp_path)

    assert ctx.problems == []
    assert (episode.episode_id, episode.source) == ("demo_cart", "human")
    step = episode.steps[0]
    assert (step.action.type, step.action.x, step.action.y) == ("click", 0.5, 0.25)
    assert step.screenshot == str(tmp_path / "d0.png")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (CANONICAL_EPISODE, True),
        (LEGACY_EPISODE, True),
        ([CANONICAL_EPISODE, LEGACY_EPISODE], True),
        ({"episodes": [LEGACY_EPISODE]}, True),
        ({"recording_id": "r1", "episodes": [{"steps": ["click cart", "type 1"]}]}, False),
        ({"steps": [{"action": {"type": "click"}}]}, False),
        (CUSTOM_LOG, False),
        (EVAL_FT, False),
        (PREDICTIONS_EPOCH1, False),
        ([], False),
        ("steps", False),
    ],
    ids=[
        "canonical",
        "legacy",
        "list",
        "wrapped",
        "segmentation",
        "no-observation",
        "training-log",
        "eval-report",
        "predictions",
        "empty-list",
        "string",
    ],
)
def test_detection(data: object, expected: bool) -> None:
    assert looks_like_episode_file(data) is expected


@pytest.mark.parametrize(
    "data",
    [{"episodes": []}, [], 42, {"episodes": "none"}, [{"no": "steps"}]],
    ids=["empty-wrapper", "empty-list", "number", "episodes-not-list", "no-steps"],
)
def test_no_episode_always_comes_with_a_problem(tmp_path: Path, data: object) -> None:
    path = write_json(tmp_path / "ep.json", data)
    ctx = ReadContext(root=tmp_path)

    assert read_episodes(path, ctx) == []
    assert ctx.problems and all(p.path == "ep.json" for p in ctx.problems)


def test_parsed_doc_is_used_as_given(tmp_path: Path) -> None:
    path = build_canonical_episode(tmp_path)
    ctx = ReadContext(root=tmp_path)
    doc = read_json(path, ctx)
    assert doc is not None
    path.unlink()

    episodes = read_episodes(path, ctx, doc)

    assert len(episodes) == 1 and ctx.problems == []


# --- predictions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("predictions_epoch2.json", "Epoch 2"),
        ("predictions_epoch10.json", "Epoch 10"),
        ("predictions_preview.json", "Preview"),
        ("predictions_final.json", "Final"),
    ],
)
def test_checkpoint_label(name: str, label: str) -> None:
    assert checkpoint_label(name) == label


def test_predictions_example(tmp_path: Path) -> None:
    job_dir = build_predictions_job(tmp_path)
    ctx = ReadContext(root=tmp_path)

    result = read_predictions(job_dir / "predictions_epoch1.json", ctx)

    assert result is not None and ctx.problems == []
    label, rows, predictions = result
    assert label == "Epoch 1"
    assert rows == PREDICTIONS_EPOCH1["base_data"]
    (prediction,) = predictions
    assert prediction.action is not None
    assert (prediction.action.type, prediction.action.x, prediction.action.y) == (
        "click",
        0.45,
        0.2,
    )
    assert prediction.raw_output == "Action: CLICK(x=0.45, y=0.20)"
    assert prediction.match is True and prediction.parse_error is None


def test_prediction_outcomes_are_kept_apart(tmp_path: Path) -> None:
    entries = [
        {
            "predicted_action": {"type": "predicted", "raw_output": "I would click the cart."},
            "match": False,
        },
        {"predicted_action": {"type": "error", "error": "CUDA out of memory"}, "match": None},
        {"predicted_action": None, "match": None},
        {
            "predicted_action": {
                "type": "predicted",
                "raw_output": "Thought: cart\nAction: CLICK(x=0.9, y=0.05)",
            },
            "match": True,
        },
    ]
    job_dir = build_predictions_job(tmp_path, {"epoch2": predictions_with_rows(4, entries)})
    ctx = ReadContext(root=tmp_path)

    result = read_predictions(job_dir / "predictions_epoch2.json", ctx)

    assert result is not None and ctx.problems == []
    unparseable, failed, missing, parsed = result[2]
    assert unparseable.action is None and unparseable.parse_error
    assert unparseable.raw_output == "I would click the cart."
    assert failed.action is None and failed.parse_error == "CUDA out of memory"
    assert missing.action is None and missing.parse_error is None
    assert parsed.action is not None and (parsed.action.x, parsed.action.y) == (0.9, 0.05)
    assert parsed.parse_error is None and parsed.match is True


def test_prediction_count_mismatch_is_a_problem_and_alignment_kept(tmp_path: Path) -> None:
    entries = [{"predicted_action": {"type": "click", "x": 0.1, "y": 0.2}, "match": True}, 7]
    job_dir = build_predictions_job(tmp_path, {"epoch1": predictions_with_rows(3, entries)})
    ctx = ReadContext(root=tmp_path)

    result = read_predictions(job_dir / "predictions_epoch1.json", ctx)

    assert result is not None
    _, rows, predictions = result
    assert len(rows) == len(predictions) == 3
    assert predictions[0].action is not None
    assert predictions[1].action is None and predictions[2].action is None
    assert len(ctx.problems) == 2  # the stray 7, and 2 predictions for 3 steps
    assert all(p.line is not None for p in ctx.problems)


def test_not_predictions_gives_none_and_a_problem(tmp_path: Path) -> None:
    path = write_json(tmp_path / "predictions_epoch1.json", {"predictions": []})
    ctx = ReadContext(root=tmp_path)

    assert read_predictions(path, ctx) is None
    assert len(ctx.problems) == 1 and "base_data" in ctx.problems[0].message
    assert looks_like_predictions(PREDICTIONS_EPOCH1)
    assert not looks_like_predictions(CANONICAL_EPISODE)


def test_episode_from_predictions_orders_checkpoints_and_finds_screenshots(tmp_path: Path) -> None:
    def entries(x: float) -> list[dict]:
        return [{"predicted_action": {"type": "click", "x": x, "y": 0.5}, "match": True}] * 2

    files = {
        "epoch10": predictions_with_rows(2, entries(0.3)),
        "epoch2": predictions_with_rows(2, entries(0.2)),
        "preview": predictions_with_rows(2, entries(0.0)),
        "epoch1": predictions_with_rows(2, entries(0.1)),
    }
    job_dir = build_predictions_job(tmp_path, files)
    ctx = ReadContext(root=tmp_path)

    (episode,) = episodes_from_predictions(job_dir, ctx, instruction="Buy one pair of red socks")

    assert ctx.problems == []
    assert list(episode.predictions) == ["Preview", "Epoch 1", "Epoch 2", "Epoch 10"]
    assert [episode.predictions[name][0].action.x for name in episode.predictions] == [
        0.0,
        0.1,
        0.2,
        0.3,
    ]
    assert episode.id == "training_output/20251102_141005"
    assert episode.instruction == "Buy one pair of red socks"
    # base_data names the training machine's path; the job's own screenshots/ has the file.
    assert [step.screenshot for step in episode.steps] == [
        str(job_dir / "screenshots" / f"capture_7f3a_step_{index}.png") for index in range(2)
    ]
    assert [(s.action.type, s.action.x) for s in episode.steps] == [("click", 0.0), ("click", 0.1)]
    assert all(s.timestamp is None for s in episode.steps), "`time` is a step index, not seconds"


def test_episode_from_predictions_keeps_an_existing_given_path(tmp_path: Path) -> None:
    job_dir = build_predictions_job(tmp_path)
    ctx = ReadContext(root=tmp_path)

    (episode,) = episodes_from_predictions(job_dir, ctx)

    assert episode.steps[0].screenshot == str(job_dir / "screenshots" / "capture_7f3a_step_0.png")
    assert list(episode.predictions) == ["Epoch 1"]
    assert len(episode.predictions["Epoch 1"]) == len(episode.steps) == 1


def test_episode_from_predictions_with_differing_step_counts(tmp_path: Path) -> None:
    one = [{"predicted_action": {"type": "click", "x": 0.1, "y": 0.1}, "match": True}]
    files = {"epoch1": predictions_with_rows(1, one), "epoch2": predictions_with_rows(2, one * 2)}
    job_dir = build_predictions_job(tmp_path, files)
    ctx = ReadContext(root=tmp_path)

    (episode,) = episodes_from_predictions(job_dir, ctx)

    assert len(episode.steps) == 2  # from the latest checkpoint
    assert [len(p) for p in episode.predictions.values()] == [2, 2]
    assert episode.predictions["Epoch 1"][1].action is None
    assert [p.path for p in ctx.problems] == [
        "training_output/20251102_141005/predictions_epoch1.json"
    ]


def test_no_predictions_files_no_episode(tmp_path: Path) -> None:
    ctx = ReadContext(root=tmp_path)

    assert episodes_from_predictions(tmp_path, ctx) == []
    assert ctx.problems == []


# --- never raise ------------------------------------------------------------------------------


@FUZZ
@given(data=any_bytes | json_bytes(json_values))
def test_episodes_any_bytes_never_raise(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    path = root / "episode.json"
    path.write_bytes(data)
    ctx = ReadContext(root=root)

    episodes = read_episodes(path, ctx)

    if not episodes:
        assert ctx.problems
    assert all(problem.path == "episode.json" for problem in ctx.problems)


STEP_KEYS = [
    "step_index",
    "observation",
    "action",
    "reasoning",
    "timestamp",
    "t",
    "image_path",
    "thought",
]
ACTION_KEYS = [
    "type",
    "coordinates",
    "normalized_coordinates",
    "normalized_start",
    "normalized_end",
    "start_coordinates",
    "end_coordinates",
    "x",
    "y",
    "text",
    "key",
    "modifiers",
    "element",
    "scroll_direction",
    "scroll_amount",
    "raw",
]
fuzz_action = shaped(ACTION_KEYS) | json_values
fuzz_observation = shaped(["screenshot_path", "screen_size"]) | json_values
fuzz_step = st.builds(
    lambda fields, action, observation: {**fields, "action": action, "observation": observation},
    shaped(STEP_KEYS),
    fuzz_action,
    fuzz_observation,
)
fuzz_episode = st.builds(
    lambda fields, steps: {**fields, "steps": steps},
    shaped(["episode_id", "id", "instruction", "goal", "success", "source", "agent_model"]),
    st.lists(fuzz_step | json_values, max_size=4),
)


@FUZZ
@given(
    data=fuzz_episode
    | st.lists(fuzz_episode, max_size=3)
    | st.builds(lambda e: {"episodes": e}, st.lists(fuzz_episode, max_size=3))
)
def test_episodes_arbitrary_fields_never_raise(
    tmp_path_factory: pytest.TempPathFactory, data: object
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    path = write_json(root / "episode.json", data)
    ctx = ReadContext(root=root)

    episodes = read_episodes(path, ctx)

    if not episodes:
        assert ctx.problems
    for episode in episodes:
        for step in episode.steps:
            assert step.screenshot is None or os.path.isabs(step.screenshot)
            for value in (step.action.x, step.action.y):
                assert value is None or value == value  # no NaN


fuzz_prediction = st.builds(
    lambda fields, action: {**fields, "predicted_action": action},
    shaped(["match", "error"]),
    shaped(["type", "x", "y", "text", "raw_output", "error"]) | json_values,
)


@FUZZ
@given(
    data=any_bytes
    | json_bytes(
        st.builds(
            lambda rows, predictions: {"base_data": rows, "predictions": predictions},
            st.lists(
                shaped(["index", "time", "image_path", "human_action"]) | json_values, max_size=3
            ),
            st.lists(fuzz_prediction | json_values, max_size=3) | json_values,
        )
    )
)
def test_predictions_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    path = root / "predictions_epoch1.json"
    path.write_bytes(data)
    ctx = ReadContext(root=root)

    result = read_predictions(path, ctx)
    episodes = episodes_from_predictions(root, ctx)

    if result is None:
        assert ctx.problems and episodes == []
        return
    _, rows, predictions = result
    assert len(rows) == len(predictions)
    (episode,) = episodes
    assert len(episode.steps) == len(episode.predictions["Epoch 1"]) == len(rows)
    for prediction in predictions:
        # Never both an action and a parse error: the Viewer shows one or the other.
        assert prediction.action is None or prediction.parse_error is None
