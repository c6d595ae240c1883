"""Step-replay helpers shared by the OSWorld and WAA loaders: finding the episode, timing from
`action_timestamp`, image sizes from PNG headers, and the small values kept beside a step."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench_tui.model import Execution, Run
from bench_tui.sources._io.ranges import MILLISECONDS
from bench_tui.sources.common import ReadContext, image_size
from bench_tui.sources.osworld.common import (
    EpisodeKind,
    epoch_seconds,
    is_placeholder,
    list_names,
    parse_timestamp,
    read_traj_lines,
)
from bench_tui.sources.osworld.scan import CallGroup, Grouped, error_text, group_calls

MAX_EXTRA_TEXT = 500


@dataclass
class Episode:
    folder: Path
    names: frozenset[str]
    grouped: Grouped


def open_episode(
    run: Run, execution: Execution, kind: EpisodeKind, ctx: ReadContext
) -> Episode | None:
    """The episode folder of an execution and its trajectory grouped into model calls."""
    folder_text = execution.source_path
    if folder_text is None:
        task = run.task(execution.task_id)
        folder_text = task.folder if task is not None else None
    if folder_text is None:
        return None
    folder = Path(folder_text)
    names = list_names(folder)
    grouped = Grouped()
    if "traj.jsonl" in names:
        traj = folder / "traj.jsonl"
        grouped = group_calls(read_traj_lines(traj, ctx), kind, ctx, traj)
    return Episode(folder, names, grouped)


class ImageSizes:
    """Pixel sizes from image headers, each file read once per load."""

    def __init__(self, default: tuple[int, int], within: str | None = None):
        self.default = default
        self.within = within
        self._known: dict[Path, tuple[int, int] | None] = {}

    def of(self, path: Path | None) -> tuple[int, int]:
        if path is None:
            return self.default
        if path not in self._known:
            self._known[path] = image_size(path, self.within)
        return self._known[path] or self.default


@dataclass
class Timing:
    timestamp: float | None
    think_ms: float | None
    exec_ms: float | None
    last: datetime | None


def call_timing(call: CallGroup, previous: datetime | None) -> Timing:
    """`action_timestamp` is taken before each action runs: the gap since the previous call's
    last action is that action's execution plus this call's thinking; the spread of this call's
    own lines is the time its actions took."""
    moments = [parse_timestamp(line.data.get("action_timestamp")) for line in call.lines]
    valid = [moment for moment in moments if moment is not None]
    if not valid:
        return Timing(None, None, None, previous)
    first, last = valid[0], valid[-1]
    think = (first - previous).total_seconds() * 1000.0 if previous is not None else None
    spread = (last - first).total_seconds() * 1000.0 if len(valid) > 1 else None
    # A gap of years between stamps is a Problem of the scan (the episode's span); no time here.
    return Timing(epoch_seconds(first), _plausible(think), _plausible(spread), last)


def _plausible(milliseconds: float | None) -> float | None:
    return milliseconds if milliseconds is None or MILLISECONDS.holds(milliseconds) else None


def error_logs(call: CallGroup) -> list[str]:
    logs: list[str] = []
    for line in call.errors:
        logs.append(f"Error (line {line.number}): {error_text(line.data)}")
        traceback = line.data.get("Traceback")
        if isinstance(traceback, str) and traceback.strip():
            logs.append(traceback.strip())
    return logs


def scalar_extras(data: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """Keys the step view does not use, kept when they are small plain values."""
    extra: dict[str, Any] = {}
    for key, value in data.items():
        if key in known or is_placeholder(value):
            continue
        if isinstance(value, (dict, list, str)):
            if _text_size(value) <= MAX_EXTRA_TEXT:
                extra[key] = value
        elif isinstance(value, (bool, int, float)) or value is None:
            extra[key] = value
    return extra


def _text_size(value: str | dict[str, Any] | list[Any]) -> int:
    if isinstance(value, str):
        return len(value)
    try:
        return len(json.dumps(value, default=str))
    except (RecursionError, ValueError):
        return MAX_EXTRA_TEXT + 1  # too deep to show: left out
