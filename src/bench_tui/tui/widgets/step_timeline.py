"""One line: a cell per step coloured by action type, the current step marked."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

ACTION_COLOURS: dict[str, str] = {
    "click": "dodger_blue1",
    "double_click": "cyan",
    "right_click": "magenta",
    "type": "green",
    "key": "yellow",
    "hotkey": "yellow",
    "scroll": "grey62",
    "drag": "dark_orange",
    "move": "grey50",
    "wait": "grey35",
    "answer": "spring_green1",
    "done": "bright_green",
    "fail": "red",
    "error": "bright_red",
    "other": "white",
    "none": "grey27",
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
            style = ACTION_COLOURS.get(kind, "white")
            text.append("▼" if here else "█", style=f"bold {style}" if here else style)
        return text
