"""No import cycle between bench_tui's modules, imports inside functions included (DESIGN §4).

import-linter's `acyclic_siblings` contract (pyproject.toml) forbids cycles between the children
of each package, but does not see one that runs through a package's own `__init__` (the package
re-exporting a module that imports the package back). This test looks at every module.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import grimp
import pytest


def import_cycles(graph: grimp.ImportGraph) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    edges = {
        module: sorted(graph.find_modules_directly_imported_by(module)) for module in graph.modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            module, position = work.pop()
            if position == 0:
                index[module] = low[module] = len(index)
                stack.append(module)
                on_stack.add(module)
            targets = edges.get(module, [])
            if position < len(targets):
                work.append((module, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[module] = min(low[module], index[target])
                continue
            if low[module] == index[module]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == module:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
    return found


def describe(graph: grimp.ImportGraph, cycle: frozenset[str]) -> str:
    """One loop through the cycle, with the line of each import, for the failure message."""
    first = min(cycle)
    returns = [
        graph.find_shortest_chain(successor, first)
        for successor in sorted(graph.find_modules_directly_imported_by(first) & cycle)
    ]
    loop = [first, *min((chain for chain in returns if chain), key=len)]
    steps = []
    for importer, imported in zip(loop, loop[1:], strict=False):
        details = graph.get_import_details(importer=importer, imported=imported)
        line = details[0]["line_number"] if details else "?"
        steps.append(f"{importer}:{line} -> {imported}")
    return f"{sorted(cycle)}\n    " + "\n    ".join(steps)


def test_no_import_cycle_between_bench_tui_modules() -> None:
    graph = grimp.build_graph("bench_tui", cache_dir=None)
    cycles = import_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(describe(graph, cycle) for cycle in cycles)


@pytest.fixture
def cyclic_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`pkg.sub` re-exports `a`, which imports `b`, whose function imports `pkg.sub` back;
    `pkg.c` and `pkg.d` import each other only inside functions."""
    files = {
        "pkg/__init__.py": "",
        "pkg/sub/__init__.py": "from pkg.sub.a import A\n",
        "pkg/sub/a.py": "from pkg.sub import b\nA = 1\n",
        "pkg/sub/b.py": "def f():\n    import pkg.sub\n",
        "pkg/c.py": "def f():\n    from pkg import d\n",
        "pkg/d.py": "def g():\n    from pkg import c\n",
        "pkg/e.py": "from pkg import c\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_cycles_through_a_package_init_and_deferred_imports_are_found(cyclic_package: Path) -> None:
    graph = grimp.build_graph("pkg", cache_dir=None)
    assert sorted(sorted(cycle) for cycle in import_cycles(graph)) == [
        ["pkg.c", "pkg.d"],
        ["pkg.sub", "pkg.sub.a", "pkg.sub.b"],
    ]
    assert describe(graph, frozenset({"pkg.c", "pkg.d"})) == (
        "['pkg.c', 'pkg.d']\n    pkg.c:2 -> pkg.d\n    pkg.d:2 -> pkg.c"
    )
