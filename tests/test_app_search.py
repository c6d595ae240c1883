"""ctrl+f in the app: search every step, Enter opens the task page at the hit's step with the
match highlighted in the step details (DESIGN §10 "search")."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.search import SearchScreen
from bench_tui.tui.screens.task import TaskScreen
from tests.fixtures.pilot import pause_until, settle_after_scan
from tests.fixtures.search_workspace import build_search_workspace


def _keys(text: str) -> list[str]:
    return ["space" if char == " " else char for char in text]


async def test_ctrl_f_opens_the_hit_at_its_step_with_the_match_highlighted(
    tmp_path: Path,
) -> None:
    root = build_search_workspace(tmp_path / "ws")
    app = BenchApp(root, images="none")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle_after_scan(app, pilot)
        await pilot.press("ctrl+f")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await pilot.press(*_keys("cannot FIND"))
        assert screen.query_one("#q", Input).value == "cannot FIND"
        assert await pause_until(lambda: bool(screen.hits), pilot, timeout_s=20)
        (hit,) = screen.hits
        assert (hit.task_id, hit.model, hit.step, hit.field) == (
            "form_submit",
            "model-a",
            2,
            "reasoning",
        )
        await pilot.press("down", "enter")
        assert await pause_until(
            lambda: isinstance(app.screen, TaskScreen) and bool(app.screen.steps), pilot
        )
        task = app.screen
        assert isinstance(task, TaskScreen)
        assert (task.task_id, task.model, task.current) == ("form_submit", "model-a", 1)
        details = task._details_text()
        marked = [
            details.plain[s.start : s.end] for s in details.spans if s.style == "bold reverse"
        ]
        assert [m.lower() for m in marked] == ["cannot", "find"] or marked == ["cannot find"]
        await pilot.press("escape")
        assert app.screen is screen  # back to the results


async def test_a_search_starts_once_typing_pauses(tmp_path: Path) -> None:
    root = build_search_workspace(tmp_path / "ws")
    app = BenchApp(root, images="none")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle_after_scan(app, pilot)
        await pilot.press("ctrl+f")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        box = screen.query_one("#q", Input)
        for char in "submit":
            box.insert_text_at_cursor(char)
            screen._typed(Input.Changed(box, box.value))
        assert screen.hits == []  # nothing searched while the keys came
        assert await pause_until(lambda: bool(screen.hits), pilot, timeout_s=20)
        assert {h.task_id for h in screen.hits} == {"form_submit"}
