"""Pilot tests for `c`: picking the other side, the run comparison and the task split view."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.compare_run import CompareRunScreen
from bench_tui.tui.screens.compare_task import PREFIX_KEY, CompareTaskScreen
from bench_tui.tui.screens.pick import PickScreen
from bench_tui.tui.screens.run import RunScreen
from bench_tui.tui.screens.task import TaskScreen
from bench_tui.tui.widgets.screenshot import Screenshot
from bench_tui.tui.widgets.virtual_table import VirtualTable
from tests.fixtures.openadapt_builders import action, build_complete_run, write_json
from tests.fixtures.pilot import screen_lines, wait_for_workers

SIZE = (160, 48)


async def settle(pilot) -> None:
    await wait_for_workers(pilot.app)
    await pilot.pause()


@pytest.fixture
def two_runs(tmp_path: Path) -> Path:
    """The same three tasks twice; B clicks before typing in notepad_greeting and fails it."""
    build_complete_run(tmp_path / "a")
    b = build_complete_run(tmp_path / "b")
    meta = json.loads((b / "metadata.json").read_text())
    meta.update(
        run_name="waa_eval_20251106_080000",
        model_id="other-model",
        created_at="2025-11-06T08:00:00",
    )
    write_json(b / "metadata.json", meta)
    execution_path = b / "tasks" / "notepad_greeting" / "execution.json"
    execution = json.loads(execution_path.read_text())
    execution.update(model_id="other-model", success=False, score=0.0)
    execution["steps"].insert(
        1,
        {
            "step_idx": 1,
            "screenshot_path": "screenshots/step_001.png",
            "action": action(type="click", x=0.9, y=0.9),
        },
    )
    write_json(execution_path, execution)
    for name in ("settings_dark_mode_", "51b59aec-fa49-4b1c-85ca-ab90357f3abc-WOS"):
        path = b / "tasks" / name / "execution.json"
        data = json.loads(path.read_text())
        data["model_id"] = "other-model"
        write_json(path, data)
    summary = json.loads((b / "summary.json").read_text())
    summary.update(num_success=0, success_rate=0.0)
    summary["tasks"][0]["success"] = False
    write_json(b / "summary.json", summary)
    return tmp_path


async def open_newest_run(app: BenchApp, pilot, index: int) -> RunScreen:
    await settle(pilot)
    table = app.query_one("#runs-table", VirtualTable)
    table.cursor_row = index
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, RunScreen)
    return app.screen


async def test_run_comparison_quadrants_and_task_split(two_runs: Path) -> None:
    app = BenchApp(two_runs, images="halfblock")
    async with app.run_test(size=SIZE) as pilot:
        run_screen = await open_newest_run(app, pilot, 1)  # the older run, tern-vl-3b-lora-e3: A
        assert run_screen.run.label == "waa_eval_20251104_091522"
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        (partner,) = app.screen.rows
        assert partner.key == ("b/benchmark_results/waa_eval_20251104_091522", "other-model")
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CompareRunScreen)
        assert screen.matrix.a_only_pass == ["notepad_greeting"]
        table = screen.query_one(VirtualTable)
        assert len(table.rows) == 3
        await pilot.press("a")
        assert [row.key[0] for row in table.rows] == ["notepad_greeting"]
        await pilot.press("0")
        assert len(table.rows) == 3
        await pilot.press("v")
        assert {row.cells[5].plain for row in table.rows} == {"both pass"} or not table.rows
        await pilot.press("a", "enter")
        await settle(pilot)
        await settle(pilot)
        split = app.screen
        assert isinstance(split, CompareTaskScreen)
        alignment = split.alignment
        assert alignment is not None
        # B inserted one click: LCS keeps the rest aligned instead of shifting everything.
        assert alignment.pairs == [(0, 0), (None, 1), (1, 2), (2, 3)]
        assert alignment.first_divergence == 1
        steps_table = split.query_one("#cmp-table", VirtualTable)
        assert steps_table.cursor_key == 1  # the cursor starts at the first divergence
        shots = split.query(Screenshot).results(Screenshot)
        shot_a, shot_b = list(shots)
        assert shot_a._path is None and shot_b._path.endswith("step_001.png")
        await pilot.press("n")  # no divergence after pair 1
        assert steps_table.cursor_key == 1
        await pilot.press("up")
        assert steps_table.cursor_key == 0
        assert shot_a._path.endswith("step_000.png") and shot_b._path.endswith("step_000.png")
        await pilot.press("o")
        assert split.overlay is False
        await pilot.press("escape")
        assert isinstance(app.screen, CompareRunScreen)


async def test_identical_prefix_collapses_and_expands(two_runs: Path) -> None:
    # A: type, hotkey, done. B: the same three, then one extra click. Prefix of 3 identical pairs.
    tasks = "benchmark_results/waa_eval_20251104_091522/tasks/notepad_greeting/execution.json"
    a_exec = json.loads((two_runs / "a" / tasks).read_text())
    b_exec = json.loads((two_runs / "b" / tasks).read_text())
    extra = {
        "step_idx": 3,
        "screenshot_path": "screenshots/step_001.png",
        "action": action(type="click", x=0.9, y=0.9),
    }
    b_exec["steps"] = [*a_exec["steps"], extra]
    write_json(two_runs / "b" / tasks, b_exec)
    app = BenchApp(two_runs, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await open_newest_run(app, pilot, 1)
        tasks = app.screen.query_one("#tasks-table", VirtualTable)
        tasks.move_cursor_to_key("notepad_greeting")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TaskScreen)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        split = app.screen
        assert isinstance(split, CompareTaskScreen)
        assert split.alignment.common_prefix == 3
        assert split.alignment.first_divergence == 3
        table = split.query_one("#cmp-table", VirtualTable)
        assert [row.key for row in table.rows] == [PREFIX_KEY, 3]
        assert table.cursor_key == 3
        await pilot.press("z")
        assert table.rows[0].key == 0 and len(table.rows) == len(split.alignment.pairs)


async def test_split_view_numbers_steps_from_1_and_names_each_model(two_runs: Path) -> None:
    app = BenchApp(two_runs, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await open_newest_run(app, pilot, 1)
        await pilot.press("c", "enter", "a", "enter")
        await settle(pilot)
        await settle(pilot)
        split = app.screen
        assert isinstance(split, CompareTaskScreen)
        table = split.query_one("#cmp-table", VirtualTable)
        # pairs (0, 0), (None, 1), (1, 2), (2, 3): the step numbers each side shows
        assert [(row.cells[1], row.cells[4]) for row in table.rows] == [
            ("1", "1"),
            ("", "2"),
            ("2", "3"),
            ("3", "4"),
        ]
        shown = split.query_one("#cmp-details").content.plain
        assert "first divergence at B step 2" in shown
        assert "B step 2 (file #1): click" in shown
        heading = split.query_one("#cmp-heading").content.plain
        assert "A tern-vl-3b-lora-e3 · waa_eval_20251104_091522" in heading
        assert "B other-model · waa_eval_20251106_080000" in heading
        await pilot.press("up")
        shown = split.query_one("#cmp-details").content.plain
        assert "A step 1 (file #0)" in shown and "B step 1 (file #0)" in shown


def test_a_divergence_is_named_by_1_based_steps() -> None:
    from bench_tui.tui.screens.compare_task import _pair_steps

    assert _pair_steps((2, 2)) == "step 3"
    assert _pair_steps((2, 4)) == "A step 3 / B step 5"
    assert _pair_steps((None, 0)) == "B step 1" and _pair_steps((0, None)) == "A step 1"


async def test_split_view_shows_one_side_at_a_time_on_a_narrow_terminal(two_runs: Path) -> None:
    app = BenchApp(two_runs, images="none")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_newest_run(app, pilot, 1)
        await pilot.press("c", "enter", "a", "enter")
        await settle(pilot)
        split = app.screen
        assert isinstance(split, CompareTaskScreen)
        shot_a, shot_b = split.query_one("#shot-a"), split.query_one("#shot-b")
        assert (shot_a.display, shot_b.display) == (True, False)
        assert shot_a.size.width > 60  # the whole width, not half of it
        footer = " ".join(screen_lines(app)[-1:])
        assert "Show A/B" in footer
        heading = split.query_one("#cmp-heading").content.plain.splitlines()
        assert heading[1].startswith("A ") and heading[2].startswith("B ")
        await pilot.press("tab")
        await pilot.pause()
        assert (shot_a.display, shot_b.display) == (False, True)
        await pilot.press("tab")
        await pilot.pause()
        assert (shot_a.display, shot_b.display) == (True, False)


async def test_split_view_shows_both_sides_and_no_flip_key_when_wide(two_runs: Path) -> None:
    app = BenchApp(two_runs, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await open_newest_run(app, pilot, 1)
        await pilot.press("c", "enter", "a", "enter")
        await settle(pilot)
        split = app.screen
        assert isinstance(split, CompareTaskScreen)
        assert split.query_one("#shot-a").display and split.query_one("#shot-b").display
        assert "Show A/B" not in screen_lines(app)[-1]
        await pilot.press("tab")
        await pilot.pause()
        assert split.query_one("#shot-a").display and split.query_one("#shot-b").display


async def test_blind_labelling_hides_sides_and_reveals_counts(
    two_runs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench_tui.triage.store import TriageStore
    from bench_tui.tui.screens.triage import RevealScreen, TriageScreen

    monkeypatch.setenv("BENCH_TUI_TRIAGE_DIR", str(two_runs / "_state"))
    monkeypatch.setenv("BENCH_TUI_LABELS", str(two_runs / "_none.toml"))
    app = BenchApp(two_runs, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await open_newest_run(app, pilot, 1)
        await pilot.press("c", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CompareRunScreen)
        await pilot.press("w")
        await pilot.pause()
        assert screen.blind_seed is not None
        table = screen.query_one(VirtualTable)
        assert [c.label for c in table.columns][3:5] == ["left", "right"]
        assert {row.cells[5].plain for row in table.rows} == {"hidden"}
        assert not screen.query_one("#cmpr-cards").display
        table.move_cursor_to_key(("notepad_greeting", None))
        swapped = screen.swapped[("notepad_greeting", None)]
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        await pilot.press("w", "escape")  # "wrong answer" on the left side
        await pilot.pause()
        await pilot.press("enter")  # no split view while blind
        assert app.screen is screen
        await pilot.press("w")  # reveal
        await pilot.pause()
        assert isinstance(app.screen, RevealScreen)
        left_model = "other-model" if swapped else "tern-vl-3b-lora-e3"
        assert app.screen.counts == {left_model: {"wrong answer": 1}}
    run_dir = (
        two_runs / ("b" if swapped else "a") / "benchmark_results" / "waa_eval_20251104_091522"
    )
    state = TriageStore(run_dir).state()
    assert state.labels_for(left_model, "notepad_greeting") == ["wrong answer"]


async def test_insights_show_causes_series_and_hardest_tasks(two_runs: Path) -> None:
    from bench_tui.tui.screens.insights import InsightsScreen

    app = BenchApp(two_runs, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await open_newest_run(app, pilot, 1)
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InsightsScreen)
        series = screen.query_one("#insights-series").content.plain
        # both runs are waa runs but of different models: this model's series has one run
        assert "tern-vl-3b-lora-e3 on waa: 1 run(s)" in series
        assert "33.3%" in series
        failures = screen.query_one("#insights-failures").content
        causes = [str(cell) for cell in failures.columns[1].cells]
        assert "infrastructure" in causes
        hardest = screen.query_one("#insights-difficulty").content
        assert list(hardest.columns[0].cells)[0] != ""
