"""Split view of one task: A | B step by step, aligned, the first divergence marked."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from bench_tui.analysis.compare import Alignment, align_steps
from bench_tui.model import Execution, Run, Step
from bench_tui.render.images import markers_for_action
from bench_tui.sources.steps import load_steps
from bench_tui.triage.labels import load_label_set
from bench_tui.triage.store import TriageStore
from bench_tui.tui.breakpoints import NARROW_COLUMNS
from bench_tui.tui.cells import result_cell
from bench_tui.tui.image_mode import app_renderer
from bench_tui.tui.palette import BAD_BOLD, GOOD, WARN, WARN_BOLD
from bench_tui.tui.screens.triage import label_dialog, labels_line
from bench_tui.tui.widgets.fitted_footer import FittedFooter
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.screenshot import Screenshot
from bench_tui.tui.widgets.text_pane import TextPane
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable
from bench_tui.tui.worker_errors import WorkerFailure, relative_to, reported_work

A_RGB = (255, 64, 64)
B_RGB = (64, 160, 255)
PREFIX_KEY = "prefix"
A_STYLE = "bold rgb({},{},{})".format(*A_RGB)
B_STYLE = "bold rgb({},{},{})".format(*B_RGB)
"""Row key of the collapsed identical prefix."""


def side_label(run: Run, execution: Execution) -> str:
    return f"{execution.model} · {run.label}"


def _pair_steps(pair: tuple[int | None, int | None]) -> str:
    """`step 3`, or `A step 3 / B step 4` once a gap has put the two sides out of step."""
    ia, ib = pair
    if ia is not None and ia == ib:
        return f"step {ia + 1}"
    sides = [f"{label} step {i + 1}" for label, i in (("A", ia), ("B", ib)) if i is not None]
    return " / ".join(sides)


def _file_number(step: Step) -> str:
    return f" (file #{step.source_number})" if step.source_number is not None else ""


def _describe(step: Step | None) -> str:
    if step is None:
        return "—"
    return " ; ".join(a.describe() for a in step.actions) or "(no action)"


class CompareTaskScreen(Screen[None]):
    HELP_TITLE: ClassVar[str] = "Split view"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("up,k,left,h", "move(-1)", "Prev pair", id="prev_pair"),
        Binding("down,j,right,l", "move(1)", "Next pair", id="next_pair"),
        Binding("n", "next_divergence", "Next divergence", id="next_divergence"),
        Binding("z", "toggle_prefix", "Expand/collapse prefix", id="toggle_prefix"),
        Binding("o", "overlay", "Overlay", id="overlay"),
        Binding("t", "label_side(0)", "Label A", id="label_a"),
        Binding("T", "label_side(1)", "Label B", id="label_b"),
        # Two screenshots side by side are unreadable below the breakpoint: one at a time there.
        Binding("tab", "flip_side", "Show A/B", id="flip_side"),
    ]

    def __init__(
        self, run_a: Run, exec_a: Execution, run_b: Run, exec_b: Execution, root: Path
    ) -> None:
        super().__init__()
        self.sides = ((run_a, exec_a), (run_b, exec_b))
        self.root = root
        self.stores = {run.id: TriageStore(run.path, relative_to=root) for run in (run_a, run_b)}
        self.label_set, _ = load_label_set()
        self.steps: tuple[list[Step], list[Step]] = ([], [])
        self.alignment: Alignment | None = None
        self.collapsed = True
        self.overlay = True
        self.problems: list[str] = []
        self.shown_side = 0
        """Which side's screenshot a narrow terminal shows (0 = A, 1 = B)."""
        self._narrow: bool | None = None

    def compose(self) -> ComposeResult:
        yield SafeStatic(self._heading(), id="cmp-heading", classes="screen-heading")
        with Vertical(id="cmp-body"):
            yield VirtualTable(
                [
                    Column("mark", "", 2),
                    Column("a_n", "#A", 4, justify="right"),
                    Column("a", "A action", flex=True),
                    Column("same", "", 1),
                    Column("b_n", "#B", 4, justify="right"),
                    Column("b", "B action", flex=True),
                ],
                id="cmp-table",
                sortable=False,  # sorting aligned pairs would lose the alignment
                empty_text="Loading both traces…",
            )
            with Horizontal(id="cmp-shots"):
                yield Screenshot(id="shot-a", mode=app_renderer(self.app).mode)
                yield Screenshot(id="shot-b", mode=app_renderer(self.app).mode)
            yield TextPane(id="cmp-details")
        yield FittedFooter()

    def on_mount(self) -> None:
        self._fit_width()
        self.query_one("#cmp-table", VirtualTable).focus()
        self._load()

    def on_resize(self) -> None:
        self._fit_width()

    def _is_narrow(self) -> bool:
        return self.app.size.width < NARROW_COLUMNS

    def _fit_width(self) -> None:
        """The heading and the flip key follow the width (the -narrow class is Textual's)."""
        narrow = self._is_narrow()
        if narrow == self._narrow:
            return
        self._narrow = narrow
        self.set_class(self.shown_side == 1, "-side-b")
        self.query_one("#cmp-heading", SafeStatic).update(self._heading())
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "flip_side":
            return self._is_narrow()
        return True

    def action_flip_side(self) -> None:
        self.shown_side = 1 - self.shown_side
        self.set_class(self.shown_side == 1, "-side-b")

    def _heading(self) -> Text:
        (run_a, exec_a), (run_b, exec_b) = self.sides
        text = Text()
        text.append(exec_a.task_id, style="bold")
        text.append("\nA ", style=A_STYLE)
        text.append(side_label(run_a, exec_a) + "  ")
        text.append_text(result_cell(exec_a))
        # Narrow: B on a line of its own, or the wrap splits it from its letter.
        text.append("\nB " if self._is_narrow() else "   B ", style=B_STYLE)
        text.append(side_label(run_b, exec_b) + "  ")
        text.append_text(result_cell(exec_b))
        for name, style, (run, execution) in (
            ("A", A_STYLE, self.sides[0]),
            ("B", B_STYLE, self.sides[1]),
        ):
            labels = labels_line(
                self.stores[run.id], execution.model, execution.task_id, execution.seed
            )
            if labels:
                text.append(f"\n{name} ", style=style)
                text.append_text(labels)
        return text

    def action_label_side(self, side: int) -> None:
        run, execution = self.sides[side]
        name = "AB"[side]
        self.app.push_screen(
            label_dialog(
                self.stores[run.id],
                self.label_set,
                execution.model,
                [(execution.task_id, execution.seed)],
                f"Label {name}: {execution.task_id} ({execution.model})",
                lambda message: self.notify(message, severity="error"),
                changed=lambda: self.query_one("#cmp-heading", SafeStatic).update(self._heading()),
            )
        )

    @reported_work(
        "loading both traces",
        group="compare",
        exclusive=True,
        where=lambda page: relative_to(
            page.root, page.sides[0][1].source_path or page.sides[0][0].path
        ),
    )
    def _load(self) -> None:
        (run_a, exec_a), (run_b, exec_b) = self.sides
        steps_a, problems_a = load_steps(run_a, exec_a, self.root)
        steps_b, problems_b = load_steps(run_b, exec_b, self.root)
        alignment = align_steps(steps_a, steps_b)
        problems = [p.located() for p in [*problems_a, *problems_b]]
        self.app.call_from_thread(self._loaded, steps_a, steps_b, alignment, problems)

    def show_worker_failure(self, failure: WorkerFailure) -> None:
        if failure.group == "compare":
            self.query_one("#cmp-table", VirtualTable).empty_text = failure.message

    def _loaded(
        self, steps_a: list[Step], steps_b: list[Step], alignment: Alignment, problems: list[str]
    ) -> None:
        self.steps = (steps_a, steps_b)
        self.alignment = alignment
        self.problems = problems
        self._fill_rows()
        table = self.query_one("#cmp-table", VirtualTable)
        table.empty_text = "Neither side recorded steps."
        if alignment.first_divergence is not None:
            table.move_cursor_to_key(alignment.first_divergence)
        self._show_pair()

    def _fill_rows(self) -> None:
        alignment = self.alignment
        if alignment is None:
            return
        steps_a, steps_b = self.steps
        rows: list[Row] = []
        prefix = alignment.common_prefix
        start = 0
        if self.collapsed and prefix > 1:
            rows.append(
                Row(
                    key=PREFIX_KEY,
                    cells=(
                        "",
                        "",
                        Text(f"… {prefix} identical steps (z expands)", style="dim"),
                        "",
                        "",
                        "",
                    ),
                )
            )
            start = prefix
        for index in range(start, len(alignment.pairs)):
            ia, ib = alignment.pairs[index]
            same = alignment.exact[index]
            mark = Text("◆", style=WARN_BOLD) if index == alignment.first_divergence else ""
            rows.append(
                Row(
                    key=index,
                    cells=(
                        mark,
                        "" if ia is None else str(ia + 1),
                        Text(
                            _describe(steps_a[ia] if ia is not None else None),
                            style="" if same else "bold",
                        ),
                        Text("=", style=GOOD) if same else Text("≠", style=BAD_BOLD),
                        "" if ib is None else str(ib + 1),
                        Text(
                            _describe(steps_b[ib] if ib is not None else None),
                            style="" if same else "bold",
                        ),
                    ),
                )
            )
        self.query_one("#cmp-table", VirtualTable).set_rows(rows)

    def _current_pair(self) -> tuple[int | None, int | None]:
        key = self.query_one("#cmp-table", VirtualTable).cursor_key
        if self.alignment is None or not isinstance(key, int):
            return (None, None)
        return self.alignment.pairs[key]

    def _show_pair(self) -> None:
        ia, ib = self._current_pair()
        details = Text()
        for line in self.problems:
            details.append(f"⚠ {line}\n", style=WARN)
        alignment = self.alignment
        if alignment is not None:
            where = alignment.first_divergence
            details.append(
                f"{alignment.matches} matching steps · "
                + (
                    "identical traces"
                    if where is None
                    else f"first divergence at {_pair_steps(alignment.pairs[where])}"
                )
                + "\n",
                style="dim",
            )
        for label, colour, style, steps, index, shot_id in (
            ("A", A_RGB, A_STYLE, self.steps[0], ia, "#shot-a"),
            ("B", B_RGB, B_STYLE, self.steps[1], ib, "#shot-b"),
        ):
            step = steps[index] if index is not None and index < len(steps) else None
            shot = self.query_one(shot_id, Screenshot)
            details.append(f"{label} ", style=style)
            if step is None or index is None:
                details.append("no step here (gap)\n", style="dim")
                shot.show(None, (), caption=f"{label}: no step")
                continue
            details.append(f"step {index + 1}{_file_number(step)}: {_describe(step)}\n")
            reasoning = step.reasoning or step.raw_output
            if reasoning:
                details.append(reasoning.strip()[:600] + "\n", style="italic")
            markers = tuple(
                m for a in step.actions for m in markers_for_action(a, colour, tag=label)
            )
            shot.show(
                step.screenshot, markers, overlay=self.overlay, caption=f"{label}: step {index + 1}"
            )
        self.query_one("#cmp-details", TextPane).update(details)

    def on_virtual_table_cursor_moved(self, event: VirtualTable.CursorMoved) -> None:
        if self.alignment is not None:
            self._show_pair()

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        if event.key == PREFIX_KEY:
            self.action_toggle_prefix()

    def action_move(self, delta: int) -> None:
        table = self.query_one("#cmp-table", VirtualTable)
        table.cursor_row = max(0, min(len(table.rows) - 1, table.cursor_row + delta))

    def action_next_divergence(self) -> None:
        if self.alignment is None:
            return
        table = self.query_one("#cmp-table", VirtualTable)
        current = table.cursor_key if isinstance(table.cursor_key, int) else -1
        for index in range(current + 1, len(self.alignment.pairs)):
            if not self.alignment.exact[index]:
                table.move_cursor_to_key(index)
                return
        self.notify("no further divergence", timeout=1)

    def action_toggle_prefix(self) -> None:
        self.collapsed = not self.collapsed
        self._fill_rows()

    def action_overlay(self) -> None:
        self.overlay = not self.overlay
        self._show_pair()
