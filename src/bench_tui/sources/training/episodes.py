"""OpenAdapt episodes (FORMATS §9): recorded demonstrations, one step = screenshot + action.

Accepted: one episode object, a list of them, or `{"episodes": [...]}`; canonical schema 1.0.0
and the legacy aliases (`id`, `goal`, `t`, `image_path`, `thought`, `action.x/y`).

Demo files (`demo_id`, steps with `action_type`, `x`, `y`) are read too, as human episodes:
they are human demonstrations, and the Viewer is where people look for those. Segmentation
files (steps as strings) are not episodes and are not detected.

Screenshots are only resolved to absolute paths here; whether they exist is found out when one
is shown. Predictions files live in `predictions.py` and are re-exported from here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bench_tui.model import Episode, EpisodeStep
from bench_tui.safetext import display_path
from bench_tui.sources._io.limits import MAX_STEPS, STEPS_CUT
from bench_tui.sources._io.ranges import TIMESTAMP, Range
from bench_tui.sources._io.recorded_paths import in_folder
from bench_tui.sources.common import JsonDoc, ReadContext, json_type, read_json
from bench_tui.sources.jsonvalues import DocProblems, JsonPath
from bench_tui.sources.training.episode_actions import (
    EpisodeActionReader,
    ScreenSize,
    screen_size_of,
)
from bench_tui.sources.training.predictions import (
    checkpoint_label,
    episodes_from_predictions,
    looks_like_predictions,
    read_predictions,
)

__all__ = [
    "checkpoint_label",
    "episodes_from_predictions",
    "looks_like_episode_file",
    "looks_like_predictions",
    "read_episodes",
    "read_predictions",
]

WHAT = "an episode (an object with 'steps'), a list of episodes, or {\"episodes\": [...]}"


def looks_like_episode_file(data: Any) -> bool:
    """FORMATS §3: JSON whose steps have `observation`+`action` or `image_path`+`action`
    (or a demo file's `action_type`), in any of the three accepted shapes."""
    if isinstance(data, list):
        return any(_looks_like_episode(item) for item in data)
    if isinstance(data, dict) and isinstance(data.get("episodes"), list):
        return any(_looks_like_episode(item) for item in data["episodes"])
    return _looks_like_episode(data)


def _looks_like_episode(item: Any) -> bool:
    if not isinstance(item, dict) or not isinstance(item.get("steps"), list):
        return False
    steps = item["steps"]
    if "demo_id" in item:
        return any(isinstance(step, dict) and "action_type" in step for step in steps)
    return any(_looks_like_step(step) for step in steps)


def _looks_like_step(step: Any) -> bool:
    return (
        isinstance(step, dict)
        and isinstance(step.get("action"), dict)
        and ("observation" in step or "image_path" in step)
    )


def read_episodes(path: Path, ctx: ReadContext, doc: JsonDoc | None = None) -> list[Episode]:
    """Every readable episode in the file. An empty result always comes with a Problem."""
    if doc is None:
        doc = read_json(path, ctx, what=WHAT)
        if doc is None:
            return []
    problems = DocProblems(doc, ctx)
    episodes: list[Episode] = []
    items = _episode_items(doc.data, problems)
    if items is not None:
        parent, entries, several = items
        for index, entry in enumerate(entries):
            where: list[str | int] = [*parent, index] if several else []
            episode = _read_episode(entry, where, index if several else None, path, ctx, problems)
            if episode is not None:
                episodes.append(episode)
    if not episodes and problems.count == 0:
        problems.add([], f"no episodes in this file: expected {WHAT}")
    problems.finish()
    return episodes


def _episode_items(data: Any, problems: DocProblems) -> tuple[JsonPath, list[Any], bool] | None:
    """(path of the list, its entries, several?) for the three accepted shapes."""
    if isinstance(data, list):
        return [], data, True
    if not isinstance(data, dict):
        problems.add([], f"expected {WHAT}, got a JSON {json_type(data)}")
        return None
    if "steps" not in data and "episodes" in data:
        if isinstance(data["episodes"], list):
            return ["episodes"], data["episodes"], True
        problems.wrong(["episodes"], "a list of episodes", data["episodes"])
        return None
    return [], [data], False


def _read_episode(
    entry: Any,
    where: JsonPath,
    position: int | None,
    path: Path,
    ctx: ReadContext,
    problems: DocProblems,
) -> Episode | None:
    if not isinstance(entry, dict):
        problems.add(where, f"episode skipped: expected an object, got a JSON {json_type(entry)}")
        return None
    steps = entry.get("steps")
    if not isinstance(steps, list):
        if steps is None:
            problems.add(where, "episode skipped: it has no 'steps' list")
        else:
            problems.wrong([*where, "steps"], "a list of steps", steps)
        return None
    is_demo = "demo_id" in entry
    suffix = "" if position is None else f"#{position}"
    episode_id = (
        problems.text(entry, "episode_id", where)
        or problems.text(entry, "id", where)
        or problems.text(entry, "demo_id", where)
        or f"{path.stem}{suffix}"
    )
    return Episode(
        id=ctx.rel(path) + suffix,
        path=os.path.abspath(path),
        episode_id=episode_id,
        instruction=problems.text(entry, "instruction", where)
        or problems.text(entry, "goal", where),
        description=problems.text(entry, "description", where)
        or problems.text(entry, "task_description", where),
        task_id=problems.text(entry, "task_id", where),
        success=problems.flag(entry, "success", where),
        source=problems.text(entry, "source", where) or ("human" if is_demo else None),
        agent_model=problems.text(entry, "agent_model", where),
        steps=_read_steps(steps, [*where, "steps"], path.parent, problems),
    )


def _read_steps(
    steps: list[Any], where: JsonPath, base_dir: Path, problems: DocProblems
) -> list[EpisodeStep]:
    actions = EpisodeActionReader(problems)
    screen: ScreenSize | None = None
    read: list[EpisodeStep] = []
    if len(steps) > MAX_STEPS:
        problems.add(where, STEPS_CUT)
        steps = steps[:MAX_STEPS]
    for index, step in enumerate(steps):
        step_path: list[str | int] = [*where, index]
        if not isinstance(step, dict):
            problems.add(
                step_path, f"step {index} skipped: expected an object, got a JSON {json_type(step)}"
            )
            continue
        is_demo_step = "action" not in step and "action_type" in step
        raw_action = _raw_action(step)
        if not isinstance(raw_action, dict):
            if raw_action is None:
                problems.add(step_path, f"step {index} skipped: it has no 'action'")
            else:
                problems.wrong([*step_path, "action"], "an action object", raw_action)
            continue
        action_path = step_path if is_demo_step else [*step_path, "action"]
        observation = problems.obj(step, "observation", step_path) or {}
        observation_path = [*step_path, "observation"]
        # Recordings give the screen size once, on the first step: it holds until changed.
        recorded_size = observation.get("screen_size")
        if recorded_size is not None:
            size = screen_size_of(recorded_size)
            if size is None:
                problems.wrong(
                    [*observation_path, "screen_size"], "[width, height] in pixels", recorded_size
                )
            screen = size or screen
        screenshot_text = (
            problems.text(observation, "screenshot_path", observation_path)
            or problems.text(step, "image_path", step_path)
            or problems.text(step, "screenshot_path", step_path)
        )
        screenshot = _resolve(base_dir, screenshot_text, problems, step_path)
        read.append(
            EpisodeStep(
                index=index,
                screenshot=screenshot,
                action=actions.read(raw_action, action_path, screen, screenshot),
                reasoning=problems.text(step, "reasoning", step_path)
                or problems.text(step, "thought", step_path),
                description=problems.text(step, "description", step_path),
                timestamp=_first_number(step, ("timestamp", "t"), step_path, problems, TIMESTAMP),
            )
        )
    return read


def _raw_action(step: dict[str, Any]) -> Any:
    """The step's action object; demo steps keep the action's fields on the step itself."""
    if "action" in step or "action_type" not in step:
        return step.get("action")
    demo = {
        key: value
        for key, value in step.items()
        if key not in ("step_index", "screenshot_path", "description")
    }
    demo["type"] = demo.pop("action_type")
    return demo


def _first_number(
    obj: dict[str, Any],
    keys: tuple[str, ...],
    where: JsonPath,
    problems: DocProblems,
    within: Range | None = None,
) -> float | None:
    for key in keys:
        value = problems.number(obj, key, where, within)
        if value is not None:
            return value
    return None


def _resolve(
    base_dir: Path, text: str | None, problems: DocProblems, where: JsonPath
) -> str | None:
    """Absolute path of a screenshot named relative to the episode file's folder, which it must
    stay in (a path from the recording machine is looked for by name in screenshots/)."""
    if not text:
        return None
    found = in_folder(base_dir, text, problems.ctx.boundary_of(base_dir), ("screenshots", ""))
    if found is None:
        problems.add(where, f"screenshot path leaves the episode's folder: {display_path(text)}")
    return found
