"""A worker's unexpected exception (a reader bug) becomes a Problem, an error notice naming the
errors log, the traceback in that log, and the failure shown where the page said "Loading…"."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rich.text import Text

from bench_tui.model import Problem
from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.task import TaskScreen
from bench_tui.tui.widgets.status_line import StatusLine
from bench_tui.tui.widgets.virtual_table import VirtualTable
from bench_tui.tui.worker_errors import append_to_log, errors_log_path
from tests.fixtures.openadapt_builders import build_complete_run
from tests.fixtures.pilot import pause_until

SIZE = (160, 48)
TASK = "notepad_greeting"


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.setenv("BENCH_TUI_TRIAGE_DIR", str(tmp_path / "triage"))
    return state


def notices(app: BenchApp) -> list[tuple[str, str]]:
    return [(n.severity, n.message) for n in app._notifications]


def internal_errors(app: BenchApp) -> list[Problem]:
    return [p for p in app.workspace.problems if p.message.startswith("internal error while")]


def plain(content: object) -> str:
    return content.plain if isinstance(content, Text) else str(content)


def reader_bug(*_args: object, **_kwargs: object) -> object:
    raise RuntimeError("reader bug \x1b[31m in a step file")


async def test_a_failing_step_reader_is_reported_and_the_page_stops_loading(
    tmp_path: Path, state_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = tmp_path / "results"
    run_dir = build_complete_run(results)
    monkeypatch.setattr("bench_tui.tui.screens.task.load_steps", reader_bug)
    log = state_home / "bench-tui" / "errors.log"
    assert errors_log_path() == log

    app = BenchApp(results, images="halfblock")
    async with app.run_test(size=SIZE) as pilot:
        assert await pause_until(lambda: app.scan_done, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#tasks-table", VirtualTable).move_cursor_to_key(TASK)
        await pilot.press("enter")
        assert await pause_until(lambda: internal_errors(app), pilot)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TaskScreen)

        expected = "internal error while loading steps: RuntimeError: reader bug"
        problem = internal_errors(app)[0]
        execution = screen.execution
        assert execution is not None
        where = os.path.relpath(execution.source_path or run_dir, results).replace(os.sep, "/")
        assert problem.path == where
        assert problem.message.startswith(expected)
        assert f"traceback in {log}" in problem.message
        assert "\x1b" not in problem.message  # the message quoted data: made visible
        assert any(
            severity == "error" and expected in message and str(log) in message
            for severity, message in notices(app)
        )
        # In place: no "Loading steps…" left on the page.
        table = screen.query_one("#steps-table", VirtualTable)
        details = plain(screen.query_one("#step-details").content)
        assert expected in table.empty_text and expected in details
        assert "Loading" not in table.empty_text and "Loading" not in details
        assert "loading" not in plain(screen.query_one("#task-heading").content)
        assert app.main_screen.query_one(StatusLine).problems >= 1

    text = log.read_text(encoding="utf-8")
    assert "internal error while loading steps" in text
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: reader bug" in text and "in reader_bug" in text
    assert "\x1b" not in text


async def test_a_failing_discovery_is_reported_and_the_scan_stops(
    tmp_path: Path, state_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_complete_run(tmp_path / "results")

    def broken_walk(*_args: object, **_kwargs: object):
        raise ValueError("walk bug")
        yield  # a generator, as iter_workspace is

    monkeypatch.setattr("bench_tui.tui.app.iter_workspace", broken_walk)
    app = BenchApp(tmp_path / "results", images="halfblock")
    async with app.run_test(size=SIZE) as pilot:
        assert await pause_until(lambda: internal_errors(app), pilot)
        await pilot.pause()
        expected = "internal error while scanning the folder: ValueError: walk bug"
        problem = internal_errors(app)[0]
        assert problem.path == "." and problem.message.startswith(expected)
        assert any(s == "error" and expected in m for s, m in notices(app))
        status = app.main_screen.query_one(StatusLine)
        assert not status.scanning and app.scan_done
        assert "scanning" not in plain(status.render())
        assert "scan stopped" in plain(status.render())
    text = (state_home / "bench-tui" / "errors.log").read_text(encoding="utf-8")
    assert "ValueError: walk bug" in text and "in broken_walk" in text


async def test_an_unwritable_state_folder_is_said_in_the_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the state folder should be")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    build_complete_run(tmp_path / "results")
    monkeypatch.setattr("bench_tui.tui.app.iter_workspace", reader_bug)
    app = BenchApp(tmp_path / "results", images="halfblock")
    async with app.run_test(size=SIZE) as pilot:
        assert await pause_until(lambda: internal_errors(app), pilot)
        message = internal_errors(app)[0].message
        assert "RuntimeError: reader bug" in message
        assert "traceback not saved" in message and str(blocker) in message
        assert any(s == "error" and "traceback not saved" in m for s, m in notices(app))


def test_the_log_is_appended_to_and_never_through_a_link(tmp_path: Path) -> None:
    log = tmp_path / "state" / "bench-tui" / "errors.log"
    append_to_log(log, "first\n")
    append_to_log(log, "second\n")
    assert log.read_text() == "first\nsecond\n"
    assert log.stat().st_mode & 0o777 == 0o600

    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("untouched")
    linked = tmp_path / "linked" / "bench-tui" / "errors.log"
    linked.parent.mkdir(parents=True)
    linked.symlink_to(elsewhere)
    with pytest.raises(OSError):
        append_to_log(linked, "entry\n")
    assert elsewhere.read_text() == "untouched"


def test_every_worker_of_the_app_is_a_reported_one() -> None:
    """Textual's own `@work` / `run_worker` would drop an unexpected exception again."""
    source = Path(__file__).resolve().parents[1] / "src" / "bench_tui"
    raw = [
        f"{path.relative_to(source)}:{number}"
        for path in source.rglob("*.py")
        if path.name != "worker_errors.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "@work" in line or "run_worker(" in line or "exit_on_error" in line
    ]
    assert raw == []
    reported = [
        path.name
        for path in (source / "tui").rglob("*.py")
        if "@reported_work(" in path.read_text(encoding="utf-8")
    ]
    assert len(reported) >= 9, reported
