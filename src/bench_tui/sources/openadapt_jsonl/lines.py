"""Split a full-eval JSONL text into its lines' objects, or say why a line is not one.

Pure (no I/O), so the rule is testable on any text: a line that does not parse, or is not a
JSON object, is a `BadLine` with its 1-based number; blank lines are skipped; a last line
without its newline that does not parse was cut short (the evaluation may still be writing).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bench_tui.sources.common import json_type


@dataclass(frozen=True)
class Line:
    number: int
    data: dict[str, Any]


@dataclass(frozen=True)
class BadLine:
    number: int
    message: str


def parse_lines(text: str) -> Iterator[Line | BadLine]:
    rows = text.split("\n")
    last = len(rows) - 1
    for index, row in enumerate(rows):
        if not row.strip():
            continue
        number = index + 1
        try:
            data = json.loads(row)
        except (ValueError, RecursionError) as exc:
            if index == last:  # no newline after it
                yield BadLine(number, "line cut short: expected a whole JSON object")
            else:
                yield BadLine(number, f"expected a JSON object: {_reason(exc)}")
            continue
        if isinstance(data, dict):
            yield Line(number, data)
        else:
            yield BadLine(number, f"expected a JSON object, got a JSON {json_type(data)}")


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    return "nested too deeply"
