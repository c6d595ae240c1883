"""The human-readable `repeats`: Rich tables over the same dict `repeats --json` prints."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from bench_tui.analysis.summary import format_rate
from bench_tui.render.marks import trial_marks
from bench_tui.safetext import visible_tree
from bench_tui.terminal_output import output_console

MAX_LISTED = 30
"""Flaky tasks listed per model; past this, a count (the JSON has them all)."""


def print_repeats(data: dict[str, Any], console: Console | None = None) -> None:
    console = console or output_console()
    data = visible_tree(data)  # models and task ids come from result files
    if not data["models"]:
        console.print("no task was run more than once by the same model")
        return
    models = Table(title="Trials per model", title_justify="left", box=box.SIMPLE_HEAD)
    models.add_column("model", overflow="fold")
    for column in ("tasks ≥2 trials", "k", "pass@1", "pass@k", "pass^k", "flaky"):
        models.add_column(column, justify="right", no_wrap=True)
    for entry in data["models"]:
        models.add_row(
            entry["model"],
            str(entry["tasks_with_trials"]),
            str(entry["k"]),
            format_rate(entry["pass_at_1"]),
            format_rate(entry["pass_at_k"]),
            format_rate(entry["pass_hat_k"]),
            str(len(entry["flaky"])),
        )
    console.print(models)
    by_model: dict[str, list[dict[str, Any]]] = {}
    for task in data["tasks"]:
        if task["flaky"]:
            by_model.setdefault(task["model"], []).append(task)
    for model, tasks in by_model.items():
        flaky = Table(
            title=f"Flaky tasks of {model} (passed in some trials, failed in others)",
            title_justify="left",
            box=box.SIMPLE_HEAD,
        )
        flaky.add_column("task", overflow="fold")
        flaky.add_column("passes", justify="right", no_wrap=True)
        flaky.add_column("trials, oldest first", no_wrap=True)
        for task in tasks[:MAX_LISTED]:
            flaky.add_row(
                task["task_id"], f"{task['passes']}/{task['trials']}", trial_marks(task["statuses"])
            )
        console.print(flaky)
        if len(tasks) > MAX_LISTED:
            console.print(f"… and {len(tasks) - MAX_LISTED} more (--json lists them all)")
