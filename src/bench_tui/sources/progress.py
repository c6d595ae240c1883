"""Live runs: attach progress files to the run they describe, and estimate what is left."""

from __future__ import annotations

from statistics import mean

from bench_tui.model import LiveProgress, Run
from bench_tui.model.dates import date_order
from bench_tui.sources.openadapt.live import LiveFile

RECENT_TASKS_FOR_PACE = 10


def _eta(run: Run, remaining: int) -> float | None:
    durations = [e.duration_s for e in run.executions if e.finished and e.duration_s]
    if not durations or remaining <= 0:
        return 0.0 if remaining <= 0 else None
    return remaining * mean(durations[-RECENT_TASKS_FOR_PACE:])


def attach_live_files(runs: list[Run], live_files: list[LiveFile]) -> None:
    """A live file names its current task: it belongs to the unfinished run holding that task."""
    for live in live_files:
        if live.status != "running" or live.current_task_id is None:
            continue
        candidates = [
            run
            for run in runs
            if run.format == "openadapt"
            and any(e.task_id == live.current_task_id and not e.finished for e in run.executions)
        ]
        if not candidates:
            continue
        run = max(candidates, key=lambda r: date_order(r.created_at) if r.created_at else 0.0)
        finished = sum(1 for e in run.executions if e.finished)
        total = live.total if live.total is not None else len(run.tasks)
        # The file is rewritten less often than task folders appear: it may lag behind them.
        done = max(live.completed or 0, finished)
        run.live = True
        run.progress = LiveProgress(
            done=done,
            total=total,
            eta_s=_eta(run, total - done),
            current_task=live.current_task_id,
            live_file=str(live.path),
            as_of=live.modified_at or None,
        )


def mark_recent_runs(runs: list[Run]) -> None:
    """Runs flagged live by their file times get progress from their own task counts."""
    for run in runs:
        if not run.live or run.progress is not None:
            continue
        done = sum(1 for e in run.executions if e.finished or e.status == "errored")
        total = len(run.tasks)
        run.progress = LiveProgress(done=done, total=total, eta_s=_eta(run, total - done))
