"""Deep links: `--goto RUN[/TASK[/STEP]]` resolves and opens that page (DESIGN §10 "serve")."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import TabbedContent

from bench_tui import cli
from bench_tui.deeplink import (
    SERVE_URL_ENV,
    command_link,
    resolve_goto,
    step_notice,
    url_link,
)
from bench_tui.sources.discover import discover_workspace
from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.run import RunScreen
from bench_tui.tui.screens.task import TaskScreen
from tests.fixtures.openadapt_builders import build_complete_run
from tests.fixtures.pilot import pause_until, plain, wait_for_workers

SIZE = (160, 48)
RUN = "benchmark_results/waa_eval_20251104_091522"
TASK = "notepad_greeting"  # 3 step records


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    build_complete_run(tmp_path)
    return tmp_path


def notices(app: BenchApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def opened(app: BenchApp, pilot, kind: type) -> None:
    await wait_for_workers(app)
    assert await pause_until(lambda: isinstance(app.screen, kind), pilot)
    if isinstance(app.screen, TaskScreen):
        screen = app.screen
        assert await pause_until(lambda: not screen.steps_loading, pilot)
    await pilot.pause()


# ----- resolving ---------------------------------------------------------------------------------


def test_longest_run_id_then_task_then_step(workspace: Path) -> None:
    runs = discover_workspace(workspace).runs
    goto = resolve_goto(f"{RUN}/{TASK}/2", runs, final=False)
    assert goto is not None
    assert (goto.run.id, goto.task_id, goto.step, goto.notices) == (RUN, TASK, 2, ())
    assert goto.model == "tern-vl-3b-lora-e3"
    assert resolve_goto(f"/{RUN}/", runs, final=False).task_id is None  # slashes around: the run


def test_a_target_waits_while_the_scan_may_still_list_it(workspace: Path) -> None:
    runs = discover_workspace(workspace).runs
    assert resolve_goto("elsewhere/run", runs, final=False) is None
    assert resolve_goto(f"{RUN}/no_such_task", runs, final=False) is None
    missing = resolve_goto("elsewhere/run", runs, final=True)
    assert missing.run is None and "run elsewhere/run not found" in missing.notices[0]


def test_a_run_that_is_the_scanned_folder_itself(workspace: Path) -> None:
    runs = discover_workspace(workspace / RUN).runs
    assert [run.id for run in runs] == ["."]
    for target in (f"./{TASK}/3", f"{TASK}/3"):
        goto = resolve_goto(target, runs, final=True)
        assert (goto.run.id, goto.task_id, goto.step) == (".", TASK, 3)


def test_a_step_that_is_not_a_number_opens_the_first_step_with_a_notice(workspace: Path) -> None:
    runs = discover_workspace(workspace).runs
    goto = resolve_goto(f"{RUN}/{TASK}/0", runs, final=True)
    assert goto.task_id == TASK and goto.step is None
    assert "step 0 is not a step number" in goto.notices[0]


def test_notices_show_control_characters_visibly(workspace: Path) -> None:
    runs = discover_workspace(workspace).runs
    goto = resolve_goto("evil\x1b]52;c;AAAA\x07/x", runs, final=True)
    assert "\x1b" not in goto.notices[0] and "\x07" not in goto.notices[0]
    assert "␛]52;c;AAAA␇" in goto.notices[0]


def test_links_quote_for_the_shell_and_the_url() -> None:
    assert command_link("runs/a b/t;rm/2", "/data/x y") == (
        "bench-tui --goto 'runs/a b/t;rm/2' '/data/x y'"
    )
    assert "\x1b" not in command_link("r/\x1b[2J/1", ".")
    assert url_link("http://h:1/?token=abc", "r/a b#c/2") == (
        "http://h:1/?token=abc&goto=r/a%20b%23c/2"
    )
    assert url_link("http://h:1/", "r") == "http://h:1/?goto=r"
    assert step_notice(3, 3) is None
    assert "has 3 steps; showing step 3" in step_notice(9, 3)


# ----- the app ----------------------------------------------------------------------------------


async def test_goto_a_run_opens_its_page(workspace: Path) -> None:
    app = BenchApp(workspace, images="none", goto=RUN)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot, RunScreen)
        assert app.screen.run.id == RUN
        await pilot.press("escape")
        assert app.query_one(TabbedContent).active == "benchmarks"


async def test_goto_a_task_opens_its_first_step(workspace: Path) -> None:
    app = BenchApp(workspace, images="none", goto=f"{RUN}/{TASK}")
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot, TaskScreen)
        screen = app.screen
        assert (screen.task_id, screen.current) == (TASK, 0)
        assert isinstance(app.screen_stack[-2], RunScreen)  # escape goes back to the run
        assert not notices(app)


async def test_goto_a_step_is_one_based(workspace: Path) -> None:
    app = BenchApp(workspace, images="none", goto=f"{RUN}/{TASK}/2")
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot, TaskScreen)
        assert app.screen.current == 1  # the second step record
        assert "hotkey ctrl+s" in plain(app.screen.query_one("#step-details").content)


async def test_goto_an_unknown_task_opens_the_run_with_a_notice(workspace: Path) -> None:
    app = BenchApp(workspace, images="none", goto=f"{RUN}/no_such_task/2")
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot, RunScreen)
        assert app.screen.run.id == RUN
        assert notices(app) == [f"goto: task no_such_task not found in run {RUN}; showing the run"]


async def test_goto_an_unknown_run_opens_the_run_list_with_a_notice(workspace: Path) -> None:
    app = BenchApp(workspace, images="none", goto="no/such/run/t/1")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_workers(app)
        assert await pause_until(lambda: bool(notices(app)), pilot)
        assert len(app.screen_stack) == 1
        assert app.query_one(TabbedContent).active == "benchmarks"
        assert notices(app) == ["goto: run no/such/run/t/1 not found; showing the run list"]


async def test_goto_a_step_past_the_end_opens_the_last_step_with_a_notice(
    workspace: Path,
) -> None:
    app = BenchApp(workspace, images="none", goto=f"{RUN}/{TASK}/7")
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot, TaskScreen)
        assert app.screen.current == 2
        assert notices(app) == ["goto: step 7 not found, the task has 3 steps; showing step 3"]


async def test_goto_opens_when_its_run_is_listed_not_when_the_scan_ends(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bench_tui.tui.app as app_module

    real = app_module.iter_workspace
    release = threading.Event()

    def slow_scan(root, **options):
        # Batches as often as possible: the run comes before the end of the walk.
        for batch in real(root, **{**options, "batch_interval_s": 0}):
            if batch.done:
                release.wait(10)  # the rest of a big tree is still being walked
            yield batch

    monkeypatch.setattr(app_module, "iter_workspace", slow_scan)
    app = BenchApp(workspace, images="none", goto=f"{RUN}/{TASK}/2")
    async with app.run_test(size=SIZE) as pilot:
        try:
            assert await pause_until(lambda: isinstance(app.screen, TaskScreen), pilot)
            assert not app.scan_done
        finally:
            release.set()
        await wait_for_workers(app)
        assert await pause_until(lambda: app.checks_done, pilot)


async def test_the_task_page_shows_its_link_and_y_copies_it(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SERVE_URL_ENV, raising=False)
    app = BenchApp(workspace, images="none", goto=f"{RUN}/{TASK}/2")
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot, TaskScreen)
        command = f"bench-tui --goto {RUN}/{TASK}/2 {workspace}"
        assert command in plain(app.screen.query_one("#task-link").content)
        await pilot.press("right")
        assert f"{RUN}/{TASK}/3" in plain(app.screen.query_one("#task-link").content)
        await pilot.press("left", "y")
        assert app.clipboard == command
        assert command in notices(app)[-1]


async def test_a_served_task_page_links_and_copies_the_url(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SERVE_URL_ENV, "http://127.0.0.1:8000/?token=t0k")
    app = BenchApp(workspace, images="none", goto=f"{RUN}/{TASK}")
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot, TaskScreen)
        url = f"http://127.0.0.1:8000/?token=t0k&goto={RUN}/{TASK}/1"
        link = plain(app.screen.query_one("#task-link").content)
        assert url in link and f"bench-tui --goto {RUN}/{TASK}/1" in link
        await pilot.press("y")
        assert app.clipboard == url


def test_goto_option_reaches_the_app(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import bench_tui.tui.launch as launch_module

    seen: list[str | None] = []
    monkeypatch.setattr(
        launch_module, "launch", lambda directory, images, goto=None, **_: seen.append(goto)
    )
    runner = CliRunner()
    assert runner.invoke(cli.app, ["--goto", f"{RUN}/{TASK}/2", str(workspace)]).exit_code == 0
    assert runner.invoke(cli.app, ["open", "--goto", RUN, str(workspace)]).exit_code == 0
    assert seen == [f"{RUN}/{TASK}/2", RUN]
