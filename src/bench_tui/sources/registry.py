"""The one list of readers discovery dispatches to, so a new format is a new module plus a line here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench_tui.model import Run
from bench_tui.sources.common import ReadContext
from bench_tui.sources.episodes import (  # noqa: F401  (re-exported for discovery)
    episodes_from_predictions,
    looks_like_episode_file,
    read_episodes,
)
from bench_tui.sources.evalreport import looks_like_eval_report, read_eval_report  # noqa: F401
from bench_tui.sources.training import read_training  # noqa: F401

# Readers still being written land here one by one; until then discovery sees no such folders.


def classify_episode_dir(path: Path, names: frozenset[str]) -> str | None:
    return None


def is_webarena_run(names: frozenset[str]) -> bool:
    return False


def read_webarena_run(path: Path, ctx: ReadContext) -> Run | None:
    return None


def looks_like_task_index(data: Any) -> bool:
    return False


def looks_like_task_definition(data: Any) -> bool:
    return False


def read_collected_runs(
    episode_dirs: dict[str, list[Path]],
    ctx: ReadContext,
    task_indexes: list[Path],
    task_definitions: list[Path],
) -> list[Run]:
    return []
