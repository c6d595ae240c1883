"""A row of small cards: a title, a big value and a sub-line each."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static


@dataclass(frozen=True)
class Card:
    title: str
    value: str
    sub: str = ""
    tone: str = ""
    """"good", "bad" or "" — a CSS class on the card."""


class MetricCards(Horizontal):
    def compose(self) -> ComposeResult:
        return iter(())

    def show(self, cards: list[Card]) -> None:
        existing = list(self.query(".metric-card").results(Static))
        for index, card in enumerate(cards):
            body = Text()
            body.append(card.title + "\n", style="dim")
            body.append(card.value, style="bold")
            if card.sub:
                body.append("\n" + card.sub, style="dim")
            if index < len(existing):
                widget = existing[index]
                widget.update(body)
            else:
                widget = Static(body, classes="metric-card")
                self.mount(widget)
            widget.set_class(card.tone == "good", "-good")
            widget.set_class(card.tone == "bad", "-bad")
        for widget in existing[len(cards) :]:
            widget.remove()
