"""File Explorer: the Documents folder, renaming, a context menu, Downloads."""

from __future__ import annotations

from collections.abc import Sequence

from bench_tui.demo.kit import (
    button,
    desktop,
    field,
    fill,
    item,
    muted,
    window,
)
from bench_tui.demo.screens import BORDER, Widget, text_width
from bench_tui.demo.script import Act, Template, answer, click, key, typed

DOCUMENTS = (
    ("folder", "row_archive", "Archive\t11/2/2025 6:15 PM\tFile folder\t"),
    ("folder", "row_invoices", "Invoices\t10/28/2025 11:40 AM\tFile folder\t"),
    ("folder", "row_projects", "Projects\t11/7/2025 3:22 PM\tFile folder\t"),
    (
        "file",
        "row_budget",
        "budget_2025.xlsx\t11/4/2025 10:05 AM\tMicrosoft Excel Worksheet\t18 KB",
    ),
    ("file", "row_draft", "draft.txt\t11/7/2025 9:02 AM\tText Document\t2 KB"),
    ("file", "row_notes", "meeting_notes.txt\t11/10/2025 9:31 AM\tText Document\t1 KB"),
    ("file", "row_photo", "photo_0412.jpg\t11/1/2025 5:48 PM\tJPG File\t2,310 KB"),
    ("file", "row_report", "report_q3.docx\t10/30/2025 4:17 PM\tMicrosoft Word Document\t64 KB"),
)
ARCHIVE = (
    ("file", None, "2023_taxes.pdf\t4/12/2024 8:30 PM\tPDF Document\t412 KB"),
    ("file", None, "2024_taxes.pdf\t4/9/2025 7:55 PM\tPDF Document\t398 KB"),
    ("file", None, "old_resume.docx\t2/2/2023 1:10 PM\tMicrosoft Word Document\t41 KB"),
    ("file", None, "scan_0031.png\t6/18/2025 9:41 AM\tPNG File\t1,204 KB"),
)
DOWNLOADS = (
    ("file", None, "holiday_photos.zip\t11/8/2025 7:12 PM\tCompressed (zipped) Folder\t84,112 KB"),
    ("file", None, "IMG_2231.jpg\t11/9/2025 1:03 PM\tJPG File\t3,021 KB"),
    ("file", None, "invoice_1042.pdf\t11/5/2025 2:44 PM\tPDF Document\t96 KB"),
    ("file", None, "report_final.docx\t10/31/2025 6:20 PM\tMicrosoft Word Document\t71 KB"),
    ("file", None, "vlc-3.0.21-win64.exe\t11/3/2025 8:57 AM\tApplication\t40,338 KB"),
)
EXPLORER_NAV = (
    "Home",
    "Gallery",
    "Desktop",
    "Downloads",
    "Documents",
    "Pictures",
    "Music",
    "Videos",
    "This PC",
    "Network",
)
Row = tuple[str, str | None, str]


def explorer(
    place: str,
    rows: Sequence[Row],
    *,
    selected: str | None = None,
    editing: tuple[str, str, str] | None = None,
    sorted_by: str = "Name",
) -> list[Widget]:
    """`editing` = (row name, kind, text): that row shows an inline rename box."""
    widgets = desktop("explorer") + window(f"{place} - File Explorer")
    x = 92
    for label in ("New", "Cut", "Copy", "Paste", "Rename", "Share", "Delete", "Sort", "View"):
        width = text_width(label, 14) + 28
        widgets.append(button(f"btn_{label.lower()}", (x, 74, x + width, 104), label))
        x += width + 6
    path = "This PC  >  Documents" if place != "Downloads" else "This PC  >  Downloads"
    if place == "Archive":
        path += "  >  Archive"
    widgets += [
        button("btn_back", (92, 116, 124, 144), "<"),
        button("btn_up", (130, 116, 162, 144), "^"),
        field("address", (172, 116, 880, 144), path),
        field("search_box", (890, 116, 1190, 144), f"~Search {place}"),
        fill((80, 150, 1200, 151), BORDER),
    ]
    for index, label in enumerate(EXPLORER_NAV):
        y = 160 + index * 34
        on = label == ("Documents" if place == "Archive" else place)
        widgets.append(
            Widget(
                "nav",
                (88, y, 296, y + 30),
                label,
                name=f"nav_{label.lower().replace(' ', '_')}",
                on=on,
            )
        )
    widgets.append(fill((302, 151, 303, 724), BORDER))
    headers = (
        ("header_name", "Name", 352),
        ("header_date", "Date modified", 682),
        ("header_type", "Type", 882),
        ("header_size", "Size", 1082),
    )
    for name, label, hx in headers:
        shown = f"{label}  v" if label == sorted_by else label
        widgets.append(
            Widget(
                "muted",
                (hx, 162, hx + text_width(shown, 13) + 6, 178),
                shown,
                name=name,
                role="columnheader",
                size=13,
            )
        )
    for index, (kind, row_name, label) in enumerate(rows):
        y = 188 + index * 32
        widgets.append(
            Widget(
                kind,
                (310, y, 1190, y + 30),
                label,
                name=row_name,
                role="listitem",
                on=row_name == selected,
            )
        )
        if editing and row_name == editing[0]:
            widgets.append(
                field("field_rename", (350, y + 3, 640, y + 27), editing[2], focused=True)
            )
    count = f"{len(rows)} items" + ("    1 item selected" if selected else "")
    widgets.append(muted(92, 702, count, 12))
    return widgets


def without(rows: tuple[Row, ...], name: str) -> list[Row]:
    return [row for row in rows if row[1] != name]


def screens() -> dict[str, list[Widget]]:
    renamed = sorted(
        [row for row in DOCUMENTS if row[1] != "row_draft"]
        + [("file", "row_final", "final.txt\t11/10/2025 10:41 AM\tText Document\t2 KB")],
        key=lambda row: (row[0] != "folder", row[2].lower()),
    )
    new_folder = [
        *DOCUMENTS,
        ("folder", "row_new", "New folder\t11/10/2025 10:42 AM\tFile folder\t"),
    ]
    receipts = sorted(
        [*DOCUMENTS, ("folder", "row_receipts", "Receipts\t11/10/2025 10:42 AM\tFile folder\t")],
        key=lambda row: (row[0] != "folder", row[2].lower()),
    )
    context = explorer("Documents", DOCUMENTS, selected="row_draft")
    context.append(Widget("popup", (560, 340, 780, 566)))
    for index, label in enumerate(
        ("Open", "Open with", "Cut", "Copy", "Rename", "Delete", "Properties")
    ):
        y = 344 + index * 31
        context.append(
            item(f"menu_{label.lower().replace(' ', '_')}", (562, y, 778, y + 29), label)
        )
    by_date = sorted(DOWNLOADS, key=lambda row: row[2].split("\t")[1][:10], reverse=True)
    return {
        "fe_documents": explorer("Documents", DOCUMENTS),
        "fe_documents_sel": explorer("Documents", DOCUMENTS, selected="row_draft"),
        "fe_rename": explorer(
            "Documents", DOCUMENTS, selected="row_draft", editing=("row_draft", "file", "draft.txt")
        ),
        "fe_rename_typed": explorer(
            "Documents", DOCUMENTS, selected="row_draft", editing=("row_draft", "file", "final.txt")
        ),
        "fe_renamed": explorer("Documents", renamed, selected="row_final"),
        "fe_new_folder": explorer(
            "Documents", new_folder, selected="row_new", editing=("row_new", "folder", "New folder")
        ),
        "fe_new_folder_typed": explorer(
            "Documents", new_folder, selected="row_new", editing=("row_new", "folder", "Receipts")
        ),
        "fe_receipts": explorer("Documents", receipts, selected="row_receipts"),
        "fe_moved": explorer("Documents", without(DOCUMENTS, "row_photo")),
        "fe_archive": explorer("Archive", ARCHIVE),
        "fe_context": context,
        "fe_deleted": explorer("Documents", without(DOCUMENTS, "row_draft")),
        "fe_downloads": explorer("Downloads", DOWNLOADS),
        "fe_downloads_sorted": explorer("Downloads", by_date, sorted_by="Date modified"),
    }


TEMPLATES = (
    Template(
        "file_explorer_rename_draft",
        "file_explorer",
        "Rename draft.txt in Documents to final.txt.",
        (
            ("fe_documents", click("row_draft", "Select draft.txt first.")),
            ("fe_documents_sel", key("f2", "F2 starts renaming the selected file.")),
            ("fe_rename", typed("final.txt", "The name is selected; type the new one.")),
            ("fe_rename_typed", key("enter", "Confirm the rename.")),
        ),
        "fe_renamed",
        "check_file_exists",
        "Documents\\final.txt exists and draft.txt does not",
        "Documents\\final.txt not found",
        partial=True,
    ),
    Template(
        "file_explorer_new_folder",
        "file_explorer",
        "Create a folder named Receipts in Documents.",
        (
            ("fe_documents", key("n", "Ctrl+Shift+N creates a new folder.", "ctrl", "shift")),
            (
                "fe_new_folder",
                typed("Receipts", "The new folder name is in edit mode; type Receipts."),
            ),
            ("fe_new_folder_typed", key("enter", "Confirm the name.")),
        ),
        "fe_receipts",
        "check_file_exists",
        "Documents\\Receipts is a folder",
        "folder Documents\\Receipts not found",
    ),
    Template(
        "0c9fa4e2-1b5d-4f8e-9a37-2d6c58e1b0f4-WOS",
        "file_explorer",
        "Move photo_0412.jpg from Documents into the Archive folder.",
        (
            (
                "fe_documents",
                Act(
                    "drag",
                    target="row_photo",
                    to="row_archive",
                    why="Drag the photo onto the Archive folder.",
                ),
            ),
        ),
        "fe_moved",
        "check_file_exists",
        "Documents\\Archive\\photo_0412.jpg exists",
        "photo_0412.jpg is still in Documents",
    ),
    Template(
        "file_explorer_count_archive",
        "file_explorer",
        "Open the Archive folder in Documents and report how many files it contains.",
        (
            (
                "fe_documents",
                Act("double_click", target="row_archive", why="Double-click Archive to open it."),
            ),
            ("fe_archive", answer("4", "The folder lists four files.")),
        ),
        "fe_archive",
        "exact_match",
        "answer '4' matches",
        "answer does not match '4'",
    ),
    Template(
        "file_explorer_delete_draft",
        "file_explorer",
        "Delete draft.txt from the Documents folder.",
        (
            (
                "fe_documents",
                Act("right_click", target="row_draft", why="Right-click draft.txt for its menu."),
            ),
            ("fe_context", click("menu_delete", "Choose Delete.")),
        ),
        "fe_deleted",
        "check_file_exists",
        "draft.txt is in the Recycle Bin",
        "Documents\\draft.txt still exists",
    ),
    Template(
        "file_explorer_sort_downloads",
        "file_explorer",
        "Show the Downloads folder sorted by date modified, newest first.",
        (
            ("fe_documents", click("nav_downloads", "Open Downloads from the navigation pane.")),
            (
                "fe_downloads",
                click("header_date", "Click the Date modified column header to sort."),
            ),
        ),
        "fe_downloads_sorted",
        "check_explorer_view",
        "Downloads sorted by date modified, descending",
        "Downloads sorted by name",
    ),
)
