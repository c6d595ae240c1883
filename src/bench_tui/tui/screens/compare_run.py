"""Two runs (or two models of one run) side by side: quadrants, metric deltas, regressions."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen

from bench_tui.analysis.compare import (
    QUADRANTS,
    baseline_first,
    outcome_matrix,
    own_figures,
    shared_metric_deltas,
    task_label,
    task_quadrants,
    task_set_warnings,
)
from bench_tui.model import Execution, Run
from bench_tui.triage.blind import (
    PREFERENCE_CHOICES,
    PREFERENCE_LABELS,
    blind_assignment,
    blind_order,
    current_preference,
    preference_labels,
    reveal,
)
from bench_tui.triage.labels import load_label_set
from bench_tui.triage.store import TriageStore
from bench_tui.tui.cells import result_cell
from bench_tui.tui.palette import BAD, BAD_BOLD, GOOD, GOOD_BOLD, INFO_BOLD, WARN, WARN_BOLD
from bench_tui.tui.screens.compare_task import CompareTaskScreen
from bench_tui.tui.screens.triage import RevealScreen, TriageScreen
from bench_tui.tui.widgets.fitted_footer import FittedFooter
from bench_tui.tui.widgets.metric_cards import Card, MetricCards
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable

QUADRANT_LABELS = {
    "both_pass": "both pass",
    "a_only": "A only (regressed)",
    "b_only": "B only (gained)",
    "both_fail": "both fail",
    "missing_a": "missing in A",
    "missing_b": "missing in B",
    "pending_a": "pending in A",
    "pending_b": "pending in B",
}
QUADRANT_STYLES = {
    "both_pass": GOOD,
    "a_only": BAD_BOLD,
    "b_only": GOOD_BOLD,
    "both_fail": BAD,
    "missing_a": "dim",
    "missing_b": "dim",
    "pending_a": WARN,
    "pending_b": WARN,
}
CYCLE = (None, *QUADRANTS)


def _fmt(value: float | None, metric: str) -> str:
    if value is None:
        return "—"
    if metric == "success_rate":
        return f"{value * 100:.1f}%"
    return f"{value:.2f}"


class CompareRunScreen(Screen[None]):
    HELP_TITLE: ClassVar[str] = "Run comparison"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("S", "swap", "Swap sides", id="swap"),
        Binding("v", "cycle_quadrant", "Quadrants", id="cycle_quadrant"),
        Binding("a", "quadrant('a_only')", "A only", id="a_only"),
        Binding("b", "quadrant('b_only')", "B only", id="b_only"),
        Binding("0", "quadrant('')", "All tasks", id="all_tasks"),
        Binding("w", "blind", "Blind", id="blind"),
        Binding("t", "label_side(0)", "Label left", id="label_left"),
        Binding("T", "label_side(1)", "Label right", id="label_right"),
        Binding("p", "preference", "Prefer", id="preference"),
    ]

    def __init__(
        self,
        run_x: Run,
        model_x: str,
        run_y: Run,
        model_y: str,
        root: Path,
        folder_times: dict[str, datetime | None] | None = None,
    ) -> None:
        """Either side may be the run `c` was pressed on: A is always the baseline (the older
        run, DESIGN §10), so both ways in show the same comparison."""
        super().__init__()
        (run_a, model_a), (run_b, model_b) = baseline_first(
            (run_x, model_x), (run_y, model_y), folder_times
        )
        self.root = root
        self.quadrant: str | None = None
        self.stores = {run_a.id: TriageStore(run_a.path, relative_to=root)}
        self.stores.setdefault(run_b.id, TriageStore(run_b.path, relative_to=root))
        self.swapped_sides = False
        self._set_sides(run_a, model_a, run_b, model_b)
        self.label_set, _ = load_label_set()
        self.blind_seed: int | None = None
        self.swapped: dict[tuple[str, int | None], bool] = {}

    def _set_sides(self, run_a: Run, model_a: str, run_b: Run, model_b: str) -> None:
        self.run_a, self.model_a, self.run_b, self.model_b = run_a, model_a, run_b, model_b
        self.quadrants = task_quadrants(run_a, run_b, model_a, model_b)
        self.matrix = outcome_matrix(run_a, run_b, model_a, model_b)
        self.exec_a = {(e.task_id, e.seed): e for e in run_a.executions if e.model == model_a}
        self.exec_b = {(e.task_id, e.seed): e for e in run_b.executions if e.model == model_b}

    def compose(self) -> ComposeResult:
        yield SafeStatic(self._heading(), classes="screen-heading", id="cmpr-heading")
        yield MetricCards(id="cmpr-cards")
        with Horizontal(id="cmpr-breakdown"):
            yield SafeStatic(self._deltas(), id="cmpr-deltas")
            yield SafeStatic(self._regressions(), id="cmpr-regressions")
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
        yield FittedFooter()

    def on_mount(self) -> None:
        self._show_figures()
        self.query_one(VirtualTable).focus()

    def _show_figures(self) -> None:
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
        if matrix.pending_a or matrix.pending_b:
            cards.append(
                Card(
                    "pending",
                    f"{len(matrix.pending_a)} / {len(matrix.pending_b)}",
                    "in A / in B: no outcome yet",
                )
            )
        self.query_one(MetricCards).show(cards)
        self.query_one("#cmpr-heading", SafeStatic).update(self._heading())
        self.query_one("#cmpr-deltas", SafeStatic).update(self._deltas())
        self.query_one("#cmpr-regressions", SafeStatic).update(self._regressions())
        self._fill()

    def action_swap(self) -> None:
        if self.blind_seed is not None:
            self.notify("the sides are hidden while blind: press w to reveal first", timeout=2)
            return
        self.swapped_sides = not self.swapped_sides
        self._set_sides(self.run_b, self.model_b, self.run_a, self.model_a)
        self._show_figures()

    def _heading(self) -> Text:
        text = Text()
        text.append("A ", style=BAD_BOLD)
        text.append(f"{self.model_a} · {self.run_a.label}")
        text.append(
            "  (swapped: the baseline is B)   " if self.swapped_sides else "  (baseline)   ",
            style="dim",
        )
        text.append("B ", style=INFO_BOLD)
        text.append(f"{self.model_b} · {self.run_b.label}")
        text.append("   S swaps the sides", style="dim")
        for warning in task_set_warnings(self.matrix):
            text.append(f"\n⚠ {warning}", style=WARN)
        return text

    def _deltas(self) -> Table:
        deltas = shared_metric_deltas(
            self.run_a, self.run_b, self.model_a, self.model_b, self.matrix
        )
        table = Table(
            title=f"metrics over the {self.matrix.shared_tasks} shared tasks (B − A)",
            title_justify="left",
            box=None,
            expand=True,
        )
        for column in ("metric", "A", "B", "Δ"):
            table.add_column(column, justify="left" if column == "metric" else "right")
        for metric, delta in deltas.items():
            if delta.delta is None:
                shown = Text("—", style="dim")
            else:
                style = GOOD if delta.improved else (BAD if delta.delta else "")
                shown = Text(
                    f"{delta.delta * 100:+.1f} pp"
                    if metric == "success_rate"
                    else f"{delta.delta:+.2f}",
                    style=style,
                    justify="right",
                )
            table.add_row(metric, _fmt(delta.a, metric), _fmt(delta.b, metric), shown)
        own_a = own_figures(self.run_a, self.model_a)
        own_b = own_figures(self.run_b, self.model_b)
        table.caption = (
            f"success over all own tasks: A {_fmt(own_a['success_rate'], 'success_rate')} "
            f"of {own_a['tasks']} · B {_fmt(own_b['success_rate'], 'success_rate')} "
            f"of {own_b['tasks']}"
        )
        table.caption_justify = "left"
        return table

    def _regressions(self) -> Text:
        regressed = self.matrix.regressions
        text = Text(f"regressions: {len(regressed)} (passed in A, fail in B)\n", style="bold")
        for task in regressed[:8]:
            text.append(f"  {task}\n", style=BAD)
        if len(regressed) > 8:
            text.append(f"  … {len(regressed) - 8} more (press a)\n", style="dim")
        return text

    def _fill(self) -> None:
        tasks = {t.task_id: t for t in (*self.run_a.tasks, *self.run_b.tasks)}
        rows = []
        order = {name: index for index, name in enumerate(QUADRANTS)}
        ordered = sorted(
            self.quadrants.items(), key=lambda kv: (order[kv[1]], kv[0][0], kv[0][1] or 0)
        )
        if self.blind_seed is not None:
            shuffled = blind_order(self.quadrants, self.blind_seed)
            ordered = [(key, self.quadrants[key]) for key in shuffled]
        for key, quadrant in ordered:
            if self.quadrant and quadrant != self.quadrant:
                continue
            task = tasks.get(key[0])
            left, right = self.exec_a.get(key), self.exec_b.get(key)
            outcome = Text(QUADRANT_LABELS[quadrant], style=QUADRANT_STYLES[quadrant])
            if self.blind_seed is not None:
                if self.swapped.get(key):
                    left, right = right, left
                outcome = Text("hidden", style="dim")  # the quadrant would give the sides away
            rows.append(
                Row(
                    key=key,
                    cells=(
                        task_label(key),
                        (task.domain if task else None) or "—",
                        (task.instruction if task else None) or "",
                        result_cell(left),
                        result_cell(right),
                        outcome,
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

    # ----- blind labelling ---------------------------------------------------------------------
    def action_blind(self) -> None:
        if self.blind_seed is None:
            self.blind_seed = random.SystemRandom().randrange(1, 2**31)
            self.swapped = blind_assignment(self.quadrants, self.blind_seed)
            try:
                for store in self.stores.values():
                    store.start_blind((self.model_a, self.model_b), self.blind_seed)
            except OSError as exc:
                self.notify(f"could not record the blind session: {exc}", severity="error")
            self.notify("blind: left/right hidden per task; t / T label left / right", timeout=3)
        else:
            self._reveal()
        self._set_blind_view()

    def _reveal(self) -> None:
        counts: dict[str, dict[str, int]] = {}
        for store in self.stores.values():
            for model, labels in reveal(store.state(), self.blind_seed).items():
                merged = counts.setdefault(model, {})
                for label, count in labels.items():
                    merged[label] = merged.get(label, 0) + count
        sides = {self.model_a: "A", self.model_b: "B"}
        self.blind_seed = None
        self.swapped = {}
        self.app.push_screen(RevealScreen(counts, sides))

    def _set_blind_view(self) -> None:
        blind = self.blind_seed is not None
        for selector in ("#cmpr-cards", "#cmpr-breakdown"):
            self.query_one(selector).display = not blind
        heading = self.query_one("#cmpr-heading", SafeStatic)
        heading.update(
            Text(
                f"BLIND session {self.blind_seed}: which side is which is hidden (w reveals)",
                style=WARN_BOLD,
            )
            if blind
            else self._heading()
        )
        table = self.query_one(VirtualTable)
        names = ("left", "right") if blind else ("A", "B")
        table.set_columns(
            [
                replace(c, label=names[0])
                if c.key == "a"
                else replace(c, label=names[1])
                if c.key == "b"
                else c
                for c in table.columns
            ]
        )
        self._fill()

    def action_label_side(self, side: int) -> None:
        key = self.query_one(VirtualTable).cursor_key
        if key is None:
            return
        sides = [(self.run_a, self.model_a), (self.run_b, self.model_b)]
        if self.blind_seed is not None and self.swapped.get(key):
            sides.reverse()
        run, model = sides[side]
        store = self.stores[run.id]
        task_id, seed = key
        blind = self.blind_seed

        def current() -> set[str]:
            return set(store.state().labels_for(model, task_id, seed))

        def toggle(label: str) -> None:
            write = store.remove_label if label in current() else store.add_label
            try:
                write(model, task_id, label, seed=seed, blind_seed=blind)
            except OSError as exc:
                self.notify(f"could not save the label: {exc}", severity="error")

        def save_note(text: str) -> None:
            try:
                store.set_note(model, task_id, text, seed=seed)
            except OSError as exc:
                self.notify(f"could not save the note: {exc}", severity="error")

        shown = ("left", "right")[side] if blind is not None else f"{'AB'[side]} ({model})"
        self.app.push_screen(
            TriageScreen(
                f"Label {task_label(key)}: {shown}",
                self.label_set,
                current,
                toggle,
                store.note_for(model, task_id, seed),
                save_note,
            )
        )

    def action_preference(self) -> None:
        """Blind only: which side did better on this task (left, right, tie, both wrong)."""
        key = self.query_one(VirtualTable).cursor_key
        if self.blind_seed is None:
            self.notify("preferences are given blind: press w first", timeout=2)
            return
        if key is None or key not in self.exec_a or key not in self.exec_b:
            self.notify("this task ran on one side only: nothing to prefer", timeout=2)
            return
        sides = [(self.run_a, self.model_a), (self.run_b, self.model_b)]
        if self.swapped.get(key):
            sides.reverse()
        task_id, seed = key
        blind = self.blind_seed

        def labels_of(side: int) -> set[str]:
            run, model = sides[side]
            return set(self.stores[run.id].state().labels_for(model, task_id, seed))

        def current() -> set[str]:
            choice = current_preference(labels_of(0), labels_of(1))
            return {choice} if choice else set()

        def choose(choice: str) -> None:
            again = choice in current()
            try:
                for side, new_label in enumerate(preference_labels(choice)):
                    run, model = sides[side]
                    store = self.stores[run.id]
                    for old in labels_of(side) & PREFERENCE_LABELS:
                        store.remove_label(model, task_id, old, seed=seed, blind_seed=blind)
                    if not again:  # the same key again takes the choice back
                        store.add_label(model, task_id, new_label, seed=seed, blind_seed=blind)
            except OSError as exc:
                self.notify(f"could not save the preference: {exc}", severity="error")

        self.app.push_screen(
            TriageScreen(
                f"Which side did better on {task_label(key)}?",
                PREFERENCE_CHOICES,
                current,
                choose,
                None,
                lambda _text: None,
            )
        )

    @on(VirtualTable.RowSelected, "#cmpr-table")
    def _open_task(self, event: VirtualTable.RowSelected) -> None:
        if self.blind_seed is not None:
            self.notify("the split view names the models: press w to reveal first", timeout=2)
            return
        exec_a: Execution | None = self.exec_a.get(event.key)
        exec_b: Execution | None = self.exec_b.get(event.key)
        if exec_a is None or exec_b is None:
            self.notify("this task ran on one side only", timeout=2)
            return
        self.app.push_screen(CompareTaskScreen(self.run_a, exec_a, self.run_b, exec_b, self.root))
