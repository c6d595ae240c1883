"""Several models in one run: every figure follows the selected model, never another's
(DESIGN §10 "Models in one run")."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.model import Execution, Run, Task
from bench_tui.report import run_export_rows
from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.help import binding_rows
from bench_tui.tui.screens.run import RunScreen
from bench_tui.tui.screens.task import TaskScreen
from bench_tui.tui.widgets.virtual_table import VirtualTable
from tests.fixtures.openadapt_builders import build_complete_run
from tests.fixtures.pilot import plain, wait_for_workers

SIZE = (160, 48)
RUN_ID = "benchmark_results/waa_eval_20251104_091522"


def overlapping_run() -> Run:
    """`base` ran t0, t1; `tuned` ran t1, t2: each with its own steps and time."""
    tasks = [Task(task_id=f"t{i}", domain="d", instruction=f"do {i}") for i in range(3)]
    executions = [
        Execution(task_id="t0", model="base", status="passed", num_steps=3, duration_s=30.0),
        Execution(
            task_id="t1",
            model="base",
            status="failed",
            num_steps=4,
            duration_s=40.0,
            error="base crashed",
        ),
        Execution(task_id="t1", model="tuned", status="passed", num_steps=9, duration_s=90.0),
        Execution(task_id="t2", model="tuned", status="failed", num_steps=7, duration_s=70.0),
    ]
    return Run(
        id="r",
        path="/nonexistent/r",
        format="agentlab",
        label="r",
        tasks=tasks,
        executions=executions,
    )


def two_model_workspace(root: Path) -> Path:
    """The complete fixture run with notepad_greeting run by a second model, `lumen-4o`."""
    run_dir = build_complete_run(root)
    path = run_dir / "tasks" / "notepad_greeting" / "execution.json"
    record = json.loads(path.read_text())
    record["model_id"] = "lumen-4o"
    path.write_text(json.dumps(record))
    return run_dir


def cells(table: VirtualTable, key: str) -> list[str]:
    row = next(row for row in table.rows if row.key == key)
    return [plain(cell) for cell in row.cells]


def heading(screen: TaskScreen) -> str:
    return plain(screen.query_one("#task-heading").content)


def details(screen: TaskScreen) -> str:
    return plain(screen.query_one("#step-details").content)


async def settle(app: BenchApp, pilot) -> None:
    await wait_for_workers(app)
    await pilot.pause()


async def test_steps_time_and_error_columns_follow_the_selected_model(tmp_path: Path) -> None:
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(RunScreen(overlapping_run(), tmp_path))
        await pilot.pause()
        table = app.screen.query_one("#tasks-table", VirtualTable)
        labels = [c.label for c in table.columns]
        steps, time, error = (labels.index(name) for name in ("steps", "time", "error"))
        base = cells(table, "t1")
        assert (base[steps], base[time], base[error]) == ("4", "40.0s", "base crashed")
        assert cells(table, "t2")[steps] == "—"  # base never ran t2
        await pilot.press("m")
        tuned = cells(table, "t1")
        assert (tuned[steps], tuned[time], tuned[error]) == ("9", "1m30s", "")
        assert cells(table, "t2")[steps] == "7" and cells(table, "t0")[steps] == "—"
        table.sort_by(steps)  # sorting follows the model shown too
        assert [row.key for row in table.rows] == ["t2", "t1", "t0"]


async def test_m_with_one_model_says_so(tmp_path: Path) -> None:
    build_complete_run(tmp_path)
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        await pilot.press("m")
        await pilot.pause()
        assert any("one model" in n.message for n in app._notifications)


async def test_the_task_page_shows_one_models_execution_and_m_switches(tmp_path: Path) -> None:
    two_model_workspace(tmp_path)
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        run_screen = app.screen
        assert isinstance(run_screen, RunScreen)
        assert run_screen.current_model.model == "tern-vl-3b-lora-e3"
        table = run_screen.query_one("#tasks-table", VirtualTable)
        assert table.move_cursor_to_key("notepad_greeting")
        await pilot.press("enter")  # a task only lumen-4o ran, opened with tern selected
        await settle(app, pilot)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TaskScreen)
        assert "tern-vl-3b-lora-e3" in heading(screen)
        assert "not run by this model" in heading(screen) and "pass" not in heading(screen)
        assert screen.steps == [] and "Not run by this model" in details(screen)
        await pilot.press("c")  # nothing to compare: said, not crashed
        await pilot.pause()
        assert isinstance(app.screen, TaskScreen)
        await pilot.press("m")
        await settle(app, pilot)
        await settle(app, pilot)
        assert screen.model == "lumen-4o" and "lumen-4o" in heading(screen)
        assert "✓ pass" in heading(screen) and "48.6s" in heading(screen)
        assert len(screen.steps) == 3
        await pilot.press("m")
        await settle(app, pilot)
        assert screen.model == "tern-vl-3b-lora-e3" and screen.steps == []
        await pilot.press("right_square_bracket")  # the next task keeps the model
        await settle(app, pilot)
        await settle(app, pilot)
        assert screen.task_id == "settings:dark mode?" and "✗ fail" in heading(screen)
        assert screen.model == "tern-vl-3b-lora-e3"


async def test_the_task_pages_footer_and_help_list_m(tmp_path: Path) -> None:
    build_complete_run(tmp_path)
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TaskScreen)
        footer = {(key.key, key.description) for key in screen.query("FooterKey")}
        assert ("m", "Model") in footer
        assert ("m", "Model") in binding_rows(screen)
        await pilot.press("m")  # one model in this run: a notice, the same page
        await pilot.pause()
        assert any("one model" in n.message for n in app._notifications)
        assert screen.model == "tern-vl-3b-lora-e3"


def test_export_has_one_row_per_model_and_task_it_ran_with_its_own_figures() -> None:
    rows = run_export_rows(overlapping_run())
    by_key = {(row["model"], row["task_id"]): row for row in rows}
    assert sorted(by_key) == [("base", "t0"), ("base", "t1"), ("tuned", "t1"), ("tuned", "t2")]
    assert len(rows) == 4
    assert (by_key["base", "t1"]["steps"], by_key["base", "t1"]["duration_s"]) == (4, 40.0)
    assert (by_key["tuned", "t1"]["steps"], by_key["tuned", "t1"]["duration_s"]) == (9, 90.0)
    assert (
        by_key["base", "t1"]["error"] == "base crashed" and by_key["tuned", "t1"]["error"] is None
    )


def test_export_command_of_a_two_model_run(tmp_path: Path) -> None:
    two_model_workspace(tmp_path)
    result = CliRunner().invoke(cli.app, ["export", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {(row["model"], row["task_id"]): row for row in json.loads(result.stdout)}
    assert sorted(rows) == [
        ("lumen-4o", "notepad_greeting"),
        ("tern-vl-3b-lora-e3", "51b59aec-fa49-4b1c-85ca-ab90357f3abc-WOS"),
        ("tern-vl-3b-lora-e3", "settings:dark mode?"),
    ]
    assert rows["lumen-4o", "notepad_greeting"]["steps"] == 2
    assert all(row["run"] == RUN_ID for row in rows.values())
