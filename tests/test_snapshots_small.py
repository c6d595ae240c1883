"""SVG snapshots at 80×24, the size a person on a laptop terminal over SSH often has: the run
page, task page, Training page, a Viewer step and Insights (baselines reviewed by eye)."""

from __future__ import annotations

from bench_tui.tui.app import BenchApp
from tests.fixtures.pilot import press_then_settle

SMALL = (80, 24)


def test_run_page_small(snap_compare, in_demo: str) -> None:
    app = BenchApp(in_demo, images="halfblock")
    keys = ("down", "enter", "d")  # `d` brings back the domain table a short terminal hides
    assert snap_compare(app, terminal_size=SMALL, run_before=press_then_settle(*keys))


def test_task_page_small(snap_compare, in_demo: str) -> None:
    app = BenchApp(in_demo, images="halfblock")
    keys = ("down", "enter", "down", "down", "down", "enter", "right")
    assert snap_compare(app, terminal_size=SMALL, run_before=press_then_settle(*keys))


def test_training_page_small(snap_compare, in_demo: str) -> None:
    app = BenchApp(in_demo, images="halfblock")
    assert snap_compare(app, terminal_size=SMALL, run_before=press_then_settle("1", "enter"))


def test_viewer_step_small(snap_compare, in_demo: str) -> None:
    app = BenchApp(in_demo, images="halfblock")
    keys = ("2", "down", "down", "enter", "less_than_sign", "less_than_sign", *["right"] * 6)
    assert snap_compare(app, terminal_size=SMALL, run_before=press_then_settle(*keys))


def test_insights_small(snap_compare, in_demo: str) -> None:
    app = BenchApp(in_demo, images="halfblock")
    assert snap_compare(
        app, terminal_size=SMALL, run_before=press_then_settle("down", "enter", "i")
    )
