"""Screens as data, drawn with Pillow.

A screen is a list of widgets with pixel boxes. Task scripts name the widget an action targets, so the
click coordinates come from the same box the image shows: the app's crosshair lands on the button.
Only Pillow's bundled default font is used, so the images are the same on every machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1280, 800

Box = tuple[int, int, int, int]
RGB = tuple[int, int, int]

INK: RGB = (28, 28, 28)
MUTED: RGB = (96, 96, 96)
ACCENT: RGB = (0, 95, 184)
LINK: RGB = (26, 13, 171)
WHITE: RGB = (255, 255, 255)
BORDER: RGB = (204, 204, 204)
SELECTED: RGB = (204, 228, 247)
DARK_BG: RGB = (32, 32, 32)
DARK_PANEL: RGB = (45, 45, 45)
DARK_INK: RGB = (236, 236, 236)


@dataclass(frozen=True)
class Widget:
    """One drawable thing. Widgets with a `name` are targets an action can refer to."""

    kind: str
    box: Box
    label: str = ""
    name: str | None = None
    role: str | None = None
    on: bool = False
    """Toggle/checkbox state, selected row or nav item, focused field."""
    color: RGB | None = None
    size: int = 14

    @property
    def center(self) -> tuple[int, int]:
        x0, y0, x1, y1 = self.box
        return (x0 + x1) // 2, (y0 + y1) // 2


@dataclass(frozen=True)
class Screen:
    key: str
    widgets: tuple[Widget, ...]
    dark: bool = False
    _index: dict[str, Widget] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for widget in self.widgets:
            if widget.name:
                self._index[widget.name] = widget

    def element(self, name: str) -> Widget:
        try:
            return self._index[name]
        except KeyError:
            raise KeyError(f"screen {self.key!r} has no element {name!r}") from None

    def node_id(self, name: str) -> str:
        """Set-of-Marks id: the element's position among the screen's targets, as agents number them."""
        return str(list(self._index).index(name) + 1)

    def targets(self) -> list[Widget]:
        return list(self._index.values())


@lru_cache(maxsize=16)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def text_width(text: str, size: int) -> int:
    # mode "1": palette images get hinted, non-anti-aliased glyphs, a little wider than the default
    return int(font(size).getlength(text, mode="1"))


def render(screen: Screen) -> Image.Image:
    """Draw in palette mode: flat UI colours need no anti-aliasing, and the PNGs stay ~10 KB."""
    image = Image.new("P", (WIDTH, HEIGHT), DARK_BG if screen.dark else (24, 76, 132))
    draw = ImageDraw.Draw(image)
    for widget in screen.widgets:
        DRAWERS[widget.kind](draw, widget, screen.dark)
    return image


def png_bytes(screen: Screen) -> bytes:
    buffer = BytesIO()
    render(screen).save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


# ---- drawers -------------------------------------------------------------------------------------

Drawer = Callable[[ImageDraw.ImageDraw, Widget, bool], None]


def _ink(widget: Widget, dark: bool) -> RGB:
    return widget.color or (DARK_INK if dark else INK)


def _label(
    draw: ImageDraw.ImageDraw, widget: Widget, dark: bool, *, centered: bool = False
) -> None:
    x0, y0, x1, y1 = widget.box
    size = widget.size
    x = (x0 + x1 - text_width(widget.label, size)) // 2 if centered else x0 + 10
    y = (y0 + y1 - size) // 2 - 1
    draw.text((x, y), widget.label, font=font(size), fill=_ink(widget, dark))


def draw_fill(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    draw.rectangle(widget.box, fill=widget.color or (DARK_PANEL if dark else WHITE))


def draw_panel(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    fill = widget.color or (DARK_PANEL if dark else WHITE)
    draw.rectangle(widget.box, fill=fill, outline=(70, 70, 70) if dark else BORDER)


def draw_shadow_panel(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    x0, y0, x1, y1 = widget.box
    draw.rectangle((x0 + 4, y0 + 6, x1 + 6, y1 + 8), fill=(60, 60, 60) if dark else (150, 160, 170))
    draw.rectangle(widget.box, fill=widget.color or (DARK_PANEL if dark else (249, 249, 249)))
    draw.rectangle(widget.box, outline=(90, 90, 90) if dark else (170, 170, 170))


def draw_text(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    x0, y0, _, _ = widget.box
    draw.text((x0, y0), widget.label, font=font(widget.size), fill=_ink(widget, dark))


def draw_muted(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    x0, y0, _, _ = widget.box
    draw.text(
        (x0, y0), widget.label, font=font(widget.size), fill=(170, 170, 170) if dark else MUTED
    )


def draw_titlebar(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    x0, y0, x1, y1 = widget.box
    draw.rectangle(widget.box, fill=(40, 40, 40) if dark else (243, 243, 243))
    draw.text((x0 + 14, y0 + 9), widget.label, font=font(13), fill=_ink(widget, dark))
    glyph = DARK_INK if dark else INK
    cy = (y0 + y1) // 2
    draw.line((x1 - 124, cy, x1 - 114, cy), fill=glyph)
    draw.rectangle((x1 - 78, cy - 5, x1 - 68, cy + 5), outline=glyph)
    draw.line((x1 - 30, cy - 5, x1 - 20, cy + 5), fill=glyph)
    draw.line((x1 - 30, cy + 5, x1 - 20, cy - 5), fill=glyph)


def draw_button(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    fill = (60, 60, 60) if dark else (251, 251, 251)
    if widget.on:
        fill = (70, 90, 110) if dark else SELECTED
    draw.rounded_rectangle(
        widget.box, radius=5, fill=fill, outline=(90, 90, 90) if dark else BORDER
    )
    _label(draw, widget, dark, centered=True)


def draw_primary(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    draw.rounded_rectangle(widget.box, radius=5, fill=widget.color or ACCENT)
    x0, y0, x1, y1 = widget.box
    x = (x0 + x1 - text_width(widget.label, widget.size)) // 2
    draw.text(
        (x, (y0 + y1 - widget.size) // 2 - 1), widget.label, font=font(widget.size), fill=WHITE
    )


def draw_field(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    """A text box; `on` = focused (accent underline). A label starting with '~' is a placeholder."""
    x0, y0, x1, y1 = widget.box
    draw.rectangle(widget.box, fill=(28, 28, 28) if dark else WHITE, outline=(120, 120, 120))
    if widget.on:
        draw.line((x0 + 1, y1 - 1, x1 - 1, y1 - 1), fill=ACCENT, width=2)
    placeholder = widget.label.startswith("~")
    text = widget.label[1:] if placeholder else widget.label
    colour = (150, 150, 150) if placeholder else _ink(widget, dark)
    draw.text((x0 + 8, (y0 + y1 - widget.size) // 2 - 1), text, font=font(widget.size), fill=colour)


def draw_link(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    x0, y0, _, _ = widget.box
    colour = widget.color or LINK
    draw.text((x0, y0), widget.label, font=font(widget.size), fill=colour)
    width = text_width(widget.label, widget.size)
    draw.line((x0, y0 + widget.size + 3, x0 + width, y0 + widget.size + 3), fill=colour)


def draw_toggle(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    x0, y0, x1, y1 = widget.box
    if widget.on:
        draw.rounded_rectangle(widget.box, radius=(y1 - y0) // 2, fill=ACCENT)
        draw.ellipse((x1 - 17, y0 + 5, x1 - 7, y1 - 5), fill=WHITE)
    else:
        draw.rounded_rectangle(
            widget.box, radius=(y1 - y0) // 2, fill=DARK_PANEL if dark else WHITE, outline=MUTED
        )
        draw.ellipse((x0 + 7, y0 + 5, x0 + 17, y1 - 5), fill=MUTED)
    word = "On" if widget.on else "Off"
    draw.text((x1 + 12, (y0 + y1 - 14) // 2 - 1), word, font=font(14), fill=_ink(widget, dark))


def draw_checkbox(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    x0, y0, _, y1 = widget.box
    cy = (y0 + y1) // 2
    square = (x0, cy - 8, x0 + 16, cy + 8)
    if widget.on:
        draw.rectangle(square, fill=ACCENT)
        draw.line((x0 + 3, cy, x0 + 7, cy + 4, x0 + 13, cy - 4), fill=WHITE, width=2)
    else:
        draw.rectangle(square, fill=WHITE, outline=MUTED)
    draw.text((x0 + 26, cy - 8), widget.label, font=font(14), fill=_ink(widget, dark))


def draw_row(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    """A list row or menu item; `on` = selected/highlighted. '✓' prefix draws a check mark."""
    if widget.on:
        draw.rectangle(widget.box, fill=(60, 75, 95) if dark else SELECTED)
    x0, y0, _, y1 = widget.box
    text = widget.label
    if text.startswith("✓"):
        cy = (y0 + y1) // 2
        draw.line((x0 + 8, cy, x0 + 12, cy + 4, x0 + 19, cy - 4), fill=_ink(widget, dark), width=2)
        text = text[1:]
    columns = text.split("\t")
    x = x0 + 30 if widget.kind == "menuitem" else x0 + 10
    for index, column in enumerate(columns):
        colour = _ink(widget, dark) if index == 0 else MUTED
        draw.text(
            (x, (y0 + y1 - widget.size) // 2 - 1), column, font=font(widget.size), fill=colour
        )
        x += 300 if index == 0 else 190


def draw_nav(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    if widget.on:
        draw.rounded_rectangle(widget.box, radius=4, fill=(55, 55, 55) if dark else (234, 234, 234))
        x0, y0, _, y1 = widget.box
        draw.rounded_rectangle((x0, y0 + 8, x0 + 3, y1 - 8), radius=1, fill=ACCENT)
    _label(draw, widget, dark)


def draw_icon_row(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    """Explorer row with a folder or file glyph; columns separated by tabs."""
    x0, y0, _, y1 = widget.box
    if widget.on:
        draw.rectangle(widget.box, fill=SELECTED)
    cy = (y0 + y1) // 2
    if widget.kind == "folder":
        draw.rectangle((x0 + 10, cy - 6, x0 + 30, cy + 8), fill=(240, 196, 64))
        draw.rectangle((x0 + 10, cy - 9, x0 + 19, cy - 5), fill=(232, 178, 40))
    else:
        draw.rectangle((x0 + 13, cy - 9, x0 + 27, cy + 9), fill=WHITE, outline=(110, 130, 160))
        draw.line((x0 + 16, cy - 3, x0 + 24, cy - 3), fill=(110, 130, 160))
        draw.line((x0 + 16, cy + 2, x0 + 24, cy + 2), fill=(110, 130, 160))
    x = x0 + 42
    for index, column in enumerate(widget.label.split("\t")):
        colour = INK if index == 0 else MUTED
        draw.text((x, cy - 8), column, font=font(14), fill=colour)
        x += 330 if index == 0 else 200


def draw_key(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    fill = widget.color or (250, 250, 250)
    draw.rounded_rectangle(widget.box, radius=5, fill=fill, outline=(225, 225, 225))
    x0, y0, x1, y1 = widget.box
    x = (x0 + x1 - text_width(widget.label, widget.size)) // 2
    ink = WHITE if widget.color == ACCENT else INK
    draw.text((x, (y0 + y1 - widget.size) // 2 - 2), widget.label, font=font(widget.size), fill=ink)


def draw_display(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    """Right-aligned text (calculator display, prices)."""
    _, y0, x1, _ = widget.box
    x = x1 - text_width(widget.label, widget.size) - 12
    draw.text((x, y0), widget.label, font=font(widget.size), fill=_ink(widget, dark))


def draw_swatch(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    x0, y0, x1, y1 = widget.box
    if widget.on:
        draw.rectangle((x0 - 3, y0 - 3, x1 + 3, y1 + 3), outline=ACCENT, width=2)
    draw.rectangle(widget.box, fill=widget.color or INK, outline=(160, 160, 160))


def draw_shape(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    """Paint canvas content: label is 'rect', 'rect-filled', 'ellipse' or 'line'."""
    colour = widget.color or INK
    if widget.label == "rect":
        draw.rectangle(widget.box, outline=colour, width=3)
    elif widget.label == "rect-filled":
        draw.rectangle(widget.box, fill=(0, 120, 215), outline=colour, width=3)
    elif widget.label == "ellipse":
        draw.ellipse(widget.box, outline=colour, width=3)
    elif widget.label == "line":
        draw.line(widget.box, fill=colour, width=3)


def draw_tool(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    """A ribbon tool button: a small glyph drawn from the label's first word."""
    x0, y0, x1, y1 = widget.box
    if widget.on:
        draw.rounded_rectangle(widget.box, radius=4, fill=SELECTED, outline=ACCENT)
    glyph = widget.label.split()[0].lower()
    gx0, gy0, gx1, gy1 = x0 + 8, y0 + 6, x1 - 8, y1 - 20
    if glyph == "rectangle":
        draw.rectangle((gx0, gy0, gx1, gy1), outline=INK, width=2)
    elif glyph == "ellipse":
        draw.ellipse((gx0, gy0, gx1, gy1), outline=INK, width=2)
    elif glyph == "line":
        draw.line((gx0, gy1, gx1, gy0), fill=INK, width=2)
    elif glyph == "fill":
        draw.polygon([(gx0, gy1), ((gx0 + gx1) // 2, gy0), (gx1, gy1)], fill=(0, 120, 215))
    else:
        draw.rounded_rectangle((gx0, gy0, gx1, gy1), radius=3, outline=MUTED)
        draw.text((gx0 + 4, gy0 + 2), glyph[:1].upper(), font=font(12), fill=INK)
    label = widget.label
    draw.text(((x0 + x1 - text_width(label, 11)) // 2, y1 - 16), label, font=font(11), fill=INK)


def draw_taskicon(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    x0, y0, x1, y1 = widget.box
    if widget.on:
        draw.rounded_rectangle(widget.box, radius=4, fill=(225, 229, 236))
        draw.rounded_rectangle(((x0 + x1) // 2 - 8, y1 - 3, (x0 + x1) // 2 + 8, y1), 1, fill=ACCENT)
    colour = widget.color or ACCENT
    draw.rounded_rectangle((x0 + 8, y0 + 8, x1 - 8, y1 - 10), radius=3, fill=colour)
    draw.text((x0 + 14, y0 + 11), widget.label[:1], font=font(13), fill=WHITE)


def draw_start(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    x0, y0, _, _ = widget.box
    for dx, dy in ((0, 0), (11, 0), (0, 11), (11, 11)):
        draw.rectangle((x0 + 9 + dx, y0 + 9 + dy, x0 + 18 + dx, y0 + 18 + dy), fill=(0, 120, 215))


def draw_slider(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    x0, y0, x1, y1 = widget.box
    cy = (y0 + y1) // 2
    knob = x0 + (x1 - x0) * int(widget.label or "50") // 100
    draw.line((x0, cy, knob, cy), fill=ACCENT, width=4)
    draw.line((knob, cy, x1, cy), fill=(140, 140, 140), width=4)
    draw.ellipse((knob - 9, cy - 9, knob + 9, cy + 9), fill=WHITE, outline=(140, 140, 140))
    draw.ellipse((knob - 5, cy - 5, knob + 5, cy + 5), fill=ACCENT)


def draw_product(draw: ImageDraw.ImageDraw, widget: Widget, dark: bool) -> None:
    """A shop tile: coloured sock picture, name and price ('Name|$7.99')."""
    x0, y0, x1, _ = widget.box
    draw.rounded_rectangle(widget.box, radius=6, fill=WHITE, outline=BORDER)
    colour = widget.color or (200, 40, 40)
    mid = (x0 + x1) // 2
    draw.rounded_rectangle((mid - 22, y0 + 20, mid + 8, y0 + 100), radius=6, fill=colour)
    draw.rounded_rectangle((mid - 22, y0 + 80, mid + 34, y0 + 110), radius=12, fill=colour)
    name, _, price = widget.label.partition("|")
    draw.text((x0 + 14, y0 + 124), name, font=font(15), fill=INK)
    draw.text((x0 + 14, y0 + 146), price, font=font(15), fill=(180, 60, 0))


DRAWERS: dict[str, Drawer] = {
    "fill": draw_fill,
    "panel": draw_panel,
    "popup": draw_shadow_panel,
    "text": draw_text,
    "muted": draw_muted,
    "titlebar": draw_titlebar,
    "button": draw_button,
    "primary": draw_primary,
    "field": draw_field,
    "link": draw_link,
    "toggle": draw_toggle,
    "checkbox": draw_checkbox,
    "row": draw_row,
    "menuitem": draw_row,
    "nav": draw_nav,
    "folder": draw_icon_row,
    "file": draw_icon_row,
    "key": draw_key,
    "display": draw_display,
    "swatch": draw_swatch,
    "shape": draw_shape,
    "tool": draw_tool,
    "taskicon": draw_taskicon,
    "start": draw_start,
    "slider": draw_slider,
    "product": draw_product,
}


class ScreenCache:
    """Renders each screen once into `folder`, on first use; steps hard-link to these files."""

    def __init__(self, folder: Path, catalog: dict[str, Screen]) -> None:
        self.folder = folder
        self.catalog = catalog
        self.rendered: dict[str, Path] = {}

    def path(self, key: str, write: Callable[[Path, bytes], Path]) -> Path:
        cached = self.rendered.get(key)
        if cached is None:
            cached = write(self.folder / f"{key}.png", png_bytes(self.catalog[key]))
            self.rendered[key] = cached
        return cached
