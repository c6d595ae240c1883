"""OSWorld results (FORMATS §10): the example's figures, lazy steps, and every listed trap."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench_tui.analysis.summary import model_figures
from bench_tui.model import Run
from bench_tui.sources import common
from bench_tui.sources.common import ReadContext
from bench_tui.sources.osworld.steps import (
    classify_episode_dir,
    load_osworld_steps,
    looks_like_task_definition,
    looks_like_task_index,
    read_osworld_runs,
)
from tests.fixtures.json_strategies import any_bytes
from tests.fixtures.osworld_builders import (
    CALC_ID,
    CHROME_ID,
    OS_CRASHED_ID,
    OS_EMPTY_ID,
    build_osworld_example,
    osworld_episodes,
    osworld_line,
    png,
    write_json,
    write_jsonl,
    write_task_definition,
    write_text,
)

LATER = time.time() + 3600
"""A `now` an hour ahead: every fixture file counts as old (not being written)."""


def read(base: Path, episodes: list[Path] | None = None, now: float = LATER, **kwargs):
    ctx = ReadContext(root=base)
    dirs = episodes if episodes is not None else osworld_episodes_under(base)
    return read_osworld_runs(dirs, ctx, now=now, **kwargs), ctx


def osworld_episodes_under(base: Path) -> list[Path]:
    return sorted(
        folder
        for folder in base.rglob("*")
        if folder.is_dir() and classify_episode_dir(folder, frozenset(os.listdir(folder)))
    )


def only_run(base: Path, **kwargs) -> tuple[Run, ReadContext]:
    runs, ctx = read(base, **kwargs)
    assert len(runs) == 1, [r.id for r in runs]
    return runs[0], ctx


def statuses(run: Run) -> dict[str, str]:
    return {e.task_id: e.status for e in run.executions}


def make_episode(
    run_dir: Path, domain: str, task: str, lines: list, result: str | None, *, shots: bool = True
) -> Path:
    """An episode folder; with `shots`, every screenshot its lines name exists."""
    folder = run_dir / domain / task
    write_jsonl(folder / "traj.jsonl", lines)
    if result is not None:
        write_text(folder / "result.txt", result)
    for line in lines:
        name = line.get("screenshot_file") if isinstance(line, dict) else None
        if shots and isinstance(name, str):
            png(folder / name)
    return folder


# --- the example of FORMATS §10 ---------------------------------------------------------------


def test_example_figures_match_formats(tmp_path: Path) -> None:
    root = build_osworld_example(tmp_path)
    (run,), ctx = read(tmp_path, osworld_episodes(root))
    assert run.id == "results/pyautogui/screenshot/acme/vl-7b-instruct"
    assert (run.format, run.benchmark, run.path) == ("osworld", "osworld", str(root))
    assert run.models == ["acme/vl-7b-instruct"]
    assert run.label == "pyautogui/screenshot/acme/vl-7b-instruct"
    assert run.created_at is not None and run.created_at.isoformat() == "2025-11-03T10:15:02"
    (entry,) = model_figures(run)
    figures = entry.overall
    assert (figures.tasks, figures.finished, figures.succeeded) == (4, 2, 1)
    assert figures.success_rate == 0.25
    assert figures.finished_only_rate == 0.5
    assert figures.mean_score == pytest.approx(0.75)
    assert (figures.errors, figures.unfinished) == (1, 1)
    assert statuses(run) == {
        CHROME_ID: "passed",
        CALC_ID: "failed",
        OS_CRASHED_ID: "errored",
        OS_EMPTY_ID: "unfinished",
    }
    assert set(entry.by_domain) == {"chrome", "libreoffice_calc", "os"}
    assert entry.by_domain["os"].tasks == 2
    # The crash is the only Problem, located at its Error line; all_result.json agrees.
    assert [p.located() for p in ctx.problems] == [
        f"results/pyautogui/screenshot/acme/vl-7b-instruct/os/{OS_CRASHED_ID}/traj.jsonl:3: "
        f"the episode crashed without a verdict (os/{OS_CRASHED_ID} - TimeoutError); rerun this task"
    ]
    crashed = next(e for e in run.executions if e.task_id == OS_CRASHED_ID)
    assert crashed.error == f"os/{OS_CRASHED_ID} - TimeoutError"
    assert crashed.error_type == "TimeoutError"
    assert crashed.source_path == str(root / "os" / OS_CRASHED_ID)


def test_example_chrome_has_three_steps_and_four_actions(tmp_path: Path) -> None:
    root = build_osworld_example(tmp_path)
    run, _ = only_run(tmp_path)
    chrome = next(e for e in run.executions if e.task_id == CHROME_ID)
    assert (chrome.num_steps, chrome.duration_s) == (3, 32.0)
    ctx = ReadContext(root=tmp_path)
    steps = load_osworld_steps(run, chrome, ctx)
    assert ctx.problems == []
    assert [s.index for s in steps] == [0, 1, 2]
    assert [s.source_number for s in steps] == [1, 2, 3]
    assert sum(len(s.actions) for s in steps) == 4
    assert [[a.type for a in s.actions] for s in steps] == [["click"], ["type", "key"], ["done"]]
    first, second, third = steps
    assert first.actions[0].x == pytest.approx(1204 / 1920)
    assert first.actions[0].y == pytest.approx(88 / 1080)
    assert first.reasoning == "Menu is top right."
    # No initial screenshot: step 1 is drawn on its own (after) image, the rest on the previous.
    folder = root / "chrome" / CHROME_ID
    assert (first.screenshot, first.screenshot_is_after) == (
        str(folder / "step_1_20251103@101502.png"),
        True,
    )
    assert (second.screenshot, second.screenshot_is_after) == (
        str(folder / "step_1_20251103@101502.png"),
        False,
    )
    assert third.screenshot == str(folder / "step_2_20251103@101520.png")
    assert second.think_ms == 17000.0 and second.exec_ms == 1000.0
    assert third.think_ms == 14000.0


def test_initial_screenshot_is_what_the_first_step_saw(tmp_path: Path) -> None:
    root = build_osworld_example(tmp_path)
    png(root / "chrome" / CHROME_ID / "step_0.png")
    run, _ = only_run(tmp_path)
    chrome = next(e for e in run.executions if e.task_id == CHROME_ID)
    first = load_osworld_steps(run, chrome, ReadContext(root=tmp_path))[0]
    assert first.screenshot == str(root / "chrome" / CHROME_ID / "step_0.png")
    assert not first.screenshot_is_after
    calc = root / "libreoffice_calc" / CALC_ID
    png(calc / "initial_state.png")
    execution = next(e for e in run.executions if e.task_id == CALC_ID)
    assert load_osworld_steps(run, execution, ReadContext(root=tmp_path))[0].screenshot == str(
        calc / "initial_state.png"
    )


def test_coordinates_use_the_pixel_size_of_the_image_drawn_on(tmp_path: Path) -> None:
    run_dir = tmp_path / "pyautogui" / "screenshot" / "m"
    folder = make_episode(
        run_dir,
        "gimp",
        "t1",
        [osworld_line(1, "20250101@000000", "pyautogui.click(640, 400)")],
        "0.0\n",
    )
    png(folder / "step_0.png", (1280, 800))
    run, _ = only_run(tmp_path)
    (step,) = load_osworld_steps(run, run.executions[0], ReadContext(root=tmp_path))
    assert (step.actions[0].x, step.actions[0].y) == (0.5, 0.5)


# --- scores and statuses -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "status", "score"),
    [
        ("1.0\n", "passed", 1.0),
        ("1\n", "passed", 1.0),
        ("0.6666666666666666\n", "failed", 0.6666666666666666),
        ("0.0\n", "failed", 0.0),
        ("True\n", "passed", 1.0),
        ("False\n", "failed", 0.0),
    ],
)
def test_scores_fractional_and_boolean(
    tmp_path: Path, text: str, status: str, score: float
) -> None:
    make_episode(
        tmp_path / "a11y_tree" / "m", "os", "t", [osworld_line(1, "20250101@000000", "DONE")], text
    )
    run, ctx = only_run(tmp_path)
    (execution,) = run.executions
    assert (execution.status, execution.score, execution.success) == (status, score, score >= 1.0)
    assert ctx.problems == []


@pytest.mark.parametrize("text", ["", "\n", "abc\n", "nan\n", "__import__('os').system('x')\n"])
def test_unreadable_score_is_a_problem_and_errored(tmp_path: Path, text: str) -> None:
    folder = make_episode(tmp_path / "som" / "m", "os", "t", [], text)
    run, ctx = only_run(tmp_path)
    assert statuses(run) == {"t": "errored"}
    (problem,) = ctx.problems
    assert problem.path == "som/m/os/t/result.txt"
    assert problem.line == 1
    assert "score" in problem.message
    assert (folder / "result.txt").exists()


def test_result_is_never_evaluated(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    make_episode(tmp_path / "som" / "m", "os", "t", [], f"open({str(marker)!r}, 'w')\n")
    only_run(tmp_path)
    assert not marker.exists()


def test_empty_result_still_being_written_is_unfinished_without_problem(tmp_path: Path) -> None:
    make_episode(tmp_path / "som" / "m", "os", "t", [], "")
    run, ctx = only_run(tmp_path, now=time.time())
    assert statuses(run) == {"t": "unfinished"}
    assert ctx.problems == []


def test_missing_result_still_counts_as_a_task(tmp_path: Path) -> None:
    make_episode(
        tmp_path / "som" / "m", "os", "a", [osworld_line(1, "20250101@000000", "WAIT")], None
    )
    make_episode(
        tmp_path / "som" / "m", "os", "b", [osworld_line(1, "20250101@000000", "DONE")], "1.0\n"
    )
    run, ctx = only_run(tmp_path)
    (entry,) = model_figures(run)
    assert (entry.overall.tasks, entry.overall.succeeded, entry.overall.success_rate) == (2, 1, 0.5)
    assert statuses(run) == {"a": "unfinished", "b": "passed"}
    assert ctx.problems == []


def test_error_line_with_a_verdict_is_a_failure_with_a_reason_not_a_problem(tmp_path: Path) -> None:
    lines = [osworld_line(1, "20250101@000000", "DONE"), {"Error": "Time limit exceeded in os/t"}]
    make_episode(tmp_path / "som" / "m", "os", "t", lines, "0.0\n")
    run, ctx = only_run(tmp_path)
    (execution,) = run.executions
    assert (execution.status, execution.error, execution.error_type) == (
        "failed",
        "Time limit exceeded in os/t",
        "timeout",
    )
    assert ctx.problems == []


def test_each_crash_is_located_at_its_error_line(tmp_path: Path) -> None:
    make_episode(
        tmp_path / "som" / "m", "os", "early", [{"Error": "Time limit exceeded in os/early"}], None
    )
    lines = [osworld_line(1, "20250101@000000", "WAIT"), osworld_line(2, "20250101@000010", "WAIT")]
    make_episode(
        tmp_path / "som" / "m", "os", "late", [*lines, {"Error": "os/late - ValueError"}], None
    )
    run, ctx = only_run(tmp_path)
    assert statuses(run) == {"early": "errored", "late": "errored"}
    assert sorted((p.path, p.line) for p in ctx.problems) == [
        ("som/m/os/early/traj.jsonl", 1),
        ("som/m/os/late/traj.jsonl", 3),
    ]
    late = next(e for e in run.executions if e.task_id == "late")
    steps = load_osworld_steps(run, late, ReadContext(root=tmp_path))
    assert any("ValueError" in log for log in steps[-1].logs)


def test_folder_name_claiming_success_does_not_beat_result_txt(tmp_path: Path) -> None:
    make_episode(tmp_path / "som" / "m", "os", "task-success", [], "0.0\n")
    run, _ = only_run(tmp_path)
    assert statuses(run) == {"task-success": "failed"}


# --- trajectory lines ---------------------------------------------------------------------


def test_bad_lines_are_located_and_the_rest_is_read(tmp_path: Path) -> None:
    lines = [
        osworld_line(1, "20250101@000000", "WAIT"),
        "this is not json",
        "[1, 2]",
        osworld_line(2, "20250101@000005", "DONE"),
    ]
    folder = make_episode(tmp_path / "som" / "m", "os", "t", lines, "1.0\n")
    with open(folder / "traj.jsonl", "ab") as handle:
        handle.write(b'{"step_num": 3, "action": "\xff\xfe"}\n')
    run, ctx = only_run(tmp_path)
    assert run.executions[0].num_steps == 2
    assert [(p.line, p.message.split(" (")[0].split(":")[0]) for p in ctx.problems] == [
        (2, "not valid JSON"),
        (3, "expected a JSON object on each line, got a JSON array"),
        (5, "not UTF-8 text"),
    ]


def test_last_line_being_written_is_skipped_only_while_the_file_is_fresh(tmp_path: Path) -> None:
    lines = [osworld_line(1, "20250101@000000", "WAIT"), '{"step_num": 2, "acti']
    write_jsonl(tmp_path / "som" / "m" / "os" / "t" / "traj.jsonl", lines, trailing_newline=False)
    png(tmp_path / "som" / "m" / "os" / "t" / "step_1_20250101@000000.png")
    _, fresh = only_run(tmp_path, now=time.time())
    assert fresh.problems == []
    run, old = only_run(tmp_path, now=LATER)
    (problem,) = old.problems
    assert problem.line == 2
    assert "stopped mid-write" in problem.message
    assert run.executions[0].num_steps == 1


def test_fresh_unfinished_episode_marks_the_run_live(tmp_path: Path) -> None:
    write_jsonl(
        tmp_path / "som" / "m" / "os" / "t" / "traj.jsonl",
        [osworld_line(1, "20250101@000000", "WAIT")],
    )
    assert only_run(tmp_path, now=time.time())[0].live
    assert not only_run(tmp_path, now=LATER)[0].live


def test_a_fresh_copy_of_an_aborted_episode_is_not_live(tmp_path: Path) -> None:
    episode = tmp_path / "som" / "m" / "os" / "t"
    write_jsonl(
        episode / "traj.jsonl",
        [osworld_line(1, "20250101@000000", "WAIT"), osworld_line(2, "20250101@000010", "WAIT")],
    )
    for name in ("step_1_20250101@000000.png", "step_2_20250101@000010.png"):
        (episode / name).write_bytes(b"png")
    now = time.time()
    files = sorted(episode.iterdir())
    for path in files:  # `cp -r`: every file written in the same second
        os.utime(path, (now - 5, now - 5))
    assert not only_run(tmp_path, now=now)[0].live
    for age, path in zip((90, 40, 5), files, strict=True):  # a harness: seconds between steps
        os.utime(path, (now - age, now - age))
    assert only_run(tmp_path, now=now)[0].live


def test_both_timestamp_formats_give_durations(tmp_path: Path) -> None:
    lines = [
        osworld_line(1, "20251103@101502", "WAIT"),
        osworld_line(2, "20251103@101503500000", "WAIT"),
        osworld_line(3, "20251103@101505_250000", "DONE"),
    ]
    make_episode(tmp_path / "som" / "m", "os", "t", lines, "1.0\n")
    run, ctx = only_run(tmp_path)
    assert run.executions[0].duration_s == pytest.approx(3.25)
    steps = load_osworld_steps(run, run.executions[0], ReadContext(root=tmp_path))
    assert [s.think_ms for s in steps] == [None, pytest.approx(1500.0), pytest.approx(1750.0)]
    assert ctx.problems == []


def test_bad_timestamp_and_step_num_are_problems_for_their_line_only(tmp_path: Path) -> None:
    lines = [
        osworld_line(1, "yesterday", "WAIT"),
        {**osworld_line(2, "20250101@000000", "WAIT"), "step_num": "two"},
        osworld_line(3, "20250101@000001", "DONE"),
    ]
    make_episode(tmp_path / "som" / "m", "os", "t", lines, "1.0\n")
    run, ctx = only_run(tmp_path)
    assert [
        (p.line, "action_timestamp" in p.message, "step_num" in p.message) for p in ctx.problems
    ] == [
        (1, True, False),
        (2, False, True),
    ]
    assert run.executions[0].num_steps == 3


def test_missing_screenshot_targets(tmp_path: Path) -> None:
    lines = [
        osworld_line(1, "20250101@000000", "pyautogui.click(960, 540)"),
        osworld_line(2, "20250101@000005", "pyautogui.click(960, 540)"),
        osworld_line(3, "20250101@000009", "DONE"),
    ]
    folder = make_episode(tmp_path / "som" / "m", "os", "t", lines, "1.0\n", shots=False)
    png(folder / "step_1.png")  # a variant that saves step_<N>.png but names step_<N>_<ts>.png
    png(folder / "step_3_20250101@000009.png")
    run, ctx = only_run(tmp_path)
    (problem,) = ctx.problems
    assert (problem.path, problem.line) == ("som/m/os/t/traj.jsonl", 2)
    assert "1 of 3 screenshots" in problem.message
    steps = load_osworld_steps(run, run.executions[0], ReadContext(root=tmp_path))
    assert steps[1].screenshot == str(folder / "step_1.png")
    # Step 3 saw step 2's image, which is missing: it falls back to its own, marked after.
    assert (steps[2].screenshot, steps[2].screenshot_is_after) == (
        str(folder / "step_3_20250101@000009.png"),
        True,
    )


def test_steps_read_response_objects_and_natural_language(tmp_path: Path) -> None:
    lines = [
        osworld_line(
            1,
            "20250101@000000",
            "pyautogui.click(1, 1)",
            response={"raw_response": "I click.", "model": "x"},
        ),
        osworld_line(
            2,
            "20250101@000001",
            "pyautogui.click(1, 1)",
            natural_language_action="Click the corner",
        ),
        osworld_line(3, "20250101@000002", '"""Thought: done now"""\nDONE'),
        osworld_line(
            4, "20250101@000003", {"action_type": "CLICK", "parameters": {"x": 960, "y": 540}}
        ),
    ]
    make_episode(tmp_path / "som" / "m", "os", "t", lines, "1.0\n")
    run, _ = only_run(tmp_path)
    steps = load_osworld_steps(run, run.executions[0], ReadContext(root=tmp_path))
    assert [s.reasoning for s in steps] == ["I click.", "Click the corner", "done now", None]
    assert '"model": "x"' in steps[0].raw_output
    assert (steps[3].actions[0].type, steps[3].actions[0].x) == ("click", 0.5)


# --- models, run roots, tasks -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("segments", "model", "run_id"),
    [
        (
            ["pyautogui", "screenshot", "acme", "vl-7b-instruct"],
            "acme/vl-7b-instruct",
            "r/pyautogui/screenshot/acme/vl-7b-instruct",
        ),
        (
            ["pyautogui", "screenshot", "qwen2.5-vl:7b"],
            "qwen2.5-vl:7b",
            "r/pyautogui/screenshot/qwen2.5-vl:7b",
        ),
        (
            ["pyautogui", "som", "planner-gpt-4o-executor-uitars", "3"],
            "planner-gpt-4o-executor-uitars",
            "r/pyautogui/som/planner-gpt-4o-executor-uitars/3",
        ),
        (["my", "custom", "layout"], "unknown", "r/my/custom/layout"),
    ],
)
def test_model_from_path_segments(
    tmp_path: Path, segments: list[str], model: str, run_id: str
) -> None:
    run_dir = tmp_path.joinpath("r", *segments)
    make_episode(run_dir, "chrome", "t", [osworld_line(1, "20250101@000000", "DONE")], "1.0\n")
    run, _ = only_run(tmp_path)
    assert run.models == [model]
    assert run.id == run_id


def test_args_json_above_a_trial_level_names_the_model(tmp_path: Path) -> None:
    model_dir = tmp_path / "pyautogui" / "screenshot" / "folder-name"
    write_json(model_dir / "args.json", {"model": "org/real:model.v1"})
    make_episode(model_dir / "0", "os", "t", [], "1.0\n")
    run, _ = only_run(tmp_path)
    assert run.models == ["org/real:model.v1"]
    assert run.id == "pyautogui/screenshot/folder-name/0"


def test_two_models_are_two_runs(tmp_path: Path) -> None:
    for model in ("a", "b"):
        make_episode(tmp_path / "pyautogui" / "screenshot" / model, "os", "t", [], "1.0\n")
    runs, _ = read(tmp_path)
    assert [(r.id, r.models) for r in runs] == [
        ("pyautogui/screenshot/a", ["a"]),
        ("pyautogui/screenshot/b", ["b"]),
    ]


def test_summary_folder_is_not_an_action_space_nor_an_episode(tmp_path: Path) -> None:
    root = build_osworld_example(tmp_path)
    summary = tmp_path / "results" / "summary"
    write_json(
        summary / "results.json",
        [{"application": "chrome", "task_id": CHROME_ID, "status": "error", "score": 0.0}],
    )
    assert classify_episode_dir(summary, frozenset(os.listdir(summary))) is None
    run, _ = only_run(tmp_path)
    assert run.path == str(root)
    assert statuses(run)[CHROME_ID] == "passed"  # result.txt wins over the mixed summary
    assert not any(t.domain == "summary" for t in run.tasks)


def test_empty_folders_beside_episodes_are_not_started_tasks(tmp_path: Path) -> None:
    run_dir = tmp_path / "pyautogui" / "screenshot" / "m"
    make_episode(run_dir, "os", "done-task", [], "1.0\n")
    (run_dir / "os" / "empty-task").mkdir()
    png(run_dir / "os" / "preparing-task" / "step_0.png")
    (run_dir / "gimp" / "never-started").mkdir(parents=True)
    (run_dir / ".bench-tui").mkdir()
    run, ctx = only_run(tmp_path)
    assert statuses(run) == {
        "done-task": "passed",
        "empty-task": "unfinished",
        "preparing-task": "unfinished",
        "never-started": "unfinished",
    }
    assert run.task("never-started").domain == "gimp"
    assert ctx.problems == []


def test_same_task_id_in_two_domains_is_a_problem_and_both_are_kept(tmp_path: Path) -> None:
    run_dir = tmp_path / "pyautogui" / "screenshot" / "m"
    make_episode(run_dir, "chrome", "dup", [], "1.0\n")
    make_episode(run_dir, "os", "dup", [], "0.0\n")
    run, ctx = only_run(tmp_path)
    assert statuses(run) == {"dup": "passed", "os/dup": "failed"}
    (problem,) = ctx.problems
    assert problem.path == "pyautogui/screenshot/m/os/dup"


# --- all_result.json ----------------------------------------------------------------------


def test_all_result_disagreement_names_both_files(tmp_path: Path) -> None:
    root = build_osworld_example(tmp_path)
    write_text(
        root / "all_result.json",
        f"{{'chrome': {{'{CHROME_ID}': 0.0}},\n 'libreoffice_calc': {{'{CALC_ID}': 0.5}},\n"
        f" 'os': {{'{OS_EMPTY_ID}': 1.0}}}}",
    )
    run, ctx = only_run(tmp_path)
    assert statuses(run)[CHROME_ID] == "passed"  # the per-task file wins
    messages = {(p.path, p.line): p.message for p in ctx.problems}
    rel = "results/pyautogui/screenshot/acme/vl-7b-instruct"
    chrome = messages[(f"{rel}/all_result.json", 1)]
    assert f"{rel}/chrome/{CHROME_ID}/result.txt says 1" in chrome
    assert "score 0" in chrome
    assert "holds no score" in messages[(f"{rel}/all_result.json", 3)]


def test_all_result_that_is_neither_json_nor_python_is_a_problem(tmp_path: Path) -> None:
    root = build_osworld_example(tmp_path)
    write_text(root / "all_result.json", "{'chrome': {")
    run, ctx = only_run(tmp_path)
    assert statuses(run)[CHROME_ID] == "passed"
    assert any(
        p.path.endswith("all_result.json") and "neither JSON nor a Python literal" in p.message
        for p in ctx.problems
    )


# --- task indexes and definitions ---------------------------------------------------------


def test_index_found_under_the_folder_adds_missing_tasks_as_unfinished(tmp_path: Path) -> None:
    build_osworld_example(tmp_path)
    index = write_json(
        tmp_path / "evaluation_examples" / "test_all.json",
        {
            "chrome": [CHROME_ID, "c2"],
            "libreoffice_calc": [CALC_ID],
            "os": [OS_CRASHED_ID, OS_EMPTY_ID, "o3"],
        },
    )
    unrelated = write_json(tmp_path / "other_index.json", {"chrome": ["x", "y", "z"]})
    assert looks_like_task_index({"chrome": [CHROME_ID]})
    run, _ = only_run(tmp_path, task_index_files=[unrelated, index])
    (entry,) = model_figures(run)
    assert (entry.overall.tasks, entry.overall.succeeded, entry.overall.success_rate) == (
        6,
        1,
        1 / 6,
    )
    assert statuses(run)["c2"] == "unfinished"
    assert run.task("o3").domain == "os"
    assert run.task("o3").folder is None


def test_index_named_in_args_json_is_linked_and_its_domain_filter_applied(tmp_path: Path) -> None:
    root = build_osworld_example(tmp_path)
    write_json(
        root / "args.json",
        {
            "model": "acme/vl-7b-instruct",
            "test_all_meta_path": "evaluation_examples/test_small.json",
            "domain": "all",
        },
    )
    write_json(
        tmp_path / "evaluation_examples" / "test_small.json",
        {"chrome": [CHROME_ID, "c9"], "gimp": ["g1"]},
    )
    run, _ = only_run(tmp_path)  # not passed in: found from the name in args.json
    assert {"c9", "g1"} <= set(statuses(run))
    write_json(
        root / "args.json",
        {
            "model": "m",
            "test_all_meta_path": "evaluation_examples/test_small.json",
            "domain": "chrome",
        },
    )
    run, _ = only_run(tmp_path)
    assert "c9" in statuses(run) and "g1" not in statuses(run)


def test_index_that_does_not_cover_the_run_is_not_linked(tmp_path: Path) -> None:
    build_osworld_example(tmp_path)
    index = write_json(tmp_path / "idx.json", {"chrome": [CHROME_ID, "a", "b", "c"]})
    run, _ = only_run(tmp_path, task_index_files=[index])
    assert len(run.tasks) == 4


def test_instruction_from_definitions_indexed_by_the_id_inside(tmp_path: Path) -> None:
    build_osworld_example(tmp_path)
    definitions = [
        write_task_definition(
            tmp_path / "examples" / "chrome" / "renamed.json", CHROME_ID, "Set the font size"
        ),
        write_task_definition(
            tmp_path / "examples" / "os" / f"{OS_EMPTY_ID}.json", "someone-else", "Wrong task"
        ),
    ]
    assert looks_like_task_definition({"id": "x", "instruction": "y", "evaluator": {}})
    run, _ = only_run(tmp_path, task_definition_files=definitions)
    assert run.task(CHROME_ID).instruction == "Set the font size"
    assert run.task(OS_EMPTY_ID).instruction is None


def test_instruction_txt_is_a_fallback(tmp_path: Path) -> None:
    folder = make_episode(tmp_path / "som" / "m", "os", "t", [], "1.0\n")
    write_text(folder / "instruction.txt", "Open a terminal\n")
    run, _ = only_run(tmp_path)
    assert run.task("t").instruction == "Open a terminal"


# --- discovery sniffing and cost ----------------------------------------------------------


def test_classify_osworld_folders(tmp_path: Path) -> None:
    folder = make_episode(tmp_path, "os", "t", [osworld_line(1, "20250101@000000", "DONE")], None)
    assert classify_episode_dir(folder, frozenset(os.listdir(folder))) == "osworld"
    result_only = tmp_path / "os" / "r"
    write_text(result_only / "result.txt", "1.0\n")
    assert classify_episode_dir(result_only, frozenset(["result.txt"])) == "osworld"
    error_only = make_episode(tmp_path, "os", "e", [{"Error": "Time limit exceeded in os/e"}], None)
    assert classify_episode_dir(error_only, frozenset(os.listdir(error_only))) == "osworld"
    assert classify_episode_dir(tmp_path, frozenset(["notes.txt", "step_1.png"])) is None


def test_index_time_reads_no_image(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_osworld_example(tmp_path)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an image was opened while reading the run")

    monkeypatch.setattr(common, "image_size", refuse)
    monkeypatch.setattr("PIL.Image.open", refuse)
    run, _ = only_run(tmp_path)
    assert len(run.tasks) == 4


# --- never raise ------------------------------------------------------------------------


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(traj=any_bytes, result=any_bytes)
def test_arbitrary_bytes_never_raise(
    tmp_path_factory: pytest.TempPathFactory, traj: bytes, result: bytes
) -> None:
    base = tmp_path_factory.mktemp("fuzz")
    folder = base / "pyautogui" / "screenshot" / "m" / "os" / "t"
    folder.mkdir(parents=True)
    (folder / "traj.jsonl").write_bytes(traj)
    (folder / "result.txt").write_bytes(result)
    (folder / "all_result.json").write_bytes(result)
    ctx = ReadContext(root=base)
    runs = read_osworld_runs([folder], ctx, now=LATER)
    assert len(runs) == 1 and len(runs[0].executions) == 1
    steps = load_osworld_steps(runs[0], runs[0].executions[0], ReadContext(root=base))
    assert all(step.index == position for position, step in enumerate(steps))
    for problem in ctx.problems:
        assert problem.path.startswith("pyautogui/screenshot/m")
        assert problem.line is None or problem.line >= 1
        assert problem.message


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.dictionaries(
            st.sampled_from(
                [
                    "step_num",
                    "action",
                    "action_timestamp",
                    "Error",
                    "screenshot_file",
                    "response",
                    "info",
                ]
            ),
            st.one_of(
                st.none(),
                st.integers(-3, 5),
                st.text(max_size=20),
                st.booleans(),
                st.lists(st.integers(), max_size=3),
            ),
        ),
        max_size=6,
    )
)
def test_oddly_typed_lines_never_raise(
    tmp_path_factory: pytest.TempPathFactory, lines: list
) -> None:
    base = tmp_path_factory.mktemp("typed")
    folder = base / "som" / "m" / "os" / "t"
    write_jsonl(folder / "traj.jsonl", lines)
    ctx = ReadContext(root=base)
    (run,) = read_osworld_runs([folder], ctx, now=LATER)
    steps = load_osworld_steps(run, run.executions[0], ctx)
    assert run.executions[0].status in ("errored", "unfinished")
    assert len(steps) <= len(lines)


def test_deeply_nested_values_are_problems_not_crashes(tmp_path: Path) -> None:
    nested = "[" * 900 + "]" * 900
    lines = [
        f'{{"step_num": {nested}, "action": "DONE", "action_timestamp": {nested}, "info": {nested}}}',
        f'{{"Error": {nested}}}',
    ]
    make_episode(tmp_path / "som" / "m", "os", "t", lines, None)
    run, ctx = only_run(tmp_path)
    assert statuses(run) == {"t": "errored"}
    assert {p.line for p in ctx.problems} == {1, 2}
    steps = load_osworld_steps(run, run.executions[0], ReadContext(root=tmp_path))
    assert [a.type for a in steps[0].actions] == ["done"]


def test_opening_a_domain_folder_keeps_the_model_of_the_real_run(tmp_path: Path) -> None:
    root = build_osworld_example(tmp_path)
    domain = root / "os"
    runs, ctx = read(domain, [domain / OS_CRASHED_ID])
    (run,) = runs
    assert run.id == "."
    assert run.models == ["acme/vl-7b-instruct"]
    assert run.task(OS_CRASHED_ID).domain == "os"
    assert [(p.path, p.line) for p in ctx.problems] == [(f"{OS_CRASHED_ID}/traj.jsonl", 3)]


def test_folder_names_that_are_not_utf8_are_escaped(tmp_path: Path) -> None:
    run_dir = tmp_path / "som" / "m"
    task = run_dir / "os" / os.fsdecode(b"caf\xe9")
    write_text(task / "result.txt", "1.0\n")
    run, _ = only_run(tmp_path)
    assert run.tasks[0].task_id == "caf\\xe9"
    assert run.executions[0].status == "passed"
    # Ids and names serialise; folder paths stay raw so the files can still be opened.
    assert run.tasks[0].model_dump_json(include={"task_id", "domain", "match_key"})
    assert Path(run.tasks[0].folder).is_dir()


def test_stopped_at_max_steps_without_evaluation_is_unfinished_with_a_reason(
    tmp_path: Path,
) -> None:
    run_dir = tmp_path / "pyautogui" / "screenshot" / "m"
    write_json(run_dir / "args.json", {"model": "m", "max_steps": 2})
    lines = [osworld_line(1, "20250101@000000", "WAIT"), osworld_line(2, "20250101@000001", "WAIT")]
    make_episode(run_dir, "os", "t", lines, None)
    run, ctx = only_run(tmp_path)
    (execution,) = run.executions
    assert (execution.status, execution.reason) == (
        "unfinished",
        "reached max_steps (2) without an evaluation",
    )
    assert ctx.problems == []


def test_runtime_log_gives_the_stop_reason_from_its_last_flag(tmp_path: Path) -> None:
    root = build_osworld_example(tmp_path)
    log = root / "libreoffice_calc" / CALC_ID / "runtime.log"
    filler = "INFO Responses: [...]\n" * 5000  # past the tail that is read: never seen
    log.write_text("thought_exit: True\n" + filler + "message_exit: False\nmessage_exit: True\n")
    chrome_log = root / "chrome" / CHROME_ID / "runtime.log"
    chrome_log.write_text("message_exit: False\nthought_exit: False\n")
    (run,), ctx = read(tmp_path, osworld_episodes(root))
    reasons = {e.task_id: e.reason for e in run.executions}
    assert reasons[CALC_ID] == "the agent stopped with a message (message_exit in runtime.log)"
    assert reasons[CHROME_ID] is None
    assert statuses(run)[CALC_ID] == "failed"  # the verdict is still result.txt's
