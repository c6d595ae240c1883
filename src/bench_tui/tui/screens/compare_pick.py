"""What `c` offers: the other side of a comparison, from what the workspace holds."""

from __future__ import annotations

import os
from datetime import datetime

from rich.text import Text

from bench_tui.analysis.summary import figures, format_rate
from bench_tui.model import Run
from bench_tui.tui.cells import result_cell
from bench_tui.tui.widgets.virtual_table import Column, Row

RUN_PICK_COLUMNS = [
    Column("run", "run", flex=True),
    Column("model", "model", 24),
    Column("shared", "shared tasks", 12, justify="right"),
    Column("success", "success", 8, justify="right"),
]
TASK_PICK_COLUMNS = [
    Column("run", "run", flex=True),
    Column("model", "model", 24),
    Column("result", "result", 9),
]


def folder_time(run: Run) -> datetime | None:
    """The run folder's modification time: the baseline rule's fallback for a run without a
    date (DESIGN §10). One stat, on a folder the walk just listed."""
    try:
        return datetime.fromtimestamp(os.stat(run.path).st_mtime)
    except (OSError, ValueError, OverflowError):
        return None


def run_partners(runs: list[Run], run: Run, model: str) -> list[Row]:
    """Every (run, model) sharing at least one task with `run`'s `model`, most shared first."""
    mine = {e.task_id for e in run.executions if e.model == model}
    rows: list[tuple[int, Row]] = []
    for other in runs:
        for other_model in other.models:
            if other.id == run.id and other_model == model:
                continue
            executions = [e for e in other.executions if e.model == other_model]
            shared = len(mine & {e.task_id for e in executions})
            if not shared:
                continue
            label = "this run" if other.id == run.id else other.label
            rows.append(
                (
                    shared,
                    Row(
                        key=(other.id, other_model),
                        cells=(
                            label,
                            other_model,
                            str(shared),
                            format_rate(figures(executions).success_rate),
                        ),
                    ),
                )
            )
    rows.sort(key=lambda pair: (-pair[0], pair[1].cells[0]))
    return [row for _, row in rows]


def task_partners(runs: list[Run], run: Run, model: str, task_id: str) -> list[Row]:
    """Every other execution of `task_id` in the workspace."""
    rows: list[Row] = []
    for other in runs:
        for execution in other.executions:
            if execution.task_id != task_id or (other.id == run.id and execution.model == model):
                continue
            rows.append(
                Row(
                    key=(other.id, execution.model),
                    cells=(Text(other.label), execution.model, result_cell(execution)),
                )
            )
    return rows
