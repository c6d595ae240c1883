"""The `action` value of an OSWorld trajectory line, whatever the agent wrote (FORMATS §10).

pyautogui code (most agents), computer_13 objects, Anthropic computer-use objects (drawn from
their `command` code), and OpenAI-style `{"action_space", "action"}` wrappers.
"""

from __future__ import annotations

from typing import Any

from bench_tui.model import Action, ActionType
from bench_tui.model.action import CoordQuality
from bench_tui.sources.jsonvalues import as_number
from bench_tui.sources.osworld.pyautogui_actions import ParsedCode, parse_pyautogui_code

COMPUTER13_TYPES = frozenset(
    {
        "MOVE_TO",
        "CLICK",
        "MOUSE_DOWN",
        "MOUSE_UP",
        "RIGHT_CLICK",
        "DOUBLE_CLICK",
        "DRAG_TO",
        "SCROLL",
        "TYPING",
        "PRESS",
        "KEY_DOWN",
        "KEY_UP",
        "HOTKEY",
        "WAIT",
        "FAIL",
        "DONE",
    }
)
_POINTED13: dict[str, ActionType] = {
    "MOVE_TO": "move",
    "CLICK": "click",
    "RIGHT_CLICK": "right_click",
    "DOUBLE_CLICK": "double_click",
    "DRAG_TO": "drag",
    "MOUSE_DOWN": "other",
    "MOUSE_UP": "other",
}
_FINAL: dict[str, ActionType] = {"WAIT": "wait", "FAIL": "fail", "DONE": "done"}
# Anthropic computer-use `input.action` names, for objects that carry no `command` code.
_ANTHROPIC_POINTED: dict[str, ActionType] = {
    "mouse_move": "move",
    "left_click": "click",
    "middle_click": "click",
    "triple_click": "click",
    "right_click": "right_click",
    "double_click": "double_click",
    "left_click_drag": "drag",
    "scroll": "scroll",
}
MAX_DEPTH = 5


def _px_point(
    x: Any, y: Any, screen: tuple[float, float]
) -> tuple[float | None, float | None, CoordQuality]:
    px, py = as_number(x), as_number(y)
    if px is None or py is None:
        return None, None, "none"
    return px / screen[0], py / screen[1], "converted"


def _screen(screen: tuple[int, int]) -> tuple[float, float]:
    try:
        width, height = float(screen[0]), float(screen[1])
    except (TypeError, ValueError, IndexError):
        return 1920.0, 1080.0
    return (width, height) if width > 0 and height > 0 else (1920.0, 1080.0)


def parse_computer13(obj: Any, screen: tuple[int, int]) -> list[Action]:
    """A computer_13 action (`{"action_type": "CLICK", "parameters": {...}}`, px) or a bare
    `WAIT`/`DONE`/`FAIL` string."""
    if isinstance(obj, str):
        kind = _FINAL.get(obj.strip().upper())
        return [Action(type=kind or "other", raw=obj)]
    if not isinstance(obj, dict):
        return [Action(type="other", raw=obj)]
    name = obj.get("action_type")
    name = name.strip().upper() if isinstance(name, str) else ""
    parameters = obj.get("parameters")
    params: dict[str, Any] = parameters if isinstance(parameters, dict) else {}
    size = _screen(screen)
    if name in _FINAL:
        return [Action(type=_FINAL[name], raw=obj)]
    if name in _POINTED13:
        kind = _POINTED13[name]
        x, y, quality = _px_point(params.get("x"), params.get("y"), size)
        if name == "CLICK":
            button = params.get("button")
            clicks = params.get("num_clicks")
            if button == "right":
                kind = "right_click"
            elif clicks == 2:
                kind = "double_click"
        if kind == "drag":
            # DRAG_TO names the end only; the start is wherever the pointer was.
            return [Action(type="drag", end_x=x, end_y=y, coord_quality=quality, raw=obj)]
        return [Action(type=kind, x=x, y=y, coord_quality=quality, raw=obj)]
    if name == "SCROLL":
        dx, dy = as_number(params.get("dx")) or 0.0, as_number(params.get("dy")) or 0.0
        if dy:
            direction, amount = ("up" if dy > 0 else "down"), abs(dy)
        elif dx:
            direction, amount = ("right" if dx > 0 else "left"), abs(dx)
        else:
            direction, amount = None, None
        return [Action(type="scroll", scroll_direction=direction, scroll_amount=amount, raw=obj)]
    if name == "TYPING":
        text = params.get("text")
        return [Action(type="type", text=None if text is None else str(text), raw=obj)]
    if name in ("PRESS", "KEY_DOWN", "KEY_UP"):
        key = params.get("key")
        return [Action(type="key", key=key if isinstance(key, str) else None, raw=obj)]
    if name == "HOTKEY":
        keys = params.get("keys")
        names = [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []
        if names:
            return [Action(type="hotkey", key=names[-1], modifiers=names[:-1], raw=obj)]
        return [Action(type="hotkey", raw=obj)]
    return [Action(type="other", raw=obj)]


def _anthropic_input(value: Any, screen: tuple[float, float], raw: Any) -> list[Action]:
    """Anthropic `input` without code: its coordinates may be in a resized space (FORMATS §14)."""
    if not isinstance(value, dict):
        return [Action(type="other", raw=raw)]
    name = value.get("action")
    coordinate = value.get("coordinate")
    point = coordinate if isinstance(coordinate, list) and len(coordinate) == 2 else [None, None]
    x, y, quality = _px_point(point[0], point[1], screen)
    text = value.get("text") if isinstance(value.get("text"), str) else None
    if name in _ANTHROPIC_POINTED:
        kind = _ANTHROPIC_POINTED[name]
        if kind == "drag":
            return [Action(type="drag", end_x=x, end_y=y, coord_quality=quality, raw=raw)]
        action = Action(type=kind, x=x, y=y, coord_quality=quality, raw=raw)
        if kind == "scroll":
            direction = value.get("scroll_direction")
            action.scroll_direction = direction if isinstance(direction, str) else None
            action.scroll_amount = as_number(value.get("scroll_amount"))
        return [action]
    if name == "type":
        return [Action(type="type", text=text, raw=raw)]
    if name == "key" and text:
        parts = [p for p in text.split("+") if p]
        if len(parts) > 1:
            return [Action(type="hotkey", key=parts[-1], modifiers=parts[:-1], raw=raw)]
        return [Action(type="key", key=text, raw=raw)]
    if name == "wait":
        return [Action(type="wait", raw=raw)]
    return [Action(type="other", raw=raw)]


def parse_agent_action(value: Any, screen: tuple[int, int], _depth: int = 0) -> ParsedCode:
    """Every shape an OSWorld line's `action` takes, as common Actions plus any reasoning."""
    if value is None:
        return ParsedCode()
    if isinstance(value, str):
        return parse_pyautogui_code(value, screen)
    if isinstance(value, list):
        merged = ParsedCode()
        for item in value[:200]:
            part = parse_agent_action(item, screen, _depth + 1)
            merged.actions.extend(part.actions)
            merged.thought = merged.thought or part.thought
        return merged
    if not isinstance(value, dict) or _depth > MAX_DEPTH:
        return ParsedCode([Action(type="other", raw=value)])
    raw_response = value.get("raw_response")
    thought = (
        raw_response.strip() if isinstance(raw_response, str) and raw_response.strip() else None
    )
    command = value.get("command")
    if isinstance(command, str) and command.strip():
        parsed = parse_pyautogui_code(command, screen)
        return ParsedCode(parsed.actions, thought or parsed.thought)
    if "action_space" in value and "action" in value:
        inner = parse_agent_action(value.get("action"), screen, _depth + 1)
        return ParsedCode(inner.actions, thought or inner.thought)
    action_type = value.get("action_type")
    if isinstance(action_type, str) and action_type.strip().upper() in COMPUTER13_TYPES:
        return ParsedCode(parse_computer13(value, screen), thought)
    if value.get("name") == "computer" or "input" in value:
        return ParsedCode(_anthropic_input(value.get("input"), _screen(screen), value), thought)
    return ParsedCode([Action(type="other", raw=value)], thought)
