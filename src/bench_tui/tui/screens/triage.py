"""`t`: the label set, one key per label; `n` writes a note. Keys toggle, Escape closes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from bench_tui.safetext import visible
from bench_tui.triage.labels import LabelSet
from bench_tui.triage.store import TriageStore
from bench_tui.tui.palette import ACCENT_BOLD
from bench_tui.tui.widgets.safe_static import SafeStatic


class TriageScreen(ModalScreen[None]):
    """Labels the target (one task, or every marked task) through callbacks into the run page."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    def __init__(
        self,
        title: str,
        labels: LabelSet,
        current: Callable[[], set[str]],
        toggle: Callable[[str], None],
        note: str | None,
        save_note: Callable[[str], None],
    ) -> None:
        super().__init__()
        self.title_text = title
        self.labels = labels
        self.current = current
        self.toggle = toggle
        self.note = note
        self.save_note = save_note

    def compose(self) -> ComposeResult:
        with Vertical(id="triage-box"):
            yield SafeStatic(self.title_text, classes="screen-heading")
            yield SafeStatic(id="triage-labels")
            yield SafeStatic("a key toggles its label · n: note · Esc: close", classes="dim-note")

    def on_mount(self) -> None:
        self._render_labels()

    def refresh_labels(self) -> None:
        """The labels were written meanwhile (the run page writes from a worker)."""
        self._render_labels()

    def _render_labels(self) -> None:
        chosen = self.current()
        text = Text()
        for label in self.labels.labels:
            mark = "■" if label.name in chosen else "□"
            text.append(f" {label.key} ", style="bold reverse")
            text.append(f" {mark} {label.name}\n", style="bold" if label.name in chosen else "")
        self.query_one("#triage-labels", SafeStatic).update(text)

    def on_key(self, event: events.Key) -> None:
        if self.query(Input):
            return  # typing a note
        if event.character == "n":
            event.stop()
            # Mounted only now: an input present from the start would take the label keys.
            note = Input(
                value=visible(self.note or "", one_line=True),
                placeholder="note (Enter saves)",
                id="triage-note",
            )
            self.query_one("#triage-box").mount(note, before=self.query_one(".dim-note"))
            note.focus()
            return
        label = self.labels.by_key(event.character or "")
        if label is not None:
            event.stop()
            self.toggle(label.name)
            self._render_labels()

    @on(Input.Submitted, "#triage-note")
    def _note_done(self, event: Input.Submitted) -> None:
        self.save_note(event.value)
        self.dismiss()

    def action_close(self) -> None:
        for note in self.query(Input):
            note.remove()  # Escape while writing drops the note, keeps the dialog
            return
        self.dismiss()


def label_dialog(
    store: TriageStore,
    label_set: LabelSet,
    model: str,
    targets: Sequence[tuple[str, int | None]],
    title: str,
    notify: Callable[[str], None],
    changed: Callable[[], None] | None = None,
    blind_seed: int | None = None,
) -> TriageScreen:
    """The `t` dialog for one model's (task, seed) targets in one run's store: the run page, the
    task page and the split view label the same way."""

    def current() -> set[str]:
        state = store.state()
        sets = [set(state.labels_for(model, task_id, seed)) for task_id, seed in targets]
        return set.intersection(*sets) if sets else set()

    def toggle(label: str) -> None:
        write = store.remove_label if label in current() else store.add_label
        try:
            for task_id, seed in targets:
                write(model, task_id, label, seed=seed, blind_seed=blind_seed)
        except OSError as exc:
            notify(f"could not save the label: {exc}")
        if changed is not None:
            changed()

    def save_note(text: str) -> None:
        try:
            for task_id, seed in targets:
                store.set_note(model, task_id, text, seed=seed)
        except OSError as exc:
            notify(f"could not save the note: {exc}")
        if changed is not None:
            changed()

    note = store.note_for(model, *targets[0]) if len(targets) == 1 else None
    return TriageScreen(title, label_set, current, toggle, note, save_note)


def labels_line(store: TriageStore, model: str, task_id: str, seed: int | None) -> Text:
    """`labels: a, b · note: …` for a heading, or an empty Text when there is neither."""
    state = store.state()
    labels = state.labels_for(model, task_id, seed)
    note = store.note_for(model, task_id, seed)
    text = Text()
    if labels:
        text.append("labels: ", style="dim")
        text.append(", ".join(labels), style=ACCENT_BOLD)
    if note:
        text.append("  ·  note: " if labels else "note: ", style="dim")
        text.append(note.splitlines()[0] if note.strip() else note)
    return text


class RevealScreen(ModalScreen[None]):
    """End of a blind session: which model got which labels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "dismiss", "Close")]

    def __init__(self, counts: dict[str, dict[str, int]], sides: dict[str, str]) -> None:
        super().__init__()
        self.counts = counts
        self.sides = sides

    def compose(self) -> ComposeResult:
        text = Text("Blind labelling revealed\n\n", style="bold")
        if not self.counts:
            text.append("No label was given during this blind session.\n", style="dim")
        for model, labels in self.counts.items():
            text.append(f"{self.sides.get(model, '?')}  {model}\n", style="bold")
            for label, count in labels.items():
                text.append(f"   {count:>4}  {label}\n")
        with Vertical(id="triage-box"):
            yield SafeStatic(text)
            yield SafeStatic("Esc closes", classes="dim-note")
