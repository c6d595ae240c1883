"""`search` and `query` (DESIGN §10): hits with 1-based steps and fields, words AND, phrases,
case and accents ignored; SQL over the views, read-only; hostile strings stay data."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.index.store import index_path
from tests.fixtures.search_workspace import build_search_workspace

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(cli.app, list(args))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return build_search_workspace(tmp_path / "ws")


def search_json(root: Path, query: str, *flags: str) -> list[dict[str, Any]]:
    result = invoke("search", str(root), query, "--json", *flags)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_hits_carry_1_based_steps_and_their_field(workspace: Path) -> None:
    hits = search_json(workspace, "cannot find")
    assert len(hits) == 1
    (hit,) = hits
    assert set(hit) == {"run", "model", "task_id", "step", "field", "snippet"}
    assert hit["run"] == "benchmark_results/waa_eval_20251101_000000"
    assert (hit["model"], hit["task_id"], hit["step"], hit["field"]) == (
        "model-a",
        "form_submit",
        2,
        "reasoning",
    )
    assert "«cannot»" in hit["snippet"] and "«find»" in hit["snippet"]


def test_action_log_instruction_and_error_fields(workspace: Path) -> None:
    fields = {(h["task_id"], h["step"], h["field"]) for h in search_json(workspace, "submit")}
    assert ("form_submit", 1, "action") in fields
    logs = search_json(workspace, "slow page")
    assert [(h["step"], h["field"]) for h in logs] == [(2, "log")]
    errors = search_json(workspace, "timeouterror")
    assert [(h["step"], h["field"]) for h in errors] == [(None, "error")]
    typed = search_json(workspace, "hello world")
    assert [(h["step"], h["field"]) for h in typed] == [(2, "action")]


def test_words_and_phrases_case_and_accents(workspace: Path) -> None:
    both = search_json(workspace, "CAFE menu")
    assert {(h["model"], h["field"]) for h in both} == {
        ("model-a", "instruction"),
        ("model-b", "instruction"),
    }
    assert search_json(workspace, "café nowhere") == []  # every word must match
    assert len(search_json(workspace, '"fill the form"')) == 2
    assert search_json(workspace, '"form the fill"') == []  # a phrase keeps its order
    assert len(search_json(workspace, 'cannot "name field"')) == 1


def test_limit_and_ranking(workspace: Path) -> None:
    assert len(search_json(workspace, "submit", "--limit", "1")) == 1


def test_operators_in_the_query_are_words(workspace: Path) -> None:
    result = invoke("search", str(workspace), 'NEAR(cannot find) OR "x*', "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
    empty = invoke("search", str(workspace), '  ""  ')
    assert empty.exit_code == 2
    assert "nothing to search for" in empty.stderr


def test_hostile_text_is_made_visible_in_plain_output(workspace: Path) -> None:
    result = invoke("search", str(workspace), "notes")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    assert "␛" in result.stdout


def test_search_without_the_index_gives_the_same_hits(workspace: Path) -> None:
    indexed = search_json(workspace, "submit")
    result = invoke("search", str(workspace), "submit", "--json", "--no-index")
    assert json.loads(result.stdout) == indexed
    assert not index_path(workspace).exists() or indexed


def test_a_changed_step_is_searched_anew(workspace: Path) -> None:
    assert search_json(workspace, "cannot find")
    path = workspace / "benchmark_results/waa_eval_20251101_000000/tasks/form_submit/execution.json"
    path.write_text(path.read_text().replace("I cannot find", "I finally located"))
    assert search_json(workspace, "cannot find") == []
    assert [h["step"] for h in search_json(workspace, "finally located")] == [2]


# ----- query -----------------------------------------------------------------------------------


def query_json(root: Path, sql: str) -> list[dict[str, Any]]:
    result = invoke("query", str(root), sql, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_views_and_their_columns(workspace: Path) -> None:
    columns = {
        view: [row["name"] for row in query_json(workspace, f"PRAGMA table_info({view})")]
        for view in ("runs", "executions", "steps", "labels")
    }
    assert columns["steps"] == [
        "run",
        "model",
        "task_id",
        "step",
        "action_type",
        "x",
        "y",
        "text",
        "reasoning",
        "duration_s",
    ]
    assert columns["executions"][:12] == [
        "run",
        "model",
        "task_id",
        "domain",
        "status",
        "success",
        "score",
        "steps",
        "duration_s",
        "error",
        "labels",
        "note",
    ]
    assert columns["labels"] == ["run", "model", "task_id", "seed", "label", "note"]
    assert "run" in columns["runs"]


def test_readme_examples(workspace: Path) -> None:
    per_domain = query_json(
        workspace,
        "SELECT domain, model, AVG(success) AS rate, COUNT(*) AS tasks FROM executions "
        "GROUP BY domain, model ORDER BY domain, model",
    )
    assert per_domain == [
        {"domain": "web", "model": "model-a", "rate": 0.5, "tasks": 2},
        {"domain": "web", "model": "model-b", "rate": 0.0, "tasks": 1},
    ]
    slow = query_json(
        workspace, "SELECT run, task_id, step, duration_s FROM steps WHERE duration_s > 30"
    )
    assert [(r["task_id"], r["step"], r["duration_s"]) for r in slow] == [("form_submit", 2, 40.5)]
    both_failed = query_json(workspace, BOTH_FAILED_SAME_FIRST_ACTION)
    assert [(r["task_id"], r["action_type"]) for r in both_failed] == [("form_submit", "click")]


BOTH_FAILED_SAME_FIRST_ACTION = """
WITH first AS (
  SELECT e.model, e.task_id, s.action_type, s.text
  FROM executions e JOIN steps s
    ON s.run = e.run AND s.model = e.model AND s.task_id = e.task_id AND s.step = 1
  WHERE e.success = 0
)
SELECT a.task_id, a.action_type FROM first a JOIN first b
  ON a.task_id = b.task_id AND a.model < b.model
 AND a.action_type IS b.action_type AND a.text IS b.text
"""


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM executions",
        "DROP VIEW steps",
        "INSERT INTO _runs(run) VALUES ('x')",
        "UPDATE _executions SET success = 1",
        "CREATE TABLE t(x)",
        "ATTACH DATABASE '/tmp/bench-tui-attack.db' AS a",
        "PRAGMA user_version = 7",
        "PRAGMA journal_mode = DELETE",
        "VACUUM",
        "SELECT 1; DELETE FROM _runs",
    ],
)
def test_writing_statements_are_refused(workspace: Path, sql: str) -> None:
    before = query_json(workspace, "SELECT COUNT(*) AS n FROM executions")
    result = invoke("query", str(workspace), sql)
    assert result.exit_code == 2
    assert result.stderr.startswith("bench-tui: query refused")
    assert len(result.stderr.strip().splitlines()) == 1
    assert query_json(workspace, "SELECT COUNT(*) AS n FROM executions") == before
    assert not Path("/tmp/bench-tui-attack.db").exists()
    with sqlite3.connect(index_path(workspace)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] != 7


def test_csv_and_json_keep_hostile_strings_as_data(workspace: Path) -> None:
    sql = "SELECT text FROM steps WHERE action_type = 'type' AND task_id = 'notes'"
    (row,) = query_json(workspace, sql)
    assert row["text"].startswith("=cmd")  # JSON carries the value as it is…
    result = invoke("query", str(workspace), sql, "--csv")
    assert result.exit_code == 0
    (cell,) = [r["text"] for r in csv.DictReader(io.StringIO(result.stdout))]
    assert cell.startswith("'=cmd")  # …CSV defuses the formula
    assert "\x1b" not in result.stdout
    plain = invoke("query", str(workspace), sql)
    assert "\x1b" not in plain.stdout and "␛" in plain.stdout


def test_a_bad_statement_is_one_line_exit_2(workspace: Path) -> None:
    result = invoke("query", str(workspace), "SELEC nonsense")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_readme_queries_run(workspace: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    queries = re.findall(r'bench-tui query results/ "(.*?)"', readme, re.DOTALL)
    assert len(queries) == 3
    results = [query_json(workspace, sql) for sql in queries]
    assert all(results), "each README example finds something in this workspace"
    assert results[1][0]["task_id"] == "form_submit"


def test_every_trial_of_a_task_is_searched(tmp_path: Path) -> None:
    from bench_tui.index.search import search
    from bench_tui.index.tables import refresh
    from bench_tui.index.workspace import opened
    from bench_tui.model import Execution
    from bench_tui.sources.discover import discover_workspace

    root = build_search_workspace(tmp_path / "ws")
    workspace = discover_workspace(root)
    run = workspace.runs[0]
    (first,) = [e for e in run.executions if e.task_id == "form_submit"]
    other = Path(first.source_path or "").with_name("trial2.json")
    other.write_text(Path(first.source_path or "").read_text().replace("cannot", "could not"))
    run.executions.append(Execution(**{**first.model_dump(), "source_path": str(other)}))
    with opened(root, pytest.fail) as conn:
        refresh(conn, workspace)
        rows = conn.execute("SELECT COUNT(*) FROM steps WHERE task_id = 'form_submit'").fetchone()
        assert rows == (5,)  # model-a: 2 steps in each trial; model-b: 1
        hits = search(conn, '"could not find"')
    assert [(h.task_id, h.step) for h in hits] == [("form_submit", 2)]
