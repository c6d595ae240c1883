"""Run summaries OSWorld and WAA write beside the episodes, used only to cross-check them.

`all_result.json` is `{domain: {task: score}}`: a Python repr in OSWorld (single quotes, read
with ast.literal_eval, never eval), real JSON in WAA. WAA's `missing.json` is `{domain: [ids
without result.txt]}`. The per-task `result.txt` files always win; each disagreement is a
Problem naming both files.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from bench_tui.model import Execution, Task
from bench_tui.sources.common import ReadContext, present, read_text
from bench_tui.sources.jsonvalues import as_number
from bench_tui.sources.osworld.common import describe

SCORE_TOLERANCE = 1e-9


def _parse_summary(path: Path, ctx: ReadContext, shape: str) -> tuple[Any, str] | None:
    if not present(path):
        return None
    text = read_text(path, ctx, what=shape)
    if text is None:
        return None
    try:
        return json.loads(text), text
    except (ValueError, RecursionError):
        pass
    try:
        return ast.literal_eval(text.strip()), text
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        ctx.problem(path, f"cannot read it as {shape} (neither JSON nor a Python literal)", 1)
        return None


def _score(value: Any) -> float | None:
    # all_result.json may hold True/False where other runs hold 1.0/0.0.
    return float(value) if isinstance(value, bool) else as_number(value)


def _line_of(text: str, task_id: str) -> int | None:
    for quote in ('"', "'"):
        index = text.find(f"{quote}{task_id}{quote}")
        if index >= 0:
            return text.count("\n", 0, index) + 1
    return None


def _by_folder(tasks: list[Task], executions: list[Execution]) -> dict[tuple[str, str], int]:
    """(domain, folder name) -> position: ids renamed for uniqueness still match their folder."""
    found: dict[tuple[str, str], int] = {}
    for position, task in enumerate(tasks):
        name = Path(task.folder).name if task.folder else task.task_id
        found.setdefault((task.domain or "", name), position)
    return found


def cross_check_all_results(
    path: Path,
    tasks: list[Task],
    executions: list[Execution],
    ctx: ReadContext,
) -> None:
    parsed = _parse_summary(path, ctx, "{domain: {task: score}}")
    if parsed is None:
        return
    data, text = parsed
    if not isinstance(data, dict):
        ctx.problem(path, f"expected {{domain: {{task: score}}}}, got {type(data).__name__}", 1)
        return
    positions = _by_folder(tasks, executions)
    for domain, scores in data.items():
        if not isinstance(scores, dict):
            ctx.problem(
                path, f"expected {{task: score}} for domain {domain!r}", _line_of(text, str(domain))
            )
            continue
        for task_id, claimed in scores.items():
            where = f"{domain}/{task_id}"
            line = _line_of(text, str(task_id))
            claimed_score = _score(claimed)
            if claimed_score is None:
                ctx.problem(path, f"expected a score for {where}, got {describe(claimed)}", line)
                continue
            position = positions.get((str(domain), str(task_id)))
            if position is None:
                ctx.problem(
                    path,
                    f"gives {where} the score {claimed_score:g}, but the run has no folder for it",
                    line,
                )
                continue
            execution, task = executions[position], tasks[position]
            result_file = ctx.rel(Path(task.folder or path.parent) / "result.txt")
            if execution.score is None:
                ctx.problem(
                    path,
                    f"gives {where} the score {claimed_score:g}, but {result_file} holds no "
                    "score (the per-task file wins)",
                    line,
                )
            elif abs(execution.score - claimed_score) > SCORE_TOLERANCE:
                ctx.problem(
                    path,
                    f"gives {where} the score {claimed_score:g}, but {result_file} says "
                    f"{execution.score:g} (the per-task file wins)",
                    line,
                )


def cross_check_missing(
    path: Path, tasks: list[Task], executions: list[Execution], ctx: ReadContext
) -> None:
    parsed = _parse_summary(path, ctx, "{domain: [task ids]}")
    if parsed is None:
        return
    data, text = parsed
    if not isinstance(data, dict):
        ctx.problem(path, f"expected {{domain: [task ids]}}, got {type(data).__name__}", 1)
        return
    positions = _by_folder(tasks, executions)
    for domain, ids in data.items():
        if not isinstance(ids, list):
            continue
        for task_id in ids:
            position = positions.get((str(domain), str(task_id)))
            if position is None or executions[position].score is None:
                continue
            task = tasks[position]
            ctx.problem(
                path,
                f"lists {domain}/{task_id} as having no result, but "
                f"{ctx.rel(Path(task.folder or path.parent) / 'result.txt')} holds the score "
                f"{executions[position].score:g} (the per-task file wins)",
                _line_of(text, str(task_id)),
            )
