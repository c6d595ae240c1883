"""The command line against fixtures with known figures (DESIGN §3, §9)."""

from __future__ import annotations

import csv
import io
import json
import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from tests.fixtures.openadapt_builders import build_complete_run, build_crashed_run, write_json

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(cli.app, list(args))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    build_complete_run(tmp_path)
    crashed = build_crashed_run(tmp_path)
    old = time.time() - 3600
    for path in crashed.rglob("*.json"):
        os.utime(path, (old, old))
    return tmp_path


def test_summary_json_gives_exact_figures(workspace: Path) -> None:
    result = invoke("summary", str(workspace), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    runs = {run["id"]: run for run in data["runs"]}
    complete = runs["benchmark_results/waa_eval_20251104_091522"]
    assert complete["format"] == "openadapt" and complete["benchmark"] == "waa"
    (model,) = complete["models"]
    assert model["model"] == "tern-vl-3b-lora-e3"
    assert (model["tasks"], model["finished"], model["succeeded"]) == (3, 3, 1)
    assert model["success_rate"] == 1 / 3  # raw float, not rounded
    assert model["mean_steps"] == 1.0
    assert model["by_domain"]["notepad"] == {"tasks": 1, "succeeded": 1, "success_rate": 1.0}
    crashed = runs["benchmark_results/waa_eval_20251105_220110"]
    total = sum(m["tasks"] for m in crashed["models"])
    assert total == 2
    assert all(m["success_rate"] == 0.0 for m in crashed["models"])
    assert crashed["live"] is False
    assert data["problems"] == []


def test_summary_human_table(workspace: Path) -> None:
    result = runner.invoke(cli.app, ["summary", str(workspace)], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert "waa_eval_20251104_091522" in result.output and "33.3%" in result.output


def test_missing_dir_is_a_usage_error_without_traceback(tmp_path: Path) -> None:
    for command in ("summary", "validate", "export"):
        args = [command, str(tmp_path / "nope")] + (
            ["--format", "csv"] if command == "export" else []
        )
        result = invoke(*args)
        assert result.exit_code == 2
        assert "Traceback" not in result.output


def test_validate_lists_sorted_located_problems_and_exits_1(workspace: Path) -> None:
    run = workspace / "benchmark_results" / "waa_eval_20251104_091522"
    (run / "tasks" / "notepad_greeting" / "execution.json").write_text(
        '{\n "success": true,\n "num_steps": "ten"\n}'
    )
    (run / "tasks" / "notepad_greeting" / "screenshots" / "step_001.png").unlink()
    result = invoke("validate", str(workspace))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == sorted(lines)
    prefix = "benchmark_results/waa_eval_20251104_091522/tasks/notepad_greeting/execution.json:3: "
    assert any(line.startswith(prefix) and "'num_steps'" in line for line in lines)
    data = json.loads(invoke("validate", str(workspace), "--json").output)
    assert len(data["problems"]) == len(lines)
    summary = json.loads(invoke("summary", str(workspace), "--json").output)
    assert summary["problems"] == data["problems"]


def test_validate_clean_folder(workspace: Path) -> None:
    result = invoke("validate", str(workspace))
    assert result.exit_code == 0
    assert result.output.strip() == f"no problems in {workspace}"


def test_export_csv_and_json(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "rows.csv"
    result = invoke("export", str(workspace), "--format", "csv", "-o", str(out))
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert list(rows[0]) == [
        "run",
        "model",
        "task_id",
        "domain",
        "status",
        "success",
        "score",
        "steps",
        "duration_s",
        "error",
        "labels",
        "note",
    ]
    by_task = {row["task_id"]: row for row in rows}
    assert len(rows) == 5
    assert by_task["notepad_greeting"]["success"] == "true"
    assert by_task["notepad_greeting"]["status"] == "passed"
    assert by_task["paint_circle"]["status"] == "unfinished"
    assert by_task["paint_circle"]["score"] == ""  # null is an empty field
    assert by_task["51b59aec-fa49-4b1c-85ca-ab90357f3abc-WOS"]["status"] == "infra"
    as_json = json.loads(invoke("export", str(workspace), "--format", "json").output)
    assert isinstance(as_json, list) and len(as_json) == 5
    assert {r["task_id"]: r["success"] for r in as_json}["settings:dark mode?"] is False


def test_default_command_is_open(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[tuple[Path, str | None]] = []
    import bench_tui.tui.launch as launch_module

    monkeypatch.setattr(launch_module, "launch", lambda d, images, **_: opened.append((d, images)))
    assert invoke("--images=halfblock", str(workspace)).exit_code == 0
    assert invoke(str(workspace)).exit_code == 0
    assert opened == [(workspace, "halfblock"), (workspace, None)]


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and result.output.startswith("bench-tui ")


def test_summary_counts_a_disagreeing_summary_as_a_problem(workspace: Path) -> None:
    run = workspace / "benchmark_results" / "waa_eval_20251104_091522"
    summary = json.loads((run / "summary.json").read_text())
    summary["num_tasks"] = 4
    write_json(run / "summary.json", summary)
    data = json.loads(invoke("summary", str(workspace), "--json").output)
    (problem,) = data["problems"]
    assert problem["path"].endswith("summary.json") and "'num_tasks' is 4" in problem["message"]
    complete = next(r for r in data["runs"] if r["id"].endswith("091522"))
    assert complete["models"][0]["tasks"] == 3
