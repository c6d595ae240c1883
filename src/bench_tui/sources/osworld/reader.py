"""The OSWorld / WAA readers as discovery and step loading see them (base.Reader).

Two entries: the episode folders (claimed during the walk, grouped into runs after it) and the
task files a run may link to (sniffed JSON, asked after the eval report and episode readers).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bench_tui.model import Execution, Run, Step
from bench_tui.sources.base import Claim, Finding, Reader, Walk, of_format
from bench_tui.sources.common import JsonDoc, ReadContext
from bench_tui.sources.osworld.common import classify_episode_dir
from bench_tui.sources.osworld.runs import read_episode_runs
from bench_tui.sources.osworld.steps import load_osworld_steps
from bench_tui.sources.osworld.tasks import looks_like_task_definition, looks_like_task_index
from bench_tui.sources.osworld.waa import load_waa_steps

TASK_INDEXES = "osworld.task_index"
TASK_DEFINITIONS = "osworld.task_definition"
"""Walk.collect keys of the task files; the episode folders go under "osworld" and "waa"."""


def _folder(path: Path, names: frozenset[str], walk: Walk) -> Claim | None:
    kind = classify_episode_dir(path, names, walk.ctx.within)
    if kind is None:
        return None
    walk.collect(kind, path)
    return Claim()


def _finish(walk: Walk) -> list[Run]:
    # OSWorld and WAA together: one run root whose episodes were classified both ways is one run.
    collected = walk.collected
    return read_episode_runs(
        collected, walk.ctx, collected.get(TASK_INDEXES, []), collected.get(TASK_DEFINITIONS, [])
    )


def _load_steps(run: Run, execution: Execution, ctx: ReadContext) -> list[Step]:
    loader = load_waa_steps if run.format == "waa" else load_osworld_steps
    return loader(run, execution, ctx)


def _task_file(path: Path, doc: JsonDoc, walk: Walk) -> Iterable[Finding] | None:
    if looks_like_task_index(doc.data):
        walk.collect(TASK_INDEXES, path)
    elif looks_like_task_definition(doc.data):
        walk.collect(TASK_DEFINITIONS, path)
    else:
        return None
    return ()


OSWORLD_EPISODES = Reader(
    name="osworld",
    folder=_folder,
    finish=_finish,
    owns_run=of_format("osworld", "waa"),
    load_steps=_load_steps,
)

OSWORLD_TASK_FILES = Reader(name="osworld task files", sniff_json=_task_file)
