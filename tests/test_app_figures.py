"""Figures you can trust in the app (DESIGN §10): the baseline, pending tasks, blind preferences,
the errors card — each the same as the command line says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.triage.blind import PREFERRED, blind_order
from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.compare_run import CompareRunScreen
from bench_tui.tui.screens.insights import InsightsScreen
from bench_tui.tui.screens.run import RunScreen
from bench_tui.tui.widgets.metric_cards import MetricCards
from bench_tui.tui.widgets.virtual_table import VirtualTable
from tests.fixtures.compare_builders import openadapt_run
from tests.fixtures.pilot import settle_pilot

SIZE = (160, 48)
OLD = {"t1": "pass", "t2": "pass", "t3": "fail", "t4": "pass", "t5": "fail"}
NEW = {"t1": "pass", "t2": "fail", "t3": "unfinished", "t4": "unfinished", "t6": "pass"}


@pytest.fixture
def old_and_live(tmp_path: Path) -> Path:
    """The same model run twice: `old` finished, `new` still being written (t3, t4 pending)."""
    openadapt_run(tmp_path, "old", OLD, created_at="2025-11-01T09:00:00")
    live = openadapt_run(tmp_path, "new", NEW, created_at="2025-11-05T09:00:00")
    (live / "summary.json").unlink()
    return tmp_path


async def _open_run(app: BenchApp, pilot, run_id: str) -> RunScreen:
    await settle_pilot(pilot)
    table = app.query_one("#runs-table", VirtualTable)
    table.focus()
    table.move_cursor_to_key(run_id)
    await pilot.press("enter")
    await settle_pilot(pilot)
    assert isinstance(app.screen, RunScreen) and app.screen.run.id == run_id
    return app.screen


async def _compare_from(app: BenchApp, pilot, run_id: str) -> CompareRunScreen:
    await _open_run(app, pilot, run_id)
    await pilot.press("c")
    await settle_pilot(pilot)
    await pilot.press("enter")
    await settle_pilot(pilot)
    assert isinstance(app.screen, CompareRunScreen)
    return app.screen


def _cli(root: Path, *args: str) -> dict:
    result = CliRunner().invoke(cli.app, ["compare", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("start", ["old", "new"])
async def test_the_older_run_is_the_baseline_from_either_page(
    old_and_live: Path, start: str
) -> None:
    expected = _cli(old_and_live, str(old_and_live / "old"), str(old_and_live / "new"))
    app = BenchApp(old_and_live, images="none")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _compare_from(app, pilot, start)
        assert (screen.run_a.id, screen.run_b.id) == ("old", "new")
        assert screen.matrix.regressions == expected["a_only_pass"] == ["t2"]
        assert screen.matrix.pending_b == expected["pending"]["b"] == ["t3", "t4"]
        heading = screen.query_one("#cmpr-heading").content.plain
        assert "(baseline)" in heading.split("B ")[0]
        cards = [w.content.plain for w in screen.query_one(MetricCards).children]
        assert any(card.startswith("pending\n0 / 2") for card in cards)
        pending_rows = [
            r.key[0] for r in screen.query_one(VirtualTable).rows if "pending" in r.cells[5].plain
        ]
        assert pending_rows == ["t3", "t4"]
        await pilot.press("S")
        await settle_pilot(pilot)
        assert (screen.run_a.id, screen.run_b.id) == ("new", "old")
        assert screen.matrix.regressions == []
        assert screen.matrix.b_only_pass == ["t2"]
        assert "swapped" in screen.query_one("#cmpr-heading").content.plain
        deltas = screen.query_one("#cmpr-deltas").content
        assert "2 shared tasks" in deltas.title.plain


async def test_insights_leave_pending_tasks_out_of_the_regressions(old_and_live: Path) -> None:
    app = BenchApp(old_and_live, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await _open_run(app, pilot, "new")
        await pilot.press("i")
        await settle_pilot(pilot)
        assert isinstance(app.screen, InsightsScreen)
        series = app.screen.query_one("#insights-series").content.plain
        # t4 passed in `old` and has no outcome in `new` yet: only t2 got worse.
        assert "regressions between consecutive runs: 1" in series
        assert "t2: passed in old" in series and "t4:" not in series
        new_line = next(line for line in series.splitlines() if line.rstrip().endswith("partial"))
        assert " new " in new_line or new_line.split()[-2] == "new"


async def test_blind_rows_are_shuffled_and_preferences_are_counted_per_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench_tui.triage.store import TriageStore
    from bench_tui.tui.screens.triage import RevealScreen, TriageScreen

    monkeypatch.setenv("BENCH_TUI_LABELS", str(tmp_path / "_none.toml"))
    outcomes_a = {f"t{i:02d}": ("pass" if i % 2 else "fail") for i in range(12)}
    outcomes_b = {f"t{i:02d}": ("pass" if i % 3 else "fail") for i in range(12)}
    openadapt_run(tmp_path, "a", outcomes_a, model="m-old", created_at="2025-11-01T09:00:00")
    openadapt_run(tmp_path, "b", outcomes_b, model="m-new", created_at="2025-11-02T09:00:00")
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _compare_from(app, pilot, "a")
        await pilot.press("p")
        await settle_pilot(pilot)
        assert app.screen is screen  # not offered outside a blind session
        await pilot.press("w")
        await settle_pilot(pilot)
        table = screen.query_one(VirtualTable)
        keys = [row.key for row in table.rows]
        assert keys == blind_order(screen.quadrants, screen.blind_seed)
        quadrant_of = [screen.quadrants[key] for key in keys]
        assert quadrant_of != sorted(quadrant_of, key=list(screen.quadrants.values()).index)
        key = keys[0]
        table.move_cursor_to_key(key)
        left_is_b = screen.swapped[key]
        await pilot.press("p")
        await settle_pilot(pilot)
        assert isinstance(app.screen, TriageScreen)
        await pilot.press("l", "escape")  # left better
        await settle_pilot(pilot)
        await pilot.press("w")  # reveal
        await settle_pilot(pilot)
        assert isinstance(app.screen, RevealScreen)
        winner, loser = ("m-new", "m-old") if left_is_b else ("m-old", "m-new")
        assert app.screen.counts[winner] == {PREFERRED: 1}
        assert app.screen.counts[loser] == {"not preferred": 1}
    run = tmp_path / ("b" if left_is_b else "a")
    assert TriageStore(run).state().labels_for(winner, key[0]) == [PREFERRED]


async def test_the_errors_card_is_one_figure_with_its_parts(tmp_path: Path) -> None:
    openadapt_run(
        tmp_path,
        "run",
        {"t1": "pass", "t2": "infra", "t3": "error", "t4": "fail", "t5": "fail"},
        errors={"t4": "the agent raised ValueError"},
    )
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_run(app, pilot, "run")
        cards = [w.content.plain for w in screen.query_one(MetricCards).children]
        errors = next(card for card in cards if card.startswith("errors"))
        assert errors == "errors\n3\ntasks with errors (1 infra, 1 no verdict)"
