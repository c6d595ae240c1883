"""WebArena / VisualWebArena `render_<id>.html`: loose HTML read by its markers (FORMATS §12).

Upstream inserts page text, accessibility trees and model output into the HTML unescaped,
closes `state_obv` with `<div>`, and embeds one base64 screenshot per step, so this is not
HTML parsing: the file is cut at the fixed strings RenderHelper writes, and whatever sits
between two markers is taken as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_tui.model import Action
from bench_tui.safeio import read_sized
from bench_tui.sources._io.pyrepr import parse_dict_prefix
from bench_tui.sources.common import MAX_PARSE_BYTES, ReadContext, too_large

NEW_PAGE = "<h2>New Page</h2>"
URL_TEXT = re.compile(r"URL: (.*?)</a>", re.DOTALL)
STATE_START = "<div class='state_obv'><pre>"
IMAGE_START = re.compile(r"<img src=['\"]data:image/(\w+);base64,")
PREV_START = re.compile(r"<div class='prev_action'[^>]*>")
PREDICT_START = "<div class='predict_action'>"
RAW_START = re.compile(r"<div class='raw_parsed_prediction'[^>]*><pre>")
OBJECT_START = re.compile(r"<div class='action_object'[^>]*><pre>")
PARSED_START = re.compile(r"<div class='parsed_action'[^>]*><pre>")
TRAILING_TAGS = re.compile(r"(?:\s*</(?:pre|div)>)*\s*$")
HEADER_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*): ?(.*)$")
QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")
EARLY_STOP_PREFIXES = ("Early stop:", "ERROR:")

ACTION_TYPE_NAMES = (
    "NONE",
    "SCROLL",
    "KEY_PRESS",
    "MOUSE_CLICK",
    "KEYBOARD_TYPE",
    "MOUSE_HOVER",
    "CLICK",
    "TYPE",
    "HOVER",
    "PAGE_FOCUS",
    "NEW_TAB",
    "GO_BACK",
    "GO_FORWARD",
    "GOTO_URL",
    "PAGE_CLOSE",
    "CHECK",
    "SELECT_OPTION",
    "STOP",
)
PARSED_VERBS = {
    "click": "CLICK",
    "type": "TYPE",
    "hover": "HOVER",
    "scroll": "SCROLL",
    "press": "KEY_PRESS",
    "goto": "GOTO_URL",
    "new_tab": "NEW_TAB",
    "close_tab": "PAGE_CLOSE",
    "go_back": "GO_BACK",
    "go_forward": "GO_FORWARD",
    "page_focus": "PAGE_FOCUS",
    "stop": "STOP",
    "none": "NONE",
}
COMMON_TYPES = {
    "MOUSE_CLICK": "click",
    "CLICK": "click",
    "KEYBOARD_TYPE": "type",
    "TYPE": "type",
    "MOUSE_HOVER": "move",
    "HOVER": "move",
    "SCROLL": "scroll",
}


@dataclass
class RenderBlock:
    """One action block of a render: what the model saw and what it did."""

    url: str | None = None
    observation: str | None = None
    image_type: str | None = None
    image_base64: str | None = None
    prev_action: str | None = None
    raw_prediction: str | None = None
    action_object: str | None = None
    parsed_action: str | None = None
    pw_code: str | None = None
    action: dict[str, Any] = field(default_factory=dict)

    @property
    def action_type(self) -> str | None:
        """The WebArena ActionTypes name (CLICK, STOP, ...) from action_object or parsed_action."""
        value = self.action.get("action_type")
        if isinstance(value, tuple) and value and isinstance(value[0], str):
            return value[0].rsplit(".", 1)[-1]
        if isinstance(value, int) and 0 <= value < len(ACTION_TYPE_NAMES):
            return ACTION_TYPE_NAMES[value]
        if self.parsed_action:
            verb = self.parsed_action.strip().split(" ", 1)[0].split("[", 1)[0].lower()
            return PARSED_VERBS.get(verb)
        return None

    @property
    def stop_answer(self) -> str | None:
        """The answer of a `stop` action ("" for an empty one), None for other actions."""
        if self.action_type != "STOP":
            return None
        answer = self.action.get("answer")
        if isinstance(answer, str):
            return answer
        return _bracket_argument(self.parsed_action or "", "stop") or ""


def split_render(text: str) -> tuple[str, list[str]]:
    """The header part and one text per `<h2>New Page</h2>` block."""
    parts = text.split(NEW_PAGE)
    blocks = parts[1:]
    if blocks:
        # The template closes the body after the last block; model text may hold </body> too.
        last = blocks[-1]
        end = last.rfind("</body>")
        if end >= 0:
            blocks[-1] = last[:end]
    return parts[0], blocks


def parse_header(head: str) -> dict[str, str]:
    """The task config RenderHelper prints first: one `key: value` per line inside `<pre>`."""
    start = head.find("<pre>")
    if start < 0:
        return {}
    end = head.find("</pre>", start)
    body = head[start + len("<pre>") : end if end >= 0 else len(head)]
    fields: dict[str, str] = {}
    key: str | None = None
    for line in body.splitlines():
        match = HEADER_LINE.match(line)
        if match:
            key = match.group(1)
            fields[key] = match.group(2)
        elif key is not None:
            # A value holding a newline (an intent written on two lines) continues here.
            fields[key] += "\n" + line
    return fields


def header_sites(fields: dict[str, str]) -> list[str]:
    """`sites: ['shopping', 'reddit']` (a Python list repr) as names."""
    value = fields.get("sites", "")
    return [a or b for a, b in QUOTED.findall(value)]


def _between(text: str, start: int, ends: list[int]) -> str:
    stops = [e for e in ends if e >= start]
    return text[start : min(stops) if stops else len(text)]


def _strip_tail(text: str) -> str:
    return TRAILING_TAGS.sub("", text)


def parse_block(text: str) -> RenderBlock:
    """Cut one block at its markers; any piece may be missing in a damaged or partial file."""
    block = RenderBlock()
    url = URL_TEXT.search(text)
    if url:
        block.url = url.group(1).strip()
    image = IMAGE_START.search(text)
    prev = PREV_START.search(text, image.end() if image else 0)
    predict_at = text.find(PREDICT_START, prev.end() if prev else 0)
    state_at = text.find(STATE_START)
    if state_at >= 0:
        start = state_at + len(STATE_START)
        ends = [m.start() for m in (image, prev) if m] + [predict_at]
        observation = _between(text, start, ends)
        block.observation = re.sub(r"</pre>\s*<div>\s*$", "", observation.rstrip())
    if image:
        quote = text.find("'", image.end())
        double = text.find('"', image.end())
        candidates = [q for q in (quote, double) if q >= 0]
        end = min(candidates) if candidates else len(text)
        block.image_type = image.group(1).lower()
        block.image_base64 = text[image.end() : end]
    if prev:
        block.prev_action = _strip_tail(_between(text, prev.end(), [predict_at])).strip()
    if predict_at >= 0:
        _parse_prediction(text[predict_at + len(PREDICT_START) :], block)
    return block


def _parse_prediction(text: str, block: RenderBlock) -> None:
    raw = RAW_START.search(text)
    obj = OBJECT_START.search(text, raw.end() if raw else 0)
    parsed = PARSED_START.search(text, obj.end() if obj else (raw.end() if raw else 0))
    if not (raw or obj or parsed):
        # The playwright action set renders only the pw_code.
        code = _strip_tail(text).strip()
        block.pw_code = code or None
        return
    starts = [m.start() for m in (raw, obj, parsed) if m]
    if raw:
        block.raw_prediction = _strip_tail(_between(text, raw.end(), starts)).strip("\n")
    if obj:
        block.action_object = _strip_tail(_between(text, obj.end(), starts)).strip()
        block.action = parse_dict_prefix(block.action_object)
    if parsed:
        block.parsed_action = _strip_tail(text[parsed.end() :]).strip()


def _bracket_argument(parsed: str, verb: str) -> str | None:
    """`stop [answer]` / `goto [url]`: the text between the first `[` and the last `]`."""
    text = parsed.strip()
    if not text.lower().startswith(verb):
        return None
    start = text.find("[")
    end = text.rfind("]")
    if start < 0 or end <= start:
        return None
    return text[start + 1 : end]


def _element(parsed: str | None) -> tuple[str | None, str | None]:
    """(element id, accessible name) from `click [1204] where [1204] is link 'Sign in'`."""
    if not parsed:
        return None, None
    head = re.match(r"^\w+ \[([^\]]*)\]", parsed)
    element_id = head.group(1) if head else None
    where = re.search(r" where \[[^\]]*\](?: is (.*))?$", parsed, re.DOTALL)
    semantic = (where.group(1) or "").strip() if where else ""
    # The render prints the whole tree line, "[1204] link 'Sign in'"; history drops the id.
    semantic = re.sub(r"^\[[^\]]*\]\s*", "", semantic)
    if not semantic or semantic == "No match found":
        return element_id, None
    named = re.match(r"^[\w-]+ '(.*)'", semantic, re.DOTALL) or re.match(
        r'^[\w-]+ "(.*)"', semantic, re.DOTALL
    )
    return element_id, named.group(1) if named else semantic


def _typed_text(parsed: str | None) -> str | None:
    if not parsed:
        return None
    match = re.match(r"^type \[[^\]]*\] \[(.*)\] where \[", parsed, re.DOTALL) or re.match(
        r"^type \[[^\]]*\] \[(.*)\]", parsed, re.DOTALL
    )
    return match.group(1) if match else None


def _string(action: dict[str, Any], key: str) -> str | None:
    value = action.get(key)
    return value if isinstance(value, str) and value else None


def _coords(action: dict[str, Any]) -> tuple[float, float] | None:
    coords = action.get("coords")
    if (
        isinstance(coords, list)
        and len(coords) == 2
        and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords)
    ):
        return float(coords[0]), float(coords[1])
    return None


def _key_action(combo: str | None, raw: Any) -> Action:
    if not combo:
        return Action(type="key", raw=raw)
    parts = [p for p in combo.split("+") if p]
    if len(parts) > 1:
        return Action(type="hotkey", key=parts[-1], modifiers=parts[:-1], raw=raw)
    return Action(type="key", key=combo, raw=raw)


def _pw_action(code: str) -> Action:
    """The playwright action set keeps only code: name the action by the method it calls."""
    kinds = (
        (".dblclick(", "double_click"),
        (".click(", "click"),
        (".fill(", "type"),
        (".type(", "type"),
        (".press(", "key"),
        (".hover(", "move"),
    )
    for needle, kind in kinds:
        if needle in code:
            return Action(type=kind, raw=code)  # type: ignore[arg-type]
    return Action(type="other", raw=code)


def block_action(block: RenderBlock) -> Action:
    """The common Action of one block; mouse coords are viewport fractions (norm) already."""
    raw: Any = block.parsed_action or block.action_object
    if block.pw_code is not None and block.action_type is None:
        return _pw_action(block.pw_code)
    kind = block.action_type
    action = block.action
    if kind is None:
        return Action(type="other", raw=raw)
    if kind == "STOP":
        answer = block.stop_answer or ""
        if answer.startswith(EARLY_STOP_PREFIXES):
            return Action(type="fail", answer=answer, raw=raw)
        return Action(type="answer" if answer else "done", answer=answer or None, raw=raw)
    if kind == "KEY_PRESS":
        combo = _string(action, "key_comb") or _bracket_argument(block.parsed_action or "", "press")
        return _key_action(combo, raw)
    if kind == "SCROLL":
        direction = _string(action, "direction") or _bracket_argument(
            block.parsed_action or "", "scroll"
        )
        return Action(type="scroll", scroll_direction=direction, raw=raw)
    common = COMMON_TYPES.get(kind)
    if common is None:
        return Action(type="other", raw=raw)
    if kind.startswith(("MOUSE_", "KEYBOARD_")):
        point = _coords(action)
        if point is None or kind == "KEYBOARD_TYPE":
            return Action(type=common, raw=raw)  # type: ignore[arg-type]
        return Action(type=common, x=point[0], y=point[1], coord_quality="exact", raw=raw)  # type: ignore[arg-type]
    element_id, element_name = _element(block.parsed_action)
    element_id = _string(action, "element_id") or element_id
    element_name = element_name or _string(action, "element_name")
    text = _typed_text(block.parsed_action) if kind == "TYPE" else None
    return Action(
        type=common,  # type: ignore[arg-type]
        element_id=element_id,
        element_name=element_name,
        text=text,
        raw=raw,
    )


def read_render_text(path: Path, ctx: ReadContext) -> str | None:
    ctx.note_input(path)
    try:
        raw, info = read_sized(path, MAX_PARSE_BYTES, ctx.within)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        ctx.problem(path, f"cannot read: {reason}")
        return None
    if info.st_size > MAX_PARSE_BYTES or len(raw) > MAX_PARSE_BYTES:
        size = info.st_size if info.st_size > MAX_PARSE_BYTES else None
        ctx.problem(path, f"{too_large(size)} (the task is listed without its steps)")
        return None
    # Upstream writes with the platform encoding and inserts page text raw: decode leniently.
    return raw.decode("utf-8", "replace")
