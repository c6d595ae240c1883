"""Eval reports: every report's metrics, base vs fine-tuned deltas, bar charts and the LoRA gate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen

from bench_tui.analysis.evaldelta import eval_metric_deltas
from bench_tui.analysis.evalpairs import (
    EvalPair,
    GateSettings,
    gate_settings,
    pair_gate,
    pair_reports,
    report_labels,
    report_role,
)
from bench_tui.analysis.summary import format_rate
from bench_tui.model import KNOWN_METRICS, EvalReport, higher_is_better
from bench_tui.model.evalreport import COUNT_METRICS, LOWER_IS_BETTER
from bench_tui.render.charts import bar
from bench_tui.render.labels import fit_distinct
from bench_tui.tui.palette import BAD_BADGE, BAD_BOLD, GOOD, GOOD_BADGE, GOOD_BOLD, INFO, WARN
from bench_tui.tui.widgets.fitted_footer import FittedFooter
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable

# Short headers for the wide report table; the pair table and charts use the full names.
SHORT_NAMES: dict[str, str] = {
    "num_episodes": "eps",
    "num_steps": "steps",
    "action_type_accuracy": "type",
    "mean_coord_error": "dist",
    "coord_error_count": "n dist",
    "episode_success_rate": "ep ok",
    "click_hit_rate": "click",
    "bbox_hit_rate": "bbox",
    "mean_episode_progress": "prog",
    "mean_episode_step_score": "score",
    "weak_episode_success_rate": "weak",
    "state_success_rate": "state",
    "element_accuracy": "elem",
}
ROLE_LABEL = {"base": "base", "finetuned": "ft", "other": ""}
# Bars tell the roles apart by pattern as well as colour: NO_COLOR and monochrome terminals too.
BAR_FILL = {"finetuned": "█", "base": "░", "other": "▓"}
BAR_STYLE = {"finetuned": GOOD, "base": "dim", "other": INFO}
BAR_WIDTH = 30
CHART_LABEL_W = 24
NAME_ROOM = 24
"""Cells a report name gets in a gate line before the line says less to make room."""


def format_metric(metric: str, value: float | None) -> str:
    """Rates as one-decimal percentages, counts as integers, missing as "—" (never 0)."""
    if value is None:
        return "—"
    if metric in COUNT_METRICS:
        return f"{value:.0f}"
    if metric in LOWER_IS_BETTER:
        return f"{value:.3f}"
    if metric not in KNOWN_METRICS and not 0 <= value <= 1:
        return f"{value:g}"  # an unknown metric that is not a rate: show it as written
    return format_rate(value)


def format_delta(metric: str, delta: float | None) -> Text:
    """Coloured by whether the change is an improvement for this metric."""
    if delta is None:
        return Text("—", style="dim")
    if metric in COUNT_METRICS:
        return Text(f"{delta:+.0f}", style="dim")
    text = f"{delta:+.3f}" if metric in LOWER_IS_BETTER else f"{delta * 100:+.1f} pp"
    better = higher_is_better(metric)
    if delta == 0 or better is None:
        return Text(text, style="dim")
    improved = delta > 0 if better else delta < 0
    return Text(text, style=GOOD_BOLD if improved else BAD_BOLD)


def metric_names(reports: Sequence[EvalReport]) -> list[str]:
    """The 13 known metrics, then any unknown numeric ones the reports carry."""
    extra = sorted({m for r in reports for m in r.metrics if m not in KNOWN_METRICS})
    return [*KNOWN_METRICS, *extra]


def gate_text(
    pair: EvalPair,
    settings: GateSettings,
    *,
    raw: bool = False,
    labels: Mapping[str, str] | None = None,
    prefix: bool = True,
) -> Text:
    """`PASS  LoRA gate · metric: ft 61.2% − base 27.4% = +33.8 pp ≥ 20.0 pp`.

    Reports are named by `labels` (evalpairs.report_labels), so two pairs never read alike.
    """
    names = labels or {}
    gate = pair_gate(pair, settings)
    metric = gate.metric
    text = Text()
    text.append(
        " PASS " if gate.passed else " FAIL ",
        style=GOOD_BADGE if gate.passed else BAD_BADGE,
    )
    text.append(f"  LoRA gate · {metric}: " if prefix else "  ")
    text.append(names.get(pair.finetuned.id, pair.finetuned.name), style="bold")
    text.append(f" {format_metric(metric, pair.finetuned.metrics.get(metric))}  −  ")
    text.append(names.get(pair.base.id, pair.base.name), style="bold")
    text.append(f" {format_metric(metric, pair.base.metrics.get(metric))}")
    if gate.delta is None:
        text.append("  not measured on both sides", style=WARN)
    else:
        rate = metric not in COUNT_METRICS and metric not in LOWER_IS_BETTER
        need = f"{gate.threshold * 100:.1f} pp" if rate else f"{gate.threshold:g}"
        text.append("  =  ")
        text.append_text(format_delta(metric, gate.delta))
        text.append(f"  {'≥' if gate.passed else '<'} {need}")
        if metric in LOWER_IS_BETTER:
            text.append(" (a drop counts as the gain)", style="dim")
        if raw:
            text.append(f"  (raw {gate.delta:+.4f} vs {gate.threshold:g})", style="dim")
    if settings.note:
        text.append(f"  ⚠ {settings.note}", style=WARN)
    return text


def gate_lines(
    pairs: Sequence[EvalPair],
    settings: GateSettings,
    labels: Mapping[str, str],
    width: int,
    *,
    raw: bool = False,
    current: int | None = None,
) -> Text:
    """Every pair's gate, one line each (the widget keeps them unwrapped), within `width`
    cells where the figures allow.

    The report names are cut to the room the figures leave (render/labels.py), so no two
    reports read alike at any width; `current` marks one pair with ▸.
    """
    if not pairs:
        return Text()
    marker = 0 if current is None else 2
    blank = {r.id: "" for pair in pairs for r in (pair.base, pair.finetuned)}
    ids = list(blank)

    def name_cells(report: EvalReport) -> int:
        return min(NAME_ROOM, len(labels.get(report.id, report.id)))

    # The most said that leaves every name NAME_ROOM cells (or its length): the raw figures go
    # first, then the gate's name (a heading may say it).
    for with_raw, prefix in ((raw, True), (False, True), (False, False)):
        fixed = [
            len(gate_text(pair, settings, raw=with_raw, labels=blank, prefix=prefix).plain)
            for pair in pairs
        ]
        needed = max(
            cells + name_cells(pair.base) + name_cells(pair.finetuned) + marker
            for cells, pair in zip(fixed, pairs, strict=True)
        )
        if needed <= width:
            room = NAME_ROOM
            break
    else:
        room = max(8, (width - marker - max(fixed)) // 2)
    fitted = fit_distinct([labels.get(key, key) for key in ids], room)
    names = dict(zip(ids, fitted, strict=True))
    lines = []
    for index, pair in enumerate(pairs):
        line = Text()
        if current is not None:
            line.append("▸ " if index == current else "  ", style="bold")
        line.append_text(gate_text(pair, settings, raw=with_raw, labels=names, prefix=prefix))
        lines.append(line)
    return Text("\n").join(lines)


class EvalsScreen(Screen[None]):
    """All eval reports given; the pair of the report under the cursor drives the delta table."""

    HELP_TITLE: ClassVar[str] = "Eval reports"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("left_square_bracket", "pair(-1)", "Prev pair", id="prev_pair"),
        Binding("right_square_bracket", "pair(1)", "Next pair", id="next_pair"),
    ]

    def __init__(
        self,
        reports: Sequence[EvalReport],
        root: Path,
        *,
        focus_id: str | None = None,
        title: str = "Eval reports",
    ) -> None:
        super().__init__()
        self.reports = list(reports)
        self.root = root
        self.focus_id = focus_id
        self.title_text = title
        self.settings = gate_settings()
        self.pairs = pair_reports(self.reports)
        self.labels = report_labels(self.reports)
        self.pair_index = 0
        self.metrics = metric_names(self.reports)

    def compose(self) -> ComposeResult:
        yield SafeStatic(self._heading(), id="evals-heading", classes="screen-heading")
        with VerticalScroll(id="evals-gates-box"):
            yield SafeStatic(self._gates(), id="evals-gates")
        yield VirtualTable(self._columns(), id="evals-report-table", empty_text="No eval reports.")
        with Horizontal(id="evals-body"):
            with VerticalScroll(id="evals-pair-box"):
                yield SafeStatic(id="evals-pair")
            with VerticalScroll(id="evals-charts-box"):
                yield SafeStatic(self._charts(), id="evals-charts")
        yield FittedFooter()

    def on_mount(self) -> None:
        table = self.query_one("#evals-report-table", VirtualTable)
        table.set_rows(self._rows())
        # Without a report asked for, start on the first fine-tuned report: its pair is the news.
        focus = self.focus_id or (self.pairs[0].finetuned.id if self.pairs else None)
        if focus is not None:
            table.move_cursor_to_key(focus)
        table.focus()
        self._follow_cursor(table.cursor_key)

    def _heading(self) -> Text:
        text = Text(self.title_text, style="bold")
        pairs = (
            "1 base/fine-tuned pair"
            if len(self.pairs) == 1
            else f"{len(self.pairs)} base/fine-tuned pairs"
        )
        text.append(f"  {len(self.reports)} reports, {pairs}")
        text.append(
            f"  ·  gate: {self.settings.metric} Δ ≥ {self.settings.threshold:g}", style="dim"
        )
        return text

    def _gates(self) -> Text:
        """Every pair's gate, one line each; ▸ marks the pair shown below ([ ] move it)."""
        if not self.pairs:
            return Text(
                "No base/fine-tuned pair: the gate needs two sibling reports named with "
                "base and ft / finetuned / lora.",
                style="dim",
            )
        width = (self.size.width or self.app.size.width) - 2  # the box's padding
        return gate_lines(
            self.pairs, self.settings, self.labels, width, raw=True, current=self.pair_index
        )

    def on_resize(self) -> None:
        self._show_gates()

    def _show_gates(self) -> None:
        self.query_one("#evals-gates", SafeStatic).update(self._gates())
        if self.pairs:
            box = self.query_one("#evals-gates-box", VerticalScroll)
            box.scroll_to(y=self.pair_index, animate=False, immediate=True)

    def _columns(self) -> list[Column]:
        columns = [
            Column("report", "report", flex=True, keep_end=True),
            Column("role", "role", 4),
            Column("backend", "backend", 8, optional=True),
        ]
        for metric in self.metrics:
            label = SHORT_NAMES.get(metric, metric[:6])
            width = 6 if metric not in COUNT_METRICS else max(5, len(label))
            columns.append(Column(metric, label, max(width, len(label)), justify="right"))
        return columns

    def _rows(self) -> list[Row]:
        return [
            Row(
                key=report.id,
                cells=(
                    report.id,
                    ROLE_LABEL[report_role(report)],
                    report.backend or "—",
                    *[format_metric(m, report.metrics.get(m)) for m in self.metrics],
                ),
                sort_values=(
                    report.id,
                    report_role(report),
                    report.backend,
                    *[report.metrics.get(m) for m in self.metrics],
                ),
            )
            for report in self.reports
        ]

    # ----- the pair and the charts ---------------------------------------------------------
    @on(VirtualTable.CursorMoved, "#evals-report-table")
    def _cursor_moved(self, event: VirtualTable.CursorMoved) -> None:
        self._follow_cursor(event.key)

    def _follow_cursor(self, key: str | None) -> None:
        for index, pair in enumerate(self.pairs):
            if key in (pair.base.id, pair.finetuned.id):
                self.pair_index = index
                break
        self._show_pair(key)
        self._show_gates()

    def action_pair(self, delta: int) -> None:
        if self.pairs:
            self.pair_index = (self.pair_index + delta) % len(self.pairs)
            self._show_pair(None)
            self._show_gates()

    def _show_pair(self, key: str | None) -> None:
        panel = self.query_one("#evals-pair", SafeStatic)
        report = next((r for r in self.reports if r.id == key), None)
        in_pair = self.pairs and (key is None or report is None or self._pair_holds(key))
        if in_pair:
            panel.update(self._pair_table(self.pairs[self.pair_index]))
        elif report is not None:
            panel.update(self._report_table(report))
        else:
            panel.update(Text("No report selected.", style="dim"))

    def _pair_holds(self, key: str) -> bool:
        pair = self.pairs[self.pair_index]
        return key in (pair.base.id, pair.finetuned.id)

    def _pair_table(self, pair: EvalPair) -> Table:
        # The names go in the title, which wraps: a column header would cut them alike.
        title = Text(f"pair {self.pair_index + 1}/{len(self.pairs)}: ")
        title.append(self.labels.get(pair.finetuned.id, pair.finetuned.name), style="bold")
        title.append(" (ft) vs ")
        title.append(self.labels.get(pair.base.id, pair.base.name), style="bold")
        title.append(f" (base), matched on {pair.matched_on}")
        table = Table(title=title, title_justify="left", expand=True, box=None, padding=(0, 1))
        table.add_column("metric", no_wrap=True)
        table.add_column("base", justify="right")
        table.add_column("ft", justify="right")
        table.add_column("Δ ft − base", justify="right", no_wrap=True)
        deltas = eval_metric_deltas(pair.base, pair.finetuned)
        for metric in self.metrics:
            base, tuned = pair.base.metrics.get(metric), pair.finetuned.metrics.get(metric)
            entry = deltas.get(metric)
            delta = entry.delta if entry is not None else None
            name = Text(metric)
            if metric == self.settings.metric:
                name.stylize("bold underline")
            if metric in LOWER_IS_BETTER:
                name.append(" ↓", style="dim")
            table.add_row(
                name,
                format_metric(metric, base),
                format_metric(metric, tuned),
                format_delta(metric, delta),
            )
        return table

    def _report_table(self, report: EvalReport) -> Table:
        table = Table(
            title=f"{self.labels.get(report.id, report.name)} (not part of a pair)",
            title_justify="left",
            expand=True,
            box=None,
            padding=(0, 1),
        )
        table.add_column("metric", no_wrap=True)
        table.add_column("value", justify="right")
        for metric in self.metrics:
            table.add_row(metric, format_metric(metric, report.metrics.get(metric)))
        return table

    def _charts(self) -> Text:
        """One bar per report for each measured metric (counts have no common scale: left out)."""
        text = Text()
        for role, label in (("finetuned", "fine-tuned"), ("base", "base"), ("other", "other")):
            text.append(BAR_FILL[role] * 2, style=BAR_STYLE[role])
            text.append(f" {label}   ")
        width = min(max((len(name) for name in self.labels.values()), default=10), CHART_LABEL_W)
        names = dict(
            zip(
                self.labels,
                fit_distinct(list(self.labels.values()), width),
                strict=True,
            )
        )
        for metric in self.metrics:
            if metric in COUNT_METRICS:
                continue
            values = [r.metrics.get(metric) for r in self.reports]
            measured = [v for v in values if v is not None]
            if not measured:
                continue
            lower = metric in LOWER_IS_BETTER
            scale = max(measured) if lower or max(measured) > 1 else 1.0
            text.append(f"\n\n{metric}", style="bold")
            text.append(" (lower is better)" if lower else "", style="dim")
            for report, value in zip(self.reports, values, strict=True):
                role = report_role(report)
                fraction = None if value is None or scale <= 0 else value / scale
                text.append(f"\n{names.get(report.id, report.name):<{width}} ")
                text.append(_pattern_bar(fraction, BAR_WIDTH, role), style=BAR_STYLE[role])
                text.append(f" {format_metric(metric, value)}")
        return text


def _pattern_bar(fraction: float | None, width: int, role: str) -> str:
    """Fine-tuned bars keep eighth-cell precision; the others are drawn in their pattern."""
    if fraction is None:
        return "·" * width
    if role == "finetuned":
        return bar(fraction, width)
    cells = round(max(0.0, min(1.0, fraction)) * width)
    return (BAR_FILL[role] * cells).ljust(width)
