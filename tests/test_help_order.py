"""`?` and the palette name the screen as a person would and list its own keys first."""

from __future__ import annotations

from pathlib import Path

from bench_tui.tui.app import BenchApp
from bench_tui.tui.commands import BindingCommands
from bench_tui.tui.screens.help import HelpScreen
from bench_tui.tui.screens.run import RunScreen
from tests.fixtures.compare_builders import openadapt_run
from tests.fixtures.pilot import settle_pilot


async def test_help_titles_and_the_screens_own_keys_first(tmp_path: Path) -> None:
    openadapt_run(tmp_path, "run", {"t1": "pass", "t2": "fail"})
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_pilot(pilot)
        await pilot.press("question_mark")
        await settle_pilot(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.title_text == "Benchmarks"
        await pilot.press("escape", "enter")
        await settle_pilot(pilot)
        run_screen = app.screen
        assert isinstance(run_screen, RunScreen)
        await pilot.press("question_mark")
        await settle_pilot(pilot)
        assert app.screen.title_text == "Run page"
        descriptions = [description for _keys, description in app.screen.rows]
        assert descriptions[0] == "Back"
        assert descriptions.index("Insights") < descriptions.index("Up")
        assert descriptions.index("Up") < descriptions.index("Quit")
        await pilot.press("escape")
        await settle_pilot(pilot)
        provider = BindingCommands(run_screen)
        first = [description for description, *_ in provider._entries()][:3]
        assert first[0] == "Back" and "Up" not in first
