"""Run log lines filed under the step they belong to (DESIGN §10 "Log lines").

A line belongs to the step it follows in time. Where the log and the steps keep one clock (both
epoch seconds, or both seconds since a start) that is the last step whose time is not after the
line's. Where they keep two (OpenAdapt: log times count from the task's start, step times are
epoch seconds), the lines that name their step ("Step N: …", N in the format's own numbering)
mark where each step begins on the log's clock, and a line follows the last such mark. A line
without a usable time goes to the step its text names, else stays with the line before it
(logs are written in time order). Lines before the first step go to the first step's
`logs_before` ("before step 1" on the task page); lines after the last step's time go to the
last step.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeGuard

from bench_tui.model import Step

STEP_PREFIX = re.compile(r"^\W*step\s*(\d+)\b", re.IGNORECASE)
"""A line that opens with "Step N" names step N; a step number further in is free text."""
EPOCH_FLOOR = 1e8
"""Times from this on are epoch seconds (1973 and later); smaller ones count from a start."""
BEFORE = -1


@dataclass(frozen=True)
class LogEntry:
    timestamp: float | None
    message: str
    text: str
    """The line as shown (level and message)."""


def named_step(message: str, steps: Sequence[Step]) -> int | None:
    """Position of the step `message` opens with ("Step N:"), by the steps' own numbers.

    Steps that carry the format's number (`source_number`) are matched on it; otherwise N is
    taken as 0-based, the way the formats that write such lines count (FORMATS §4).
    """
    match = STEP_PREFIX.match(message)
    if match is None or len(match.group(1)) > 9:
        return None
    number = int(match.group(1))
    numbered = [step for step in steps if step.source_number is not None]
    if numbered:
        for position, step in enumerate(steps):
            if step.source_number == number:
                return position
        return None
    return number if number < len(steps) else None


def _finite(value: float | None) -> TypeGuard[float]:
    return value is not None and math.isfinite(value)


def _same_clock(steps: Sequence[Step], entries: Sequence[LogEntry]) -> bool:
    step_times = [s.timestamp for s in steps if _finite(s.timestamp)]
    log_times = [e.timestamp for e in entries if _finite(e.timestamp)]
    if not step_times or not log_times:
        return False
    epochs = {t >= EPOCH_FLOOR for t in (*step_times, *log_times)}
    return len(epochs) == 1


def _marks(
    steps: Sequence[Step], entries: Sequence[LogEntry], same_clock: bool
) -> list[tuple[float, int]]:
    """(time on the log's clock, step position) where each step begins, earliest first."""
    if same_clock:
        marks = [(s.timestamp, p) for p, s in enumerate(steps) if _finite(s.timestamp)]
    else:
        marks = []
        for entry in entries:
            position = named_step(entry.message, steps)
            if _finite(entry.timestamp) and position is not None:
                marks.append((entry.timestamp, position))
    return sorted(marks)


def place_log_lines(steps: Sequence[Step], entries: Sequence[LogEntry]) -> list[int]:
    """The step position of each entry (BEFORE: before the first step), by the module's rule."""
    same_clock = _same_clock(steps, entries)
    marks = _marks(steps, entries, same_clock)
    times = [time for time, _ in marks]
    placed: list[int] = []
    previous = BEFORE
    for entry in entries:
        named = named_step(entry.message, steps)
        if _finite(entry.timestamp) and marks and (same_clock or named is None):
            index = bisect_right(times, entry.timestamp)
            position = marks[index - 1][1] if index else BEFORE
        elif named is not None:
            position = named
        else:
            position = previous
        placed.append(position)
        previous = position
    return placed


def attach_log_lines(steps: list[Step], entries: Sequence[LogEntry]) -> None:
    """File each entry under its step (`Step.logs`) or before the first (`logs_before`)."""
    if not steps:
        return
    for entry, position in zip(entries, place_log_lines(steps, entries), strict=True):
        if position == BEFORE:
            steps[0].logs_before.append(entry.text)
        else:
            steps[position].logs.append(entry.text)
