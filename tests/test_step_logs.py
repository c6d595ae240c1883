"""Log lines go to the step they follow in time, else the step they name (DESIGN §10)."""

from __future__ import annotations

import json
from pathlib import Path

from bench_tui.model import Step
from bench_tui.sources.common import ReadContext
from bench_tui.sources.openadapt.run import load_openadapt_steps, read_openadapt_run
from bench_tui.sources.openadapt.step_logs import (
    BEFORE,
    LogEntry,
    attach_log_lines,
    place_log_lines,
)
from tests.fixtures.openadapt_builders import build_complete_run, write_json

EPOCH = 1762244140.0


def steps_at(*times: float | None, numbered: bool = True) -> list[Step]:
    return [
        Step(index=i, source_number=i if numbered else None, timestamp=t)
        for i, t in enumerate(times)
    ]


def entry(timestamp: float | None, message: str) -> LogEntry:
    return LogEntry(timestamp, message, f"INFO: {message}")


def test_two_clocks_the_lines_naming_steps_mark_where_each_step_begins() -> None:
    # OpenAdapt: log times count from the task's start, step times are epoch seconds.
    steps = steps_at(EPOCH + 6, EPOCH + 8, EPOCH + 10)
    entries = [
        entry(0.02, "Started collecting data for task: t"),
        entry(1.0, "Environment reset complete, starting task execution"),
        entry(5.0, "Step 0: Getting action from agent"),
        entry(6.0, "Step 0: Agent chose action: click"),
        entry(7.0, "Step 1: Getting action from agent"),
        entry(7.5, "Step 1: Executing action in environment"),
        entry(7.6, "Loop detected: the same action was repeated 3+ times"),
        entry(9.0, "Step 2: Agent signaled task completion"),
        entry(9.5, "Task reached maximum steps (15)"),
        entry(10.0, "Evaluating task result"),
        entry(11.0, "Task failed (score 0.00)"),
    ]
    assert place_log_lines(steps, entries) == [BEFORE, BEFORE, 0, 0, 1, 1, 1, 2, 2, 2, 2]


def test_one_clock_the_time_wins_over_the_text() -> None:
    steps = steps_at(EPOCH + 10, EPOCH + 20, EPOCH + 30)
    entries = [
        entry(EPOCH + 1, "Step 2: says two but came first"),
        entry(EPOCH + 21, "warning after the second step"),
        entry(EPOCH + 20, "exactly at the second step"),
        entry(EPOCH + 99, "long after the last step"),
    ]
    assert place_log_lines(steps, entries) == [BEFORE, 1, 1, 2]


def test_relative_times_on_both_sides_are_one_clock() -> None:
    steps = steps_at(2.0, 4.0)
    assert place_log_lines(steps, [entry(1.0, "x"), entry(3.0, "Step 0: y")]) == [BEFORE, 0]


def test_without_times_the_named_step_else_the_line_before() -> None:
    steps = steps_at(None, None, None)
    entries = [
        entry(None, "preparing"),
        entry(None, "Step 1: asking"),
        entry(None, "a warning about it"),
        entry(None, "step 7: beyond the last step names nothing"),
        entry(None, "STEP 2 done"),
        entry(None, "at step 0 the text names no step: not a prefix"),
    ]
    assert place_log_lines(steps, entries) == [BEFORE, 1, 1, 1, 2, 2]


def test_named_steps_follow_the_formats_own_numbers() -> None:
    # Step records numbered 5, 6 (a trace that starts late): "Step 6" is the second record.
    steps = [Step(index=0, source_number=5), Step(index=1, source_number=6)]
    assert place_log_lines(steps, [entry(None, "Step 6: x"), entry(None, "Step 0: y")]) == [1, 1]
    unnumbered = steps_at(None, None, numbered=False)
    assert place_log_lines(unnumbered, [entry(None, "Step 1: x")]) == [1]


def test_broken_times_are_ignored_not_compared() -> None:
    steps = steps_at(EPOCH, float("nan"))
    entries = [entry(float("inf"), "Step 1: x"), entry(float("nan"), "y")]
    assert place_log_lines(steps, entries) == [1, 1]


def test_attach_puts_early_lines_before_the_first_step() -> None:
    steps = steps_at(EPOCH + 1, EPOCH + 2)
    attach_log_lines(steps, [entry(EPOCH, "early"), entry(EPOCH + 3, "late")])
    assert steps[0].logs_before == ["INFO: early"] and steps[0].logs == []
    assert steps[1].logs == ["INFO: late"] and steps[1].logs_before == []
    attach_log_lines([], [entry(None, "no step to attach to")])  # nothing to do, no error


def test_openadapt_lines_without_a_step_prefix_follow_their_step(tmp_path: Path) -> None:
    run_dir = build_complete_run(tmp_path)
    path = run_dir / "tasks" / "notepad_greeting" / "execution.json"
    data = json.loads(path.read_text())
    data["logs"] = [
        {"timestamp": 0.02, "level": "INFO", "message": "Started collecting data"},
        {"timestamp": 1.2, "level": "INFO", "message": "Step 0: Getting action from agent"},
        {"timestamp": 9.0, "level": "INFO", "message": "Step 1: Getting action from agent"},
        {"timestamp": 12.0, "level": "INFO", "message": "Step 2: Getting action from agent"},
        {"timestamp": 12.1, "level": "WARNING", "message": "Loop detected: repeated 3+ times"},
        {"timestamp": 13.0, "level": "WARNING", "message": "Reached max steps (15)"},
        {"timestamp": 14.0, "level": "INFO", "message": "Task failed (score 0.00)"},
    ]
    write_json(path, data)
    ctx = ReadContext(root=tmp_path)
    run = read_openadapt_run(run_dir, ctx)
    execution = next(e for e in run.executions if e.task_id == "notepad_greeting")
    steps = load_openadapt_steps(run, execution, ctx)
    assert steps[0].logs_before == ["INFO: Started collecting data"]
    assert steps[0].logs == ["INFO: Step 0: Getting action from agent"]
    assert steps[2].logs == [
        "INFO: Step 2: Getting action from agent",
        "WARNING: Loop detected: repeated 3+ times",
        "WARNING: Reached max steps (15)",
        "INFO: Task failed (score 0.00)",
    ]
    assert steps[1].logs == ["INFO: Step 1: Getting action from agent"]
