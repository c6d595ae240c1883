"""The run page: metric cards, success by domain, models, and the task list."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input

from bench_tui.analysis.failures import MISSING
from bench_tui.analysis.filtering import (
    Filterable,
    compile_query,
    exact_tokens,
    query_hints,
    quote_value,
)
from bench_tui.analysis.steps import step_count
from bench_tui.analysis.summary import Figures, ModelFigures, format_rate, model_figures
from bench_tui.atomic import write_atomic
from bench_tui.model import Execution, LiveProgress, Run
from bench_tui.render.charts import bar
from bench_tui.render.labels import fit_distinct
from bench_tui.report import render_export, run_export_rows
from bench_tui.triage.audit import audit_model
from bench_tui.triage.labels import CHECKER_LABELS, load_label_set
from bench_tui.triage.store import TriageStore
from bench_tui.tui.cells import cell_text, format_seconds, outcome_rank, result_cell, short_model
from bench_tui.tui.screens.audit import AuditScreen
from bench_tui.tui.screens.compare_pick import RUN_PICK_COLUMNS, folder_time, run_partners
from bench_tui.tui.screens.compare_run import CompareRunScreen
from bench_tui.tui.screens.frequency import CLEAR, frequency_screen
from bench_tui.tui.screens.insights import InsightsScreen
from bench_tui.tui.screens.pick import PickScreen
from bench_tui.tui.screens.repeats import RepeatsScreen
from bench_tui.tui.screens.review import ReviewScreen
from bench_tui.tui.screens.task import TaskScreen
from bench_tui.tui.screens.triage import label_dialog
from bench_tui.tui.widgets.filter_bar import FilterBar
from bench_tui.tui.widgets.metric_cards import Card, MetricCards
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable

FAILURES_ONLY = "!status:pass"


def export_path(results_root: Path, label: str) -> Path:
    """Exports go to the current folder, never into the results tree unasked (DESIGN §7)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in label)
    folder = Path.cwd().resolve()
    if folder == results_root.resolve() or results_root.resolve() in folder.parents:
        folder = Path.home()
    return folder / f"bench-tui-{safe}.csv"


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


def labels_cell(row: Row, width: int) -> str:
    """The row's label names within `width`, each cut so no two read the same (DESIGN §10)."""
    names = list(row.data["filter"].labels) if "filter" in row.data else []
    if not names:
        return ""
    joined = ", ".join(names)
    if len(joined) <= width:
        return joined
    # The checker labels share their first 15 characters: cut against them even when one is on.
    others = [name for name in CHECKER_LABELS if name not in names]
    each = max(5, (width - 2 * (len(names) - 1)) // len(names))
    return ", ".join(fit_distinct([*names, *others], each)[: len(names)])


class RunScreen(Screen[None]):
    """One run. Enter on a task opens its step replay."""

    HELP_TITLE: ClassVar[str] = "Run page"

    BINDINGS: ClassVar[list[BindingType]] = [
        # The footer shows what a first visit needs and fits 160 columns; `?` and Ctrl+P list all.
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("x", "failures", "Failures", id="failures"),
        Binding("m", "next_model", "Next model", show=False, id="next_model"),
        Binding("d", "breakdown", "Domains", id="breakdown"),
        Binding("c", "compare", "Compare", id="compare"),
        Binding("t", "triage", "Label", id="triage"),
        Binding("space", "mark", "Mark", show=False, id="mark"),
        Binding(
            "u", "next_unlabelled", "Next unlabelled failure", show=False, id="next_unlabelled"
        ),
        Binding("F", "frequency", "Frequency", show=False, id="frequency"),
        Binding("e", "export", "Export", show=False, id="export"),
        Binding("i", "insights", "Insights", id="insights"),
        Binding("R", "repeats", "Repeats", show=False, id="repeats"),
        Binding("A", "audit", "Checker audit", show=False, id="audit"),
        Binding("v", "review", "Review failures", show=False, id="review"),
    ]

    def __init__(self, run: Run, root: Path) -> None:
        super().__init__()
        self.root = root
        self.model_index = 0
        self.store = TriageStore(run.path, relative_to=root)
        self.label_set, self.label_problems = load_label_set()
        self.query_text = ""
        self._index(run)

    def _index(self, run: Run) -> None:
        self.run = run
        self.models = model_figures(run)
        self.model_index = min(self.model_index, max(0, len(self.models) - 1))
        self.by_task: dict[str, dict[str, Execution]] = {}
        for execution in run.executions:
            self.by_task.setdefault(execution.task_id, {})[execution.model] = execution

    def update_run(self, run: Run) -> None:
        """A live run was read again: new counts, same filter, same cursor."""
        self._index(run)
        self.query_one("#run-heading", SafeStatic).update(self._heading())
        self._show_model()
        table = self.query_one("#tasks-table", VirtualTable)
        table.set_columns(self._columns())
        table.set_rows(self._rows())

    @property
    def current_model(self) -> ModelFigures | None:
        return self.models[self.model_index] if self.models else None

    def compose(self) -> ComposeResult:
        yield SafeStatic(self._heading(), id="run-heading", classes="screen-heading")
        yield MetricCards(id="run-cards")
        with Horizontal(id="run-breakdown"):
            yield SafeStatic(id="run-domains")
            yield SafeStatic(id="run-models")
        with Vertical(id="run-tasks-box"):
            yield FilterBar(id="tasks-filter")
            yield VirtualTable(
                self._columns(), id="tasks-table", empty_text="No task matches the filter."
            )
        yield Footer()

    def on_mount(self) -> None:
        # Short terminals give the task list the room; `d` brings the breakdown back.
        self.query_one("#run-breakdown").display = self.app.size.height >= 36
        self.set_class(self.app.size.width < 110, "-narrow")
        self._show_model()
        self.query_one("#tasks-table", VirtualTable).set_rows(self._rows())
        self.query_one("#tasks-table", VirtualTable).focus()
        self.set_interval(1.0, self._tick_live)

    def _tick_live(self) -> None:
        """Between refreshes the files say nothing new, but the ETA still runs down."""
        if self.run.live and self.run.progress and self.run.progress.as_of is not None:
            self.query_one("#run-heading", SafeStatic).update(self._heading())

    def _heading(self) -> Text:
        run = self.run
        text = Text()
        text.append(run.label, style="bold")
        text.append(f"  {run.id}  ·  {run.format}")
        if run.benchmark:
            text.append(f" · {run.benchmark}")
        if run.created_at:
            text.append(f" · {run.created_at:%Y-%m-%d %H:%M}")
        if run.is_mock:
            text.append("  mock run", style="magenta")
        if run.live and run.progress:
            progress = run.progress
            total = f"/{progress.total}" if progress.total is not None else ""
            text.append(f"  LIVE {progress.done}{total} done", style="bold green")
            eta = remaining_eta(progress, time.time())
            if eta is not None:
                text.append(f", ETA {format_seconds(eta)}", style="green")
        return text

    # ----- cards and breakdowns -------------------------------------------------------------
    def _show_model(self) -> None:
        model = self.current_model
        if model is None:
            self.query_one(MetricCards).show([Card("tasks", "0")])
            return
        fig = model.overall
        label = f"{model.model}" + (
            f"  (m: {self.model_index + 1}/{len(self.models)})" if len(self.models) > 1 else ""
        )
        audit = audit_model(self.run, model.model, self.store.state())
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
            Card(
                "errors", str(fig.with_errors), _errors_line(fig), "bad" if fig.with_errors else ""
            ),
            Card(
                "mean steps",
                "—" if fig.mean_steps is None else f"{fig.mean_steps:.1f}",
                "finished tasks",
            ),
            Card("mean time", format_seconds(fig.mean_duration_s), "per finished task"),
            Card("model", short_model(model.model, 24), label if len(self.models) > 1 else ""),
        ]
        self.query_one(MetricCards).show(cards)
        self.query_one("#run-domains", SafeStatic).update(self._domain_table(model))
        self.query_one("#run-models", SafeStatic).update(self._model_table())

    def _domain_table(self, model: ModelFigures) -> Table:
        table = Table(
            title="success by domain", title_justify="left", expand=True, box=None, padding=(0, 1)
        )
        table.add_column("domain", ratio=2, no_wrap=True)
        table.add_column("pass", justify="right")
        table.add_column("rate", justify="right")
        table.add_column("", ratio=3, no_wrap=True)
        for domain, fig in model.by_domain.items():
            table.add_row(
                domain,
                f"{fig.succeeded}/{fig.tasks}",
                format_rate(fig.success_rate),
                Text(bar(fig.success_rate, 20), style="green"),
            )
        return table

    def _model_table(self) -> Table:
        table = Table(title="models", title_justify="left", expand=True, box=None, padding=(0, 1))
        table.add_column("model", no_wrap=True)
        table.add_column("success", justify="right")
        table.add_column("done", justify="right")
        table.add_column("err", justify="right")
        table.add_column("steps", justify="right")
        for index, entry in enumerate(self.models):
            fig = entry.overall
            style = "bold" if index == self.model_index else ""
            table.add_row(
                Text(entry.model, style=style),
                format_rate(fig.success_rate),
                f"{fig.finished}/{fig.tasks}",
                str(fig.errors),
                "—" if fig.mean_steps is None else f"{fig.mean_steps:.1f}",
            )
        return table

    # ----- task list -------------------------------------------------------------------------
    def _columns(self) -> list[Column]:
        columns = [
            Column("task", "task", 26),
            Column("domain", "domain", 14),
            Column("instruction", "instruction", flex=True),
        ]
        if len(self.models) > 1:
            # ▸ marks the model whose steps, time, error and labels the row shows (`m` moves it).
            columns += [
                Column(
                    f"m{i}",
                    "▸" + short_model(m.model, 11)
                    if i == self.model_index
                    else short_model(m.model),
                    12,
                )
                for i, m in enumerate(self.models)
            ]
        else:
            columns.append(Column("result", "result", 9))
        columns += [
            Column("steps", "steps", 5, justify="right"),
            Column("time", "time", 7, justify="right", optional=True),
            Column("error", "error", 14, optional=True),
            Column(
                "labels",
                "labels",
                16,
                optional=True,
                fit=labels_cell,
                fold_into="instruction",
            ),
        ]
        return columns

    def _rows(self, only: set[str] | None = None) -> list[Row]:
        """One row per task; outcome columns per model, the rest the selected model's."""
        model_names = [m.model for m in self.models]
        state = self.store.state()
        current = self.current_model.model if self.current_model else None
        rows: list[Row] = []
        for task in self.run.tasks:
            if only is not None and task.task_id not in only:
                continue
            executions = self.by_task.get(task.task_id, {})
            mine = executions.get(current) if current is not None else None
            seed = mine.seed if mine is not None else None
            labels = (
                state.labels_for(current, task.task_id, seed, all_steps=True) if current else []
            )
            results = [result_cell(executions.get(name)) for name in model_names]
            error = mine.error_type or (mine.error or "") if mine else ""
            steps = step_count(mine) if mine is not None else None
            cells = (
                task.task_id,
                task.domain or "—",
                task.instruction or "",
                *results,
                "—" if steps is None else str(steps),
                format_seconds(mine.duration_s if mine else None),
                error.splitlines()[0] if error else "",
                ", ".join(labels),
            )
            rows.append(
                Row(
                    key=task.task_id,
                    cells=cells,
                    sort_values=(
                        task.task_id,
                        task.domain,
                        task.instruction,
                        *[outcome_rank(executions.get(name)) for name in model_names],
                        steps,
                        mine.duration_s if mine else None,
                        error or None,
                        ", ".join(labels) or None,
                    ),
                    data={
                        "filter": Filterable(
                            text=f"{task.task_id} {task.domain or ''} {task.instruction or ''} {error}".lower(),
                            fields={"domain": task.domain or "", "task": task.task_id},
                            statuses={name: e.status for name, e in executions.items()},
                            labels=tuple(labels),
                        )
                    },
                )
            )
        return rows

    def visible_task_ids(self) -> list[str]:
        return [row.key for row in self.query_one("#tasks-table", VirtualTable).rows]

    def action_filter(self) -> None:
        self.query_one("#tasks-filter", FilterBar).open()

    def action_failures(self) -> None:
        bar_widget = self.query_one("#tasks-filter", FilterBar)
        words = bar_widget.value.split()
        if FAILURES_ONLY in words:
            words.remove(FAILURES_ONLY)
        else:
            words.append(FAILURES_ONLY)
        bar_widget.value = " ".join(words)
        bar_widget.display = bool(words)
        self._apply_filter(bar_widget.value)

    def action_breakdown(self) -> None:
        breakdown = self.query_one("#run-breakdown")
        breakdown.display = not breakdown.display

    def action_next_model(self) -> None:
        """Cards, breakdown and the task list's steps, time, error and labels follow `m`."""
        if len(self.models) < 2:
            only = self.models[0].model if self.models else "no model"
            self.notify(f"m: this run has one model ({only})", timeout=2)
            return
        self.model_index = (self.model_index + 1) % len(self.models)
        self._show_model()
        table = self.query_one("#tasks-table", VirtualTable)
        table.set_columns(self._columns())
        table.set_rows(self._rows())

    @on(Input.Changed, "#tasks-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._apply_filter(event.value)

    def _apply_filter(self, query: str | None = None) -> None:
        if query is not None:
            self.query_text = query
        table = self.query_one("#tasks-table", VirtualTable)
        hints = query_hints(self.query_text)
        table.empty_text = "No task matches the filter." + (
            f" ({'; '.join(hints)})" if hints else ""
        )
        if not self.query_text.strip():
            table.set_filter(None)
            return
        predicate = compile_query(self.query_text)
        # `column="value"` (what F writes): the whole cell of that column, by column key.
        positions = {column.key: index for index, column in enumerate(table.columns)}
        exact = [
            (positions.get(token.field or ""), token.value, token.negated)
            for token in exact_tokens(self.query_text)
        ]

        def keep(row: Row) -> bool:
            for position, value, negated in exact:
                matched = position is not None and cell_text(row, position) == value
                if matched == negated:
                    return False
            return predicate(row.data["filter"])

        table.set_filter(keep)

    # ----- triage, marks, frequency, export -------------------------------------------------------
    def _seed(self, task_id: str) -> int | None:
        model = self.current_model.model if self.current_model else None
        execution = self.by_task.get(task_id, {}).get(model or "")
        return execution.seed if execution else None

    def _targets(self) -> list[str]:
        table = self.query_one("#tasks-table", VirtualTable)
        if table.marked:
            return [row.key for row in table.rows if row.key in table.marked]
        return [table.cursor_key] if table.cursor_key is not None else []

    def _refresh_task_rows(self, task_ids: list[str]) -> None:
        self.query_one("#tasks-table", VirtualTable).replace_rows(self._rows(set(task_ids)))
        self._show_model()  # the success card shows the rate after review

    def action_triage(self) -> None:
        targets = self._targets()
        if not targets or self.current_model is None:
            return
        model = self.current_model.model
        what = targets[0] if len(targets) == 1 else f"{len(targets)} marked tasks"
        self.app.push_screen(
            label_dialog(
                self.store,
                self.label_set,
                model,
                [(task_id, self._seed(task_id)) for task_id in targets],
                f"Label {what} ({model})",
                lambda message: self.notify(message, severity="error"),
                changed=lambda: self._refresh_task_rows(targets),
            )
        )

    def action_mark(self) -> None:
        table = self.query_one("#tasks-table", VirtualTable)
        key = table.cursor_key
        if key is None:
            return
        table.marked ^= {key}
        table.action_cursor_down()
        table.refresh()

    def action_next_unlabelled(self) -> None:
        table = self.query_one("#tasks-table", VirtualTable)
        model = self.current_model.model if self.current_model else ""
        rows = table.rows
        for offset in range(1, len(rows) + 1):
            position = (table.cursor_row + offset) % len(rows)
            row = rows[position]
            status = row.data["filter"].statuses.get(model)
            if status not in (None, "passed") and not row.data["filter"].labels:
                table.cursor_row = position
                return
        self.notify("every failure in this list has a label", timeout=2)

    def action_frequency(self) -> None:
        table = self.query_one("#tasks-table", VirtualTable)
        column = table.cursor_column
        values = [cell_text(row, column) for row in table.rows]

        key = table.columns[column].key
        bar_widget = self.query_one("#tasks-filter", FilterBar)
        # One value per column, written in the bar where it can be seen (and cleared).
        written = re.compile(rf'(^|\s)!?{re.escape(key)}=("[^"]*"|\S*)')
        active = written.search(bar_widget.value) is not None

        def picked(value: str | None) -> None:
            if value is None:
                return
            query = written.sub(" ", bar_widget.value).strip()
            if value != CLEAR:
                cell = "" if value == MISSING else value  # the table counts empty cells as "—"
                query = f"{query} {key}={quote_value(cell)}".strip()
            bar_widget.value = query
            bar_widget.display = bool(query)
            self._apply_filter(query)

        self.app.push_screen(
            frequency_screen(table.columns[column].label, values, active),
            picked,
        )

    def action_insights(self) -> None:
        if self.current_model is not None:
            runs = self.app.workspace.runs  # type: ignore[attr-defined]
            self.app.push_screen(InsightsScreen(self.run, self.current_model.model, runs))

    def action_repeats(self) -> None:
        runs = self.app.workspace.runs  # type: ignore[attr-defined]
        model = self.current_model.model if self.current_model else None
        self.app.push_screen(RepeatsScreen(runs, model, self.root))

    def action_audit(self) -> None:
        runs = self.app.workspace.runs  # type: ignore[attr-defined]
        self.app.push_screen(AuditScreen(runs, self.run.id, self.root))

    def action_review(self) -> None:
        if self.current_model is not None:
            screen = ReviewScreen(
                self.run,
                self.current_model.model,
                self.store,
                self.label_set,
                self.visible_task_ids(),
                self._refresh_task_rows,
                self.root,
            )
            self.app.push_screen(screen)

    def action_export(self) -> None:
        visible = {row.key for row in self.query_one("#tasks-table", VirtualTable).rows}
        model = self.current_model.model if self.current_model else None
        rows = [
            row
            for row in run_export_rows(self.run)
            if row["task_id"] in visible and (model is None or row["model"] == model)
        ]
        target = export_path(self.root, self.run.label)
        try:
            write_atomic(target, render_export(rows, "csv").encode("utf-8"))
        except OSError as exc:
            self.notify(f"export failed: {exc}", severity="error")
            return
        self.notify(f"{len(rows)} rows written to {target}", timeout=4)

    @on(FilterBar.Done)
    def _filter_done(self) -> None:
        self.query_one("#tasks-table", VirtualTable).focus()

    def action_compare(self) -> None:
        model = self.current_model.model if self.current_model else "unknown"
        runs = self.app.workspace.runs  # type: ignore[attr-defined]

        def picked(key: tuple[str, str] | None) -> None:
            if key is None:
                return
            other = next((r for r in runs if r.id == key[0]), None)
            if other is not None:
                times = {run.id: folder_time(run) for run in (self.run, other)}
                self.app.push_screen(
                    CompareRunScreen(self.run, model, other, key[1], self.root, times)
                )

        self.app.push_screen(
            PickScreen(
                f"Compare {model} · {self.run.label} with… (the older run is the baseline, A)",
                RUN_PICK_COLUMNS,
                run_partners(runs, self.run, model),
                "No other run or model shares a task with this one.",
            ),
            picked,
        )

    @on(VirtualTable.RowSelected, "#tasks-table")
    def _open_task(self, event: VirtualTable.RowSelected) -> None:
        model = self.current_model.model if self.current_model else "unknown"
        self.app.push_screen(
            TaskScreen(self.run, event.key, model, self.visible_task_ids(), self.root)
        )
