"""A scrollable block of styled text whose content changes often without re-laying out the screen.

A Static in a VerticalScroll re-lays out the whole screen on every `update` (its height follows
its text), and a relayout repaints every widget: most of a cached step on the task page. Here
the text is wrapped to the pane's width into strips and the scroll size is set without a
layout: only a scrollbar appearing or going away (text growing past the pane's height, or
shrinking back) lays out again.
"""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from bench_tui.safetext import visible_text


class TextPane(ScrollView, can_focus=False):
    DEFAULT_CSS = """
    TextPane {
        overflow-y: auto;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.content = Text()
        self._lines: list[Strip] = []
        self._wrapped_width = -1

    def update(self, text: Text) -> None:
        """Show `text` from its top."""
        self.content = visible_text(text)
        self._wrap()
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def _wrap(self) -> None:
        # Twice at most: the text may need the scrollbar, which narrows the width it wraps to
        # (or no longer need it, which widens it).
        for _ in range(2):
            width = self.scrollable_content_region.width
            if width <= 0:
                self._lines, self._wrapped_width = [], -1
                return
            console = self.app.console
            lines = self.content.wrap(console, width)
            self._lines = [Strip(line.render(console), line.cell_len) for line in lines]
            self._wrapped_width = width
            size = Size(width, len(self._lines))
            if size != self.virtual_size:
                # Not `self.virtual_size = size`: that reactive lays out the whole screen.
                self.set_reactive(Widget.virtual_size, size)
                self._scroll_update(size)
            if self.scrollable_content_region.width == width:
                return

    def on_resize(self) -> None:
        self._wrap()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = int(self.scroll_offset.y) + y
        style = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, style)
        return self._lines[index].apply_style(style).extend_cell_length(width, style).crop(0, width)
