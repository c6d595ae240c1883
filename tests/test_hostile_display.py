"""Hostile strings never reach the terminal as escapes, and markup in them is never interpreted.

The corpus (tests/fixtures/hostile_corpus.py) puts OSC 52, OSC 0, CSI 2J, OSC 8, 8-bit CSI, a
bidi override and crashing/acting markup into every string of every format and into folder
names. The app is walked through every screen; after each step every line the compositor draws
is checked, and the control guard (the last filter before the terminal) must not have had to
remove anything: each widget made the data visible itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.safetext import data, visible, visible_text, visible_tree
from tests.fixtures.hostile_corpus import (
    MARKUP,
    PAYLOAD,
    build_hostile_workspace,
    plant_file_attacks,
)
from tests.fixtures.pilot import screen_lines

RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
CSV_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@pytest.fixture(scope="module")
def hostile_with_outside(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    base = tmp_path_factory.mktemp("hostile")
    root = build_hostile_workspace(base / "results")
    return root, plant_file_attacks(root, base / "outside")


@pytest.fixture(scope="module")
def hostile(hostile_with_outside: tuple[Path, dict[str, Path]]) -> Path:
    return hostile_with_outside[0]


# ----- the one function -----------------------------------------------------------------------


def test_visible_maps_every_control_character_to_one_visible_character() -> None:
    shown = visible(PAYLOAD)
    assert len(shown) == len(PAYLOAD)  # spans over it stay valid
    assert RAW_CONTROL.search(shown) is None
    assert "␛]52;c;" in shown and "␛[2J" in shown and "\u202e" not in shown
    assert visible("a\nb") == "a\nb"
    assert visible("a\nb", one_line=True) == "a⏎b"
    assert visible("plain text") == "plain text"


def test_data_and_visible_text_never_parse_markup() -> None:
    assert data(MARKUP).plain == MARKUP
    from rich.text import Text

    styled = Text("x\x1b[2Jy", style="bold")
    styled.stylize("red", 0, 1)
    safe = visible_text(styled)
    assert safe.plain == "x␛[2Jy" and safe.spans == styled.spans


def test_visible_tree_reaches_keys_and_nested_values() -> None:
    tree = visible_tree({"a\x1b": ["b\x9b", {"c": "d\x07"}], "n": 1})
    assert tree == {"a␛": ["b\ufffd", {"c": "d␇"}], "n": 1}


# ----- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["summary"],
        ["validate"],
        ["summary", "--json"],
        ["validate", "--json"],
        ["export", "--format", "csv"],
        ["export", "--format", "json"],
        ["repeats"],
        ["repeats", "--json"],
        ["audit"],
        ["audit", "--json"],
    ],
    ids=lambda args: " ".join(args),
)
def test_no_output_carries_a_control_character(hostile: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli.app, [*args, str(hostile)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    out = result.stdout_bytes.decode("utf-8")
    # CSV keeps tab, CR and LF inside quoted cells: they are the data, and a CSV reader needs them.
    pattern = CSV_CONTROL if "csv" in args else RAW_CONTROL
    assert pattern.search(out) is None, pattern.search(out)
    # Shown, not dropped: visibly on a screen, escaped in JSON and CSV.
    assert "␛]52;" in out or "\\u001b]52;" in out or "\\x1b]52;" in out


def test_piped_summary_is_never_wrapped_and_keeps_markup_literal(hostile: Path) -> None:
    result = CliRunner().invoke(cli.app, ["summary", str(hostile)])
    assert result.exit_code == 0, result.output
    assert "[bold red]BOLD[/][@click=app.quit]CLICK[/]" in result.stdout
    ids = [
        run["id"]
        for run in json.loads(
            CliRunner().invoke(cli.app, ["summary", "--json", str(hostile)]).stdout
        )["runs"]
    ]
    assert any("[@click=app.quit]" in run_id for run_id in ids)  # the renamed folder
    lines = result.stdout.splitlines()
    for run_id in ids:  # whole on one line: piped output is never wrapped
        assert any(visible(run_id, one_line=True) in line for line in lines), run_id


# ----- the app ----------------------------------------------------------------------------------


def _screen_text(app) -> str:
    return "\n".join(screen_lines(app))


def _check(app, where: str, seen: list[str]) -> None:
    text = _screen_text(app)
    leak = RAW_CONTROL.search(text)
    assert leak is None, f"{where}: raw {leak.group()!r} on screen"
    guard = app.control_guard
    assert guard.caught == 0, f"{where}: the guard had to strip {guard.samples[:3]!r}"
    assert app._exception is None, f"{where}: {app._exception!r}"
    assert app.is_running, f"{where}: the app stopped"
    seen.append(text)


async def test_every_screen_shows_hostile_data_as_text(
    hostile_with_outside: tuple[Path, dict[str, Path]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hostile, planted = hostile_with_outside
    fallback = tmp_path / "fallback-store"
    monkeypatch.setenv("BENCH_TUI_TRIAGE_DIR", str(fallback))
    bashrc_before = planted["bashrc"].read_bytes()
    from bench_tui.tui.app import BenchApp
    from bench_tui.tui.screens.run import RunScreen
    from bench_tui.tui.screens.task import TaskScreen
    from tests.fixtures.pilot import pause_until, settle_pilot

    app = BenchApp(hostile, images="halfblock")
    seen: list[str] = []
    async with app.run_test(size=(160, 48)) as pilot:
        assert await pause_until(lambda: app.checks_done, pilot, timeout_s=30)
        await settle_pilot(pilot)
        _check(app, "run list", seen)
        for tab in ("1", "2", "3"):
            await pilot.press(tab)
            await settle_pilot(pilot)
            _check(app, f"tab {tab}", seen)
        # Training tab: the training page and the eval reports.
        await pilot.press("1")
        await settle_pilot(pilot)
        await pilot.press("enter")
        await settle_pilot(pilot)
        _check(app, "training page", seen)
        await pilot.press("E")
        await settle_pilot(pilot)
        _check(app, "eval reports", seen)
        await pilot.press("right_square_bracket")
        await settle_pilot(pilot)
        _check(app, "eval reports, next pair", seen)
        await pilot.press("2")
        await settle_pilot(pilot)
        await pilot.press("enter")
        await settle_pilot(pilot)
        _check(app, "episode viewer", seen)
        await pilot.press("right", "p")
        await settle_pilot(pilot)
        _check(app, "episode viewer, progression", seen)
        await pilot.press("3")
        await settle_pilot(pilot)
        runs = app.query_one("#runs-table")
        for index in range(len(runs.rows)):
            runs.focus()
            runs.cursor_row = index
            await pilot.press("enter")
            await settle_pilot(pilot)
            assert isinstance(app.screen, RunScreen)
            _check(app, f"run page {index}", seen)
            for keys, name in (
                (("i",), "insights"),
                (("question_mark",), "help"),
                (("F",), "frequency"),
                (("t", "e"), "label dialog, a label given"),
                (("R",), "repeats"),
                (("A",), "checker audit"),
                (("v",), "review queue"),
            ):
                app.screen.query_one("#tasks-table").focus()
                await pilot.press(*keys)
                await settle_pilot(pilot)
                _check(app, f"run {index}: {name}", seen)
                await pilot.press("escape")
                await settle_pilot(pilot)
            await pilot.press("c")
            await settle_pilot(pilot)
            _check(app, f"run {index}: compare pick", seen)
            await pilot.press("enter")
            await settle_pilot(pilot)
            _check(app, f"run {index}: comparison", seen)
            await pilot.press("w")
            await settle_pilot(pilot)
            _check(app, f"run {index}: blind comparison", seen)
            while not isinstance(app.screen, RunScreen):
                await pilot.press("escape")
                await settle_pilot(pilot)
            app.screen.query_one("#tasks-table").focus()
            await pilot.press("enter")
            await settle_pilot(pilot)
            if isinstance(app.screen, TaskScreen):
                _check(app, f"run {index}: task page", seen)
                await pilot.press("right", "end", "o")
                await settle_pilot(pilot)
                _check(app, f"run {index}: task page, last step", seen)
                await pilot.press("c")
                await settle_pilot(pilot)
                _check(app, f"run {index}: split view", seen)
                while not isinstance(app.screen, RunScreen):
                    await pilot.press("escape")
                    await settle_pilot(pilot)
            await pilot.press("escape")
            await settle_pilot(pilot)
        await pilot.press("exclamation_mark")
        await settle_pilot(pilot)
        _check(app, "problems", seen)
        await pilot.press("enter")
        await settle_pilot(pilot)
        _check(app, "problem's file", seen)
        await pilot.press("escape")
        app.notify(f"a notice quoting data{PAYLOAD}", title=f"title{PAYLOAD}")
        await settle_pilot(pilot)
        _check(app, "notification", seen)
    # The store planted as a link to a file outside was never written through.
    assert planted["bashrc"].read_bytes() == bashrc_before
    assert planted["store"].is_symlink()
    assert any(fallback.rglob("triage.jsonl"))  # the label went to the fallback store
    everything = "\n".join(seen)
    # Data was on screen, visibly: escapes as ␛ and markup as its own characters.
    assert "␛]52;c;" in everything
    assert "[bold red]BOLD[/]" in everything
    assert "[@click=app.quit]" in everything
