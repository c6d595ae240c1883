"""Notepad: a meeting-notes document, Save As, Font and Replace dialogs."""

from __future__ import annotations

from bench_tui.demo.kit import (
    button,
    clip,
    desktop,
    dialog,
    field,
    fill,
    item,
    muted,
    primary,
    save_dialog,
    text,
    window,
    wrap,
)
from bench_tui.demo.screens import BORDER, WHITE, Widget, text_width
from bench_tui.demo.script import Template, click, key, typed

DOC = [
    "Weekly sync - 10 Nov 2025",
    "Attendees: Ana, Ben, Chloe, Dev",
    "",
    "* Q3 revenue review moved to Thursday; Ben sends the Q3 deck on Wednesday",
    "* Hiring: two offers out, one accepted (backend)",
    "* Release: v2 branch cut on 14 Nov; the code freeze starts the day before, and everybody who owns a"
    " feature flag checks its default value before the cut so that nothing surprising ships",
    "* Next sync: 17 Nov, same room",
]
NOTEPAD_MENUS = ("File", "Edit", "Format", "View", "Help")


def notepad(
    title: str,
    lines: list[str],
    *,
    size: int = 15,
    wrapped: bool = False,
    status: bool = False,
    menu_open: str | None = None,
) -> list[Widget]:
    widgets = desktop("notepad") + window(title)
    x = 86
    for label in NOTEPAD_MENUS:
        width = text_width(label, 14) + 22
        widgets.append(
            Widget(
                "row",
                (x, 70, x + width, 94),
                label,
                name=f"menu_{label.lower()}",
                role="menu",
                on=label == menu_open,
            )
        )
        x += width + 4
    bottom = 700 if status else 724
    widgets += [
        fill((80, 96, 1200, 97), BORDER),
        Widget("fill", (80, 97, 1200, bottom), name="editor", role="document", color=WHITE),
    ]
    y = 108
    for line in lines:
        shown = wrap(line, size, 1080) if wrapped else [clip(line, size, 1090)]
        for part in shown:
            widgets.append(text(96, y, part, size))
            y += size + 8
    if status:
        widgets += [
            fill((80, 700, 1200, 724), (243, 243, 243)),
            muted(96, 705, "Ln 7, Col 31          100%          Windows (CRLF)          UTF-8"),
        ]
    return widgets


def notepad_menu(title: str, menu: str, items: list[tuple[str, str]]) -> list[Widget]:
    widgets = notepad(title, DOC, menu_open=menu.capitalize())
    left = {"format": 180, "view": 244}[menu]
    widgets.append(Widget("popup", (left, 96, left + 240, 100 + 28 * len(items) + 4)))
    for index, (name, label) in enumerate(items):
        y = 100 + index * 28
        widgets.append(item(name, (left + 2, y, left + 238, y + 26), label))
    return widgets


def font_dialog() -> list[Widget]:
    widgets = notepad("meeting_notes.txt - Notepad", DOC) + dialog("Font", (320, 140, 960, 560))
    widgets += [text(340, 194, "Font:"), text(620, 194, "Font style:"), text(800, 194, "Size:")]
    widgets.append(Widget("panel", (340, 218, 600, 420)))
    for index, label in enumerate(
        ("Consolas", "Courier New", "Lucida Console", "Segoe UI", "Times New Roman")
    ):
        widgets.append(
            Widget("row", (342, 220 + index * 24, 598, 242 + index * 24), label, on=index == 0)
        )
    widgets.append(Widget("panel", (620, 218, 780, 420)))
    for index, label in enumerate(("Regular", "Italic", "Bold", "Bold Italic")):
        widgets.append(
            Widget("row", (622, 220 + index * 24, 778, 242 + index * 24), label, on=index == 0)
        )
    widgets.append(Widget("panel", (800, 218, 940, 430)))
    for index, size in enumerate((8, 9, 10, 11, 12, 14, 16, 18, 20)):
        y = 220 + index * 23
        widgets.append(
            Widget(
                "row",
                (802, y, 938, y + 22),
                str(size),
                name=f"size_{size}",
                role="listitem",
                on=size == 11,
            )
        )
    widgets += [
        muted(340, 440, "Sample"),
        Widget("panel", (340, 458, 760, 530)),
        text(480, 480, "AaBbYyZz", 22),
        primary("btn_ok", (780, 496, 860, 526), "OK"),
        button("btn_cancel", (870, 496, 940, 526), "Cancel"),
    ]
    return widgets


def replace_dialog(find: str, replace: str, focus: str) -> list[Widget]:
    widgets = notepad("meeting_notes.txt - Notepad", DOC) + dialog("Replace", (620, 110, 1100, 330))
    widgets += [
        text(640, 160, "Find what:"),
        field("field_find", (750, 154, 960, 180), find, focused=focus == "find"),
        text(640, 200, "Replace with:"),
        field("field_replace", (750, 194, 960, 220), replace, focused=focus == "replace"),
        button("btn_find_next", (972, 150, 1088, 176), "Find Next"),
        button("btn_replace", (972, 184, 1088, 210), "Replace"),
        button("btn_replace_all", (972, 218, 1088, 244), "Replace All"),
        button("btn_cancel", (972, 252, 1088, 278), "Cancel"),
        Widget("checkbox", (640, 244, 900, 264), "Match case"),
        Widget("checkbox", (640, 276, 900, 296), "Wrap around", on=True),
    ]
    return widgets


def screens() -> dict[str, list[Widget]]:
    doc_title = "meeting_notes.txt - Notepad"
    greeting = notepad("*Untitled - Notepad", ["good morning"])
    appended = [*DOC, "Action items: ship v2"]
    q4 = [line.replace("Q3", "Q4") for line in DOC]
    return {
        "np_blank": notepad("Untitled - Notepad", []),
        "np_greeting": greeting,
        "np_saveas": save_dialog(greeting, "*.txt"),
        "np_saveas_filled": save_dialog(greeting, "greeting.txt"),
        "np_saved": notepad("greeting.txt - Notepad", ["good morning"]),
        "np_doc": notepad(doc_title, DOC),
        "np_format_menu": notepad_menu(
            doc_title, "format", [("item_wordwrap", "Word wrap"), ("item_font", "Font...")]
        ),
        "np_doc_wrapped": notepad(doc_title, DOC, wrapped=True),
        "np_font": font_dialog(),
        "np_doc_big": notepad(doc_title, DOC, size=19),
        "np_replace": replace_dialog("", "", "find"),
        "np_replace_find": replace_dialog("Q3", "", "find"),
        "np_replace_both": replace_dialog("Q3", "Q4", "replace"),
        "np_doc_q4": notepad("*" + doc_title, q4),
        "np_doc_appended": notepad("*" + doc_title, appended),
        "np_doc_appended_saved": notepad(doc_title, appended),
        "np_view_menu": notepad_menu(
            doc_title,
            "view",
            [
                ("item_zoom", "Zoom  >"),
                ("item_statusbar", "Status bar"),
                ("item_view_wrap", "Word wrap"),
            ],
        ),
        "np_doc_status": notepad(doc_title, DOC, status=True),
    }


TEMPLATES = (
    Template(
        "notepad_save_greeting",
        "notepad",
        "Type 'good morning' in a new Notepad document and save it as greeting.txt on the Desktop.",
        (
            (
                "np_blank",
                click("editor", "Notepad is open with an empty document; focus the editor first."),
            ),
            (
                "np_blank",
                typed("good morning", "The editor has focus, so I can type the greeting."),
            ),
            (
                "np_greeting",
                key("s", "The text is there; Ctrl+S opens the Save As dialog.", "ctrl"),
            ),
            (
                "np_saveas",
                click("field_filename", "The Save As dialog is open; select the File name box."),
            ),
            ("np_saveas", typed("greeting.txt", "Replace the suggested name with greeting.txt.")),
            (
                "np_saveas_filled",
                click("btn_save", "Desktop is selected and the name is right; click Save."),
            ),
        ),
        "np_saved",
        "compare_text_file",
        "Desktop\\greeting.txt contains 'good morning'",
        "Desktop\\greeting.txt not found",
        partial=True,
    ),
    Template(
        "notepad_word_wrap",
        "notepad",
        "Turn on Word wrap in Notepad so that long lines fit the window.",
        (
            ("np_doc", click("menu_format", "Word wrap lives in the Format menu.")),
            (
                "np_format_menu",
                click("item_wordwrap", "The Format menu is open; choose Word wrap."),
            ),
        ),
        "np_doc_wrapped",
        "check_notepad_setting",
        "Word wrap is enabled",
        "Word wrap is still disabled",
    ),
    Template(
        "notepad_font_size",
        "notepad",
        "Change the Notepad font size to 16 pt.",
        (
            ("np_doc", click("menu_format", "The font is set from Format > Font.")),
            ("np_format_menu", click("item_font", "Open the Font dialog.")),
            ("np_font", click("size_16", "The size list shows 16; select it.")),
            ("np_font", click("btn_ok", "Confirm the new size with OK.")),
        ),
        "np_doc_big",
        "check_notepad_setting",
        "font size is 16",
        "font size is still 11",
        partial=True,
    ),
    Template(
        "notepad_replace_q3",
        "notepad",
        "In meeting_notes.txt, replace every 'Q3' with 'Q4'.",
        (
            ("np_doc", key("h", "Ctrl+H opens Replace in Notepad.", "ctrl")),
            ("np_replace", typed("Q3", "The Find what box has focus; type the text to find.")),
            ("np_replace_find", click("field_replace", "Now the replacement text box.")),
            ("np_replace_find", typed("Q4", "Type the replacement.")),
            (
                "np_replace_both",
                click("btn_replace_all", "Both boxes are filled; Replace All changes every match."),
            ),
        ),
        "np_doc_q4",
        "compare_text_file",
        "no 'Q3' left; two 'Q4' found",
        "'Q3' still present 2 times",
        partial=True,
    ),
    Template(
        "notepad_append_line",
        "notepad",
        "Add the line 'Action items: ship v2' at the end of meeting_notes.txt and save the file.",
        (
            ("np_doc", key("end", "Ctrl+End moves the caret to the end of the document.", "ctrl")),
            (
                "np_doc",
                typed("\nAction items: ship v2", "Start a new line and type the action items."),
            ),
            ("np_doc_appended", key("s", "Save with Ctrl+S; the file already has a name.", "ctrl")),
        ),
        "np_doc_appended_saved",
        "compare_text_file",
        "last line is 'Action items: ship v2' and the file is saved",
        "last line is '* Next sync: 17 Nov, same room'",
    ),
    Template(
        "notepad_status_bar",
        "notepad",
        "Show the status bar in Notepad.",
        (
            ("np_doc", click("menu_view", "The status bar is toggled from the View menu.")),
            ("np_view_menu", click("item_statusbar", "Click Status bar.")),
        ),
        "np_doc_status",
        "check_notepad_setting",
        "status bar is visible",
        "status bar is hidden",
    ),
)
