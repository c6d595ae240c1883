"""One step-count rule (analysis/steps.py, README "Steps"): the same figure in the list, on the
task page, in `export` and in `summary`; a trace's records beside it only where they differ."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.analysis.steps import count_disagreement, step_count, trace_steps
from bench_tui.analysis.summary import figures
from bench_tui.model import Action, Execution, Step
from bench_tui.sources.discover import discover_workspace
from bench_tui.sources.steps import load_steps
from tests.fixtures.openadapt_builders import build_complete_run, build_crashed_run
from tests.fixtures.osworld_builders import build_osworld_example, build_waa_example
from tests.fixtures.web_builders import build_agentlab_example, build_webarena_example


def step(kind: str | None, *, recorded: bool = True) -> Step:
    return Step(index=0, recorded=recorded, actions=[Action(type=kind)] if kind else [])


def test_the_count_is_the_outcomes_own() -> None:
    assert step_count(Execution(task_id="t", num_steps=4)) == 4
    assert step_count(Execution(task_id="t")) is None
    done = Execution(task_id="t", status="passed", num_steps=1)
    assert figures([done, Execution(task_id="u", status="failed", num_steps=3)]).mean_steps == 2


def test_a_closing_record_may_be_left_out_of_the_count() -> None:
    # OpenAdapt: num_steps leaves out the final done; AgentLab: the last record has no action.
    execution = Execution(task_id="t", status="passed", num_steps=1)
    trace = trace_steps(execution, [step("click"), step("done")])
    assert trace.agrees and count_disagreement("openadapt", trace) is None
    assert trace.describe() == "1 step + closing record" and trace.last_uncounted
    assert trace_steps(execution, [step("click"), step(None)]).agrees
    # ...but a last record that acted is counted: then the two disagree.
    assert not trace_steps(execution, [step("click"), step("type")]).agrees


def test_a_crashed_episodes_last_record_may_be_left_out() -> None:
    crashed = Execution(task_id="t", status="errored", num_steps=0)
    trace = trace_steps(crashed, [step("other")])
    assert trace.agrees
    assert trace.describe() == "0 steps + the record it crashed on"


def test_equal_counts_say_the_count_alone() -> None:
    trace = trace_steps(Execution(task_id="t", num_steps=2), [step("click"), step("done")])
    assert trace.describe() == "2 steps"
    assert trace_steps(Execution(task_id="t"), []).describe() == ""
    assert trace_steps(Execution(task_id="t"), [step("click")]).describe() == "1 step record"


def test_screenshots_without_a_record_are_shown_but_never_counted() -> None:
    trace = trace_steps(
        Execution(task_id="t", num_steps=1),
        [step("click"), step(None, recorded=False), step(None, recorded=False)],
    )
    assert trace.agrees and (trace.records, trace.unrecorded) == (1, 2)
    assert trace.describe() == "1 step + 2 screenshots without a record"


def test_a_disagreement_names_the_formats_field() -> None:
    # AgentLab: summary_info.json says 10, the folder holds no step file.
    trace = trace_steps(Execution(task_id="t", status="passed", num_steps=10), [])
    assert not trace.agrees
    assert trace.describe() == "10 steps · the trace holds 0 step records"
    assert (
        count_disagreement("agentlab", trace)
        == "'n_steps' is 10 but the trace holds 0 step records"
    )
    assert count_disagreement("osworld", trace) == (
        "the outcome counts 10 steps but the trace holds 0 step records"
    )


BUILDERS: dict[str, Callable[[Path], object]] = {
    "openadapt": build_complete_run,
    "openadapt crashed": build_crashed_run,
    "osworld": build_osworld_example,
    "waa": build_waa_example,
    "webarena": build_webarena_example,
    "agentlab": build_agentlab_example,
}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_every_format_one_count_in_export_summary_and_its_traces(name: str, tmp_path: Path) -> None:
    BUILDERS[name](tmp_path)
    workspace = discover_workspace(tmp_path)
    assert workspace.runs
    exported = json.loads(
        CliRunner().invoke(cli.app, ["export", str(tmp_path), "--format", "json"]).stdout
    )
    export_steps = {(row["run"], row["model"], row["task_id"]): row["steps"] for row in exported}
    summary = json.loads(CliRunner().invoke(cli.app, ["summary", str(tmp_path), "--json"]).stdout)
    mean_steps = {
        (run["id"], m["model"]): m["mean_steps"] for run in summary["runs"] for m in run["models"]
    }
    disagreements = []
    for run in workspace.runs:
        for execution in run.executions:
            key = (run.id, execution.model, execution.task_id)
            assert export_steps[key] == step_count(execution), key
            steps, _ = load_steps(run, execution, tmp_path)
            if not trace_steps(execution, steps).agrees:
                disagreements.append(execution.task_id)
        for model in run.models:
            mine = [e for e in run.executions if e.model == model]
            assert mean_steps[run.id, model] == figures(mine).mean_steps
    # The crashed-run fixture records num_steps 4 without its step list: a real disagreement.
    assert disagreements == (["calc_sum"] if name == "openadapt crashed" else [])
