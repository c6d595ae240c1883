"""Live runs: how far along they are, and an estimate of what is left (any format)."""

from __future__ import annotations

from statistics import mean

from bench_tui.model import LiveProgress, Run

RECENT_TASKS_FOR_PACE = 10


def remaining_time(run: Run, remaining: int) -> float | None:
    """Seconds left at the pace of its recent tasks; None when no finished task has a time."""
    durations = [e.duration_s for e in run.executions if e.finished and e.duration_s]
    if not durations or remaining <= 0:
        return 0.0 if remaining <= 0 else None
    return remaining * mean(durations[-RECENT_TASKS_FOR_PACE:])


def mark_recent_runs(runs: list[Run]) -> None:
    """Runs flagged live by their file times get progress from their own task counts."""
    for run in runs:
        if not run.live or run.progress is not None:
            continue
        done = sum(1 for e in run.executions if e.finished or e.status == "errored")
        total = len(run.tasks)
        run.progress = LiveProgress(done=done, total=total, eta_s=remaining_time(run, total - done))
