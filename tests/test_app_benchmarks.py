"""Pilot tests: the app shell, run list, run page and problems, on fixture workspaces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.analysis.summary import format_rate
from bench_tui.model import Execution, Run, Task
from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.help import HelpScreen
from bench_tui.tui.screens.problems import FileExcerptScreen, ProblemsScreen
from bench_tui.tui.screens.run import RunScreen
from bench_tui.tui.widgets.metric_cards import MetricCards
from bench_tui.tui.widgets.virtual_table import VirtualTable
from tests.fixtures.openadapt_builders import build_complete_run, build_crashed_run
from tests.fixtures.pilot import pause_until, plain

SIZE = (160, 48)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    build_complete_run(tmp_path)
    build_crashed_run(tmp_path)
    return tmp_path


async def settle(app: BenchApp, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def card_texts(screen: RunScreen) -> list[str]:
    return [plain(card.content) for card in screen.query_one(MetricCards).query(".metric-card")]


async def test_run_list_shows_runs_newest_first_with_success(workspace: Path) -> None:
    app = BenchApp(workspace, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.query_one("#runs-table", VirtualTable)
        assert [row.key for row in table.rows] == [
            "benchmark_results/waa_eval_20251105_220110",
            "benchmark_results/waa_eval_20251104_091522",
        ]
        assert plain(table.rows[1].cells[5]) == "33.3%"
        assert app.query_one("#tabs").active == "benchmarks"


async def test_success_on_screen_equals_summary_json(workspace: Path) -> None:
    data = json.loads(CliRunner().invoke(cli.app, ["summary", str(workspace), "--json"]).output)
    expected = {run["id"]: run["models"][0]["success_rate"] for run in data["runs"]}
    app = BenchApp(workspace, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.query_one("#runs-table", VirtualTable)
        for position, row in enumerate(table.rows):
            table.cursor_row = position
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, RunScreen)
            assert format_rate(expected[row.key]) in card_texts(app.screen)[0]
            assert plain(row.cells[5]) == format_rate(expected[row.key])
            await pilot.press("escape")
            await pilot.pause()


async def test_run_page_filter_sort_and_failures_only(workspace: Path) -> None:
    app = BenchApp(workspace, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunScreen) and screen.run.label == "waa_eval_20251104_091522"
        tasks = screen.query_one("#tasks-table", VirtualTable)
        assert len(tasks.rows) == 3
        await pilot.press("x")
        await pilot.pause()
        assert {row.key for row in tasks.rows} == {
            "settings:dark mode?",
            "51b59aec-fa49-4b1c-85ca-ab90357f3abc-WOS",
        }
        await pilot.press("x")
        await pilot.pause()
        assert len(tasks.rows) == 3
        await pilot.press("slash")
        await pilot.press(*"domain:notepad")
        await pilot.pause()
        assert [row.key for row in tasks.rows] == ["notepad_greeting"]
        await pilot.press("escape")  # clears the filter
        await pilot.pause()
        assert len(tasks.rows) == 3
        tasks.focus()
        await pilot.press("s")  # sort by the first column
        await pilot.pause()
        ascending = [row.key for row in tasks.rows]
        assert ascending == sorted(ascending, key=str.lower)
        await pilot.press("s")
        await pilot.pause()
        assert [row.key for row in tasks.rows] == ascending[::-1]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, RunScreen)


async def test_run_list_filter(workspace: Path) -> None:
    app = BenchApp(workspace, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"091522")
        await pilot.pause()
        table = app.query_one("#runs-table", VirtualTable)
        assert [row.key for row in table.rows] == ["benchmark_results/waa_eval_20251104_091522"]
        await pilot.press("enter")  # leaves the filter, focus back on the list
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)


async def test_tabs_help_and_quit(workspace: Path) -> None:
    app = BenchApp(workspace, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("1")
        assert app.query_one("#tabs").active == "training"
        await pilot.press("2")
        assert app.query_one("#tabs").active == "viewer"
        await pilot.press("3")
        assert app.query_one("#tabs").active == "benchmarks"
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        described = {description for _, description in app.screen.rows}
        assert {"Problems", "Reload", "Quit", "Filter"} <= described
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_problems_screen_lists_and_opens_the_file(workspace: Path) -> None:
    run = workspace / "benchmark_results" / "waa_eval_20251104_091522"
    (run / "tasks" / "notepad_greeting" / "execution.json").write_text(
        '{\n  "success": true,\n  "num_steps": "ten"\n}\n'
    )
    app = BenchApp(workspace, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)
        table = screen.query_one(VirtualTable)
        (row,) = [r for r in table.rows if "num_steps" in plain(r.cells[2])]
        table.move_cursor_to_key(row.key)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, FileExcerptScreen)
        body = plain(app.screen.query_one("#excerpt-body").content)
        assert '"num_steps": "ten"' in body and "     3 │" in body


async def test_reload_picks_up_new_runs(workspace: Path, tmp_path: Path) -> None:
    app = BenchApp(workspace, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert len(app.workspace.runs) == 2
        build_complete_run(workspace / "more")
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.pause()
        assert len(app.workspace.runs) == 3
        assert len(app.query_one("#runs-table", VirtualTable).rows) == 3


async def test_empty_folder_says_what_it_looks_for(tmp_path: Path) -> None:
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.query_one("#runs-table", VirtualTable)
        assert table.rows == [] and "metadata.json" in table.empty_text


def two_model_run() -> Run:
    tasks = [
        Task(task_id=f"t{i}", domain="d" if i % 2 else "e", instruction=f"do {i}")
        for i in range(30)
    ]
    executions = []
    for i, task in enumerate(tasks):
        executions.append(
            Execution(
                task_id=task.task_id, model="base", status="passed" if i % 3 == 0 else "failed"
            )
        )
        executions.append(
            Execution(
                task_id=task.task_id, model="tuned", status="passed" if i % 2 == 0 else "failed"
            )
        )
    return Run(
        id="r",
        path="/nonexistent/r",
        format="agentlab",
        label="study",
        tasks=tasks,
        executions=executions,
    )


async def test_model_cycling_breakdown_toggle_and_list_movement(tmp_path: Path) -> None:
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(RunScreen(two_model_run(), tmp_path))
        await pilot.pause()
        screen = app.screen
        # ▸ marks the model whose steps, time and error the rows show
        assert [c.label for c in screen.query_one("#tasks-table", VirtualTable).columns][3:5] == [
            "▸base",
            "tuned",
        ]
        assert card_texts(screen)[0].startswith("success\n33.3%")
        await pilot.press("m")
        assert card_texts(screen)[0].startswith("success\n50.0%")
        assert [c.label for c in screen.query_one("#tasks-table", VirtualTable).columns][3:5] == [
            "base",
            "▸tuned",
        ]
        await pilot.press("m")
        assert card_texts(screen)[0].startswith("success\n33.3%")
        breakdown = screen.query_one("#run-breakdown")
        shown = breakdown.display
        await pilot.press("d")
        assert breakdown.display is not shown
        table = screen.query_one("#tasks-table", VirtualTable)
        await pilot.press("G")
        assert table.cursor_row == 29
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("pagedown")
        assert table.cursor_row > 1
        await pilot.press("pageup")
        assert table.cursor_row == 0
        await pilot.press("j", "j", "k")
        assert table.cursor_row == 1
        await pilot.press("l", "l", "l")
        assert table.cursor_column == 3
        await pilot.press("s")  # sort by the base model's result: passes first when reversed
        await pilot.press("s")
        first = table.rows[0].key
        assert first in {"t0", "t3", "t6", "t9", "t12", "t15", "t18", "t21", "t24", "t27"}
        await pilot.press("h")
        assert table.cursor_column == 2
        await pilot.press("slash", *"model:tuned status:pass")
        await pilot.pause()
        assert {row.key for row in table.rows} == {f"t{i}" for i in range(0, 30, 2)}


async def test_command_palette_lists_screen_actions(workspace: Path) -> None:
    from bench_tui.tui.commands import BindingCommands

    app = BenchApp(workspace, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        provider = BindingCommands(app.screen)
        titles = [str(hit.display) async for hit in provider.discover()]
        assert any(title.startswith("Problems (!)") for title in titles)
        assert any(title.startswith("Reload (r)") for title in titles)
        hits = [hit async for hit in provider.search("reload")]
        assert hits
        await hits[0].command()
        await settle(app, pilot)
        assert app.scan_done


def _cut_after_outcome(path: Path) -> None:
    """Keep execution.json up to a little past `"steps"`: the outcome is whole, the rest is not."""
    text = path.read_text()
    path.write_text(text[: text.index('"steps"') + 30])


async def test_runs_list_before_their_files_are_checked_and_problems_follow(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import bench_tui.tui.app as app_module

    run = workspace / "benchmark_results" / "waa_eval_20251104_091522"
    _cut_after_outcome(run / "tasks" / "notepad_greeting" / "execution.json")
    (run / "tasks" / "settings_dark_mode_" / "screenshots" / "step_001.png").unlink()
    release = threading.Event()
    real_iter_checks = app_module.iter_checks

    def held_checks(*args, **kwargs):
        release.wait(10)
        yield from real_iter_checks(*args, **kwargs)

    monkeypatch.setattr(app_module, "iter_checks", held_checks)
    app = BenchApp(workspace, images="none")
    async with app.run_test(size=SIZE) as pilot:
        assert await pause_until(lambda: app.scan_done, pilot)
        status = app.query_one("#status-line")
        # Listed with their verdicts while the rest of the files wait to be checked.
        statuses = {e.task_id: e.status for r in app.workspace.runs for e in r.executions}
        assert statuses["notepad_greeting"] == "passed"
        assert not app.checks_done
        await pilot.pause()
        assert "checking files… 0%" in plain(status.render())
        assert not any("step_001.png" in p.path for p in app.workspace.problems)
        release.set()
        await settle(app, pilot)
        await pilot.pause()
        assert app.checks_done
        assert "checking" not in plain(status.render())
        found = {
            p.path.rsplit("/", 2)[-2] + "/" + p.path.rsplit("/", 1)[-1]: p.message
            for p in app.workspace.problems
        }
        assert found["screenshots/step_001.png"].startswith("screenshot missing (step 1")
        assert found["notepad_greeting/execution.json"].startswith("invalid JSON")
        assert f"problems: {len(set(app.workspace.problems))}" in plain(status.render())
        expected = CliRunner().invoke(cli.app, ["validate", "--json", str(workspace)])
        assert len(json.loads(expected.stdout)["problems"]) == len(app.workspace.sorted_problems())


async def test_a_reload_while_checking_drops_the_old_scans_findings(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import bench_tui.tui.app as app_module

    run = workspace / "benchmark_results" / "waa_eval_20251104_091522"
    (run / "tasks" / "settings_dark_mode_" / "screenshots" / "step_001.png").unlink()
    first_scan = threading.Event()
    real_iter_checks = app_module.iter_checks
    calls = []

    def first_held(root, checks, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            first_scan.wait(10)
            kwargs["should_stop"] = lambda: False  # as if the cancel came too late
        yield from real_iter_checks(root, checks, **kwargs)

    monkeypatch.setattr(app_module, "iter_checks", first_held)
    app = BenchApp(workspace, images="none")
    async with app.run_test(size=SIZE) as pilot:
        assert await pause_until(lambda: app.scan_done, pilot)
        await pilot.press("r")
        assert await pause_until(lambda: app.checks_done, pilot)
        first_scan.set()
        await settle(app, pilot)
        await pilot.pause()
        missing = [p for p in app.workspace.problems if p.path.endswith("step_001.png")]
        assert len(missing) == 1


async def test_checks_that_fail_midway_are_a_problem_not_a_status_stuck_at_checking(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bench_tui.tui.app as app_module

    def failing_checks(root, checks, **kwargs):
        yield 1, []
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(app_module, "iter_checks", failing_checks)
    app = BenchApp(workspace, images="none")
    async with app.run_test(size=SIZE) as pilot:
        assert await pause_until(lambda: app.checks_done, pilot)
        await pilot.pause()
        status = plain(app.query_one("#status-line").render())
        assert "checking" not in status and "problems: 1" in status
        (problem,) = app.workspace.problems
        assert problem.message == "checking files stopped: [Errno 5] Input/output error"
