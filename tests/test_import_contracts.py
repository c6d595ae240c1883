"""The forbidden-import contracts in pyproject.toml name every top-level module they should.

import-linter cannot say "every module but these", so those contracts list their modules; the
layers contract is exhaustive, but a new module left out of these lists would go unchecked.
"""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

import bench_tui

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

# Who may import what each contract forbids: the contract lists every other top-level module.
ALLOWED = {
    "no-textual-below-tui": {"tui", "serve", "cli", "__main__"},
    "demo-only-from-cli": {"demo", "cli", "__main__"},
}


def top_level_modules() -> set[str]:
    return {info.name for info in pkgutil.iter_modules(bench_tui.__path__)}


def contract(contract_id: str) -> dict[str, Any]:
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    (found,) = [entry for entry in contracts if entry["id"] == contract_id]
    return found


@pytest.mark.parametrize("contract_id", sorted(ALLOWED))
def test_forbidden_contract_covers_every_other_module(contract_id: str) -> None:
    listed = set(contract(contract_id)["source_modules"])
    expected = {f"bench_tui.{name}" for name in top_level_modules() - ALLOWED[contract_id]}
    assert listed == expected
