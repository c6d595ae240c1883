"""Lazy step loading, dispatched by run format: the task page asks here, off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench_tui.model import Execution, Problem, Run, Step
from bench_tui.sources.agentlab import load_agentlab_steps
from bench_tui.sources.common import ReadContext
from bench_tui.sources.limits import MAX_STEPS, STEPS_CUT
from bench_tui.sources.openadapt import load_openadapt_steps
from bench_tui.sources.osworld import load_osworld_steps
from bench_tui.sources.text_limits import cut_step_texts
from bench_tui.sources.waa import load_waa_steps
from bench_tui.sources.webarena import load_webarena_steps

StepLoader = Callable[[Run, Execution, ReadContext], list[Step]]

LOADERS: dict[str, StepLoader] = {
    "openadapt": load_openadapt_steps,
    "webarena": load_webarena_steps,
    "agentlab": load_agentlab_steps,
    "osworld": load_osworld_steps,
    "waa": load_waa_steps,
}


def load_steps(run: Run, execution: Execution, root: Path) -> tuple[list[Step], list[Problem]]:
    """Steps of one execution plus the Problems met while reading them (never raises)."""
    ctx = ReadContext(root=root)
    loader = LOADERS.get(run.format)
    if loader is None:
        return [], [Problem(path=run.id, message=f"no step reader for format '{run.format}'")]
    where = execution.source_path or run.path
    try:
        steps = loader(run, execution, ctx)
    except (OSError, ValueError) as exc:  # e.g. a recorded path with a NUL byte
        ctx.problem(where, f"could not read the steps: {exc}")
        return [], ctx.problems
    # Readers stop at MAX_STEPS themselves; extras some add (screenshots without a record) may not.
    if len(steps) > MAX_STEPS:
        if all(problem.message != STEPS_CUT for problem in ctx.problems):
            ctx.problem(where, STEPS_CUT)
        steps = steps[:MAX_STEPS]
    cut_step_texts(steps, ctx, where)
    return steps, ctx.problems
