"""BrowserGym / AgentLab studies: one run per study folder, one execution per episode (FORMATS §13).

Index time reads `summary_info.json` (the outcome), `exp_args.pkl` (task, seed, model) and
`goal_object.pkl.gz` (the instruction), the pickles only through the restricted unpickler.
Step records and screenshots are read on demand by `load_agentlab_steps` (steps.py).
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from bench_tui.model import Execution, Run, Task
from bench_tui.model.ordering import natural_key
from bench_tui.sources._io.ranges import SCORE, SECONDS, STEP_COUNT
from bench_tui.sources.agentlab.episode_info import EpisodeInfo
from bench_tui.sources.agentlab.safe_pickle import pick, read_pickle_file, to_plain
from bench_tui.sources.agentlab.steps import load_agentlab_steps
from bench_tui.sources.agentlab.summary_csv import check_summary_csv
from bench_tui.sources.common import FieldReader, ReadContext, present, read_json_object

__all__ = ["is_agentlab_episode", "load_agentlab_steps", "read_agentlab_runs"]

EPISODE_NAME = re.compile(
    r"^(\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2})_(.+?)_on_(.+)_(\d+)(?:_(\d+))?(?:_([0-9a-f]{6}))?$"
)
STUDY_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2})")
ERROR_NAME = re.compile(r"\b([A-Z]\w*(?:Error|Exception|Interrupt|Timeout\w*|Exit))\b")
LIVE_WINDOW_S = 120.0
PROBLEM_TEXT_LIMIT = 200


def is_agentlab_episode(names: frozenset[str]) -> bool:
    """An AgentLab episode folder holds `summary_info.json` or `exp_args.pkl`."""
    return "summary_info.json" in names or "exp_args.pkl" in names


def _folder_date(folder: Path, text: str, ctx: ReadContext) -> datetime | None:
    """The date a folder name starts with; digits that are no date are a Problem."""
    try:
        return datetime.strptime(text, "%Y-%m-%d_%H-%M-%S")
    except ValueError:
        ctx.problem(folder, f"folder name starts with {text}, which is not a real date and time")
        return None


def _plain_str(value: Any) -> str | None:
    value = to_plain(value, max_depth=4)
    return value if isinstance(value, str) and value else None


def _plain_int(value: Any) -> int | None:
    value = to_plain(value, max_depth=4)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _read_exp_args(info: EpisodeInfo, ctx: ReadContext) -> None:
    path = info.path / "exp_args.pkl"
    if not present(path):
        return
    ok, exp_args = read_pickle_file(
        path, ctx, what="exp_args.pkl (listed from its folder name and summary_info.json)"
    )
    if not ok:
        return
    # Pickle values win over the folder name, which is ambiguous when a task ends in _<digits>.
    info.task_name = _plain_str(pick(exp_args, "env_args", "task_name")) or info.task_name
    seed = _plain_int(pick(exp_args, "env_args", "task_seed"))
    info.seed = seed if seed is not None else info.seed
    info.agent = _plain_str(pick(exp_args, "agent_args", "agent_name")) or info.agent
    info.model_name = _plain_str(pick(exp_args, "agent_args", "chat_model_args", "model_name"))


def _read_goal(info: EpisodeInfo, ctx: ReadContext) -> None:
    path = info.path / "goal_object.pkl.gz"
    if not present(path):
        return
    ok, goal = read_pickle_file(path, ctx, what="the goal (goal_object.pkl.gz)")
    if not ok:
        return
    info.instruction = goal_text(to_plain(goal, max_depth=8))


def goal_text(goal: Any) -> str | None:
    """The text parts of a goal: `[{"type": "text", "text": ...}, {"type": "image_url"}, ...]`."""
    if isinstance(goal, str):
        return goal.strip() or None
    if not isinstance(goal, list):
        return None
    parts: list[str] = []
    for part in goal:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict) and part.get("type") == "text":
            text = part.get("text")
            if isinstance(text, str):
                parts.append(text)
    joined = "\n".join(p.strip() for p in parts if p.strip())
    return joined or None


def _read_summary(info: EpisodeInfo, ctx: ReadContext) -> None:
    path = info.path / "summary_info.json"
    if not present(path):
        return
    doc = read_json_object(path, ctx, what="an AgentLab episode summary (JSON object)")
    if doc is not None:
        info.summary = doc.data
        info.summary_doc = doc


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= PROBLEM_TEXT_LIMIT else line[: PROBLEM_TEXT_LIMIT - 3] + "..."


def _outcome(info: EpisodeInfo, ctx: ReadContext) -> Execution:
    """AgentLab's own rule: no summary -> unfinished; err_msg -> errored (even when truncated or
    terminated); terminated or truncated -> finished; otherwise unfinished."""
    summary_path = info.path / "summary_info.json"
    execution = Execution(
        task_id=info.task_name or "",
        seed=info.seed,
        source_path=str(summary_path if summary_path.is_file() else info.path),
    )
    if info.summary is None or info.summary_doc is None:
        return execution
    doc = info.summary_doc
    fields = FieldReader(doc, info.summary, ctx)
    execution.score = fields.number("cum_reward", SCORE)
    if execution.score is None:
        execution.score = fields.number("score", SCORE)
    execution.num_steps = fields.int("n_steps", STEP_COUNT)
    execution.duration_s = fields.number("stats.cum_step_elapsed", SECONDS)
    err_msg = info.summary.get("err_msg")
    if err_msg is not None:
        text = err_msg if isinstance(err_msg, str) else str(err_msg)
        execution.status = "errored"
        execution.error = text
        match = ERROR_NAME.search(text)
        execution.error_type = match.group(1) if match else None
        ctx.problem(
            summary_path,
            f"episode ended with an error and no verdict (rerun needed): {_one_line(text)}",
            doc.line_of("err_msg"),
        )
        return execution
    success = fields.bool("success")
    ended = fields.bool("terminated") or fields.bool("truncated")
    # Other runners write `success` without terminated/truncated; AgentLab always writes both.
    other_runner = "terminated" not in info.summary and "truncated" not in info.summary
    if ended or (other_runner and success is not None):
        if success is None:
            success = execution.score is not None and execution.score >= 1.0
        execution.status = "passed" if success else "failed"
        execution.success = success
    return execution


def read_episode(path: Path, ctx: ReadContext) -> EpisodeInfo:
    """One episode folder: never raises, unreadable files become Problems."""
    info = EpisodeInfo(path=path)
    match = EPISODE_NAME.match(path.name)
    if match:
        info.date = _folder_date(path, match.group(1), ctx)
        info.agent = match.group(2)
        info.task_name = match.group(3)
        info.seed = int(match.group(4))
    _read_summary(info, ctx)
    if info.summary is not None:
        # Other runners write the task into the summary; AgentLab's pickle still wins below.
        info.task_name = _plain_str(info.summary.get("task_name")) or info.task_name
    _read_exp_args(info, ctx)
    _read_goal(info, ctx)
    if not info.task_name:
        ctx.problem(
            path,
            "folder name does not follow <date>_<agent>_on_<task>_<seed> and no task name was "
            "readable from exp_args.pkl: listed under its folder name",
        )
        info.task_name = path.name
    info.execution = _outcome(info, ctx)
    return info


def _study_of(episode: Path, root: Path) -> Path:
    """The run folder: the episode's parent (the study), or the episode itself when scanned alone."""
    if episode == root or episode.parent == episode:
        return episode
    try:
        episode.parent.relative_to(root)
    except ValueError:
        return episode
    return episode.parent


def read_agentlab_runs(
    episode_dirs: list[Path], ctx: ReadContext, *, now: float | None = None
) -> list[Run]:
    """Group episode folders into one run per study folder."""
    groups: dict[Path, list[Path]] = {}
    for episode in episode_dirs:
        groups.setdefault(_study_of(Path(episode), ctx.root), []).append(Path(episode))
    moment = time.time() if now is None else now
    return [
        _read_study(study, sorted(set(episodes)), ctx, moment)
        for study, episodes in sorted(groups.items())
    ]


def _assign_models(infos: list[EpisodeInfo]) -> None:
    """model = chat_model_args.model_name, else the agent name; when agents of one study share a
    model name (an ablation), the agent name keeps their executions apart."""
    agents_by_model: dict[str, set[str]] = {}
    for info in infos:
        if info.model_name:
            agents_by_model.setdefault(info.model_name, set()).add(info.agent or "")
    for info in infos:
        shared = info.model_name and len(agents_by_model.get(info.model_name, ())) > 1
        if info.model_name and not shared:
            info.execution.model = info.model_name
        else:
            info.execution.model = info.agent or info.model_name or "unknown"


def _dedupe(infos: list[EpisodeInfo], ctx: ReadContext) -> list[EpisodeInfo]:
    """One execution per (model, task, seed): a repeated episode keeps the newer folder."""
    kept: dict[tuple[str, str, int | None], EpisodeInfo] = {}
    for info in sorted(infos, key=lambda i: (i.date or datetime.min, i.path.name)):
        key = (info.execution.model, info.execution.task_id, info.execution.seed)
        earlier = kept.get(key)
        if earlier is not None:
            ctx.problem(
                info.path,
                f"repeats task {key[1]} seed {key[2]} of {ctx.rel(earlier.path)}: "
                "this newer episode counts",
            )
        kept[key] = info
    return list(kept.values())


def _is_live(infos: list[EpisodeInfo], now: float) -> bool:
    """An unfinished episode whose folder changed just now is still running."""
    for info in infos:
        if info.summary is not None:
            continue
        try:
            if now - os.stat(info.path).st_mtime < LIVE_WINDOW_S:
                return True
        except OSError:
            continue
    return False


def _read_study(study: Path, episodes: list[Path], ctx: ReadContext, now: float) -> Run:
    infos = [read_episode(path, ctx) for path in episodes]
    _assign_models(infos)
    infos = _dedupe(infos, ctx)
    infos.sort(
        key=lambda i: (
            i.execution.model,
            natural_key(i.execution.task_id),
            i.seed or 0,
            i.path.name,
        )
    )
    tasks: dict[str, Task] = {}
    for info in infos:
        task = tasks.setdefault(
            info.execution.task_id,
            Task(
                task_id=info.execution.task_id,
                domain=info.benchmark,
                match_key=info.execution.task_id,
            ),
        )
        task.instruction = task.instruction or info.instruction
    if study not in episodes:
        check_summary_csv(study, infos, ctx)
    benchmarks = Counter(i.benchmark for i in infos if i.benchmark)
    dates = [i.date for i in infos if i.date is not None]
    # An episode read as its own study has its date from its name already (no second Problem).
    m = STUDY_DATE.match(study.name) if study not in episodes else None
    created = _folder_date(study, m.group(1), ctx) if m else None
    return Run(
        id=ctx.rel(study),
        path=str(study),
        format="agentlab",
        benchmark=benchmarks.most_common(1)[0][0] if benchmarks else None,
        label=study.name,
        created_at=created or (min(dates) if dates else None),
        live=_is_live(infos, now),
        tasks=list(tasks.values()),
        executions=[info.execution for info in infos],
    )
