"""Labels on the run page: `t`, marks, `u`. The label set and the run's triage store are read by
a worker, `t` writes through a worker, and the page shows the last state a worker read: the UI
thread never waits on the store (DESIGN §7: the results folder may be a slow mount)."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from textual.screen import Screen

from bench_tui.analysis.summary import ModelFigures
from bench_tui.model import Execution, Problem, Run
from bench_tui.triage.labels import LabelSet, load_label_set
from bench_tui.triage.store import TriageState, TriageStore
from bench_tui.tui.screens.triage import TriageScreen
from bench_tui.tui.widgets.virtual_table import Row, VirtualTable
from bench_tui.tui.worker_errors import reported_work

Targets = Sequence[tuple[str, int | None]]
"""(task id, seed) of every task a label goes on."""


class RunLabelFile:
    """The run's triage store for the page's workers: one at a time, and every answer a copy of
    the state, which the store would otherwise update in place while the page reads it."""

    def __init__(self, run_path: str, root: Path) -> None:
        self.run_path = run_path
        self.root = root
        self.store: TriageStore | None = None
        self._lock = threading.Lock()

    def read(self) -> TriageState:
        with self._lock:
            return copy.deepcopy(self._store().state())

    def toggle(self, model: str, targets: Targets, label: str) -> tuple[TriageState, str | None]:
        """Remove `label` when every target has it, else add it to each: as the `t` dialog
        shows it. The state after, and why the write failed when it did."""
        with self._lock:
            store = self._store()
            state = store.state()
            sets = [set(state.labels_for(model, task_id, seed)) for task_id, seed in targets]
            present = set.intersection(*sets) if sets else set()
            write = store.remove_label if label in present else store.add_label
            error = None
            try:
                for task_id, seed in targets:
                    write(model, task_id, label, seed=seed)
            except OSError as exc:
                error = f"could not save the label: {exc}"
            return copy.deepcopy(store.state()), error

    def set_note(self, model: str, targets: Targets, text: str) -> tuple[TriageState, str | None]:
        with self._lock:
            store = self._store()
            error = None
            try:
                for task_id, seed in targets:
                    store.set_note(model, task_id, text, seed=seed)
            except OSError as exc:
                error = f"could not save the note: {exc}"
            return copy.deepcopy(store.state()), error

    def _store(self) -> TriageStore:
        if self.store is None:
            self.store = TriageStore(self.run_path, relative_to=self.root)
        return self.store


class RunLabels(Screen[None]):
    """The run page's labelling (RunScreen provides the rows, the model and the cards)."""

    run: Run
    root: Path
    by_task: dict[str, dict[str, Execution]]

    def init_labels(self, run: Run, root: Path) -> None:
        self.label_file = RunLabelFile(run.path, root)
        self.label_set = LabelSet()
        self.label_problems: list[Problem] = []
        self.triage = TriageState()
        """The labels shown: the last state a worker read (empty until the first read)."""
        self.labels_ready = False
        self._when_labels_ready: list[Callable[[], None]] = []
        self._label_dialog: TriageScreen | None = None

    # ----- what RunScreen provides ---------------------------------------------------------------
    @property
    def current_model(self) -> ModelFigures | None:
        raise NotImplementedError

    def _rows(self, only: set[str] | None = None) -> list[Row]:
        raise NotImplementedError

    def _show_model(self) -> None:
        raise NotImplementedError

    # ----- reading ------------------------------------------------------------------------------
    @property
    def store(self) -> TriageStore | None:
        """The run's store once the first read made it (the review queue writes through it)."""
        return self.label_file.store

    def start_reading_labels(self) -> None:
        self._read_labels(self.label_file)

    @reported_work(
        "reading the run's labels", group="run-labels", where=lambda page, _f: page.run.id
    )
    def _read_labels(self, label_file: RunLabelFile) -> None:
        label_set, problems = load_label_set()
        state = label_file.read()
        self.app.call_from_thread(self._labels_read, label_set, problems, state)

    def _labels_read(
        self, label_set: LabelSet, problems: list[Problem], state: TriageState
    ) -> None:
        if not self.is_attached:
            return  # the page was closed meanwhile
        self.label_set, self.label_problems, self.triage = label_set, problems, state
        self.labels_ready = True
        if state.labels:  # else the rows and cards shown already have no label (most runs)
            self.query_one("#tasks-table", VirtualTable).replace_rows(self._rows())
            self._show_model()
        waiting, self._when_labels_ready = self._when_labels_ready, []
        for action in waiting:
            action()

    def after_labels(self, action: Callable[[], None]) -> bool:
        """Whether `action` must wait for the first read (it then runs right after it)."""
        if self.labels_ready:
            return False
        self._when_labels_ready.append(action)
        return True

    def refresh_labels_now(self, task_ids: list[str]) -> None:
        """Another page wrote labels on this thread (the review queue): read them back now, so
        that this page is up to date when it shows again."""
        self.triage = self.label_file.read()
        self._refresh_task_rows(task_ids)

    # ----- writing ------------------------------------------------------------------------------
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
        if self.after_labels(self.action_triage):
            return
        task_ids = self._targets()
        if not task_ids or self.current_model is None:
            return
        model = self.current_model.model
        targets = [(task_id, self._seed(task_id)) for task_id in task_ids]
        what = task_ids[0] if len(task_ids) == 1 else f"{len(task_ids)} marked tasks"

        def current() -> set[str]:
            sets = [set(self.triage.labels_for(model, task, seed)) for task, seed in targets]
            return set.intersection(*sets)

        note = self.triage.note_for(model, *targets[0]) if len(targets) == 1 else None
        written: list[str] = []

        def label(name: str) -> None:
            written.append(name)
            self._write_label(self.label_file, model, targets, name)

        def closed(_result: object) -> None:
            table = self.query_one("#tasks-table", VirtualTable)
            # The marks did their job once the marked tasks were labelled: a next `t` labels
            # the task under the cursor, not the same set again unseen.
            if written and table.marked:
                table.marked = set()
                table.refresh()
                self.notify(f"labelled {len(targets)} marked tasks; marks cleared", timeout=3)

        title = f"Label {what} ({model})"
        if getattr(self.app, "remote", None) is not None:
            # Results in object storage are never written: say where the label goes.
            title += " · kept on this machine, not in the bucket"
        dialog = TriageScreen(
            title,
            self.label_set,
            current,
            label,
            note,
            lambda text: self._write_note(self.label_file, model, targets, text),
        )
        self._label_dialog = dialog
        self.app.push_screen(dialog, closed)

    @reported_work("saving a label", group="run-label-write", where=lambda page, *_: page.run.id)
    def _write_label(
        self, label_file: RunLabelFile, model: str, targets: Targets, label: str
    ) -> None:
        state, error = label_file.toggle(model, targets, label)
        self.app.call_from_thread(self._labels_written, state, targets, error)

    @reported_work("saving a note", group="run-label-write", where=lambda page, *_: page.run.id)
    def _write_note(
        self, label_file: RunLabelFile, model: str, targets: Targets, text: str
    ) -> None:
        state, error = label_file.set_note(model, targets, text)
        self.app.call_from_thread(self._labels_written, state, targets, error)

    def _labels_written(self, state: TriageState, targets: Targets, error: str | None) -> None:
        self.triage = state
        if error is not None:
            self.notify(error, severity="error")
        if not self.is_attached:
            return
        self._refresh_task_rows([task_id for task_id, _seed in targets])
        dialog = self._label_dialog
        if dialog is not None and dialog.is_attached:
            dialog.refresh_labels()

    # ----- marks and the next unlabelled failure --------------------------------------------------
    def action_mark(self) -> None:
        table = self.query_one("#tasks-table", VirtualTable)
        key = table.cursor_key
        if key is None:
            return
        table.marked ^= {key}
        table.action_cursor_down()
        table.refresh()

    def action_next_unlabelled(self) -> None:
        if self.after_labels(self.action_next_unlabelled):
            return
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
