"""Microsoft Paint: shapes on a canvas, the colour palette, Resize and Save As."""

from __future__ import annotations

from bench_tui.demo.kit import (
    button,
    desktop,
    dialog,
    field,
    fill,
    muted,
    primary,
    save_dialog,
    text,
    window,
)
from bench_tui.demo.screens import BORDER, RGB, WHITE, Box, Widget, text_width
from bench_tui.demo.script import Act, Template, click, key, typed

PAINT_WIN: Box = (40, 36, 1240, 724)
PALETTE = (
    ("black", (0, 0, 0)), ("gray", (127, 127, 127)), ("darkred", (136, 0, 21)), ("red", (237, 28, 36)),
    ("orange", (255, 127, 39)), ("yellow", (255, 242, 0)), ("green", (34, 177, 76)), ("turquoise", (0, 162, 232)),
    ("blue", (63, 72, 204)), ("purple", (163, 73, 164)), ("white", (255, 255, 255)), ("silver", (195, 195, 195)),
    ("brown", (185, 122, 87)), ("pink", (255, 174, 201)), ("gold", (255, 201, 14)), ("cream", (239, 228, 176)),
    ("lime", (181, 230, 29)), ("sky", (153, 217, 234)), ("slate", (112, 146, 190)), ("lavender", (200, 191, 231)),
)  # fmt: skip
CANVAS: Box = (60, 196, 900, 676)
RECT: Box = (200, 280, 520, 520)
ELLIPSE: Box = (320, 260, 680, 500)
LINE: Box = (120, 620, 840, 250)


def paint(
    title: str = "Untitled - Paint",
    *,
    tool: str | None = None,
    color: str = "black",
    shapes: tuple[tuple[str, Box, RGB], ...] = (),
    canvas: Box = CANVAS,
) -> list[Widget]:
    widgets = desktop("paint") + window(title, PAINT_WIN)
    x = 48
    for label in ("File", "Edit", "View"):
        width = text_width(label, 14) + 22
        widgets.append(
            Widget("row", (x, 70, x + width, 94), label, name=f"menu_{label.lower()}", role="menu")
        )
        x += width + 4
    widgets += [fill((40, 96, 1240, 176), (249, 249, 249)), fill((40, 176, 1240, 177), BORDER)]
    tools = (
        ("tool_pencil", "Pencil"),
        ("tool_fill", "Fill"),
        ("tool_text", "Text"),
        ("tool_eraser", "Eraser"),
        ("tool_picker", "Picker"),
    )
    for index, (name, label) in enumerate(tools):
        x = 56 + index * 60
        widgets.append(
            Widget("tool", (x, 102, x + 56, 166), label, name=name, role="button", on=name == tool)
        )
    widgets.append(fill((366, 104, 367, 166), BORDER))
    shapes_tools = (("tool_line", "Line"), ("tool_rect", "Rectangle"), ("tool_ellipse", "Ellipse"))
    for index, (name, label) in enumerate(shapes_tools):
        x = 380 + index * 76
        widgets.append(
            Widget("tool", (x, 102, x + 72, 166), label, name=name, role="button", on=name == tool)
        )
    widgets += [
        fill((616, 104, 617, 166), BORDER),
        muted(640, 150, "Size", 11),
        fill((632, 112, 680, 114), (0, 0, 0)),
        fill((632, 122, 680, 126), (0, 0, 0)),
    ]
    current = dict(PALETTE)[color]
    widgets += [
        Widget("swatch", (712, 108, 752, 148), color=current),
        muted(708, 154, "Color 1", 11),
    ]
    for index, (name, rgb) in enumerate(PALETTE):
        col, row = index % 10, index // 10
        x, y = 780 + col * 30, 108 + row * 30
        widgets.append(
            Widget(
                "swatch",
                (x, y, x + 24, y + 24),
                name=f"color_{name}",
                role="button",
                color=rgb,
                on=name == color,
            )
        )
    widgets += [
        fill((40, 177, 1240, 700), (220, 226, 234)),
        Widget("fill", canvas, name="canvas", role="pane", color=WHITE),
    ]
    for label, box, rgb in shapes:
        widgets.append(Widget("shape", box, label, color=rgb))
    width, height = (canvas[2] - canvas[0]), (canvas[3] - canvas[1])
    widgets += [
        fill((40, 700, 1240, 724), (243, 243, 243)),
        muted(56, 705, f"{width} x {height}px", 12),
        muted(1170, 705, "100%", 12),
    ]
    return widgets


def resize_dialog(value: str) -> list[Widget]:
    widgets = paint() + dialog("Resize and Skew", (440, 200, 800, 520))
    widgets += [
        text(460, 250, "Resize", 16),
        Widget("checkbox", (460, 280, 600, 300), "Percentage", on=True),
        Widget("checkbox", (620, 280, 760, 300), "Pixels"),
        text(480, 326, "Horizontal:"),
        field("field_h", (600, 320, 700, 346), value, focused=value != "100"),
        text(480, 366, "Vertical:"),
        field("field_v", (600, 360, 700, 386), value),
        Widget("checkbox", (480, 404, 760, 424), "Maintain aspect ratio", on=True),
        primary("btn_ok", (600, 470, 690, 504), "OK"),
        button("btn_cancel", (700, 470, 790, 504), "Cancel"),
    ]
    return widgets


def screens() -> dict[str, list[Widget]]:
    black, red = (0, 0, 0), (237, 28, 36)
    rect = (("rect", RECT, black),)
    return {
        "pa_blank": paint(),
        "pa_rect_tool": paint(tool="tool_rect"),
        "pa_rect": paint(tool="tool_rect", shapes=rect),
        "pa_red": paint(color="red"),
        "pa_ellipse_tool": paint(tool="tool_ellipse", color="red"),
        "pa_ellipse": paint(tool="tool_ellipse", color="red", shapes=(("ellipse", ELLIPSE, red),)),
        "pa_line_tool": paint(tool="tool_line"),
        "pa_line": paint(tool="tool_line", shapes=(("line", LINE, black),)),
        "pa_resize": resize_dialog("100"),
        "pa_resize_50": resize_dialog("50"),
        "pa_resized": paint(canvas=(60, 196, 480, 436)),
        "pa_saveas": save_dialog(
            paint(tool="tool_rect", shapes=rect), "Untitled.png", kind="PNG (*.png)"
        ),
        "pa_saveas_typed": save_dialog(
            paint(tool="tool_rect", shapes=rect), "sketch.png", kind="PNG (*.png)"
        ),
        "pa_saved": paint("sketch.png - Paint", tool="tool_rect", shapes=rect),
        "pa_rect_blue": paint(tool="tool_rect", color="blue", shapes=rect),
        "pa_fill_tool": paint(tool="tool_fill", color="blue", shapes=rect),
        "pa_rect_filled": paint(
            tool="tool_fill", color="blue", shapes=(("rect-filled", RECT, black),)
        ),
    }


TEMPLATES = (
    Template(
        "microsoft_paint_rectangle",
        "microsoft_paint",
        "Draw a rectangle on the Paint canvas.",
        (
            ("pa_blank", click("tool_rect", "Pick the Rectangle shape.")),
            (
                "pa_rect_tool",
                Act(
                    "drag",
                    start=RECT[:2],
                    end=RECT[2:],
                    why="Drag on the canvas from corner to corner.",
                ),
            ),
        ),
        "pa_rect",
        "check_canvas_shapes",
        "one rectangle found on the canvas",
        "canvas is empty",
    ),
    Template(
        "microsoft_paint_red_ellipse",
        "microsoft_paint",
        "Draw a red ellipse in Paint.",
        (
            ("pa_blank", click("color_red", "Choose red first.")),
            ("pa_red", click("tool_ellipse", "Then the Ellipse shape.")),
            (
                "pa_ellipse_tool",
                Act(
                    "drag",
                    start=ELLIPSE[:2],
                    end=ELLIPSE[2:],
                    why="Drag out the ellipse on the canvas.",
                ),
            ),
        ),
        "pa_ellipse",
        "check_canvas_shapes",
        "one red ellipse found on the canvas",
        "no red ellipse on the canvas",
        partial=True,
    ),
    Template(
        "microsoft_paint_line",
        "microsoft_paint",
        "Draw a straight line across the Paint canvas.",
        (
            ("pa_blank", click("tool_line", "Pick the Line shape.")),
            (
                "pa_line_tool",
                Act("drag", start=LINE[:2], end=LINE[2:], why="Drag across the canvas."),
            ),
        ),
        "pa_line",
        "check_canvas_shapes",
        "one line found on the canvas",
        "canvas is empty",
    ),
    Template(
        "microsoft_paint_resize",
        "microsoft_paint",
        "Resize the image to 50 percent in Paint.",
        (
            ("pa_blank", key("w", "Ctrl+W opens Resize and Skew.", "ctrl")),
            ("pa_resize", click("field_h", "Select the Horizontal percentage.")),
            ("pa_resize", typed("50", "Type 50; aspect ratio is kept, so Vertical follows.")),
            ("pa_resize_50", click("btn_ok", "Apply with OK.")),
        ),
        "pa_resized",
        "check_image_size",
        "image is 420 x 240 px",
        "image is 840 x 480 px",
        partial=True,
    ),
    Template(
        "microsoft_paint_save_png",
        "microsoft_paint",
        "Save the drawing as sketch.png on the Desktop.",
        (
            ("pa_rect", key("s", "Ctrl+S opens Save As for an untitled image.", "ctrl")),
            ("pa_saveas", typed("sketch.png", "The file name is selected; type sketch.png.")),
            ("pa_saveas_typed", key("enter", "Save.")),
        ),
        "pa_saved",
        "check_file_exists",
        "Desktop\\sketch.png exists",
        "Desktop\\sketch.png not found",
    ),
    Template(
        "microsoft_paint_fill_blue",
        "microsoft_paint",
        "Fill the rectangle on the canvas with blue.",
        (
            ("pa_rect", click("color_blue", "Choose blue.")),
            ("pa_rect_blue", click("tool_fill", "Pick the Fill tool.")),
            (
                "pa_fill_tool",
                Act("click", start=(360, 400), why="Click inside the rectangle to fill it."),
            ),
        ),
        "pa_rect_filled",
        "check_canvas_shapes",
        "rectangle interior is blue",
        "rectangle interior is white",
    ),
)
