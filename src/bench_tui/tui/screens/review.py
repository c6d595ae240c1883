"""`v` on a run page: the failures nobody has labelled yet, one at a time, final screen large.

One key per verdict writes a label and shows the next failure at once: `c` the checker was right,
`+` it should have passed, or a failure cause from the label set. `u` (or Backspace) removes the
last verdict's label and goes back to that task. The labels go to the run page's own store, so the
task list, the audit and `bench-tui audit` see them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input

from bench_tui.model import Execution, Run
from bench_tui.safetext import visible
from bench_tui.sources.steps import load_steps
from bench_tui.triage.labels import CHECKER_RIGHT, SHOULD_FAIL, SHOULD_PASS, LabelSet
from bench_tui.triage.store import TriageStore
from bench_tui.tui.cells import result_cell
from bench_tui.tui.image_mode import app_renderer
from bench_tui.tui.widgets.fitted_footer import FittedFooter
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.widgets.screenshot import Screenshot
from bench_tui.tui.worker_errors import WorkerFailure, relative_to, reported_work

CHECKER_RIGHT_KEY = "c"
SHOULD_PASS_KEY = "+"
"""For a label set without `checker wrong: should pass`: the queue still offers it."""
OWN_KEYS = frozenset({CHECKER_RIGHT_KEY, "u", "n", " ", "1", "2", "3", "!", "?", "r", "q"})
"""Keys the queue or the app already use: a label set entry on one of them is left out here."""
REVIEWABLE = frozenset({"failed", "infra", "errored"})
"""Failures with something to look at: unfinished tasks have no final screen to judge."""

FinalShot = tuple[str | None, int]
"""(path of the last screenshot, steps recorded)."""


def verdict_keys(labels: LabelSet) -> dict[str, str]:
    """key -> label written: checker right, should pass, then every failure cause of the set.

    `should fail` is left out: the queue shows only tasks the checker failed.
    """
    keys = {CHECKER_RIGHT_KEY: CHECKER_RIGHT}
    own = next((label for label in labels.labels if label.name == SHOULD_PASS), None)
    pass_key = own.key if own is not None and own.key not in OWN_KEYS else SHOULD_PASS_KEY
    keys[pass_key] = SHOULD_PASS
    for label in labels.labels:
        if label.name in (SHOULD_PASS, SHOULD_FAIL) or label.key in OWN_KEYS or label.key in keys:
            continue
        keys[label.key] = label.name
    return keys


class ReviewScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
        Binding(CHECKER_RIGHT_KEY, "checker_right", "Checker right", id="checker_right"),
        Binding("u,backspace", "undo", "Undo", id="undo"),
        Binding("space", "skip", "Skip", id="skip"),
        Binding("n", "note", "Note", id="note"),
    ]

    def __init__(
        self,
        run: Run,
        model: str,
        store: TriageStore,
        labels: LabelSet,
        task_order: list[str],
        changed: Callable[[list[str]], None],
        root: Path,
    ) -> None:
        super().__init__()
        self.run = run
        self.model = model
        self.store = store
        self.keys = verdict_keys(labels)
        self.changed = changed
        self.root = root
        by_task = {e.task_id: e for e in run.executions if e.model == model}
        self.queue: list[Execution] = [
            by_task[task_id]
            for task_id in task_order
            if task_id in by_task
            and by_task[task_id].status in REVIEWABLE
            and not self._labelled(by_task[task_id])
        ]
        self.position = 0
        self.history: list[tuple[int, Execution, str]] = []
        """(position, execution, label) of each verdict, the last one last."""
        self.finals: dict[str, FinalShot] = {}

    def _labelled(self, execution: Execution) -> bool:
        state = self.store.state()
        return bool(state.labels_for(self.model, execution.task_id, execution.seed, all_steps=True))

    @property
    def current(self) -> Execution | None:
        return self.queue[self.position] if self.position < len(self.queue) else None

    def compose(self) -> ComposeResult:
        yield SafeStatic(id="review-heading", classes="screen-heading")
        yield SafeStatic(id="review-task")
        yield Screenshot(id="review-shot", mode=app_renderer(self.app).mode)
        yield SafeStatic(self._legend(), id="review-keys")
        yield FittedFooter()

    def on_mount(self) -> None:
        self._show()

    def _legend(self) -> Text:
        text = Text()
        for key, label in self.keys.items():
            text.append(f" {key} ", style="bold reverse")
            text.append(f" {label}  ")
        text.append("\n space skip · u/⌫ undo · n note · Esc back", style="dim")
        return text

    # ----- showing ---------------------------------------------------------------------------
    def _show(self) -> None:
        execution = self.current
        done = len(self.history)
        heading = Text(f"Review failures — {self.model} · {self.run.label}", style="bold")
        heading.append(
            f"   {min(self.position + 1, len(self.queue))} of {len(self.queue)} unlabelled · "
            f"{done} labelled here",
            style="",
        )
        self.query_one("#review-heading", SafeStatic).update(heading)
        shot = self.query_one("#review-shot", Screenshot)
        if execution is None:
            message = (
                "Every failure in this list has a label."
                if not self.queue
                else "End of the queue: every failure shown has a verdict or was skipped."
            )
            self.query_one("#review-task", SafeStatic).update(Text(message, style="bold"))
            shot.show(None, caption="nothing left to review")
            return
        self.query_one("#review-task", SafeStatic).update(self._task_text(execution))
        final = self.finals.get(self._key(execution))
        if final is None:
            shot.show(None, caption="loading the final screen…")
            self._load_final(self.position)
        else:
            self._show_final(execution, final)

    def _task_text(self, execution: Execution) -> Text:
        task = self.run.task(execution.task_id)
        text = Text()
        text.append(execution.task_id, style="bold")
        if execution.seed is not None:
            text.append(f" seed {execution.seed}")
        if task is not None and task.domain:
            text.append(f"  ·  {task.domain}")
        text.append("  ")
        text.append_text(result_cell(execution))
        if execution.score is not None:
            text.append(f"  score {execution.score:.2f}")
        text.append("\n")
        instruction = task.instruction if task is not None else None
        text.append(instruction or "(no instruction recorded)", style="" if instruction else "dim")
        for name, value in (("checker", execution.reason), ("error", execution.error)):
            if value:
                first = value.strip().splitlines()[0] if value.strip() else ""
                text.append(f"\n{name}: ", style="dim")
                text.append(first[:300])
        note = self.store.note_for(self.model, execution.task_id, execution.seed)
        if note:
            text.append("\nnote: ", style="dim")
            text.append(visible(note, one_line=True))
        return text

    def _show_final(self, execution: Execution, final: FinalShot) -> None:
        path, steps = final
        caption = f"final screen after {steps} step(s)" if path else "no screenshot recorded"
        self.query_one("#review-shot", Screenshot).show(path, caption=caption)

    @staticmethod
    def _key(execution: Execution) -> str:
        return f"{execution.task_id}\0{execution.seed}"

    @reported_work(
        "loading the final screen",
        group="review",
        exclusive=True,
        where=lambda page, position: page._source_of(position),
    )
    def _load_final(self, position: int) -> None:
        # The current failure, then the next one, so that its screen is decoded before it is asked for.
        for index in (position, position + 1):
            if index >= len(self.queue):
                return
            execution = self.queue[index]
            if self._key(execution) in self.finals:
                continue
            steps, _problems = load_steps(self.run, execution, self.root)
            shots = [step.screenshot for step in steps if step.screenshot]
            final: FinalShot = (shots[-1] if shots else None, len(steps))
            self.app.call_from_thread(self._final_loaded, index, execution, final)

    def _source_of(self, position: int) -> str:
        execution = self.queue[position] if position < len(self.queue) else None
        source = execution.source_path if execution is not None else None
        return relative_to(self.root, source or self.run.path)

    def show_worker_failure(self, failure: WorkerFailure) -> None:
        if failure.group == "review":
            self.query_one("#review-shot", Screenshot).show(None, caption=failure.message)

    def _final_loaded(self, index: int, execution: Execution, final: FinalShot) -> None:
        self.finals[self._key(execution)] = final
        if not self.is_mounted:
            return
        shot = self.query_one("#review-shot", Screenshot)
        if index == self.position:
            self._show_final(execution, final)
        elif final[0] is not None:
            shot.prefetch(final[0])

    # ----- verdicts --------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        if self.query(Input):
            return  # typing a note
        label = self.keys.get(event.character or "")
        if label is not None and event.character != CHECKER_RIGHT_KEY:
            event.stop()
            self.give(label)

    def action_checker_right(self) -> None:
        self.give(CHECKER_RIGHT)

    def give(self, label: str) -> None:
        execution = self.current
        if execution is None:
            return
        try:
            self.store.add_label(self.model, execution.task_id, label, seed=execution.seed)
        except OSError as exc:
            self.notify(f"could not save the label: {exc}", severity="error")
            return
        self.history.append((self.position, execution, label))
        self.changed([execution.task_id])
        self._advance(self.position + 1)

    def _advance(self, start: int) -> None:
        """To the next failure still without a label (someone may have labelled it meanwhile)."""
        position = start
        while position < len(self.queue) and self._labelled(self.queue[position]):
            position += 1
        self.position = position
        self._show()

    def action_skip(self) -> None:
        if self.current is not None:
            self._advance(self.position + 1)

    def action_undo(self) -> None:
        if self.query(Input):
            return
        if not self.history:
            self.notify("nothing to undo", timeout=2)
            return
        position, execution, label = self.history.pop()
        try:
            self.store.remove_label(self.model, execution.task_id, label, seed=execution.seed)
        except OSError as exc:
            self.notify(f"could not remove the label: {exc}", severity="error")
            self.history.append((position, execution, label))
            return
        self.changed([execution.task_id])
        self.position = position
        self._show()

    # ----- notes -----------------------------------------------------------------------------
    def action_note(self) -> None:
        execution = self.current
        if execution is None or self.query(Input):
            return
        note = self.store.note_for(self.model, execution.task_id, execution.seed)
        field = Input(
            value=visible(note or "", one_line=True),
            placeholder="note on this task (Enter saves, Esc drops)",
            id="review-note",
        )
        self.mount(field, before=self.query_one("#review-keys"))
        field.focus()

    @on(Input.Submitted, "#review-note")
    def _note_done(self, event: Input.Submitted) -> None:
        execution = self.current
        event.input.remove()
        if execution is None:
            return
        try:
            self.store.set_note(self.model, execution.task_id, event.value, seed=execution.seed)
        except OSError as exc:
            self.notify(f"could not save the note: {exc}", severity="error")
            return
        self.changed([execution.task_id])
        self._show()

    def action_back(self) -> None:
        for field in self.query(Input):
            field.remove()  # Escape while writing drops the note, keeps the queue
            return
        self.app.pop_screen()
