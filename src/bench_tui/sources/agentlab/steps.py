"""Step replay of one AgentLab episode: `step_<k>.pkl.gz` records plus `screenshot_step_<k>.*`.

`screenshot_step_k` is what the agent saw before action k; record k holds that observation,
action k and the agent's thinking; `last_action_error` in record k belongs to action k-1; the
timing of action k is in record k+1 (env_start/env_stop wrap the env.step that ran it).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from bench_tui.model import Execution, Run, Step
from bench_tui.sources._io.images import image_problem
from bench_tui.sources._io.limits import MAX_STEPS, STEPS_CUT
from bench_tui.sources._io.ranges import MILLISECONDS
from bench_tui.sources.agentlab.browsergym_actions import Box, parse_action_string
from bench_tui.sources.agentlab.safe_pickle import pick, read_pickle_file, to_plain
from bench_tui.sources.common import ReadContext, image_size
from bench_tui.sources.jsonvalues import as_number

STEP_FILE = re.compile(r"^step_(\d+)\.pkl\.gz$")
SCREENSHOT_FILE = re.compile(r"^screenshot_step_(\d+)\.(png|jpe?g)$", re.IGNORECASE)
BROWSERGYM_VIEWPORT = (1280, 720)
"""BrowserGym's default viewport: pixel actions are converted with it when no screenshot exists."""


def _episode_dir(run: Run, execution: Execution) -> Path | None:
    if execution.source_path is None:
        return None
    path = Path(execution.source_path)
    return path if path.is_dir() else path.parent


def _numbered_files(folder: Path, ctx: ReadContext) -> tuple[dict[int, Path], dict[int, Path]]:
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        ctx.problem(folder, f"cannot list episode folder: {exc.strerror or exc}")
        return {}, {}
    records: dict[int, Path] = {}
    shots: dict[int, Path] = {}
    for name in names:
        if match := STEP_FILE.match(name):
            records[int(match.group(1))] = folder / name
        elif match := SCREENSHOT_FILE.match(name):
            # .png wins when both exist: AgentLab looks for .png first.
            shots.setdefault(int(match.group(1)), folder / name)
    return records, shots


def _float(value: Any) -> float | None:
    return as_number(to_plain(value, max_depth=3))


def _text(value: Any) -> str | None:
    value = to_plain(value, max_depth=3)
    return value if isinstance(value, str) and value.strip() else None


def _box_lookup(record: Any) -> Any:
    properties = pick(record, "obs", "extra_element_properties")

    def lookup(bid: str) -> Box | None:
        bbox = to_plain(pick(properties, bid, "bbox"), max_depth=3)
        if (
            isinstance(bbox, list)
            and len(bbox) == 4
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in bbox)
        ):
            x, y, width, height = (float(v) for v in bbox)
            return (x, y, width, height)
        return None

    return lookup if properties is not None else None


def _elapsed_ms(record: Any, start: str, stop: str) -> float | None:
    begin = _float(pick(record, "profiling", start))
    end = _float(pick(record, "profiling", stop))
    if begin is None or end is None or end < begin or begin <= 0:
        return None
    # Profiling stamps sit in pickles, where no line locates them: an impossible gap is left out.
    elapsed = (end - begin) * 1000.0
    return elapsed if MILLISECONDS.holds(elapsed) else None


def load_agentlab_steps(run: Run, execution: Execution, ctx: ReadContext) -> list[Step]:
    """One Step per step record or screenshot; an unreadable record leaves its screenshot."""
    folder = _episode_dir(run, execution)
    if folder is None:
        return []
    record_files, shots = _numbered_files(folder, ctx)
    numbers = sorted(set(record_files) | set(shots))
    if len(numbers) > MAX_STEPS:
        ctx.problem(folder, STEPS_CUT)
        numbers = numbers[:MAX_STEPS]
    records: dict[int, Any] = {}
    # Record k+1 also tells how action k went (_attach_follow_ups).
    for number in [*numbers, numbers[-1] + 1] if numbers else []:
        path = record_files.get(number)
        if path is None:
            continue
        ok, value = read_pickle_file(
            path, ctx, what=f"step record {number} (its screenshot is shown without the action)"
        )
        if ok:
            records[number] = value
    steps: list[Step] = []
    for number in numbers:
        step = _step(len(steps), number, records.get(number), shots.get(number), ctx)
        # An unreadable record is still a record (its Problem says why it shows no action).
        step.recorded = number in record_files
        steps.append(step)
    _attach_follow_ups(steps, records)
    return steps


def _step(index: int, number: int, record: Any, shot: Path | None, ctx: ReadContext) -> Step:
    screen = (image_size(shot, ctx.within) if shot is not None else None) or BROWSERGYM_VIEWPORT
    if shot is not None and (reason := image_problem(shot, ctx.within)) is not None:
        ctx.problem(shot, f"{reason} (step {number})")
    step = Step(index=index, source_number=number, screenshot=str(shot) if shot else None)
    if record is None:
        return step
    action_text = _text(pick(record, "action"))
    step.actions = parse_action_string(action_text, screen, _box_lookup(record))
    step.reasoning = _text(pick(record, "agent_info", "think"))
    step.think_ms = _elapsed_ms(record, "agent_start", "agent_stop")
    step.timestamp = _float(pick(record, "profiling", "agent_start")) or _float(
        pick(record, "profiling", "env_start")
    )
    extra: dict[str, Any] = {}
    for key, path in (
        ("url", ("obs", "url")),
        ("reward", ("reward",)),
        ("terminated", ("terminated",)),
        ("truncated", ("truncated",)),
    ):
        value = to_plain(pick(record, *path), max_depth=3)
        if value is not None:
            extra[key] = value
    step.extra = extra
    err = _text(pick(record, "agent_info", "err_msg"))
    if err:
        step.logs.append(f"error: {err}")
    if action_text is None:
        step.logs.append("final state: no action")
    return step


def _attach_follow_ups(steps: list[Step], records: dict[int, Any]) -> None:
    """Record k+1 knows how action k went: its error and the time env.step took."""
    by_number = {step.source_number: step for step in steps}
    for number, record in records.items():
        previous = by_number.get(number - 1)
        if previous is None:
            continue
        error = _text(pick(record, "obs", "last_action_error"))
        if error:
            previous.logs.append(f"action error: {error}")
            previous.extra["last_action_error"] = error
        previous.exec_ms = _elapsed_ms(record, "env_start", "env_stop")
