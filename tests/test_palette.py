"""Colours come from the theme (tui/palette.py): a theme switch recolours cells and headings, and
NO_COLOR leaves the data drawn in the widget's own foreground, whatever it means."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import Color
from textual.geometry import Region
from textual.widget import Widget

from bench_tui.demo import write_demo
from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.run import RunScreen
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.step_timeline import StepTimeline
from bench_tui.tui.widgets.virtual_table import VirtualTable
from tests.fixtures.pilot import settle_after_scan, settle_pilot

SIZE = (160, 48)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("palette") / "demo"
    write_demo(root, tasks_per_run=6)
    return root


def segments(widget: Widget, y: int) -> list[tuple[str, Color | None]]:
    """(text, foreground) of line `y` of `widget` as drawn, filters (NO_COLOR's) included."""
    [strip] = widget.render_lines(Region(0, y, widget.size.width, 1))
    return [(s.text, s.style.color if s.style else None) for s in strip if s.text.strip()]


def colour_of(widget: Widget, y: int, word: str) -> Color | None:
    return next(colour for text, colour in segments(widget, y) if word in text)


def table_line(table: VirtualTable, predicate) -> int:
    position = next(i for i, row in enumerate(table.rows) if predicate(row))
    assert position != table.cursor_row, "the cursor's own colours would hide the cell's"
    return position + 1  # under the header


async def open_live_run(app: BenchApp, pilot) -> RunScreen:
    await settle_after_scan(app, pilot)
    run = next(run for run in app.workspace.runs if run.live)
    app.push_screen(RunScreen(run, app.root))
    await settle_pilot(pilot)
    assert isinstance(app.screen, RunScreen)
    return app.screen


def passed_line(table: VirtualTable) -> int:
    return table_line(table, lambda row: "✓ pass" in str(row.cells[3]))


async def test_a_theme_switch_recolours_cells_and_headings(demo: Path) -> None:
    app = BenchApp(demo, images="none")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_live_run(app, pilot)
        table = screen.query_one("#tasks-table", VirtualTable)
        heading = screen.query_one("#run-heading", SafeStatic)
        seen = []
        for theme in ("textual-dark", "nord", "gruvbox"):
            app.theme = theme
            await settle_pilot(pilot)
            success = Color.parse(app.get_css_variables()["text-success"])
            cell = colour_of(table, passed_line(table), "✓ pass")
            live = colour_of(heading, 0, "LIVE")
            assert cell is not None and cell.triplet == success.triplet, theme
            assert live is not None and live.triplet == success.triplet, theme
            seen.append(cell.triplet)
        assert len(set(seen)) == 3


async def test_no_color_draws_data_in_the_widgets_own_colour(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = BenchApp(demo, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await settle_after_scan(app, pilot)
        runs = app.query_one("#runs-table", VirtualTable)
        runs.cursor_row = len(runs.rows) - 1
        await pilot.pause()
        line = table_line(runs, lambda row: "LIVE" in str(row.cells[-1]))
        assert colour_of(runs, line, "LIVE") == colour_of(
            runs, line, str(runs.rows[line - 1].cells[0])[:8]
        )

        screen = await open_live_run(app, pilot)
        table = screen.query_one("#tasks-table", VirtualTable)
        line = passed_line(table)
        task_id = str(table.rows[line - 1].key)
        assert colour_of(table, line, "✓ pass") == colour_of(table, line, task_id[:8])
        heading = screen.query_one("#run-heading", SafeStatic)
        assert colour_of(heading, 0, "LIVE") == colour_of(heading, 0, screen.run.label[:8])

        table.focus()
        table.cursor_row = line - 1
        await pilot.press("enter")
        await settle_pilot(pilot)
        timeline = app.screen.query_one(StepTimeline)
        assert len({colour for _, colour in segments(timeline, 0)}) == 1
