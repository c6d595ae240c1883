"""The AgentLab reader as discovery and step loading see it (base.Reader)."""

from __future__ import annotations

from pathlib import Path

from bench_tui.model import Run
from bench_tui.sources.agentlab.run import is_agentlab_episode, read_agentlab_runs
from bench_tui.sources.agentlab.steps import load_agentlab_steps
from bench_tui.sources.base import Claim, Reader, Walk, of_format

EPISODES = "agentlab"
"""Walk.collect key of the episode folders, grouped into studies once the walk is over."""


def _folder(path: Path, names: frozenset[str], walk: Walk) -> Claim | None:
    if not is_agentlab_episode(names):
        return None
    walk.collect(EPISODES, path)
    return Claim()


def _finish(walk: Walk) -> list[Run]:
    return read_agentlab_runs(walk.collected.get(EPISODES, []), walk.ctx)


AGENTLAB = Reader(
    name="agentlab",
    folder=_folder,
    finish=_finish,
    owns_run=of_format("agentlab"),
    load_steps=load_agentlab_steps,
)
