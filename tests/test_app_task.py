"""Pilot tests for the task page: step replay, playback, overlay, task switching, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.text import Text

from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.task import TaskScreen
from bench_tui.tui.widgets.screenshot import HalfblockCanvas, Screenshot
from bench_tui.tui.widgets.step_timeline import StepTimeline
from tests.fixtures.openadapt_builders import action, build_complete_run, write_json
from tests.fixtures.pilot import check_playback_keys, wait_for_workers

SIZE = (160, 48)


async def settle(app: BenchApp, pilot) -> None:
    await wait_for_workers(app)
    await pilot.pause()


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return build_complete_run(tmp_path, screen=(1280, 800))


async def open_task(app: BenchApp, pilot, task_id: str) -> TaskScreen:
    await settle(app, pilot)
    await pilot.press("enter")
    await pilot.pause()
    tasks = app.screen.query_one("#tasks-table")
    assert tasks.move_cursor_to_key(task_id)
    await pilot.press("enter")
    await settle(app, pilot)
    await settle(app, pilot)
    assert isinstance(app.screen, TaskScreen)
    return app.screen


def details(screen: TaskScreen) -> str:
    content = screen.query_one("#step-details").content
    return content.plain if isinstance(content, Text) else str(content)


async def test_steps_navigate_and_the_screenshot_follows(run_dir: Path, tmp_path: Path) -> None:
    app = BenchApp(tmp_path, images="halfblock")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_task(app, pilot, "notepad_greeting")
        shot = screen.query_one(Screenshot)
        assert len(screen.steps) == 3 and screen.current == 0
        assert shot._path.endswith("notepad_greeting/screenshots/step_000.png")
        assert 'type "good morning"' in details(screen)
        assert "Editor has focus" in details(screen)
        await pilot.press("right")
        await settle(app, pilot)
        assert screen.current == 1 and shot._path.endswith("step_001.png")
        assert "hotkey ctrl+s" in details(screen)
        await pilot.press("end")
        assert screen.current == 2
        await pilot.press("left")
        assert screen.current == 1
        await pilot.press("home")
        assert screen.current == 0
        await pilot.press("l", "l", "l")  # stops at the last step
        assert screen.current == 2
        assert screen.query_one(StepTimeline).current == 2
        assert shot.last_error is None
        assert screen.query_one(HalfblockCanvas).strips


async def test_click_marker_is_drawn_on_the_half_block_image(tmp_path: Path) -> None:
    run_dir = build_complete_run(tmp_path, screen=(1280, 800))
    path = run_dir / "tasks" / "notepad_greeting" / "execution.json"
    data = json.loads(path.read_text())
    data["steps"][0]["action"] = action(type="click", x=0.5, y=0.5)
    write_json(path, data)
    app = BenchApp(tmp_path, images="halfblock")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_task(app, pilot, "notepad_greeting")
        strips = screen.query_one(HalfblockCanvas).strips
        colours = {
            (seg.style.color.triplet if seg.style and seg.style.color else None)
            for strip in strips
            for seg in strip
        } | {
            (seg.style.bgcolor.triplet if seg.style and seg.style.bgcolor else None)
            for strip in strips
            for seg in strip
        }
        reds = [
            c for c in colours if c is not None and c.red > 200 and c.green < 120 and c.blue < 120
        ]
        assert reds, "the click crosshair should show in the marker colour"
        await pilot.press("o")  # overlay off: the marker goes away
        await settle(app, pilot)
        await settle(app, pilot)
        strips = screen.query_one(HalfblockCanvas).strips
        colours = {
            seg.style.color.triplet
            for strip in strips
            for seg in strip
            if seg.style and seg.style.color
        }
        assert not [c for c in colours if c.red > 200 and c.green < 120 and c.blue < 120]


async def test_playback_speed_fullscreen_and_task_switching(run_dir: Path, tmp_path: Path) -> None:
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_task(app, pilot, "notepad_greeting")
        order = screen.task_order
        assert order == sorted(order)  # the run page's order
        await check_playback_keys(screen, pilot, play_s=1.2)
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert screen.task_id == order[order.index("notepad_greeting") + 1]
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert screen.task_id == "notepad_greeting"
        await pilot.press("escape")
        assert not isinstance(app.screen, TaskScreen)


async def test_missing_screenshot_shows_a_placeholder_with_the_reason(
    run_dir: Path, tmp_path: Path
) -> None:
    (run_dir / "tasks" / "notepad_greeting" / "screenshots" / "step_000.png").unlink()
    app = BenchApp(tmp_path, images="halfblock")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_task(app, pilot, "notepad_greeting")
        shot = screen.query_one(Screenshot)
        assert shot.last_error is not None and "missing" in shot.last_error
        assert "screenshot missing" in details(screen)  # the Problem is listed on the page


async def test_corrupt_execution_shows_its_problem_on_the_task_page(
    run_dir: Path, tmp_path: Path
) -> None:
    (run_dir / "tasks" / "notepad_greeting" / "execution.json").write_text('{"success": tru')
    app = BenchApp(tmp_path, images="halfblock")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_task(app, pilot, "notepad_greeting")
        text = details(screen)
        assert "execution.json:1: invalid JSON" in text
        # screenshots without readable step records still show
        assert len(screen.steps) == 3 and all(not s.actions for s in screen.steps)


@pytest.mark.parametrize(
    ("size", "side_by_side"), [((80, 24), True), ((100, 40), False), ((160, 48), False)]
)
async def test_narrow_terminal_stacks_the_task_page(
    run_dir: Path, tmp_path: Path, size: tuple[int, int], side_by_side: bool
) -> None:
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=size) as pilot:
        screen = await open_task(app, pilot, "notepad_greeting")
        assert screen.has_class("-narrow") == (size[0] < 110)
        table = screen.query_one("#steps-table").region
        shot = screen.query_one("#shot").region
        details = screen.query_one("#step-details").region
        if size[0] < 110:  # the step list above the screenshot
            assert table.bottom <= shot.y
        if side_by_side:  # 80×24: details beside the screenshot, with room for the reasoning
            assert details.x >= shot.right and details.y == shot.y and details.height >= 8
        else:
            assert details.y >= shot.bottom


async def test_long_reasoning_scrolls_in_the_details_pane(run_dir: Path, tmp_path: Path) -> None:
    path = run_dir / "tasks" / "notepad_greeting" / "execution.json"
    record = json.loads(path.read_text())
    lines = [f"thought line {n}" for n in range(60)]
    record["steps"][0]["agent_logs"]["plan_result"] = "\n".join(lines)
    path.write_text(json.dumps(record))
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_task(app, pilot, "notepad_greeting")
        pane = screen.query_one("#step-details")
        assert "thought line 59" in details(screen)
        assert pane.virtual_size.height > pane.scrollable_content_region.height
        assert pane.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert pane.scroll_y > 0
        shown = "".join(s.text for s in pane.render_line(0))
        assert "thought line" in shown and "thought line 0" not in shown
        await pilot.press("pageup")
        await pilot.pause()
        assert pane.scroll_y == 0
        await pilot.press("pagedown", "right")
        await settle(app, pilot)
        assert screen.current == 1 and pane.scroll_y == 0  # each step starts at its top


async def test_problems_found_after_the_page_opened_show_at_once(
    run_dir: Path, tmp_path: Path
) -> None:
    from bench_tui.model import Problem
    from bench_tui.tui.messages import LiveRunsRefreshed

    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_task(app, pilot, "notepad_greeting")
        assert "late finding" not in details(screen)
        folder = "benchmark_results/waa_eval_20251104_091522/tasks/notepad_greeting"
        app._add_problems(
            [
                Problem(path=f"{folder}/screenshots/step_001.png", message="late finding"),
                Problem(path="elsewhere/x.json", message="not this task"),
            ]
        )
        await pilot.pause()
        assert "late finding" in details(screen) and "not this task" not in details(screen)
        # A live refresh replaces the list (same length here): the page follows it too.
        run = screen.run
        fresh = [Problem(path=f"{folder}/execution.json", message="newer finding")]
        app.post_message(LiveRunsRefreshed([(run.id, run, fresh)]))
        await pilot.pause()
        assert "newer finding" in details(screen) and "late finding" not in details(screen)
        await pilot.press("right")  # and on the next step, from its cache
        await settle(app, pilot)
        assert "newer finding" in details(screen) and "late finding" not in details(screen)


async def test_wrapped_details_keep_every_character_when_a_scrollbar_appears(
    run_dir: Path, tmp_path: Path
) -> None:
    path = run_dir / "tasks" / "notepad_greeting" / "execution.json"
    record = json.loads(path.read_text())
    digits = "".join(f"{n:04d}" for n in range(600))  # one long word: folded at the width
    record["steps"][0]["agent_logs"]["plan_result"] = digits
    path.write_text(json.dumps(record))
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_task(app, pilot, "notepad_greeting")
        await pilot.press("right", "left")  # a short step first, then the long one again
        await settle(app, pilot)
        pane = screen.query_one("#step-details")
        assert pane.show_vertical_scrollbar
        shown = []
        for y in range(pane.virtual_size.height):
            pane.scroll_to(y=y, animate=False, immediate=True)
            line = pane.render_line(y - int(pane.scroll_y))
            shown.append("".join(segment.text for segment in line))
        assert digits in "".join(line.strip() for line in shown)


async def test_log_lines_before_the_first_step_show_above_step_1s_logs(
    run_dir: Path, tmp_path: Path
) -> None:
    path = run_dir / "tasks" / "notepad_greeting" / "execution.json"
    record = json.loads(path.read_text())
    record["logs"] = [
        {"timestamp": 0.5, "level": "INFO", "message": "Environment reset complete"},
        {"timestamp": 1.0, "level": "INFO", "message": "Step 0: Getting action from agent"},
        {"timestamp": 9.0, "level": "INFO", "message": "Step 2: Agent signaled task completion"},
        {"timestamp": 9.5, "level": "INFO", "message": "Evaluating task result"},
    ]
    path.write_text(json.dumps(record))
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_task(app, pilot, "notepad_greeting")
        text = details(screen)
        assert "before step 1\nINFO: Environment reset complete" in text
        assert text.index("before step 1") < text.index("logs\nINFO: Step 0: Getting action")
        await pilot.press("end")
        await settle(app, pilot)
        text = details(screen)
        assert "before step 1" not in text
        assert "Agent signaled task completion\nINFO: Evaluating task result" in text


async def test_steps_are_numbered_from_1_with_the_files_index_beside(
    run_dir: Path, tmp_path: Path
) -> None:
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_task(app, pilot, "notepad_greeting")
        table = screen.query_one("#steps-table")
        assert [row.cells[0] for row in table.rows] == ["1", "2", "3"]
        assert details(screen).startswith("step 1/3  file #0")
        heading = screen.query_one("#task-heading").content.plain
        # The same count as the list; the closing done record beside it, not counted.
        assert "2 steps + closing record" in heading
        assert "⚠" not in details(screen)
        await pilot.press("end")
        assert details(screen).startswith("step 3/3  file #2  not counted in the steps")
        await pilot.press("escape")
        tasks = app.screen.query_one("#tasks-table")
        steps_column = [c.label for c in tasks.columns].index("steps")
        row = next(r for r in tasks.rows if r.key == "notepad_greeting")
        assert row.cells[steps_column] == "2"  # the same count in the task list


async def test_a_count_the_trace_contradicts_is_said_and_is_a_problem(tmp_path: Path) -> None:
    from tests.fixtures.web_builders import build_agentlab_example

    study = build_agentlab_example(tmp_path)
    (episode,) = study.glob("*click-button_3")
    for path in [*episode.glob("step_*.pkl.gz"), *episode.glob("screenshot_step_*")]:
        path.unlink()
    summary = json.loads((episode / "summary_info.json").read_text())
    summary["n_steps"] = 10
    (episode / "summary_info.json").write_text(json.dumps(summary))
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_task(app, pilot, "miniwob.click-button")
        heading = screen.query_one("#task-heading").content.plain
        assert "10 steps · the trace holds 0 step records" in heading
        where = f"{episode.relative_to(tmp_path)}/summary_info.json"
        assert f"⚠ {where}: 'n_steps' is 10 but the trace holds 0 step records" in details(screen)
