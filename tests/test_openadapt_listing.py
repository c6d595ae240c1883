"""Listing from outcomes, checking the rest later: the same figures and Problems as reading it all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench_tui.model import Problem, Run
from bench_tui.sources import common
from bench_tui.sources._io.json_head import HEAD_BYTES
from bench_tui.sources.base import PendingChecks
from bench_tui.sources.checks_runner import iter_checks
from bench_tui.sources.common import ReadContext
from bench_tui.sources.discover import discover_workspace, iter_workspace
from bench_tui.sources.openadapt.execution import run_checks
from bench_tui.sources.openadapt.run import read_openadapt_run
from tests.fixtures.openadapt_builders import action, build_complete_run, write_json
from tests.fixtures.png import write_png


def outcome(task_id: str, **changes: Any) -> dict[str, Any]:
    """An execution record with every outcome key before `steps`, as openadapt-evals writes it."""
    record: dict[str, Any] = {
        "task_id": task_id,
        "model_id": "tern-vl-3b-lora-e3",
        "success": True,
        "score": 1.0,
        "num_steps": 2,
        "total_time_seconds": 12.5,
        "error": None,
        "reason": "done",
        "error_type": None,
        "steps": [
            {
                "step_idx": number,
                "screenshot_path": f"screenshots/step_{number:03d}.png",
                "action": action(type="click", x=0.5, y=0.5),
            }
            for number in range(2)
        ],
        "logs": [],
    }
    record.update(changes)
    return record


def add_task(run: Path, name: str, execution: dict[str, Any] | None, raw: bytes | None = None):
    task_dir = run / "tasks" / name
    write_json(task_dir / "task.json", {"task_id": name, "domain": "paint", "instruction": "x"})
    for number in range(2):
        write_png(task_dir / "screenshots" / f"step_{number:03d}.png", (64, 40))
    path = task_dir / "execution.json"
    if raw is not None:
        path.write_bytes(raw)
    elif execution is not None:
        write_json(path, execution)
    return path


def build_awkward_run(root: Path) -> Path:
    """One run holding every shape of execution.json the two ways of reading must agree on."""
    run = build_complete_run(root)
    add_task(run, "plain", outcome("plain"))
    cut = json.dumps(outcome("cut_after_outcome"), indent=1).encode()
    add_task(run, "cut_after_outcome", None, raw=cut[: cut.index(b'"steps"') + 40])
    long_error = "Traceback line\n" * (HEAD_BYTES // 10)
    add_task(run, "long_head", outcome("long_head", success=False, error=long_error))
    long_cut = json.dumps(outcome("long_head_cut", success=False, error=long_error)).encode()
    add_task(run, "long_head_cut", None, raw=long_cut[:-60])
    old = outcome("older_writer")
    del old["error_type"]
    add_task(run, "older_writer", old)
    add_task(run, "steps_not_a_list", outcome("steps_not_a_list", steps={"0": "click"}))
    add_task(run, "step_not_an_object", outcome("step_not_an_object", steps=["click", 3]))
    missing = add_task(run, "screenshot_missing", outcome("screenshot_missing"))
    (missing.parent / "screenshots" / "step_001.png").unlink()
    add_task(run, "an_array", None, raw=b"[1, 2, 3]")
    add_task(run, "wrong_score", outcome("wrong_score", score="high"))
    tail_binary = json.dumps(outcome("binary_tail")).encode()
    add_task(run, "binary_tail", None, raw=tail_binary[:-3] + b"\x00" + tail_binary[-3:])
    add_task(run, "latin1_tail", None, raw=json.dumps(outcome("latin1_tail")).encode() + b"\xe9")
    bad_step = json.dumps(outcome("bad_byte_in_steps")).encode()
    at = bad_step.index(b'"steps"') + 30
    add_task(run, "bad_byte_in_steps", None, raw=bad_step[:at] + b"\xff" + bad_step[at + 1 :])
    add_task(run, "no_success", outcome("no_success", success=None))
    add_task(run, "empty", None, raw=b"")
    add_task(run, "unfinished", None)
    repeated = json.dumps(outcome("repeated_keys"))[:-1] + ', "success": false, "score": 0.0}'
    add_task(run, "repeated_keys", None, raw=repeated.encode())
    add_task(run, "nul_in_path", outcome("nul_in_path", steps=[{"screenshot_path": "a\x00b.png"}]))
    add_task(run, "bom", None, raw=b"\xef\xbb\xbf" + json.dumps(outcome("bom")).encode())
    nested = outcome("nested_steps", error={"steps": [1, 2]})
    add_task(run, "nested_steps", nested)
    padded = outcome("cut_in_a_character", reason="é" * 9000)
    add_task(run, "cut_in_a_character", padded)
    return run


def in_order(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.message))


def read_full(run_dir: Path, root: Path) -> tuple[Run, list[Problem]]:
    ctx = ReadContext(root=root)
    run = read_openadapt_run(run_dir, ctx, now=0.0)
    return run, in_order(ctx.problems)


def read_listed_then_checked(run_dir: Path, root: Path) -> tuple[Run, list[Problem], int]:
    ctx, checks = ReadContext(root=root), PendingChecks()
    run = read_openadapt_run(run_dir, ctx, now=0.0, checks=checks)
    deferred = len(checks.executions)
    run_checks(checks, ctx)
    return run, in_order(ctx.problems), deferred


def test_listing_then_checking_equals_reading_everything(tmp_path: Path) -> None:
    run_dir = build_awkward_run(tmp_path)
    full_run, full_problems = read_full(run_dir, tmp_path)
    listed_run, listed_problems, deferred = read_listed_then_checked(run_dir, tmp_path)
    assert listed_run == full_run
    assert listed_problems == full_problems
    # The fast path was taken where it can be (not a test that reads everything twice).
    assert deferred >= 8


def test_a_file_cut_after_its_outcome_keeps_its_verdict_and_says_where_it_breaks(
    tmp_path: Path,
) -> None:
    run_dir = build_awkward_run(tmp_path)
    run, problems = read_full(run_dir, tmp_path)
    status = {e.task_id: e.status for e in run.executions}
    assert status["cut_after_outcome"] == "passed"
    assert status["long_head_cut"] == "failed"  # its outcome is past the first HEAD_BYTES
    assert status["an_array"] == "unfinished"
    assert status["empty"] == "unfinished"
    assert status["no_success"] == "errored"
    by_file: dict[str, list[Problem]] = {}
    for problem in problems:
        by_file.setdefault(problem.path.removeprefix(run.id + "/tasks/"), []).append(problem)
    (cut,) = by_file["cut_after_outcome/execution.json"]
    assert cut.message.startswith("invalid JSON") and cut.line is not None and cut.line > 10
    assert "expected a list for 'steps'" in by_file["steps_not_a_list/execution.json"][0].message
    assert [p.message for p in by_file["step_not_an_object/execution.json"]] == [
        "expected an object for step 0, got str",
        "expected an object for step 1, got int",
    ]
    (shot,) = by_file["screenshot_missing/screenshots/step_001.png"]
    assert shot.message.startswith("screenshot missing (step 1 of ")
    (score,) = by_file["wrong_score/execution.json"]
    assert score.line == 5 and "'score'" in score.message
    assert by_file["binary_tail/execution.json"][0].message.startswith("binary data")
    assert by_file["latin1_tail/execution.json"][0].message.startswith("not UTF-8")
    assert status["binary_tail"] == "passed" and status["latin1_tail"] == "passed"
    assert status["bad_byte_in_steps"] == "passed"  # the byte is after the outcome
    assert by_file["bad_byte_in_steps/execution.json"][0].message.startswith("not UTF-8")
    # Read the way the app reads it (the members before "steps"), whichever path reads it.
    assert status["repeated_keys"] == "passed"
    assert status["bom"] == "passed" and status["nested_steps"] == "passed"
    assert status["cut_in_a_character"] == "passed"
    (nul,) = [p for p in problems if "nul_in_path" in p.path and "NUL" in p.message]
    assert nul.message.startswith("screenshot path holds a NUL byte (step 0 of ")


def test_a_file_over_the_size_limit_is_judged_by_its_outcome_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = tmp_path / "benchmark_results" / "waa_eval_20251104_091522"
    write_json(run / "metadata.json", {"benchmark_name": "waa", "run_name": run.name})
    add_task(run, "big", outcome("big", logs=["x" * 4000]))
    monkeypatch.setattr(common, "MAX_PARSE_BYTES", 3000)
    full_run, full_problems = read_full(run, tmp_path)
    listed_run, listed_problems, _ = read_listed_then_checked(run, tmp_path)
    assert (full_run, full_problems) == (listed_run, listed_problems)
    assert full_run.executions[0].status == "passed"
    assert "over the 32 MB limit" in full_problems[0].message


@pytest.mark.parametrize("use_process", [False, True])
def test_the_app_path_finds_what_the_command_line_finds(
    tmp_path: Path, use_process: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench_tui.sources import checks_runner

    build_awkward_run(tmp_path)
    expected = discover_workspace(tmp_path)
    runs, problems, checks = [], [], PendingChecks()
    for batch in iter_workspace(tmp_path, defer_checks=True, now=0.0):
        runs.extend(batch.runs)
        problems.extend(batch.problems)
        checks.extend(batch.checks)
    assert len(checks) > 0
    if use_process:  # the worker process does all of it, or the test fails

        def not_here(*args: object) -> None:
            raise AssertionError("checked in the app's process")

        monkeypatch.setattr(checks_runner, "run_checks", not_here)
    checked = 0
    for size, found in iter_checks(tmp_path, checks, use_process=use_process, chunk=7):
        checked += size
        problems.extend(found)
    assert checked == len(checks)
    assert in_order(problems) == in_order(expected.problems)
    figures = {e.task_id: (e.status, e.score) for run in runs for e in run.executions}
    assert figures == {e.task_id: (e.status, e.score) for r in expected.runs for e in r.executions}


def test_checks_stop_when_asked(tmp_path: Path) -> None:
    build_awkward_run(tmp_path)
    checks = PendingChecks()
    for batch in iter_workspace(tmp_path, defer_checks=True):
        checks.extend(batch.checks)
    pieces = iter_checks(tmp_path, checks, use_process=False, chunk=1, should_stop=lambda: True)
    assert list(pieces) == []


@pytest.mark.parametrize("interpreter", ["/bin/false", "/nonexistent/python", "one_answer"])
def test_a_worker_that_dies_or_cannot_start_leaves_nothing_unchecked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interpreter: str
) -> None:
    import sys

    from bench_tui.sources import checks_runner

    if interpreter == "one_answer":  # the real worker, but it is gone after its first answer
        script = tmp_path / "one_answer.sh"
        script.write_text(f'#!/bin/sh\n"{sys.executable}" "$@" | head -n 1\n')
        script.chmod(0o755)
        interpreter = str(script)
    build_awkward_run(tmp_path / "ws")
    tmp_path = tmp_path / "ws"
    expected = discover_workspace(tmp_path)
    problems, checks = [], PendingChecks()
    for batch in iter_workspace(tmp_path, defer_checks=True, now=0.0):
        problems.extend(batch.problems)
        checks.extend(batch.checks)
    monkeypatch.setattr(checks_runner.sys, "executable", interpreter)
    pieces = list(iter_checks(tmp_path, checks, use_process=True, chunk=3))
    assert sum(size for size, _ in pieces) == len(checks)
    problems.extend(p for _, found in pieces for p in found)
    assert in_order(problems) == in_order(expected.problems)


def test_reading_everything_opens_each_execution_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command line checks at once: the head the outcome comes from and the whole file
    # checked after it are one read, not two (summary --json on 9 000 tasks: ~0.2 s).
    import os

    from bench_tui import safeio

    run_dir = build_awkward_run(tmp_path)
    opened: list[str] = []
    real_open = os.open

    def counting_open(path: Any, *args: Any, **kwargs: Any) -> int:
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(safeio.os, "open", counting_open)
    read_full(run_dir, tmp_path)
    executions = [path for path in opened if path.endswith("/execution.json")]
    assert len(executions) > 20
    assert len(executions) == len(set(executions))
