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
