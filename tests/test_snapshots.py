"""SVG snapshots of each screen on the demo workspace (baselines in snapshots/, reviewed by eye)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench_tui.demo import write_demo
from bench_tui.tui.app import BenchApp
from tests.fixtures.openadapt_builders import build_complete_run
from tests.fixtures.pilot import press_then_settle

SNAPSHOT_SIZE = (140, 40)


def test_run_list(snap_compare, in_demo: str) -> None:
    app = BenchApp(in_demo, images="halfblock")
    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=press_then_settle())


def test_run_page(snap_compare, in_demo: str) -> None:
    app = BenchApp(in_demo, images="halfblock")
    assert snap_compare(
        app, terminal_size=SNAPSHOT_SIZE, run_before=press_then_settle("down", "enter")
    )


def test_task_page_with_screenshot(snap_compare, in_demo: str) -> None:
    app = BenchApp(in_demo, images="halfblock")
    keys = ("down", "enter", "down", "down", "down", "enter", "right")
    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=press_then_settle(*keys))


def test_help(snap_compare, in_demo: str) -> None:
    app = BenchApp(in_demo, images="halfblock")
    assert snap_compare(
        app,
        terminal_size=SNAPSHOT_SIZE,
        run_before=press_then_settle("down", "enter", "question_mark"),
    )


def test_problems(snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = build_complete_run(tmp_path / "results")
    (run / "tasks" / "notepad_greeting" / "execution.json").write_text(
        '{\n  "success": true,\n  "num_steps": "ten"\n}\n'
    )
    (run / "tasks" / "settings_dark_mode_" / "screenshots" / "step_001.png").write_bytes(
        b"\x89PNG\r\n\x1a\nshort"
    )
    (tmp_path / "results" / "eval_broken.json").write_text(
        '{"metrics": {"action_type_accuracy": 0.5,'
    )
    stale = 1_700_000_000
    for path in run.rglob("*"):
        os.utime(path, (stale, stale))
    monkeypatch.chdir(tmp_path)
    app = BenchApp("results", images="halfblock")
    assert snap_compare(
        app, terminal_size=SNAPSHOT_SIZE, run_before=press_then_settle("exclamation_mark")
    )


def test_split_view_of_a_task(snap_compare, in_demo: str) -> None:
    # lora-e3 run (A) against the base run (B), first regressed task: both screenshots, the
    # first divergence marked.
    app = BenchApp(in_demo, images="halfblock")
    keys = ("down", "down", "enter", "c", "enter", "a", "enter")
    assert snap_compare(app, terminal_size=(160, 48), run_before=press_then_settle(*keys))


def test_run_comparison(snap_compare, in_demo: str) -> None:
    app = BenchApp(in_demo, images="halfblock")
    keys = ("down", "down", "enter", "c", "enter")
    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=press_then_settle(*keys))


def test_task_list_with_labels(
    snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench_tui.triage.store import TriageStore

    write_demo(tmp_path / "bench-tui-demo", tasks_per_run=12)
    monkeypatch.setenv("BENCH_TUI_TRIAGE_DIR", str(tmp_path / "_state"))
    monkeypatch.setenv("BENCH_TUI_LABELS", str(tmp_path / "_none.toml"))
    run = tmp_path / "bench-tui-demo" / "benchmark_results" / "waa_eval_20251110_091522"
    store = TriageStore(run)
    store.add_label("tern-vl-3b-base", "chrome_search_weather", "grounding miss")
    store.add_label("tern-vl-3b-base", "chrome_shop_login", "planning")
    store.add_label("tern-vl-3b-base", "chrome_shop_login", "timeout")
    monkeypatch.chdir(tmp_path)
    app = BenchApp("bench-tui-demo", images="halfblock")
    keys = ("G", "enter", "x")  # the base run, failures only
    assert snap_compare(app, terminal_size=(160, 40), run_before=press_then_settle(*keys))


def test_insights(snap_compare, in_demo: str) -> None:
    # The lora-e3 run: its series holds the live rerun too, so the sparkline has two points.
    app = BenchApp(in_demo, images="halfblock")
    keys = ("down", "down", "enter", "i")
    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=press_then_settle(*keys))
