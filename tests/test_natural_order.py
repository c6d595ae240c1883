"""Ids and names sort as a person counts (browser_2 before browser_10) in lists and exports."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.model.ordering import natural_key
from bench_tui.tui.app import BenchApp
from bench_tui.tui.widgets.virtual_table import VirtualTable
from tests.fixtures.compare_builders import openadapt_run
from tests.fixtures.pilot import settle_pilot

IDS = ["browser_10", "browser_2", "browser_1", "Browser_3", "calc_1"]
NATURAL = ["browser_1", "browser_2", "Browser_3", "browser_10", "calc_1"]


def test_natural_key_orders_digit_runs_by_value() -> None:
    assert sorted(IDS, key=natural_key) == NATURAL
    assert sorted(["a", "a1", "a01", "a1b"], key=natural_key) == ["a", "a01", "a1", "a1b"]
    assert sorted(["x-2.10", "x-2.9"], key=natural_key) == ["x-2.9", "x-2.10"]


def test_export_and_compare_list_tasks_in_natural_order(tmp_path: Path) -> None:
    openadapt_run(tmp_path, "a", dict.fromkeys(IDS, "pass"), created_at="2025-11-01T09:00:00")
    openadapt_run(tmp_path, "b", dict.fromkeys(IDS, "fail"), created_at="2025-11-02T09:00:00")
    rows = json.loads(
        CliRunner().invoke(cli.app, ["export", "--format", "json", str(tmp_path / "a")]).stdout
    )
    assert [row["task_id"] for row in rows] == NATURAL
    data = json.loads(
        CliRunner()
        .invoke(cli.app, ["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--json"])
        .stdout
    )
    assert data["a_only_pass"] == NATURAL


async def test_the_task_list_shows_and_sorts_ids_naturally(tmp_path: Path) -> None:
    openadapt_run(tmp_path, "a", dict.fromkeys(IDS, "pass"))
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle_pilot(pilot)
        await pilot.press("enter")
        await settle_pilot(pilot)
        table = app.screen.query_one("#tasks-table", VirtualTable)
        assert [row.key for row in table.rows] == NATURAL
        table.focus()
        await pilot.press("s", "s")  # sort on the task column, then reverse it
        assert [row.key for row in table.rows] == NATURAL[::-1]
