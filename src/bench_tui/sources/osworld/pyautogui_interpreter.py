"""The pyautogui call semantics: which call is which action, and the state between calls.

Walks the calls of one snippet in source order, tracking the pointer (a bare `click()` clicks
where the last `moveTo` went; `mouseDown` … `mouseUp` is a drag) and held keys (`keyDown('ctrl')`
then `press('c')` is a hotkey). Coordinates are pixels of the screen, normalised by its size.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from bench_tui.model import Action, ActionType
from bench_tui.model.action import CoordQuality
from bench_tui.sources._io.code_literals import UNKNOWN, is_number, literal_value, nodes_in_order

MODULE_NAMES = frozenset({"pyautogui", "pg"})
CLICK_TYPES: dict[str, ActionType] = {
    "click": "click",
    "leftClick": "click",
    "middleClick": "click",
    "tripleClick": "click",
    "doubleClick": "double_click",
    "rightClick": "right_click",
}
# Calls that change nothing on screen; an action for each would only clutter the timeline.
IGNORED_CALLS = frozenset(
    {"sleep", "position", "size", "onScreen", "screenshot", "pixel", "alert", "confirm"}
)
TEXT_CALLS = frozenset({"write", "typewrite", "press", "hotkey", "keyDown", "keyUp"})
CALL_START = re.compile(r"\b(?:pyautogui|pg)\s*\.\s*(\w+)\s*\(")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
QUOTED = re.compile(r"""(['"])((?:\\.|(?!\1).)*)\1""")


def _key_name(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return value if len(value) == 1 else value.strip().lower()


class PyautoguiInterpreter:
    """Walks calls in source order, tracking the pointer (for bare clicks and drags) and held keys."""

    def __init__(self, source: str, width: float, height: float):
        self.source = source
        self.width = width
        self.height = height
        self.module_names = set(MODULE_NAMES)
        self.bare_names: set[str] = set()
        self.position: tuple[float, float] | None = None
        self.held: list[str] = []
        self.held_used = False
        self.pressed_at: tuple[float, float] | None = None
        self.pressed_raw: str | None = None
        self.actions: list[Action] = []

    # --- walking -------------------------------------------------------------------------

    def run_module(self, tree: ast.Module) -> None:
        for node in nodes_in_order(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "pyautogui":
                        self.module_names.add(alias.asname or alias.name)
            elif isinstance(node, ast.ImportFrom) and node.module == "pyautogui":
                self.bare_names.update(alias.asname or alias.name for alias in node.names)
            elif isinstance(node, ast.Call):
                self.call(node, None)

    def _name_of(self, func: ast.expr) -> str | None:
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in self.module_names:
                return func.attr
            return None
        if isinstance(func, ast.Name) and func.id in self.bare_names:
            return func.id
        return None

    def call(self, node: ast.Call, raw: str | None) -> None:
        name = self._name_of(node.func)
        if name is None or name in IGNORED_CALLS:
            return
        if raw is None:
            raw = ast.get_source_segment(self.source, node) or name
        args: list[Any] = []
        for arg in node.args:
            args.append(UNKNOWN if isinstance(arg, ast.Starred) else literal_value(arg))
        kwargs = {kw.arg: literal_value(kw.value) for kw in node.keywords if kw.arg is not None}
        self.apply(name, args, kwargs, raw)

    def regex_call(self, call_text: str) -> None:
        """A call that does not parse: its numbers and first quoted string, by position."""
        match = CALL_START.search(call_text)
        if match is None:
            return
        inner = call_text[match.end() :]
        strings = [m.group(2) for m in QUOTED.finditer(inner)]
        without_strings = QUOTED.sub("", inner)
        numbers: list[Any] = [float(n) for n in NUMBER.findall(without_strings)]
        name = match.group(1)
        args: list[Any] = strings if name in TEXT_CALLS else numbers[:2]
        self.apply(name, args, {}, call_text.strip())

    # --- semantics -----------------------------------------------------------------------

    def _arg(self, args: list[Any], kwargs: dict[str, Any], index: int, *names: str) -> Any:
        for name in names:
            if name in kwargs:
                return kwargs[name]
        return args[index] if index < len(args) else None

    def _point(self, x: Any, y: Any) -> tuple[float, float] | None:
        if isinstance(x, (tuple, list)) and len(x) >= 2:
            x, y = x[0], x[1]
        if is_number(x) and is_number(y):
            return float(x), float(y)
        return None

    def _norm(self, point: tuple[float, float] | None) -> tuple[float | None, float | None]:
        if point is None:
            return None, None
        return point[0] / self.width, point[1] / self.height

    def _emit(self, action: Action) -> None:
        if self.held and action.type in ("click", "double_click", "right_click", "key", "drag"):
            action.modifiers = [*self.held, *action.modifiers]
            if action.type == "key":
                action.type = "hotkey"
            self.held_used = True
        self.actions.append(action)

    def _pointed(self, kind: ActionType, point: tuple[float, float] | None, raw: str) -> Action:
        x, y = self._norm(point)
        quality: CoordQuality = "converted" if point is not None else "none"
        return Action(type=kind, x=x, y=y, coord_quality=quality, raw=raw)

    def apply(self, name: str, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        handler = getattr(self, f"_do_{name}", None)
        if name in CLICK_TYPES:
            self._click(name, args, kwargs, raw)
        elif handler is not None:
            handler(args, kwargs, raw)

    def _target(self, args: list[Any], kwargs: dict[str, Any]) -> tuple[float, float] | None:
        x = self._arg(args, kwargs, 0, "x")
        y = self._arg(args, kwargs, 1, "y")
        if x is None and y is None:
            return self.position
        point = self._point(x, y)
        if point is not None:
            self.position = point
        return point

    def _absorb_move(self, args: list[Any], kwargs: dict[str, Any]) -> None:
        """`moveTo(x, y); click()` is one click at (x, y): drop the move the bare call uses."""
        if args or "x" in kwargs or "y" in kwargs:
            return
        if self.actions and self.actions[-1].type == "move" and self.position is not None:
            self.actions.pop()

    def _click(self, name: str, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        self._absorb_move(args, kwargs)
        point = self._target(args, kwargs)
        kind = CLICK_TYPES[name]
        clicks = kwargs.get("clicks", args[2] if len(args) > 2 else 1)
        button = kwargs.get("button", args[4] if len(args) > 4 else None)
        if kind == "click" and clicks == 2:
            kind = "double_click"
        if isinstance(button, str) and button.lower() in ("right", "secondary"):
            kind = "right_click" if kind == "click" else kind
        self._emit(self._pointed(kind, point, raw))

    def _do_moveTo(self, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        point = self._target(args, kwargs)
        if self.pressed_raw is None:  # a move with the button held is part of a drag
            self._emit(self._pointed("move", point, raw))

    def _relative(self, args: list[Any], kwargs: dict[str, Any]) -> tuple[float, float] | None:
        dx = self._arg(args, kwargs, 0, "xOffset", "x")
        dy = self._arg(args, kwargs, 1, "yOffset", "y")
        offset = self._point(dx if dx is not None else 0, dy if dy is not None else 0)
        if offset is None or self.position is None:
            self.position = None
            return None
        self.position = (self.position[0] + offset[0], self.position[1] + offset[1])
        return self.position

    def _do_moveRel(self, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        point = self._relative(args, kwargs)
        if self.pressed_raw is None:
            self._emit(self._pointed("move", point, raw))

    _do_move = _do_moveRel

    def _drag(
        self, end: tuple[float, float] | None, start: tuple[float, float] | None, raw: str
    ) -> None:
        x, y = self._norm(start)
        end_x, end_y = self._norm(end)
        quality: CoordQuality = "converted" if start is not None or end is not None else "none"
        self._emit(
            Action(
                type="drag",
                x=x,
                y=y,
                end_x=end_x,
                end_y=end_y,
                coord_quality=quality,
                raw=raw,
            )
        )

    def _do_dragTo(self, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        self._absorb_move([], {})
        start = self.position
        self._drag(self._target(args, kwargs), start, raw)

    def _do_dragRel(self, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        self._absorb_move([], {})
        start = self.position
        self._drag(self._relative(args, kwargs), start, raw)

    _do_drag = _do_dragRel

    def _do_mouseDown(self, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        self._flush_press()
        self._absorb_move(args, kwargs)
        self.pressed_at = self._target(args, kwargs)
        self.pressed_raw = raw

    def _do_mouseUp(self, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        end = self._target(args, kwargs)
        if self.pressed_raw is None:
            # Released without a press in this code: keep it, it is what ran.
            self._emit(self._pointed("other", end, raw))
            return
        start, press_raw = self.pressed_at, self.pressed_raw
        self.pressed_at, self.pressed_raw = None, None
        if start is not None and end is not None and start != end:
            self._drag(end, start, f"{press_raw} … {raw}")
        else:
            self._emit(self._pointed("click", start or end, f"{press_raw} … {raw}"))

    def _flush_press(self) -> None:
        if self.pressed_raw is not None:
            self._emit(self._pointed("other", self.pressed_at, self.pressed_raw))
            self.pressed_at, self.pressed_raw = None, None

    def _do_write(self, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        message = self._arg(args, kwargs, 0, "message")
        if isinstance(message, (list, tuple)):
            self._typed_keys(list(message), raw)
            return
        if message is UNKNOWN or message is None:
            self._emit(Action(type="type", raw=raw))
            return
        self._emit(Action(type="type", text=str(message), raw=raw))

    _do_typewrite = _do_write

    def _typed_keys(self, keys: list[Any], raw: str) -> None:
        """typewrite(['a', 'b', 'enter']): runs of characters are typed text, named keys are keys."""
        chars: list[str] = []
        for item in keys:
            if isinstance(item, str) and len(item) == 1:
                chars.append(item)
                continue
            if chars:
                self._emit(Action(type="type", text="".join(chars), raw=raw))
                chars = []
            key = _key_name(item)
            if key is not None:
                self._emit(Action(type="key", key=key, raw=raw))
        if chars:
            self._emit(Action(type="type", text="".join(chars), raw=raw))

    def _do_press(self, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        keys = self._arg(args, kwargs, 0, "keys")
        items = list(keys) if isinstance(keys, (list, tuple)) else [keys]
        emitted = False
        for item in items:
            key = _key_name(item)
            if key is None:
                continue
            parts = key.split("+")
            if len(parts) > 1 and all(parts):
                # Models write press('ctrl+c'); pyautogui would not, but the intent is a combo.
                self._emit(Action(type="hotkey", key=parts[-1], modifiers=parts[:-1], raw=raw))
            else:
                self._emit(Action(type="key", key=key, raw=raw))
            emitted = True
        if not emitted:
            self._emit(Action(type="key", raw=raw))

    def _do_hotkey(self, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        keys = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
        names = [k for k in (_key_name(item) for item in keys) if k is not None]
        if not names:
            self._emit(Action(type="hotkey", raw=raw))
            return
        self._emit(Action(type="hotkey", key=names[-1], modifiers=names[:-1], raw=raw))

    def _do_keyDown(self, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        key = _key_name(self._arg(args, kwargs, 0, "key"))
        if key is not None and key not in self.held:
            if not self.held:
                self.held_used = False
            self.held.append(key)

    def _do_keyUp(self, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        key = _key_name(self._arg(args, kwargs, 0, "key"))
        if key is None:
            return
        if key in self.held:
            self.held.remove(key)
            if not self.held and not self.held_used:
                # Held and released with nothing in between: the key itself was the action.
                self.actions.append(Action(type="key", key=key, raw=raw))
        else:
            self.actions.append(Action(type="key", key=key, raw=raw))

    def _scroll(self, kind: str, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        clicks = self._arg(args, kwargs, 0, "clicks")
        point = self._point(self._arg(args, kwargs, 1, "x"), self._arg(args, kwargs, 2, "y"))
        if point is not None:
            self.position = point
        direction = None
        amount = None
        if is_number(clicks):
            # pyautogui: positive clicks scroll up (vertical) or right (horizontal).
            forward, backward = ("up", "down") if kind == "vertical" else ("right", "left")
            direction = forward if clicks > 0 else backward
            amount = abs(float(clicks))
        action = self._pointed("scroll", point, raw)
        action.scroll_direction = direction
        action.scroll_amount = amount
        self._emit(action)

    def _do_scroll(self, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        self._scroll("vertical", args, kwargs, raw)

    _do_vscroll = _do_scroll

    def _do_hscroll(self, args: list[Any], kwargs: dict[str, Any], raw: str) -> None:
        self._scroll("horizontal", args, kwargs, raw)

    def finish(self) -> list[Action]:
        self._flush_press()
        if self.held and not self.held_used:
            for key in self.held:
                self.actions.append(Action(type="key", key=key, raw=f"keyDown({key!r})"))
        self.held = []
        return self.actions
