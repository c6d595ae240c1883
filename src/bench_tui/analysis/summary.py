"""Figures of a run, per model and per domain, by the counting rules of FORMATS §2."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import fmean

from bench_tui.analysis.steps import step_count
from bench_tui.model import Execution, Run


@dataclass(frozen=True)
class Figures:
    """Outcome counts over a set of executions (one model's, one domain's, …)."""

    tasks: int
    finished: int
    succeeded: int
    errors: int
    infra: int
    unfinished: int
    failed_with_error: int
    """Failures that carry an error message (a verdict was still given)."""
    mean_score: float | None
    mean_steps: float | None
    mean_duration_s: float | None

    @property
    def success_rate(self) -> float:
        """Over all tasks: unfinished and errored count as failures."""
        return self.succeeded / self.tasks if self.tasks else 0.0

    @property
    def with_errors(self) -> int:
        """Tasks that met an error of any kind: no verdict (errored), an environment failure
        (infra), or a failure that carries an error message. One figure for the errors card."""
        return self.errors + self.infra + self.failed_with_error

    @property
    def finished_only_rate(self) -> float | None:
        return self.succeeded / self.finished if self.finished else None


def _mean(values: Iterable[float | int | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return fmean(present) if present else None


def figures(executions: list[Execution]) -> Figures:
    # One pass for the counts: this runs per model and per domain of every run on each summary.
    counted = dict.fromkeys(("passed", "errored", "infra", "unfinished"), 0)
    failed_with_error = 0
    finished: list[Execution] = []
    for e in executions:
        status = e.status
        if status in counted:
            counted[status] += 1
        elif status == "failed" and e.error:
            failed_with_error += 1
        if e.finished:
            finished.append(e)
    return Figures(
        tasks=len(executions),
        finished=len(finished),
        succeeded=counted["passed"],
        errors=counted["errored"],
        infra=counted["infra"],
        unfinished=counted["unfinished"],
        failed_with_error=failed_with_error,
        mean_score=_mean(e.score for e in finished),
        mean_steps=_mean(step_count(e) for e in finished),
        mean_duration_s=_mean(e.duration_s for e in finished),
    )


@dataclass
class ModelFigures:
    model: str
    overall: Figures
    by_domain: dict[str, Figures] = field(default_factory=dict)


def domain_of(run: Run) -> dict[str, str | None]:
    return {task.task_id: task.domain for task in run.tasks}


def model_figures(run: Run) -> list[ModelFigures]:
    """One entry per model, in the order models first appear in the run."""
    domains = domain_of(run)
    by_model: dict[str, list[Execution]] = {}
    for execution in run.executions:
        by_model.setdefault(execution.model, []).append(execution)
    result: list[ModelFigures] = []
    for model, executions in by_model.items():
        per_domain: dict[str, list[Execution]] = {}
        for execution in executions:
            domain = domains.get(execution.task_id) or "(none)"
            per_domain.setdefault(domain, []).append(execution)
        result.append(
            ModelFigures(
                model=model,
                overall=figures(executions),
                by_domain={d: figures(per_domain[d]) for d in sorted(per_domain)},
            )
        )
    return result


def format_rate(rate: float | None) -> str:
    """Rates on screen: a percentage with one decimal, from the same float JSON carries."""
    return "—" if rate is None else f"{rate * 100:.1f}%"
