"""What the command line says when it is used wrongly, and how it prints for a pipe."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.demo import write_demo
from tests.fixtures.offline_builders import build_eval_reports

runner = CliRunner()


def test_a_file_given_as_dir_is_called_a_file(tmp_path: Path) -> None:
    target = tmp_path / "benchmark_live.json"
    target.write_text("{}")
    result = runner.invoke(cli.app, ["summary", str(target)])
    assert result.exit_code == 2
    assert "is a file, not a folder" in result.output and "no such folder" not in result.output


def test_an_unknown_export_format_is_one_plain_sentence(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["export", "--format", "xml", str(tmp_path)])
    assert result.exit_code == 2
    assert "--format must be csv, json or parquet (got 'xml')" in result.output
    assert "Value error" not in result.output


def test_usage_lines_and_unknown_options() -> None:
    open_help = runner.invoke(cli.app, ["open", "--help"]).output
    assert "[DIR]" in open_help and "[[DIR]]" not in open_help
    bogus = runner.invoke(cli.app, ["--bogus"])
    assert bogus.exit_code == 2
    assert "[OPTIONS] COMMAND" in bogus.output and "No such option: --bogus" in bogus.output
    assert " open " not in bogus.output
    # An option of `open` before the folder still means `open`.
    missing = runner.invoke(cli.app, ["--images=none", "/nonexistent-folder"])
    assert missing.exit_code == 2 and "no such folder" in missing.output


def test_piped_summary_lists_episodes_and_never_wraps(tmp_path: Path) -> None:
    write_demo(tmp_path / "demo", tasks_per_run=2)
    result = subprocess.run(
        [sys.executable, "-c", "from bench_tui.cli import main; main()", "summary", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "40", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    data = json.loads(runner.invoke(cli.app, ["summary", "--json", str(tmp_path)]).stdout)
    lines = result.stdout.splitlines()
    for run in data["runs"]:
        assert any(run["id"] in line for line in lines), run["id"]  # whole, on one line
    assert data["episodes"]
    for episode in data["episodes"]:
        assert any(episode["id"] in line for line in lines), episode["id"]


def test_two_eval_reports_have_no_mcnemar_p(tmp_path: Path) -> None:
    paths = build_eval_reports(tmp_path)
    result = runner.invoke(cli.app, ["compare", str(paths["base"]), str(paths["ft"]), "--json"])
    assert json.loads(result.stdout)["mcnemar_p"] is None


def test_demo_next_to_a_demo_folder_says_how_to_open_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "demo").mkdir()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli.app, ["demo", "--no-open", "--tasks", "1"])
    assert result.exit_code == 0, result.output
    assert "bench-tui open demo" in result.output


def test_rewriting_the_demo_keeps_its_triage_labels(tmp_path: Path) -> None:
    from bench_tui.triage.store import TriageStore

    out = tmp_path / "d"
    summary = write_demo(out, tasks_per_run=2)
    run = summary.runs[0].path
    task_id = sorted(path.name for path in (run / "tasks").iterdir())[0]
    TriageStore(run).add_label(summary.runs[0].model, task_id, "flaky")
    result = runner.invoke(cli.app, ["demo", "--no-open", "--tasks", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "kept the triage labels of 1 run(s)" in result.output
    state = TriageStore(run).state()
    assert state.labels_for(summary.runs[0].model, task_id) == ["flaky"]
    assert not (out / ".bench-tui-labels-kept").exists()


def test_show_prints_one_step_with_the_action_and_its_screenshot(tmp_path: Path) -> None:
    summary = write_demo(tmp_path / "demo", tasks_per_run=2)
    run = summary.runs[0]
    root = tmp_path / "demo"
    run_id = run.path.relative_to(root).as_posix()
    task_id = json.loads(
        runner.invoke(cli.app, ["export", "--format", "json", str(run.path)]).stdout
    )[0]["task_id"]
    piped = runner.invoke(cli.app, ["show", str(root), run_id, task_id, "1"])
    assert piped.exit_code == 0, piped.output
    assert f"{run_id} · {run.model} · {task_id}" in piped.stdout
    assert "step 1/" in piped.stdout and "▶ " in piped.stdout
    assert "▀" not in piped.stdout and "▄" not in piped.stdout  # piped: text only
    drawn = runner.invoke(
        cli.app, ["show", str(root), run_id, task_id, "1", "--images", "halfblock"]
    )
    assert drawn.exit_code == 0 and "▄" in drawn.stdout  # rich-pixels half-blocks
    too_far = runner.invoke(cli.app, ["show", str(root), run_id, task_id, "99"])
    assert too_far.exit_code == 2 and "out of range" in too_far.output
    unknown = runner.invoke(cli.app, ["show", str(root), "no/such/run", task_id])
    assert unknown.exit_code == 2 and "no run 'no/such/run'" in unknown.output
