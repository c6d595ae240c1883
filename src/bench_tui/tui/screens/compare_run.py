"""Two runs (or two models of one run) side by side: quadrants, metric deltas, regressions."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from bench_tui.analysis.compare import (
    QUADRANTS,
    outcome_matrix,
    run_metric_deltas,
    task_label,
    task_quadrants,
    task_set_warnings,
)
from bench_tui.analysis.summary import figures
from bench_tui.model import Execution, Run
from bench_tui.tui.screens.run import result_cell
from bench_tui.tui.widgets.metric_cards import Card, MetricCards
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable

QUADRANT_LABELS = {
    "both_pass": "both pass",
    "a_only": "A only (regressed)",
    "b_only": "B only (gained)",
    "both_fail": "both fail",
    "missing_a": "missing in A",
    "missing_b": "missing in B",
}
QUADRANT_STYLES = {
    "both_pass": "green",
    "a_only": "bold red",
    "b_only": "bold green",
    "both_fail": "red",
    "missing_a": "dim",
    "missing_b": "dim",
}
CYCLE = (None, *QUADRANTS)


def _fmt(value: float | None, metric: str) -> str:
    if value is None:
        return "—"
    if metric == "success_rate":
        return f"{value * 100:.1f}%"
    return f"{value:.2f}"


class CompareRunScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("v", "cycle_quadrant", "Cycle quadrant filter", id="cycle_quadrant"),
        Binding("a", "quadrant('a_only')", "A only", id="a_only"),
        Binding("b", "quadrant('b_only')", "B only", id="b_only"),
        Binding("0", "quadrant('')", "All tasks", id="all_tasks"),
    ]

    def __init__(self, run_a: Run, model_a: str, run_b: Run, model_b: str, root: Path) -> None:
        super().__init__()
        self.run_a, self.model_a, self.run_b, self.model_b = run_a, model_a, run_b, model_b
        self.root = root
        self.quadrants = task_quadrants(run_a, run_b, model_a, model_b)
        self.matrix = outcome_matrix(run_a, run_b, model_a, model_b)
        self.exec_a = {(e.task_id, e.seed): e for e in run_a.executions if e.model == model_a}
        self.exec_b = {(e.task_id, e.seed): e for e in run_b.executions if e.model == model_b}
        self.quadrant: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._heading(), classes="screen-heading", id="cmpr-heading")
        yield MetricCards(id="cmpr-cards")
        with Horizontal(id="cmpr-breakdown"):
            yield Static(self._deltas(), id="cmpr-deltas")
            yield Static(self._regressions(), id="cmpr-regressions")
        yield VirtualTable(
            [
                Column("task", "task", 30),
                Column("domain", "domain", 14, optional=True),
                Column("instruction", "instruction", flex=True),
                Column("a", "A", 9),
                Column("b", "B", 9),
                Column("quadrant", "outcome", 18),
            ],
            id="cmpr-table",
            empty_text="No task in this quadrant.",
        )
        yield Footer()

    def on_mount(self) -> None:
        matrix = self.matrix
        cards = [
            Card("both pass", str(matrix.both_pass), "", ""),
            Card(
                "A only",
                str(len(matrix.a_only_pass)),
                "regressed (a)",
                "bad" if matrix.a_only_pass else "",
            ),
            Card(
                "B only",
                str(len(matrix.b_only_pass)),
                "gained (b)",
                "good" if matrix.b_only_pass else "",
            ),
            Card("both fail", str(matrix.both_fail), ""),
            Card("missing", f"{len(matrix.missing_a)} / {len(matrix.missing_b)}", "in A / in B"),
            Card("McNemar p", f"{matrix.mcnemar_p:.3g}", f"{matrix.shared_tasks} shared tasks"),
        ]
        self.query_one(MetricCards).show(cards)
        self._fill()
        self.query_one(VirtualTable).focus()

    def _heading(self) -> Text:
        text = Text()
        text.append("A ", style="bold red")
        text.append(f"{self.model_a} · {self.run_a.label}   ")
        text.append("B ", style="bold blue")
        text.append(f"{self.model_b} · {self.run_b.label}")
        for warning in task_set_warnings(self.matrix):
            text.append(f"\n⚠ {warning}", style="yellow")
        return text

    def _deltas(self) -> Table:
        deltas = run_metric_deltas(
            figures([e for e in self.run_a.executions if e.model == self.model_a]),
            figures([e for e in self.run_b.executions if e.model == self.model_b]),
        )
        table = Table(title="metrics (B − A)", title_justify="left", box=None, expand=True)
        for column in ("metric", "A", "B", "Δ"):
            table.add_column(column, justify="left" if column == "metric" else "right")
        for metric, delta in deltas.items():
            if delta.delta is None:
                shown = Text("—", style="dim")
            else:
                style = "green" if delta.improved else ("red" if delta.delta else "")
                shown = Text(
                    f"{delta.delta * 100:+.1f} pp"
                    if metric == "success_rate"
                    else f"{delta.delta:+.2f}",
                    style=style,
                    justify="right",
                )
            table.add_row(metric, _fmt(delta.a, metric), _fmt(delta.b, metric), shown)
        return table

    def _regressions(self) -> Text:
        regressed = self.matrix.regressions
        text = Text(f"regressions: {len(regressed)} (passed in A, fail in B)\n", style="bold")
        for task in regressed[:8]:
            text.append(f"  {task}\n", style="red")
        if len(regressed) > 8:
            text.append(f"  … {len(regressed) - 8} more (press a)\n", style="dim")
        return text

    def _fill(self) -> None:
        tasks = {t.task_id: t for t in (*self.run_a.tasks, *self.run_b.tasks)}
        rows = []
        order = {name: index for index, name in enumerate(QUADRANTS)}
        for key, quadrant in sorted(
            self.quadrants.items(), key=lambda kv: (order[kv[1]], kv[0][0], kv[0][1] or 0)
        ):
            if self.quadrant and quadrant != self.quadrant:
                continue
            task = tasks.get(key[0])
            rows.append(
                Row(
                    key=key,
                    cells=(
                        task_label(key),
                        (task.domain if task else None) or "—",
                        (task.instruction if task else None) or "",
                        result_cell(self.exec_a.get(key)),
                        result_cell(self.exec_b.get(key)),
                        Text(QUADRANT_LABELS[quadrant], style=QUADRANT_STYLES[quadrant]),
                    ),
                )
            )
        self.query_one(VirtualTable).set_rows(rows, keep_cursor=False)

    def action_quadrant(self, quadrant: str) -> None:
        self.quadrant = quadrant or None
        self._fill()
        if self.quadrant:
            self.notify(f"showing: {QUADRANT_LABELS[self.quadrant]}", timeout=1)

    def action_cycle_quadrant(self) -> None:
        index = CYCLE.index(self.quadrant)
        self.action_quadrant(CYCLE[(index + 1) % len(CYCLE)] or "")

    @on(VirtualTable.RowSelected, "#cmpr-table")
    def _open_task(self, event: VirtualTable.RowSelected) -> None:
        from bench_tui.tui.screens.compare_task import CompareTaskScreen

        exec_a: Execution | None = self.exec_a.get(event.key)
        exec_b: Execution | None = self.exec_b.get(event.key)
        if exec_a is None or exec_b is None:
            self.notify("this task ran on one side only", timeout=2)
            return
        self.app.push_screen(CompareTaskScreen(self.run_a, exec_a, self.run_b, exec_b, self.root))
