"""Pick the screenshot renderer once, before the app starts (DESIGN §5, STYLE §3 "textual-image").

textual-image probes the terminal when `textual_image.widget` is first imported (up to ~0.5 s, reading
stdin), and raises ZeroDivisionError on a tty reporting 0 columns. So the import happens only here,
guarded, on the TUI path before `App.run()`; everything else in bench-tui must never import it.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from textual.app import App

RenderMode = Literal["kitty", "sixel", "halfblock", "none"]
REQUESTS: tuple[str, ...] = ("auto", "kitty", "sixel", "halfblock", "none")
ENV_VAR = "BENCH_TUI_IMAGES"
DEFAULT_CELL_PX: tuple[int, int] = (10, 20)  # textual-image's own fallback (VT340)
COSTLY_MODULES: tuple[str, ...] = ("textual_image",)

# textual-image renderable module → our mode; "unicode" is what it picks without a tty.
_DETECTED: dict[str, RenderMode] = {
    "tgp": "kitty",
    "sixel": "sixel",
    "halfcell": "halfblock",
    "unicode": "halfblock",
}


@dataclass(frozen=True)
class RendererChoice:
    mode: RenderMode
    reason: str
    cell_px: tuple[int, int] = DEFAULT_CELL_PX
    """Pixels per terminal cell (width, height); only Kitty/Sixel images are sized with it."""


def pick_renderer(requested: str | None, env: Mapping[str, str] = os.environ) -> RendererChoice:
    """`--images` beats `BENCH_TUI_IMAGES` beats auto-detection; failures fall back to half-blocks."""
    notes: list[str] = []
    wanted, source = _wanted(requested, env, notes)
    if _under_web_driver(env) and wanted != "none":
        return _choice(
            "halfblock", source, [*notes, "textual-serve (web driver) shows half-blocks only"]
        )
    if wanted == "halfblock":
        return _choice("halfblock", source, notes)
    if wanted == "none":
        return _choice("none", source, notes)
    if wanted == "auto" and not _is_terminal():
        # Probing would only cost time (and, with a tty stdout, read stray bytes from stdin).
        return _choice("halfblock", source, [*notes, "not a terminal, no graphics probe"])
    try:
        detected, cell_px = _probe_textual_image()
    except Exception as exc:  # third-party terminal probing can raise anything (0 columns, termios)
        reason = f"textual-image unavailable ({type(exc).__name__}: {exc})"
        return _choice("halfblock", source, [*notes, reason])
    if wanted == "auto":
        if "TMUX" in env and detected == "halfblock":
            notes.append("inside tmux, no graphics passthrough")
        return _choice(detected, source, [*notes, f"terminal answered {detected}"], cell_px)
    if detected != wanted:
        notes.append(f"forced although the terminal answered {detected}")
    return _choice(wanted, source, notes, cell_px)  # type: ignore[arg-type]


def _wanted(requested: str | None, env: Mapping[str, str], notes: list[str]) -> tuple[str, str]:
    for value, source in ((requested, "--images"), (env.get(ENV_VAR), ENV_VAR)):
        if not value:
            continue
        value = value.strip().lower()
        if value in REQUESTS:
            return value, f"{source}={value}"
        notes.append(f"ignored {source}={value!r} (expected one of {', '.join(REQUESTS)})")
    return "auto", "auto"


def _choice(
    mode: RenderMode,
    source: str,
    notes: list[str],
    cell_px: tuple[int, int] = DEFAULT_CELL_PX,
) -> RendererChoice:
    return RendererChoice(mode, "; ".join([source, *notes]), cell_px)


def _under_web_driver(env: Mapping[str, str]) -> bool:
    # textual-serve starts the app with TEXTUAL_DRIVER=textual.drivers.web_driver:WebDriver.
    return "web" in env.get("TEXTUAL_DRIVER", "").lower()


def _is_terminal() -> bool:
    streams = (sys.__stdin__, sys.__stdout__)
    return all(stream is not None and stream.isatty() for stream in streams)


def _probe_textual_image() -> tuple[RenderMode, tuple[int, int]]:
    """Import textual-image (this is the terminal probe) and read what it detected."""
    # A silent terminal makes it log a warning with a traceback to stderr, on the user's screen
    # just before the app starts; keep it in the log hierarchy only.
    logger = logging.getLogger("textual_image")
    quiet = logging.NullHandler()
    logger.addHandler(quiet)
    propagate, logger.propagate = logger.propagate, False
    try:
        importlib.import_module("textual_image.widget")
    finally:
        logger.removeHandler(quiet)
        logger.propagate = propagate
    renderable = importlib.import_module("textual_image.renderable")
    terminal = importlib.import_module("textual_image._terminal")
    kind = renderable.Image.__module__.rsplit(".", 1)[-1]
    mode = _DETECTED.get(kind, "halfblock")
    cell = terminal.get_cell_size()
    return mode, (int(cell.width) or DEFAULT_CELL_PX[0], int(cell.height) or DEFAULT_CELL_PX[1])


# ----- the app-wide choice ---------------------------------------------------------------------------

_active: RendererChoice | None = None


def set_active_renderer(choice: RendererChoice) -> None:
    """Record the launch-time choice; `Screenshot` widgets created afterwards use it."""
    global _active
    _active = choice


def app_renderer(app: App[Any]) -> RendererChoice:
    """The renderer bench-tui's app picked at its start; the active one in any other app (a
    widget mounted in a test harness)."""
    choice = getattr(app, "renderer", None)
    return choice if isinstance(choice, RendererChoice) else active_renderer()


def active_renderer() -> RendererChoice:
    return _active or RendererChoice("halfblock", "no renderer picked yet (tests, embedding)")


def import_cost_guard() -> list[str]:
    """Costly modules already imported: must be empty for `summary/export/validate`.

    The CLI imports the TUI lazily; tests call this after importing headless modules.
    """
    return [name for name in COSTLY_MODULES if name in sys.modules]
