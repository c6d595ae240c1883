"""What `bench-tui label DIR RUN TASK_ID LABEL` names: one execution of one run, and a known label.

Every name comes from the command line and is checked against what discovery found, so a typo
never writes a record nobody will ever see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench_tui.analysis.compare import task_label
from bench_tui.model import Execution, Run
from bench_tui.model.ordering import natural_key
from bench_tui.triage.labels import CHECKER_LABELS, LabelSet

MAX_NAMED = 8
"""Choices spelled out in a message; past this, a count."""


class TargetError(ValueError):
    """The run, model, task or label named does not exist (a usage error: exit 2)."""


@dataclass(frozen=True)
class LabelTarget:
    run: Run
    execution: Execution
    label: str


def _some(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_NAMED])
    more = len(names) - MAX_NAMED
    return shown + (f" and {more} more" if more > 0 else "") if names else "none"


def known_labels(label_set: LabelSet) -> list[str]:
    """The configured set plus the checker verdicts the audit reads."""
    names = label_set.names()
    return names + [name for name in CHECKER_LABELS if name not in names]


def find_target(
    runs: Sequence[Run], run_id: str, task_id: str, label: str, model: str | None, labels: LabelSet
) -> LabelTarget:
    """The execution `task_id` of `model` in the run `run_id`; TargetError says what is wrong."""
    run = next((r for r in runs if r.id == run_id), None)
    if run is None:
        ids = sorted((r.id for r in runs), key=natural_key)
        raise TargetError(f"no run '{run_id}' here (runs: {_some(ids)})")
    models = run.models
    if model is None:
        if len(models) > 1:
            raise TargetError(
                f"run {run_id} holds {len(models)} models: add --model ({_some(models)})"
            )
        if not models:
            raise TargetError(f"run {run_id} holds no task")
        model = models[0]
    elif model not in models:
        raise TargetError(f"model '{model}' is not in run {run_id} (it holds: {_some(models)})")
    own = [e for e in run.executions if e.model == model]
    matches = [e for e in own if e.task_id == task_id]
    if len(matches) > 1:
        seeds = [task_label((e.task_id, e.seed)) for e in matches]
        raise TargetError(f"task '{task_id}' ran with several seeds: name one of {_some(seeds)}")
    if not matches:
        # AgentLab tasks may be named the way lists show them: `<task_name>_<seed>`.
        matches = [
            e for e in own if e.seed is not None and task_label((e.task_id, e.seed)) == task_id
        ]
    if not matches:
        raise TargetError(f"no task '{task_id}' of model {model} in run {run_id}")
    if label not in known_labels(labels):
        raise TargetError(f"unknown label '{label}' (labels: {', '.join(known_labels(labels))})")
    return LabelTarget(run=run, execution=matches[0], label=label)
