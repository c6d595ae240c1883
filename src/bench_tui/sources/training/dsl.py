"""The action DSL OpenAdapt models answer in (FORMATS §9), parsed into the common Action.

    Thought: the cart icon is top right
    Action: CLICK(x=0.42, y=0.73)          coordinates, normalised
    Action: CLICK([12])                    Set-of-Marks element
    Action: TYPE([12], "red socks")        TYPE(text="...") / TYPE("...")
    Action: WAIT()  DONE()

A few neighbours models also emit (KEY, HOTKEY, SCROLL, DRAG, DOUBLE_CLICK, RIGHT_CLICK, FAIL,
ANSWER) are read too. Pure: no I/O, and any text in gives an Action or None, never an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bench_tui.model import Action, ActionType
from bench_tui.sources.jsonvalues import as_number

_ACTION_MARKER = re.compile(r"action\s*:", re.IGNORECASE)
_CALL = re.compile(
    r"\b(CLICK|DOUBLE_CLICK|RIGHT_CLICK|MOVE|HOVER|TYPE|KEY|PRESS|HOTKEY|SCROLL|DRAG|WAIT|DONE"
    r"|FAIL|ANSWER)\s*\(",
    re.IGNORECASE,
)
_KEYWORD = re.compile(r"([A-Za-z_]\w*)\s*=")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ELEMENT = re.compile(r"\[\s*(\d+)\s*\]")
_BARE_WORD = re.compile(r"[A-Za-z_][\w+\-]*")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
_BARE_TYPES: dict[str, ActionType] = {"WAIT": "wait", "DONE": "done", "FAIL": "fail"}
_POINTED_TYPES: dict[str, ActionType] = {
    "CLICK": "click",
    "DOUBLE_CLICK": "double_click",
    "RIGHT_CLICK": "right_click",
    "MOVE": "move",
    "HOVER": "move",
}


@dataclass
class _Element:
    id: str


@dataclass
class _Call:
    name: str
    args: list[object] = field(default_factory=list)
    kwargs: dict[str, object] = field(default_factory=dict)

    def value(self, *names: str, position: int | None = None) -> object:
        for name in names:
            if name in self.kwargs:
                return self.kwargs[name]
        if position is not None and position < len(self.args):
            return self.args[position]
        return None


def parse_dsl_action(text: str) -> Action | None:
    """The first well-formed action call in `text` (after the last `Action:` when present),
    or None when there is none: the caller shows that as a parse error."""
    if not isinstance(text, str):
        return None
    markers = list(_ACTION_MARKER.finditer(text))
    body = text[markers[-1].end() :] if markers else text
    for match in _CALL.finditer(body):
        call = _parse_arguments(match.group(1).upper(), body, match.end())
        if call is None:
            continue
        action = _to_action(call)
        if action is not None:
            action.raw = text
            return action
    return None


def _parse_arguments(name: str, text: str, position: int) -> _Call | None:
    """Arguments from just after `(` to the matching `)`, or None when malformed."""
    call = _Call(name)
    position = _skip_space(text, position)
    if text.startswith(")", position):
        return call
    while position < len(text):
        keyword = _KEYWORD.match(text, position)
        if keyword:
            position = _skip_space(text, keyword.end())
        parsed = _parse_value(text, position)
        if parsed is None:
            return None
        value, position = parsed
        if keyword:
            call.kwargs[keyword.group(1).lower()] = value
        else:
            call.args.append(value)
        position = _skip_space(text, position)
        if text.startswith(")", position):
            return call
        if not text.startswith(",", position):
            return None
        position = _skip_space(text, position + 1)
    return None


def _parse_value(text: str, position: int) -> tuple[object, int] | None:
    if position >= len(text):
        return None
    if text[position] in "\"'":
        return _parse_string(text, position)
    element = _ELEMENT.match(text, position)
    if element:
        return _Element(element.group(1)), element.end()
    number = _NUMBER.match(text, position)
    if number:
        value = as_number(float(number.group()))
        return (value, number.end()) if value is not None else None
    word = _BARE_WORD.match(text, position)
    if word:
        return word.group(), word.end()
    return None


def _parse_string(text: str, position: int) -> tuple[str, int] | None:
    quote = text[position]
    chars: list[str] = []
    index = position + 1
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            code = text[index + 2 : index + 6]
            if following == "u" and _HEX4.fullmatch(code):
                # JSON-style \uXXXX, as models trained on JSON-escaped targets write it.
                chars.append(chr(int(code, 16)))
                index += 6
                continue
            chars.append(_ESCAPES.get(following, following))
            index += 2
            continue
        if char == quote:
            return _join_surrogates("".join(chars)), index + 1
        chars.append(char)
        index += 1
    return None


def _join_surrogates(text: str) -> str:
    """`\\ud83d\\ude00` arrives as two surrogates: pair them into the character they spell.
    A lone surrogate cannot be paired and is kept as it came."""
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        return text


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _to_action(call: _Call) -> Action | None:
    name = call.name
    if name in _POINTED_TYPES:
        return _pointed(call, _POINTED_TYPES[name])
    if name == "TYPE":
        return _typed(call)
    if name in ("KEY", "PRESS", "HOTKEY"):
        return _keyed(call)
    if name == "SCROLL":
        return _scroll(call)
    if name == "DRAG":
        return _drag(call)
    if name == "ANSWER":
        answer = call.value("text", "answer", position=0)
        return Action(type="answer", answer=answer) if isinstance(answer, str) else None
    # WAIT, DONE, FAIL: arguments (WAIT(3), FAIL("reason")) are tolerated and not kept.
    return Action(type=_BARE_TYPES[name])


def _point(
    call: _Call,
    x_names: tuple[str, ...],
    y_names: tuple[str, ...],
    positional: int | None = 0,
) -> tuple[float, float] | None:
    """A point from keywords, else from the positional numbers at `positional`, `positional+1`
    (None: keywords only)."""
    x = call.value(*x_names)
    y = call.value(*y_names)
    if x is None and y is None and positional is not None:
        numbers = [arg for arg in call.args if isinstance(arg, float)]
        if len(numbers) >= positional + 2:
            x, y = numbers[positional], numbers[positional + 1]
    if isinstance(x, float) and isinstance(y, float):
        return x, y
    return None


def _element(call: _Call) -> str | None:
    for value in (*call.args, *call.kwargs.values()):
        if isinstance(value, _Element):
            return value.id
    index = call.value("element", "element_id", "element_index", "index", "id")
    if isinstance(index, float) and index.is_integer():
        return str(int(index))
    return None


def _pointed(call: _Call, kind: ActionType) -> Action | None:
    point = _point(call, ("x",), ("y",))
    element = _element(call)
    if point is None and element is None:
        return None
    x, y = point if point is not None else (None, None)
    return Action(
        type=kind,
        x=x,
        y=y,
        coord_quality="exact" if point is not None else "none",
        element_id=element,
    )


def _typed(call: _Call) -> Action | None:
    text = call.value("text", "content")
    if text is None:
        strings = [arg for arg in call.args if isinstance(arg, str)]
        text = strings[0] if strings else None
    if not isinstance(text, str):
        return None
    return Action(type="type", text=text, element_id=_element(call))


def _keyed(call: _Call) -> Action | None:
    names = call.value("keys", "key")
    parts: list[str]
    if isinstance(names, str):
        parts = names.split("+")
    else:
        parts = [arg for arg in call.args if isinstance(arg, str)]
        if len(parts) == 1:
            parts = parts[0].split("+")
    parts = [part.strip() for part in parts if part.strip()]
    if not parts:
        return None
    if len(parts) == 1 and call.name != "HOTKEY":
        return Action(type="key", key=parts[0])
    return Action(type="hotkey", key=parts[-1], modifiers=parts[:-1])


def _scroll(call: _Call) -> Action | None:
    direction = call.value("direction", position=0)
    amount = call.value("amount", "clicks")
    if amount is None:
        amount = next((arg for arg in call.args if isinstance(arg, float)), None)
    if not isinstance(direction, str):
        return None
    # Positional numbers of SCROLL are amounts, so its point comes from keywords only.
    point = _point(call, ("x",), ("y",), positional=None)
    x, y = point if point is not None else (None, None)
    return Action(
        type="scroll",
        x=x,
        y=y,
        coord_quality="exact" if point is not None else "none",
        scroll_direction=direction.lower(),
        scroll_amount=amount if isinstance(amount, float) else None,
    )


def _drag(call: _Call) -> Action | None:
    start = _point(call, ("x1", "start_x", "x"), ("y1", "start_y", "y"))
    end = _point(call, ("x2", "end_x"), ("y2", "end_y"), positional=2)
    if start is None or end is None:
        return None
    return Action(
        type="drag", x=start[0], y=start[1], end_x=end[0], end_y=end[1], coord_quality="exact"
    )
