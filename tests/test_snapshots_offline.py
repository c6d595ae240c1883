"""SVG snapshots of the Training tab, the training page, eval reports and the episode viewer on
the demo workspace (baselines in snapshots/, reviewed by eye)."""

from __future__ import annotations

from bench_tui.tui.app import BenchApp
from tests.fixtures.pilot import press_then_settle

SNAPSHOT_SIZE = (140, 40)


def test_training_tab(snap_compare, in_demo: str) -> None:
    app = BenchApp(in_demo, images="halfblock")
    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=press_then_settle("1"))


def test_training_page(snap_compare, in_demo: str) -> None:
    app = BenchApp(in_demo, images="halfblock")
    assert snap_compare(
        app, terminal_size=SNAPSHOT_SIZE, run_before=press_then_settle("1", "enter")
    )


def test_eval_reports(snap_compare, in_demo: str) -> None:
    app = BenchApp(in_demo, images="halfblock")
    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=press_then_settle("1", "E"))


def test_episode_viewer(snap_compare, in_demo: str) -> None:
    app = BenchApp(in_demo, images="halfblock")
    # Epoch 1, step 7: a parse error and mismatches in the list, H and P apart on the image.
    keys = ("2", "down", "down", "enter", "less_than_sign", "less_than_sign", *["right"] * 6, "p")
    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=press_then_settle(*keys))
