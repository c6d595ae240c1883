"""Actions of OpenAdapt episodes and predictions (FORMATS §9) mapped into the common Action.

Two shapes: the canonical episode action (px `coordinates` and/or norm `normalized_coordinates`,
`element`, `modifiers`, ...; legacy `x`/`y`) and the small `{type, x, y, text}` of training
evaluations and predictions files, whose coordinates are always norm.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeGuard

from bench_tui.model import ACTION_TYPES, Action, ActionType
from bench_tui.model.action import CoordQuality
from bench_tui.sources.common import DEFAULT_SCREEN, image_size
from bench_tui.sources.jsonvalues import DocProblems, JsonPath, as_number, as_text

# Canonical types the common model has no word for. The rest of ACTION_TYPES map to themselves;
# anything else becomes "other" with the raw action kept.
_TYPE_ALIASES: dict[str, ActionType] = {
    "hover": "move",
    # A click into a field, then typing: the typed text is what matters, the point is kept.
    "click_and_type": "type",
}

_POINTED = frozenset({"click", "double_click", "right_click", "move", "drag"})

ScreenSize = tuple[float, float]


def _is_action_type(name: str) -> TypeGuard[ActionType]:
    return name in ACTION_TYPES


def action_type(name: str | None) -> ActionType:
    if name is None:
        return "other"
    lowered = name.strip().lower()
    if lowered in _TYPE_ALIASES:
        return _TYPE_ALIASES[lowered]
    if _is_action_type(lowered):
        return lowered
    return "other"


def screen_size_of(value: Any) -> ScreenSize | None:
    """`[w, h]` in px with both positive, else None."""
    if not isinstance(value, list) or len(value) != 2:
        return None
    width, height = as_number(value[0]), as_number(value[1])
    if width is None or height is None or width <= 0 or height <= 0:
        return None
    return width, height


class EpisodeActionReader:
    """Maps canonical episode actions, reporting wrongly typed fields as located Problems."""

    def __init__(self, problems: DocProblems):
        self.problems = problems

    def read(
        self,
        raw: dict[str, Any],
        path: JsonPath,
        screen: ScreenSize | None,
        screenshot: str | None,
    ) -> Action:
        """`screen` is the px size the recording reported; without it px are divided by the
        screenshot's own size (PNG header), else the default screen."""
        problems = self.problems
        type_name = problems.text(raw, "type", path)
        kind = action_type(type_name)
        if raw.get("type") is None:
            problems.add(path, "action has no 'type': expected click, type, key, scroll, done, ...")
        start, start_quality = self._point(
            raw, path, ("normalized_start", "normalized_coordinates")
        )
        end, _ = self._point(raw, path, ("normalized_end",))
        if start is None:
            start, start_quality = self._px_point(
                raw, path, ("start_coordinates", "coordinates"), screen, screenshot
            )
        if end is None:
            end, _ = self._px_point(raw, path, ("end_coordinates",), screen, screenshot)
        if start is None:
            start, start_quality = self._legacy_point(raw, path, screen, screenshot)
        element = problems.obj(raw, "element", path) or {}
        text = problems.text(raw, "text", path)
        key, modifiers = self._keys(raw, path, kind)
        return Action(
            type=kind,
            x=start[0] if start else None,
            y=start[1] if start else None,
            end_x=end[0] if end and kind == "drag" else None,
            end_y=end[1] if end and kind == "drag" else None,
            coord_quality=start_quality if start else "none",
            element_id=_element_id(raw, element),
            element_name=as_text(element.get("name")),
            text=text if kind != "answer" else None,
            key=key,
            modifiers=modifiers,
            scroll_direction=problems.text(raw, "scroll_direction", path),
            scroll_amount=problems.number(raw, "scroll_amount", path),
            answer=text if kind == "answer" else None,
            raw=raw,
        )

    def _point(
        self, raw: dict[str, Any], path: JsonPath, keys: tuple[str, ...]
    ) -> tuple[tuple[float, float] | None, CoordQuality]:
        for key in keys:
            value = raw.get(key)
            if value is None:
                continue
            point = _pair(value)
            if point is None:
                self.problems.wrong([*path, key], "[x, y] as two numbers from 0 to 1", value)
                continue
            return point, "exact"
        return None, "none"

    def _px_point(
        self,
        raw: dict[str, Any],
        path: JsonPath,
        keys: tuple[str, ...],
        screen: ScreenSize | None,
        screenshot: str | None,
    ) -> tuple[tuple[float, float] | None, CoordQuality]:
        for key in keys:
            value = raw.get(key)
            if value is None:
                continue
            point = _xy_object(value)
            if point is None:
                self.problems.wrong([*path, key], "an object {x, y} of pixel numbers", value)
                continue
            return _to_norm(point, screen, screenshot), "converted"
        return None, "none"

    def _legacy_point(
        self,
        raw: dict[str, Any],
        path: JsonPath,
        screen: ScreenSize | None,
        screenshot: str | None,
    ) -> tuple[tuple[float, float] | None, CoordQuality]:
        x = self.problems.number(raw, "x", path)
        y = self.problems.number(raw, "y", path)
        if x is None or y is None:
            return None, "none"
        # Legacy `x`/`y` stand for normalised coordinates; capture-derived files wrote pixels
        # under the same names, recognisable by values past 1.
        if 0.0 <= x <= 1.0 and 0.0 <= y <= 1.0:
            return (x, y), "exact"
        return _to_norm((x, y), screen, screenshot), "converted"

    def _keys(self, raw: dict[str, Any], path: JsonPath, kind: str) -> tuple[str | None, list[str]]:
        key = self.problems.text(raw, "key", path)
        value = raw.get("modifiers")
        modifiers = (
            [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
        )
        if value is not None and not isinstance(value, list):
            self.problems.wrong([*path, "modifiers"], "a list of key names", value)
        if key is None and kind in ("key", "hotkey"):
            # Demos write `keys` ("ctrl+shift+delete" or a list), captures `raw.keys`; the last
            # one is the key proper.
            names = _key_names(raw.get("keys"))
            if raw.get("keys") is not None and not names:
                self.problems.wrong([*path, "keys"], "key names (a list or 'ctrl+s')", raw["keys"])
            nested = raw.get("raw")
            if not names and isinstance(nested, dict):
                names = _key_names(nested.get("keys"))
            if names:
                key, modifiers = names[-1], modifiers or names[:-1]
        if key and "+" in key and not modifiers and len(key) > 1:
            *modifiers, key = [part.strip() for part in key.split("+")]
        return key, modifiers


def _key_names(keys: Any) -> list[str]:
    if isinstance(keys, str):
        keys = keys.split("+") if len(keys) > 1 else [keys]
    if not isinstance(keys, list):
        return []
    return [item.strip() for item in keys if isinstance(item, str) and item.strip()]


def _element_id(raw: dict[str, Any], element: dict[str, Any]) -> str | None:
    for source, key in ((element, "element_id"), (raw, "element_id"), (raw, "element_index")):
        text = as_text(source.get(key))
        if text is not None:
            return text
    nested = raw.get("raw")
    if isinstance(nested, dict):
        return as_text(nested.get("element_index"))
    return None


def _pair(value: Any) -> tuple[float, float] | None:
    if not isinstance(value, list) or len(value) != 2:
        return None
    x, y = as_number(value[0]), as_number(value[1])
    return None if x is None or y is None else (x, y)


def _xy_object(value: Any) -> tuple[float, float] | None:
    if not isinstance(value, dict):
        return None
    x, y = as_number(value.get("x")), as_number(value.get("y"))
    return None if x is None or y is None else (x, y)


def _to_norm(
    point: tuple[float, float], screen: ScreenSize | None, screenshot: str | None
) -> tuple[float, float]:
    size = screen
    if size is None and screenshot is not None:
        size = image_size(Path(screenshot))
    if size is None:
        size = DEFAULT_SCREEN
    return point[0] / size[0], point[1] / size[1]


def plain_action(
    value: Any, problems: DocProblems | None = None, path: JsonPath = ()
) -> Action | None:
    """`{type, x, y, text}` with norm x/y (training evaluations, predictions `base_data`).

    None when there is no usable action: not an object, or a pointing type without its point.
    With `problems`, wrongly typed fields are reported; without, they are quietly dropped
    (the caller already reported them when it read the file).
    """
    if not isinstance(value, dict):
        if problems is not None and value is not None:
            problems.wrong(path, "an action object {type, x, y, text}", value)
        return None
    if problems is not None:
        type_name = problems.text(value, "type", path)
        x = problems.number(value, "x", path)
        y = problems.number(value, "y", path)
        text = problems.text(value, "text", path)
    else:
        type_name = as_text(value.get("type"))
        x, y = as_number(value.get("x")), as_number(value.get("y"))
        text = as_text(value.get("text"))
    kind = action_type(type_name)
    has_point = x is not None and y is not None
    if kind in _POINTED and not has_point:
        return None
    return Action(
        type=kind,
        x=x if has_point else None,
        y=y if has_point else None,
        coord_quality="exact" if has_point else "none",
        text=text if kind != "answer" else None,
        answer=text if kind == "answer" else None,
        raw=value if kind == "other" else None,
    )
