"""How much of one result is read (DESIGN §7 "Huge inputs": "too large, showing the first N").

A 30 MB instruction or a trace of a million steps is within the 32 MB file limit, yet took the
app 10-30 s and gigabytes to show. Strings from results are cut at MAX_TEXT_CHARS, and step
traces stop at MAX_STEPS steps; each cut is a Problem so nobody mistakes it for the whole.
"""

from __future__ import annotations

MAX_STEPS = 10_000
"""Steps shown of one trace; agents stop after tens or hundreds."""
MAX_TRACE_LINES = 100_000
"""JSON lines read from one trace file (one step may span several lines)."""
MAX_TEXT_CHARS = 64 * 1024
"""Characters kept of one string (instruction, reasoning, log line, error, …), cut mark included."""
_CUT_ROOM = 64
"""Room for the cut mark: a cut string is never longer than MAX_TEXT_CHARS, so never cut twice."""


def cut_text(text: str) -> str:
    """`text`, or its beginning and `… (cut: N more characters)` when it is too long."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    keep = MAX_TEXT_CHARS - _CUT_ROOM
    return f"{text[:keep]}… (cut: {len(text) - keep} more characters)"


def text_cut_message(what: str, length: int) -> str:
    return f"{what} is {length} characters long: showing the first {MAX_TEXT_CHARS - _CUT_ROOM}"


STEPS_CUT = f"trace has more than {MAX_STEPS} steps: showing the first {MAX_STEPS}"
"""The Problem of a trace cut at MAX_STEPS."""
