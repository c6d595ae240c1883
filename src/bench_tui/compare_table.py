"""The human-readable `compare`: a short Rich summary over the same dict `compare --json` prints."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bench_tui.analysis.summary import format_rate
from bench_tui.model.evalreport import COUNT_METRICS
from bench_tui.safetext import visible, visible_tree
from bench_tui.terminal_output import output_console

MAX_LISTED = 30
"""Regressions listed by name; past this, a count (the JSON has them all)."""

_PERCENT_SUFFIXES = ("_rate", "_accuracy", "_progress", "_step_score")


def _is_rate(metric: str) -> bool:
    return metric.endswith(_PERCENT_SUFFIXES)


def _value(metric: str, value: float | None) -> str:
    if value is None:
        return "—"
    if _is_rate(metric):
        return format_rate(value)
    if metric in COUNT_METRICS:
        return f"{value:.0f}"
    if metric == "mean_duration_s":
        return f"{value:.1f} s"
    if metric == "mean_steps":
        return f"{value:.1f}"
    return f"{value:.3f}"


def _delta(metric: str, entry: dict[str, Any]) -> Text:
    delta = entry["delta"]
    if delta is None:
        return Text("—", style="dim")
    if _is_rate(metric):
        shown = f"{delta * 100:+.1f} pp"
    elif metric in COUNT_METRICS:
        shown = f"{delta:+.0f}"
    elif metric in ("mean_steps", "mean_duration_s"):
        shown = f"{delta:+.1f}"
    else:
        shown = f"{delta:+.3f}"
    higher = entry["higher_is_better"]
    if higher is None or delta == 0:
        return Text(shown)
    return Text(shown, style="green" if (delta > 0) == higher else "red")


def _quadrants(data: dict[str, Any]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_header=True, title_justify="left")
    table.add_column("", no_wrap=True)
    table.add_column("B passed", justify="right")
    table.add_column("B failed", justify="right")
    table.add_row("A passed", str(data["both_pass"]), Text(str(len(data["a_only_pass"])), "red"))
    table.add_row("A failed", Text(str(len(data["b_only_pass"])), "green"), str(data["both_fail"]))
    return table


def print_compare(
    data: dict[str, Any], warnings: list[str], console: Console | None = None
) -> None:
    console = console or output_console()
    # Ids, names and warnings quote result files: every string made visible, on one line.
    data = visible_tree(data)
    warnings = [visible(warning, one_line=True) for warning in warnings]
    console.print(Text.assemble(("A ", "bold"), data["a"], ("  (baseline)", "dim")))
    console.print(Text.assemble(("B ", "bold"), data["b"]))
    runs = data["shared_tasks"] or data["missing"]["a"] or data["missing"]["b"]
    if runs:
        console.print(f"{data['shared_tasks']} shared tasks")
        console.print(_quadrants(data))
        console.print(f"McNemar exact p = {data['mcnemar_p']:.4g} (on the shared tasks)")
    title = f"over the {data['shared_tasks']} shared tasks" if runs else None
    deltas = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    for column in ("metric", "A", "B", "Δ"):
        deltas.add_column(column, justify="left" if column == "metric" else "right")
    for metric, entry in data["metric_deltas"].items():
        deltas.add_row(
            metric, _value(metric, entry["a"]), _value(metric, entry["b"]), _delta(metric, entry)
        )
    console.print(deltas)
    for side in ("a", "b"):
        own = data.get(f"{side}_all")
        if own is not None:
            console.print(
                f"{side.upper()} over all its {own['tasks']} tasks: "
                f"success {_value('success_rate', own['success_rate'])}"
            )
    for side in ("a", "b"):
        pending = data.get("pending", {}).get(side, [])
        if pending:
            console.print(
                Text(
                    f"{len(pending)} pending in {side.upper()} (still running, no outcome yet): "
                    "not compared, never a regression",
                    "yellow",
                )
            )
    gate = data["gate"]
    if gate is not None:
        delta = "—" if gate["delta"] is None else f"{gate['delta']:+.4g}"
        verdict = Text("passed", "green") if gate["passed"] else Text("failed", "bold red")
        console.print(
            Text.assemble(
                f"gate: {gate['metric']} Δ {delta}, needs a gain ≥ {gate['threshold']:g}: ",
                verdict,
            )
        )
    regressions = data["a_only_pass"]
    if regressions:
        noun = "regression" if len(regressions) == 1 else "regressions"
        console.print(Text(f"{len(regressions)} {noun} (A passed, B failed):", "bold red"))
        for task_id in regressions[:MAX_LISTED]:
            console.print(f"  {task_id}", markup=False, highlight=False)
        if len(regressions) > MAX_LISTED:
            console.print(f"  … and {len(regressions) - MAX_LISTED} more (see --json)")
    elif runs:
        console.print(Text("no regressions", "green"))
    for warning in warnings:
        console.print(Text(f"warning: {warning}", "yellow"))
