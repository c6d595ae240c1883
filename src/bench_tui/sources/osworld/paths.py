"""Where an OSWorld/WAA run starts, what it is called, and which model ran it (FORMATS §10-11).

Results sit under `<action_space>/<observation_type>/<model...>/[<trial>/]<domain>/<task>/`;
a `/` in a model name adds levels and users nest and rename freely, so only the episode folder
and the observation-type segment are trusted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_tui.safetext import display_path
from bench_tui.sources.common import ReadContext, present, read_json_object

OBSERVATION_TYPES = frozenset({"screenshot", "a11y_tree", "screenshot_a11y_tree", "som"})
ACTION_SPACES = frozenset({"pyautogui", "computer_13", "claude_computer_use", "computer_use"})
SKIPPED_NAMES = frozenset({"__pycache__", "node_modules", "logs"})
EPISODE_SUBFOLDERS = frozenset({"logs"})
"""Folders an episode folder may hold (WAA writes logs/); anything else means it is not one."""


@dataclass(frozen=True)
class RunSettings:
    model: str
    label: str
    index_name: str | None = None
    """`test_all_meta_path` from args.json: the task index the runner read."""
    domain: str | None = None
    """`domain` from args.json: a runner limited to one domain ("all" = every domain)."""
    max_steps: int | None = None


def is_within(path: Path, root: Path) -> bool:
    path_text, root_text = os.path.abspath(path), os.path.abspath(root)
    return path_text == root_text or path_text.startswith(root_text.rstrip(os.sep) + os.sep)


def run_root(episode: Path, root: Path) -> Path:
    """The domain folder's parent, or the nearest folder inside the scanned root."""
    for candidate in (episode.parent.parent, episode.parent, episode):
        if is_within(candidate, root):
            return candidate
    return episode


def _observation_index(parts: tuple[str, ...]) -> int | None:
    """Position of the observation-type segment, preferring one right after an action space
    (a model could itself be called "som")."""
    hits = [i for i, part in enumerate(parts[:-1]) if part in OBSERVATION_TYPES]
    preferred = [i for i in hits if i > 0 and parts[i - 1] in ACTION_SPACES]
    chosen = preferred or hits
    return chosen[-1] if chosen else None


def model_from_path(run_dir: Path) -> str | None:
    """Segments between the observation type and the run root, a final all-digit one being a
    trial id: `pyautogui/screenshot/acme/vl-7b-instruct` -> "acme/vl-7b-instruct"."""
    parts = Path(os.path.abspath(run_dir)).parts
    index = _observation_index(parts)
    if index is None:
        return None
    segments = list(parts[index + 1 :])
    if segments and segments[-1].isdigit():
        segments.pop()
    return display_path("/".join(segments)) or None


def run_label(run_dir: Path) -> str:
    parts = Path(os.path.abspath(run_dir)).parts
    index = _observation_index(parts)
    if index is None or index == 0:
        return display_path(run_dir.name or str(run_dir))
    return display_path("/".join(parts[index - 1 :]))


def run_settings(run_dir: Path, ctx: ReadContext, episode: Path | None = None) -> RunSettings:
    """`episode` is one of the run's episode folders: when the scan starts below the real run
    root (the user opened a domain folder), names still come from the real one, two levels up."""
    natural = episode.parent.parent if episode is not None else run_dir
    args = _find_args(run_dir, ctx)
    model = _text(args.get("model")) or model_from_path(natural)
    model = model or _model_from_experiments(run_dir, ctx) or "unknown"
    return RunSettings(
        model=model,
        label=run_label(natural),
        index_name=_text(args.get("test_all_meta_path")),
        domain=_text(args.get("domain")),
        max_steps=_whole(args.get("max_steps")),
    )


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _ancestors_in_scope(run_dir: Path, root: Path) -> list[Path]:
    """The run folder and the folders above it, inside the scanned root and below the
    observation-type folder (an args.json there would describe another run)."""
    found: list[Path] = []
    for folder in (run_dir, *run_dir.parents):
        if not is_within(folder, root) or folder.name in OBSERVATION_TYPES:
            break
        found.append(folder)
    return found


def _find_args(run_dir: Path, ctx: ReadContext) -> dict[str, Any]:
    for folder in _ancestors_in_scope(run_dir, ctx.root):
        path = folder / "args.json"
        if present(path):
            doc = read_json_object(path, ctx, what="the runner's arguments (JSON object)")
            return doc.data if doc is not None else {}
    return {}


def _model_from_experiments(run_dir: Path, ctx: ReadContext) -> str | None:
    """Cloud WAA runs: `experiments.json` maps an experiment folder name to its model_name."""
    folders = [run_dir, *run_dir.parents]
    for depth, folder in enumerate(folders):
        if not is_within(folder, ctx.root):
            return None
        path = folder / "experiments.json"
        if not present(path):
            continue
        doc = read_json_object(path, ctx, what="experiments ({name: {model_name, ...}})")
        if doc is None:
            return None
        for below in folders[:depth]:
            entry = doc.data.get(below.name)
            if isinstance(entry, dict) and _text(entry.get("model_name")):
                return _text(entry.get("model_name"))
        return None
    return None


def _is_skipped(name: str) -> bool:
    return name.startswith((".", "_")) or name in SKIPPED_NAMES


def _subfolders(folder: Path) -> list[str] | None:
    """Names of the folders inside `folder` (None when it cannot be listed)."""
    try:
        return [entry.name for entry in os.scandir(folder) if entry.is_dir()]
    except OSError:
        return None


def _is_empty(folder: Path) -> bool:
    try:
        return not os.listdir(folder)
    except OSError:
        return False


def unstarted_folders(run_dir: Path, episodes: list[Path]) -> list[Path]:
    """Folders beside the episodes that are not episodes: tasks created but not run (a resume
    empties the folders of unfinished tasks). Also a domain folder holding only empty folders."""
    known = {os.path.abspath(folder) for folder in episodes}
    domains = sorted({folder.parent for folder in episodes if folder.parent.parent == run_dir})
    found: list[Path] = []
    for domain in domains:
        found.extend(_waiting_in(domain, known))
    try:
        others = sorted(
            entry.name
            for entry in os.scandir(run_dir)
            if entry.is_dir() and not _is_skipped(entry.name)
        )
    except OSError:
        others = []
    for name in others:
        folder = run_dir / name
        if folder in domains:
            continue
        children = _subfolders(folder)
        if not children or not all(_is_empty(folder / child) for child in children):
            continue
        try:
            if len(os.listdir(folder)) != len(children):
                continue  # files beside the folders: not a domain of this run
        except OSError:
            continue
        found.extend(folder / child for child in sorted(children) if not _is_skipped(child))
    return found


def _waiting_in(domain: Path, known: set[str]) -> list[Path]:
    try:
        names = sorted(entry.name for entry in os.scandir(domain) if entry.is_dir())
    except OSError:
        return []
    waiting: list[Path] = []
    for name in names:
        folder = domain / name
        if _is_skipped(name) or os.path.abspath(folder) in known:
            continue
        inner = _subfolders(folder)
        if inner is None or any(child not in EPISODE_SUBFOLDERS for child in inner):
            continue
        waiting.append(folder)
    return waiting
