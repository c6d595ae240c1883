"""model, sources, analysis (and render, triage) never import Textual (DESIGN §4); the tui modules
import each other without a cycle, deferred imports included."""

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


def _imports(path: Path, package: str) -> list[tuple[str, bool]]:
    """(module imported, whether the import is inside a function or class), every one in the
    file, TYPE_CHECKING blocks included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, bool]] = []

    def walk(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                names = [f"{child.module}.{alias.name}" for alias in child.names]
                found.extend((name, nested) for name in [child.module, *names])
            elif isinstance(child, ast.Import):
                found.extend((alias.name, nested) for alias in child.names)
            inner = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            walk(child, nested or inner)

    walk(tree, False)
    return [(name, nested) for name, nested in found if name.startswith(package)]


def _graph(package: str) -> dict[str, set[str]]:
    folder = SRC.joinpath(*package.split("."))
    files = {_module_name(path): path for path in folder.rglob("*.py")}
    return {
        module: {name for name, _ in _imports(path, package) if name in files and name != module}
        for module, path in files.items()
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_tui_modules_import_each_other_without_a_cycle() -> None:
    graph = _graph("bench_tui.tui")
    assert "bench_tui.tui.screens.run" in graph and graph["bench_tui.tui.screens.run"]
    assert _cycles(graph) == []


def test_the_cycle_check_sees_imports_inside_functions() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    nested = _imports(SRC / "bench_tui/tui/launch.py", "bench_tui.tui")
    assert ("bench_tui.tui.app", True) in nested


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
