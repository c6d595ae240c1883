"""`export --format parquet -o FOLDER`: the four views of `query` as Parquet files (extra
`[parquet]`, pyarrow), so a study continues in DuckDB, Polars or Spark. Column types are fixed
here, not guessed from the values (a column that is empty in one study keeps its type)."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "runs": (
        ("run", "string"),
        ("format", "string"),
        ("benchmark", "string"),
        ("label", "string"),
        ("created_at", "string"),
        ("is_mock", "bool_"),
        ("live", "bool_"),
        ("tasks", "int64"),
        ("models", "string"),
    ),
    "executions": (
        ("run", "string"),
        ("model", "string"),
        ("task_id", "string"),
        ("domain", "string"),
        ("status", "string"),
        ("success", "bool_"),
        ("score", "float64"),
        ("steps", "int64"),
        ("duration_s", "float64"),
        ("error", "string"),
        ("labels", "string"),
        ("note", "string"),
        ("seed", "int64"),
    ),
    "steps": (
        ("run", "string"),
        ("model", "string"),
        ("task_id", "string"),
        ("step", "int64"),
        ("action_type", "string"),
        ("x", "float64"),
        ("y", "float64"),
        ("text", "string"),
        ("reasoning", "string"),
        ("duration_s", "float64"),
    ),
    "labels": (
        ("run", "string"),
        ("model", "string"),
        ("task_id", "string"),
        ("seed", "int64"),
        ("label", "string"),
        ("note", "string"),
    ),
}

PARQUET_EXTRA = "install bench-tui[parquet] to export Parquet"


class ParquetUnavailable(Exception):
    """pyarrow is not installed."""


def _value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "bool_":
        return bool(value)
    return value


def write_parquet(conn: sqlite3.Connection, folder: Path) -> list[Path]:
    """One `<view>.parquet` per view in `folder` (made if missing), each written whole then
    renamed into place."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ParquetUnavailable(PARQUET_EXTRA) from exc
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for view, columns in TABLES.items():
        names = [name for name, _kind in columns]
        rows = conn.execute(f"SELECT {', '.join(names)} FROM {view}").fetchall()
        schema = pa.schema([(name, getattr(pa, kind)()) for name, kind in columns])
        arrays = {
            name: [_value(kind, row[index]) for row in rows]
            for index, (name, kind) in enumerate(columns)
        }
        table = pa.Table.from_pydict(arrays, schema=schema)
        target = folder / f"{view}.parquet"
        handle, temp = tempfile.mkstemp(prefix=f".{view}.", suffix=".tmp", dir=folder)
        os.close(handle)
        try:
            pq.write_table(table, temp)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        written.append(target)
    return written
