"""How a key is named to a person, and which of a screen's keys come first (in `?` and the footer)."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.screen import Screen

KEY_NAMES = {
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "slash": "/",
    "question_mark": "?",
    "exclamation_mark": "!",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "space": "space",
    "escape": "esc",
}


def key_label(keys: str) -> str:
    return " ".join(KEY_NAMES.get(key, key) for key in keys.split(","))


def _declared_actions(node: object) -> set[str]:
    """Actions bench-tui's own classes bind on `node` (not Textual's built-in Tab, Ctrl+C…)."""
    actions: set[str] = set()
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("bench_tui"):
            continue
        for binding in cls.__dict__.get("BINDINGS", ()):
            actions.add(binding.action if isinstance(binding, Binding) else binding[1])
    return actions


def binding_rank(screen: Screen[Any], node: object, action: str) -> tuple[bool, int]:
    """The screen's own keys first, then those of the widget in focus (moving in a list), then
    the app-wide ones, and Textual's built-in keys last: what a person opened `?` to find
    comes first."""
    level = 0 if node is screen else 2 if node is screen.app else 1
    return (action not in _declared_actions(node), level)
