"""The task page: step replay with the action drawn on the screenshot."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical

from bench_tui.analysis.compare import baseline_first
from bench_tui.analysis.steps import TraceSteps, count_disagreement, step_count, trace_steps
from bench_tui.deeplink import SERVE_URL_ENV, TaskLinks, step_notice, task_links
from bench_tui.model import Execution, Problem, Run, Step
from bench_tui.render.images import Marker, step_markers
from bench_tui.sources.common import ReadContext
from bench_tui.sources.steps import load_steps
from bench_tui.triage.labels import load_label_set
from bench_tui.triage.store import TriageStore
from bench_tui.tui.cells import format_seconds, result_cell
from bench_tui.tui.image_mode import app_renderer
from bench_tui.tui.palette import BAD, WARN
from bench_tui.tui.screens.compare_pick import TASK_PICK_COLUMNS, folder_time, task_partners
from bench_tui.tui.screens.compare_task import CompareTaskScreen
from bench_tui.tui.screens.pick import PickScreen
from bench_tui.tui.screens.playback import StepPlayback
from bench_tui.tui.screens.triage import label_dialog, labels_line
from bench_tui.tui.widgets.fitted_footer import FittedFooter
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.screenshot import Screenshot
from bench_tui.tui.widgets.step_timeline import ACTION_COLOURS, StepTimeline
from bench_tui.tui.widgets.text_pane import TextPane
from bench_tui.tui.widgets.virtual_table import Column, Row, VirtualTable
from bench_tui.tui.worker_errors import WorkerFailure, reported_work


def step_kind(step: Step) -> str:
    return step.action.type if step.action else "none"


class TaskScreen(StepPlayback):
    HELP_TITLE: ClassVar[str] = "Task page"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("left,h,up,k", "step(-1)", "Prev step", id="prev_step"),
        Binding("right,l,down,j", "step(1)", "Next step", id="next_step"),
        Binding("home,g", "first_step", "First step", show=False, id="first_step"),
        Binding("end,G", "last_step", "Last step", show=False, id="last_step"),
        Binding("space", "play", "Play/pause", id="play"),
        Binding("plus,equals_sign", "speed(1)", "Faster", show=False, id="faster"),
        Binding("minus", "speed(-1)", "Slower", show=False, id="slower"),
        Binding("o", "overlay", "Overlay", id="overlay"),
        Binding("f", "fullscreen", "Full screen", id="fullscreen"),
        Binding("left_square_bracket", "task(-1)", "Prev task", id="prev_task"),
        Binding("right_square_bracket", "task(1)", "Next task", id="next_task"),
        Binding("c", "compare", "Compare", id="compare"),
        Binding("m", "next_model", "Model", id="next_model"),
        Binding("t", "triage", "Label", id="triage"),
        Binding("y", "copy_link", "Copy link", show=False, id="copy_link"),
        Binding("pageup", "details_page(-1)", "Scroll details up", show=False, id="details_up"),
        Binding(
            "pagedown", "details_page(1)", "Scroll details down", show=False, id="details_down"
        ),
    ]

    def __init__(
        self,
        run: Run,
        task_id: str,
        model: str,
        task_order: list[str],
        root: Path,
        *,
        step: int | None = None,
        highlight: re.Pattern[str] | None = None,
    ) -> None:
        super().__init__()
        self.highlight = highlight
        """What a search found: highlighted in the step details."""
        self.run = run
        self.task_id = task_id
        self.model = model
        self.task_order = task_order or [task_id]
        self.root = root
        self.models = run.models
        self.steps: list[Step] = []
        self.trace: TraceSteps | None = None
        self.step_problems: list[Problem] = []
        self.current = step - 1 if step else 0
        self.goto_step = step
        """The 1-based step a deep link asked for, until the steps have loaded."""
        self.overlay = True
        self.steps_loading = True
        self.load_failure: str | None = None
        """Why the steps could not be loaded (an internal error), shown where they would be."""
        self._folder_problems: list[Problem] = []
        self._folder_problems_key: tuple[str, int] | None = None
        self._problems_shown: list[Problem] = []
        self._link_lines: int | None = None
        """Lines of the link shown last (None before the first): a change lays the screen out."""
        self.store = TriageStore(run.path, relative_to=root)
        self.label_set, _ = load_label_set()

    @property
    def execution(self) -> Execution | None:
        """This model's execution of this task: never another model's (DESIGN §10)."""
        return self._execution_of(self.task_id, self.model)

    def _execution_of(self, task_id: str, model: str) -> Execution | None:
        for execution in self.run.executions:
            if execution.task_id == task_id and execution.model == model:
                return execution
        return None

    def compose(self) -> ComposeResult:
        yield SafeStatic(id="task-heading", classes="screen-heading")
        yield SafeStatic(id="task-link")
        with Horizontal(id="task-body"):
            with Vertical(id="task-left"):
                table = VirtualTable(
                    [
                        Column("n", "#", 4, justify="right"),
                        Column("type", "action", 12),
                        Column("what", "detail", flex=True),
                    ],
                    id="steps-table",
                    empty_text="Loading steps…",
                )
                table.can_focus = False
                yield table
                yield StepTimeline(id="timeline")
            with Vertical(id="task-right"):
                yield Screenshot(id="shot", mode=app_renderer(self.app).mode)
                yield TextPane(id="step-details")
        yield FittedFooter()

    def on_mount(self) -> None:
        self._load()

    def update_run(self, run: Run) -> None:
        """The run was read again (a reload): same task, model and step, the new files."""
        self.run = run
        self.models = run.models
        self._load()

    # ----- loading -----------------------------------------------------------------------------
    def _load(self) -> None:
        self.steps_loading = True
        self.load_failure = None
        self.steps = []
        self.trace = None
        self._render_heading()
        table = self.query_one("#steps-table", VirtualTable)
        table.empty_text = "Loading steps…"
        table.set_rows([])
        self._load_steps(self.task_id, self.model)

    @reported_work(
        "loading steps",
        group="steps",
        exclusive=True,
        where=lambda page, task_id, model: page._steps_source(task_id, model),
    )
    def _load_steps(self, task_id: str, model: str) -> None:
        execution = self._execution_of(task_id, model)
        if execution is None:
            steps: list[Step] = []
            problems: list[Problem] = []
        else:
            steps, problems = load_steps(self.run, execution, self.root)
            trace = trace_steps(execution, steps)
            message = count_disagreement(self.run.format, trace)
            if message is not None:
                where = self._rel(execution.source_path or self.run.path)
                problems = [*problems, Problem(path=where, message=message)]
        self.app.call_from_thread(self._steps_loaded, (task_id, model), steps, problems)

    def _steps_source(self, task_id: str, model: str) -> str:
        execution = self._execution_of(task_id, model)
        return self._rel(
            execution.source_path if execution and execution.source_path else self.run.path
        )

    def show_worker_failure(self, failure: WorkerFailure) -> None:
        """The steps worker failed: say so where the steps would be, not "Loading steps…"."""
        if failure.group != "steps":
            return
        self.steps_loading = False
        self.load_failure = failure.message
        self.query_one("#steps-table", VirtualTable).empty_text = failure.message
        self._render_heading()
        self._show_step()

    def _steps_loaded(
        self, key: tuple[str, str], steps: list[Step], problems: list[Problem]
    ) -> None:
        if key != (self.task_id, self.model):
            return  # the user moved on to another task or model meanwhile
        self.steps_loading = False
        execution = self.execution
        self.trace = trace_steps(execution, steps) if execution is not None else None
        self.steps = steps
        self.step_problems = problems
        self.current = min(self.current, max(0, len(steps) - 1))
        if self.goto_step is not None:
            notice = step_notice(self.goto_step, len(steps))
            if notice:
                self.notify(notice, severity="warning", timeout=10)
            self.goto_step = None
        table = self.query_one("#steps-table", VirtualTable)
        table.empty_text = (
            "This execution recorded no steps."
            if self.execution is not None
            else f"Not run by this model ({self.model})."
        )
        table.set_rows(
            [
                Row(
                    key=index,
                    cells=(
                        str(index + 1),
                        Text(step_kind(step), style=ACTION_COLOURS.get(step_kind(step), "")),
                        self._action_text(step),
                    ),
                )
                for index, step in enumerate(steps)
            ],
            keep_cursor=False,
        )
        self.query_one(StepTimeline).types = tuple(step_kind(s) for s in steps)
        self._render_heading()
        self._show_step()

    # ----- rendering -----------------------------------------------------------------------------
    @staticmethod
    def _action_text(step: Step) -> str:
        if not step.actions:
            return "(no action recorded)"
        return " ; ".join(action.describe() for action in step.actions)

    def _task_problems(self) -> list[Problem]:
        task = self.run.task(self.task_id)
        workspace = getattr(self.app, "workspace", None)
        found: list[Problem] = []
        if task is not None and task.folder and workspace is not None:
            # Scanning every Problem on each step is 30 ms at a quarter million (a run copied
            # without its screenshots): scan again only when the task or the list changed.
            key = (self.task_id, getattr(self.app, "problems_version", 0))
            if key != self._folder_problems_key:
                prefix = self._rel(task.folder) + "/"
                self._folder_problems = [p for p in workspace.problems if p.path.startswith(prefix)]
                self._folder_problems_key = key
            found = self._folder_problems
        return sorted(set(self.step_problems) | set(found), key=Problem.sort_key)

    def _rel(self, path: str) -> str:
        return ReadContext(root=self.root).rel(path)

    def _render_heading(self) -> None:
        task = self.run.task(self.task_id)
        execution = self.execution
        text = Text()
        position = self.task_order.index(self.task_id) + 1 if self.task_id in self.task_order else 0
        text.append(f"{self.task_id}", style="bold")
        text.append(f"  [{position}/{len(self.task_order)}]  ", style="dim")
        text.append(self.model, style="bold")
        if len(self.models) > 1:
            index = self.models.index(self.model) + 1 if self.model in self.models else 0
            text.append(f" (m: {index}/{len(self.models)})", style="dim")
        text.append("  ")
        if execution is None:
            text.append("not run by this model", style=WARN)
        else:
            text.append_text(result_cell(execution))
            text.append(" ")
            if execution.score is not None:
                text.append(f"  score {execution.score:g}")
            text.append(f"  {format_seconds(execution.duration_s)}")
            text.append(f"  {self._steps_text(execution)}")
        if execution is not None:
            labels = labels_line(self.store, self.model, self.task_id, execution.seed)
            if labels:
                text.append("\n")
                text.append_text(labels)
        if task is not None and task.instruction:
            text.append(f"\n{task.instruction}", style="italic")
        if execution is not None and (execution.error or execution.reason):
            if execution.error:
                text.append(f"\nerror: {execution.error.splitlines()[0]}", style=BAD)
                if execution.error_type:
                    text.append(f" ({execution.error_type})", style=BAD)
            if execution.reason:
                text.append(f"\nverdict: {execution.reason}", style="dim")
        self.query_one("#task-heading", SafeStatic).update(text)

    def _steps_text(self, execution: Execution) -> str:
        """The task's step count (analysis/steps.py), its trace's records beside it once read."""
        if self.trace is not None and not self.steps_loading:
            return self.trace.describe()
        count = step_count(execution)
        return "" if count is None else f"{count} step{'' if count == 1 else 's'}"

    def _show_step(self) -> None:
        self._show_link()
        details = self.query_one("#step-details", TextPane)
        shot = self.query_one(Screenshot)
        details.update(self._details_text())
        if not self.steps:
            shot.show(None, (), caption="no screenshot")
            return
        step = self.steps[self.current]
        self.query_one("#steps-table", VirtualTable).cursor_row = self.current
        self.query_one(StepTimeline).current = self.current
        markers = self._markers(step)
        caption = "after the action" if step.screenshot_is_after else None
        shot.show(step.screenshot, markers, overlay=self.overlay, caption=caption)
        upcoming = self.steps[self.current + 1] if self.current + 1 < len(self.steps) else None
        if upcoming is not None and upcoming.screenshot:
            shot.prefetch(upcoming.screenshot, self._markers(upcoming), overlay=self.overlay)

    def problems_changed(self) -> None:
        """The workspace found more Problems (checks finishing after the page opened)."""
        if self._task_problems() != self._problems_shown:
            self.query_one("#step-details", TextPane).update(self._details_text())

    def _details_text(self) -> Text:
        """The step's text under the screenshot, this task's Problems first."""
        problems = self._task_problems()
        self._problems_shown = problems
        text = Text()
        for problem in problems:
            text.append(f"⚠ {problem.located()}\n", style=WARN)
        if not self.steps:
            if self.execution is None:
                message = f"Not run by this model ({self.model}): m switches to another model."
            elif self.load_failure is not None:
                message = self.load_failure
            elif self.steps_loading:
                message = "Loading steps…"
            else:
                message = "No steps recorded for this execution."
            text.append(message, style="dim")
            return text
        step = self.steps[self.current]
        text.append(f"step {self.current + 1}/{len(self.steps)}", style="bold")
        if not step.recorded:
            text.append("  screenshot without a step record", style="dim")
        elif step.source_number is not None:
            text.append(f"  file #{step.source_number}", style="dim")
        if self._is_uncounted(step):
            text.append("  not counted in the steps", style="dim")
        if step.duration_ms is not None:
            think = f"think {step.think_ms / 1000:.1f}s " if step.think_ms is not None else ""
            act = f"act {step.exec_ms / 1000:.1f}s" if step.exec_ms is not None else ""
            text.append(f"  ⏱ {think}{act}", style="dim")
        text.append("\n")
        for action in step.actions:
            text.append(f"▶ {action.describe()}\n", style=ACTION_COLOURS.get(action.type, ""))
        if not step.actions:
            text.append("▶ (no action recorded)\n", style="dim")
        reasoning = step.reasoning or step.raw_output
        if reasoning:
            text.append("\nreasoning\n", style="bold")
            text.append(reasoning.strip() + "\n")
        if step.logs_before:
            text.append("\nbefore step 1\n", style="bold")
            for line in step.logs_before[-20:]:
                text.append(line + "\n", style="dim")
        if step.logs:
            text.append("\nlogs\n", style="bold")
            for line in step.logs[-20:]:
                text.append(line + "\n", style="dim")
        if self.highlight is not None:
            text.highlight_regex(self.highlight, style="bold reverse")
        return text

    def _is_uncounted(self, step: Step) -> bool:
        """The last step record, when the task's count leaves it out (analysis/steps.py)."""
        if self.trace is None or not self.trace.last_uncounted:
            return False
        recorded = [s for s in self.steps if s.recorded]
        return bool(recorded) and recorded[-1] is step

    def _step_count(self) -> int:
        return len(self.steps)

    @staticmethod
    def _markers(step: Step) -> tuple[Marker, ...]:
        return step_markers(step.actions)

    def _links(self) -> TaskLinks:
        step = self.current + 1 if self.steps else None
        root_label = getattr(self.app, "root_label", str(self.root))
        return task_links(
            self.run.id, self.task_id, step, root_label, os.environ.get(SERVE_URL_ENV)
        )

    def _show_link(self) -> None:
        links = self._links()
        text = Text("link (y copies): ", style="dim")
        text.append(links.url or links.command)
        if links.url:
            text.append(f"\nterminal: {links.command}", style="dim")
        # Only the step number changes from step to step, and the line count never does: no
        # relayout of the whole screen on every step (the cached-step budget is 20 ms).
        link = self.query_one("#task-link", SafeStatic)
        link.update(text, layout=self._link_lines != text.plain.count("\n"))
        self._link_lines = text.plain.count("\n")

    # ----- actions --------------------------------------------------------------------------------
    def action_copy_link(self) -> None:
        link = self._links().best
        # OSC 52: terminals (and the browser page of `serve`) may refuse it without telling, so
        # the notice shows the link too.
        self.app.copy_to_clipboard(link)
        self.notify(f"copied to the clipboard where the terminal allows it: {link}", timeout=10)

    def action_overlay(self) -> None:
        self.overlay = not self.overlay
        self._show_step()

    def action_details_page(self, direction: int) -> None:
        details = self.query_one("#step-details", TextPane)
        if direction < 0:
            details.scroll_page_up(animate=False)
        else:
            details.scroll_page_down(animate=False)

    def action_fullscreen(self) -> None:
        self.toggle_class("-fullscreen")

    def action_compare(self) -> None:
        mine = self.execution
        if mine is None:
            self.notify(
                f"{self.task_id} was not run by {self.model}: nothing to compare", timeout=2
            )
            return
        runs = self.app.workspace.runs  # type: ignore[attr-defined]

        def picked(key: tuple[str, str] | None) -> None:
            if key is None:
                return
            other = next((r for r in runs if r.id == key[0]), None)
            theirs = (
                next(
                    (
                        e
                        for e in other.executions
                        if e.task_id == self.task_id and e.model == key[1]
                    ),
                    None,
                )
                if other
                else None
            )
            if other is not None and theirs is not None:
                # The older run is A, whichever page `c` was pressed on (DESIGN §10).
                times = {run.id: folder_time(run) for run in (self.run, other)}
                (run_a, model_a), (run_b, _model_b) = baseline_first(
                    (self.run, mine.model), (other, theirs.model), times
                )
                first, second = (
                    (mine, theirs) if (run_a, model_a) == (self.run, mine.model) else (theirs, mine)
                )
                self.app.push_screen(CompareTaskScreen(run_a, first, run_b, second, self.root))

        self.app.push_screen(
            PickScreen(
                f"Compare {self.task_id} ({mine.model}) with… (the older run is A)",
                TASK_PICK_COLUMNS,
                task_partners(runs, self.run, mine.model, self.task_id),
                "No other run or model has this task.",
            ),
            picked,
        )

    def action_triage(self) -> None:
        """Label this model's execution here, where the steps show what went wrong."""
        execution = self.execution
        if execution is None:
            self.notify("not run by this model: nothing to label", timeout=2)
            return
        self.app.push_screen(
            label_dialog(
                self.store,
                self.label_set,
                self.model,
                [(self.task_id, execution.seed)],
                f"Label {self.task_id} ({self.model})",
                lambda message: self.notify(message, severity="error"),
                changed=self._render_heading,
            )
        )

    def action_next_model(self) -> None:
        """Another model's execution of the same task (DESIGN §10 "Models in one run")."""
        if len(self.models) < 2:
            only = self.models[0] if self.models else self.model
            self.notify(f"m: this run has one model ({only})", timeout=2)
            return
        index = self.models.index(self.model) if self.model in self.models else -1
        self.model = self.models[(index + 1) % len(self.models)]
        self._load()

    def action_task(self, delta: int) -> None:
        if self.task_id not in self.task_order:
            return
        index = self.task_order.index(self.task_id) + delta
        if not 0 <= index < len(self.task_order):
            self.notify("no more tasks in this list", timeout=1)
            return
        self.task_id = self.task_order[index]
        self._load()
