"""Pilot tests for the Viewer tab and the episode page: checkpoints, badges, markers, playback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.episode import EpisodeScreen
from bench_tui.tui.widgets.screenshot import Screenshot
from bench_tui.tui.widgets.virtual_table import VirtualTable
from tests.fixtures.offline_builders import (
    build_canonical_episode,
    build_custom_training,
    build_predictions_job,
    predictions_with_rows,
)
from tests.fixtures.pilot import check_playback_keys, plain, screen_lines
from tests.fixtures.pilot import settle_after_scan as settle

SIZE = (140, 40)
JOB_KEY = "training_output/20251102_141005#20251102_141005"


def make_app(root: Path) -> BenchApp:
    app = BenchApp(root, images="none")
    return app


def column(table: VirtualTable, label: str) -> list[str]:
    index = [c.label for c in table.columns].index(label)
    return [plain(row.cells[index]) for row in table.rows]


def content(screen, selector: str) -> str:
    return plain(screen.query_one(selector).content)


def click(x: float, y: float) -> dict[str, Any]:
    return {"predicted_action": {"type": "click", "x": x, "y": y}, "match": True}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    epoch1 = predictions_with_rows(
        4,
        [
            click(0.0, 0.5),
            {"predicted_action": {"type": "predicted", "raw_output": "I am not sure"}},
            {"predicted_action": None, "match": None},
            {"predicted_action": {"type": "type", "text": "hello"}, "match": False},
        ],
    )
    epoch2 = predictions_with_rows(
        4, [click(0.02, 0.5), click(0.1, 0.5), click(0.3, 0.5), click(0.3, 0.5)]
    )
    build_custom_training(tmp_path)  # predictions are read with their training job
    build_predictions_job(tmp_path, {"epoch1": epoch1, "epoch2": epoch2})
    build_canonical_episode(tmp_path)
    return tmp_path


async def viewer_table(app: BenchApp, pilot) -> VirtualTable:
    """The episode list, focused by the tab switch itself: focusing it by hand while the switch
    is in flight makes TabbedContent and the app's focus handler bounce between tabs."""
    await settle(app, pilot)
    await pilot.press("2")
    await settle(app, pilot)
    table = app.query_one("#episodes-table", VirtualTable)
    assert app.query_one("#tabs").active == "viewer"
    if not table.has_focus:
        table.focus()  # the switch is over: safe now
        await pilot.pause()
    return table


async def open_episode(app: BenchApp, pilot) -> EpisodeScreen:
    table = await viewer_table(app, pilot)
    assert table.move_cursor_to_key(JOB_KEY)
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, EpisodeScreen)
    return app.screen


async def test_viewer_tab_lists_episodes_with_latest_accuracy(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        table = await viewer_table(app, pilot)
        rows = {row.key: [plain(c) for c in row.cells] for row in table.rows}
        assert rows[JOB_KEY][1:] == ["4", "Epoch 1, Epoch 2", "100.0% · Epoch 2"]
        canonical = rows["captures/sockshop-checkout/episode.json#ep_sockshop_0001"]
        assert canonical[1:] == ["3", "—", "no predictions"]


async def test_checkpoint_switcher_and_badges(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_episode(app, pilot)
        steps = screen.query_one("#episode-steps", VirtualTable)
        assert screen.checkpoint == "Epoch 2"  # latest by default
        bar = content(screen, "#checkpoint-bar")
        assert "type acc 100.0% (4/4)" in bar and "acc. (type+hit) 75.0%" in bar
        assert "hit (d<0.05) 75.0% (3/4)" in bar and "4 steps" in bar
        assert column(steps, "match") == ["✓ type"] * 4
        await pilot.press("less_than_sign")
        assert screen.checkpoint == "Epoch 1"
        assert column(steps, "match") == ["✓ type", "parse error", "—", "✗ type"]
        assert column(steps, "predicted (P)")[1:3] == ["parse error", "—"]
        bar = content(screen, "#checkpoint-bar")
        assert "type acc 33.3% (1/3)" in bar and "1 parse error" in bar
        assert "1 without prediction" in bar
        await pilot.press("right")  # the unparseable step says so, not "no prediction"
        details = content(screen, "#episode-details")
        assert "parse error: could not read an action" in details
        assert "no prediction" not in details and "I am not sure" in details
        await pilot.press("right")
        assert "no prediction recorded" in content(screen, "#episode-details")
        await pilot.press("less_than_sign")
        assert screen.checkpoint == "None"
        assert column(steps, "match") == ["—"] * 4
        assert "human actions only" in content(screen, "#checkpoint-bar")
        await pilot.press("less_than_sign")  # wraps to the latest
        assert screen.checkpoint == "Epoch 2"
        await pilot.press("greater_than_sign")
        assert screen.checkpoint == "None"
        await pilot.press("greater_than_sign")
        assert screen.checkpoint == "Epoch 1"


async def test_marker_toggles_and_overlay(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_episode(app, pilot)
        shot = screen.query_one(Screenshot)
        await pilot.press("right")
        colours = {m.colour for m in shot._markers}
        assert len(shot._markers) == 2 and len(colours) == 2  # H and P, each its own colour
        assert "P 0.000 from H (under H)" in (shot._caption or "")
        await pilot.press("H")
        assert [m.tag for m in shot._markers] == ["P"]
        await pilot.press("P")
        assert shot._markers == ()
        assert "hidden: H P" in (shot._caption or "")
        await pilot.press("H")
        assert [m.tag for m in shot._markers] == ["H"]
        await pilot.press("P")
        assert len(shot._markers) == 2
        await pilot.press("o")
        assert shot._overlay is False
        await pilot.press("o")
        assert shot._overlay is True


async def test_progression_across_checkpoints(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_episode(app, pilot)
        progression = screen.query_one("#progression", VirtualTable)
        assert not progression.display
        await pilot.press("p")
        assert progression.display
        assert [row.key for row in progression.rows] == ["Epoch 1", "Epoch 2"]
        assert progression.cursor_key == "Epoch 2"
        assert column(progression, "match") == ["✓ type", "✓ type"]
        await pilot.press("right")
        assert column(progression, "match") == ["parse error", "✓ type"]
        await pilot.press("end")
        assert column(progression, "match") == ["✗ type", "✓ type"]
        assert column(progression, "dist") == ["—", "0.000"]
        await pilot.press("p")
        assert not progression.display


async def test_step_navigation_playback_and_fullscreen(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_episode(app, pilot)
        assert screen.current == 0
        await pilot.press("l", "right")
        assert screen.current == 2
        assert screen.query_one("#episode-steps", VirtualTable).cursor_row == 2
        await pilot.press("h")
        assert screen.current == 1
        await pilot.press("end")
        assert screen.current == 3
        await pilot.press("right")  # stays on the last step
        assert screen.current == 3
        await pilot.press("home")
        assert screen.current == 0
        await check_playback_keys(screen, pilot, play_s=1.0)
        await pilot.press("escape")
        assert not isinstance(app.screen, EpisodeScreen)


async def test_an_episode_without_predictions_shows_human_actions_only(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        table = await viewer_table(app, pilot)
        assert table.move_cursor_to_key("captures/sockshop-checkout/episode.json#ep_sockshop_0001")
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, EpisodeScreen)
        assert screen.checkpoints == ["None"] and screen.checkpoint == "None"
        await pilot.press("greater_than_sign")
        assert screen.checkpoint == "None"
        shot = screen.query_one(Screenshot)
        assert {m.tag for m in shot._markers} == {"H"}
        assert "Buy one pair of red socks" in content(screen, "#episode-heading")


async def test_episode_steps_are_numbered_from_1(workspace: Path) -> None:
    """One step numbering across the app (DESIGN §10): the first step record is step 1."""
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_episode(app, pilot)
        steps = screen.query_one("#episode-steps", VirtualTable)
        assert column(steps, "#") == ["1", "2", "3", "4"]
        assert content(screen, "#episode-details").startswith("step 1/4")
        await pilot.press("end")
        assert content(screen, "#episode-details").startswith("step 4/4")


def manual_demo(root: Path, task_id: str, keys: Any) -> None:
    """A recorded demo as people write them: every one named `manual`, told apart by its task."""
    import json

    folder = root / "demos" / task_id
    folder.mkdir(parents=True)
    demo = {
        "demo_id": "manual",
        "task_id": task_id,
        "description": f"Clear the history in {task_id}",
        "steps": [
            {
                "step_index": 0,
                "screenshot_path": "s0.png",
                "action_type": "click",
                "x": 0.5,
                "y": 0.25,
                "description": "Open the browser menu",
            },
            {
                "step_index": 1,
                "screenshot_path": "s1.png",
                "action_type": "key",
                "keys": keys,
                "description": "Open Clear browsing data",
            },
        ],
    }
    (folder / "demo.json").write_text(json.dumps(demo))


async def test_recorded_demos_show_their_keys_descriptions_and_tasks(tmp_path: Path) -> None:
    manual_demo(tmp_path, "chrome_clear_history", "ctrl+shift+delete")
    manual_demo(tmp_path, "edge_clear_history", ["ctrl", "shift", "delete"])
    manual_demo(tmp_path, "firefox_clear_history", "ctrl+shift+delete")
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        table = await viewer_table(app, pilot)
        names = column(table, "episode")
        assert len(names) == 3
        for task in ("chrome_clear_history", "edge_clear_history", "firefox_clear_history"):
            # First in the cell, so a narrow column still tells the three `manual` demos apart.
            assert sum(name.startswith(task) for name in names) == 1, names
        key = next(row.key for row in table.rows if "edge_clear" in plain(row.cells[0]))
        assert table.move_cursor_to_key(key)
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, EpisodeScreen)
        heading = content(screen, "#episode-heading")
        assert "edge_clear_history" in heading
        assert "Clear the history in edge_clear_history" in heading
        steps = screen.query_one("#episode-steps", VirtualTable)
        assert column(steps, "human (H)")[1] == "key ctrl+shift+delete"
        assert "Open the browser menu" in content(screen, "#episode-details")
        await pilot.press("right")
        details = content(screen, "#episode-details")
        assert "ctrl+shift+delete" in details and "Open Clear browsing data" in details


async def test_step_match_and_distance_are_on_screen_at_80x24(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_episode(app, pilot)
        await pilot.press("right")
        await pilot.pause()
        details = screen.query_one("#episode-details")
        # Inside the screen, beside the screenshot, and tall enough for the match and distance.
        assert details.region.bottom <= app.size.height - 1  # the footer's row
        assert details.region.height >= 4 and details.region.width >= 30
        assert "distance" in content(screen, "#episode-details")
        assert any("distance" in line for line in screen_lines(app))
