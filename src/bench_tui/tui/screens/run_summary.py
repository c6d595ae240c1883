"""The top of the run page: heading, metric cards, success by domain, and the models."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from bench_tui.analysis.summary import Figures, ModelFigures, format_rate
from bench_tui.model import LiveProgress, Run
from bench_tui.render.charts import bar
from bench_tui.triage.audit import RunAudit
from bench_tui.tui.cells import format_seconds, short_model
from bench_tui.tui.palette import ACCENT, GOOD, GOOD_BOLD
from bench_tui.tui.widgets.metric_cards import Card


def _errors_line(fig: Figures) -> str:
    """What the errors card's figure is made of, e.g. "with errors (1 infra, 1 no verdict)"."""
    parts = []
    if fig.infra:
        parts.append(f"{fig.infra} infra")
    if fig.errors:
        parts.append(f"{fig.errors} no verdict")
    noun = "task" if fig.with_errors == 1 else "tasks"
    return f"{noun} with errors" + (f" ({', '.join(parts)})" if parts else "")


def remaining_eta(progress: LiveProgress, now: float) -> float | None:
    """The ETA less the time since it was estimated, so it counts down between refreshes."""
    if progress.eta_s is None:
        return None
    if progress.as_of is None:
        return progress.eta_s
    return max(0.0, progress.eta_s - max(0.0, now - progress.as_of))


def run_heading(run: Run, now: float) -> Text:
    """The run's name, id, format, benchmark, date, and a live run's progress."""
    text = Text()
    text.append(run.label, style="bold")
    text.append(f"  {run.id}  ·  {run.format}")
    if run.benchmark:
        text.append(f" · {run.benchmark}")
    if run.created_at:
        text.append(f" · {run.created_at:%Y-%m-%d %H:%M}")
    if run.is_mock:
        text.append("  mock run", style=ACCENT)
    if run.live and run.progress:
        progress = run.progress
        total = f"/{progress.total}" if progress.total is not None else ""
        text.append(f"  LIVE {progress.done}{total} done", style=GOOD_BOLD)
        eta = remaining_eta(progress, now)
        if eta is not None:
            text.append(f", ETA {format_seconds(eta)}", style=GOOD)
    return text


def model_cards(model: ModelFigures, index: int, count: int, audit: RunAudit) -> list[Card]:
    """The cards of one model (`index` of `count`): the rate after review beside the checker's."""
    fig = model.overall
    label = f"{model.model}" + (f"  (m: {index + 1}/{count})" if count > 1 else "")
    success, success_sub = (
        format_rate(fig.success_rate),
        f"{fig.succeeded}/{fig.tasks} of all tasks",
    )
    if audit.reviewed:
        # Beside the checker's rate, never instead of it: `summary --json` keeps the checker's.
        success += f" → {format_rate(audit.corrected_success_rate)}"
        success_sub = "after review"
    cards = [
        Card(
            "success",
            success,
            success_sub,
            "good" if fig.success_rate >= 0.5 else "",
        ),
        Card(
            "finished",
            f"{fig.finished}/{fig.tasks}",
            f"{format_rate(fig.finished_only_rate)} of finished",
        ),
        Card("errors", str(fig.with_errors), _errors_line(fig), "bad" if fig.with_errors else ""),
        Card(
            "mean steps",
            "—" if fig.mean_steps is None else f"{fig.mean_steps:.1f}",
            "finished tasks",
        ),
        Card("mean time", format_seconds(fig.mean_duration_s), "per finished task"),
        Card("model", short_model(model.model, 24), label if count > 1 else ""),
    ]
    return cards


def domain_table(model: ModelFigures) -> Table:
    table = Table(
        title="success by domain", title_justify="left", expand=True, box=None, padding=(0, 1)
    )
    # The domain's whole name before any bar: the bar is cropped to what is left.
    table.add_column("domain", no_wrap=True)
    table.add_column("pass", justify="right", no_wrap=True)
    table.add_column("rate", justify="right", no_wrap=True)
    table.add_column("", ratio=1, no_wrap=True, overflow="crop")
    for domain, fig in model.by_domain.items():
        table.add_row(
            domain,
            f"{fig.succeeded}/{fig.tasks}",
            format_rate(fig.success_rate),
            Text(bar(fig.success_rate, 20), style=GOOD),
        )
    return table


def model_table(models: list[ModelFigures], current: int) -> Table:
    """Every model of the run, the one shown in bold."""
    table = Table(title="models", title_justify="left", expand=True, box=None, padding=(0, 1))
    table.add_column("model", no_wrap=True)
    table.add_column("success", justify="right")
    table.add_column("done", justify="right")
    table.add_column("err", justify="right")
    table.add_column("steps", justify="right")
    for index, entry in enumerate(models):
        fig = entry.overall
        style = "bold" if index == current else ""
        table.add_row(
            Text(entry.model, style=style),
            format_rate(fig.success_rate),
            f"{fig.finished}/{fig.tasks}",
            str(fig.errors),
            "—" if fig.mean_steps is None else f"{fig.mean_steps:.1f}",
        )
    return table
