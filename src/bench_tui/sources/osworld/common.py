"""What OSWorld and WAA episodes share (FORMATS §10, §11): recognising an episode folder, reading
`traj.jsonl` line by line and `result.txt`, and the harness's timestamps.

Both harnesses append one JSON object per line while the episode runs, so a last line without
a newline in a file changed in the last RECENT_WRITE_S seconds is still being written and is
skipped silently; in an older file it is a Problem (the run was killed mid-write).
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from bench_tui.safeio import read_head, read_sized
from bench_tui.sources._io.limits import MAX_TRACE_LINES
from bench_tui.sources._io.ranges import SCORE
from bench_tui.sources.common import (
    MAX_PARSE_BYTES,
    ReadContext,
    describe_value,
    json_type,
    too_large,
)

RECENT_WRITE_S = 600.0
COPIED_SPREAD_S = 2.0
"""An episode whose files were all last written within this many seconds of each other was
copied (`cp -r`), not recorded: a harness takes seconds per step between its screenshots."""
MAX_FILES_TIMED = 256
FIRST_LINE_PEEK = 256 * 1024
MAX_RESULT_BYTES = 4096
TIMESTAMP = re.compile(r"^(\d{8})@(\d{6})(?:[_.]?(\d{1,6}))?$")
NOT_SAVED = re.compile(r"^key: .*: <class '[^']*'> not saved$", re.DOTALL)
WAA_PEEK_KEY = re.compile(r'"screenshot"\s*:')
WAA_PEEK_RESET = re.compile(
    r'^\s*\{\s*"step_num"\s*:\s*0\s*,\s*"action_timestamp"\s*:\s*"[^"]*"\s*,\s*"action"\s*:\s*null'
)
EpisodeKind = Literal["osworld", "waa"]


def classify_episode_dir(
    path: Path, names: frozenset[str], within: str | None = None
) -> EpisodeKind | None:
    """ "osworld", "waa" or None from the files a folder holds (FORMATS §3); may read the first
    line of traj.jsonl (`within`: see safeio.open_regular), nothing else."""
    if "traj.html" in names:
        return "waa"
    if any(name.startswith("screenshot-step_") and name.endswith(".png") for name in names):
        return "waa"
    if "traj.jsonl" in names:
        return "waa" if _first_line_is_waa(path / "traj.jsonl", within) else "osworld"
    if "result.txt" in names:
        return "osworld"
    return None


def _first_line_is_waa(path: Path, within: str | None) -> bool:
    try:
        peek = read_head(path, FIRST_LINE_PEEK, within)
    except (OSError, ValueError):
        return False  # read_traj_lines reports why
    end = peek.find(b"\n")
    head = peek if end < 0 else peek[: end + 1]
    text = head.decode("utf-8", "replace")
    try:
        first = json.loads(text)
    except (ValueError, RecursionError):
        # A first line longer than the peek: its keys still show in the text.
        return bool(WAA_PEEK_RESET.search(text) or WAA_PEEK_KEY.search(text))
    if not isinstance(first, dict):
        return False
    if "screenshot" in first and "screenshot_file" not in first:
        return True
    if first.get("step_num") == 0 and "action" in first and first["action"] is None:
        return True
    # WAA's Error line carries the exception and traceback; OSWorld's only the message.
    return "Error" in first and ("Traceback" in first or "Exception" in first)


@dataclass
class TrajLine:
    number: int
    """1-based line number in the file."""
    data: dict[str, Any]


def read_traj_lines(path: Path, ctx: ReadContext, now: float | None = None) -> Iterator[TrajLine]:
    """The JSON object lines of a traj.jsonl, parsed as the caller asks for them (a caller that
    has enough stops early); each bad line is a located Problem. At most MAX_TRACE_LINES."""
    try:
        raw, info = read_sized(path, MAX_PARSE_BYTES, ctx.within)
    except OSError as exc:
        ctx.problem(path, f"cannot read: {exc.strerror or exc}")
        return
    if info.st_size > MAX_PARSE_BYTES or len(raw) > MAX_PARSE_BYTES:
        size = info.st_size if info.st_size > MAX_PARSE_BYTES else None
        ctx.problem(path, f"{too_large(size)} (trajectory lines)")
        return
    now = time.time() if now is None else now
    being_written = not raw.endswith(b"\n") and now - info.st_mtime < RECENT_WRITE_S
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    chunks = raw.split(b"\n")
    read = 0
    for index, chunk in enumerate(chunks):
        number = index + 1
        chunk = chunk.strip()
        if not chunk:
            continue
        if read == MAX_TRACE_LINES:
            ctx.problem(
                path,
                f"trace has more than {MAX_TRACE_LINES} lines: "
                f"only the first {MAX_TRACE_LINES} are read",
            )
            return
        read += 1
        is_last_unterminated = index == len(chunks) - 1
        value, error = _decode_line(chunk)
        if error is None and isinstance(value, dict):
            yield TrajLine(number, value)
            continue
        if is_last_unterminated and being_written:
            continue
        if error is None:
            error = f"expected a JSON object on each line, got a JSON {json_type(value)}"
        elif is_last_unterminated:
            error += "; the last line has no newline, so the run was probably stopped mid-write"
        ctx.problem(path, error, number)


def _decode_line(chunk: bytes) -> tuple[Any, str | None]:
    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte 0x{chunk[exc.start]:02x}): expected a JSON object"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON ({exc.msg}, column {exc.colno}): expected a JSON object"
    except (RecursionError, ValueError):
        return None, "JSON too deeply nested or with a number too long to read"


ResultState = Literal["none", "score", "unreadable", "pending"]


@dataclass
class ResultReading:
    state: ResultState
    score: float | None = None


def read_result(path: Path, ctx: ReadContext, now: float | None = None) -> ResultReading:
    """`result.txt`: `str(score)` and a newline. Read with float() (True/False accepted), never
    eval. Empty while it is being written; empty or garbled later is a Problem."""
    try:
        raw, info = read_sized(path, MAX_RESULT_BYTES, ctx.within)
    except FileNotFoundError:
        return ResultReading("none")
    except OSError as exc:
        ctx.problem(path, f"cannot read the score: {exc.strerror or exc}")
        return ResultReading("unreadable")
    if info.st_size > MAX_RESULT_BYTES or len(raw) > MAX_RESULT_BYTES:
        size = f"a {info.st_size}-byte" if info.st_size > MAX_RESULT_BYTES else "a longer"
        ctx.problem(path, f"expected a score, got {size} file")
        return ResultReading("unreadable")
    text = raw.decode("utf-8", "replace").strip()
    now = time.time() if now is None else now
    if not text:
        if now - info.st_mtime < RECENT_WRITE_S:
            return ResultReading("pending")
        ctx.problem(path, "empty file: expected the task's score (a number from 0 to 1)", 1)
        return ResultReading("unreadable")
    score = parse_score(text)
    # A score outside 0..1 is no score the harness writes: no verdict, like a garbled one.
    if score is None or not SCORE.holds(score):
        shown = text if len(text) <= 40 else text[:37] + "..."
        ctx.problem(path, f"expected the task's score (a number from 0 to 1), got {shown!r}", 1)
        return ResultReading("unreadable")
    return ResultReading("score", score)


def parse_score(text: str) -> float | None:
    word = text.strip()
    if word in ("True", "true"):
        return 1.0
    if word in ("False", "false"):
        return 0.0
    try:
        score = float(word)
    except (ValueError, OverflowError):
        return None
    return score if math.isfinite(score) else None


def timestamp_key(value: Any) -> str | None:
    """A string that sorts like the time (`YYYYmmddHHMMSSffffff`), or None if malformed.
    Cheap enough for every line; only the earliest and latest become datetimes."""
    if not isinstance(value, str):
        return None
    match = TIMESTAMP.match(value.strip())
    if match is None:
        return None
    return match.group(1) + match.group(2) + (match.group(3) or "").ljust(6, "0")


def parse_timestamp(value: Any) -> datetime | None:
    """`YYYYmmdd@HHMMSS`, with microseconds appended directly or after `_` (both occur)."""
    if not isinstance(value, str):
        return None
    match = TIMESTAMP.match(value.strip())
    if match is None:
        return None
    day, clock = match.group(1), match.group(2)
    fraction = (match.group(3) or "").ljust(6, "0")
    try:
        # By hand: strptime costs more than reading the whole line (every line has one).
        return datetime(
            int(day[:4]),
            int(day[4:6]),
            int(day[6:]),
            int(clock[:2]),
            int(clock[2:4]),
            int(clock[4:]),
            int(fraction),
        )
    except ValueError:
        return None


def epoch_seconds(moment: datetime) -> float:
    """A naive local time as a float, treating it as UTC: differences stay right, and no
    timezone of this machine leaks into times recorded on another one."""
    return moment.replace(tzinfo=UTC).timestamp()


def describe(value: Any) -> str:
    """describe_value, safe for values nested too deeply to print (they parsed, but printing
    them again may recurse past the limit)."""
    try:
        return describe_value(value)
    except (RecursionError, ValueError):
        return f"a deeply nested {json_type(value)}"


def is_placeholder(value: Any) -> bool:
    """WAA writes None observation values as "key: <k>: <class 'NoneType'> not saved"."""
    return isinstance(value, str) and NOT_SAVED.match(value) is not None


def list_names(folder: Path) -> frozenset[str]:
    try:
        return frozenset(os.listdir(folder))
    except OSError:
        return frozenset()


def error_type_of(error: str, exception: Any = None) -> str:
    """A short error type: the exception class when one is named, "timeout" for time limits."""
    if isinstance(exception, str) and exception.strip():
        match = re.match(
            r"\s*([A-Za-z_][\w.]*(?:Error|Exception|Timeout|Interrupt|Exit))", exception
        )
        if match:
            return match.group(1).rsplit(".", 1)[-1]
    match = re.search(r"\b([A-Z]\w*(?:Error|Exception))\b", error)
    if match:
        return match.group(1)
    return "timeout" if "time limit" in error.lower() else "error"


def written_at_once(folder: Path) -> bool:
    """Whether every file of an episode folder was last written in the same moment: a copy
    made with fresh file times, which must not make a run look live for RECENT_WRITE_S."""
    times: list[float] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if len(times) >= MAX_FILES_TIMED:
                    break
                if entry.is_file(follow_symlinks=False):
                    times.append(entry.stat(follow_symlinks=False).st_mtime)
    except OSError:
        return False  # unlistable now: judged by its times alone, as before
    return len(times) >= 2 and max(times) - min(times) < COPIED_SPREAD_S
