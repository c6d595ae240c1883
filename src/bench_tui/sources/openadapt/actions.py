"""Map an OpenAdapt action record (16 keys) onto the common Action."""

from __future__ import annotations

import re
from typing import Any, TypeGuard

from bench_tui.model import Action, ActionType
from bench_tui.model.action import CoordQuality

CODE_POINT = re.compile(r"computer\.(\w+)\(\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)")
CODE_VARIANTS: dict[str, ActionType] = {
    "double_click": "double_click",
    "right_click": "right_click",
}
KNOWN_TYPES: set[ActionType] = {
    "click",
    "type",
    "scroll",
    "key",
    "drag",
    "answer",
    "done",
    "error",
    "wait",
}
WAA_ACTIONS: dict[str, ActionType] = {"DONE": "done", "FAIL": "fail", "WAIT": "wait"}
PX_TOLERANCE = 5.0


def _float(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _known_type(kind: object) -> TypeGuard[ActionType]:
    return isinstance(kind, str) and kind in KNOWN_TYPES


def _click_variant(raw: dict[str, Any]) -> ActionType | None:
    variant = raw.get("click_variant")
    if isinstance(variant, str):
        return CODE_VARIANTS.get(variant, "click")
    code = raw.get("code")
    if isinstance(code, str):
        match = CODE_POINT.search(code)
        if match:
            return CODE_VARIANTS.get(match.group(1))
    return None


def _normalise(x: float, y: float, screen: tuple[int, int]) -> tuple[float, float, CoordQuality]:
    if 0.0 <= x <= 1.0 and 0.0 <= y <= 1.0:
        return x, y, "exact"
    return x / screen[0], y / screen[1], "converted"


def map_action(record: Any, screen: tuple[int, int]) -> Action:
    """The common Action for one OpenAdapt `action` object; `screen` = size of its screenshot."""
    if not isinstance(record, dict):
        return Action(type="other", raw=record)
    raw_action = record.get("raw_action")
    raw: dict[str, Any] = raw_action if isinstance(raw_action, dict) else {}
    kind = record.get("type")
    action_type: ActionType = kind if _known_type(kind) else "other"
    modifiers = [m for m in record.get("modifiers") or [] if isinstance(m, str)]
    key = record.get("key") if isinstance(record.get("key"), str) else None
    if action_type == "key" and modifiers:
        action_type = "hotkey"
    if action_type == "click":
        action_type = _click_variant(raw) or "click"
    waa_action = raw.get("waa_action")
    if action_type == "other" and isinstance(waa_action, str):
        action_type = WAA_ACTIONS.get(waa_action, "other")

    element_id = record.get("target_node_id")
    element_id = None if element_id is None else str(element_id)
    x, y = _float(record.get("x")), _float(record.get("y"))
    end_x, end_y = _float(record.get("end_x")), _float(record.get("end_y"))
    quality: CoordQuality = "none"
    if x is not None and y is not None:
        if element_id is not None and x == 0.5 and y == 0.5:
            quality = "placeholder"
        else:
            x, y, quality = _normalise(x, y, screen)
            code = raw.get("code")
            match = CODE_POINT.search(code) if isinstance(code, str) else None
            if match:
                code_x, code_y = float(match.group(2)), float(match.group(3))
                # Old runs normalised against the wrong resolution: the executed code is the truth.
                if (
                    abs(code_x - x * screen[0]) > PX_TOLERANCE
                    or abs(code_y - y * screen[1]) > PX_TOLERANCE
                ):
                    x, y, quality = code_x / screen[0], code_y / screen[1], "converted"
    if end_x is not None and end_y is not None:
        end_x, end_y, _ = _normalise(end_x, end_y, screen)

    scroll_amount = _float(record.get("scroll_amount"))
    text = record.get("text") if isinstance(record.get("text"), str) else None
    answer = record.get("answer") if isinstance(record.get("answer"), str) else None
    return Action(
        type=action_type,
        x=x,
        y=y,
        end_x=end_x,
        end_y=end_y,
        coord_quality=quality,
        element_id=element_id,
        element_name=record.get("target_name")
        if isinstance(record.get("target_name"), str)
        else None,
        text=text,
        key=key or None,
        modifiers=modifiers,
        scroll_direction=record.get("scroll_direction")
        if isinstance(record.get("scroll_direction"), str)
        else None,
        scroll_amount=scroll_amount,
        answer=answer,
        raw=raw or None,
    )
