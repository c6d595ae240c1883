"""`i` on a run page: why tasks failed, how this model did over time, which tasks are hardest."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen

from bench_tui.analysis.failures import difficulty_ranking, group_failures
from bench_tui.analysis.regressions import (
    is_partial,
    run_series,
    series_regressions,
    success_over_time,
)
from bench_tui.analysis.summary import format_rate
from bench_tui.model import Run
from bench_tui.render.charts import sparkline
from bench_tui.tui.palette import BAD, GOOD, WARN
from bench_tui.tui.widgets.fitted_footer import FittedFooter
from bench_tui.tui.widgets.safe_static import SafeStatic

SHOWN = 15


def failure_table(run: Run, model: str) -> Table:
    table = Table(title="failures by cause", title_justify="left", box=None, expand=True)
    table.add_column("tasks", justify="right")
    table.add_column("cause", ratio=3)
    table.add_column("examples", ratio=2, no_wrap=True)
    groups = group_failures(run, model)
    for group in groups[:SHOWN]:
        table.add_row(str(group.count), group.cause, ", ".join(group.task_ids[:3]))
    if not groups:
        table.add_row("0", Text("no failures", style="dim"), "")
    return table


def series_text(runs: list[Run], run: Run, model: str) -> Text:
    series = run_series(runs).get((run.benchmark, model), [run])
    rates = success_over_time(series, model)
    text = Text(
        f"{model} on {run.benchmark or 'this benchmark'}: {len(series)} run(s)\n", style="bold"
    )
    text.append("success over time  ")
    text.append(sparkline(rates), style=GOOD)
    text.append(f"  {' → '.join(format_rate(r) for r in rates[-6:])}\n")
    for member, rate in zip(series, rates, strict=False):
        marker = "▶ " if member.id == run.id else "  "
        date = f"{member.created_at:%Y-%m-%d %H:%M}" if member.created_at else "no date"
        text.append(f"{marker}{date}  {format_rate(rate):>6}  {member.label}")
        if is_partial(member, model):
            text.append("  partial", style=WARN)
        text.append("\n")
    regressions = series_regressions(series, model)
    text.append(f"\nregressions between consecutive runs: {len(regressions)}\n", style="bold")
    labels = {member.id: member.label for member in series}
    for regression in regressions[:SHOWN]:
        text.append(
            f"  {regression.task_id}: passed in {labels.get(regression.passed_in, regression.passed_in)}, "
            f"fails in {labels.get(regression.failed_in, regression.failed_in)}\n",
            style=BAD,
        )
    return text


def difficulty_table(runs: list[Run], run: Run) -> Table:
    sharing = [other for other in runs if other.benchmark == run.benchmark] or [run]
    table = Table(
        title=f"hardest tasks across {len(sharing)} run(s) of this benchmark",
        title_justify="left",
        box=None,
        expand=True,
    )
    for column in ("task", "failed", "attempts", "mean steps"):
        table.add_column(column, justify="left" if column == "task" else "right")
    for entry in difficulty_ranking(sharing)[:SHOWN]:
        table.add_row(
            entry.task_id,
            str(entry.failures),
            str(entry.attempts),
            "—" if entry.mean_steps is None else f"{entry.mean_steps:.1f}",
        )
    return table


class InsightsScreen(Screen[None]):
    HELP_TITLE: ClassVar[str] = "Insights"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back", id="back")]

    def __init__(self, run: Run, model: str, runs: list[Run]) -> None:
        super().__init__()
        self.run, self.model, self.runs = run, model, runs

    def compose(self) -> ComposeResult:
        yield SafeStatic(
            Text(f"Insights — {self.model} · {self.run.label}", style="bold"),
            classes="screen-heading",
        )
        with VerticalScroll(id="insights-box"):
            yield SafeStatic(failure_table(self.run, self.model), id="insights-failures")
            with Horizontal(id="insights-row"):
                yield SafeStatic(series_text(self.runs, self.run, self.model), id="insights-series")
                yield SafeStatic(difficulty_table(self.runs, self.run), id="insights-difficulty")
        yield FittedFooter()
