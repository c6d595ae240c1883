"""Windows Settings: System, Personalization (with a dark-mode state), Bluetooth, Date & time."""

from __future__ import annotations

from bench_tui.demo.kit import (
    button,
    card,
    desktop,
    dropdown,
    field,
    item,
    muted,
    text,
    toggle,
    window,
)
from bench_tui.demo.screens import WHITE, Widget
from bench_tui.demo.script import Act, Template, click, typed

DARK = frozenset({"st_colors_dark"})
"""Screens drawn in the dark theme."""

SETTINGS_NAV = (
    ("nav_system", "System"),
    ("nav_bluetooth", "Bluetooth & devices"),
    ("nav_network", "Network & internet"),
    ("nav_personalization", "Personalization"),
    ("nav_apps", "Apps"),
    ("nav_accounts", "Accounts"),
    ("nav_time", "Time & language"),
    ("nav_gaming", "Gaming"),
    ("nav_accessibility", "Accessibility"),
    ("nav_privacy", "Privacy & security"),
    ("nav_update", "Windows Update"),
)


def settings(
    nav: str, heading: str, *, dark: bool = False, search: str = "", searching: bool = False
) -> list[Widget]:
    widgets = desktop("settings") + window("Settings", dark=dark)
    ink = (236, 236, 236) if dark else None
    widgets += [
        Widget("fill", (96, 84, 136, 124), color=(0, 120, 215)),
        text(108, 94, "AP", 16, WHITE),
        text(148, 86, "Ana Park", 15, ink),
        muted(148, 106, "Local account", 12),
        field("search", (96, 140, 376, 172), search or "~Find a setting", focused=searching),
    ]
    for index, (name, label) in enumerate(SETTINGS_NAV):
        y = 190 + index * 40
        widgets.append(
            Widget(
                "nav",
                (96, y, 376, y + 36),
                label,
                name=name,
                role="listitem",
                on=name == nav,
                color=ink,
            )
        )
    widgets.append(text(410, 80, heading, 26, ink))
    return widgets


def settings_system() -> list[Widget]:
    widgets = settings("nav_system", "System")
    rows = (
        ("card_display", "Display", "Monitors, brightness, night light, display profile"),
        ("card_sound", "Sound", "Volume levels, output, input, sound devices"),
        ("card_notifications", "Notifications", "Alerts from apps and system"),
        ("card_focus", "Focus", "Reduce distractions"),
        ("card_power", "Power & battery", "Sleep, battery usage, battery saver"),
        ("card_storage", "Storage", "Storage space, drives, configuration rules"),
        ("card_sharing", "Nearby sharing", "Discoverability, received files location"),
        ("card_multitasking", "Multitasking", "Snap windows, desktops, task switching"),
    )
    for index, (name, title, subtitle) in enumerate(rows):
        widgets += card(130 + index * 68, title, subtitle, name=name)
    return widgets


def settings_display(night: bool) -> list[Widget]:
    widgets = settings("nav_system", "System  >  Display")
    widgets += card(130, "Brightness", "Adjust the brightness of the built-in display")
    widgets.append(Widget("slider", (860, 150, 1060, 170), "70", name="brightness", role="slider"))
    widgets += card(198, "Night light", "Use warmer colours to help block blue light")
    widgets.append(toggle("toggle_night", 198, night))
    widgets += card(266, "Scale", "Change the size of text, apps and other items")
    widgets.append(dropdown("scale_dropdown", 266, "150% (Recommended)"))
    widgets += card(
        334, "Display resolution", "Adjust the resolution to fit your connected display"
    )
    widgets.append(dropdown("resolution_dropdown", 334, "1920 x 1200"))
    widgets += card(402, "Display orientation", "")
    widgets.append(dropdown("orientation_dropdown", 402, "Landscape"))
    return widgets


def settings_personalization() -> list[Widget]:
    widgets = settings("nav_personalization", "Personalization")
    rows = (
        ("card_background", "Background", "Background image, colour, slideshow"),
        ("card_colors", "Colors", "Accent color, transparency effects, color theme"),
        ("card_themes", "Themes", "Install, create, manage"),
        ("card_lockscreen", "Lock screen", "Lock screen images, apps, animations"),
        ("card_textinput", "Text input", "Touch keyboard, voice typing, emoji"),
        ("card_start", "Start", "Recent apps and items, folders"),
        ("card_taskbar", "Taskbar", "Taskbar behaviours, system pins"),
        ("card_fonts", "Fonts", "Install, manage"),
    )
    for index, (name, title, subtitle) in enumerate(rows):
        widgets += card(130 + index * 68, title, subtitle, name=name)
    return widgets


def settings_colors(mode: str, transparency: bool, menu: bool = False) -> list[Widget]:
    dark = mode == "Dark"
    widgets = settings("nav_personalization", "Personalization  >  Colors", dark=dark)
    widgets += card(
        130,
        "Choose your mode",
        "Change the colours that appear in Windows and your apps",
        dark=dark,
    )
    widgets.append(dropdown("mode_dropdown", 130, mode))
    widgets += card(
        198, "Transparency effects", "Windows and surfaces appear translucent", dark=dark
    )
    widgets.append(toggle("toggle_transparency", 198, transparency))
    widgets += card(
        266, "Accent color", "Choose an accent colour or let Windows pick one", dark=dark
    )
    widgets.append(dropdown("accent_dropdown", 266, "Manual"))
    widgets += card(334, "Show accent color on Start and taskbar", "", dark=dark)
    widgets.append(toggle("toggle_accent_taskbar", 334, False))
    if menu:
        widgets.append(Widget("popup", (990, 176, 1160, 272)))
        for index, label in enumerate(("Light", "Dark", "Custom")):
            y = 180 + index * 30
            widgets.append(
                item(f"mode_{label.lower()}", (992, y, 1158, y + 28), label, on=label == mode)
            )
    return widgets


def settings_bluetooth(on: bool) -> list[Widget]:
    widgets = settings("nav_bluetooth", "Bluetooth & devices")
    widgets += card(130, "Bluetooth", 'Discoverable as "DESKTOP-7Q2K4LM"')
    widgets.append(toggle("toggle_bt", 130, on))
    rows = (
        ("card_devices", "Devices", "Mouse, keyboard, pen, audio, displays and docks"),
        ("card_printers", "Printers & scanners", "Preferences, troubleshoot"),
        ("card_phone", "Phone Link", "Instantly access your phone's photos and texts"),
        ("card_cameras", "Cameras", "Connected cameras, default image settings"),
        ("card_mouse", "Mouse", "Buttons, mouse pointer speed, scrolling"),
    )
    for index, (name, title, subtitle) in enumerate(rows):
        widgets += card(198 + index * 68, title, subtitle, name=name)
    return widgets


TIME_ZONES = (
    "(UTC-10:00) Hawaii",
    "(UTC-09:00) Alaska",
    "(UTC-08:00) Pacific Time (US & Canada)",
    "(UTC-07:00) Mountain Time (US & Canada)",
    "(UTC-06:00) Central Time (US & Canada)",
    "(UTC-05:00) Eastern Time (US & Canada)",
    "(UTC-03:00) Brasilia",
    "(UTC) Coordinated Universal Time",
    "(UTC+00:00) Dublin, Edinburgh, Lisbon, London",
    "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
    "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris",
    "(UTC+02:00) Athens, Bucharest",
    "(UTC+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius",
    "(UTC+03:00) Istanbul",
    "(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi",
    "(UTC+09:00) Osaka, Sapporo, Tokyo",
)


def settings_time(zone: str, list_from: int | None = None) -> list[Widget]:
    widgets = settings("nav_time", "Time & language  >  Date & time")
    widgets += [text(420, 130, "10:42 AM", 34), muted(420, 172, "Monday, November 10, 2025", 14)]
    widgets += card(206, "Set time automatically", "")
    widgets.append(toggle("toggle_auto_time", 206, True))
    widgets += card(274, "Set time zone automatically", "")
    widgets.append(toggle("toggle_auto_zone", 274, False))
    widgets += card(342, "Time zone", "")
    widgets.append(button("tz_dropdown", (700, 356, 1160, 388), f"{zone}  v"))
    widgets += card(
        410, "Synchronize your clock", "Last successful time synchronization: 11/10/2025 9:58:02 AM"
    )
    widgets.append(button("btn_sync", (1060, 424, 1160, 456), "Sync now"))
    if list_from is not None:
        widgets.append(Widget("popup", (700, 390, 1160, 700), name="tz_list", role="list"))
        for index, label in enumerate(TIME_ZONES[list_from : list_from + 10]):
            y = 394 + index * 30
            name = "tz_amsterdam" if label.startswith("(UTC+01:00) Amsterdam") else None
            widgets.append(item(name, (702, y, 1158, y + 28), label, on=label == zone))
    return widgets


def settings_search() -> list[Widget]:
    widgets = settings("nav_system", "System", search="storage", searching=True)
    widgets.append(Widget("popup", (96, 174, 376, 300)))
    labels = (
        ("result_storage", "Storage settings"),
        (None, "Storage Sense"),
        (None, "Storage spaces"),
        (None, "Cleanup recommendations"),
    )
    for index, (name, label) in enumerate(labels):
        y = 178 + index * 30
        widgets.append(item(name, (98, y, 374, y + 28), label, on=index == 0))
    return widgets


def settings_storage() -> list[Widget]:
    widgets = settings("nav_system", "System  >  Storage")
    widgets += [
        text(420, 130, "Local Disk (C:)", 16),
        muted(1000, 132, "312 GB used of 476 GB", 13),
        Widget("slider", (420, 160, 1160, 176), "66"),
    ]
    widgets += card(200, "Storage Sense", "Automatically free up space, delete temporary files")
    widgets.append(toggle("toggle_storage_sense", 200, False))
    widgets += card(
        268, "Cleanup recommendations", "Over 4.2 GB of storage is available", name="card_cleanup"
    )
    widgets += card(
        336,
        "Advanced storage settings",
        "Backup options, Storage Spaces, other disks",
        name="card_advanced",
    )
    return widgets


def screens() -> dict[str, list[Widget]]:
    pacific, amsterdam = TIME_ZONES[2], TIME_ZONES[9]
    return {
        "st_system": settings_system(),
        "st_display": settings_display(False),
        "st_display_night": settings_display(True),
        "st_personalization": settings_personalization(),
        "st_colors": settings_colors("Light", True),
        "st_colors_menu": settings_colors("Light", True, menu=True),
        "st_colors_dark": settings_colors("Dark", True),
        "st_colors_notransp": settings_colors("Light", False),
        "st_bluetooth": settings_bluetooth(True),
        "st_bluetooth_off": settings_bluetooth(False),
        "st_time": settings_time(pacific),
        "st_tz_menu": settings_time(pacific, list_from=0),
        "st_tz_menu_scrolled": settings_time(pacific, list_from=6),
        "st_time_tz_set": settings_time(amsterdam),
        "st_search": settings_search(),
        "st_storage": settings_storage(),
    }


TEMPLATES = (
    Template(
        "settings:dark_mode",
        "settings",
        "Switch Windows to dark mode.",
        (
            ("st_system", click("nav_personalization", "Colour mode is under Personalization.")),
            ("st_personalization", click("card_colors", "Open Colors.")),
            ("st_colors", click("mode_dropdown", "Open the 'Choose your mode' list.")),
            ("st_colors_menu", click("mode_dark", "Pick Dark.")),
        ),
        "st_colors_dark",
        "check_registry_value",
        "AppsUseLightTheme = 0 and SystemUsesLightTheme = 0",
        "theme still light",
        partial=True,
    ),
    Template(
        "settings_night_light",
        "settings",
        "Turn on Night light.",
        (
            ("st_system", click("card_display", "Night light is on the Display page.")),
            ("st_display", click("toggle_night", "Switch the Night light toggle on.")),
        ),
        "st_display_night",
        "check_registry_value",
        "Night light is on",
        "Night light is off",
    ),
    Template(
        "settings_bluetooth_off",
        "settings",
        "Turn off Bluetooth.",
        (
            ("st_system", click("nav_bluetooth", "Open Bluetooth & devices.")),
            ("st_bluetooth", click("toggle_bt", "Switch Bluetooth off.")),
        ),
        "st_bluetooth_off",
        "check_radio_state",
        "Bluetooth radio is off",
        "Bluetooth radio is still on",
    ),
    Template(
        "settings_timezone",
        "settings",
        "Set the time zone to (UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna.",
        (
            ("st_system", click("nav_time", "Time zone is under Time & language.")),
            ("st_time", click("tz_dropdown", "Open the time zone list.")),
            (
                "st_tz_menu",
                Act(
                    "scroll",
                    target="tz_list",
                    direction="down",
                    amount=3,
                    why="Amsterdam is further down; scroll.",
                ),
            ),
            ("st_tz_menu_scrolled", click("tz_amsterdam", "Select the Amsterdam, Berlin entry.")),
        ),
        "st_time_tz_set",
        "check_timezone",
        "time zone is W. Europe Standard Time",
        "time zone is Pacific Standard Time",
        partial=True,
    ),
    Template(
        "settings_transparency",
        "settings",
        "Turn off transparency effects.",
        (
            (
                "st_system",
                click(
                    "nav_personalization", "Transparency effects are in Personalization > Colors."
                ),
            ),
            ("st_personalization", click("card_colors", "Open Colors.")),
            ("st_colors", click("toggle_transparency", "Switch Transparency effects off.")),
        ),
        "st_colors_notransp",
        "check_registry_value",
        "EnableTransparency = 0",
        "EnableTransparency = 1",
    ),
    Template(
        "settings_search_storage",
        "settings",
        "Open the Storage settings page using the search box in Settings.",
        (
            ("st_system", click("search", "Use the 'Find a setting' box as asked.")),
            ("st_system", typed("storage", "Type the page name.")),
            ("st_search", click("result_storage", "The first suggestion is Storage settings.")),
        ),
        "st_storage",
        "check_settings_page",
        "Settings shows System > Storage",
        "Settings shows System",
    ),
)
