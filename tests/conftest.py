"""Test set-up: snapshot baselines in top-level snapshots/, and an environment that cannot
change how the app renders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import pytest_textual_snapshot as snapshot_plugin

SNAPSHOTS_DIR = Path(__file__).resolve().parent.parent / "snapshots"

# Set before Textual is imported anywhere: these change colours and fail every snapshot.
for variable in ("NO_COLOR", "TEXTUAL_THEME", "BENCH_TUI_IMAGES", "COLORTERM"):
    os.environ.pop(variable, None)


class TopLevelSVG(snapshot_plugin.SVGImageExtension):
    """Keep baselines in snapshots/<test module>/ instead of tests/__snapshots__/."""

    @classmethod
    def dirname(cls, *, test_location) -> str:  # type: ignore[override]
        return str(SNAPSHOTS_DIR / test_location.basename)


snapshot_plugin.SVGImageExtension = TopLevelSVG


@pytest.fixture(scope="session")
def _cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(autouse=True)
def _stable_environment(monkeypatch: pytest.MonkeyPatch, _cache_home: Path) -> None:
    for variable in ("NO_COLOR", "TEXTUAL_THEME", "BENCH_TUI_IMAGES"):
        monkeypatch.delenv(variable, raising=False)
    # The index of every folder a test opens goes here, not into the user's cache.
    monkeypatch.setenv("XDG_CACHE_HOME", str(_cache_home))


@pytest.fixture(scope="session")
def demo_parent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace (12 tasks a run) the snapshot tests draw, written once."""
    from bench_tui.demo import write_demo

    parent = tmp_path_factory.mktemp("snapdemo")
    write_demo(parent / "bench-tui-demo", tasks_per_run=12)
    return parent


@pytest.fixture
def in_demo(demo_parent: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    # A relative root keeps the temp path out of the status line, so the SVG is stable.
    monkeypatch.chdir(demo_parent)
    for variable in ("BENCH_TUI_GATE_METRIC", "BENCH_TUI_GATE_THRESHOLD"):
        monkeypatch.delenv(variable, raising=False)
    return "bench-tui-demo"
