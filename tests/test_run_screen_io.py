"""The run page never waits on the disk: its labels are read and written, and its export written,
by workers (the results folder may be a slow or stalled mount)."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pytest

import bench_tui.tui.screens.run_export as run_export
import bench_tui.tui.screens.run_labels as run_labels
from bench_tui.triage.store import TriageStore
from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.run import RunScreen
from bench_tui.tui.screens.triage import TriageScreen
from bench_tui.tui.widgets.virtual_table import VirtualTable
from tests.fixtures.openadapt_builders import build_complete_run
from tests.fixtures.pilot import pause_until, wait_for_workers

SIZE = (160, 48)
TASK = "settings:dark mode?"


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BENCH_TUI_TRIAGE_DIR", str(tmp_path / "_state"))
    monkeypatch.setenv("BENCH_TUI_LABELS", str(tmp_path / "_no_labels.toml"))
    build_complete_run(tmp_path / "results")
    return tmp_path / "results"


def on_ui_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def record_threads(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, seen: list) -> None:
    original = getattr(owner, name)

    def recorded(*args, **kwargs):
        seen.append((name, on_ui_thread()))
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, recorded)


async def open_run(app: BenchApp, pilot) -> RunScreen:
    assert await pause_until(lambda: app.scan_done, pilot)
    await wait_for_workers(app)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, RunScreen)
    return app.screen


def label_cell(screen: RunScreen, task_id: str) -> str:
    table = screen.query_one("#tasks-table", VirtualTable)
    return str(next(row for row in table.rows if row.key == task_id).cells[-1])


async def test_labels_are_read_and_written_by_workers(
    results: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, bool]] = []
    for name in ("__init__", "state", "add_label", "remove_label", "set_note"):
        record_threads(monkeypatch, TriageStore, name, seen)
    record_threads(monkeypatch, run_labels, "load_label_set", seen)

    app = BenchApp(results, images="none")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_run(app, pilot)
        assert await pause_until(lambda: screen.labels_ready, pilot)
        screen.query_one("#tasks-table", VirtualTable).move_cursor_to_key(TASK)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        await pilot.press("f")  # flaky
        assert await pause_until(lambda: label_cell(screen, TASK) == "flaky", pilot)
        assert "■ flaky" in str(app.screen.query_one("#triage-labels").content)
        await pilot.press("f")  # and off again
        assert await pause_until(lambda: label_cell(screen, TASK) == "", pilot)
        await pilot.press("n", *"a note", "enter")
        await wait_for_workers(app)
        await pilot.pause()
        assert screen.triage.note_for("tern-vl-3b-lora-e3", TASK) == "a note"

    used = {name for name, _ in seen}
    assert {"__init__", "state", "add_label", "remove_label", "set_note", "load_label_set"} <= used
    assert [name for name, ui in seen if ui] == []


async def test_keys_pressed_before_the_labels_are_read_wait_for_them(
    results: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    original = run_labels.load_label_set

    def slow_label_set():
        release.wait(10)
        return original()

    monkeypatch.setattr(run_labels, "load_label_set", slow_label_set)
    app = BenchApp(results, images="none")
    async with app.run_test(size=SIZE) as pilot:
        assert await pause_until(lambda: app.scan_done, pilot)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunScreen) and not screen.labels_ready
        await pilot.press("t")
        await pilot.pause(0.1)
        assert app.screen is screen  # the dialog waits for the label set
        release.set()
        assert await pause_until(lambda: isinstance(app.screen, TriageScreen), pilot)
        await pilot.press("escape")


async def test_export_is_written_by_a_worker(
    results: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "elsewhere"
    out.mkdir()
    monkeypatch.chdir(out)
    seen: list[tuple[str, bool]] = []
    record_threads(monkeypatch, run_export, "write_atomic", seen)
    record_threads(monkeypatch, run_export, "export_path", seen)
    app = BenchApp(results, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await open_run(app, pilot)
        await pilot.press("e")
        await wait_for_workers(app)
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("3 rows written to ") for m in messages), messages
    assert seen == [("export_path", False), ("write_atomic", False)]
    (written,) = out.glob("bench-tui-*.csv")
    assert len(list(csv.DictReader(written.open()))) == 3


async def test_an_export_that_cannot_be_written_says_so(
    results: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(run_export, "write_atomic", refused)
    app = BenchApp(results, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await open_run(app, pilot)
        await pilot.press("e")
        await wait_for_workers(app)
        await pilot.pause()
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == ["export failed: [Errno 13] Permission denied"]
        assert not any(p.message.startswith("internal error") for p in app.workspace.problems)
