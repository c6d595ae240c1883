"""The one list of readers discovery dispatches to, so a new format is a new module plus a line here."""

from __future__ import annotations

from pathlib import Path

from bench_tui.model import Run
from bench_tui.sources.agentlab.run import is_agentlab_episode, read_agentlab_runs
from bench_tui.sources.common import ReadContext
from bench_tui.sources.osworld.common import classify_episode_dir as classify_osworld_family
from bench_tui.sources.osworld.runs import read_episode_runs
from bench_tui.sources.osworld.tasks import (  # noqa: F401
    looks_like_task_definition,
    looks_like_task_index,
)
from bench_tui.sources.training.episodes import (  # noqa: F401  (re-exported for discovery)
    episodes_from_predictions,
    looks_like_episode_file,
    read_episodes,
)
from bench_tui.sources.training.evalreport import looks_like_eval_report, read_eval_report  # noqa: F401
from bench_tui.sources.training.training_log import read_training  # noqa: F401
from bench_tui.sources.webarena.run import is_webarena_run, read_webarena_run  # noqa: F401


def classify_episode_dir(
    path: Path, names: frozenset[str], within: str | None = None
) -> str | None:
    """Which episode format owns this folder (its runs are grouped after the walk)."""
    if is_agentlab_episode(names):
        return "agentlab"
    return classify_osworld_family(path, names, within)


def read_collected_runs(
    episode_dirs: dict[str, list[Path]],
    ctx: ReadContext,
    task_indexes: list[Path],
    task_definitions: list[Path],
) -> list[Run]:
    """Group every collected episode folder into runs, format by format."""
    runs: list[Run] = []
    runs.extend(read_agentlab_runs(episode_dirs.get("agentlab", []), ctx))
    # OSWorld and WAA together: one run root whose episodes were classified both ways is one run.
    runs.extend(read_episode_runs(episode_dirs, ctx, task_indexes, task_definitions))
    return runs
