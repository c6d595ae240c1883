"""WebArena / VisualWebArena result folders: `render_<id>.html` per task, verdicts in the logs.

At index time each render is read once for its header (intent, sites) and its block count;
the logs and error.txt give the verdicts. Steps, screenshots and actions are built on demand
by `load_webarena_steps`, which decodes the embedded screenshots into a cache folder outside
the results tree (the app never writes inside result folders).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench_tui.model import Execution, Run, Task
from bench_tui.sources._io.ranges import SECONDS
from bench_tui.sources._io.recorded_paths import inside
from bench_tui.sources.common import ReadContext, present, read_json_object
from bench_tui.sources.webarena.logs import (
    LogSummary,
    TaskLog,
    error_type_of,
    find_logs,
    folders_up_to_root,
    read_error_txt,
    read_logs,
)
from bench_tui.sources.webarena.render import (
    EARLY_STOP_PREFIXES,
    NEW_PAGE,
    RenderBlock,
    header_sites,
    parse_block,
    parse_header,
    read_render_text,
    split_render,
)
from bench_tui.sources.webarena.steps import load_webarena_steps, screenshot_cache_dir

__all__ = ["is_webarena_run", "load_webarena_steps", "read_webarena_run", "screenshot_cache_dir"]

RENDER_NAME = re.compile(r"^render_(\d+)\.html$")
RESULTS_DATE = re.compile(r"(\d{14})")
LIVE_WINDOW_S = 120.0
VWA_SITES = frozenset({"classifieds"})


def is_webarena_run(names: frozenset[str]) -> bool:
    """A WebArena result folder holds one or more `render_<digits>.html`."""
    return any(RENDER_NAME.match(name) for name in names)


@dataclass
class RenderScan:
    """What index time needs from one render."""

    fields: dict[str, str] = field(default_factory=dict)
    blocks: int = 0
    last: RenderBlock | None = None


def scan_render(path: Path, ctx: ReadContext) -> RenderScan | None:
    text = read_render_text(path, ctx)
    if text is None:
        return None
    first = text.find(NEW_PAGE)
    scan = RenderScan(fields=parse_header(text if first < 0 else text[:first]))
    scan.blocks = text.count(NEW_PAGE)
    if scan.blocks:
        _, blocks = split_render(text[text.rfind(NEW_PAGE) :])
        scan.last = parse_block(blocks[-1]) if blocks else None
    return scan


def _read_config(run_dir: Path, ctx: ReadContext) -> dict[str, Any]:
    path = run_dir / "config.json"
    ctx.note_input(path)
    if not present(path):
        return {}
    doc = read_json_object(path, ctx, what="the run arguments (JSON object)")
    return doc.data if doc is not None else {}


def _int_arg(config: dict[str, Any], key: str) -> int | None:
    value = config.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _config_dir(run_dir: Path, ctx: ReadContext, config: dict[str, Any]) -> Path | None:
    """The task-config folder run.py read (`--test_config_base_dir`, default config_files)."""
    base = config.get("test_config_base_dir")
    relative = base if isinstance(base, str) and base else "config_files"
    for folder in folders_up_to_root(run_dir, ctx.root):
        # Only a folder inside the scanned one: the recorded name may be absolute or climb out.
        candidate = inside(folder, relative, ctx.root)
        if candidate is None:
            continue
        ctx.note_input(candidate)
        if os.path.isdir(candidate):
            return Path(candidate)
    return None


def _range_task_ids(config_dir: Path | None, config: dict[str, Any], ctx: ReadContext) -> list[str]:
    """Config ids in [test_start_idx, test_end_idx) that exist: the run's denominator."""
    start, end = _int_arg(config, "test_start_idx"), _int_arg(config, "test_end_idx")
    if config_dir is None or start is None or end is None:
        return []
    ctx.note_input(config_dir)
    try:
        names = os.listdir(config_dir)
    except OSError:
        return []
    ids = [int(n[:-5]) for n in names if n.endswith(".json") and n[:-5].isdigit()]
    return [str(i) for i in sorted(i for i in ids if start <= i < end)]


def _task_config(config_dir: Path | None, task_id: str, ctx: ReadContext) -> dict[str, Any]:
    if config_dir is None:
        return {}
    path = config_dir / f"{task_id}.json"
    ctx.note_input(path)
    if not present(path):
        return {}
    doc = read_json_object(path, ctx, what="a WebArena task config (JSON object)")
    return doc.data if doc is not None else {}


def _read_json_dump(run_dir: Path, ctx: ReadContext) -> dict[str, tuple[bool, int | None]]:
    """A conversion script's json_dump.json: {"example_<id>": {..., "success": bool}}."""
    path = run_dir / "json_dump.json"
    ctx.note_input(path)
    if not present(path):
        return {}
    doc = read_json_object(path, ctx, what="a json_dump of task results (JSON object)")
    if doc is None:
        return {}
    verdicts: dict[str, tuple[bool, int | None]] = {}
    for key, value in doc.data.items():
        match = re.match(r"^example_(\d+)$", str(key))
        if match and isinstance(value, dict) and isinstance(value.get("success"), bool):
            verdicts[str(int(match.group(1)))] = (value["success"], doc.line_of(key))
    return verdicts


def _created_at(run_dir: Path, logs: LogSummary) -> datetime | None:
    match = RESULTS_DATE.search(run_dir.name)
    if match:
        try:
            return datetime.strptime(match.group(1), "%Y%m%d%H%M%S")
        except ValueError:
            pass  # not a date after all: fall back to the logs
    return logs.first_time


def _benchmark(config: dict[str, Any], sites: set[str]) -> str:
    base = config.get("test_config_base_dir")
    if sites & VWA_SITES or (isinstance(base, str) and "vwa" in base.lower()):
        return "visualwebarena"
    return "webarena"


def _duration(task_id: str, record: TaskLog | None, ctx: ReadContext) -> float | None:
    if record is None or record.started is None or record.ended is None:
        return None
    seconds = (record.ended - record.started).total_seconds()
    if seconds < 0:
        return None
    if SECONDS.holds(seconds):
        return seconds
    if record.events:
        last = record.events[-1]
        ctx.problem(
            last.path,
            f"task {task_id} ran from {record.started:%Y-%m-%d %H:%M:%S} to "
            f"{record.ended:%Y-%m-%d %H:%M:%S}: expected {SECONDS.expected}",
            last.line,
        )
    return None


def read_webarena_run(run_dir: Path, ctx: ReadContext, *, now: float | None = None) -> Run | None:
    """One result folder. Never raises: unreadable parts become Problems on `ctx`."""
    config = _read_config(run_dir, ctx)
    model = config.get("model") if isinstance(config.get("model"), str) else None
    model = model or "unknown"
    ctx.note_input(run_dir)
    try:
        names = sorted(os.listdir(run_dir))
    except OSError as exc:
        ctx.problem(run_dir, f"cannot list folder: {exc.strerror or exc}")
        return None
    renders = {str(int(m.group(1))): run_dir / n for n in names if (m := RENDER_NAME.match(n))}
    logs = read_logs(find_logs(run_dir, ctx), ctx)
    crashes = read_error_txt(run_dir / "error.txt", ctx) if "error.txt" in names else {}
    dumped = _read_json_dump(run_dir, ctx)
    config_dir = _config_dir(run_dir, ctx, config)

    task_ids = set(renders) | set(logs.tasks) | set(_range_task_ids(config_dir, config, ctx))
    tasks: list[Task] = []
    executions: list[Execution] = []
    all_sites: set[str] = set()
    for task_id in sorted(
        task_ids, key=lambda t: (not t.isdigit(), int(t) if t.isdigit() else 0, t)
    ):
        render = renders.get(task_id)
        scan = scan_render(render, ctx) if render is not None else None
        record = logs.tasks.get(task_id)
        fields = scan.fields if scan else {}
        sites = header_sites(fields)
        instruction = fields.get("intent") or (record.intent if record else None)
        if not instruction or not sites:
            task_config = _task_config(config_dir, task_id, ctx)
            instruction = instruction or _str(task_config.get("intent"))
            if not sites and isinstance(task_config.get("sites"), list):
                sites = [s for s in task_config["sites"] if isinstance(s, str)]
        all_sites.update(sites)
        if render is not None and scan is not None:
            _check_header_id(render, fields, task_id, ctx)
        tasks.append(
            Task(
                task_id=task_id,
                domain="+".join(sites) or None,
                instruction=instruction.strip() if instruction else None,
                match_key=task_id,
            )
        )
        execution = _execution(task_id, model, render, scan, record, crashes, dumped, run_dir, ctx)
        executions.append(execution)

    return Run(
        id=ctx.rel(run_dir),
        path=str(run_dir),
        format="webarena",
        benchmark=_benchmark(config, all_sites),
        label=run_dir.name,
        created_at=_created_at(run_dir, logs),
        live=_is_live(logs, time.time() if now is None else now),
        tasks=tasks,
        executions=executions,
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _check_header_id(render: Path, fields: dict[str, str], task_id: str, ctx: ReadContext) -> None:
    written = fields.get("task_id", "").strip()
    if written.isdigit() and str(int(written)) != task_id:
        ctx.problem(
            render,
            f"holds task {written} (task_id in its header) but its name says task {task_id}: "
            "listed as task " + task_id,
            line=None,
        )


def _is_live(logs: LogSummary, now: float) -> bool:
    """Running when the newest log has no closing `Average score:` line and was just written."""
    if not logs.logs or logs.ended:
        return False
    try:
        return now - logs.logs[-1].stat().st_mtime < LIVE_WINDOW_S
    except OSError:
        return False


def _execution(
    task_id: str,
    model: str,
    render: Path | None,
    scan: RenderScan | None,
    record: TaskLog | None,
    crashes: dict[str, Any],
    dumped: dict[str, tuple[bool, int | None]],
    run_dir: Path,
    ctx: ReadContext,
) -> Execution:
    execution = Execution(
        task_id=task_id,
        model=model,
        num_steps=scan.blocks if scan is not None else None,
        duration_s=_duration(task_id, record, ctx),
        source_path=str(render) if render is not None else None,
    )
    answer = scan.last.stop_answer if scan is not None and scan.last is not None else None
    if answer and answer.startswith(EARLY_STOP_PREFIXES):
        execution.reason = answer
    events = record.events if record is not None else []
    verdicts = [e for e in events if e.kind != "error"]
    if len(verdicts) > 1:
        order = ", then ".join(e.message for e in verdicts)
        last = verdicts[-1]
        ctx.problem(
            last.path,
            f"task {task_id} has {len(verdicts)} verdicts in the logs ({order}): the last one counts",
            last.line,
        )
    last_event = events[-1] if events else None
    if last_event is not None and last_event.kind in ("pass", "fail"):
        _set_verdict(execution, last_event.kind == "pass")
        _check_dump(execution, dumped, task_id, run_dir, ctx, last_event.path)
    elif last_event is not None:
        _set_error(execution, last_event.message)
        ctx.problem(
            last_event.path,
            f"task {task_id} crashed without a verdict: {last_event.message}",
            last_event.line,
        )
    elif task_id in dumped:
        _set_verdict(execution, dumped[task_id][0])
    elif task_id in crashes:
        entry = crashes[task_id]
        _set_error(execution, entry.message)
        ctx.problem(
            run_dir / "error.txt",
            f"task {task_id} crashed without a verdict: {entry.message}",
            entry.line,
        )
    return execution


def _set_verdict(execution: Execution, passed: bool) -> None:
    # PASS is logged only for a score of exactly 1; partial scores read as FAIL.
    execution.status = "passed" if passed else "failed"
    execution.success = passed
    execution.score = 1.0 if passed else 0.0


def _set_error(execution: Execution, message: str) -> None:
    execution.status = "errored"
    execution.success = None
    execution.error = message
    execution.error_type = error_type_of(message)


def _check_dump(
    execution: Execution,
    dumped: dict[str, tuple[bool, int | None]],
    task_id: str,
    run_dir: Path,
    ctx: ReadContext,
    log_path: Path,
) -> None:
    if task_id not in dumped or dumped[task_id][0] == execution.success:
        return
    said = "a success" if dumped[task_id][0] else "a failure"
    ctx.problem(
        run_dir / "json_dump.json",
        f"task {task_id} is {said} here but {execution.status} in {ctx.rel(log_path)} "
        "(the log wins)",
        dumped[task_id][1],
    )
