"""Trials of one task (DESIGN §10 "Repeats"): is a task flaky, and how often does a model pass it?

Executions of the same model on the same task key (AgentLab: task_name + seed) in several runs of
one benchmark are *trials* of that task; OSWorld and WAA trial folders are runs of their own, so
they are found the same way. Errored, infra and unfinished trials count as failed; a task a run
still being written has no outcome for yet (pending) is not a trial. Pure functions, no Textual.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from bench_tui.analysis.compare import TaskKey, is_pending, task_key, task_label
from bench_tui.analysis.regressions import run_series
from bench_tui.model import Execution, Run
from bench_tui.model.ordering import natural_key


def pass_at_k(n: int, c: int, k: int) -> float:
    """Chance that at least one of k trials drawn from the n passes: 1 − C(n−c,k)/C(n,k)."""
    _check(n, c, k)
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def pass_hat_k(n: int, c: int, k: int) -> float:
    """Chance that all of k trials drawn from the n pass (pass^k): C(c,k)/C(n,k)."""
    _check(n, c, k)
    return math.comb(c, k) / math.comb(n, k)


def _check(n: int, c: int, k: int) -> None:
    if not (0 <= c <= n and 1 <= k <= n):
        raise ValueError(f"need 0 ≤ c ≤ n and 1 ≤ k ≤ n, got n={n}, c={c}, k={k}")


@dataclass(frozen=True)
class Trial:
    run: Run
    execution: Execution

    @property
    def passed(self) -> bool:
        return self.execution.status == "passed"


@dataclass(frozen=True)
class TaskTrials:
    """Every trial of one model on one task, oldest run first."""

    model: str
    benchmark: str | None
    key: TaskKey
    trials: tuple[Trial, ...]

    @property
    def task_id(self) -> str:
        """How lists name the task: AgentLab's `<task_name>_<seed>` when there is a seed."""
        return task_label(self.key)

    @property
    def n(self) -> int:
        return len(self.trials)

    @property
    def passes(self) -> int:
        return sum(1 for trial in self.trials if trial.passed)

    @property
    def flaky(self) -> bool:
        return 0 < self.passes < self.n

    def first(self, passed: bool) -> Trial | None:
        return next((trial for trial in self.trials if trial.passed == passed), None)


def find_trials(runs: Sequence[Run]) -> list[TaskTrials]:
    """Every (model, benchmark, task) with at least one trial, in model then task order."""
    found: dict[tuple[str, str | None, TaskKey], list[Trial]] = {}
    for (benchmark, model), series in run_series(runs).items():
        for run in series:  # oldest first
            for execution in run.executions:
                if execution.model != model or is_pending(run, execution):
                    continue
                found.setdefault((model, benchmark, task_key(execution)), []).append(
                    Trial(run, execution)
                )
    ordered = sorted(
        found.items(),
        key=lambda item: (
            item[0][0],
            item[0][1] or "",
            natural_key(item[0][2][0]),
            item[0][2][1] or 0,
        ),
    )
    return [
        TaskTrials(model=model, benchmark=benchmark, key=key, trials=tuple(trials))
        for (model, benchmark, key), trials in ordered
    ]


def repeated(tasks: Iterable[TaskTrials]) -> list[TaskTrials]:
    """The tasks with trials to compare: run at least twice."""
    return [task for task in tasks if task.n >= 2]


@dataclass(frozen=True)
class ModelRepeats:
    model: str
    tasks_with_trials: int
    k: int
    """The k asked for, else the smallest n among the model's tasks with n ≥ 2."""
    pass_at_1: float
    pass_at_k: float | None
    pass_hat_k: float | None
    flaky: list[str]
    k_tasks: int
    """Tasks with n ≥ k, over which pass@k and pass^k are averaged."""


def model_repeats(tasks: Sequence[TaskTrials], k: int | None = None) -> list[ModelRepeats]:
    """Per model with at least one task run twice or more (DESIGN §10 formulas)."""
    if k is not None and k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    by_model: dict[str, list[TaskTrials]] = {}
    for task in tasks:
        by_model.setdefault(task.model, []).append(task)
    result: list[ModelRepeats] = []
    for model, own in by_model.items():
        multi = repeated(own)
        if not multi:
            continue
        chosen = k if k is not None else min(task.n for task in multi)
        eligible = [task for task in own if task.n >= chosen]
        result.append(
            ModelRepeats(
                model=model,
                tasks_with_trials=len(multi),
                k=chosen,
                pass_at_1=fmean(task.passes / task.n for task in multi),
                pass_at_k=_mean(pass_at_k(t.n, t.passes, chosen) for t in eligible),
                pass_hat_k=_mean(pass_hat_k(t.n, t.passes, chosen) for t in eligible),
                flaky=[task.task_id for task in multi if task.flaky],
                k_tasks=len(eligible),
            )
        )
    return result


def _mean(values: Iterable[float]) -> float | None:
    present = list(values)
    return fmean(present) if present else None


def flaky_first(tasks: Iterable[TaskTrials]) -> list[TaskTrials]:
    """Flaky tasks first, then never passed, then always passed; task order within each."""

    def rank(task: TaskTrials) -> int:
        if task.flaky:
            return 0
        return 1 if task.passes == 0 else 2

    return sorted(tasks, key=rank)


def repeats_json(runs: Sequence[Run], k: int | None = None) -> dict[str, Any]:
    """`bench-tui repeats --json`: per model, and per task run at least twice."""
    tasks = find_trials(runs)
    return {
        "k": k,
        "models": [
            {
                "model": entry.model,
                "tasks_with_trials": entry.tasks_with_trials,
                "k": entry.k,
                "pass_at_1": entry.pass_at_1,
                "pass_at_k": entry.pass_at_k,
                "pass_hat_k": entry.pass_hat_k,
                "flaky": entry.flaky,
                "k_tasks": entry.k_tasks,
            }
            for entry in model_repeats(tasks, k)
        ],
        "tasks": [task_json(task) for task in repeated(tasks)],
    }


def task_json(task: TaskTrials) -> dict[str, Any]:
    return {
        "model": task.model,
        "task_id": task.task_id,
        "seed": task.key[1],
        "benchmark": task.benchmark,
        "trials": task.n,
        "passes": task.passes,
        "flaky": task.flaky,
        "runs": [trial.run.id for trial in task.trials],
        "statuses": [trial.execution.status for trial in task.trials],
    }
