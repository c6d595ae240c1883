"""The human-readable `audit`: Rich tables over the same dict `audit --json` prints."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from bench_tui.analysis.summary import format_rate
from bench_tui.safetext import visible_tree
from bench_tui.terminal_output import output_console


def print_audit(data: dict[str, Any], console: Console | None = None) -> None:
    console = console or output_console()
    data = visible_tree(data)  # run ids, models, task ids and notes come from files and people
    runs = Table(title="Checker audit per run and model", title_justify="left", box=box.SIMPLE_HEAD)
    runs.add_column("run", overflow="fold", ratio=3)
    runs.add_column("model", overflow="fold", ratio=2)
    for column in ("tasks", "checker", "reviewed", "→pass", "→fail", "after review", "agree"):
        runs.add_column(column, justify="right", no_wrap=True)
    for entry in data["runs"]:
        reviewed = entry["reviewed"]
        runs.add_row(
            entry["run"],
            entry["model"],
            str(entry["tasks"]),
            format_rate(entry["checker_success_rate"]),
            str(reviewed),
            str(entry["overturned_to_pass"]),
            str(entry["overturned_to_fail"]),
            format_rate(entry["corrected_success_rate"]) if reviewed else "—",
            format_rate(entry["agreement"]),
        )
    console.print(runs)
    if not data["overturned"]:
        console.print("no checker verdict overturned yet (label a task `checker wrong: …`)")
        return
    overturned = Table(title="Overturned verdicts", title_justify="left", box=box.SIMPLE_HEAD)
    overturned.add_column("run", overflow="fold")
    overturned.add_column("model", overflow="fold")
    overturned.add_column("task", overflow="fold")
    overturned.add_column("checker", no_wrap=True)
    overturned.add_column("should", no_wrap=True)
    overturned.add_column("note", overflow="fold")
    for item in data["overturned"]:
        task = item["task_id"] if item["seed"] is None else f"{item['task_id']} seed {item['seed']}"
        overturned.add_row(
            item["run"],
            item["model"],
            task,
            item["checker"],
            item["label"].rsplit(" ", 1)[-1],
            item["note"] or "",
        )
    console.print(overturned)
