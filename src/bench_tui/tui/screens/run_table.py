"""The run page's task list: its columns and one row per task."""

from __future__ import annotations

from rich.text import Text

from bench_tui.analysis.filtering import Filterable
from bench_tui.analysis.steps import step_count
from bench_tui.analysis.summary import ModelFigures
from bench_tui.model import Execution, Run
from bench_tui.render.labels import fit_distinct
from bench_tui.triage.labels import CHECKER_LABELS
from bench_tui.triage.store import TriageState
from bench_tui.tui.cells import format_seconds, outcome_rank, result_cell, short_model
from bench_tui.tui.widgets.virtual_table import Column, Row


def labels_cell(row: Row, width: int) -> str:
    """The row's label names within `width`, each cut so no two read the same (DESIGN §10)."""
    names = list(row.data["filter"].labels) if "filter" in row.data else []
    if not names:
        return ""
    joined = ", ".join(names)
    if len(joined) <= width:
        return joined
    # The checker labels share their first 15 characters: cut against them even when one is on.
    others = [name for name in CHECKER_LABELS if name not in names]
    each = max(5, (width - 2 * (len(names) - 1)) // len(names))
    return ", ".join(fit_distinct([*names, *others], each)[: len(names)])


def task_columns(models: list[ModelFigures], current: int) -> list[Column]:
    """An outcome column per model when there are several (▸ on the one shown), else one."""
    columns = [
        Column("task", "task", 26),
        Column("domain", "domain", 14),
        Column("instruction", "instruction", flex=True),
    ]
    if len(models) > 1:
        # ▸ marks the model whose steps, time, error and labels the row shows (`m` moves it).
        columns += [
            Column(
                f"m{i}",
                "▸" + short_model(m.model, 11) if i == current else short_model(m.model),
                12,
            )
            for i, m in enumerate(models)
        ]
    else:
        columns.append(Column("result", "result", 9))
    columns += [
        Column("steps", "steps", 5, justify="right"),
        Column("time", "time", 7, justify="right", optional=True),
        Column("error", "error", 14, optional=True),
        Column(
            "labels",
            "labels",
            16,
            optional=True,
            fit=labels_cell,
            fold_into="instruction",
        ),
    ]
    return columns


def task_rows(
    run: Run,
    by_task: dict[str, dict[str, Execution]],
    models: list[ModelFigures],
    current: str | None,
    state: TriageState,
    only: set[str] | None = None,
) -> list[Row]:
    """One row per task; outcome columns per model, the rest the selected model's."""
    model_names = [m.model for m in models]
    rows: list[Row] = []
    for task in run.tasks:
        if only is not None and task.task_id not in only:
            continue
        executions = by_task.get(task.task_id, {})
        mine = executions.get(current) if current is not None else None
        seed = mine.seed if mine is not None else None
        labels = state.labels_for(current, task.task_id, seed, all_steps=True) if current else []
        results = [result_cell(executions.get(name)) for name in model_names]
        error = mine.error_type or (mine.error or "") if mine else ""
        steps = step_count(mine) if mine is not None else None
        cells: tuple[str | Text, ...] = (
            task.task_id,
            task.domain or "—",
            task.instruction or "",
            *results,
            "—" if steps is None else str(steps),
            format_seconds(mine.duration_s if mine else None),
            error.splitlines()[0] if error else "",
            ", ".join(labels),
        )
        rows.append(
            Row(
                key=task.task_id,
                cells=cells,
                sort_values=(
                    task.task_id,
                    task.domain,
                    task.instruction,
                    *[outcome_rank(executions.get(name)) for name in model_names],
                    steps,
                    mine.duration_s if mine else None,
                    error or None,
                    ", ".join(labels) or None,
                ),
                data={
                    "filter": Filterable(
                        text=f"{task.task_id} {task.domain or ''} {task.instruction or ''} {error}",
                        fields={"domain": task.domain or "", "task": task.task_id},
                        statuses={name: e.status for name, e in executions.items()},
                        labels=tuple(labels),
                    )
                },
            )
        )
    return rows
