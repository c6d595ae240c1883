"""Reading agent code without running it: literal arguments, call substrings, `Thought:` text.

Shared by the pyautogui and Navi parsers. `ast.literal_eval` reads literals only, and the small
arithmetic here covers `960 + 10`-style coordinates; nothing is ever executed.
"""

from __future__ import annotations

import ast
import math
import re
from typing import Any, TypeGuard

MAX_CALLS = 500
MAX_CALL_CHARS = 4000
"""Calls picked out of free text: how many, and how long one may be."""
UNKNOWN = object()
"""What literal_value returns for an argument that is not a literal."""
THOUGHT = re.compile(
    r"Thought:\s*(.*?)(?=\n\s*(?:Action:|Code:|```|import\s|pyautogui\.|computer\.)|\Z)",
    re.DOTALL | re.IGNORECASE,
)


def parse_python(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # ValueError: NUL bytes; RecursionError/MemoryError: absurdly nested input.
        return None


def extract_thought(text: str) -> str | None:
    """The text after `Thought:` up to the action or code that follows it."""
    match = THOUGHT.search(text)
    if not match:
        return None
    thought = match.group(1).strip().strip("'\"").strip()
    return thought or None


def nodes_in_order(tree: ast.AST) -> list[ast.AST]:
    """Every node, children before parents: a call's arguments come before the call."""
    ordered: list[ast.AST] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            visit(child)
        ordered.append(node)

    try:
        visit(tree)
    except RecursionError:
        return []
    return ordered


def call_texts(text: str, start: re.Pattern[str]) -> list[str]:
    """Call substrings starting where `start` matches (it ends at the opening parenthesis),
    the closing parenthesis found with quotes respected."""
    found: list[str] = []
    for match in start.finditer(text):
        if len(found) >= MAX_CALLS:
            break
        depth, quote, index = 1, "", match.end()
        # Bounded, so that text full of unclosed calls costs linear time, not quadratic.
        limit = min(len(text), index + MAX_CALL_CHARS)
        while index < limit and depth:
            char = text[index]
            if quote:
                if char == "\\":
                    index += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
            index += 1
        found.append(text[match.start() : index] + (")" * min(depth, 3)))
    return found


def literal_value(node: ast.expr) -> Any:
    """The value of a literal argument, a little arithmetic on numbers, or UNKNOWN. Never runs
    code: ast.literal_eval reads literals only."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        left, right = literal_value(node.left), literal_value(node.right)
        if is_number(left) and is_number(right):
            try:
                if isinstance(node.op, ast.Add):
                    return left + right
                if isinstance(node.op, ast.Sub):
                    return left - right
                if isinstance(node.op, ast.Mult):
                    return left * right
                return left / right
            except (ZeroDivisionError, OverflowError):
                return UNKNOWN
    return UNKNOWN


def is_number(value: Any) -> TypeGuard[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False
