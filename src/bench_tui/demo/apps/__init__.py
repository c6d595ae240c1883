"""The demo's applications: each module draws its screens and scripts its tasks.

A module exposes `screens()` (screen key -> widgets), `TEMPLATES` (its tasks, scripted on those
screens) and optionally `DARK` (keys drawn in the dark theme).
"""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType

from bench_tui.demo.apps import calculator, chrome, explorer, notepad, paint, settings
from bench_tui.demo.kit import screen
from bench_tui.demo.screens import Screen
from bench_tui.demo.script import Template

# benchmark domain (WAA's folder names) -> application
APPS: dict[str, ModuleType] = {
    "notepad": notepad,
    "settings": settings,
    "file_explorer": explorer,
    "chrome": chrome,
    "windows_calc": calculator,
    "microsoft_paint": paint,
}
DOMAINS: tuple[str, ...] = tuple(APPS)
TEMPLATES: dict[str, tuple[Template, ...]] = {domain: app.TEMPLATES for domain, app in APPS.items()}


@lru_cache(maxsize=1)
def catalog() -> dict[str, Screen]:
    """Every screen of the demo by key (cheap: widget lists only; images render on first use)."""
    screens: dict[str, Screen] = {}
    for app in APPS.values():
        dark: frozenset[str] = getattr(app, "DARK", frozenset())
        for key, widgets in app.screens().items():
            if key in screens:
                raise ValueError(f"screen key {key!r} defined twice")
            screens[key] = screen(key, widgets, dark=key in dark)
    return screens
