"""analysis/regressions.py: series of runs, what got worse from one run to the next."""

from __future__ import annotations

from datetime import datetime

import pytest

from bench_tui.analysis.regressions import (
    Regression,
    run_series,
    series_regressions,
    success_over_time,
)
from bench_tui.model import Execution, Run


def run(
    run_id: str,
    day: int | None,
    outcomes: dict[str, str],
    model: str = "tern",
    benchmark: str = "waa",
) -> Run:
    return Run(
        id=run_id,
        path=f"/{run_id}",
        format="openadapt",
        benchmark=benchmark,
        label=run_id,
        created_at=None if day is None else datetime(2025, 11, day, 9, 0),
        executions=[
            Execution(task_id=task, model=model, status=status)  # type: ignore[arg-type]
            for task, status in outcomes.items()
        ],
    )


def test_series_group_by_benchmark_and_model_oldest_first() -> None:
    late = run("r-late", 20, {"t": "passed"})
    early = run("r-early", 3, {"t": "passed"})
    same_day_b = run("r-b", 10, {"t": "passed"})
    same_day_a = run("r-a", 10, {"t": "passed"})
    undated = run("r-undated", None, {"t": "passed"})
    other_model = run("r-other", 1, {"t": "passed"}, model="lumen")
    other_bench = run("r-osworld", 1, {"t": "passed"}, benchmark="osworld")
    series = run_series([late, undated, same_day_b, early, other_model, same_day_a, other_bench])
    assert [r.id for r in series[("waa", "tern")]] == [
        "r-early",
        "r-a",
        "r-b",
        "r-late",
        "r-undated",
    ]
    assert [r.id for r in series[("waa", "lumen")]] == ["r-other"]
    assert [r.id for r in series[("osworld", "tern")]] == ["r-osworld"]


def test_a_run_with_two_models_is_in_both_series() -> None:
    both = run("r", 1, {"t": "passed"})
    both.executions.append(Execution(task_id="t", model="lumen", status="failed"))
    assert set(run_series([both])) == {("waa", "tern"), ("waa", "lumen")}


def test_regressions_compare_consecutive_runs_only() -> None:
    first = run("r1", 1, {"a": "passed", "b": "passed", "c": "passed", "d": "failed"})
    second = run("r2", 2, {"a": "failed", "b": "passed", "d": "passed"})  # c missing
    third = run("r3", 3, {"a": "failed", "b": "errored", "c": "failed", "d": "unfinished"})
    regressions = series_regressions([first, second, third])
    assert regressions == [
        Regression("a", "r1", "r2", "tern"),  # a stays failed in r3: reported once
        Regression("b", "r2", "r3", "tern"),  # errored counts as failed
        Regression("d", "r2", "r3", "tern"),  # unfinished counts as failed
    ]
    # c passed in r1 and failed in r3, but r2 lacked it: no consecutive pair shows it


def test_regressions_of_one_model_in_multi_model_runs() -> None:
    first = run("r1", 1, {"a": "passed", "b": "passed"})
    first.executions.append(Execution(task_id="a", model="lumen", status="passed"))
    second = run("r2", 2, {"a": "passed", "b": "failed"})
    second.executions.append(Execution(task_id="a", model="lumen", status="failed"))
    assert series_regressions([first, second], model="tern") == [
        Regression("b", "r1", "r2", "tern")
    ]
    assert {(r.task_id, r.model) for r in series_regressions([first, second])} == {
        ("b", "tern"),
        ("a", "lumen"),
    }


def test_short_series_have_no_regressions() -> None:
    assert series_regressions([]) == []
    assert series_regressions([run("r", 1, {"a": "passed"})]) == []


def test_success_over_time_counts_every_task() -> None:
    series = [
        run("r1", 1, {"a": "passed", "b": "failed", "c": "unfinished", "d": "errored"}),
        run("r2", 2, {"a": "passed", "b": "passed", "c": "passed", "d": "failed"}),
    ]
    assert success_over_time(series) == [pytest.approx(0.25), pytest.approx(0.75)]
    assert success_over_time([]) == []
