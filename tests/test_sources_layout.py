"""The readers' map: no import cycle inside sources/ (imports inside functions included), and
the format-neutral machinery reaches the formats only through registry.READERS."""

from __future__ import annotations

import ast
from pathlib import Path

import bench_tui
from bench_tui.sources.base import Reader
from bench_tui.sources.registry import READERS

PACKAGE = Path(bench_tui.__file__).parent
SOURCES = PACKAGE / "sources"
FAMILIES = ("openadapt", "osworld", "webarena", "agentlab", "training")
NEUTRAL = ("discover", "steps", "checks_runner", "refresh", "progress", "base", "common")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Every bench_tui module this file imports, wherever the import statement is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in known else node.module)
    return {name for name in found if name in known}


def source_graph() -> dict[str, set[str]]:
    files = {module_name(path): path for path in SOURCES.rglob("*.py")}
    known = set(files)
    return {name: imports_of(path, known) for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_inside_sources() -> None:
    graph = source_graph()
    assert "bench_tui.sources.agentlab.run" in graph
    assert cycles(graph) == []


def test_the_cycle_finder_sees_imports_inside_functions(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("def f():\n    from bench_tui.b import x\n")
    assert imports_of(tmp_path / "a.py", {"bench_tui.b"}) == {"bench_tui.b"}
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_neutral_modules_reach_formats_only_through_the_registry() -> None:
    graph = source_graph()
    for name in NEUTRAL:
        module = f"bench_tui.sources.{name}"
        into_families = {
            target
            for target in graph[module]
            if any(target.startswith(f"bench_tui.sources.{family}") for family in FAMILIES)
        }
        assert into_families == set(), module


def test_every_reader_is_in_the_registry_once() -> None:
    assert all(isinstance(reader, Reader) for reader in READERS)
    names = [reader.name for reader in READERS]
    assert len(names) == len(set(names))
    # Folders are claimed in this order: an OpenAdapt run first, then episode folders.
    claiming = [reader.name for reader in READERS if reader.folder is not None]
    assert claiming == ["openadapt", "agentlab", "osworld", "webarena", "training"]
    sniffing = [reader.name for reader in READERS if reader.sniff_json is not None]
    assert sniffing == ["eval report", "episodes", "osworld task files"]
