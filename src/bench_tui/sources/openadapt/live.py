"""Progress files a running OpenAdapt evaluation writes in its working directory (FORMATS §5)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench_tui.sources._io.ranges import COUNT
from bench_tui.sources.common import FieldReader, ReadContext, read_json_object

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
