"""Which failures look alike, and which tasks are hardest (DESIGN §1 question 5).

Failures are grouped by a normalised cause: the error type where the harness gives one, else the
error message with everything that differs between occurrences of the same error (numbers, ids,
quoted values, paths) replaced by placeholders, so "timeout after 31.2 s" and "timeout after
45 s" land in one group.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

from bench_tui.analysis.compare import task_key, task_label
from bench_tui.analysis.steps import step_count
from bench_tui.model import Execution, Run

MISSING = "—"
_MAX_CAUSE = 120

# Order matters: quoted strings first (they may hold paths and numbers), then UUIDs before the
# hex and number rules would chop them into pieces.
_SCRUBBERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`"), "<str>"),
    (re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE), "<url>"),
    (
        re.compile(
            r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE
        ),
        "<id>",
    ),
    (re.compile(r"(?:[A-Za-z]:)?(?:[\\/][\w.@~+-]+){2,}[\\/]?|~?/[\w.@~+-]+\.\w+"), "<path>"),
    (re.compile(r"\b0x[0-9a-f]+\b", re.IGNORECASE), "<hex>"),
    # bare hex ids (commit hashes, object ids) have a digit and are at least 6 long
    (re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{6,}\b", re.IGNORECASE), "<hex>"),
    (re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?", re.IGNORECASE), "<n>"),
)
_SPACES = re.compile(r"\s+")


def normalise_message(message: str) -> str:
    """The first non-empty line with variable parts replaced: `<str>`, `<url>`, `<id>`, `<path>`,
    `<hex>`, `<n>`."""
    line = next((ln.strip() for ln in message.splitlines() if ln.strip()), "")
    for pattern, placeholder in _SCRUBBERS:
        line = pattern.sub(placeholder, line)
    line = _SPACES.sub(" ", line).strip()
    return line[:_MAX_CAUSE] if len(line) > _MAX_CAUSE else line


def failure_cause(execution: Execution, last_action_type: str | None = None) -> str:
    """A cause that groups alike failures. `last_action_type` (of the final step, when the caller
    has loaded the steps) tells apart a failure the agent declared done from one that stopped."""
    if execution.status == "passed":
        return "passed"
    if execution.error_type and execution.error_type.strip():
        return execution.error_type.strip()
    if execution.error and execution.error.strip():
        return normalise_message(execution.error)
    if execution.status == "unfinished":
        return "unfinished"
    if execution.status == "errored":
        return "errored without a message"
    if last_action_type in ("done", "answer"):
        return f"judged failed after {last_action_type}"
    if last_action_type is not None:
        return f"stopped after {last_action_type}"
    return "failed without an error"


@dataclass(frozen=True)
class FailureGroup:
    cause: str
    task_ids: list[str]

    @property
    def count(self) -> int:
        return len(self.task_ids)


def group_failures(
    run: Run,
    model: str | None = None,
    last_action_types: Mapping[str, str | None] | None = None,
) -> list[FailureGroup]:
    """Executions that did not pass, grouped by cause, biggest group first (then by cause).

    `model` restricts to one model's executions; `last_action_types` maps a task label (as
    `task_label` writes it) to its final action type where steps were loaded.
    """
    last = last_action_types or {}
    by_cause: dict[str, set[str]] = {}
    for execution in run.executions:
        if execution.status == "passed" or (model is not None and execution.model != model):
            continue
        label = task_label(task_key(execution))
        by_cause.setdefault(failure_cause(execution, last.get(label)), set()).add(label)
    groups = [FailureGroup(cause, sorted(labels)) for cause, labels in by_cause.items()]
    return sorted(groups, key=lambda g: (-g.count, g.cause))


def frequency(values: Iterable[str | None]) -> list[tuple[str, int]]:
    """Count per value (None as "—"), most frequent first, ties alphabetical: the `F` table."""
    counts = Counter(MISSING if value is None else value for value in values)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True)
class TaskDifficulty:
    task_id: str
    attempts: int
    """Executions that were attempted (unfinished ones were not and are left out)."""
    failures: int
    mean_steps: float | None

    @property
    def failure_rate(self) -> float:
        return self.failures / self.attempts if self.attempts else 0.0


def difficulty_ranking(runs: Sequence[Run]) -> list[TaskDifficulty]:
    """Tasks by how many attempts (every model of every run) failed them, most first; ties go to
    the task that took more steps, then by id. Seeds of one task count together."""
    attempts: dict[str, list[Execution]] = {}
    for run in runs:
        for execution in run.executions:
            # A task never started says nothing about how hard it is.
            if execution.status != "unfinished":
                attempts.setdefault(execution.task_id, []).append(execution)
    ranking: list[TaskDifficulty] = []
    for task_id, executions in attempts.items():
        steps = [n for n in map(step_count, executions) if n is not None]
        ranking.append(
            TaskDifficulty(
                task_id=task_id,
                attempts=len(executions),
                failures=sum(1 for e in executions if e.status != "passed"),
                mean_steps=fmean(steps) if steps else None,
            )
        )
    return sorted(
        ranking,
        key=lambda t: (
            -t.failures,
            -t.failure_rate,
            -(t.mean_steps if t.mean_steps is not None else -1.0),
            t.task_id,
        ),
    )
