"""Lazy step loading by the reader that owns the run: the task page asks here, off the UI thread."""

from __future__ import annotations

import os
from pathlib import Path

from bench_tui.model import Execution, Problem, Run, Step
from bench_tui.safeio import is_inside
from bench_tui.safetext import display_path
from bench_tui.sources._io.limits import MAX_STEPS, STEPS_CUT
from bench_tui.sources._io.recorded_paths import LEAVES_RUN
from bench_tui.sources.base import Reader
from bench_tui.sources.common import ReadContext
from bench_tui.sources.registry import READERS
from bench_tui.sources.text_limits import cut_step_texts


def reader_of(run: Run) -> Reader | None:
    """The reader that loads this run's steps: the first in the registry that owns it."""
    for reader in READERS:
        if reader.load_steps is not None and reader.owns_run is not None and reader.owns_run(run):
            return reader
    return None


def load_steps(run: Run, execution: Execution, root: Path) -> tuple[list[Step], list[Problem]]:
    """Steps of one execution plus the Problems met while reading them (never raises)."""
    ctx = ReadContext(root=root)
    reader = reader_of(run)
    if reader is None or reader.load_steps is None:
        return [], [Problem(path=run.id, message=f"no step reader for format '{run.format}'")]
    where = execution.source_path or run.path
    try:
        steps = reader.load_steps(run, execution, ctx)
    except (OSError, ValueError) as exc:  # e.g. a recorded path with a NUL byte
        ctx.problem(where, f"could not read the steps: {exc}")
        return [], ctx.problems
    _keep_inside(steps, run, reader, ctx)
    # Readers stop at MAX_STEPS themselves; extras some add (screenshots without a record) may not.
    if len(steps) > MAX_STEPS:
        if all(problem.message != STEPS_CUT for problem in ctx.problems):
            ctx.problem(where, STEPS_CUT)
        steps = steps[:MAX_STEPS]
    cut_step_texts(steps, ctx, where)
    return steps, ctx.problems


def _keep_inside(steps: list[Step], run: Run, reader: Reader, ctx: ReadContext) -> None:
    """One rule for every format: a screenshot whose real path leaves its run folder (a link
    out of it, whatever the reader resolved) is not shown, unless it is in the folder where the
    reader keeps images it decoded (WebArena's screenshots are decoded from its HTML)."""
    within = ctx.boundary_of(run.path)
    if within is None:
        return
    cache = ctx.boundary_of(reader.image_cache()) if reader.image_cache is not None else None
    for step in steps:
        shot = step.screenshot
        if shot is None:
            continue
        try:
            real = os.path.realpath(shot)
        except ValueError:  # a NUL byte: nothing to show
            real = shot
        if is_inside(real, within) or (cache is not None and is_inside(real, cache)):
            continue
        ctx.problem(shot, f"{LEAVES_RUN} (to {display_path(real)}): not shown")
        step.screenshot = None
