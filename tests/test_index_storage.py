"""How the index stores step text (index/store.py): one compressed blob of texts per trace,
a contentless full-text index whose rows are named by trace, step and field, and no pages
left free after a refresh (issue 17: the index stays under a quarter of the JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.index.store import compact, text_id, text_place, texts_in
from bench_tui.index.workspace import opened
from tests.fixtures.search_workspace import build_search_workspace

runner = CliRunner()
RECORD = "benchmark_results/waa_eval_20251101_000000/tasks/form_submit/execution.json"


def search(root: Path, query: str) -> list[dict[str, object]]:
    result = runner.invoke(cli.app, ["search", str(root), query, "--json"])
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def fts_rows(root: Path) -> tuple[int, int]:
    """(rows in the full-text index, texts in the traces' blobs)."""
    with opened(root, pytest.fail) as conn:
        (indexed,) = conn.execute("SELECT count(*) FROM fts_docsize").fetchone()
        texts = sum(len(texts_in(blob)) for (blob,) in conn.execute("SELECT texts FROM _traces"))
        return indexed, texts


def test_a_row_id_names_its_trace_step_and_field() -> None:
    assert text_place(text_id(7, 0, 1)) == (7, 0, "instruction")
    assert text_place(text_id(7, 0, 2)) == (7, 0, "error")
    assert text_place(text_id(7, 3, 1)) == (7, 3, "action")
    assert text_place(text_id(7, 3, 2)) == (7, 3, "reasoning")
    assert text_place(text_id(7, 10_000, 3)) == (7, 10_000, "log")


def test_a_rewritten_trace_leaves_no_row_behind(tmp_path: Path) -> None:
    root = build_search_workspace(tmp_path / "ws")
    assert search(root, "cannot find")
    indexed, texts = fts_rows(root)
    assert indexed == texts > 0
    path = root / RECORD
    path.write_text(path.read_text().replace("I cannot find", "I finally located"))
    assert search(root, "cannot find") == []
    assert fts_rows(root) == (indexed, texts)


def test_pages_freed_by_a_write_go_back_to_the_file_system(tmp_path: Path) -> None:
    root = build_search_workspace(tmp_path / "ws")
    with opened(root, pytest.fail) as conn:
        assert conn.execute("PRAGMA page_size").fetchone() == (16384,)
        conn.execute("CREATE TABLE scratch(body BLOB)")
        conn.executemany("INSERT INTO scratch VALUES (?)", [(bytes(50_000),)] * 20)
        conn.execute("DROP TABLE scratch")
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] > 20
        before = conn.execute("PRAGMA page_count").fetchone()[0]
        compact(conn)
        assert conn.execute("PRAGMA freelist_count").fetchone() == (0,)
        assert conn.execute("PRAGMA page_count").fetchone()[0] < before - 20


def test_the_steps_view_reads_reasoning_from_the_blob(tmp_path: Path) -> None:
    root = build_search_workspace(tmp_path / "ws")
    sql = "SELECT step, reasoning FROM steps WHERE task_id = 'form_submit' AND model = 'model-a'"
    result = runner.invoke(cli.app, ["query", str(root), sql, "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["step"]: row["reasoning"] for row in json.loads(result.stdout)}
    assert "cannot find" in str(rows[2])
