"""Group OSWorld/WAA episode folders into runs and count them (FORMATS §2, §10, §11).

Run root R = the domain folder's parent (WAA: the trial folder). One run per R: the model comes
from `args.json` in R or above, else from the path segments after the observation type. Tasks
are the episode folders, the other folders beside them (not started yet), and the tasks of a
linked index that have no folder at all.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from bench_tui.model import Execution, Run, Task
from bench_tui.safetext import display_path
from bench_tui.sources._io.ranges import SECONDS
from bench_tui.sources.common import ReadContext
from bench_tui.sources.osworld.checks import cross_check_all_results, cross_check_missing
from bench_tui.sources.osworld.common import RECENT_WRITE_S, EpisodeKind, written_at_once
from bench_tui.sources.osworld.paths import RunSettings, run_root, run_settings, unstarted_folders
from bench_tui.sources.osworld.scan import EpisodeScan, scan_episode
from bench_tui.sources.osworld.tasks import TaskCatalog, match_key, variant_key


def read_episode_runs(
    episode_dirs: Mapping[str, Sequence[Path]],
    ctx: ReadContext,
    task_index_files: Iterable[Path] = (),
    task_definition_files: Iterable[Path] = (),
    *,
    now: float | None = None,
) -> list[Run]:
    """Runs from OSWorld and WAA episode folders together, keyed "osworld"/"waa" as
    classify_episode_dir named them (other keys are ignored). A run root whose episodes were
    classified both ways is one WAA run: WAA's signs (the `screenshot` key, the reset line,
    traj.html) never appear in OSWorld folders, while a bare result.txt looks like either."""
    pairs: list[tuple[Path, EpisodeKind]] = []
    for kind in ("osworld", "waa"):
        pairs.extend((Path(path), kind) for path in episode_dirs.get(kind, ()))
    catalog = TaskCatalog(ctx, task_index_files, task_definition_files)
    return build_runs(pairs, ctx, catalog, time.time() if now is None else now)


def build_runs(
    episodes: list[tuple[Path, EpisodeKind]],
    ctx: ReadContext,
    catalog: TaskCatalog,
    now: float,
) -> list[Run]:
    groups: dict[str, list[tuple[Path, EpisodeKind]]] = {}
    seen: set[str] = set()
    for folder, kind in episodes:
        key = os.path.realpath(folder)
        if key in seen:
            continue
        seen.add(key)
        groups.setdefault(str(run_root(folder, ctx.root)), []).append((folder, kind))
    runs: list[Run] = []
    for root_text in sorted(groups):
        members = sorted(groups[root_text], key=lambda item: str(item[0]))
        run_kind: EpisodeKind = "waa" if any(k == "waa" for _, k in members) else "osworld"
        runs.append(_build_run(Path(root_text), members, run_kind, ctx, catalog, now))
    return runs


def _build_run(
    root: Path,
    members: list[tuple[Path, EpisodeKind]],
    kind: EpisodeKind,
    ctx: ReadContext,
    catalog: TaskCatalog,
    now: float,
) -> Run:
    settings = run_settings(root, ctx, members[0][0])
    scans = [scan_episode(folder, kind, ctx, now) for folder, _ in members]
    tasks: list[Task] = []
    executions: list[Execution] = []
    ids: dict[str, Path] = {}
    for scan in scans:
        domain = display_path(scan.folder.parent.name) if scan.folder != ctx.root else None
        task_id = _unique_id(scan.folder, domain, ids, ctx)
        instruction = catalog.instruction(task_id, domain) or scan.instruction
        tasks.append(_task(task_id, domain, instruction, kind, scan.folder))
        executions.append(_execution(scan, task_id, settings, ctx))
    for folder in unstarted_folders(root, [scan.folder for scan in scans]):
        domain = display_path(folder.parent.name)
        task_id = _unique_id(folder, domain, ids, ctx)
        tasks.append(_task(task_id, domain, catalog.instruction(task_id, domain), kind, folder))
        executions.append(Execution(task_id=task_id, model=settings.model, status="unfinished"))
    _add_index_tasks(settings, root, tasks, executions, kind, catalog)
    cross_check_all_results(root / "all_result.json", tasks, executions, ctx)
    if kind == "waa":
        cross_check_missing(root / "missing.json", tasks, executions, ctx)
    first_times = [scan.first_time for scan in scans if scan.first_time is not None]
    # Live while an unfinished episode is still being written: changed lately, and not all
    # at once (a fresh copy of an aborted run has new file times but nothing in progress).
    live = any(
        not executions[i].finished
        and now - scan.modified_at < RECENT_WRITE_S
        and not written_at_once(scan.folder)
        for i, scan in enumerate(scans)
    )
    return Run(
        id=ctx.rel(root),
        path=str(root),
        format=kind,
        benchmark=kind,
        label=settings.label,
        created_at=min(first_times) if first_times else None,
        live=live,
        tasks=tasks,
        executions=executions,
    )


def _task(
    task_id: str,
    domain: str | None,
    instruction: str | None,
    kind: EpisodeKind,
    folder: Path | None,
) -> Task:
    return Task(
        task_id=task_id,
        domain=domain,
        instruction=instruction,
        match_key=match_key(task_id, kind),
        folder=str(folder) if folder is not None else None,
    )


def _unique_id(folder: Path, domain: str | None, ids: dict[str, Path], ctx: ReadContext) -> str:
    """The folder name (escaped when it is not UTF-8), unless another domain of the run
    already uses it."""
    name = display_path(folder.name)
    task_id = name
    if task_id in ids:
        other = ids[task_id]
        task_id = f"{domain}/{name}"
        ctx.problem(
            folder,
            f"task id '{name}' is also the folder {ctx.rel(other)}: "
            f"this one is listed as '{task_id}'",
        )
    ids[task_id] = folder
    return task_id


def _execution(
    scan: EpisodeScan, task_id: str, settings: RunSettings, ctx: ReadContext
) -> Execution:
    """Outcome by FORMATS §10: result.txt is the verdict; an Error line without one is a crash."""
    execution = Execution(
        task_id=task_id,
        model=settings.model,
        num_steps=scan.num_steps,
        duration_s=_duration(scan, ctx),
        error=scan.error,
        error_type=scan.error_type,
        source_path=str(scan.folder),
        reason=scan.stop_reason,
    )
    result = scan.result
    if result.state == "score" and result.score is not None:
        execution.score = result.score
        execution.success = result.score >= 1.0
        execution.status = "passed" if execution.success else "failed"
        return execution
    if result.state == "pending":
        return execution
    if result.state == "unreadable":
        execution.status = "errored"
        execution.error = execution.error or "result.txt holds no readable score"
        execution.error_type = execution.error_type or "unreadable result"
    steps = scan.num_steps or 0
    if result.state == "none" and settings.max_steps and steps >= settings.max_steps:
        execution.reason = f"reached max_steps ({settings.max_steps}) without an evaluation"
        if scan.stop_reason:
            execution.reason += f"; {scan.stop_reason}"
    if scan.error is not None:
        execution.status = "errored"
        ctx.problem(
            scan.folder / "traj.jsonl",
            f"the episode crashed without a verdict ({scan.error}); rerun this task",
            scan.error_line,
        )
    return execution


def _duration(scan: EpisodeScan, ctx: ReadContext) -> float | None:
    seconds = scan.duration_s
    if seconds is None or SECONDS.holds(seconds):
        return seconds
    ctx.problem(
        scan.folder / "traj.jsonl",
        f"the action timestamps span {seconds / 86400:.0f} days: expected {SECONDS.expected}",
    )
    return None


def _add_index_tasks(
    settings: RunSettings,
    root: Path,
    tasks: list[Task],
    executions: list[Execution],
    kind: EpisodeKind,
    catalog: TaskCatalog,
) -> None:
    """Tasks of the linked index without a folder: known to the run, not started."""
    index = None
    if settings.index_name is not None:
        named = catalog.find_named(settings.index_name, root)
        index = catalog.index(named) if named is not None else None
    if index is None:
        index = catalog.best_index(task.task_id for task in tasks)
    if index is None:
        return
    present = {variant_key(task.task_id) for task in tasks}
    for domain, ids in index.tasks.items():
        if settings.domain not in (None, "all") and domain != settings.domain:
            continue
        for task_id in ids:
            key = variant_key(task_id)
            if key in present:
                continue
            present.add(key)
            tasks.append(_task(task_id, domain, catalog.instruction(task_id, domain), kind, None))
            executions.append(Execution(task_id=task_id, model=settings.model, status="unfinished"))
