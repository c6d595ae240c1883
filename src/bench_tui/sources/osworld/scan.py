"""One pass over an OSWorld/WAA episode folder for what the run summary needs.

At index time each episode costs one listing, one read of `traj.jsonl` (every line through
json.loads, so every bad line is reported by `summary` and `validate` alike) and one read of
`result.txt`. Actions are not parsed and images not opened here: the step replay reads the
trajectory again when a task is opened (steps.py, waa.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench_tui.safeio import open_regular, read_at, read_head
from bench_tui.sources._io.limits import MAX_STEPS, STEPS_CUT
from bench_tui.sources.common import ReadContext
from bench_tui.sources.osworld.common import (
    EpisodeKind,
    ResultReading,
    TrajLine,
    describe,
    error_type_of,
    is_placeholder,
    list_names,
    parse_timestamp,
    read_result,
    read_traj_lines,
    timestamp_key,
)

OSWORLD_SHOT = re.compile(r"^step_(\d+)(?:_[^/]*)?\.(?:png|jpe?g)$", re.IGNORECASE)
WAA_SHOT = re.compile(r"^screenshot-step_(\d+|reset)_.*\.(?:png|jpe?g)$", re.IGNORECASE)
INSTRUCTION_FILE = "instruction.txt"
MAX_INSTRUCTION_BYTES = 64 * 1024


@dataclass
class EpisodeScan:
    folder: Path
    kind: EpisodeKind
    names: frozenset[str]
    result: ResultReading
    step_numbers: set[int] = field(default_factory=set)
    loose_steps: int = 0
    """Action lines without a usable step_num: each is a model call of its own."""
    has_traj: bool = False
    first_key: str | None = None
    last_key: str | None = None
    """Earliest and latest action_timestamp as timestamp_key strings."""
    error: str | None = None
    error_type: str | None = None
    error_line: int | None = None
    instruction: str | None = None
    stop_reason: str | None = None
    """Why the agent stopped, when runtime.log says (FORMATS §10: message or thought exit)."""
    modified_at: float = 0.0
    timestamps: int = 0
    cut: bool = False
    """The trace has more than MAX_STEPS steps and was read no further: its count is unknown."""

    @property
    def num_steps(self) -> int | None:
        if not self.has_traj or self.cut:
            return None
        return len(self.step_numbers) + self.loose_steps

    @property
    def first_time(self) -> datetime | None:
        return _key_time(self.first_key)

    @property
    def duration_s(self) -> float | None:
        """Spread of the action timestamps: setup and evaluation are not recorded, and one
        timestamp alone measures nothing."""
        first, last = _key_time(self.first_key), _key_time(self.last_key)
        if first is None or last is None or self.timestamps < 2:
            return None
        return (last - first).total_seconds()


def _key_time(key: str | None) -> datetime | None:
    return parse_timestamp(f"{key[:8]}@{key[8:]}") if key is not None else None


def step_number(line: TrajLine, ctx: ReadContext, path: Path) -> int | None:
    """The line's `step_num` as an int; a wrong type is a Problem for that line only."""
    value = line.data.get("step_num")
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    ctx.problem(path, f"expected a whole number for 'step_num', got {describe(value)}", line.number)
    return None


def is_reset_line(line: TrajLine, number: int | None) -> bool:
    """WAA's first line records the screen after env.reset: step 0, no action."""
    return number == 0 and line.data.get("action", 0) is None


def error_text(data: dict[str, Any]) -> str:
    error = data.get("Error")
    text = error if isinstance(error, str) else describe(error)
    exception = data.get("Exception")
    if isinstance(exception, str) and exception.strip() and exception.strip() not in text:
        text = f"{text}: {exception.strip()}"
    return text


def resolve_osworld_shot(
    data: dict[str, Any], number: int | None, names: frozenset[str]
) -> str | None:
    """The file name of a line's screenshot: `screenshot_file` when it exists, else a
    `step_<N>*.png` of the same step (variants save `step_<N>.png`, and names with second
    resolution collide), preferring one with the line's timestamp in it."""
    written = data.get("screenshot_file")
    if isinstance(written, str) and written:
        base = os.path.basename(written.replace("\\", "/"))
        if base in names:
            return base
    if number is None:
        return None
    same_step = sorted(n for n in names if _shot_number(OSWORLD_SHOT, n) == str(number))
    stamp = data.get("action_timestamp")
    if isinstance(stamp, str) and stamp:
        stamped = [n for n in same_step if stamp in n]
        if stamped:
            return stamped[-1]
    return same_step[-1] if same_step else None


def resolve_waa_shot(
    data: dict[str, Any], key: str, number: int | None, names: frozenset[str]
) -> str | None:
    """A WAA file value (`{key}-step_{i}_{ts}.{ext}`, i = step_num - 1) when the file exists;
    for `screenshot`, also the same 0-based index found by listing."""
    written = data.get(key)
    if isinstance(written, str) and written and not is_placeholder(written):
        base = os.path.basename(written.replace("\\", "/"))
        if base in names:
            return base
    if key != "screenshot" or number is None:
        return None
    wanted = "reset" if number == 0 else str(number - 1)
    same = sorted(n for n in names if _shot_number(WAA_SHOT, n) == wanted)
    stamp = data.get("action_timestamp")
    stamped = [n for n in same if isinstance(stamp, str) and stamp and stamp in n]
    found = stamped or same
    return found[-1] if found else None


def _shot_number(pattern: re.Pattern[str], name: str) -> str | None:
    match = pattern.match(name)
    return match.group(1) if match else None


def scan_episode(folder: Path, kind: EpisodeKind, ctx: ReadContext, now: float) -> EpisodeScan:
    names = list_names(folder)
    scan = EpisodeScan(folder, kind, names, read_result(folder / "result.txt", ctx, now))
    scan.modified_at = _mtime(folder)
    traj = folder / "traj.jsonl"
    if "traj.jsonl" in names:
        scan.has_traj = True
        scan.modified_at = max(scan.modified_at, _mtime(traj))
        _scan_lines(scan, read_traj_lines(traj, ctx, now), ctx, traj)
    if scan.instruction is None and INSTRUCTION_FILE in names:
        scan.instruction = _read_small_text(folder / INSTRUCTION_FILE, ctx)
    if RUNTIME_LOG in names:
        scan.stop_reason = read_stop_reason(folder / RUNTIME_LOG, ctx)
    return scan


RUNTIME_LOG = "runtime.log"
RUNTIME_TAIL_BYTES = 64 * 1024
"""The stop reason is written last; a long log is read from its end only."""
STOP_FLAG = re.compile(r"\b(message_exit|thought_exit):\s*True\b")
STOP_REASONS = {
    "message_exit": "the agent stopped with a message (message_exit in runtime.log)",
    "thought_exit": "the agent stopped on its own thought (thought_exit in runtime.log)",
}


def read_stop_reason(path: Path, ctx: ReadContext) -> str | None:
    """The last stop flag the log records, if any."""
    try:
        fd, info = open_regular(path, ctx.within)
        try:
            start = max(0, info.st_size - RUNTIME_TAIL_BYTES)
            tail = read_at(fd, start, RUNTIME_TAIL_BYTES).decode("utf-8", "replace")
        finally:
            os.close(fd)
    except OSError as exc:
        ctx.problem(path, f"cannot read: {exc.strerror or exc}")
        return None
    flags = STOP_FLAG.findall(tail)
    return STOP_REASONS[flags[-1]] if flags else None


def _scan_lines(scan: EpisodeScan, lines: Iterable[TrajLine], ctx: ReadContext, traj: Path) -> None:
    shot_key = "screenshot" if scan.kind == "waa" else "screenshot_file"
    named = missing = 0
    first_missing: tuple[int, str] | None = None
    for line in lines:
        data = line.data
        if "Error" in data:
            scan.error = error_text(data)
            scan.error_type = error_type_of(scan.error, data.get("Exception"))
            scan.error_line = line.number
            continue
        number = step_number(line, ctx, traj)
        _note_time(scan, line, ctx, traj)
        instruction = data.get("instruction")
        if scan.instruction is None and isinstance(instruction, str) and instruction.strip():
            scan.instruction = instruction.strip()
        if scan.kind == "waa" and is_reset_line(line, number):
            continue
        if number is not None:
            scan.step_numbers.add(number)
        elif "action" in data:
            scan.loose_steps += 1
        if len(scan.step_numbers) + scan.loose_steps > MAX_STEPS:
            ctx.problem(traj, STEPS_CUT)
            scan.cut = True
            break
        written = data.get(shot_key)
        if isinstance(written, str) and written and not is_placeholder(written):
            named += 1
            found = (
                resolve_waa_shot(data, shot_key, number, scan.names)
                if scan.kind == "waa"
                else resolve_osworld_shot(data, number, scan.names)
            )
            if found is None:
                missing += 1
                first_missing = first_missing or (line.number, written)
    if first_missing is not None:
        line_number, written = first_missing
        ctx.problem(
            traj,
            f"{missing} of {named} screenshots named in '{shot_key}' are missing "
            f"(first: {written}); those steps show no image",
            line_number,
        )


def _note_time(scan: EpisodeScan, line: TrajLine, ctx: ReadContext, traj: Path) -> None:
    value = line.data.get("action_timestamp")
    if value is None:
        return
    key = timestamp_key(value)
    if key is None:
        ctx.problem(
            traj,
            f"expected 'action_timestamp' like 20251103@101502, got {describe(value)}",
            line.number,
        )
        return
    earliest = scan.first_key is None or key < scan.first_key
    latest = scan.last_key is None or key > scan.last_key
    # Only the earliest and latest become datetimes, so only they need to be real dates.
    if (earliest or latest) and parse_timestamp(value) is None:
        ctx.problem(
            traj, f"'action_timestamp' {describe(value)} is not a real date and time", line.number
        )
        return
    scan.timestamps += 1
    if earliest:
        scan.first_key = key
    if latest:
        scan.last_key = key


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0  # gone since the listing: counts as old, so it cannot make a run look live


def _read_small_text(path: Path, ctx: ReadContext) -> str | None:
    try:
        raw = read_head(path, MAX_INSTRUCTION_BYTES, ctx.within)
    except OSError as exc:
        ctx.problem(path, f"cannot read: {exc.strerror or exc}")
        return None
    return raw.decode("utf-8", "replace").strip() or None


@dataclass
class CallGroup:
    """The lines one model call wrote: consecutive lines sharing a step_num."""

    number: int | None
    lines: list[TrajLine] = field(default_factory=list)
    errors: list[TrajLine] = field(default_factory=list)
    """Error lines written after this call (before the next one)."""


@dataclass
class Grouped:
    calls: list[CallGroup] = field(default_factory=list)
    reset: TrajLine | None = None
    early_errors: list[TrajLine] = field(default_factory=list)
    """Error lines before any call (the episode crashed during setup)."""


def group_calls(
    lines: Iterable[TrajLine], kind: EpisodeKind, ctx: ReadContext, traj: Path
) -> Grouped:
    """Lines grouped into model calls, at most MAX_STEPS of them."""
    grouped = Grouped()
    for line in lines:
        if "Error" in line.data:
            target = grouped.calls[-1].errors if grouped.calls else grouped.early_errors
            target.append(line)
            continue
        number = step_number(line, ctx, traj)
        if kind == "waa" and is_reset_line(line, number):
            grouped.reset = grouped.reset or line
            continue
        if number is None and "action" not in line.data:
            continue  # a human run's instruction line, or a fork's extra record
        last = grouped.calls[-1] if grouped.calls else None
        if number is not None and last is not None and last.number == number and not last.errors:
            last.lines.append(line)
        elif len(grouped.calls) == MAX_STEPS:
            ctx.problem(traj, STEPS_CUT)
            break
        else:
            grouped.calls.append(CallGroup(number, [line]))
    return grouped
