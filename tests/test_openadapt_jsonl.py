"""The OpenAdapt full-eval JSONL reader (FORMATS §6), added as one sub-package + a registry line."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.sources.discover import discover_workspace
from bench_tui.sources.openadapt_jsonl.lines import BadLine, Line, parse_lines
from bench_tui.sources.steps import load_steps
from tests.fixtures.full_eval_builders import (
    LONG_ID,
    build_full_eval,
    meta_line,
    task_line,
    write_log,
    write_shots,
)


def only_run(root: Path):
    workspace = discover_workspace(root)
    assert len(workspace.runs) == 1, workspace.runs
    return workspace.runs[0], workspace.problems


def test_happy_path(tmp_path: Path) -> None:
    build_full_eval(tmp_path)
    run, problems = only_run(tmp_path)
    assert problems == []
    assert run.id == "full_eval/full_eval_20260301.jsonl"
    assert run.format == "openadapt"
    assert run.models == ["claude-sonnet-4 + ui-tars-7b"]
    by_id = {e.task_id: e for e in run.executions}
    assert len(by_id) == 3  # total_tasks
    passed = by_id[LONG_ID]
    assert (passed.status, passed.score, passed.num_steps, passed.duration_s) == (
        "passed",
        0.5,
        2,
        212.4,
    )
    failed = by_id["calc_sum"]
    assert (failed.status, failed.error) == ("failed", "timed out")
    assert by_id["(not run yet 1)"].status == "unfinished"


def test_steps_are_the_screenshots_of_the_task(tmp_path: Path) -> None:
    build_full_eval(tmp_path)
    run, _ = only_run(tmp_path)
    execution = next(e for e in run.executions if e.task_id == LONG_ID)
    steps, problems = load_steps(run, execution, tmp_path)
    assert problems == []
    assert [Path(s.screenshot or "").name for s in steps] == [
        "step_00_reset.png",
        "step_01.png",
        "step_02.png",
    ]
    assert all(step.actions == [] for step in steps)


def test_missing_screenshot_folder_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    write_log(tmp_path / "e.jsonl", [meta_line(1), task_line("no_shots_task", True, 1.0, 3)])
    run, _ = only_run(tmp_path)
    steps, problems = load_steps(run, run.executions[0], tmp_path)
    assert steps == []
    assert [p.message.startswith("no screenshots for this task") for p in problems] == [True]


def test_missing_lines_are_unfinished_not_failures(tmp_path: Path) -> None:
    write_log(tmp_path / "e.jsonl", [meta_line(5), task_line("a", True, 1.0, 1)])
    run, problems = only_run(tmp_path)
    assert problems == []
    statuses = sorted(e.status for e in run.executions)
    assert statuses == ["passed"] + ["unfinished"] * 4


def test_repeated_task_id_last_wins_and_is_reported(tmp_path: Path) -> None:
    write_log(
        tmp_path / "e.jsonl",
        [meta_line(1), task_line("a", False, 0.0, 4), task_line("a", True, 1.0, 2)],
    )
    run, problems = only_run(tmp_path)
    assert [(e.task_id, e.status, e.num_steps) for e in run.executions] == [("a", "passed", 2)]
    assert [(p.line, "again here: the later line wins" in p.message) for p in problems] == [
        (3, True)
    ]
    assert problems[0].path.endswith("e.jsonl")


def test_broken_line_is_located_and_the_rest_still_reads(tmp_path: Path) -> None:
    write_log(
        tmp_path / "e.jsonl",
        [
            meta_line(3),
            task_line("a", True, 1.0, 1),
            '{"task_id": "b", "score": ',
            "[1, 2]",
            task_line("c", False, 0.0, 2, unknown_field={"x": 1}),
        ],
    )
    run, problems = only_run(tmp_path)
    assert sorted(e.task_id for e in run.executions if e.finished) == ["a", "c"]
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (3, "expected a JSON object"),
        (4, "expected a JSON object, got a JSON array"),
    ]


def test_truncated_last_line(tmp_path: Path) -> None:
    write_log(
        tmp_path / "e.jsonl",
        [meta_line(2), task_line("a", True, 1.0, 1), '{"task_id": "b", "sco'],
        end_newline=False,
    )
    run, problems = only_run(tmp_path)
    assert [(p.line, p.message) for p in problems] == [
        (3, "line cut short: expected a whole JSON object")
    ]
    assert sorted(e.status for e in run.executions) == ["passed", "unfinished"]


def test_success_is_the_verdict_whatever_the_score(tmp_path: Path) -> None:
    write_log(
        tmp_path / "e.jsonl",
        [
            meta_line(3),
            task_line("a", False, 1.0, 1),
            task_line("b", True, 0.0, 1),
            {"task_id": "c", "score": 1.0},
        ],
    )
    run, problems = only_run(tmp_path)
    assert {e.task_id: e.status for e in run.executions} == {
        "a": "failed",
        "b": "passed",
        "c": "errored",
    }
    assert [(p.line, "no verdict" in p.message) for p in problems] == [(4, True)]


def test_hostile_strings_stay_data(tmp_path: Path) -> None:
    hostile = "\x1b]0;pwned\x07[bold red]x[/]../../etc"
    write_log(
        tmp_path / "e.jsonl",
        [meta_line(1, planner_model=hostile), task_line(hostile, False, "high", True)],
    )
    run, problems = only_run(tmp_path)
    (execution,) = run.executions
    assert execution.task_id == hostile and execution.model == hostile + " + ui-tars-7b"
    assert execution.score is None and execution.num_steps is None
    assert len(problems) == 2 and all(p.line == 2 for p in problems)
    steps, step_problems = load_steps(run, execution, tmp_path)
    assert steps == [] and len(step_problems) == 1


def test_a_task_id_that_climbs_out_lists_no_folder(tmp_path: Path) -> None:
    write_shots(tmp_path, "outside", 1)
    write_log(tmp_path / "run" / "e.jsonl", [meta_line(1), task_line("../outside", True, 1.0, 1)])
    run, _ = only_run(tmp_path)
    steps, problems = load_steps(run, run.executions[0], tmp_path)
    assert steps == []
    assert ["names no screenshot folder" in p.message for p in problems] == [True]


def test_other_jsonl_files_are_not_runs(tmp_path: Path) -> None:
    write_log(tmp_path / "notes.jsonl", [{"step": 1}, {"step": 2}])
    write_log(tmp_path / "meta_false.jsonl", [{"_meta": "true"}, task_line("a", True, 1.0, 1)])
    (tmp_path / "long.jsonl").write_text('{"_meta": true, "pad": "' + "x" * 70_000 + '"}\n')
    workspace = discover_workspace(tmp_path)
    assert workspace.runs == [] and workspace.problems == []


def test_summary_json_figures(tmp_path: Path) -> None:
    build_full_eval(tmp_path)
    result = CliRunner().invoke(cli.app, ["summary", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (run,) = data["runs"]
    (model,) = run["models"]
    assert model["model"] == "claude-sonnet-4 + ui-tars-7b"
    assert (model["tasks"], model["finished"], model["succeeded"]) == (3, 2, 1)
    assert model["success_rate"] == 1 / 3
    assert model["mean_score"] == 0.25 and model["mean_steps"] == 1.5
    assert data["problems"] == []


lines = st.lists(
    st.one_of(
        st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3),
        st.text(max_size=20).filter(lambda s: "\n" not in s),
    ),
    max_size=8,
)


@given(lines, st.booleans())
def test_line_parser_accounts_for_every_non_blank_line(rows: list, end_newline: bool) -> None:
    text = "\n".join(row if isinstance(row, str) else json.dumps(row) for row in rows)
    text += "\n" if end_newline else ""
    parsed = list(parse_lines(text))
    non_blank = [n for n, row in enumerate(text.split("\n"), 1) if row.strip()]
    assert [item.number for item in parsed] == non_blank
    for item in parsed:
        row = text.split("\n")[item.number - 1]
        if isinstance(item, Line):
            assert json.loads(row) == item.data
        else:
            assert isinstance(item, BadLine) and item.message
