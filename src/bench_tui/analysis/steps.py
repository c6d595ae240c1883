"""How many steps a task took: one rule for every screen and command (README "Steps").

A task's step count is its outcome's own count (OpenAdapt `num_steps`, AgentLab `n_steps`,
OSWorld/WAA model calls, WebArena action blocks; FORMATS §2). The task list, the run page's
mean, the task page, `export` and `summary` all show that number, whether a trace was read or
not. The task page steps through the trace's step records, numbered from 1. A closing record
that executes nothing (a final `done`/`error`, AgentLab's last observation) may be left out of
the count, as OpenAdapt and AgentLab do; screenshots found without a step record are shown but
never counted. Any other difference between the count and the records is a Problem naming the
outcome's file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench_tui.model import Execution, Step

CLOSING_ACTIONS = frozenset({"done", "fail", "error"})
"""Actions that end an episode without touching the screen."""
COUNT_FIELDS = {"openadapt": "num_steps", "agentlab": "n_steps"}
"""Where a format writes its own count, for messages that name it."""


def step_count(execution: Execution) -> int | None:
    """The steps figure of one execution, on every screen and in every command."""
    return execution.num_steps


def _closes(step: Step) -> bool:
    return all(action.type in CLOSING_ACTIONS for action in step.actions)


@dataclass(frozen=True)
class TraceSteps:
    """A trace's step records set beside its outcome's count."""

    count: int | None
    records: int
    unrecorded: int
    """Screenshots without a step record (shown as steps with no action, never counted)."""
    closing: bool
    """The last step record executes nothing (no action, or only done/fail/error)."""
    crashed: bool = False
    """The episode ended in an error: its last recorded action may never have run."""

    @property
    def agrees(self) -> bool:
        if self.count is None:
            return True
        return self.count == self.records or self.last_uncounted

    @property
    def last_uncounted(self) -> bool:
        """The count leaves out the last record: it closes the episode, or the episode crashed."""
        closed = self.closing or self.crashed
        return self.count is not None and closed and self.count == self.records - 1

    def describe(self) -> str:
        """`3 steps`, and the records beside it wherever they are not the same number ("" when
        there is neither a count nor a record)."""
        if self.count is None:
            text = _plural(self.records, "step record") if self.records else ""
        elif self.count == self.records:
            text = _plural(self.count, "step")
        elif self.last_uncounted:
            last = "closing record" if self.closing else "the record it crashed on"
            text = f"{_plural(self.count, 'step')} + {last}"
        else:
            text = f"{_plural(self.count, 'step')} · the trace holds " + _plural(
                self.records, "step record"
            )
        if self.unrecorded:
            shots = _plural(self.unrecorded, "screenshot") + " without a record"
            text = f"{text} + {shots}" if text else shots
        return text


def trace_steps(execution: Execution, steps: Sequence[Step]) -> TraceSteps:
    records = [step for step in steps if step.recorded]
    return TraceSteps(
        count=step_count(execution),
        records=len(records),
        unrecorded=len(steps) - len(records),
        closing=bool(records) and _closes(records[-1]),
        crashed=execution.status == "errored",
    )


def count_disagreement(run_format: str, trace: TraceSteps) -> str | None:
    """The Problem's message when the count and the records disagree beyond the rule."""
    if trace.agrees:
        return None
    field = COUNT_FIELDS.get(run_format)
    said = f"'{field}' is {trace.count}" if field else f"the outcome counts {trace.count} steps"
    return f"{said} but the trace holds {_plural(trace.records, 'step record')}"


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
