"""The last guard before the terminal: no control character from data leaves in a text segment.

Every widget makes data visible itself (`bench_tui.safetext`); this filter, applied to every line
the app draws, removes whatever control character slipped past them (a raw ESC would otherwise
reach the terminal) and keeps a few samples, so tests can require that nothing needed it.
Graphics widgets (Kitty, Sixel) and the half-block canvas opt out: their escapes are their pixels.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from bench_tui.safetext import has_control, strip_control

MAX_SAMPLES = 20


class ControlGuard(LineFilter):
    def __init__(self, enabled: bool = True) -> None:
        super().__init__(enabled)
        self.caught = 0
        self.samples: list[str] = []

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if not any(not segment.control and has_control(segment.text) for segment in segments):
            return segments
        cleaned: list[Segment] = []
        for segment in segments:
            text, style, control = segment
            if not control and has_control(text):
                self.caught += 1
                if len(self.samples) < MAX_SAMPLES:
                    self.samples.append(text)
                segment = Segment(strip_control(text), style, control)
            cleaned.append(segment)
        return cleaned
