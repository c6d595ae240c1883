"""Progress files a running OpenAdapt evaluation writes in its working directory (FORMATS §5),
and the run each one describes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench_tui.model import LiveProgress, Run
from bench_tui.model.dates import date_order
from bench_tui.sources._io.ranges import COUNT
from bench_tui.sources.common import FieldReader, ReadContext, read_json_object
from bench_tui.sources.progress import remaining_time

LIVE_FILE_NAMES = frozenset(
    {"benchmark_live.json", "live_eval_state.json", "benchmark_progress.json"}
)


@dataclass
class LiveFile:
    path: Path
    status: str
    total: int | None
    completed: int | None
    current_task_id: str | None
    modified_at: float


def read_live_file(path: Path, ctx: ReadContext) -> LiveFile | None:
    """One tolerant parser for all three names; `setup`/`idle` states keep status only."""
    doc = read_json_object(path, ctx, what="a live progress object")
    if doc is None:
        return None
    fields = FieldReader(doc, doc.data, ctx)
    current = fields.dict("current_task") or {}
    current_id = current.get("task_id") if isinstance(current.get("task_id"), str) else None
    try:
        modified = path.stat().st_mtime
    except OSError:
        modified = 0.0
    return LiveFile(
        path=path,
        status=fields.str("status") or "unknown",
        total=fields.int("total_tasks" if "total_tasks" in doc.data else "tasks_total", COUNT),
        completed=fields.int(
            "tasks_completed" if "tasks_completed" in doc.data else "tasks_complete", COUNT
        ),
        current_task_id=current_id,
        modified_at=modified,
    )


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
            eta_s=remaining_time(run, total - done),
            current_task=live.current_task_id,
            live_file=str(live.path),
            as_of=live.modified_at or None,
        )
