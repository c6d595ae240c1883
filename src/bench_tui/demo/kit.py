"""Building blocks for the demo's screens: desktop, windows, dialogs, controls.

Labels stay within the glyphs Pillow's bundled font draws (ASCII and Latin-1 letters): no ×, ÷, •.
"""

from __future__ import annotations

from bench_tui.demo.screens import (
    BORDER,
    INK,
    MUTED,
    RGB,
    WHITE,
    Box,
    Screen,
    Widget,
    text_width,
)

WIN: Box = (80, 36, 1200, 724)
TASKBAR_APPS = (
    ("explorer", "E", (232, 178, 40)),
    ("chrome", "C", (219, 68, 55)),
    ("notepad", "N", (0, 120, 215)),
    ("settings", "S", (96, 96, 96)),
    ("calc", "C", (72, 72, 90)),
    ("paint", "P", (214, 110, 40)),
)


def text(x: int, y: int, label: str, size: int = 14, color: RGB | None = None) -> Widget:
    return Widget(
        "text", (x, y, x + text_width(label, size), y + size), label, size=size, color=color
    )


def muted(x: int, y: int, label: str, size: int = 13) -> Widget:
    return Widget("muted", (x, y, x + text_width(label, size), y + size), label, size=size)


def button(name: str | None, box: Box, label: str, *, on: bool = False, size: int = 14) -> Widget:
    return Widget("button", box, label, name=name, role="button", on=on, size=size)


def primary(name: str, box: Box, label: str, color: RGB | None = None) -> Widget:
    return Widget("primary", box, label, name=name, role="button", color=color)


def field(
    name: str | None, box: Box, value: str, *, focused: bool = False, size: int = 14
) -> Widget:
    return Widget("field", box, value, name=name, role="edit", on=focused, size=size)


def link(
    name: str | None, x: int, y: int, label: str, size: int = 15, color: RGB | None = None
) -> Widget:
    box = (x, y, x + text_width(label, size), y + size + 4)
    return Widget("link", box, label, name=name, role="link", size=size, color=color)


def item(name: str | None, box: Box, label: str, *, on: bool = False) -> Widget:
    return Widget("menuitem", box, label, name=name, role="menuitem", on=on)


def fill(box: Box, color: RGB) -> Widget:
    return Widget("fill", box, color=color)


def clip(line: str, size: int, width: int) -> str:
    """Cut a line at the window edge, as an editor without word wrap shows it."""
    while line and text_width(line, size) > width:
        line = line[:-1]
    return line


def wrap(line: str, size: int, width: int) -> list[str]:
    out: list[str] = []
    current = ""
    for word in line.split(" "):
        candidate = f"{current} {word}".strip()
        if current and text_width(candidate, size) > width:
            out.append(current)
            current = word
        else:
            current = candidate
    out.append(current)
    return out


def desktop(active: str) -> list[Widget]:
    widgets = [
        fill((0, 752, 1280, 800), (238, 241, 246)),
        fill((0, 752, 1280, 753), (210, 214, 220)),
    ]
    widgets.append(Widget("start", (436, 754, 480, 798), name="start", role="button"))
    for index, (app, letter, colour) in enumerate(TASKBAR_APPS):
        x = 484 + index * 48
        widgets.append(
            Widget(
                "taskicon",
                (x, 754, x + 44, 798),
                letter,
                name=f"taskbar_{app}",
                on=app == active,
                color=colour,
            )
        )
    widgets += [text(1190, 760, "10:42", 13, INK), muted(1176, 778, "ENG  US", 11)]
    return widgets


def window(
    title: str, box: Box = WIN, *, dark: bool = False, body: RGB | None = None
) -> list[Widget]:
    x0, y0, x1, y1 = box
    body = body or ((32, 32, 32) if dark else WHITE)
    return [
        Widget("panel", (x0 - 1, y0 - 1, x1 + 1, y1 + 1), color=body),
        Widget("titlebar", (x0, y0, x1, y0 + 32), title),
    ]


def dialog(title: str, box: Box) -> list[Widget]:
    x0, y0, x1, _ = box
    return [Widget("popup", box, color=WHITE), Widget("titlebar", (x0, y0, x1, y0 + 32), title)]


def card(
    y: int, title: str, subtitle: str, *, dark: bool = False, name: str | None = None
) -> list[Widget]:
    """A Settings-style row card spanning the content column."""
    fill_colour = (43, 43, 43) if dark else (251, 251, 251)
    widgets = [
        Widget(
            "panel",
            (400, y, 1180, y + 60),
            color=fill_colour,
            name=name,
            role="listitem" if name else None,
        ),
        text(420, y + 12, title, 15, (236, 236, 236) if dark else None),
        muted(420, y + 34, subtitle, 12),
    ]
    if name:
        widgets.append(text(1156, y + 20, ">", 15, MUTED))
    return widgets


def dropdown(name: str, y: int, label: str) -> Widget:
    return button(
        name,
        (1180 - 20 - max(150, text_width(label, 14) + 50), y + 14, 1160, y + 46),
        f"{label}  v",
    )


def screen(key: str, widgets: list[Widget], *, dark: bool = False) -> Screen:
    return Screen(key, tuple(widgets), dark=dark)


def toggle(name: str, y: int, on: bool) -> Widget:
    return Widget("toggle", (1080, y + 18, 1124, y + 40), name=name, role="switch", on=on)


def save_dialog(
    base: list[Widget], filename: str, *, focused: bool = True, kind: str = "Text Documents (*.txt)"
) -> list[Widget]:
    box = (300, 150, 980, 560)
    widgets = base + dialog("Save As", box)
    for index, label in enumerate(("Home", "Desktop", "Documents", "Downloads", "Pictures")):
        y = 192 + index * 34
        widgets.append(Widget("nav", (308, y, 468, y + 30), label, on=label == "Desktop"))
    widgets.append(fill((472, 186, 473, 468), BORDER))
    for index, (kind_name, label) in enumerate(
        (("folder", "Projects"), ("file", "shopping.txt"), ("file", "todo.txt"))
    ):
        y = 192 + index * 32
        widgets.append(Widget(kind_name, (480, y, 972, y + 30), label))
    widgets += [
        fill((302, 468, 978, 469), BORDER),
        text(318, 486, "File name:"),
        field("field_filename", (420, 480, 960, 506), filename, focused=focused),
        text(318, 520, "Save as type:"),
        field(None, (420, 514, 760, 540), kind),
        primary("btn_save", (776, 514, 864, 544), "Save"),
        button("btn_cancel", (872, 514, 960, 544), "Cancel"),
    ]
    return widgets
