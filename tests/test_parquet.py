"""`export --format parquet -o FOLDER`: the four query views, read back as they were written."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.index.parquet import PARQUET_EXTRA, TABLES
from tests.fixtures.every_format import build_every_format

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(cli.app, list(args))


def test_parquet_round_trip(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    root = build_every_format(tmp_path / "w", tasks_per_run=3)
    out = tmp_path / "tables"
    result = invoke("export", str(root), "--format", "parquet", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{view}.parquet" for view in TABLES)
    for view, columns in TABLES.items():
        table = pq.read_table(out / f"{view}.parquet")
        assert table.column_names == [name for name, _kind in columns]
        rows = json.loads(invoke("query", str(root), f"SELECT * FROM {view}", "--json").stdout)
        bools = [name for name, kind in columns if kind == "bool_"]
        expected = [
            {k: (bool(v) if k in bools and v is not None else v) for k, v in row.items()}
            for row in rows
        ]
        # Traces of formats other than OpenAdapt are read again on each refresh: rows may move.
        ordered = sorted(json.dumps(row, sort_keys=True) for row in table.to_pylist())
        assert ordered == sorted(json.dumps(row, sort_keys=True) for row in expected)
        assert expected or view == "labels", f"{view} is empty: the round trip proves nothing"


def test_parquet_needs_a_folder(tmp_path: Path) -> None:
    root = build_every_format(tmp_path / "w", tasks_per_run=1)
    result = invoke("export", str(root), "--format", "parquet")
    assert result.exit_code == 2
    assert "needs -o FOLDER" in result.stderr


def test_parquet_without_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = build_every_format(tmp_path / "w", tasks_per_run=1)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import fails as if not installed
    result = invoke("export", str(root), "--format", "parquet", "-o", str(tmp_path / "t"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"bench-tui: {PARQUET_EXTRA}"
    assert not (tmp_path / "t").exists()
