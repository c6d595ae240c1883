"""OpenAdapt benchmark runs: `<run>/metadata.json`, `summary.json`, `tasks/<id>/…` (FORMATS §4).

At index time only task.json and execution.json outcomes are read; steps are built on demand by
`load_openadapt_steps`.
"""

from __future__ import annotations

import os
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench_tui.model import Execution, Run, Status, Step, Task
from bench_tui.model.ordering import natural_key
from bench_tui.safetext import display_path
from bench_tui.sources._io.limits import MAX_STEPS, STEPS_CUT
from bench_tui.sources._io.ranges import (
    COUNT,
    MILLISECONDS,
    RATE,
    SCORE,
    SECONDS,
    STEP_COUNT,
    TIMESTAMP,
)
from bench_tui.sources._io.recorded_paths import LEAVES_RUN, file_name
from bench_tui.sources.base import PendingChecks
from bench_tui.sources.common import (
    DEFAULT_SCREEN,
    FieldReader,
    JsonDoc,
    ReadContext,
    image_size,
    read_json_object,
)
from bench_tui.sources.jsonvalues import DocProblems, as_number
from bench_tui.sources.openadapt.actions import map_action
from bench_tui.sources.openadapt.execution import (
    read_outcome,
    recorded_shot,
    run_checks,
    run_folder_of,
)
from bench_tui.sources.openadapt.step_logs import LogEntry, attach_log_lines

RECENT_WRITE_S = 120.0
"""A run without summary.json whose task files changed this recently is live."""
RUN_DATE = re.compile(r"(\d{8})_(\d{6})")
SCREENSHOT_NAME = re.compile(r"^step_(\d+)\.(png|jpe?g)$", re.IGNORECASE)
MOCK_MODELS = ("random-agent", "scripted-agent")
RATE_TOLERANCE = 5e-4
"""summary.json rates are often rounded to 4 places; only a larger gap is a disagreement."""


def is_openadapt_run(path: Path, names: frozenset[str]) -> bool:
    """A run folder holds `tasks/` and either metadata.json naming the run or summary.json."""
    if "tasks" not in names or not (path / "tasks").is_dir():
        return False
    return "metadata.json" in names or "summary.json" in names


def _created_at(fields: FieldReader) -> datetime | None:
    """`created_at` as written (local time, FORMATS §4): a zone, if any, is dropped."""
    text = fields.str("created_at")
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        fields.wrong("created_at", "an ISO date and time", text)
        return None
    return parsed.replace(tzinfo=None)


def _date_from_name(name: str) -> datetime | None:
    match = RUN_DATE.search(name)
    if not match:
        return None
    try:
        return datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S")
    except ValueError:
        return None


def _status(success: bool | None, error_type: str | None) -> Status:
    if success:
        return "passed"
    if error_type == "infrastructure":
        return "infra"
    return "failed"


def _read_execution(
    task_dir: str, ctx: ReadContext, fallback_model: str, checks: PendingChecks, whole: bool
) -> tuple[Execution | None, str | None]:
    """The outcome in execution.json (None when absent or unreadable) and its raw task id."""
    doc = read_outcome(f"{task_dir}/execution.json", ctx, checks, whole=whole)
    if doc is None:
        return None, None
    fields = FieldReader(doc, doc.data, ctx)
    success = fields.bool("success")
    error_type = fields.str("error_type")
    execution = Execution(
        task_id="",
        model=fields.str("model_id") or fallback_model,
        status=_status(success, error_type) if success is not None else "errored",
        success=bool(success),
        score=fields.number("score", SCORE),
        num_steps=fields.int("num_steps", STEP_COUNT),
        duration_s=fields.number("total_time_seconds", SECONDS),
        error=fields.str("error"),
        error_type=error_type,
        reason=fields.str("reason"),
        source_path=os.fspath(doc.path),
    )
    if success is None:
        ctx.problem(
            doc.path,
            "expected 'success' (true or false): no verdict recorded",
            doc.line_of("success"),
        )
    return execution, fields.str("task_id")


TASK_WHAT = "a task definition (JSON object)"


def _task_from_files(task_dir: str, name: str, ctx: ReadContext) -> tuple[Task, bool]:
    """The task (id, domain, instruction) and whether it has a task.json."""
    path = f"{task_dir}/task.json"
    doc = read_json_object(path, ctx, what=TASK_WHAT, missing_ok=True)
    if doc is None:  # missing (a stat says which), or broken (a Problem says why)
        return Task(task_id=name, folder=task_dir), os.path.exists(path)
    fields = FieldReader(doc, doc.data, ctx)
    task = Task(
        task_id=fields.str("task_id") or name,
        folder=task_dir,
        domain=fields.str("domain"),
        instruction=fields.str("instruction"),
    )
    return task, True


def _newest_mtime(paths: list[str]) -> float:
    newest = 0.0
    for path in paths:
        try:
            newest = max(newest, os.stat(path).st_mtime)
        except OSError:
            continue
    return newest


def read_openadapt_run(
    run_dir: Path, ctx: ReadContext, now: float | None = None, checks: PendingChecks | None = None
) -> Run:
    """Read one run folder. Never raises: unreadable parts become Problems on `ctx`.

    With `checks`, execution files are read only as far as their outcome and what is left to
    check goes there (the app lists first, checks after); without, everything is checked now.
    """
    meta_path = run_dir / "metadata.json"
    meta_doc = read_json_object(meta_path, ctx, what="run metadata (JSON object)", missing_ok=True)
    if meta_doc is None:
        meta_doc = JsonDoc(meta_path, "", {})
    meta_fields = FieldReader(meta_doc, meta_doc.data, ctx)
    benchmark = meta_fields.str("benchmark_name")
    run_name = meta_fields.str("run_name") or run_dir.name
    meta_model = meta_fields.str("model_id") or "unknown"

    tasks: list[Task] = []
    executions: list[Execution] = []
    seen_ids: dict[str, str] = {}
    tasks_root = run_dir / "tasks"
    ctx.note_input(tasks_root)
    try:
        with os.scandir(tasks_root) as entries:
            task_names = sorted(
                (entry.name for entry in entries if _is_task_dir(entry, ctx)), key=natural_key
            )
    except OSError as exc:
        ctx.problem(tasks_root, f"cannot list tasks: {exc.strerror or exc}")
        task_names = []
    touched: list[str] = []
    run_checks_now = PendingChecks()
    pending = checks if checks is not None else run_checks_now
    # Plain strings, and no listing of each task folder: this loop runs for every task.
    root_text = os.fspath(tasks_root)
    for task_name in task_names:
        task_dir = f"{root_text}/{task_name}"
        task, has_task_file = _task_from_files(task_dir, task_name, ctx)
        execution, exec_task_id = _read_execution(
            task_dir, ctx, meta_model, pending, whole=checks is None
        )
        if task.task_id == task_name and exec_task_id and not has_task_file:
            task.task_id = exec_task_id
        if task.task_id in seen_ids:
            ctx.problem(
                task_dir,
                f"task id '{task.task_id}' is also used by tasks/{seen_ids[task.task_id]}: "
                f"this one is listed as '{task_name}'",
            )
            task.task_id = task_name
        seen_ids[task.task_id] = task_name
        task.match_key = task.task_id
        if execution is None:
            execution = Execution(task_id=task.task_id, model=meta_model, status="unfinished")
            touched.append(f"{task_dir}/task.json")
        else:
            execution.task_id = task.task_id
            touched.append(f"{task_dir}/execution.json")
        tasks.append(task)
        executions.append(execution)

    if checks is None:
        run_checks(run_checks_now, ctx)
    _attribute_unstarted_tasks(executions, meta_model)
    summary_path = run_dir / "summary.json"
    ctx.note_input(summary_path)
    has_summary = summary_path.exists()
    if has_summary:
        _cross_check_summary(summary_path, executions, ctx)

    model_ids = {e.model for e in executions} | {meta_model}
    is_mock = bool(benchmark and "mock" in benchmark.lower()) or any(
        tag in model for model in model_ids for tag in MOCK_MODELS
    )
    now = time.time() if now is None else now
    live = not has_summary and now - _newest_mtime(touched[-50:]) < RECENT_WRITE_S
    created = _created_at(meta_fields) or _date_from_name(run_name)
    return Run(
        id=ctx.rel(run_dir),
        path=str(run_dir),
        format="openadapt",
        benchmark=benchmark,
        label=run_name,
        created_at=created,
        is_mock=is_mock,
        live=live,
        tasks=tasks,
        executions=executions,
    )


def _attribute_unstarted_tasks(executions: list[Execution], meta_model: str) -> None:
    """Tasks not yet run belong to the run's model: metadata's, or the one model that ran the rest."""
    if meta_model != "unknown":
        return
    ran = {e.model for e in executions if e.source_path is not None}
    if len(ran) == 1:
        (model,) = ran
        for execution in executions:
            if execution.source_path is None:
                execution.model = model


def _cross_check_summary(path: Path, executions: list[Execution], ctx: ReadContext) -> None:
    """Per-task files win; every figure of summary.json that disagrees is a Problem naming both."""
    doc = read_json_object(path, ctx, what="a run summary (JSON object)")
    if doc is None:
        return
    fields = FieldReader(doc, doc.data, ctx)
    tasks = len(executions)
    succeeded = sum(1 for e in executions if e.status == "passed")
    checks: list[tuple[str, float | None, float]] = [
        ("num_tasks", fields.number("num_tasks", COUNT), tasks),
        ("num_success", fields.number("num_success", COUNT), succeeded),
        ("success_rate", fields.number("success_rate", RATE), succeeded / tasks if tasks else 0.0),
    ]
    for key, claimed, actual in checks:
        if claimed is None:
            continue
        tolerance = RATE_TOLERANCE if key == "success_rate" else 0.0
        if abs(claimed - actual) > tolerance:
            ctx.problem(
                path,
                f"'{key}' is {claimed:g} but the task files under tasks/ give {actual:g} "
                "(the task files win)",
                doc.line_of(key),
            )
    by_id = {e.task_id: e for e in executions}
    for entry in fields.list("tasks"):
        if not isinstance(entry, dict) or not isinstance(entry.get("task_id"), str):
            continue
        execution = by_id.get(entry["task_id"])
        claimed_success = entry.get("success")
        if execution is None or not isinstance(claimed_success, bool):
            continue
        if claimed_success != (execution.status == "passed"):
            ctx.problem(
                path,
                f"task '{entry['task_id']}' is {'a success' if claimed_success else 'a failure'} "
                f"here but {execution.status} in {ctx.rel(execution.source_path or path)}",
                doc.line_of(entry["task_id"]),
            )


def _is_task_dir(entry: os.DirEntry[str], ctx: ReadContext) -> bool:
    if entry.is_symlink():
        ctx.note_input(entry.path)  # where it leads may change while the tasks folder does not
        real = ctx.link_leaves(entry.path)
        if real is not None:
            ctx.link_problem(entry.path, real)
            return False
    return entry.is_dir()


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except ValueError:  # the path came from the file and holds a NUL byte
        return False


def _screenshot_for(
    task_dir: Path, record: dict[str, Any], position: int, ctx: ReadContext, where: Path
) -> Path | None:
    relative = record.get("screenshot_path")
    if isinstance(relative, str) and relative:
        recorded = recorded_shot(os.fspath(task_dir), relative)
        if recorded is None:
            ctx.problem(where, f"{LEAVES_RUN}: {display_path(relative)} (step {position})")
            return None
        candidate = Path(recorded)
        if _exists(candidate):
            return candidate
        # Paths recorded under the raw task id: look in this folder.
        local = task_dir / "screenshots" / file_name(relative)
        if _exists(local):
            return local
        return candidate
    number = record.get("step_idx", position)
    if not isinstance(number, int):
        return None
    for ext in ("png", "jpg", "jpeg"):
        numbered = task_dir / "screenshots" / f"step_{number:03d}.{ext}"
        if _exists(numbered):
            return numbered
    return None


def load_openadapt_steps(run: Run, execution: Execution, ctx: ReadContext) -> list[Step]:
    """The step replay of one execution, read from its execution.json (and screenshot folder)."""
    if execution.source_path is None:
        task = run.task(execution.task_id)
        folder = Path(task.folder) if task and task.folder else None
        live = _live_steps(run, execution, folder, ctx)
        if folder is None:
            return live
        known = {step.screenshot for step in live}
        return live + _screenshot_only_steps(folder, len(live), known=known)
    path = Path(execution.source_path)
    task_dir = path.parent
    doc = read_json_object(path, ctx, what="an execution record (JSON object)")
    if doc is None:
        return _screenshot_only_steps(task_dir, 0)
    records = FieldReader(doc, doc.data, ctx).list("steps")
    if len(records) > MAX_STEPS:
        ctx.problem(path, STEPS_CUT, doc.line_of("steps"))
        records = records[:MAX_STEPS]
    values = DocProblems(doc, ctx)
    within = ctx.boundary_of(run_folder_of(os.fspath(task_dir)))
    steps: list[Step] = []
    previous_time: float | None = None
    for position, record in enumerate(records):
        if not isinstance(record, dict):
            continue
        shot = _screenshot_for(task_dir, record, position, ctx, path)
        screen = (image_size(shot, within) if shot is not None else None) or DEFAULT_SCREEN
        agent_logs = record.get("agent_logs")
        logs: dict[str, Any] = agent_logs if isinstance(agent_logs, dict) else {}
        reasoning = record.get("reasoning")
        plan = logs.get("plan_result")
        where: list[str | int] = ["steps", position]
        timestamp = values.number(record, "timestamp", where, TIMESTAMP)
        logs_where = [*where, "agent_logs"]
        step = Step(
            index=position,
            source_number=record.get("step_idx")
            if isinstance(record.get("step_idx"), int)
            else None,
            screenshot=str(shot) if shot is not None else None,
            actions=[map_action(record.get("action"), screen)],
            reasoning=reasoning if isinstance(reasoning, str) else None,
            raw_output=plan if isinstance(plan, str) else None,
            think_ms=values.number(logs, "agent_think_ms", logs_where, MILLISECONDS),
            exec_ms=values.number(logs, "env_execute_ms", logs_where, MILLISECONDS),
            timestamp=timestamp,
            extra={k: v for k, v in logs.items() if k not in {"plan_result"}},
        )
        if (
            step.think_ms is None
            and step.exec_ms is None
            and timestamp is not None
            and previous_time
        ):
            step.exec_ms = max(0.0, (timestamp - previous_time) * 1000.0)
        previous_time = timestamp
        steps.append(step)
    values.finish()
    steps.extend(_screenshot_only_steps(task_dir, len(steps), known={s.screenshot for s in steps}))
    _attach_logs(steps, doc.data.get("logs"))
    return steps


LIVE_NOTE = "live: read from {name}, the task is still running"


def _live_steps(
    run: Run, execution: Execution, task_dir: Path | None, ctx: ReadContext
) -> list[Step]:
    """The running task's steps so far, as the live file lists them (FORMATS §5)."""
    progress = run.progress
    if (
        not run.live
        or progress is None
        or progress.live_file is None
        or progress.current_task != execution.task_id
    ):
        return []
    path = Path(progress.live_file)
    doc = read_json_object(path, ctx, what="a live progress object")
    if doc is None:
        return []
    current = FieldReader(doc, doc.data, ctx).dict("current_task") or {}
    if current.get("task_id") != execution.task_id:
        return []  # rewritten for the next task since the run was read
    records = current.get("steps")
    if not isinstance(records, list):
        if records is not None:
            ctx.problem(path, "current_task.steps: expected a list of steps", doc.line_of("steps"))
        return []
    if len(records) > MAX_STEPS:
        ctx.problem(path, STEPS_CUT, doc.line_of("steps"))
        records = records[:MAX_STEPS]
    steps: list[Step] = []
    for position, record in enumerate(records):
        if not isinstance(record, dict):
            continue
        shot = _screenshot_for(task_dir, record, position, ctx, path) if task_dir else None
        reasoning = record.get("reasoning")
        number = record.get("step_idx")
        steps.append(
            Step(
                index=len(steps),
                source_number=number if isinstance(number, int) else None,
                screenshot=str(shot) if shot is not None else None,
                actions=[map_action(record.get("action"), DEFAULT_SCREEN)],
                reasoning=reasoning if isinstance(reasoning, str) else None,
                logs=[LIVE_NOTE.format(name=path.name)],
            )
        )
    return steps


def _screenshot_only_steps(
    task_dir: Path, first_index: int, known: set[str | None] | None = None
) -> list[Step]:
    """Screenshots without a step record still show, as steps with no action."""
    folder = task_dir / "screenshots"
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    extra: list[Step] = []
    for name in names:
        numbered = SCREENSHOT_NAME.match(name)
        if not numbered or str(folder / name) in (known or set()):
            continue
        extra.append(
            Step(
                index=first_index + len(extra),
                source_number=int(numbered.group(1)),
                recorded=False,
                screenshot=str(folder / name),
                logs=["screenshot without a step record"],
            )
        )
    return extra


def _attach_logs(steps: list[Step], logs: Any) -> None:
    """The run's log lines under their steps (step_logs.py has the rule)."""
    if not isinstance(logs, list):
        return
    entries: list[LogEntry] = []
    for entry in logs:
        if not isinstance(entry, dict):
            continue
        message = entry.get("message")
        if not isinstance(message, str):
            continue
        level = entry.get("level") if isinstance(entry.get("level"), str) else "INFO"
        entries.append(LogEntry(as_number(entry.get("timestamp")), message, f"{level}: {message}"))
    attach_log_lines(steps, entries)
