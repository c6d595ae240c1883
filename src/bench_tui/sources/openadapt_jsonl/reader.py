"""The OpenAdapt full-eval JSONL reader (FORMATS §6, mapping §15), added as a `base.Reader`.

A `*.jsonl` file is this format when its first line is an object with `"_meta": true`; only
that line is read to decide (at most HEAD_BYTES), so folders of other JSONL files cost one
short read each. The run's id is the file (its path the folder holding it): tasks = `total_tasks` (tasks without a line are
unfinished, not failures), one execution per task line, a repeated `task_id` (a resumed run)
keeps its last line with a Problem, model = planner (+ grounder). Screenshots lie beside the
file in `<first 12 chars of task_id>/` (`step_00_reset.png`, `step_01.png`, ...); no action is
recorded, so steps are screenshots only.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from bench_tui.model import Execution, Run, Status, Step, Task
from bench_tui.safeio import read_head
from bench_tui.sources._io.limits import MAX_STEPS, STEPS_CUT
from bench_tui.sources._io.ranges import COUNT, SCORE, SECONDS, STEP_COUNT
from bench_tui.sources.base import Finding, Reader, Walk
from bench_tui.sources.common import FieldReader, JsonDoc, ReadContext, read_text
from bench_tui.sources.openadapt_jsonl.lines import BadLine, parse_lines

HEAD_BYTES = 64 * 1024
"""The first line must end within this many bytes to be sniffed as a `_meta` line."""
SHOT = re.compile(r"^step_(\d+)(?:_reset)?\.(?:png|jpe?g)$", re.IGNORECASE)
WHAT = "a full-eval JSONL log"


def _is_jsonl(name: str) -> bool:
    return name.lower().endswith(".jsonl")


def sniff_meta(path: Path, within: str | None) -> bool:
    """Whether the first line is a `{"_meta": true, ...}` object (unreadable: not this format)."""
    try:
        head = read_head(path, HEAD_BYTES, within)
    except (OSError, ValueError):
        return False
    first, newline, _ = head.partition(b"\n")
    if not newline and len(head) >= HEAD_BYTES:
        return False
    try:
        data = json.loads(first.decode("utf-8"))
    except (ValueError, RecursionError):
        return False
    return isinstance(data, dict) and data.get("_meta") is True


def _model(meta: FieldReader) -> str:
    planner = meta.str("planner_model") or "unknown"
    grounder = meta.str("grounder_model")
    return f"{planner} + {grounder}" if grounder else planner


def _created(meta: FieldReader) -> datetime | None:
    started = meta.str("run_started")
    if not started:
        return None
    try:
        return datetime.fromisoformat(started)
    except ValueError:
        return None


def _execution(fields: FieldReader, task_id: str, model: str, path: str) -> Execution:
    success = fields.bool("success")
    error_type = fields.str("error_type")
    status: Status
    if success:
        status = "passed"
    elif success is None:
        status = "errored"
    else:
        status = "infra" if error_type == "infrastructure" else "failed"
    return Execution(
        task_id=task_id,
        model=model,
        status=status,
        success=bool(success),
        score=fields.number("score", SCORE),
        num_steps=fields.int("steps", STEP_COUNT),
        duration_s=fields.number("elapsed_seconds", SECONDS),
        error=fields.str("error"),
        error_type=error_type,
        source_path=path,
    )


def read_full_eval(path: Path, ctx: ReadContext) -> Run | None:
    """The run a full-eval log holds; None (with a Problem) when it cannot be read."""
    text = read_text(path, ctx, what=WHAT)
    if text is None:
        return None
    doc = JsonDoc(path, text, None)
    where = os.fspath(path)
    meta: FieldReader | None = None
    lines: dict[str, int] = {}
    executions: dict[str, Execution] = {}
    model = "unknown"
    for line in parse_lines(text):
        if isinstance(line, BadLine):
            ctx.problem(path, line.message, line.number)
            continue
        fields = FieldReader(doc, line.data, ctx, start_line=line.number)
        if meta is None:
            meta, model = fields, _model(fields)
            continue
        task_id = fields.str("task_id")
        if not task_id:
            ctx.problem(
                path, "expected a 'task_id' (text) on a task line: line skipped", line.number
            )
            continue
        if task_id in lines:
            ctx.problem(
                path,
                f"task '{task_id}' is on line {lines[task_id]} and again here: the later line wins",
                line.number,
            )
            del executions[task_id]
        execution = _execution(fields, task_id, model, where)
        if execution.status == "errored":
            ctx.problem(
                path, "expected 'success' (true or false): no verdict recorded", line.number
            )
        lines[task_id] = line.number
        executions[task_id] = execution
    if meta is None:
        return None
    total = meta.int("total_tasks", COUNT)
    missing = max(0, (total or 0) - len(executions))
    found = list(executions.values())
    # Tasks not run yet have no line, hence no id: each is one unfinished placeholder.
    found += [
        Execution(task_id=f"(not run yet {n})", model=model, source_path=where)
        for n in range(1, missing + 1)
    ]
    folder = os.path.dirname(where)
    tasks = [
        Task(task_id=e.task_id, folder=f"{folder}/{e.task_id[:12]}" if e.finished else None)
        for e in found
    ]
    return Run(
        id=ctx.rel(path),
        path=folder,  # the screenshots beside the log are inside the run
        format="openadapt",
        label=path.name,
        created_at=_created(meta),
        tasks=tasks,
        executions=found,
    )


def _file(path: Path, walk: Walk) -> Iterable[Finding]:
    if not sniff_meta(path, walk.ctx.within):
        return ()
    run = read_full_eval(path, walk.ctx)
    return () if run is None else (run,)


def _owns(run: Run) -> bool:
    """Every execution came from a log (an OpenAdapt run folder's come from execution.json)."""
    return (
        run.format == "openadapt"
        and bool(run.executions)
        and all(_is_jsonl(e.source_path or "") for e in run.executions)
    )


def load_full_eval_steps(run: Run, execution: Execution, ctx: ReadContext) -> list[Step]:
    """Screenshots of one task, in step order; the log records no action."""
    name = execution.task_id[:12]
    if name in ("", ".", "..") or any(c in name for c in "/\\\0"):
        ctx.problem(run.path, f"task id {execution.task_id!r} names no screenshot folder")
        return []
    folder = os.path.join(run.path, name)
    try:
        names = os.listdir(folder)
    except OSError as exc:
        if execution.finished:
            ctx.problem(folder, f"no screenshots for this task: {exc.strerror or exc}")
        return []
    shots = sorted((int(match.group(1)), name) for name in names if (match := SHOT.match(name)))
    if len(shots) > MAX_STEPS:
        ctx.problem(folder, STEPS_CUT)
        shots = shots[:MAX_STEPS]
    return [
        Step(index=index, source_number=number, screenshot=os.path.join(folder, name))
        for index, (number, name) in enumerate(shots)
    ]


OPENADAPT_FULL_EVAL = Reader(
    name="openadapt full-eval jsonl",
    reads_file=_is_jsonl,
    file=_file,
    owns_run=_owns,
    load_steps=load_full_eval_steps,
)
