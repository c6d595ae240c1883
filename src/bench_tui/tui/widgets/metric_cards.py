"""A row of small cards: a title, a big value and a sub-line each."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal

from bench_tui.safetext import visible
from bench_tui.tui.widgets.safe_static import SafeStatic


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
        existing = list(self.query(".metric-card").results(SafeStatic))
        for index, card in enumerate(cards):
            body = Text()
            body.append(visible(card.title, one_line=True) + "\n", style="dim")
            body.append(visible(card.value, one_line=True), style="bold")
            if card.sub:
                body.append("\n" + visible(card.sub), style="dim")
            if index < len(existing):
                widget = existing[index]
                widget.update(body)
            else:
                widget = SafeStatic(body, classes="metric-card")
                self.mount(widget)
            widget.set_class(card.tone == "good", "-good")
            widget.set_class(card.tone == "bad", "-bad")
        for widget in existing[len(cards) :]:
            widget.remove()
