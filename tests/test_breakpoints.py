"""One width breakpoint for every page (tui/breakpoints.py), applied on every resize."""

from __future__ import annotations

import ast
from pathlib import Path

from bench_tui.tui.app import BenchApp
from bench_tui.tui.breakpoints import NARROW_COLUMNS
from bench_tui.tui.screens.run import RunScreen
from tests.fixtures.openadapt_builders import build_complete_run
from tests.fixtures.pilot import settle_after_scan, settle_pilot

TUI = Path(__file__).resolve().parent.parent / "src" / "bench_tui" / "tui"


def _is_width(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "width") or (
        isinstance(node, ast.Name) and node.id == "width"
    )


def test_no_page_compares_a_width_with_its_own_number() -> None:
    found = []
    for path in sorted(TUI.rglob("*.py")):
        if path.name == "breakpoints.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Compare):
                continue
            sides = [node.left, *node.comparators]
            if any(_is_width(side) for side in sides) and any(
                isinstance(side, ast.Constant) and isinstance(side.value, int) and side.value > 1
                for side in sides
            ):
                found.append(f"{path.relative_to(TUI)}:{node.lineno}")
    assert found == []


async def test_a_page_follows_the_breakpoint_when_the_terminal_is_resized(tmp_path: Path) -> None:
    build_complete_run(tmp_path)
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(NARROW_COLUMNS + 30, 40)) as pilot:
        await settle_after_scan(app, pilot)
        await pilot.press("enter")
        await settle_pilot(pilot)
        screen = app.screen
        assert isinstance(screen, RunScreen) and not screen.has_class("-narrow")
        await pilot.resize_terminal(NARROW_COLUMNS - 1, 40)
        await settle_pilot(pilot)
        assert screen.has_class("-narrow")
        await pilot.resize_terminal(NARROW_COLUMNS, 40)
        await settle_pilot(pilot)
        assert not screen.has_class("-narrow")
