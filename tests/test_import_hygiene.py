"""model, sources, analysis (and render, triage) never import Textual (DESIGN §4)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS = [
    "bench_tui.model",
    "bench_tui.sources.discover",
    "bench_tui.report",
    "bench_tui.triage.store",
    "bench_tui.demo",
    "bench_tui.render.images",
    "bench_tui.analysis.summary",
    "bench_tui.cli",
    "bench_tui.index.workspace",
    "bench_tui.index.tables",
    "bench_tui.index.parquet",
]


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_does_not_pull_in_textual(module: str) -> None:
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "print(','.join(m for m in ('textual', 'textual_image') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
