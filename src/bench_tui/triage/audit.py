"""Checker audit (DESIGN §10): how often people overturned the benchmark's checker, per run and model.

A task is *reviewed* when it carries any label; *overturned to pass* when the checker failed it
(anything but passed: errored and unfinished count as failed, FORMATS §2) and it carries
`checker wrong: should pass`; *overturned to fail* when the checker passed it and it carries
`checker wrong: should fail`. The checker's own figures are never replaced: the corrected rate is
shown beside them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench_tui.model import Run
from bench_tui.model.ordering import natural_key
from bench_tui.triage.labels import SHOULD_FAIL, SHOULD_PASS
from bench_tui.triage.store import TriageLookup, TriageState


@dataclass(frozen=True)
class Overturned:
    run: str
    model: str
    task_id: str
    seed: int | None
    checker: str
    """The checker's status for the task (passed, failed, infra, errored, unfinished)."""
    label: str
    """SHOULD_PASS or SHOULD_FAIL."""
    note: str | None


@dataclass(frozen=True)
class RunAudit:
    run: str
    model: str
    tasks: int
    checker_passed: int
    reviewed: int
    overturned_to_pass: int
    overturned_to_fail: int
    overturned: list[Overturned] = field(default_factory=list)

    @property
    def checker_success_rate(self) -> float:
        return self.checker_passed / self.tasks if self.tasks else 0.0

    @property
    def corrected_success_rate(self) -> float:
        corrected = self.checker_passed + self.overturned_to_pass - self.overturned_to_fail
        return corrected / self.tasks if self.tasks else 0.0

    @property
    def agreement(self) -> float | None:
        if not self.reviewed:
            return None
        return 1 - (self.overturned_to_pass + self.overturned_to_fail) / self.reviewed


def audit_model(run: Run, model: str, state: TriageState | None) -> RunAudit:
    """The audit of one model's executions in `run`, from the run's triage state."""
    executions = [e for e in run.executions if e.model == model]
    labels = state.task_labels() if state is not None else {}
    reviewed = to_pass = to_fail = 0
    overturned: list[Overturned] = []
    for execution in executions:
        key = (execution.model, execution.task_id, execution.seed)
        names = labels.get(key, set())
        if not names:
            continue
        reviewed += 1
        passed = execution.status == "passed"
        verdict = None
        if not passed and SHOULD_PASS in names:
            to_pass += 1
            verdict = SHOULD_PASS
        elif passed and SHOULD_FAIL in names:
            to_fail += 1
            verdict = SHOULD_FAIL
        if verdict is not None:
            overturned.append(
                Overturned(
                    run=run.id,
                    model=model,
                    task_id=execution.task_id,
                    seed=execution.seed,
                    checker=execution.status,
                    label=verdict,
                    note=state.note_for(*key) if state is not None else None,
                )
            )
    overturned.sort(key=lambda item: (natural_key(item.task_id), item.seed or 0))
    return RunAudit(
        run=run.id,
        model=model,
        tasks=len(executions),
        checker_passed=sum(1 for e in executions if e.status == "passed"),
        reviewed=reviewed,
        overturned_to_pass=to_pass,
        overturned_to_fail=to_fail,
        overturned=overturned,
    )


def audit_runs(runs: Sequence[Run], lookup: TriageLookup | None = None) -> list[RunAudit]:
    """One audit per (run, model), in the order given."""
    lookup = lookup or TriageLookup()
    audits: list[RunAudit] = []
    for run in runs:
        state = lookup.state(run.path)
        audits.extend(audit_model(run, model, state) for model in run.models)
    return audits


def audit_json(audits: Sequence[RunAudit]) -> dict[str, Any]:
    """`bench-tui audit --json`: per (run, model), and every overturned task with its note."""
    return {
        "runs": [
            {
                "run": audit.run,
                "model": audit.model,
                "tasks": audit.tasks,
                "checker_passed": audit.checker_passed,
                "checker_success_rate": audit.checker_success_rate,
                "reviewed": audit.reviewed,
                "overturned_to_pass": audit.overturned_to_pass,
                "overturned_to_fail": audit.overturned_to_fail,
                "corrected_success_rate": audit.corrected_success_rate,
                "agreement": audit.agreement,
            }
            for audit in audits
        ],
        "overturned": [
            {
                "run": item.run,
                "model": item.model,
                "task_id": item.task_id,
                "seed": item.seed,
                "checker": item.checker,
                "label": item.label,
                "note": item.note,
            }
            for audit in audits
            for item in audit.overturned
        ],
    }
