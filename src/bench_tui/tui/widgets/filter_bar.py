"""The `/` filter input: hidden until asked for, Escape clears it, Enter returns to the list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class FilterBar(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear", "Clear filter", show=False),
        Binding("enter", "done", "Apply", show=False),
    ]

    @dataclass
    class Done(Message):
        bar: FilterBar

    def __init__(
        self,
        placeholder: str = 'filter: words, !word, "a phrase", domain:x, status:fail, model:x, label:x',
        **kwargs: object,
    ) -> None:
        super().__init__(placeholder=placeholder, **kwargs)  # type: ignore[arg-type]
        self.display = False

    def open(self) -> None:
        self.display = True
        self.focus()

    def action_clear(self) -> None:
        self.value = ""
        self.display = False
        self.post_message(self.Done(self))

    def action_done(self) -> None:
        if not self.value:
            self.display = False
        self.post_message(self.Done(self))
