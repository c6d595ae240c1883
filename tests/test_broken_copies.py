"""Broken copies of a workspace holding every format: each kind of damage, never a crash.

Real result folders arrive truncated by a full disk, half-copied, with files swapped for folders
or emptied. Whatever the damage, discovery, `summary`, the step readers and `validate` answer
(with Problems), and the app's way of reading (list first, check after) finds the same.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.model import Problem
from bench_tui.report import summary_json
from bench_tui.sources.base import PendingChecks
from bench_tui.sources.checks_runner import iter_checks
from bench_tui.sources.discover import discover_workspace, iter_workspace
from bench_tui.sources.steps import load_steps
from bench_tui.triage.store import store_problems
from tests.fixtures.every_format import build_every_format

EVERY = 5
"""Damage every fifth file of each kind (deterministic: sorted paths)."""


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_every_format(tmp_path_factory.mktemp("pristine"), tasks_per_run=6)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for index in range(0, len(data), 7):
        data[index] = (data[index] * 31 + 0x85) % 256
    path.write_bytes(bytes(data))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _delete(path: Path) -> None:
    path.unlink()


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "stray.txt").write_text("not what was expected")


def _nul_strings(path: Path) -> None:
    """Every JSON string gets a NUL inside (paths included); other files get one NUL byte."""
    text = path.read_bytes()
    if path.suffix in (".json", ".jsonl"):
        path.write_bytes(text.replace(b'": "', b'": "\\u0000'))
    else:
        path.write_bytes(text[:10] + b"\x00" + text[10:])


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": _truncate,
    "garbled": _garble,
    "emptied": _empty,
    "deleted": _delete,
    "made a folder": _folder,
    "NUL inside": _nul_strings,
}


def _damaged_copy(pristine: Path, target: Path, damage: Callable[[Path], None]) -> int:
    shutil.copytree(pristine, target, symlinks=True)
    files = sorted(p for p in target.rglob("*") if p.is_file() and not p.is_symlink())
    by_kind: dict[str, list[Path]] = {}
    for path in files:
        by_kind.setdefault(path.suffix or path.name, []).append(path)
    hit = 0
    for paths in by_kind.values():
        for path in paths[::EVERY]:
            damage(path)
            hit += 1
    return hit


def _in_order(problems: list[Problem]) -> list[Problem]:
    return sorted(set(problems), key=Problem.sort_key)


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_a_damaged_copy_is_read_with_problems_and_never_crashes(
    pristine: Path, tmp_path: Path, kind: str
) -> None:
    root = tmp_path / "copy"
    assert _damaged_copy(pristine, root, DAMAGE[kind]) > 20
    workspace = discover_workspace(root)
    report = summary_json(workspace)
    json.dumps(report)  # the summary is plain JSON, whatever the damage
    assert workspace.problems, f"{kind}: damage that nobody reports"
    for problem in workspace.problems:
        assert problem.path and problem.message
    for run in workspace.runs:
        for execution in run.executions:
            steps, problems = load_steps(run, execution, root)
            assert isinstance(steps, list) and isinstance(problems, list)

    listed, checks = [], PendingChecks()
    for batch in iter_workspace(root, defer_checks=True):
        listed.extend(batch.problems)
        checks.extend(batch.checks)
    for _, found in iter_checks(root, checks, use_process=False):
        listed.extend(found)
    assert _in_order(listed) == workspace.sorted_problems()

    result = CliRunner().invoke(cli.app, ["validate", "--json", str(root)])
    assert result.exit_code == 1, result.output
    # validate adds the triage stores' Problems (the demo's reviewed run has a store).
    stores = store_problems((run.path for run in workspace.runs), root)
    assert len(json.loads(result.stdout)["problems"]) == len(
        _in_order([*workspace.problems, *stores])
    )


@pytest.mark.parametrize("kind", ["garbled", "NUL inside"])
async def test_the_app_walks_a_damaged_copy_without_crashing(
    pristine: Path, tmp_path: Path, kind: str
) -> None:
    from bench_tui.tui.app import BenchApp
    from bench_tui.tui.screens.problems import ProblemsScreen
    from bench_tui.tui.screens.run import RunScreen
    from bench_tui.tui.screens.task import TaskScreen
    from tests.fixtures.pilot import pause_until, settle_pilot

    root = tmp_path / "copy"
    _damaged_copy(pristine, root, DAMAGE[kind])
    app = BenchApp(root, images="halfblock")
    async with app.run_test(size=(120, 40)) as pilot:
        assert await pause_until(lambda: app.checks_done, pilot, timeout_s=20)
        for tab in ("1", "2", "3"):
            await pilot.press(tab)
            await settle_pilot(pilot)
        runs = app.query_one("#runs-table")
        for index in range(len(runs.rows)):
            runs.focus()
            runs.cursor_row = index
            await pilot.press("enter")
            await settle_pilot(pilot)
            assert isinstance(app.screen, RunScreen)
            app.screen.query_one("#tasks-table").focus()
            await pilot.press("enter")
            await settle_pilot(pilot)
            if isinstance(app.screen, TaskScreen):
                await pilot.press("right", "end", "o", "escape")
                await settle_pilot(pilot)
            await pilot.press("escape")
            await settle_pilot(pilot)
        await pilot.press("exclamation_mark")
        await settle_pilot(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        await pilot.press("enter")
        await settle_pilot(pilot)
        assert app._exception is None
