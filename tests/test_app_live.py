"""Live runs refresh by themselves: episodes appended while the app is open show up."""

from __future__ import annotations

import json
from pathlib import Path

from bench_tui.analysis.summary import figures
from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.run import RunScreen
from bench_tui.tui.widgets.virtual_table import VirtualTable
from tests.fixtures.osworld_builders import build_osworld_example, osworld_line, write_jsonl
from tests.fixtures.pilot import pause_until


async def test_osworld_folder_gaining_episodes_grows_while_open(tmp_path: Path) -> None:
    run_root = build_osworld_example(tmp_path)
    app = BenchApp(tmp_path, images="none", live_refresh_s=0.3)
    async with app.run_test(size=(160, 48)) as pilot:
        assert await pause_until(lambda: app.scan_done, pilot)
        (run,) = app.workspace.runs
        assert run.live and figures(run.executions).tasks == 4
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunScreen)
        tasks = screen.query_one("#tasks-table", VirtualTable)
        assert len(tasks.rows) == 4

        episode = run_root / "chrome" / "5d1b7a90-0c4e-4f6a-9d0e-3b7f2a1c9e11"
        write_jsonl(episode / "traj.jsonl", [osworld_line(1, "20251103@110000", "DONE")])

        def counted(total: int, succeeded: int) -> bool:
            (current,) = app.workspace.runs
            fig = figures(current.executions)
            return fig.tasks == total and fig.succeeded == succeeded

        assert await pause_until(lambda: counted(5, 1), pilot), "the new episode should appear"
        assert await pause_until(lambda: len(tasks.rows) == 5, pilot), "the open run page follows"
        (episode / "result.txt").write_text("1.0\n")
        assert await pause_until(lambda: counted(5, 2), pilot), "its verdict should be counted"
        rows = app.query_one("#runs-table", VirtualTable).rows
        assert rows[0].cells[3] == "5"


async def test_openadapt_live_file_progress_is_followed(tmp_path: Path) -> None:
    from tests.fixtures.openadapt_builders import build_crashed_run, write_json

    run_dir = build_crashed_run(tmp_path)
    live = tmp_path / "benchmark_live.json"
    write_json(
        live,
        {
            "status": "running",
            "total_tasks": 2,
            "tasks_completed": 1,
            "current_task": {"task_id": "paint_circle", "steps": []},
        },
    )
    app = BenchApp(tmp_path, images="none", live_refresh_s=0.3)
    async with app.run_test(size=(160, 48)) as pilot:
        assert await pause_until(lambda: app.scan_done, pilot)
        (run,) = app.workspace.runs
        assert run.live and run.progress.done == 1 and run.progress.total == 2
        execution = json.loads((run_dir / "tasks" / "calc_sum" / "execution.json").read_text())
        execution.update(task_id="paint_circle", success=True, score=1.0)
        write_json(run_dir / "tasks" / "paint_circle" / "execution.json", execution)
        write_json(
            live,
            {
                "status": "running",
                "total_tasks": 2,
                "tasks_completed": 2,
                "current_task": {"task_id": "paint_circle", "steps": []},
            },
        )

        def progressed() -> bool:
            (current,) = app.workspace.runs
            return (
                current.progress is not None
                and current.progress.done == 2
                and figures(current.executions).succeeded == 1
            )

        assert await pause_until(progressed, pilot)


async def test_batches_and_refreshes_arrive_while_a_run_page_is_open(tmp_path: Path) -> None:
    # Regression: the handlers looked for the run list on the *active* screen and crashed.
    run_root = build_osworld_example(tmp_path)
    app = BenchApp(tmp_path, images="none", live_refresh_s=0.2)
    async with app.run_test(size=(160, 48)) as pilot:
        assert await pause_until(lambda: app.scan_done, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        await pilot.press("r")  # reload pops to the tabs; open the run again before batches land
        await pilot.press("enter")
        write_jsonl(
            run_root / "os" / "9f0e1d2c-3b4a-4c5d-8e7f-60718293a4b5" / "traj.jsonl",
            [osworld_line(1, "20251103@120000", "WAIT")],
        )
        assert await pause_until(lambda: len(app.workspace.runs[0].tasks) == 5, pilot)
        assert app.return_code is None  # still running, no crash


async def test_problems_of_a_live_run_follow_its_files(tmp_path: Path) -> None:
    from tests.fixtures.openadapt_builders import build_crashed_run, write_json
    from tests.fixtures.png import write_png

    run_dir = build_crashed_run(tmp_path)
    execution_path = run_dir / "tasks" / "calc_sum" / "execution.json"
    execution = json.loads(execution_path.read_text())
    execution["steps"] = [{"step_idx": 0, "screenshot_path": "screenshots/step_000.png"}]
    write_json(execution_path, execution)  # its screenshot is missing
    app = BenchApp(tmp_path, images="none", live_refresh_s=0.3)
    async with app.run_test(size=(160, 48)) as pilot:
        status = app.query_one("#status-line")
        assert await pause_until(lambda: app.checks_done and status.problems == 1, pilot)
        (run,) = app.workspace.runs
        assert run.live
        write_png(run_dir / "tasks" / "calc_sum" / "screenshots" / "step_000.png", (32, 20))
        assert await pause_until(lambda: status.problems == 0, pilot), (
            "the fixed file is no problem"
        )
        assert app.workspace.problems == []
        (run_dir / "tasks" / "calc_sum" / "screenshots" / "step_000.png").write_bytes(b"")
        assert await pause_until(lambda: status.problems == 1, pilot), "a newly broken one is"
        (problem,) = app.workspace.problems
        assert problem.message.startswith("screenshot is an empty file")


async def test_the_live_heading_follows_the_cards_and_its_eta_counts_down(tmp_path: Path) -> None:
    import os
    import re
    import time

    from tests.fixtures.openadapt_builders import _task, build_crashed_run, write_json
    from tests.fixtures.pilot import plain

    run_dir = build_crashed_run(tmp_path)  # calc_sum finished in 80 s, paint_circle running
    live = tmp_path / "benchmark_live.json"
    state = {
        "status": "running",
        "total_tasks": 3,
        "tasks_completed": 0,  # the file lags behind the task folders
        "current_task": {"task_id": "paint_circle", "steps": []},
    }
    write_json(live, state)
    written = time.time() - 30
    os.utime(live, (written, written))
    app = BenchApp(tmp_path, images="none", live_refresh_s=0.5)
    async with app.run_test(size=(160, 48)) as pilot:
        assert await pause_until(lambda: app.scan_done, pilot)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunScreen)

        def heading() -> str:
            return plain(screen.query_one("#run-heading").content)

        assert "LIVE 1/3 done" in heading(), heading()

        def eta() -> float:
            found = re.search(r"ETA (?:(\d+)m)?([\d.]+)s", heading())
            assert found, heading()
            return 60 * int(found.group(1) or 0) + float(found.group(2))

        # 2 tasks left at 80 s each, estimated when the file was written 30 s ago.
        first = eta()
        assert 120 <= first <= 131, heading()
        assert await pause_until(lambda: eta() < first, pilot), "the ETA counts down"

        notepad = _task(run_dir, "notepad_save", "notepad_save", "notepad", "Save a file")
        execution = json.loads((run_dir / "tasks" / "calc_sum" / "execution.json").read_text())
        execution.update(task_id="notepad_save")
        write_json(notepad / "execution.json", execution)
        write_json(live, state)  # still says 0 done
        assert await pause_until(lambda: "LIVE 2/3 done" in heading(), pilot), heading()


async def test_the_running_tasks_steps_come_from_the_live_file(tmp_path: Path) -> None:
    from bench_tui.tui.screens.task import TaskScreen
    from tests.fixtures.openadapt_builders import build_crashed_run, write_json
    from tests.fixtures.pilot import plain, screen_lines, settle_pilot

    build_crashed_run(tmp_path)  # paint_circle started, no execution.json yet
    step = {"step_idx": 0, "action": {"type": "click", "x": 0.31, "y": 0.12}, "reasoning": "Aim"}
    write_json(
        tmp_path / "benchmark_live.json",
        {
            "status": "running",
            "total_tasks": 2,
            "tasks_completed": 1,
            "current_task": {"task_id": "paint_circle", "steps": [step], "result": None},
        },
    )
    app = BenchApp(tmp_path, images="none", live_refresh_s=60)
    async with app.run_test(size=(160, 48)) as pilot:
        assert await pause_until(lambda: app.scan_done, pilot)
        await pilot.press("enter")
        await settle_pilot(pilot)
        screen = app.screen
        assert isinstance(screen, RunScreen)
        table = screen.query_one("#tasks-table", VirtualTable)
        table.focus()
        assert table.move_cursor_to_key("paint_circle")
        await pilot.press("enter")
        await settle_pilot(pilot)
        task = app.screen
        assert isinstance(task, TaskScreen)
        assert await pause_until(lambda: not task.steps_loading, pilot)
        assert [s.actions[0].type for s in task.steps] == ["click"]
        steps = task.query_one("#steps-table", VirtualTable)
        assert "click" in plain(steps.rows[0].cells[2])
        assert "live" in " ".join(task.steps[0].logs)
        assert any("the task is still running" in line for line in screen_lines(app))


async def test_a_workers_last_message_while_the_app_closes_is_dropped(tmp_path: Path) -> None:
    """Quitting while files are still being checked: the checks' progress can reach the tabs'
    screen after its widgets are gone (NoMatches StatusLine crashed the app on quit)."""
    from bench_tui.tui.messages import ChecksProgress
    from bench_tui.tui.widgets.status_line import StatusLine
    from tests.fixtures.pilot import settle_after_scan

    build_osworld_example(tmp_path / "results")
    app = BenchApp(tmp_path / "results", images="none")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_after_scan(app, pilot)
        await app.main_screen.query_one(StatusLine).remove()  # as the app's close leaves it
        app._on_checks_progress(ChecksProgress(app.scan_number, 1, 2, []))
        await pilot.pause()
    assert app.return_code in (0, None)
