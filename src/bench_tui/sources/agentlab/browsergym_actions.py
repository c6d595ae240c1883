"""BrowserGym action strings (`click('c17')`, `mouse_click(300, 215)`, ...) as common Actions.

The strings are Python calls written by the agent; they are read with the literal-only scanner
in pyrepr, never evaluated. Mouse coordinates are pixels of the screenshot and become norm
here; element actions get their `bid`, and a point when the element's box is known.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench_tui.model import Action
from bench_tui.sources._io.pyrepr import parse_calls

Box = tuple[float, float, float, float]
BoxLookup = Callable[[str], Box | None]

ELEMENT_ACTIONS = {
    "click": "click",
    "dblclick": "double_click",
    "hover": "move",
    "fill": "type",
    "clear": "type",
    "press": "key",
    "focus": "other",
    "select_option": "other",
    "upload_file": "other",
    "drag_and_drop": "drag",
}
MOUSE_ACTIONS = {
    "mouse_click": "click",
    "mouse_dblclick": "double_click",
    "mouse_move": "move",
    "mouse_down": "other",
    "mouse_up": "other",
    "mouse_upload_file": "other",
}


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _arg(args: list[Any], kwargs: dict[str, Any], index: int, name: str) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[index] if index < len(args) else None


def _key_action(combo: Any, raw: str, **extra: Any) -> Action:
    if not isinstance(combo, str) or not combo:
        return Action(type="key", raw=raw, **extra)
    parts = [p for p in combo.split("+") if p]
    if len(parts) > 1:
        return Action(type="hotkey", key=parts[-1], modifiers=parts[:-1], raw=raw, **extra)
    return Action(type="key", key=combo, raw=raw, **extra)


def _centre(bid: str | None, boxes: BoxLookup | None, screen: tuple[int, int]) -> dict[str, Any]:
    if bid is None or boxes is None:
        return {}
    box = boxes(bid)
    if box is None:
        return {}
    x, y, width, height = box
    return {
        "x": (x + width / 2) / screen[0],
        "y": (y + height / 2) / screen[1],
        "coord_quality": "converted",
    }


def _element_action(
    name: str,
    args: list[Any],
    kwargs: dict[str, Any],
    raw: str,
    screen: tuple[int, int],
    boxes: BoxLookup | None,
) -> Action:
    bid = _arg(args, kwargs, 0, "bid")
    bid = str(bid) if bid is not None else None
    kind = ELEMENT_ACTIONS[name]
    if name == "click":
        button = _arg(args, kwargs, 1, "button")
        kind = "right_click" if button == "right" else "click"
    point = _centre(bid, boxes, screen)
    if name == "press":
        return _key_action(_arg(args, kwargs, 1, "key_comb"), raw, element_id=bid, **point)
    if name == "drag_and_drop":
        target = _arg(args, kwargs, 1, "to_bid")
        end = _centre(str(target) if target is not None else None, boxes, screen)
        return Action(
            type="drag",
            element_id=bid,
            end_x=end.get("x"),
            end_y=end.get("y"),
            raw=raw,
            **point,
        )
    text: str | None = None
    if name == "fill":
        value = _arg(args, kwargs, 1, "value")
        text = value if isinstance(value, str) else None
    elif name == "clear":
        text = ""
    elif name == "select_option":
        options = _arg(args, kwargs, 1, "options")
        text = options if isinstance(options, str) else ", ".join(map(str, options or []))
    return Action(type=kind, element_id=bid, text=text, raw=raw, **point)  # type: ignore[arg-type]


def _mouse_action(
    name: str, args: list[Any], kwargs: dict[str, Any], raw: str, screen: tuple[int, int]
) -> Action:
    x, y = _number(_arg(args, kwargs, 0, "x")), _number(_arg(args, kwargs, 1, "y"))
    kind = MOUSE_ACTIONS[name]
    if name == "mouse_click" and _arg(args, kwargs, 2, "button") == "right":
        kind = "right_click"
    if x is None or y is None:
        return Action(type=kind, raw=raw)  # type: ignore[arg-type]
    return Action(
        type=kind,  # type: ignore[arg-type]
        x=x / screen[0],
        y=y / screen[1],
        coord_quality="converted",
        raw=raw,
    )


def _scroll(args: list[Any], kwargs: dict[str, Any], raw: str) -> Action:
    dx = _number(_arg(args, kwargs, 0, "delta_x")) or 0.0
    dy = _number(_arg(args, kwargs, 1, "delta_y")) or 0.0
    if abs(dy) >= abs(dx):
        direction = "down" if dy > 0 else "up" if dy < 0 else None
        amount = abs(dy)
    else:
        direction = "right" if dx > 0 else "left"
        amount = abs(dx)
    return Action(type="scroll", scroll_direction=direction, scroll_amount=amount, raw=raw)


def _call_action(
    name: str,
    args: list[Any],
    kwargs: dict[str, Any],
    raw: str,
    screen: tuple[int, int],
    boxes: BoxLookup | None,
) -> Action:
    name = name.rsplit(".", 1)[-1]
    if name in ELEMENT_ACTIONS:
        return _element_action(name, args, kwargs, raw, screen, boxes)
    if name in MOUSE_ACTIONS:
        return _mouse_action(name, args, kwargs, raw, screen)
    first = _arg(args, kwargs, 0, "text")
    if name == "mouse_drag_and_drop":
        points = [
            _number(_arg(args, kwargs, i, k))
            for i, k in enumerate(("from_x", "from_y", "to_x", "to_y"))
        ]
        if any(p is None for p in points):
            return Action(type="drag", raw=raw)
        fx, fy, tx, ty = (p or 0.0 for p in points)
        return Action(
            type="drag",
            x=fx / screen[0],
            y=fy / screen[1],
            end_x=tx / screen[0],
            end_y=ty / screen[1],
            coord_quality="converted",
            raw=raw,
        )
    if name == "scroll":
        return _scroll(args, kwargs, raw)
    if name in ("keyboard_type", "keyboard_insert_text"):
        return Action(type="type", text=first if isinstance(first, str) else None, raw=raw)
    if name == "keyboard_press":
        return _key_action(_arg(args, kwargs, 0, "key"), raw)
    if name == "send_msg_to_user":
        return Action(type="answer", answer=first if isinstance(first, str) else None, raw=raw)
    if name == "report_infeasible":
        reason = _arg(args, kwargs, 0, "reason")
        return Action(type="fail", answer=reason if isinstance(reason, str) else None, raw=raw)
    if name == "noop":
        return Action(type="wait", raw=raw)
    return Action(type="other", raw=raw)


def parse_action_string(
    text: str | None, screen: tuple[int, int], boxes: BoxLookup | None = None
) -> list[Action]:
    """Every call in one BrowserGym action string; [] for None (the final record)."""
    if text is None:
        return []
    calls = parse_calls(text)
    if not calls:
        return [Action(type="other", raw=text)] if text.strip() else []
    return [_call_action(name, args, kwargs, text, screen, boxes) for name, args, kwargs in calls]
