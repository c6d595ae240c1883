"""Typed reading of values inside one parsed JSON document, with Problems located by path.

`FieldReader` (common.py) locates a key by searching the text from a start line; records inside
lists need a path instead ("losses", 7, "loss"), which `JsonLocator` resolves. These helpers
also refuse what `float()` would choke on or what JSON output could not carry later: NaN,
infinities and integers too large for a float.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar

from bench_tui.sources._io.jsonpos import JsonLocator
from bench_tui.sources._io.limits import MAX_TEXT_CHARS, cut_text, text_cut_message
from bench_tui.sources._io.ranges import Range
from bench_tui.sources.common import JsonDoc, ReadContext, describe_value

Num = TypeVar("Num", int, float)

JsonPath = Sequence[str | int]


def as_number(value: Any) -> float | None:
    """A finite float from a JSON number, None for anything else (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def as_whole(value: Any) -> int | None:
    """An int from a JSON integer or an integral float (TRL writes `2.0`), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    number = as_number(value)
    if number is not None and number.is_integer():
        return int(number)
    return None


def as_text(value: Any) -> str | None:
    """Text, with numbers accepted as text (ids are sometimes written as numbers)."""
    if isinstance(value, str):
        return value
    if as_number(value) is not None:
        return str(value)
    return None


MAX_PROBLEMS_PER_FILE = 50
"""Past this, one summary Problem stands for the rest: a garbled file must not bury every other
Problem of the workspace (nor cost a line search per bad record)."""


class DocProblems:
    """Records Problems about values of one document, finding their line only when needed.

    Call `finish()` once done, so suppressed Problems are at least counted.
    """

    def __init__(self, doc: JsonDoc, ctx: ReadContext, limit: int = MAX_PROBLEMS_PER_FILE):
        self.doc = doc
        self.ctx = ctx
        self.limit = limit
        self.count = 0
        self._locator: JsonLocator | None = None

    def line(self, path: JsonPath) -> int | None:
        if self._locator is None:
            self._locator = JsonLocator(self.doc.text)
        return self._locator.line_of(path)

    def add(self, path: JsonPath, message: str) -> None:
        self.count += 1
        if self.count <= self.limit:
            self.ctx.problem(self.doc.path, message, self.line(path))

    def finish(self) -> None:
        if self.count > self.limit:
            hidden = self.count - self.limit
            self.ctx.problem(
                self.doc.path, f"{hidden} more problems in this file not listed", line=None
            )

    def wrong(self, path: JsonPath, expected: str, value: Any) -> None:
        """`expected a number for 'loss' in losses[7], got "abc"`."""
        self.add(
            path, f"expected {expected} for {describe_path(path)}, got {describe_value(value)}"
        )

    def number(
        self, obj: dict[str, Any], key: str, path: JsonPath, within: Range | None = None
    ) -> float | None:
        """Optional number: absent/null is None silently, a wrong type or a value outside
        `within` is a Problem (and None)."""
        value = obj.get(key)
        if value is None:
            return None
        number = as_number(value)
        if number is None:
            self.wrong([*path, key], "a finite number", value)
        return self.within(number, [*path, key], value, within)

    def whole(
        self, obj: dict[str, Any], key: str, path: JsonPath, within: Range | None = None
    ) -> int | None:
        value = obj.get(key)
        if value is None:
            return None
        number = as_whole(value)
        if number is None:
            self.wrong([*path, key], "a whole number", value)
        return self.within(number, [*path, key], value, within)

    def within(
        self, number: Num | None, path: JsonPath, value: Any, within: Range | None
    ) -> Num | None:
        """`number` if it is in range, else None with a Problem about `value` at `path`."""
        if number is None or within is None or within.holds(number):
            return number
        self.wrong(path, within.expected, value)
        return None

    def text(self, obj: dict[str, Any], key: str, path: JsonPath) -> str | None:
        """Optional text, cut with a Problem past MAX_TEXT_CHARS."""
        value = obj.get(key)
        if value is None:
            return None
        text = as_text(value)
        if text is None:
            self.wrong([*path, key], "text", value)
        elif len(text) > MAX_TEXT_CHARS:
            self.add([*path, key], text_cut_message(describe_path([*path, key]), len(text)))
            text = cut_text(text)
        return text

    def flag(self, obj: dict[str, Any], key: str, path: JsonPath) -> bool | None:
        value = obj.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.wrong([*path, key], "true or false", value)
        return None

    def obj(self, obj: dict[str, Any], key: str, path: JsonPath) -> dict[str, Any] | None:
        value = obj.get(key)
        if value is None or isinstance(value, dict):
            return value
        self.wrong([*path, key], "an object", value)
        return None


def describe_path(path: JsonPath) -> str:
    """`'loss' in losses[7]` for ("losses", 7, "loss"); `'metrics'` for ("metrics",)."""
    if not path:
        return "the top level"
    *parents, last = path
    where = ""
    for part in parents:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else part)
    name = f"entry {last}" if isinstance(last, int) else f"'{last}'"
    return f"{name} in {where}" if where else name
