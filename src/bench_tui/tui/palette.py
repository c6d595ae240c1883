"""The app's colours by meaning, taken from the current Textual theme: the one place Python code
gets a colour from.

Screens style Rich `Text` with the names below (`Text("✓ pass", style=GOOD_BOLD)`), never with a
colour. The names are Rich theme styles on the app's console, rebuilt from the theme's variables
whenever the theme changes, so `TEXTUAL_THEME`, the theme picker and `NO_COLOR` (no colour at all,
only bold/dim/reverse) reach every cell, heading and chart the same way `$success` reaches a .tcss
rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.color import Color, ColorParseError
from rich.style import Style
from rich.theme import Theme
from textual.app import App

ROLES: dict[str, str] = {
    "good": "text-success",
    "bad": "text-error",
    "warn": "text-warning",
    "accent": "text-accent",
    "info": "text-primary",
    "other": "text-secondary",
}
"""Role -> the theme variable its text takes."""

BADGE_ROLES: dict[str, str] = {"good": "success", "bad": "error", "warn": "warning"}
"""Role -> the theme variable a badge (text on a coloured ground) takes."""

GOOD, GOOD_BOLD, GOOD_DIM = "bench.good", "bench.good.bold", "bench.good.dim"
BAD, BAD_BOLD = "bench.bad", "bench.bad.bold"
WARN, WARN_BOLD = "bench.warn", "bench.warn.bold"
ACCENT, ACCENT_BOLD = "bench.accent", "bench.accent.bold"
INFO, INFO_BOLD = "bench.info", "bench.info.bold"
OTHER, OTHER_BOLD = "bench.other", "bench.other.bold"
GOOD_BADGE, BAD_BADGE, WARN_BADGE = "bench.good.badge", "bench.bad.badge", "bench.warn.badge"


def _colour(variables: Mapping[str, str], name: str) -> Color | None:
    try:
        return Color.parse(variables.get(name, ""))
    except ColorParseError:
        return None


def palette_styles(variables: Mapping[str, str], no_color: bool) -> dict[str, Style]:
    """Every style name above, for a theme's CSS variables (`App.get_css_variables()`)."""
    styles: dict[str, Style] = {}
    for role, variable in ROLES.items():
        colour = None if no_color else _colour(variables, variable)
        styles[f"bench.{role}"] = Style(color=colour)
        styles[f"bench.{role}.bold"] = Style(color=colour, bold=True)
        styles[f"bench.{role}.dim"] = Style(color=colour, dim=True)
    for role, variable in BADGE_ROLES.items():
        ground = None if no_color else _colour(variables, variable)
        ink = None if no_color else _colour(variables, "background")
        # Without colour a badge still stands out: reversed.
        styles[f"bench.{role}.badge"] = Style(
            color=ink, bgcolor=ground, bold=True, reverse=no_color
        )
    return styles


def palette_theme(variables: Mapping[str, str], no_color: bool) -> Theme:
    return Theme(palette_styles(variables, no_color), inherit=False)


_INSTALLED = "_bench_palette_installed"


def install(app: App[Any]) -> None:
    """Puts the palette on `app`'s console and keeps it in step with the theme. Idempotent: the
    app calls it on load, a widget that may live in another app (the screenshot) on mount."""
    if getattr(app, _INSTALLED, False):
        return
    setattr(app, _INSTALLED, True)
    app.console.push_theme(palette_theme(app.get_css_variables(), app.no_color))
    app.theme_changed_signal.subscribe(app, lambda _theme: _recolour(app))


def _recolour(app: App[Any]) -> None:
    """What is on screen is drawn again in the new theme's colours."""
    app.console.pop_theme()
    app.console.push_theme(palette_theme(app.get_css_variables(), app.no_color))
    for screen in app.screen_stack:
        for widget in screen.walk_children(with_self=False):
            # Widgets that keep resolved Rich text (SafeStatic) re-resolve it; named, not
            # imported: the widgets draw in the palette's styles, so they import this module.
            recolour = getattr(widget, "recolour", None)
            if callable(recolour):
                recolour()
            widget.refresh()
