"""SVG snapshots of the Training tab, the training page, eval reports and the episode viewer on
the demo workspace (baselines in snapshots/, reviewed by eye)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench_tui.demo import write_demo
from bench_tui.tui.app import BenchApp
from tests.fixtures.pilot import press_then_settle

SNAPSHOT_SIZE = (140, 40)


@pytest.fixture(scope="module")
def demo_parent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("snapdemo_offline")
    write_demo(parent / "bench-tui-demo", tasks_per_run=12)
    return parent


@pytest.fixture
def in_demo(demo_parent: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    # A relative root keeps the temp path out of the status line, so the SVG is stable.
    monkeypatch.chdir(demo_parent)
    for variable in ("BENCH_TUI_GATE_METRIC", "BENCH_TUI_GATE_THRESHOLD"):
        monkeypatch.delenv(variable, raising=False)
    return "bench-tui-demo"


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
