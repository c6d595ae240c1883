"""OpenAdapt benchmark runs: figures, lazy steps, and every trap of FORMATS §4."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from bench_tui.analysis.summary import model_figures
from bench_tui.sources.common import ReadContext
from bench_tui.sources.openadapt.actions import map_action
from bench_tui.sources.openadapt.run import load_openadapt_steps, read_openadapt_run
from tests.fixtures.openadapt_builders import (
    action,
    build_complete_run,
    build_crashed_run,
    write_json,
)
from tests.fixtures.png import write_png


def read(run_dir: Path, root: Path, now: float | None = None):
    ctx = ReadContext(root=root)
    return read_openadapt_run(run_dir, ctx, now=now), ctx


def test_complete_run_figures_match_the_formats_example(tmp_path: Path) -> None:
    run, ctx = read(build_complete_run(tmp_path), tmp_path)
    assert ctx.problems == []
    assert run.id == "benchmark_results/waa_eval_20251104_091522"
    assert run.label == "waa_eval_20251104_091522"
    assert run.models == ["tern-vl-3b-lora-e3"]
    (entry,) = model_figures(run)
    assert (entry.overall.tasks, entry.overall.finished, entry.overall.succeeded) == (3, 3, 1)
    assert entry.overall.mean_steps == pytest.approx(1.0)
    assert entry.overall.infra == 1
    statuses = {e.task_id: e.status for e in run.executions}
    assert statuses == {
        "notepad_greeting": "passed",
        "settings:dark mode?": "failed",
        "51b59aec-fa49-4b1c-85ca-ab90357f3abc-WOS": "infra",
    }
    assert not run.live


def test_crashed_run_counts_the_unfinished_task_as_a_failure(tmp_path: Path) -> None:
    run_dir = build_crashed_run(tmp_path)
    run, ctx = read(run_dir, tmp_path, now=time.time() + 3600)
    assert ctx.problems == []  # a missing summary.json is normal after a crash
    figures = {m.model: m.overall for m in model_figures(run)}
    total_tasks = sum(f.tasks for f in figures.values())
    assert total_tasks == 2
    assert sum(f.finished for f in figures.values()) == 1
    assert sum(f.succeeded for f in figures.values()) == 0
    # execution.model_id wins over metadata's "unknown", and the unstarted task belongs to the
    # one model that ran the others.
    assert {e.task_id: e.model for e in run.executions} == {
        "calc_sum": "tern-vl-3b-lora-e3",
        "paint_circle": "tern-vl-3b-lora-e3",
    }
    (only,) = model_figures(run)
    assert (only.overall.tasks, only.overall.finished) == (2, 1)
    assert all(f.success_rate == 0.0 for f in figures.values())


def test_recent_task_files_without_summary_mark_the_run_live(tmp_path: Path) -> None:
    run, _ = read(build_crashed_run(tmp_path), tmp_path, now=time.time())
    assert run.live


def test_summary_disagreement_is_a_problem_and_task_files_win(tmp_path: Path) -> None:
    run_dir = build_complete_run(tmp_path)
    summary = json.loads((run_dir / "summary.json").read_text())
    summary["num_success"] = 2
    summary["tasks"][1]["success"] = True
    write_json(run_dir / "summary.json", summary)
    run, ctx = read(run_dir, tmp_path)
    assert sum(e.status == "passed" for e in run.executions) == 1
    messages = [p.message for p in ctx.problems]
    assert any("'num_success' is 2" in m and "give 1" in m for m in messages)
    assert any("settings:dark mode?" in m for m in messages)
    located = [p for p in ctx.problems if "'num_success'" in p.message]
    lines = (run_dir / "summary.json").read_text().splitlines()
    assert '"num_success"' in lines[located[0].line - 1]


def test_wrong_type_is_a_located_problem_for_that_field_only(tmp_path: Path) -> None:
    run_dir = build_complete_run(tmp_path)
    path = run_dir / "tasks" / "notepad_greeting" / "execution.json"
    data = json.loads(path.read_text())
    data["num_steps"] = "ten"
    write_json(path, data)
    run, ctx = read(run_dir, tmp_path)
    (problem,) = ctx.problems
    assert (
        problem.path
        == "benchmark_results/waa_eval_20251104_091522/tasks/notepad_greeting/execution.json"
    )
    assert "expected a whole number for 'num_steps', got 'ten'" in problem.message
    assert '"num_steps"' in path.read_text().splitlines()[problem.line - 1]
    execution = next(e for e in run.executions if e.task_id == "notepad_greeting")
    assert execution.status == "passed" and execution.num_steps is None


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty file"),
        (b'{"task_id": "notepad_greeting", "success": tr', "invalid JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary data"),
        (b'{"task_id": "caf\xe9"}', "not UTF-8"),
        (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
        (b"[1, 2]", "got a JSON array"),
    ],
)
def test_unreadable_execution_is_a_problem_and_the_task_stays(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    run_dir = build_complete_run(tmp_path)
    (run_dir / "tasks" / "notepad_greeting" / "execution.json").write_bytes(content)
    run, ctx = read(run_dir, tmp_path)
    assert any(expected in p.message for p in ctx.problems), ctx.problems
    assert len(run.tasks) == 3
    assert next(e for e in run.executions if e.task_id == "notepad_greeting").status == "unfinished"


def test_missing_and_truncated_screenshots_are_problems_per_step(tmp_path: Path) -> None:
    run_dir = build_complete_run(tmp_path)
    shots = run_dir / "tasks" / "notepad_greeting" / "screenshots"
    (shots / "step_001.png").unlink()
    data = (shots / "step_002.png").read_bytes()
    (shots / "step_002.png").write_bytes(data[: len(data) // 2])
    _, ctx = read(run_dir, tmp_path)
    by_path = {p.path.rsplit("/", 1)[-1]: p for p in ctx.problems}
    assert "screenshot missing" in by_path["step_001.png"].message
    assert "truncated" in by_path["step_002.png"].message
    assert by_path["step_001.png"].line is None


def test_lazy_steps_map_actions_reasoning_and_timing(tmp_path: Path) -> None:
    run_dir = build_complete_run(tmp_path)
    run, _ = read(run_dir, tmp_path)
    execution = next(e for e in run.executions if e.task_id == "notepad_greeting")
    ctx = ReadContext(root=tmp_path)
    steps = load_openadapt_steps(run, execution, ctx)
    assert [s.action.type for s in steps] == [
        "type",
        "hotkey",
        "done",
    ]  # len(steps) == num_steps + 1
    assert steps[0].raw_output == "Editor has focus; type first."
    assert steps[0].duration_ms == pytest.approx(4720)
    assert steps[1].action.modifiers == ["ctrl"] and steps[1].action.key == "s"
    assert steps[1].exec_ms == pytest.approx((1762244151.4 - 1762244140.12) * 1000)
    assert steps[0].screenshot.endswith("notepad_greeting/screenshots/step_000.png")
    assert any("asking the agent" in line for line in steps[0].logs)
    # folder name differs from the raw id: screenshots still resolve from the folder
    dark = next(e for e in run.executions if e.task_id == "settings:dark mode?")
    dark_steps = load_openadapt_steps(run, dark, ctx)
    assert dark_steps[0].action.element_id == "12" and not dark_steps[0].action.has_point
    assert Path(dark_steps[0].screenshot).exists()


def test_screenshots_without_records_become_action_less_steps(tmp_path: Path) -> None:
    run_dir = build_complete_run(tmp_path)
    write_png(run_dir / "tasks" / "notepad_greeting" / "screenshots" / "step_003.png")
    run, _ = read(run_dir, tmp_path)
    execution = next(e for e in run.executions if e.task_id == "notepad_greeting")
    steps = load_openadapt_steps(run, execution, ReadContext(root=tmp_path))
    assert len(steps) == 4
    assert steps[3].actions == [] and steps[3].source_number == 3


def test_duplicate_task_ids_keep_both_tasks(tmp_path: Path) -> None:
    run_dir = build_complete_run(tmp_path)
    clone = run_dir / "tasks" / "notepad_greeting_retry"
    clone.mkdir()
    for name in ("task.json", "execution.json"):
        (clone / name).write_bytes((run_dir / "tasks" / "notepad_greeting" / name).read_bytes())
    run, ctx = read(run_dir, tmp_path)
    assert len(run.tasks) == 4
    assert {t.task_id for t in run.tasks} >= {"notepad_greeting", "notepad_greeting_retry"}
    assert any("also used by" in p.message for p in ctx.problems)


def test_mock_runs_are_marked(tmp_path: Path) -> None:
    run_dir = build_complete_run(tmp_path)
    meta = json.loads((run_dir / "metadata.json").read_text())
    meta["benchmark_name"] = "waa-mock"
    write_json(run_dir / "metadata.json", meta)
    run, _ = read(run_dir, tmp_path)
    assert run.is_mock


SCREEN = (1920, 1200)


def test_action_coordinates_follow_the_formats_rules() -> None:
    norm = map_action(action(type="click", x=0.5, y=0.25), SCREEN)
    assert (norm.x, norm.y, norm.coord_quality) == (0.5, 0.25, "exact")
    px = map_action(action(type="click", x=960, y=300), SCREEN)
    assert (px.x, px.y, px.coord_quality) == (0.5, 0.25, "converted")
    placeholder = map_action(action(type="click", x=0.5, y=0.5, target_node_id="7"), SCREEN)
    assert placeholder.coord_quality == "placeholder" and not placeholder.has_point
    element = map_action(action(type="click", target_node_id=41), SCREEN)
    assert element.element_id == "41" and not element.has_point
    # norm point 100 px away from the executed code: the code wins
    trusted = map_action(
        action(type="click", x=0.5, y=0.5, raw_action={"code": "computer.click(812, 403)"}), SCREEN
    )
    assert trusted.x == pytest.approx(812 / 1920) and trusted.y == pytest.approx(403 / 1200)
    double = map_action(
        action(type="click", x=0.1, y=0.1, raw_action={"click_variant": "double_click"}), SCREEN
    )
    assert double.type == "double_click"
    right = map_action(
        action(type="click", x=0.1, y=0.1, raw_action={"code": "computer.right_click(192, 120)"}),
        SCREEN,
    )
    assert right.type == "right_click"
    drag = map_action(action(type="drag", x=0.1, y=0.2, end_x=0.3, end_y=0.4), SCREEN)
    assert (drag.end_x, drag.end_y) == (0.3, 0.4)
    assert map_action("garbage", SCREEN).type == "other"
    assert map_action(action(type="teleport"), SCREEN).type == "other"
