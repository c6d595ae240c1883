"""One line: a cell per step coloured by action type, the current step marked."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from bench_tui.tui.palette import (
    ACCENT,
    BAD,
    BAD_BOLD,
    GOOD,
    GOOD_BOLD,
    INFO,
    INFO_BOLD,
    OTHER_BOLD,
    WARN,
)

ACTION_COLOURS: dict[str, str] = {
    "click": INFO,
    "double_click": INFO_BOLD,
    "right_click": OTHER_BOLD,
    "type": GOOD,
    "key": WARN,
    "hotkey": WARN,
    "scroll": "dim",
    "drag": ACCENT,
    "move": "dim",
    "wait": "dim",
    "answer": GOOD_BOLD,
    "done": GOOD_BOLD,
    "fail": BAD,
    "error": BAD_BOLD,
    "other": "",
    "none": "dim",
}


class StepTimeline(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"step-timeline--current"}

    types: reactive[tuple[str, ...]] = reactive(tuple)
    current: reactive[int] = reactive(0)

    def render(self) -> Text:
        text = Text(no_wrap=True)
        if not self.types:
            return Text("no steps", style="dim")
        width = max(1, self.content_region.width)
        per_cell = max(1, -(-len(self.types) // width))
        for start in range(0, len(self.types), per_cell):
            kind = self.types[start]
            here = start <= self.current < start + per_cell
            # The current step is the ▼ in its action's colour.
            text.append("▼" if here else "█", style=ACTION_COLOURS.get(kind, ""))
        return text
