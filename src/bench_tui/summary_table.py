"""The human-readable `summary`: Rich tables over the same dict `summary --json` prints."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from bench_tui.analysis.summary import format_rate
from bench_tui.safetext import visible_tree
from bench_tui.terminal_output import output_console


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def print_summary(data: dict[str, Any], console: Console | None = None) -> None:
    console = console or output_console()
    data = visible_tree(data)  # ids, models and backends come from result files
    runs = Table(title=f"Runs under {data['root']}", title_justify="left", box=box.SIMPLE_HEAD)
    runs.add_column("run", overflow="fold", min_width=16, ratio=3)
    runs.add_column("model", overflow="fold", min_width=10, ratio=2)
    for column in ("tasks", "done", "pass", "success", "steps", "err"):
        runs.add_column(column, justify="right", no_wrap=True)
    for run in data["runs"]:
        flags = (" (live)" if run["live"] else "") + (" (mock)" if run["is_mock"] else "")
        for model in run["models"]:
            runs.add_row(
                run["id"] + flags,
                model["model"],
                str(model["tasks"]),
                str(model["finished"]),
                str(model["succeeded"]),
                format_rate(model["success_rate"]),
                _num(model["mean_steps"]),
                str(model["errors"]),
            )
    console.print(runs)
    if data["evals"]:
        evals = Table(title="Eval reports", title_justify="left", box=box.SIMPLE_HEAD)
        evals.add_column("report", overflow="fold")
        evals.add_column("backend")
        evals.add_column("type acc.", justify="right")
        evals.add_column("click hit", justify="right")
        evals.add_column("ep. success", justify="right")
        for report in data["evals"]:
            metrics = report["metrics"]
            evals.add_row(
                report["id"],
                report["backend"] or "—",
                format_rate(metrics.get("action_type_accuracy")),
                format_rate(metrics.get("click_hit_rate")),
                format_rate(metrics.get("episode_success_rate")),
            )
        console.print(evals)
    if data["trainings"]:
        trainings = Table(title="Trainings", title_justify="left", box=box.SIMPLE_HEAD)
        for column in ("training", "steps", "epochs", "final loss", "best loss"):
            trainings.add_column(column, justify="left" if column == "training" else "right")
        for training in data["trainings"]:
            trainings.add_row(
                training["id"],
                str(training.get("steps")),
                str(training.get("epochs")),
                _num(training.get("final_loss"), 4),
                _num(training.get("best_loss"), 4),
            )
        console.print(trainings)
    if data.get("episodes"):
        episodes = Table(title="Episodes", title_justify="left", box=box.SIMPLE_HEAD)
        episodes.add_column("episode file")
        episodes.add_column("episode id")
        episodes.add_column("steps", justify="right")
        for episode in data["episodes"]:
            episodes.add_row(episode["id"], episode.get("episode_id") or "—", str(episode["steps"]))
        console.print(episodes)
    count = len(data["problems"])
    console.print(
        f"{count} problem{'s' if count != 1 else ''}"
        + (" — run `bench-tui validate` to list them" if count else "")
    )
