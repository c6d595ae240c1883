"""Windows Agent Arena results (FORMATS §11): runs per trial folder, and the step replay.

WAA's client is a modified OSWorld runner, so runs are built by the same code (osworld_runs).
What differs is the trajectory: a reset line (`step_num` 0, `action` null) first, every
observation and Navi log key flattened into each line as a file name (0-based index in the
name, 1-based `step_num` on the line), None values written as "... not saved" placeholders,
and Navi's `computer.*` code with Set-of-Marks ids instead of pixels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bench_tui.model import Action, Execution, Run, Step
from bench_tui.sources.common import DEFAULT_SCREEN, ReadContext, read_json, read_text
from bench_tui.sources.osworld.actions import parse_agent_action
from bench_tui.sources.osworld.common import classify_episode_dir, is_placeholder, parse_timestamp
from bench_tui.sources.osworld.navi_actions import (
    Region,
    looks_like_navi,
    parse_navi,
    parse_regions,
)
from bench_tui.sources.osworld.pyautogui_actions import ParsedCode
from bench_tui.sources.osworld.runs import read_episode_runs
from bench_tui.sources.osworld.scan import WAA_SHOT, resolve_waa_shot
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
    "load_waa_steps",
    "looks_like_task_definition",
    "looks_like_task_index",
    "match_key",
    "read_waa_runs",
]

KNOWN_KEYS = frozenset(
    {
        "step_num",
        "action_timestamp",
        "action",
        "reward",
        "done",
        "screenshot",
        "plan_result",
        "plan_result_full",
        "user_question",
        "regions",
        "foreground_window_prompt",
        "accessibility_tree",
        "instruction",
    }
)
NO_DATA = "No data available"
"""What WAA writes into a text file whose value was empty."""


def read_waa_runs(
    episode_dirs: Sequence[Path],
    ctx: ReadContext,
    task_index_files: Iterable[Path] = (),
    task_definition_files: Iterable[Path] = (),
    *,
    now: float | None = None,
) -> list[Run]:
    """One run per trial folder among WAA episode folders (see osworld_runs)."""
    return read_episode_runs(
        {"waa": list(episode_dirs)}, ctx, task_index_files, task_definition_files, now=now
    )


def _reset_shot(names: frozenset[str]) -> str | None:
    resets = sorted(n for n in names if (m := WAA_SHOT.match(n)) and m.group(1) == "reset")
    return resets[-1] if resets else None


def _text_value(value: Any, folder: Path, names: frozenset[str], ctx: ReadContext) -> str | None:
    """A text log key: the file it names (read now, lazily), or the text itself."""
    if not isinstance(value, str) or not value.strip() or is_placeholder(value):
        return None
    if value in names and value.endswith(".txt"):
        text = read_text(folder / value, ctx, what="the agent's answer text")
        value = text if text is not None else ""
    value = value.strip()
    return None if not value or value == NO_DATA else value


def _regions(
    data: dict[str, Any],
    folder: Path,
    names: frozenset[str],
    size: tuple[int, int],
    ctx: ReadContext,
) -> dict[str, Region]:
    value = data.get("regions")
    if isinstance(value, str) and value in names:
        doc = read_json(folder / value, ctx, what="Set-of-Marks regions (JSON)")
        value = doc.data if doc is not None else None
    width, height = data.get("image_width"), data.get("image_height")
    if (
        isinstance(width, (int, float))
        and isinstance(height, (int, float))
        and width > 0
        and height > 0
    ):
        return parse_regions(value, (float(width), float(height)))
    return parse_regions(value, (float(size[0]), float(size[1])))


def _parse_code(code: Any, regions: dict[str, Region], screen: tuple[int, int]) -> ParsedCode:
    if looks_like_navi(code):
        return parse_navi(code, regions)
    # Other agents in WAA write pyautogui: pixels of the 1920x1200 screen.
    return parse_agent_action(code, screen)


def load_waa_steps(run: Run, execution: Execution, ctx: ReadContext) -> list[Step]:
    """One Step per model call, drawn on the image the model saw: the same line's
    `foreground_window_prompt`, else the previous line's `screenshot` (the reset one first)."""
    episode = open_episode(run, execution, "waa", ctx)
    if episode is None:
        return []
    folder, names, grouped = episode.folder, episode.names, episode.grouped
    sizes = ImageSizes(DEFAULT_SCREEN, ctx.within)
    reset = grouped.reset
    seen_before = resolve_waa_shot(reset.data, "screenshot", 0, names) if reset else None
    seen_before = seen_before or _reset_shot(names)
    previous_time = parse_timestamp(reset.data.get("action_timestamp")) if reset else None
    steps: list[Step] = []
    for index, call in enumerate(grouped.calls):
        first = {k: (None if is_placeholder(v) else v) for k, v in call.lines[0].data.items()}
        prompt = resolve_waa_shot(first, "foreground_window_prompt", call.number, names)
        own = resolve_waa_shot(first, "screenshot", call.number, names)
        shown = prompt or seen_before
        after = shown is None and own is not None
        shown = shown or own
        shot_path = folder / shown if shown else None
        screen = sizes.of(shot_path)
        regions = _regions(first, folder, names, screen, ctx)
        actions: list[Action] = []
        thought = None
        for line in call.lines:
            parsed = _parse_code(line.data.get("action"), regions, screen)
            actions.extend(parsed.actions)
            thought = thought or parsed.thought
        plan = _text_value(first.get("plan_result"), folder, names, ctx)
        timing = call_timing(call, previous_time)
        previous_time = timing.last
        steps.append(
            Step(
                index=index,
                source_number=call.number,
                screenshot=str(shot_path) if shot_path else None,
                screenshot_is_after=after,
                actions=actions,
                reasoning=plan or thought,
                raw_output=plan,
                think_ms=timing.think_ms,
                exec_ms=timing.exec_ms,
                timestamp=timing.timestamp,
                logs=error_logs(call),
                extra=scalar_extras(first, KNOWN_KEYS),
            )
        )
        last_line = call.lines[-1].data
        seen_before = resolve_waa_shot(last_line, "screenshot", call.number, names)
    return steps
