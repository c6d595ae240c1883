"""Across the runs of one series (one benchmark, one model, run after run): what got worse.

A series is ordered by when its runs started; each run is compared with the one before it, the
way `compare A B` compares a baseline with a newer run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench_tui.analysis.compare import TaskKey, is_pending, task_key, task_label
from bench_tui.analysis.summary import figures
from bench_tui.model import Execution, Run
from bench_tui.model.dates import date_order
from bench_tui.model.ordering import natural_key

SeriesKey = tuple[str | None, str]
"""(benchmark, model)."""


def _run_order(run: Run) -> tuple[bool, float, str]:
    # Runs without a date go last: they cannot be placed, and last is where a new run would be.
    return (run.created_at is None, date_order(run.created_at) if run.created_at else 0.0, run.id)


def run_series(runs: Sequence[Run]) -> dict[SeriesKey, list[Run]]:
    """Runs grouped by (benchmark, model), each list oldest first (ties by id). A run with
    several models is in several series."""
    series: dict[SeriesKey, list[Run]] = {}
    for run in runs:
        for model in run.models:
            series.setdefault((run.benchmark, model), []).append(run)
    for members in series.values():
        members.sort(key=_run_order)
    return series


def _selected(run: Run, model: str | None) -> list[Execution]:
    return [e for e in run.executions if model is None or e.model == model]


def _settled(run: Run, model: str | None) -> list[Execution]:
    """The executions with an outcome: a live run's pending tasks say nothing yet."""
    return [e for e in _selected(run, model) if not is_pending(run, e)]


def is_partial(run: Run, model: str | None = None) -> bool:
    """A run still being written that has tasks without an outcome: its figures are partial."""
    return any(is_pending(run, e) for e in _selected(run, model))


@dataclass(frozen=True)
class Regression:
    task_id: str
    passed_in: str
    """Id of the earlier run, where the task passed."""
    failed_in: str
    """Id of the next run, where it did not (errored and unfinished count as failed)."""
    model: str | None = None


def series_regressions(series: Sequence[Run], model: str | None = None) -> list[Regression]:
    """Tasks that passed in a run and did not pass in the next one, in series order then by task.

    `model` selects one model's executions (the series key's model); None takes every execution.
    A task the next run lacks, or has not given an outcome for yet (pending), is not a regression,
    as in `compare`.
    """
    found: list[Regression] = []
    for earlier, later in zip(series, series[1:], strict=False):
        before: dict[tuple[str, TaskKey], bool] = {
            (e.model, task_key(e)): e.status == "passed" for e in _settled(earlier, model)
        }
        after: dict[tuple[str, TaskKey], bool] = {
            (e.model, task_key(e)): e.status == "passed" for e in _settled(later, model)
        }
        worse = [k for k in before.keys() & after.keys() if before[k] and not after[k]]
        found.extend(
            Regression(task_label(key), earlier.id, later.id, execution_model)
            for execution_model, key in sorted(
                worse, key=lambda k: (natural_key(k[1][0]), k[1][1] or 0, k[0])
            )
        )
    return found


def success_over_time(series: Sequence[Run], model: str | None = None) -> list[float]:
    """Success rate of each run of the series, in order (FORMATS §2: over all tasks)."""
    return [figures(_selected(run, model)).success_rate for run in series]
