"""Actions from the pyautogui code OSWorld-style agents write (FORMATS §10), read without running it.

The code is parsed with `ast` and only literal arguments are read; nothing is ever executed.
Text that is not Python (a `Thought:` preamble, a shell line, prose) falls back to fenced code
blocks, then to the `pyautogui.<name>(...)` calls found anywhere in it; text with no call at all
is one `other` action that keeps the text.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field

from bench_tui.model import Action, ActionType
from bench_tui.sources._io.code_literals import call_texts, extract_thought, parse_python
from bench_tui.sources.osworld.pyautogui_interpreter import CALL_START, PyautoguiInterpreter

SPECIAL_WORDS: dict[str, ActionType] = {"WAIT": "wait", "DONE": "done", "FAIL": "fail"}
FENCED_CODE = re.compile(r"```(?:python|py)?\s*\n(.*?)```", re.DOTALL)
MAX_CODE_CHARS = 200_000
"""Longer text is not parsed as code (ast on megabytes of model output is slow and pointless)."""
OSWORLD_SCREEN = (1920, 1080)


@dataclass
class ParsedCode:
    """Actions found in one piece of agent code, and the reasoning written into it."""

    actions: list[Action] = field(default_factory=list)
    thought: str | None = None


def parse_pyautogui(code: str, screen: tuple[int, int]) -> list[Action]:
    """Actions of a pyautogui snippet; pixel coordinates normalised by `screen` (width, height)."""
    return parse_pyautogui_code(code, screen).actions


def parse_pyautogui_code(code: str, screen: tuple[int, int]) -> ParsedCode:
    """Like parse_pyautogui, also returning the `Thought:` or docstring reasoning in the code."""
    if not isinstance(code, str):
        return ParsedCode([Action(type="other", raw=code)])
    text = code.strip()
    if not text:
        return ParsedCode()
    special = SPECIAL_WORDS.get(text.upper())
    if special is not None:
        return ParsedCode([Action(type=special, raw=text)])
    width, height = _screen(screen)
    if len(text) > MAX_CODE_CHARS:
        return ParsedCode([Action(type="other", raw=text[:2000])], extract_thought(text[:20000]))
    tree = parse_python(text)
    if tree is not None:
        interpreter = PyautoguiInterpreter(text, width, height)
        interpreter.run_module(tree)
        actions = interpreter.finish()
        thought = _docstrings(tree) or extract_thought(text)
        if not actions and _has_statements(tree):
            actions = [Action(type="other", raw=text)]
        return ParsedCode(actions, thought)
    return _parse_free_text(text, width, height)


def _screen(screen: tuple[int, int]) -> tuple[float, float]:
    try:
        width, height = float(screen[0]), float(screen[1])
    except (TypeError, ValueError, IndexError):
        return float(OSWORLD_SCREEN[0]), float(OSWORLD_SCREEN[1])
    if not (width > 0 and height > 0 and math.isfinite(width) and math.isfinite(height)):
        return float(OSWORLD_SCREEN[0]), float(OSWORLD_SCREEN[1])
    return width, height


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _has_statements(tree: ast.Module) -> bool:
    return any(not _is_docstring(node) for node in tree.body)


def _docstrings(tree: ast.Module) -> str | None:
    texts = [node.value.value for node in tree.body if _is_docstring(node)]  # type: ignore[attr-defined]
    joined = "\n".join(t.strip() for t in texts if t.strip())
    if not joined:
        return None
    return extract_thought(joined) or joined


def _parse_free_text(text: str, width: float, height: float) -> ParsedCode:
    """Text that is not Python: fenced code blocks first, then calls found anywhere in it."""
    thought = extract_thought(text)
    for block in FENCED_CODE.findall(text):
        tree = parse_python(block.strip())
        if tree is not None:
            interpreter = PyautoguiInterpreter(block, width, height)
            interpreter.run_module(tree)
            actions = interpreter.finish()
            if actions:
                return ParsedCode(actions, thought)
    interpreter = PyautoguiInterpreter(text, width, height)
    for call_text in call_texts(text, CALL_START):
        try:
            expression = ast.parse(call_text.strip(), mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            interpreter.regex_call(call_text)
            continue
        if isinstance(expression.body, ast.Call):
            interpreter.call(expression.body, call_text)
    actions = interpreter.finish()
    if not actions:
        # "... so the task is complete.\nDONE": the special word on a line of its own.
        for line in reversed(text.splitlines()):
            special = SPECIAL_WORDS.get(line.strip().strip("`'\".").upper())
            if special is not None:
                actions = [Action(type=special, raw=line.strip())]
                break
    if not actions:
        actions = [Action(type="other", raw=text)]
    return ParsedCode(actions, thought)
