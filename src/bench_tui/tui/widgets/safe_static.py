"""A Static that shows data: markup is never parsed and control characters are made visible.

Every Static in the app is this one. Whatever reaches it (a string, a Rich `Text`, a Rich table,
a group of them) passes through `bench_tui.safetext`, so a model id such as `[@click=app.quit]`
or an instruction carrying OSC 52 shows as the characters it holds and does nothing.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.visual import VisualType
from textual.widgets import Static

from bench_tui.safetext import visible, visible_text


def safe_renderable(content: Any) -> Any:
    """`content` with every string and `Text` inside it made visible (tables and groups too)."""
    if isinstance(content, str):
        return Text(visible(content))
    if isinstance(content, Text):
        return visible_text(content)
    if isinstance(content, Table):
        _make_table_visible(content)
        return content
    if isinstance(content, Group):
        return Group(*(safe_renderable(item) for item in content.renderables))
    return content


def _make_table_visible(table: Table) -> None:
    # A Rich table renders str cells through the console (markup and all): swap them for Text.
    # Rich styles a str title itself but takes a Text's own style: give the Text that style.
    if isinstance(table.title, str):
        table.title = Text(visible(table.title), style=table.title_style or "table.title")
    elif isinstance(table.title, Text):
        table.title = visible_text(table.title)
    if isinstance(table.caption, str):
        table.caption = Text(visible(table.caption), style=table.caption_style or "table.caption")
    elif isinstance(table.caption, Text):
        table.caption = visible_text(table.caption)
    for column in table.columns:
        if isinstance(column.header, (str, Text)):
            column.header = safe_renderable(column.header)
        column._cells = [safe_renderable(cell) for cell in column._cells]


class SafeStatic(Static):
    def __init__(self, content: VisualType = "", **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        super().__init__(safe_renderable(content), **kwargs)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(safe_renderable(content), layout=layout)

    def recolour(self) -> None:
        """Styles of a `Text` are resolved when it is shown: again, for a new theme's palette."""
        super().update(self.content, layout=False)
