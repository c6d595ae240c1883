"""OSWorld results (FORMATS §10): runs from episode folders, and the step replay of one task.

Index time (read_osworld_runs) reads each episode's listing, traj.jsonl and result.txt once;
load_osworld_steps reads the trajectory again and parses actions when a task is opened.
Screenshots are taken AFTER each action, so a step is drawn on the previous line's image
(or step_0.png / initial_state.png), and on its own image, marked "after", only when there is
no earlier one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bench_tui.model import Execution, Run, Step
from bench_tui.sources.common import ReadContext
from bench_tui.sources.osworld.actions import parse_agent_action
from bench_tui.sources.osworld.common import classify_episode_dir
from bench_tui.sources.osworld.pyautogui_actions import OSWORLD_SCREEN
from bench_tui.sources.osworld.runs import read_episode_runs
from bench_tui.sources.osworld.scan import OSWORLD_SHOT, CallGroup, resolve_osworld_shot
from bench_tui.sources.osworld.tasks import (
    looks_like_task_definition,
    looks_like_task_index,
    match_key,
)
from bench_tui.sources.osworld.trajectory_steps import (
    ImageSizes,
    call_timing,
    error_logs,
    open_episode,
    scalar_extras,
)

__all__ = [
    "classify_episode_dir",
    "load_osworld_steps",
    "looks_like_task_definition",
    "looks_like_task_index",
    "match_key",
    "read_osworld_runs",
]

KNOWN_KEYS = frozenset(
    {
        "step_num",
        "action_timestamp",
        "action",
        "response",
        "natural_language_action",
        "reward",
        "done",
        "screenshot_file",
        "raw_response",
    }
)
INITIAL_SHOTS = ("initial_state.png", "initial_state.jpg")
RESPONSE_TEXT_KEYS = ("response", "raw_response", "content", "text", "thought", "reasoning")
MAX_RAW_OUTPUT = 100_000


def read_osworld_runs(
    episode_dirs: Sequence[Path],
    ctx: ReadContext,
    task_index_files: Iterable[Path] = (),
    task_definition_files: Iterable[Path] = (),
    *,
    now: float | None = None,
) -> list[Run]:
    """One run per run root among OSWorld episode folders (see osworld_runs)."""
    return read_episode_runs(
        {"osworld": list(episode_dirs)}, ctx, task_index_files, task_definition_files, now=now
    )


def _initial_shot(names: frozenset[str]) -> str | None:
    for name in INITIAL_SHOTS:
        if name in names:
            return name
    zero = sorted(n for n in names if (m := OSWORLD_SHOT.match(n)) and m.group(1) == "0")
    return zero[-1] if zero else None


def _response_text(data: dict[str, Any]) -> tuple[str | None, str | None]:
    """(reasoning, raw model output) from `response` (text or an object) or
    `natural_language_action`."""
    response = data.get("response")
    raw: str | None = None
    reasoning: str | None = None
    if isinstance(response, str) and response.strip():
        raw = reasoning = response.strip()
    elif isinstance(response, dict):
        raw = json.dumps(response, ensure_ascii=False, default=str)[:MAX_RAW_OUTPUT]
        for key in RESPONSE_TEXT_KEYS:
            value = response.get(key)
            if isinstance(value, str) and value.strip():
                reasoning = value.strip()
                break
    natural = data.get("natural_language_action")
    if reasoning is None and isinstance(natural, str) and natural.strip():
        reasoning = natural.strip()
    return reasoning, raw


def _line_logs(call: CallGroup) -> list[str]:
    logs: list[str] = []
    for line in call.lines:
        if line.data.get("exec_ok") is False:
            logs.append(f"action on line {line.number} failed: {line.data.get('exec_result')}")
        info = line.data.get("info")
        if isinstance(info, dict) and info.get("fail"):
            logs.append(f"line {line.number}: the agent gave up (FAIL)")
    return logs + error_logs(call)


def load_osworld_steps(run: Run, execution: Execution, ctx: ReadContext) -> list[Step]:
    """One Step per model call, actions drawn on the screenshot the model saw."""
    episode = open_episode(run, execution, "osworld", ctx)
    if episode is None:
        return []
    folder, names = episode.folder, episode.names
    sizes = ImageSizes(OSWORLD_SCREEN, ctx.within)
    seen_before = _initial_shot(names)
    previous_time = None
    steps: list[Step] = []
    for index, call in enumerate(episode.grouped.calls):
        first = call.lines[0].data
        own = resolve_osworld_shot(first, call.number, names)
        shown, after = (seen_before, False) if seen_before else (own, own is not None)
        shot_path = folder / shown if shown else None
        screen = sizes.of(shot_path)
        actions = []
        thought = None
        for line in call.lines:
            parsed = parse_agent_action(line.data.get("action"), screen)
            actions.extend(parsed.actions)
            thought = thought or parsed.thought
        reasoning, raw = _response_text(first)
        timing = call_timing(call, previous_time)
        previous_time = timing.last
        steps.append(
            Step(
                index=index,
                source_number=call.number,
                screenshot=str(shot_path) if shot_path else None,
                screenshot_is_after=after,
                actions=actions,
                reasoning=reasoning or thought,
                raw_output=raw,
                think_ms=timing.think_ms,
                exec_ms=timing.exec_ms,
                timestamp=timing.timestamp,
                logs=_line_logs(call),
                extra=scalar_extras(first, KNOWN_KEYS),
            )
        )
        seen_before = resolve_osworld_shot(call.lines[-1].data, call.number, names)
    return steps
