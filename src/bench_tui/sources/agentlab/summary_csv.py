"""AgentLab's `summary_df*.csv`: a cache written by the study, compared with the episode folders.

The CSV is never a source of figures (the episode folders win). Its rows are recomputed the
way AgentLab computes them, errored episodes counted as completed and their reward averaged
in, so that only real disagreements (a stale cache, edited folders) become Problems.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from pathlib import Path
from typing import Any

from bench_tui.sources.agentlab.episode_info import EpisodeInfo
from bench_tui.sources.common import ReadContext, read_text

COMPLETED = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
REWARD_TOLERANCE = 6e-4
"""AgentLab rounds avg_reward to 3 places."""
AGENT_COLUMNS = ("agent.agent_name", "agent_args.agent_name", "agent_name")
BENCHMARK_COLUMNS = ("env.benchmark", "env_args.benchmark")


def newest_summary_csv(study: Path) -> Path | None:
    """Relaunched studies leave one CSV per trial; only the newest can describe the folders."""
    try:
        names = [n for n in os.listdir(study) if n.startswith("summary_df") and n.endswith(".csv")]
    except OSError:
        return None
    best: tuple[float, str] | None = None
    for name in names:
        try:
            key = (os.stat(study / name).st_mtime, name)
        except OSError:
            continue
        best = key if best is None or key > best else best
    return study / best[1] if best else None


def _agentlab_figures(infos: list[EpisodeInfo]) -> tuple[int, int, int, float | None]:
    """(completed, episodes, errors, avg_reward) by AgentLab's `summarize`."""
    completed = errors = 0
    rewards: list[float] = []
    for info in infos:
        summary = info.summary or {}
        errored = summary.get("err_msg") is not None
        errors += errored
        completed += bool(errored or summary.get("terminated") or summary.get("truncated"))
        reward = summary.get("cum_reward")
        if (
            isinstance(reward, (int, float))
            and not isinstance(reward, bool)
            and not math.isnan(reward)
        ):
            rewards.append(float(reward))
    average = sum(rewards) / len(rewards) if rewards else None
    return completed, len(infos), errors, average


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return None if math.isnan(value) else value


def check_summary_csv(study: Path, infos: list[EpisodeInfo], ctx: ReadContext) -> None:
    """One Problem per CSV row whose figures differ from the episode folders."""
    path = newest_summary_csv(study)
    if path is None:
        return
    text = read_text(path, ctx, what="AgentLab's summary_df CSV")
    if text is None:
        return
    try:
        rows = list(_rows(text))
    except csv.Error as exc:
        ctx.problem(path, f"not a readable CSV ({exc}): not compared with the episode folders")
        return
    if not rows:
        return
    _, header = rows[0]
    columns = {
        name: header.index(name)
        for name in ("n_completed", "n_err", "avg_reward")
        if name in header
    }
    if "n_completed" not in columns:
        return
    agent_col = _column(header, AGENT_COLUMNS)
    bench_col = _column(header, BENCHMARK_COLUMNS)
    keys = [(_cell(r, agent_col), _cell(r, bench_col)) for _, r in rows[1:]]
    for line, row in rows[1:]:
        key = (_cell(row, agent_col), _cell(row, bench_col))
        if keys.count(key) > 1:
            continue  # rows that differ only in agent flags cannot be matched to folders
        subset = [
            info
            for info in infos
            if (key[0] is None or info.agent == key[0])
            and (key[1] is None or info.benchmark == key[1])
        ]
        _compare_row(path, line, row, columns, key[0], subset, ctx)


def _rows(text: str) -> Any:
    reader = csv.reader(io.StringIO(text))
    for row in reader:
        if row:
            yield reader.line_num, row


def _cell(row: list[str], index: int | None) -> str | None:
    if index is None or index >= len(row):
        return None
    return row[index]


def _compare_row(
    path: Path,
    line: int,
    row: list[str],
    columns: dict[str, int],
    agent: str | None,
    infos: list[EpisodeInfo],
    ctx: ReadContext,
) -> None:
    completed, total, errors, average = _agentlab_figures(infos)
    differences: list[str] = []
    claimed = COMPLETED.match(_cell(row, columns["n_completed"]) or "")
    if claimed and (int(claimed.group(1)), int(claimed.group(2))) != (completed, total):
        differences.append(
            f"n_completed {claimed.group(1)}/{claimed.group(2)} (folders: {completed}/{total})"
        )
    if "n_err" in columns:
        claimed_errors = _float(_cell(row, columns["n_err"]) or "")
        if claimed_errors is not None and int(claimed_errors) != errors:
            differences.append(f"n_err {int(claimed_errors)} (folders: {errors})")
    if "avg_reward" in columns and average is not None:
        claimed_reward = _float(_cell(row, columns["avg_reward"]) or "")
        if claimed_reward is not None and abs(claimed_reward - average) > REWARD_TOLERANCE:
            differences.append(f"avg_reward {claimed_reward:g} (folders: {average:.4g})")
    if differences:
        who = f" for {agent}" if agent else ""
        ctx.problem(
            path,
            f"cached summary disagrees with the episode folders{who}: "
            + "; ".join(differences)
            + " (the episode folders win)",
            line,
        )
