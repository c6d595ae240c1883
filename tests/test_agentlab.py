"""AgentLab studies: the FORMATS §13 example and every trap it lists."""

from __future__ import annotations

import json
import os
import pickle
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from bench_tui.analysis.summary import model_figures
from bench_tui.model import Execution, Run
from bench_tui.sources.agentlab.browsergym_actions import parse_action_string
from bench_tui.sources.agentlab.run import (
    is_agentlab_episode,
    load_agentlab_steps,
    read_agentlab_runs,
)
from bench_tui.sources.common import ReadContext
from tests.fixtures.web_builders import (
    SCREEN,
    build_agentlab_example,
    example_episodes,
    exp_args,
    fake_agentlab_classes,
    malicious_pickle,
    step_info,
    write_gzip_pickle,
    write_summary,
)

LATER = time.time() + 3600
FINISHED = {"n_steps": 3, "err_msg": None, "stack_trace": None, "truncated": False}


def read(episodes: list[Path], root: Path) -> tuple[list[Run], ReadContext]:
    ctx = ReadContext(root=root)
    return read_agentlab_runs(episodes, ctx, now=LATER), ctx


def read_one(episodes: list[Path], root: Path) -> tuple[Run, ReadContext]:
    runs, ctx = read(episodes, root)
    (run,) = runs
    return run, ctx


def by_task(run: Run) -> dict[str, Execution]:
    return {e.task_id: e for e in run.executions}


def add_episode(study: Path, name: str, **summary: object) -> Path:
    folder = study / name
    folder.mkdir(parents=True)
    if summary:
        write_summary(folder, **summary)
    return folder


def test_detection_by_file_names() -> None:
    assert is_agentlab_episode(frozenset({"summary_info.json"}))
    assert is_agentlab_episode(frozenset({"exp_args.pkl", "step_0.pkl.gz"}))
    assert not is_agentlab_episode(frozenset({"study.pkl.gz", "summary_df.csv"}))


def test_formats_example_figures(tmp_path: Path) -> None:
    study = build_agentlab_example(tmp_path)
    run, ctx = read_one(example_episodes(study), tmp_path)
    assert run.id == "agentlab_results/2025-11-08_16-20-05_lumen_miniwob_smoke"
    assert run.format == "agentlab" and run.benchmark == "miniwob"
    assert run.label == study.name
    assert run.created_at is not None and run.created_at.isoformat() == "2025-11-08T16:20:05"
    assert run.models == ["lumen-4o"]
    (figures,) = model_figures(run)
    overall = figures.overall
    assert overall.tasks == 3
    assert (overall.finished, overall.succeeded, overall.errors, overall.unfinished) == (1, 1, 1, 1)
    assert round(overall.success_rate, 4) == 0.3333
    executions = by_task(run)
    assert {t: e.status for t, e in executions.items()} == {
        "miniwob.click-button": "passed",
        "miniwob.enter-date": "errored",
        "miniwob.use-slider": "unfinished",
    }
    assert {e.seed for e in run.executions} == {3}
    passed = executions["miniwob.click-button"]
    assert (passed.score, passed.num_steps, passed.duration_s) == (1.0, 2, 6.41)
    errored = executions["miniwob.enter-date"]
    assert errored.error == "ValueError: could not parse the action"
    assert errored.error_type == "ValueError" and errored.success is None
    assert run.task("miniwob.click-button").instruction == 'Click the button labelled "OK".'
    assert run.task("miniwob.click-button").domain == "miniwob"
    (problem,) = ctx.problems
    assert problem.path.endswith("miniwob.enter-date_3/summary_info.json")
    summary_lines = (study / Path(problem.path).parent.name / "summary_info.json").read_text()
    assert '"err_msg"' in summary_lines.splitlines()[problem.line - 1]
    assert "could not parse the action" in problem.message
    assert not run.live


def test_unfinished_episode_that_just_changed_makes_the_run_live(tmp_path: Path) -> None:
    study = build_agentlab_example(tmp_path)
    ctx = ReadContext(root=tmp_path)
    (run,) = read_agentlab_runs(example_episodes(study), ctx, now=time.time())
    assert run.live


def test_archive_folders_do_not_disturb_the_study(tmp_path: Path) -> None:
    study = build_agentlab_example(tmp_path)
    archived = next((study / "_archive").iterdir())
    runs, ctx = read([*example_episodes(study), archived], tmp_path)
    assert [r.label for r in runs] == [study.name, "_archive"]
    assert len(runs[0].executions) == 3
    assert [e.status for e in runs[1].executions] == ["failed"]


def test_steps_actions_boxes_errors_and_timing(tmp_path: Path) -> None:
    study = build_agentlab_example(tmp_path)
    run, ctx = read_one(example_episodes(study), tmp_path)
    steps = load_agentlab_steps(run, by_task(run)["miniwob.click-button"], ctx)
    assert [(s.index, s.source_number) for s in steps] == [(0, 0), (1, 1), (2, 2)]
    assert all(Path(s.screenshot).name == f"screenshot_step_{s.index}.png" for s in steps)
    click = steps[0].action
    assert (click.type, click.element_id, click.coord_quality) == ("click", "c17", "converted")
    # Centre of bbox [100, 200, 50, 20] px on a 500x400 screenshot.
    assert (click.x, click.y) == pytest.approx((125 / 500, 210 / 400))
    assert steps[0].reasoning == "The OK button is c17."
    assert steps[0].think_ms == pytest.approx(1250.0)
    assert steps[0].exec_ms == pytest.approx(500.0)  # env.step of action 0, timed in record 1
    mouse = steps[1].action
    assert (mouse.type, mouse.x, mouse.y) == ("click", 300 / SCREEN[0], 215 / SCREEN[1])
    # last_action_error of record 2 belongs to action 1.
    assert "action error: TimeoutError: element not clickable" in steps[1].logs
    assert steps[1].extra["last_action_error"] == "TimeoutError: element not clickable"
    assert steps[0].extra["url"] == "http://miniwob.test/click-button.html"
    assert steps[2].actions == [] and steps[2].extra["reward"] == 1.0
    assert ctx.problems[1:] == []


def test_malicious_pickles_are_never_executed(tmp_path: Path) -> None:
    study = build_agentlab_example(tmp_path)
    marker = tmp_path / "pwned"
    episode = example_episodes(study)[0]
    (episode / "exp_args.pkl").write_bytes(malicious_pickle(marker))
    (episode / "goal_object.pkl.gz").write_bytes(malicious_pickle(marker))
    step = episode / "step_1.pkl.gz"
    step.write_bytes(malicious_pickle(marker))
    run, ctx = read_one(example_episodes(study), tmp_path)
    steps = load_agentlab_steps(run, by_task(run)["miniwob.click-button"], ctx)
    assert not marker.exists()
    # The episode is still listed from its folder name and summary; the bad step shows no action.
    assert by_task(run)["miniwob.click-button"].status == "passed"
    assert by_task(run)["miniwob.click-button"].model == "GenericAgent-lumen-4o"
    assert len(steps) == 3 and steps[1].actions == [] and steps[1].screenshot is not None


def test_unreadable_pickles_are_problems_and_the_episode_stays(tmp_path: Path) -> None:
    study = build_agentlab_example(tmp_path)
    episode = example_episodes(study)[0]
    (episode / "exp_args.pkl").write_bytes(b"\x80\x04\x95garbage")
    (episode / "step_1.pkl.gz").write_bytes(b"\x1f\x8b\x08\x00broken")
    run, ctx = read_one(example_episodes(study), tmp_path)
    execution = by_task(run)["miniwob.click-button"]
    assert (execution.status, execution.seed, execution.model) == (
        "passed",
        3,
        "GenericAgent-lumen-4o",
    )
    steps = load_agentlab_steps(run, execution, ctx)
    assert [len(s.actions) for s in steps] == [1, 0, 0]
    assert steps[1].screenshot is not None
    paths = [p.path.rsplit("/", 1)[-1] for p in ctx.problems]
    assert "exp_args.pkl" in paths and "step_1.pkl.gz" in paths
    bad_step = next(p for p in ctx.problems if p.path.endswith("step_1.pkl.gz"))
    assert "could not be read safely" in bad_step.message and bad_step.line is None


def test_folder_name_parsing_and_pickle_values_win(tmp_path: Path) -> None:
    study = tmp_path / "study"
    # A same-second collision tag `_1`: the folder regex alone reads task "..._3", seed 1.
    tagged = add_episode(
        study, "2025-11-08_16-20-07_GenericAgent-x_on_miniwob.click-button_3_1", **FINISHED
    )
    bare = add_episode(study, "2025-11-08_16-20-08_GenericAgent-x_on_webarena.310_7", **FINISHED)
    old = add_episode(
        study, "2024-01-02_03-04-05_GenericAgent-y_on_miniwob.ascending-numbers_64_e6d2d5"
    )
    with fake_agentlab_classes() as classes:
        (tagged / "exp_args.pkl").write_bytes(
            pickle.dumps(exp_args(classes, "miniwob.click-button", 3, model="m1"), protocol=4)
        )
    run, ctx = read_one([tagged, bare, old], tmp_path)
    keys = {(e.task_id, e.seed, e.model) for e in run.executions}
    assert keys == {
        ("miniwob.click-button", 3, "m1"),
        ("webarena.310", 7, "GenericAgent-x"),
        ("miniwob.ascending-numbers", 64, "GenericAgent-y"),
    }
    assert {t.domain for t in run.tasks} == {"miniwob", "webarena"}
    assert ctx.problems == []


def test_unparseable_folder_name_without_pickle_is_listed_by_name(tmp_path: Path) -> None:
    episode = add_episode(tmp_path / "study", "my-episode", **FINISHED, terminated=True)
    run, ctx = read_one([episode], tmp_path)
    assert [e.task_id for e in run.executions] == ["my-episode"]
    assert "does not follow" in ctx.problems[0].message


def test_jpg_screenshots_convert_pixels_by_their_own_size(tmp_path: Path) -> None:
    episode = add_episode(
        tmp_path / "study",
        "2025-11-08_16-20-07_A_on_miniwob.x_1",
        **FINISHED,
        terminated=True,
        cum_reward=1.0,
    )
    with fake_agentlab_classes() as classes:
        write_gzip_pickle(episode / "step_0.pkl.gz", step_info(classes, 0, "mouse_click(400, 150)"))
    Image.new("RGB", (800, 600), (1, 2, 3)).save(episode / "screenshot_step_0.jpg")
    Image.new("RGB", (800, 600), (1, 2, 3)).save(episode / "screenshot_step_1.jpg")
    run, ctx = read_one([episode], tmp_path)
    steps = load_agentlab_steps(run, run.executions[0], ctx)
    assert [Path(s.screenshot).suffix for s in steps] == [".jpg", ".jpg"]
    assert (steps[0].action.x, steps[0].action.y) == (0.5, 0.25)
    assert steps[1].actions == []
    assert ctx.problems == []


def csv_text(completed: str, errors: int, reward: float) -> str:
    return (
        "agent.agent_name,env.benchmark,avg_reward,std_err,avg_steps,n_completed,n_err\n"
        f"GenericAgent-lumen-4o,miniwob,{reward},0.27,1.0,{completed},{errors}\n"
    )


def test_summary_csv_counting_errors_as_completed_is_not_a_problem(tmp_path: Path) -> None:
    study = build_agentlab_example(tmp_path)
    # AgentLab's own figures: errored counts as completed, its reward is averaged in.
    (study / "summary_df.csv").write_text(csv_text("2/3", 1, 0.5))
    _, ctx = read_one(example_episodes(study), tmp_path)
    assert [p.path.rsplit("/", 1)[-1] for p in ctx.problems] == ["summary_info.json"]


def test_stale_summary_csv_is_a_problem_naming_both(tmp_path: Path) -> None:
    study = build_agentlab_example(tmp_path)
    older = study / "summary_df_trial_1_of_3.csv"
    older.write_text(csv_text("1/3", 2, 0.0))
    os.utime(older, (1_000_000, 1_000_000))
    (study / "summary_df_trial_2_of_3.csv").write_text(csv_text("3/3", 0, 0.667))
    run, ctx = read_one(example_episodes(study), tmp_path)
    (stale,) = [p for p in ctx.problems if p.path.endswith(".csv")]
    assert stale.path.endswith("summary_df_trial_2_of_3.csv") and stale.line == 2
    assert "n_completed 3/3 (folders: 2/3)" in stale.message
    assert "n_err 0 (folders: 1)" in stale.message
    assert "avg_reward 0.667 (folders: 0.5)" in stale.message
    assert "episode folders win" in stale.message
    assert model_figures(run)[0].overall.succeeded == 1


@pytest.mark.parametrize(
    ("summary", "status", "score"),
    [
        ({"cum_reward": 0.5, "terminated": True}, "failed", 0.5),
        ({"cum_reward": 0.5, "terminated": True, "success": True}, "passed", 0.5),
        ({"cum_reward": 1.0, "truncated": True}, "passed", 1.0),
        ({"cum_reward": 1.0, "terminated": True, "err_msg": "boom"}, "errored", 1.0),
        ({"cum_reward": 0.0, "truncated": True, "err_msg": "KeyboardInterrupt"}, "errored", 0.0),
        ({"cum_reward": 0.0, "terminated": False, "truncated": False}, "unfinished", 0.0),
        ({"task_name": "miniwob.z", "success": True, "score": 1.0}, "passed", 1.0),
    ],
)
def test_status_follows_agentlabs_rule(
    tmp_path: Path, summary: dict[str, object], status: str, score: float | None
) -> None:
    episode = add_episode(
        tmp_path / "study", "2025-11-08_16-20-07_A_on_miniwob.x_1", **({"n_steps": 4} | summary)
    )
    run, ctx = read_one([episode], tmp_path)
    (execution,) = run.executions
    assert (execution.status, execution.score) == (status, score)
    assert execution.succeeded == (status == "passed")
    assert (len(ctx.problems) == 1) == (status == "errored")
    if "task_name" in summary:
        assert execution.task_id == "miniwob.z"


def test_nan_reward_is_no_score_and_no_success(tmp_path: Path) -> None:
    episode = add_episode(
        tmp_path / "study",
        "2025-11-08_16-20-07_A_on_miniwob.x_1",
        cum_reward=float("nan"),
        terminated=True,
    )
    run, ctx = read_one([episode], tmp_path)
    (execution,) = run.executions
    assert (execution.status, execution.score, execution.success) == ("failed", None, False)
    assert all("cum_reward" in p.message for p in ctx.problems)


def test_wrong_types_in_summary_are_located_problems(tmp_path: Path) -> None:
    episode = add_episode(
        tmp_path / "study",
        "2025-11-08_16-20-07_A_on_miniwob.x_1",
        n_steps="three",
        cum_reward=1.0,
        terminated=True,
    )
    run, ctx = read_one([episode], tmp_path)
    (problem,) = ctx.problems
    assert "expected a whole number for 'n_steps'" in problem.message
    assert problem.line == 2
    assert run.executions[0].status == "passed" and run.executions[0].num_steps is None


def test_models_and_repeated_episodes(tmp_path: Path) -> None:
    study = tmp_path / "study"
    names = [
        ("2025-11-08_16-20-07_A-flag1_on_miniwob.x_1", "A-flag1", "gpt-x"),
        ("2025-11-08_16-20-08_A-flag2_on_miniwob.x_1", "A-flag2", "gpt-x"),
        ("2025-11-08_16-20-09_B_on_miniwob.x_1", "B", None),
        ("2025-11-08_16-21-00_B_on_miniwob.x_1", "B", None),
    ]
    episodes = []
    with fake_agentlab_classes() as classes:
        for name, agent, model in names:
            folder = add_episode(study, name, **FINISHED, terminated=True, cum_reward=0.0)
            args = exp_args(classes, "miniwob.x", 1, model=model or "", agent=agent)
            if model is None:
                args.agent_args.chat_model_args = None
            (folder / "exp_args.pkl").write_bytes(pickle.dumps(args, protocol=4))
            episodes.append(folder)
    run, ctx = read_one(episodes, tmp_path)
    # Two agents sharing one model name are told apart by agent name; a repeat keeps the newer.
    assert sorted(run.models) == ["A-flag1", "A-flag2", "B"]
    assert len(run.executions) == 3
    (repeat,) = ctx.problems
    assert repeat.path.endswith("16-21-00_B_on_miniwob.x_1") and "newer" in repeat.message


def test_one_run_per_study_and_an_episode_scanned_alone(tmp_path: Path) -> None:
    first = add_episode(tmp_path / "s1", "2025-11-08_16-20-07_A_on_miniwob.x_1", **FINISHED)
    second = add_episode(tmp_path / "s2", "2025-11-08_16-20-07_A_on_miniwob.y_1", **FINISHED)
    runs, _ = read([first, second], tmp_path)
    assert [r.id for r in runs] == ["s1", "s2"]
    ctx = ReadContext(root=first)
    (alone,) = read_agentlab_runs([first], ctx, now=LATER)
    assert alone.id == "." and alone.executions[0].task_id == "miniwob.x"


def test_action_strings_map_onto_the_common_model() -> None:
    def boxes(bid: str):
        return {"a1": (0.0, 0.0, 100.0, 50.0), "b2": (100.0, 100.0, 0.0, 0.0)}.get(bid)

    screen = (200, 100)
    parsed = parse_action_string(
        "fill('f42', 'hi')\nclick('a1', button='right')\ndblclick('zz')\n"
        "send_msg_to_user('Done, the price is $3')\nscroll(0, -200)\n"
        "keyboard_press('Control+a')\nmouse_drag_and_drop(10, 20, 110, 70)\n"
        "drag_and_drop('a1', 'b2')\nreport_infeasible('no such page')\nnoop(wait_ms=1000)\n"
        "tab_focus(2)\npress('a1', 'Enter')\nkeyboard_type('abc')",
        screen,
        boxes,
    )
    kinds = [a.type for a in parsed]
    assert kinds == [
        "type",
        "right_click",
        "double_click",
        "answer",
        "scroll",
        "hotkey",
        "drag",
        "drag",
        "fail",
        "wait",
        "other",
        "key",
        "type",
    ]
    assert (parsed[0].element_id, parsed[0].text, parsed[0].x) == ("f42", "hi", None)
    assert (parsed[1].x, parsed[1].y) == (0.25, 0.25)
    assert parsed[3].answer == "Done, the price is $3"
    assert (parsed[4].scroll_direction, parsed[4].scroll_amount) == ("up", 200.0)
    assert (parsed[5].key, parsed[5].modifiers) == ("a", ["Control"])
    assert (parsed[6].x, parsed[6].y, parsed[6].end_x, parsed[6].end_y) == (0.05, 0.2, 0.55, 0.7)
    assert (parsed[7].x, parsed[7].end_x, parsed[7].end_y) == (0.25, 0.5, 1.0)
    assert parsed[8].answer == "no such page"
    assert (parsed[11].key, parsed[11].element_id) == ("Enter", "a1")
    assert parsed[12].text == "abc"
    assert parse_action_string(None, screen) == []
    (unknown,) = parse_action_string('{"name": "click", "args": {}}', screen)
    assert unknown.type == "other" and unknown.raw.startswith("{")


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300), st.binary(max_size=200))
def test_any_bytes_in_episode_files_never_raise(
    tmp_path: Path, summary: bytes, pickled: bytes
) -> None:
    episode = tmp_path / "study" / "2025-11-08_16-20-07_A_on_miniwob.x_1"
    episode.mkdir(parents=True, exist_ok=True)
    (episode / "summary_info.json").write_bytes(summary)
    (episode / "exp_args.pkl").write_bytes(pickled)
    (episode / "step_0.pkl.gz").write_bytes(pickled)
    (episode / "goal_object.pkl.gz").write_bytes(pickled)
    ctx = ReadContext(root=tmp_path)
    (run,) = read_agentlab_runs([episode], ctx, now=LATER)
    assert len(run.executions) == 1
    steps = load_agentlab_steps(run, run.executions[0], ctx)
    assert len(steps) == 1


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            ["n_steps", "cum_reward", "err_msg", "terminated", "truncated", "success", "task_name"]
        ),
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    )
)
def test_any_summary_values_give_a_status(summary: dict[str, object]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        episode = add_episode(root / "study", "2025-11-08_16-20-07_A_on_miniwob.x_1")
        (episode / "summary_info.json").write_text(json.dumps(summary))
        (run,) = read_agentlab_runs([episode], ReadContext(root=root), now=LATER)
        (execution,) = run.executions
        assert execution.status in ("passed", "failed", "errored", "unfinished")
        assert execution.status != "errored" or summary.get("err_msg") is not None
