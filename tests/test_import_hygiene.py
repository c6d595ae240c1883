"""model, sources, analysis (and render, triage) never import Textual (DESIGN §4), and tui/ makes
no import inside a function but the two deferred for start-up (cycles: test_import_cycles.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

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


# ----- no import cycle in tui/, not even through an import inside a function --------------------

SRC = Path(__file__).resolve().parents[1] / "src"
DEFERRED_FOR_START_UP = {
    ("bench_tui.tui.launch", "bench_tui.tui.app"),
    ("bench_tui.tui.launch", "bench_tui.tui.parent_watch"),
}
"""Imports placed in a function on purpose (each says why where it is made)."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_import_inside_a_function_in_tui_but_the_start_up_ones() -> None:
    deferred = set()
    for path in (SRC / "bench_tui" / "tui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith(
                        "bench_tui"
                    ):
                        deferred.add((_module_name(path), inner.module))
    assert deferred == DEFERRED_FOR_START_UP
