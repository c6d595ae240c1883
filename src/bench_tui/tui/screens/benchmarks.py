"""The Benchmarks tab: every run found, newest first; Enter opens the run page."""

from __future__ import annotations

import math
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical

from bench_tui.analysis.filtering import Filterable
from bench_tui.analysis.summary import figures, format_rate, model_figures
from bench_tui.atomic import write_atomic
from bench_tui.csv_text import csv_line, csv_text
from bench_tui.model import Run
from bench_tui.model.dates import date_order
from bench_tui.tui.palette import ACCENT, GOOD_BOLD
from bench_tui.tui.screens.frequency import FrequencyKey
from bench_tui.tui.screens.run_export import export_path
from bench_tui.tui.widgets.filter_bar import FilterBar, FilterKey, filter_binding
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable, cell_text
from bench_tui.tui.worker_errors import reported_work

RUN_COLUMNS = [
    Column("run", "run", flex=True),
    Column("format", "format", 9, optional=True),
    Column("models", "model(s)", 22),
    Column("tasks", "tasks", 6, justify="right"),
    Column("finished", "done", 6, justify="right", optional=True),
    Column("success", "success", 14, justify="right"),
    Column("date", "date", 16, optional=True),
    Column("flags", "", 6),
]


def run_row(run: Run) -> Row:
    per_model = model_figures(run)
    overall = figures(run.executions)
    if len(per_model) == 1:
        models_text = per_model[0].model
        rate = Text(format_rate(per_model[0].overall.success_rate))
        tasks = per_model[0].overall.tasks
    else:
        models_text = f"{len(per_model)} models"
        rates = [m.overall.success_rate for m in per_model]
        rate = Text(" / ".join(format_rate(r) for r in rates))
        tasks = len(run.tasks)
    flags = Text()
    if run.live:
        flags.append("LIVE ", style=GOOD_BOLD)
    if run.is_mock:
        flags.append("mock", style=ACCENT)
    date = run.created_at.strftime("%Y-%m-%d %H:%M") if run.created_at else "—"
    return Row(
        key=run.id,
        cells=(
            run.label,
            run.format,
            models_text,
            str(tasks),
            str(overall.finished),
            rate,
            date,
            flags,
        ),
        sort_values=(
            run.label,
            run.format,
            models_text,
            tasks,
            overall.finished,
            per_model[0].overall.success_rate if per_model else None,
            date_order(run.created_at) if run.created_at else None,
            run.live,
        ),
        data={
            "filter": Filterable(
                text=f"{run.label} {run.id} {models_text} {run.benchmark or ''}",
                fields={"format": run.format, "benchmark": run.benchmark or ""},
                statuses={m.model: "" for m in per_model},
            )
        },
    )


NOTHING_FOUND = (
    "No benchmark runs found. Looks for OpenAdapt run folders (metadata.json + tasks/), "
    "OSWorld/WAA episodes (traj.jsonl, result.txt), WebArena renders (render_N.html) and "
    "AgentLab episodes (summary_info.json)."
)


def scanning_text(dirs_seen: int) -> str:
    folders = "folder" if dirs_seen == 1 else "folders"
    return f"Looking for runs… {dirs_seen} {folders} read so far."


def newest_first(run: Run) -> tuple[float, str]:
    """Newest first, runs without a date last."""
    stamp = date_order(run.created_at) if run.created_at else -math.inf
    return (-stamp, run.id)


def run_list_csv(table: VirtualTable) -> str:
    """The runs the list shows, as it shows them, with each run's id first."""
    header = ["id", *(column.label or column.key for column in table.columns)]
    lines = [csv_line([csv_text(cell) for cell in header])]
    for row in table.rows:
        cells = [str(row.key), *(cell_text(row, i) for i in range(len(table.columns)))]
        lines.append(csv_line([csv_text(cell) for cell in cells]))
    return "".join(lines)


class RunListPane(FrequencyKey, FilterKey, Vertical):
    """Lists runs as discovery streams them in."""

    BINDINGS: ClassVar[list[BindingType]] = [
        filter_binding(),
        Binding("F", "frequency", "Frequency", show=False, id="frequency"),
        Binding("e", "export", "Export", show=False, id="export"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.runs: dict[str, Run] = {}
        self._rows: dict[str, tuple[Run, Row]] = {}
        """Row per run id, rebuilt only when the run object changes (10k tasks cost ~100 ms)."""

    def compose(self) -> ComposeResult:
        yield SafeStatic("", id="runs-heading", classes="pane-heading")
        yield FilterBar(table="runs-table", noun="run", id="runs-filter")
        yield VirtualTable(RUN_COLUMNS, id="runs-table", empty_text=scanning_text(0))

    def show_scan(self, dirs_seen: int, *, done: bool) -> None:
        """What an empty list means: still looking (and how far), or nothing there."""
        table = self.query_one(VirtualTable)
        text = NOTHING_FOUND if done else scanning_text(dirs_seen)
        if table.empty_text != text:
            table.empty_text = text
            table.refresh()

    def on_mount(self) -> None:
        # The heading's count follows the table's rows: streamed in, reloaded or filtered.
        self.watch(self.query_one(VirtualTable), "counts", self._update_heading)

    def add_runs(self, runs: list[Run]) -> None:
        for run in runs:
            self.runs[run.id] = run
        self.refresh_rows()

    def remove_run(self, run_id: str) -> None:
        self.runs.pop(run_id, None)
        self._rows.pop(run_id, None)
        self.refresh_rows()

    def clear(self) -> None:
        self.runs.clear()
        self._rows.clear()
        self.refresh_rows()

    def refresh_rows(self) -> None:
        ordered = sorted(self.runs.values(), key=newest_first)
        for run in ordered:
            cached = self._rows.get(run.id)
            if cached is None or cached[0] is not run:
                self._rows[run.id] = (run, run_row(run))
        table = self.query_one(VirtualTable)
        # While runs stream in, a cursor the user has not moved stays on the newest run.
        table.set_rows([self._rows[run.id][1] for run in ordered], keep_cursor=table.cursor_row > 0)

    def _update_heading(self) -> None:
        table = self.query_one(VirtualTable)
        total, shown = len(self.runs), len(table.rows)
        count = f"{shown} of {total}" if shown != total else str(total)
        self.query_one("#runs-heading", SafeStatic).update(
            f"Benchmark runs ({count}) — Enter opens a run, / filters, s sorts the focused column"
        )

    def action_export(self) -> None:
        table = self.query_one(VirtualTable)
        if not table.rows:
            self.notify("e: the list shows no run to export", timeout=3)
            return
        root = Path(self.app.root)  # type: ignore[attr-defined]
        self._write_export(run_list_csv(table), export_path(root, "runs"), len(table.rows))

    @reported_work("exporting the run list", group="runs-export")
    def _write_export(self, text: str, target: Path, count: int) -> None:
        try:
            write_atomic(target, text.encode("utf-8"))
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"export failed: {exc}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"{count} runs written to {target}", timeout=4)
