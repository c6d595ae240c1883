"""Pilot tests for keyboard triage on the run page: label, note, marks, next unlabelled, F, e."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.pick import PickScreen
from bench_tui.tui.screens.run import RunScreen
from bench_tui.tui.screens.triage import TriageScreen
from bench_tui.tui.widgets.virtual_table import VirtualTable
from tests.fixtures.openadapt_builders import build_complete_run
from tests.fixtures.pilot import wait_for_workers

SIZE = (160, 48)
MODEL = "tern-vl-3b-lora-e3"


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BENCH_TUI_TRIAGE_DIR", str(tmp_path / "_state"))
    monkeypatch.setenv("BENCH_TUI_LABELS", str(tmp_path / "_no_labels.toml"))
    return build_complete_run(tmp_path / "results")


def tree(root: Path) -> dict[str, float]:
    return {
        str(p.relative_to(root)): p.stat().st_mtime
        for p in root.rglob("*")
        if ".bench-tui" not in p.parts
    }


async def open_run(app: BenchApp, pilot) -> RunScreen:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("enter")
    await wait_for_workers(app)  # the labels are read by a worker
    await pilot.pause()
    assert isinstance(app.screen, RunScreen)
    return app.screen


async def test_label_note_and_filter_by_label(run_dir: Path, tmp_path: Path) -> None:
    before = tree(run_dir)
    app = BenchApp(tmp_path / "results", images="none")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_run(app, pilot)
        table = screen.query_one("#tasks-table", VirtualTable)
        table.move_cursor_to_key("settings:dark mode?")
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        await pilot.press("g")  # grounding miss
        await pilot.press("n", *"clicked the wrong toggle", "enter")
        await wait_for_workers(app)  # labels and notes are written by workers
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        row = next(r for r in table.rows if r.key == "settings:dark mode?")
        assert row.cells[-1] == "grounding miss"
        await pilot.press("slash", *"label:grounding")
        await pilot.pause()
        assert [r.key for r in table.rows] == ["settings:dark mode?"]
    lines = (run_dir / ".bench-tui" / "triage.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["op"], r["label"], r["note"]) for r in records] == [
        ("label", "grounding miss", None),
        ("note", None, "clicked the wrong toggle"),
    ]
    assert tree(run_dir) == before  # nothing else inside the results folder changed


async def test_marks_bulk_label_and_next_unlabelled_failure(run_dir: Path, tmp_path: Path) -> None:
    app = BenchApp(tmp_path / "results", images="none")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_run(app, pilot)
        table = screen.query_one("#tasks-table", VirtualTable)
        keys = [r.key for r in table.rows]
        table.cursor_row = 0
        await pilot.press("space", "space")
        assert table.marked == set(keys[:2]) and table.cursor_row == 2
        await pilot.press("t", "f", "escape")  # flaky on both marked tasks
        await wait_for_workers(app)
        await pilot.pause()
        labelled = {r.key for r in table.rows if r.cells[-1] == "flaky"}
        assert labelled == set(keys[:2])
        assert table.marked == set()  # the marks did their job: cleared, and said so
        assert any("marks cleared" in n.message for n in app._notifications)
        table.cursor_row = 0
        await pilot.press("space", "space", "t", "f", "escape")  # again: removed from both
        await wait_for_workers(app)
        await pilot.pause()
        assert not any(r.cells[-1] for r in table.rows)
        assert table.marked == set()
        table.cursor_row = 0
        await pilot.press("u")
        failures = [r.key for r in table.rows if r.data["filter"].statuses[MODEL] != "passed"]
        assert table.cursor_key == next(k for k in failures if keys.index(k) > 0)


async def test_frequency_table_filters_by_a_bucket(run_dir: Path, tmp_path: Path) -> None:
    app = BenchApp(tmp_path / "results", images="none")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_run(app, pilot)
        table = screen.query_one("#tasks-table", VirtualTable)
        table.cursor_column = 3  # result
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        buckets = {row.key: row.cells[1] for row in app.screen.rows}
        assert buckets == {"✓ pass": "1", "✗ fail": "1", "⚠ infra": "1"}
        app.screen.query_one(VirtualTable).move_cursor_to_key("⚠ infra")
        await pilot.press("enter")
        await pilot.pause()
        assert [r.key for r in table.rows] == ["51b59aec-fa49-4b1c-85ca-ab90357f3abc-WOS"]
        await pilot.press("F")
        await pilot.pause()
        await pilot.press("enter")  # the first row clears the column filter
        await pilot.pause()
        assert len(table.rows) == 3


async def test_export_writes_the_visible_rows_outside_the_results(
    run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "elsewhere"
    out.mkdir()
    monkeypatch.chdir(out)
    app = BenchApp(tmp_path / "results", images="none")
    async with app.run_test(size=SIZE) as pilot:
        await open_run(app, pilot)
        await pilot.press("x")  # failures only
        await pilot.press("e")
        await wait_for_workers(app)  # the export is written by a worker
        await pilot.pause()
    (written,) = out.glob("bench-tui-*.csv")
    rows = list(csv.DictReader(written.open()))
    assert {r["task_id"] for r in rows} == {
        "settings:dark mode?",
        "51b59aec-fa49-4b1c-85ca-ab90357f3abc-WOS",
    }
    assert not list((tmp_path / "results").rglob("bench-tui-*.csv"))
    assert os.listdir(out) == [written.name]  # the temp file was renamed, none left behind
