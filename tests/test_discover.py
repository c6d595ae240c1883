"""Discovery: formats by files, never by names or depth; every oddity a Problem, never a hang."""

from __future__ import annotations

import os
from pathlib import Path

from bench_tui.sources.discover import discover_workspace, iter_workspace
from tests.fixtures.openadapt_builders import build_complete_run, build_crashed_run


def test_runs_are_found_at_any_depth_and_named_by_relative_path(tmp_path: Path) -> None:
    build_complete_run(tmp_path / "deep" / "er" / "levels")
    build_crashed_run(tmp_path)
    workspace = discover_workspace(tmp_path)
    assert [run.id for run in workspace.runs] == [
        "benchmark_results/waa_eval_20251105_220110",
        "deep/er/levels/benchmark_results/waa_eval_20251104_091522",
    ]


def test_a_renamed_run_folder_is_still_a_run(tmp_path: Path) -> None:
    run = build_complete_run(tmp_path)
    run.rename(tmp_path / "whatever-i-called-it")
    assert [r.id for r in discover_workspace(tmp_path).runs] == ["whatever-i-called-it"]


def test_hidden_and_underscore_folders_are_skipped(tmp_path: Path) -> None:
    build_complete_run(tmp_path / ".trash")
    build_complete_run(tmp_path / "_archive")
    assert discover_workspace(tmp_path).runs == []
    assert len(discover_workspace(tmp_path, include_underscore=True).runs) == 1


def test_symlinked_run_is_listed_once_under_the_first_path(tmp_path: Path) -> None:
    run = build_complete_run(tmp_path / "a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "current").symlink_to(run, target_is_directory=True)
    workspace = discover_workspace(tmp_path)
    assert [r.id for r in workspace.runs] == ["a/benchmark_results/waa_eval_20251104_091522"]
    assert workspace.problems == []


def test_symlink_loop_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    build_complete_run(tmp_path)
    (tmp_path / "loop").mkdir()
    (tmp_path / "loop" / "again").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "self").symlink_to("self")
    workspace = discover_workspace(tmp_path)
    assert len(workspace.runs) == 1
    messages = {p.path: p.message for p in workspace.problems}
    assert "symbolic link loop" in messages["loop/again"]
    assert "self" in messages


def test_broken_json_anywhere_is_located_and_the_rest_still_shows(tmp_path: Path) -> None:
    build_complete_run(tmp_path)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "eval_x.json").write_text(
        '{\n  "metrics": {\n    "num_steps": 3,\n  }\n}\n'
    )
    workspace = discover_workspace(tmp_path)
    assert len(workspace.runs) == 1
    (problem,) = workspace.problems
    assert problem.path == "notes/eval_x.json" and problem.line == 4
    assert "invalid JSON" in problem.message


def test_file_over_the_size_cap_is_not_parsed(tmp_path: Path) -> None:
    big = tmp_path / "huge.json"
    with open(big, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: the cap is checked before any read
    (problem,) = discover_workspace(tmp_path).problems
    assert problem.path == "huge.json" and "over the 32 MB limit" in problem.message


def test_non_utf8_file_names_are_escaped_the_same_everywhere(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/caf\xe9.json"
    with open(name, "wb") as handle:
        handle.write(b"{broken")
    (problem,) = discover_workspace(tmp_path).problems
    assert problem.path == "caf\\xe9.json"


def test_odd_file_names_in_task_folders(tmp_path: Path) -> None:
    run = build_complete_run(tmp_path)
    odd = run / "tasks" / "a b:c?d [1]"
    odd.mkdir()
    (odd / "task.json").write_text('{"task_id": "a b:c?d [1]", "domain": "x"}')
    workspace = discover_workspace(tmp_path)
    assert "a b:c?d [1]" in {t.task_id for t in workspace.runs[0].tasks}


def test_discovery_streams_batches_and_ends_with_done(tmp_path: Path) -> None:
    for index in range(3):
        build_complete_run(tmp_path / f"r{index}")
    batches = list(iter_workspace(tmp_path, batch_interval_s=0.0))
    assert batches[-1].done
    assert len(batches) >= 3
    assert sum(len(b.runs) for b in batches) == 3
    assert batches[-1].dirs_seen >= 3


def test_stop_request_ends_the_walk(tmp_path: Path) -> None:
    for index in range(3):
        build_complete_run(tmp_path / f"r{index}")
    batches = list(iter_workspace(tmp_path, batch_interval_s=0.0, should_stop=lambda: True))
    assert sum(len(b.runs) for b in batches) == 1
    assert not any(b.done for b in batches)
