"""Every list with a `/` filter behaves the same: one key opens it, the same language matches
(case-insensitive, `!word` negates), the bar says "filter: N of M …", a filter that keeps
nothing says so in the same words, Enter returns to the list and Escape clears it."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench_tui.model import Problem
from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.problems import ProblemsScreen
from bench_tui.tui.screens.run import RunScreen
from bench_tui.tui.screens.training_page import TrainingScreen
from bench_tui.tui.widgets.filter_bar import FilterBar
from bench_tui.tui.widgets.virtual_table import VirtualTable
from tests.fixtures.offline_builders import CUSTOM_LOG, build_custom_training
from tests.fixtures.openadapt_builders import build_complete_run, build_crashed_run
from tests.fixtures.pilot import settle_after_scan, settle_pilot

SIZE = (160, 48)


@dataclass(frozen=True)
class ListCase:
    build: Callable[[Path], None]
    open: Callable[[BenchApp, object], Awaitable[None]]
    table: str
    noun: str
    one: str
    """A query, typed in upper case, that keeps exactly one row."""
    negated_keeps: int
    """Rows kept by `!` + `one`."""


def runs_workspace(root: Path) -> None:
    build_complete_run(root)
    build_crashed_run(root)


async def stay_on_run_list(app: BenchApp, pilot) -> None:
    app.query_one("#runs-table", VirtualTable).focus()
    await pilot.pause()


async def open_run_page(app: BenchApp, pilot) -> None:
    run = next(r for r in app.workspace.runs if r.label == "waa_eval_20251104_091522")
    app.push_screen(RunScreen(run, app.root))
    await settle_pilot(pilot)


async def open_problems(app: BenchApp, pilot) -> None:
    problems = [
        Problem(path="runs/a/execution.json", line=3, message="expected a number for num_steps"),
        Problem(path="runs/b/traj.jsonl", line=7, message="not JSON: Unterminated string"),
        Problem(path="evals/eval.json", line=None, message="not JSON: truncated"),
    ]
    app.push_screen(ProblemsScreen(app.root, problems))
    await settle_pilot(pilot)


def training_workspace(root: Path) -> None:
    log = copy.deepcopy(CUSTOM_LOG)
    second = copy.deepcopy(log["evaluations"][0])
    second.update(
        sample_idx=5,
        human_action={"type": "type", "x": None, "y": None, "text": "hello"},
        predicted_action={"type": "click", "x": 0.1, "y": 0.9},
        distance=0.7,
        correct=False,
    )
    log["evaluations"].append(second)
    build_custom_training(root, log)


async def open_training_page(app: BenchApp, pilot) -> None:
    training = app.workspace.trainings[0]
    app.push_screen(TrainingScreen(training, app.workspace.evals, app.root))
    await settle_pilot(pilot)


CASES = {
    "run list": ListCase(runs_workspace, stay_on_run_list, "runs-table", "run", "091522", 1),
    "run page tasks": ListCase(runs_workspace, open_run_page, "tasks-table", "task", "notepad", 2),
    "problems": ListCase(
        lambda root: root.mkdir(exist_ok=True),
        open_problems,
        "problems-table",
        "problem",
        "unterminated",
        2,
    ),
    "training evaluations": ListCase(
        training_workspace,
        open_training_page,
        "training-evals-table",
        "evaluation",
        "hello",
        1,
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
async def test_every_list_filters_the_same_way(case: ListCase, tmp_path: Path) -> None:
    case.build(tmp_path)
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await settle_after_scan(app, pilot)
        await case.open(app, pilot)
        table = app.screen.query_one(f"#{case.table}", VirtualTable)
        bar = app.screen.query_one(FilterBar)
        total = len(table.rows)
        base_empty = table.empty_text
        assert total >= 2 and not bar.display

        await pilot.press("slash")
        await pilot.pause()
        assert bar.display and bar.has_focus
        await pilot.press(*case.one.upper())
        await pilot.pause()
        assert len(table.rows) == 1
        assert bar.border_title == f"filter: 1 of {total} {case.noun}s"

        await pilot.press("home", "exclamation_mark")
        await pilot.pause()
        assert len(table.rows) == case.negated_keeps
        assert bar.border_title == f"filter: {case.negated_keeps} of {total} {case.noun}s"

        bar.value = "zzz-nothing-has-this"
        await pilot.pause()
        assert table.rows == []
        assert table.empty_text == f"No {case.noun} matches the filter."

        bar.value = case.one
        await pilot.press("enter")
        await pilot.pause()
        assert table.has_focus and bar.display and len(table.rows) == 1

        await pilot.press("slash")
        await pilot.pause()
        assert bar.has_focus and bar.value == case.one  # reopened on what it held
        await pilot.press("escape")
        await pilot.pause()
        assert bar.value == "" and not bar.display and table.has_focus
        assert len(table.rows) == total and table.empty_text == base_empty
