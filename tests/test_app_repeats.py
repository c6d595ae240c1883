"""Pilot tests: the Repeats view, the flaky → split-view jump, the review queue, the Audit view."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.analysis.repeats import find_trials
from bench_tui.analysis.summary import format_rate
from bench_tui.demo import write_demo
from bench_tui.triage.labels import CHECKER_RIGHT, SHOULD_PASS
from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.audit import AuditScreen
from bench_tui.tui.screens.compare_task import CompareTaskScreen
from bench_tui.tui.screens.repeats import RepeatsScreen
from bench_tui.tui.screens.review import ReviewScreen
from bench_tui.tui.screens.run import RunScreen
from bench_tui.tui.widgets.virtual_table import VirtualTable
from tests.fixtures.compare_builders import openadapt_run
from tests.fixtures.openadapt_builders import build_complete_run
from tests.fixtures.pilot import pause_until, plain, settle_after_scan, wait_for_workers

SIZE = (160, 48)


@pytest.fixture(autouse=True)
def _own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_TUI_TRIAGE_DIR", str(tmp_path / "_state"))
    monkeypatch.setenv("BENCH_TUI_LABELS", str(tmp_path / "_no_labels.toml"))


async def open_run(app: BenchApp, pilot, run_id: str) -> RunScreen:
    await settle_after_scan(app, pilot)
    table = app.query_one("#runs-table", VirtualTable)
    table.move_cursor_to_key(run_id)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, RunScreen)
    return app.screen


def row_cells(table: VirtualTable, key: object) -> list[str]:
    row = next(r for r in table.rows if r.key == key)
    return [plain(cell) for cell in row.cells]


# ----- Repeats ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "ws"
    write_demo(root, tasks_per_run=12)
    return root


async def test_repeats_view_flaky_first_and_the_split_view_jump(demo: Path) -> None:
    base = "benchmark_results/waa_eval_20251110_091522"
    app = BenchApp(demo, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await open_run(app, pilot, base)
        await pilot.press("R")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RepeatsScreen)
        assert screen.summary is not None and screen.summary.model == "tern-vl-3b-base"
        table = screen.query_one("#repeats-table", VirtualTable)
        kinds = [plain(row.cells[3]) for row in table.rows]
        assert kinds and kinds[0] == "flaky"
        assert kinds == sorted(kinds, key=["flaky", "never passes", "always passes"].index)
        expected = [t for t in find_trials(app.workspace.runs) if t.model == "tern-vl-3b-base"]
        flaky = next(t for t in expected if t.flaky)
        first = row_cells(table, (flaky.benchmark, flaky.key))
        marks = "".join("✓" if t.passed else "✗" for t in flaky.trials)
        assert first[1] == marks and first[2] == f"{flaky.passes}/{flaky.n}"
        # the same figures as `bench-tui repeats --json`
        data = json.loads(CliRunner().invoke(cli.app, ["repeats", str(demo), "--json"]).stdout)
        entry = next(m for m in data["models"] if m["model"] == "tern-vl-3b-base")
        figures = plain(screen.query_one("#repeats-figures").render())
        k = entry["k"]
        for name, value in (
            ("pass@1", entry["pass_at_1"]),
            (f"pass@{k}", entry["pass_at_k"]),
            (f"pass^{k}", entry["pass_hat_k"]),
        ):
            assert f"{name} {format_rate(value)}" in figures
        assert f"{len(entry['flaky'])} flaky" in figures

        table.move_cursor_to_key((flaky.benchmark, flaky.key))
        await pilot.press("enter")
        await pilot.pause()
        split = app.screen
        assert isinstance(split, CompareTaskScreen)
        (run_a, exec_a), (run_b, exec_b) = split.sides
        assert exec_a.status == "passed" and exec_b.status != "passed"
        assert exec_a.task_id == exec_b.task_id == flaky.key[0]
        assert run_a.id != run_b.id
        assert await pause_until(lambda: split.alignment is not None, pilot)
        cmp_table = split.query_one("#cmp-table", VirtualTable)
        assert split.alignment.first_divergence is not None  # type: ignore[union-attr]
        assert cmp_table.cursor_key == split.alignment.first_divergence  # type: ignore[union-attr]

        await pilot.press("escape")
        await pilot.press("m")  # the other model with trials: the LoRA fine-tune and its rerun
        await pilot.pause()
        assert app.screen.summary.model == "tern-vl-3b-lora-e3"  # type: ignore[attr-defined]


async def test_repeats_and_audit_from_the_command_palette(demo: Path) -> None:
    from bench_tui.tui.commands import BindingCommands

    app = BenchApp(demo, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await open_run(app, pilot, "benchmark_results/waa_eval_20251114_101205")
        provider = BindingCommands(app.screen)
        titles = [str(hit.display) async for hit in provider.discover()]
        for title in ("Repeats (R)", "Checker audit (A)", "Review failures (v)"):
            assert title in titles
        hits = [hit async for hit in provider.search("repeats")]
        await hits[0].command()
        await pilot.pause()
        # lumen-4o ran nothing twice: the view says so and shows a model that did
        assert isinstance(app.screen, RepeatsScreen)
        assert "lumen-4o ran no task twice" in plain(
            app.screen.query_one("#repeats-figures").render()
        )
        await pilot.press("escape")
        hits = [hit async for hit in BindingCommands(app.screen).search("checker audit")]
        await hits[0].command()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AuditScreen)
        # the demo's reviewed run: overturned verdicts with their notes
        table = screen.query_one("#audit-table", VirtualTable)
        notes = [plain(row.cells[-1]) for row in table.rows]
        assert len(table.rows) == 3 and all(notes)
        assert {plain(row.cells[4]) for row in table.rows} == {"pass", "fail"}


# ----- labels from the command line in the app -------------------------------------------------


async def test_labels_written_by_the_command_line_show_in_the_app(tmp_path: Path) -> None:
    results = tmp_path / "results"
    openadapt_run(results, "r1", {"a_1": "pass", "b_1": "fail", "c_1": "fail"})
    result = CliRunner().invoke(
        cli.app, ["label", str(results), "r1", "b_1", SHOULD_PASS, "--note", "it did save"]
    )
    assert result.exit_code == 0, result.output
    app = BenchApp(results, images="none")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_run(app, pilot, "r1")
        tasks = screen.query_one("#tasks-table", VirtualTable)
        assert row_cells(tasks, "b_1")[-1] == SHOULD_PASS
        card = plain(screen.query(".metric-card").first().render())
        audit_data = json.loads(
            CliRunner().invoke(cli.app, ["audit", str(results), "--json"]).stdout
        )
        (entry,) = audit_data["runs"]
        checker, corrected = entry["checker_success_rate"], entry["corrected_success_rate"]
        assert f"{format_rate(checker)} → {format_rate(corrected)}" in card
        assert "33.3% → 66.7%" in card and "after review" in card
        await pilot.press("A")
        await pilot.pause()
        audit = app.screen
        assert isinstance(audit, AuditScreen)
        row = row_cells(
            audit.query_one("#audit-table", VirtualTable), ("r1", "tern-vl-3b", "b_1", None)
        )
        assert row[2:] == ["b_1", "failed", "pass", "it did save"]
        await pilot.press("enter")  # opens the task page
        await pilot.pause()
        assert type(app.screen).__name__ == "TaskScreen"


# ----- review queue ----------------------------------------------------------------------------


async def test_review_queue_verdicts_skip_note_and_undo(tmp_path: Path) -> None:
    results = tmp_path / "results"
    outcomes = {"a_1": "pass", "b_1": "fail", "c_1": "fail", "d_1": "error", "e_1": "unfinished"}
    outcomes["f_1"] = "fail"
    run_dir = openadapt_run(results, "r1", outcomes)
    CliRunner().invoke(cli.app, ["label", str(results), "r1", "f_1", "planning"])
    app = BenchApp(results, images="none")
    async with app.run_test(size=SIZE) as pilot:
        run_page = await open_run(app, pilot, "r1")
        await pilot.press("v")
        await pilot.pause()
        queue = app.screen
        assert isinstance(queue, ReviewScreen)
        # failures nobody labelled, in list order: not the pass, not the unfinished, not f_1
        assert [e.task_id for e in queue.queue] == ["b_1", "c_1", "d_1"]

        def current() -> str | None:
            return queue.current.task_id if queue.current else None

        assert current() == "b_1"
        await pilot.press("g")  # grounding miss, from the label set
        assert current() == "c_1"
        tasks = run_page.query_one("#tasks-table", VirtualTable)
        assert row_cells(tasks, "b_1")[-1] == "grounding miss"
        await pilot.press("plus")  # checker wrong: should pass
        assert current() == "d_1"
        assert "→" in plain(run_page.query(".metric-card").first().render())
        await pilot.press("u")  # undo the last verdict: c_1 again, unlabelled
        assert current() == "c_1" and row_cells(tasks, "c_1")[-1] == ""
        await pilot.press("backspace")  # and the one before
        assert current() == "b_1" and row_cells(tasks, "b_1")[-1] == ""
        await pilot.press("c")  # checker right
        assert current() == "c_1"
        await pilot.press("space")  # skipped: stays unlabelled
        assert current() == "d_1"
        # the note field takes every key, the queue's own (c, u, space, +) included
        await pilot.press("n", *"cut short+unclear", "enter")
        await pilot.pause()
        assert current() == "d_1"
        await pilot.press("c")
        assert current() is None
        assert "End of the queue" in plain(queue.query_one("#review-task").render())
        await pilot.press("u")  # undo works from the end too
        assert current() == "d_1"
        await pilot.press("escape")
        assert app.screen is run_page
    lines = (run_dir / ".bench-tui" / "triage.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines][1:]  # after the command line's label
    assert [(r["op"], r["task_id"], r["label"] or r["note"]) for r in records] == [
        ("label", "b_1", "grounding miss"),
        ("label", "c_1", SHOULD_PASS),
        ("unlabel", "c_1", SHOULD_PASS),
        ("unlabel", "b_1", "grounding miss"),
        ("label", "b_1", CHECKER_RIGHT),
        ("note", "d_1", "cut short+unclear"),
        ("label", "d_1", CHECKER_RIGHT),
        ("unlabel", "d_1", CHECKER_RIGHT),
    ]


async def test_review_queue_shows_the_final_screenshot(tmp_path: Path) -> None:
    build_complete_run(tmp_path / "results")
    app = BenchApp(tmp_path / "results", images="none")
    async with app.run_test(size=SIZE) as pilot:
        await open_run(app, pilot, "benchmark_results/waa_eval_20251104_091522")
        await pilot.press("v")
        await pilot.pause()
        queue = app.screen
        assert isinstance(queue, ReviewScreen)
        assert [e.task_id for e in queue.queue] == [
            "51b59aec-fa49-4b1c-85ca-ab90357f3abc-WOS",  # infra: no steps, no screenshot
            "settings:dark mode?",
        ]
        await wait_for_workers(app)
        first = queue._key(queue.queue[0])
        assert await pause_until(lambda: first in queue.finals, pilot)
        assert queue.finals[first] == (None, 0)
        caption = plain(queue.query_one("#screenshot-caption").render())
        assert caption.startswith("no screenshot recorded")
        await pilot.press("space")
        key = queue._key(queue.queue[1])
        assert await pause_until(lambda: key in queue.finals, pilot)
        path, steps = queue.finals[key]
        assert path is not None and path.endswith("settings_dark_mode_/screenshots/step_001.png")
        assert steps == 2
        caption = plain(queue.query_one("#screenshot-caption").render())
        assert caption.startswith("final screen after 2 step(s)")


async def test_the_label_dialog_offers_the_checker_verdicts(tmp_path: Path) -> None:
    from bench_tui.tui.screens.triage import TriageScreen

    results = tmp_path / "results"
    openadapt_run(results, "r1", {"a_1": "pass", "b_1": "fail"})
    app = BenchApp(results, images="none")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_run(app, pilot, "r1")
        tasks = screen.query_one("#tasks-table", VirtualTable)
        tasks.move_cursor_to_key("b_1")
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        await pilot.press("plus")
        await pilot.press("escape")
        tasks.move_cursor_to_key("a_1")
        await pilot.press("t", "minus", "escape")
        await pilot.pause()
        assert row_cells(tasks, "b_1")[-1] == SHOULD_PASS
        assert row_cells(tasks, "a_1")[-1] == "checker wrong: should fail"
        # one pass became a failure and one failure a pass: 50 % either way, but reviewed
        card = plain(screen.query(".metric-card").first().render())
        assert "50.0% → 50.0%" in card
