"""Actions of WAA's Navi agent, which writes Python against its `computer` API (FORMATS §11).

`computer.mouse.move_id(id=41)` points at a Set-of-Marks box: the click after it gets
`element_id` "41", and a point only when that step's `regions` JSON gives the box.
`computer.mouse.move_abs(x=0.38, y=0.61)` is already normalised. A click uses the preceding
move. Parsed with `ast`, never executed.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

from bench_tui.model import Action, ActionType
from bench_tui.sources._io.code_literals import (
    UNKNOWN,
    call_texts,
    is_number,
    literal_value,
    nodes_in_order,
    parse_python,
)
from bench_tui.sources.osworld.pyautogui_actions import SPECIAL_WORDS, ParsedCode

NAVI_CALL_START = re.compile(r"\bcomputer\s*\.\s*([\w.]+?)\s*\(")
PLAN_NOT_FOUND = re.compile(r"^\s*#\s*plan not found", re.IGNORECASE | re.MULTILINE)
CLICKS: dict[str, ActionType] = {
    "single_click": "click",
    "double_click": "double_click",
    "right_click": "right_click",
}
BOX_KEYS = ("bbox", "box", "rect", "coordinates", "coords", "shape")
NAME_KEYS = ("label", "name", "text", "content", "description")
LIST_KEYS = ("regions", "boxes", "rects", "elements")
MAX_NESTING = 5
"""Wrapper objects followed at most this deep: real layouts use one or two."""


@dataclass(frozen=True)
class Region:
    """Centre of one Set-of-Marks box, normalised, and what the box is labelled."""

    x: float
    y: float
    name: str | None = None


def looks_like_navi(code: Any) -> bool:
    return isinstance(code, str) and (
        "computer." in code or PLAN_NOT_FOUND.search(code) is not None
    )


def parse_navi(code: str, regions: dict[str, Region] | None = None) -> ParsedCode:
    """Actions of one Navi code block; comments in it are kept as its thought."""
    if not isinstance(code, str):
        return ParsedCode([Action(type="other", raw=code)])
    text = code.strip()
    if not text:
        return ParsedCode()
    special = SPECIAL_WORDS.get(text.upper())
    if special is not None:
        return ParsedCode([Action(type=special, raw=text)])
    comments = [
        line.strip().lstrip("#").strip()
        for line in text.splitlines()
        if line.strip().startswith("#") and line.strip().lstrip("#").strip()
    ]
    if PLAN_NOT_FOUND.search(text) and not NAVI_CALL_START.search(text):
        return ParsedCode([Action(type="error", text="plan not found", raw=text)])
    walker = _NaviWalker(text, regions or {})
    tree = parse_python(text)
    if tree is not None:
        for node in nodes_in_order(tree):
            if isinstance(node, ast.Call):
                walker.call(node, None)
    else:
        for call_text in call_texts(text, NAVI_CALL_START):
            try:
                expression = ast.parse(call_text.strip(), mode="eval")
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                walker.unparsed(call_text)
                continue
            if isinstance(expression.body, ast.Call):
                walker.call(expression.body, call_text)
    actions = walker.finish()
    if not actions:
        actions = [Action(type="other", raw=text)]
    return ParsedCode(actions, "\n".join(comments) or None)


def _dotted(func: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name) and func.id == "computer":
        return ".".join(reversed(parts))
    return None


class _NaviWalker:
    def __init__(self, source: str, regions: dict[str, Region]):
        self.source = source
        self.regions = regions
        self.actions: list[Action] = []
        self.pending_move: Action | None = None

    def call(self, node: ast.Call, raw: str | None) -> None:
        name = _dotted(node.func)
        if name is None:
            return
        raw = raw or ast.get_source_segment(self.source, node) or name
        args = [UNKNOWN if isinstance(a, ast.Starred) else literal_value(a) for a in node.args]
        kwargs = {kw.arg: literal_value(kw.value) for kw in node.keywords if kw.arg is not None}
        self.apply(name, args, kwargs, raw)

    def unparsed(self, call_text: str) -> None:
        match = NAVI_CALL_START.search(call_text)
        if match is not None:
            self.apply(match.group(1), [], {}, call_text.strip())

    def _flush_move(self) -> None:
        if self.pending_move is not None:
            self.actions.append(self.pending_move)
            self.pending_move = None

    def _arg(self, args: list[Any], kwargs: dict[str, Any], index: int, name: str) -> Any:
        if name in kwargs:
            return kwargs[name]
        return args[index] if index < len(args) else None

    def _move_to(self, action: Action) -> None:
        self._flush_move()
        self.pending_move = action

    def apply(self, name: str, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        method = name.rsplit(".", 1)[-1]
        if method == "move_id":
            self._move_to(self._element(self._arg(args, kwargs, 0, "id"), raw))
        elif method == "move_abs":
            x, y = self._arg(args, kwargs, 0, "x"), self._arg(args, kwargs, 1, "y")
            point = (float(x), float(y)) if is_number(x) and is_number(y) else None
            self._move_to(
                Action(
                    type="move",
                    x=point[0] if point else None,
                    y=point[1] if point else None,
                    coord_quality="exact" if point else "none",
                    raw=raw,
                )
            )
        elif method in CLICKS:
            self._click(CLICKS[method], raw)
        elif method == "drag":
            self._drag(self._arg(args, kwargs, 0, "x"), self._arg(args, kwargs, 1, "y"), raw)
        elif method == "scroll":
            self._flush_move()
            direction = self._arg(args, kwargs, 0, "dir")
            self.actions.append(
                Action(
                    type="scroll",
                    scroll_direction=direction if isinstance(direction, str) else None,
                    raw=raw,
                )
            )
        else:
            self._other(name, method, args, kwargs, raw)

    def _other(
        self, name: str, method: str, args: list[Any], kwargs: dict[str, Any], raw: str
    ) -> None:
        self._flush_move()
        first = args[0] if args else next(iter(kwargs.values()), None)
        text = first if isinstance(first, str) else None
        if name.startswith("keyboard.") and method in ("write", "type"):
            self.actions.append(Action(type="type", text=text, raw=raw))
        elif name.startswith("keyboard.") and method in ("press", "hotkey"):
            keys = [k for k in args if isinstance(k, str)] if method == "hotkey" else []
            if not keys and text:
                keys = [p for p in text.split("+") if p] or [text]
            if len(keys) > 1:
                self.actions.append(
                    Action(type="hotkey", key=keys[-1], modifiers=keys[:-1], raw=raw)
                )
            else:
                self.actions.append(Action(type="key", key=keys[0] if keys else None, raw=raw))
        else:
            # Clipboard, programs, windows: kept as they ran, with the text they carried.
            element = self._arg(args, kwargs, 0, "id") if method == "copy_image" else None
            self.actions.append(
                Action(
                    type="other",
                    text=text,
                    element_id=str(element) if element not in (None, UNKNOWN) else None,
                    raw=raw,
                )
            )

    def _element(self, element: Any, raw: str) -> Action:
        if element is UNKNOWN or element is None or isinstance(element, (dict, list)):
            return Action(type="move", raw=raw)
        key = (
            str(int(element))
            if is_number(element) and float(element).is_integer()
            else str(element)
        )
        region = self.regions.get(key)
        if region is None:
            return Action(type="move", element_id=key, raw=raw)
        return Action(
            type="move",
            x=region.x,
            y=region.y,
            coord_quality="converted",
            element_id=key,
            element_name=region.name,
            raw=raw,
        )

    def _click(self, kind: ActionType, raw: str) -> None:
        move = self.pending_move
        self.pending_move = None
        if move is None:
            self.actions.append(Action(type=kind, raw=raw))
            return
        self.actions.append(move.model_copy(update={"type": kind, "raw": f"{move.raw}\n{raw}"}))

    def _drag(self, x: Any, y: Any, raw: str) -> None:
        move = self.pending_move
        self.pending_move = None
        end = (float(x), float(y)) if is_number(x) and is_number(y) else None
        start_x = move.x if move is not None else None
        start_y = move.y if move is not None else None
        self.actions.append(
            Action(
                type="drag",
                x=start_x,
                y=start_y,
                end_x=end[0] if end else None,
                end_y=end[1] if end else None,
                coord_quality="exact" if end else (move.coord_quality if move else "none"),
                element_id=move.element_id if move is not None else None,
                raw=raw,
            )
        )

    def finish(self) -> list[Action]:
        self._flush_move()
        return self.actions


def parse_regions(data: Any, size: tuple[float, float] | None) -> dict[str, Region]:
    """SoM boxes by id from a `regions` JSON, whose layout is not pinned down (FORMATS §14).

    Accepted: a list (id = position, or an `id` key) or an object keyed by id; each box a list
    `[x1, y1, x2, y2]` (or `[x, y, w, h]` when the second corner would be above or left of the
    first), or an object with one of BOX_KEYS, `from`/`to` corners, or `x`/`y`/`width`/`height`.
    Values in 0..1 are normalised already; larger ones are pixels of `size` (skipped without it).
    """
    for _ in range(MAX_NESTING):
        inner = next(
            (
                data[k]
                for k in LIST_KEYS
                if isinstance(data, dict) and isinstance(data.get(k), (list, dict))
            ),
            None,
        )
        if inner is None:
            break
        data = inner
    if isinstance(data, dict):
        entries = list(data.items())
    elif isinstance(data, list):
        entries = [(str(index), item) for index, item in enumerate(data)]
    else:
        return {}
    regions: dict[str, Region] = {}
    for key, item in entries[:5000]:
        element_id = str(key)
        name = None
        if isinstance(item, dict):
            own_id = item.get("id", item.get("idx"))
            if isinstance(own_id, (int, str)) and not isinstance(own_id, bool):
                element_id = str(own_id)
            name = next((item[k] for k in NAME_KEYS if isinstance(item.get(k), str)), None)
        box = _box(item)
        if box is None:
            continue
        centre = _centre(box, size)
        if centre is not None:
            regions[element_id] = Region(centre[0], centre[1], name)
    return regions


def _box(item: Any, depth: int = 0) -> tuple[float, float, float, float] | None:
    if depth > MAX_NESTING:
        return None
    if isinstance(item, list) and len(item) == 4 and all(is_number(v) for v in item):
        x1, y1, a, b = (float(v) for v in item)
        if a < x1 or b < y1:
            return x1, y1, x1 + a, y1 + b
        return x1, y1, a, b
    if not isinstance(item, dict):
        return None
    for key in BOX_KEYS:
        if key in item:
            return _box(item[key], depth + 1)
    start, end = item.get("from"), item.get("to")
    if isinstance(start, list) and isinstance(end, list) and len(start) == len(end) == 2:
        values = [*start, *end]
        if all(is_number(v) for v in values):
            x1, y1, x2, y2 = (float(v) for v in values)
            return x1, y1, x2, y2
    x, y = item.get("x", item.get("left")), item.get("y", item.get("top"))
    w, h = item.get("width", item.get("w")), item.get("height", item.get("h"))
    if is_number(x) and is_number(y) and is_number(w) and is_number(h):
        return float(x), float(y), float(x) + float(w), float(y) + float(h)
    return None


def _centre(
    box: tuple[float, float, float, float], size: tuple[float, float] | None
) -> tuple[float, float] | None:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    if all(0.0 <= v <= 1.0 for v in box):
        return cx, cy
    if size is None or size[0] <= 0 or size[1] <= 0:
        return None
    return cx / size[0], cy / size[1]
