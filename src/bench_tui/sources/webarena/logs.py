"""WebArena verdicts: the run logs (`log_files.txt` -> `log_files/log_*.log`) and `error.txt`.

The logs are the only place a task's PASS/FAIL is written, and they live in the working
folder the harness ran from, usually above the result folder (FORMATS §12).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from bench_tui.safeio import lexically_inside
from bench_tui.sources._io.recorded_paths import file_name, inside, is_absolute
from bench_tui.sources.common import ReadContext, read_text

LOG_LINE = re.compile(
    r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:,(\d{1,6}))? - ([A-Za-z]+) - (.*)$"
)
CONFIG_LINE = re.compile(r"^\[Config file\]:\s*(.*)$")
INTENT_LINE = re.compile(r"^\[Intent\]:\s?(.*)$")
RESULT_LINE = re.compile(r"^\[Result\]\s*\((\w+)\)\s*(.*)$")
ERROR_LINE = re.compile(r"^\[(Unhandled Error|OpenAI Error)\]\s*(.*)$")
CONFIG_ID = re.compile(r"(\d+)\.json\b")
MERGED_LOG_NAMES = ("merged_log.txt", "merge_log.txt")

VerdictKind = Literal["pass", "fail", "error"]


@dataclass
class LogEvent:
    """A verdict or a crash for one task, located in its log file."""

    kind: VerdictKind
    path: Path
    line: int
    message: str = ""
    time: datetime | None = None


@dataclass
class TaskLog:
    events: list[LogEvent] = field(default_factory=list)
    intent: str | None = None
    started: datetime | None = None
    ended: datetime | None = None


@dataclass
class LogSummary:
    tasks: dict[str, TaskLog] = field(default_factory=dict)
    logs: list[Path] = field(default_factory=list)
    first_time: datetime | None = None
    seen: set[tuple[str, str, datetime | None]] = field(default_factory=set)
    """(task, verdict, time) of every event so far: a merged log's copies are not new verdicts."""
    ended: bool = False
    """The last log read holds the closing `Average score:` line."""


def task_id_of(config_path: str) -> str | None:
    """`config_files/17.json` (or a temp copy `/tmp/tmpab12/17.json`) -> "17"."""
    matches = CONFIG_ID.findall(config_path)
    if matches:
        return str(int(matches[-1]))
    text = config_path.strip()
    return str(int(text)) if text.isdigit() else None


def folders_up_to_root(run_dir: Path, root: Path) -> list[Path]:
    """The run folder and its ancestors up to (and including) the scanned folder."""
    folders = [run_dir]
    try:
        run_dir.relative_to(root)
    except ValueError:
        return folders
    current = run_dir
    while current != root and current.parent != current:
        current = current.parent
        folders.append(current)
    return folders


def _resolve_listed(entry: str, folders: list[Path], ctx: ReadContext) -> Path | None:
    """A listed log inside the scanned folder: as written when that stays inside it (relative
    to the run or a folder above it), else by its base name (moved bundles keep the log but not
    the layout; an absolute path outside was written on the machine that ran the benchmark).
    Every place looked at is noted: a log put there later changes which one is read."""
    root = ctx.root
    if is_absolute(entry):
        if lexically_inside(entry, root):
            ctx.note_input(entry)
            if os.path.isfile(entry):
                return Path(entry)
    else:
        for folder in folders:
            inner = inside(folder, entry, root)
            if inner is None:
                continue
            ctx.note_input(inner)
            if os.path.isfile(inner):
                return Path(inner)
    name = file_name(entry)
    if not name or name in (".", ".."):
        return None
    for folder in folders:
        for candidate in (folder / name, folder / "log_files" / name):
            ctx.note_input(candidate)
            if candidate.is_file():
                return candidate
    return None


def find_logs(run_dir: Path, ctx: ReadContext) -> list[Path]:
    """Logs of this run, oldest invocation first: those log_files.txt lists, then logs kept in
    the run folder, then a published bundle's merged log."""
    folders = folders_up_to_root(run_dir, ctx.root)
    found: list[Path] = []
    listing = run_dir / "log_files.txt"
    ctx.note_input(listing)
    if listing.is_file():
        text = read_text(listing, ctx, what="a list of log files")
        for number, line in enumerate((text or "").splitlines(), start=1):
            entry = line.strip()
            if not entry:
                continue
            resolved = _resolve_listed(entry, folders, ctx)
            if resolved is None:
                ctx.problem(
                    listing,
                    f"log file '{entry}' listed here was not found next to the results or in a "
                    "folder above them: the PASS/FAIL verdicts it holds are unknown",
                    number,
                )
            else:
                found.append(resolved)
    local_logs = run_dir / "log_files"
    ctx.note_input(local_logs)
    if local_logs.is_dir():
        try:
            names = sorted(n for n in os.listdir(local_logs) if n.endswith(".log"))
        except OSError as exc:
            ctx.problem(local_logs, f"cannot list folder: {exc.strerror or exc}")
            names = []
        found.extend(local_logs / name for name in names)
    # A merged log repeats the others: read last, its repeated lines are dropped in read_logs.
    for name in MERGED_LOG_NAMES:
        ctx.note_input(run_dir / name)
        if (run_dir / name).is_file():
            found.append(run_dir / name)
    unique: list[Path] = []
    seen: set[str] = set()
    for path in found:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def _timestamp(date_text: str, millis: str | None) -> datetime | None:
    try:
        stamp = datetime.strptime(date_text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    if millis:
        stamp = stamp.replace(microsecond=int(millis.ljust(6, "0")[:6]))
    return stamp


def read_logs(paths: list[Path], ctx: ReadContext) -> LogSummary:
    """Every task's verdicts and crashes, in the order the logs wrote them."""
    summary = LogSummary()
    for path in paths:
        text = read_text(path, ctx, what="a WebArena log")
        if text is None:
            continue
        summary.logs.append(path)
        summary.ended = _read_log(path, text, summary)
    return summary


def _read_log(path: Path, text: str, summary: LogSummary) -> bool:
    current: str | None = None
    in_intent = False
    ended = False
    for number, line in enumerate(text.splitlines(), start=1):
        match = LOG_LINE.match(line)
        if not match:
            if in_intent and current is not None:
                record = summary.tasks[current]
                record.intent = f"{record.intent or ''}\n{line}"
            continue
        in_intent = False
        stamp = _timestamp(match.group(1), match.group(2))
        if summary.first_time is None and stamp is not None:
            summary.first_time = stamp
        message = match.group(4)
        if message.startswith("Average score:"):
            ended = True
            continue
        if config := CONFIG_LINE.match(message):
            current = task_id_of(config.group(1))
            if current is not None:
                record = summary.tasks.setdefault(current, TaskLog())
                if record.started != stamp:  # a merged log repeats the same start
                    record.started, record.ended = stamp, None
                ended = False
            continue
        if (intent := INTENT_LINE.match(message)) and current is not None:
            summary.tasks[current].intent = intent.group(1)
            in_intent = True
            continue
        if result := RESULT_LINE.match(message):
            task = task_id_of(result.group(2)) or current
            verdict = result.group(1).upper()
            if task is None or verdict not in ("PASS", "FAIL"):
                continue  # forks log verdicts like NO_JUDGE: no verdict
            kind: VerdictKind = "pass" if verdict == "PASS" else "fail"
            _add_event(summary, task, LogEvent(kind, path, number, verdict, stamp))
            continue
        if (error := ERROR_LINE.match(message)) and current is not None:
            detail = error.group(2).strip()
            # run.py writes `[Unhandled Error] {repr(e)}]` with a stray bracket.
            if error.group(1) == "Unhandled Error" and detail.endswith(")]"):
                detail = detail[:-1]
            event = LogEvent("error", path, number, f"[{error.group(1)}] {detail}", stamp)
            _add_event(summary, current, event)
    return ended


def _add_event(summary: LogSummary, task: str, event: LogEvent) -> None:
    key = (task, event.kind, event.time)
    if event.time is not None and key in summary.seen:
        return
    summary.seen.add(key)
    record = summary.tasks.setdefault(task, TaskLog())
    record.events.append(event)
    record.ended = event.time


@dataclass
class ErrorEntry:
    line: int
    message: str


def read_error_txt(path: Path, ctx: ReadContext) -> dict[str, ErrorEntry]:
    """error.txt: per crash `[Config file]: ...`, `[Unhandled Error] ...`, then a traceback."""
    text = read_text(path, ctx, what="the WebArena error file")
    entries: dict[str, ErrorEntry] = {}
    current: str | None = None
    current_line = 0
    for number, line in enumerate((text or "").splitlines(), start=1):
        if config := CONFIG_LINE.match(line.strip()):
            current = task_id_of(config.group(1))
            current_line = number
            if current is not None:
                entries[current] = ErrorEntry(number, "crashed (see error.txt)")
            continue
        error = ERROR_LINE.match(line.strip())
        if error and current is not None:
            entries[current] = ErrorEntry(current_line, f"[{error.group(1)}] {error.group(2)}")
    return entries


def error_type_of(message: str) -> str | None:
    """`[Unhandled Error] TimeoutError('...')` -> "TimeoutError"."""
    match = re.search(r"\]\s*([A-Za-z_][\w.]*)\(", message)
    if match:
        return match.group(1).rsplit(".", 1)[-1]
    match = re.match(r"^\[([^\]]+)\]", message)
    return match.group(1) if match else None
