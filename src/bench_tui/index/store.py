"""Where the index of a folder lives, and opening it: created when missing, rebuilt when corrupt.

One SQLite file per opened folder (named by a hash of its real path) under
`$XDG_CACHE_HOME/bench-tui/` (default `~/.cache/bench-tui/`), never inside the results. WAL
journal: readers never wait for a writer, a writer that is killed leaves the last committed state,
and every update is one transaction. A file that is not a database, holds another schema version
or fails while being read is never trusted: it is removed and built again, with a notice.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sqlite3
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_tui.safeio import is_inside
from bench_tui.userdirs import cache_dir

SCHEMA_VERSION = 5
"""Bump when a table or what a cached value means changes: older files are rebuilt."""
PAGE_SIZE = 16384
"""A trace's texts (about 1 KB compressed) fit in a page of this size: with 4 KB pages each
such row spilled to an overflow page of its own, mostly empty."""
BUSY_TIMEOUT_S = 2.0
"""How long a writer waits for another process's write before it skips its own."""
INDEX_SUFFIX = ".sqlite3"

Notice = Callable[[str], None]

SCHEMA = """
CREATE TABLE _meta(name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE claims(key TEXT PRIMARY KEY, inputs BLOB NOT NULL, result BLOB NOT NULL);
CREATE TABLE _warm(
    name TEXT PRIMARY KEY, key TEXT NOT NULL, paths BLOB NOT NULL, digest BLOB NOT NULL);
CREATE TABLE _runs(
    run TEXT, format TEXT, benchmark TEXT, label TEXT, created_at TEXT, is_mock INTEGER,
    live INTEGER, tasks INTEGER, models TEXT);
CREATE TABLE _executions(
    run TEXT, model TEXT, task_id TEXT, domain TEXT, status TEXT, success INTEGER, score REAL,
    steps INTEGER, duration_s REAL, error TEXT, labels TEXT, note TEXT, seed INTEGER);
CREATE TABLE _labels(run TEXT, model TEXT, task_id TEXT, seed INTEGER, label TEXT, note TEXT);
CREATE TABLE _traces(
    trace INTEGER PRIMARY KEY, key BLOB UNIQUE NOT NULL, run TEXT, model TEXT, task_id TEXT,
    seed INTEGER, stamp BLOB NOT NULL, texts BLOB NOT NULL);
CREATE TABLE _steps(
    trace INTEGER NOT NULL, step INTEGER NOT NULL, action_type TEXT, x REAL, y REAL, text TEXT,
    duration_s REAL, PRIMARY KEY (trace, step)) WITHOUT ROWID;
CREATE VIRTUAL TABLE fts USING fts5(
    body, content='', tokenize='unicode61 remove_diacritics 2');
CREATE VIEW runs AS SELECT * FROM _runs;
CREATE VIEW executions AS SELECT * FROM _executions;
CREATE VIEW labels AS SELECT * FROM _labels;
CREATE VIEW steps AS
    SELECT t.run AS run, t.model AS model, t.task_id AS task_id, s.step AS step,
           s.action_type AS action_type, s.x AS x, s.y AS y, s.text AS text,
           bt_reasoning(t.texts, s.step) AS reasoning, s.duration_s AS duration_s
    FROM _steps s JOIN _traces t ON t.trace = s.trace;
"""

VIEWS = ("runs", "executions", "steps", "labels")
TEXT_ROWS_BITS = 16
"""A text's row in `fts` is its trace's id shifted left by this, plus its step shifted left by
2, plus its field's code: a trace's rows are one id range, and a hit names its trace, step and
field by its id alone (no table of text rows to keep)."""
MAX_TEXT_STEP = (1 << (TEXT_ROWS_BITS - 2)) - 1
"""Steps past this (load_steps stops at MAX_STEPS, below it) are not searched."""
TASK_FIELDS = {1: "instruction", 2: "error"}
"""Codes of the task's own texts (step 0)."""
STEP_FIELDS = {1: "action", 2: "reasoning", 3: "log"}
"""Codes of a step's texts (steps 1 and up); the field names search reports."""
REASONING = 2


class IndexUnavailable(Exception):
    """No index can be kept for this folder (the cache folder cannot be made, or is inside it)."""


def index_path(root: Path | str, cache: Path | None = None) -> Path:
    real = os.path.realpath(os.fspath(root))
    digest = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return (cache or cache_dir()) / f"index-{digest}{INDEX_SUFFIX}"


def text_id(trace: int, step: int, code: int) -> int:
    return (trace << TEXT_ROWS_BITS) | (step << 2) | code


def text_place(row_id: int) -> tuple[int, int, str]:
    """(trace, step, field) of a row of `fts`; step 0 for the task's own texts."""
    step, code = (row_id >> 2) & MAX_TEXT_STEP, row_id & 3
    field = (STEP_FIELDS if step else TASK_FIELDS).get(code, "?")
    return row_id >> TEXT_ROWS_BITS, step, field


def pack_texts(instruction: str | None, error: str | None, steps: list[list[str | None]]) -> bytes:
    """Every text of a trace, as one zlib blob: the instruction, the error, and per step (1-based
    step n at n-1) its action, reasoning and log. Steps repeat their phrasing, so together they
    compress to a fraction; `fts` keeps no copy (it is contentless) and snippets are cut from
    this."""
    data = {"i": instruction, "e": error, "s": steps}
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass"), 9)


@functools.lru_cache(maxsize=64)
def _unpacked(blob: bytes) -> dict[str, Any]:
    data = json.loads(zlib.decompress(blob))
    if not isinstance(data, dict) or not isinstance(data.get("s"), list):
        raise ValueError("not a trace's texts")
    return data


def text_of(blob: bytes, step: int, code: int) -> str | None:
    """A text of a trace (a corrupt blob raises: the statement or search fails, and the index
    is rebuilt)."""
    data = _unpacked(blob)
    if step == 0:
        found = data.get({1: "i", 2: "e"}.get(code, ""))
    else:
        steps = data["s"]
        row = steps[step - 1] if 0 < step <= len(steps) else None
        found = row[code - 1] if isinstance(row, list) and 0 < code <= len(row) else None
    return found if isinstance(found, str) else None


def texts_in(blob: bytes) -> list[tuple[int, int, str]]:
    """(step, code, text) of every text of a trace that is in `fts`."""
    data = _unpacked(blob)
    found = [(0, code, data.get(key)) for code, key in ((1, "i"), (2, "e"))]
    for step, row in enumerate(data["s"][:MAX_TEXT_STEP], start=1):
        found += [(step, code, text) for code, text in enumerate(row, start=1)]
    return [(step, code, text) for step, code, text in found if isinstance(text, str) and text]


def reasoning_of(blob: bytes | None, step: int | None) -> str | None:
    """SQL `bt_reasoning(texts, step)`: that step's reasoning (NULL when it has none)."""
    if blob is None or not isinstance(step, int) or step < 1:
        return None
    return text_of(blob, step, REASONING)


def sql_text(value: Any) -> Any:
    """A string SQLite can store: a lone surrogate (JSON may carry one) becomes U+FFFD."""
    if not isinstance(value, str):
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    else:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    # The steps view reads reasoning through it (one compressed blob per trace keeps the index
    # small).
    conn.create_function("bt_reasoning", 2, reasoning_of, deterministic=True)
    # Builds where it defaults to off would refuse the function inside the views; the file is
    # this program's own, in the user's cache.
    conn.execute("PRAGMA trusted_schema=ON")
    return conn


def _check_schema(conn: sqlite3.Connection) -> bool:
    """True when the file holds this version's schema, after creating it in an empty file."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return True
    if version != 0:
        return False
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have created it while this one waited for the lock.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                conn.execute("ROLLBACK")
                return False
            # Statement by statement: executescript would commit the transaction first.
            for statement in SCHEMA.split(";\n"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return bool(conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION)


def is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "busy": another process holds the index for a moment.
    Wait or go without it, but never remove it as if it were broken."""
    message = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in message or "busy" in message)


def remove_index(path: Path) -> None:
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with contextlib.suppress(FileNotFoundError):
            name.unlink()


def open_index(root: Path | str, notice: Notice, cache: Path | None = None) -> sqlite3.Connection:
    """The index of `root`, ready to use. Raises IndexUnavailable when none can be kept.
    `cache`: the folder to keep it in (default: the user's cache folder)."""
    path = index_path(root, cache)
    folder = path.parent
    real_root = os.path.realpath(os.fspath(root))
    # Before making it: nothing is ever written into the results (realpath resolves the part
    # of the path that exists, so a link into the results is caught too).
    if is_inside(os.path.realpath(folder), real_root):
        raise IndexUnavailable(f"the cache folder {folder} is inside the results")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise IndexUnavailable(f"cannot make {folder}: {exc.strerror or exc}") from exc
    deadline = time.monotonic() + 5 * BUSY_TIMEOUT_S
    attempt = 1
    while True:
        conn: sqlite3.Connection | None = None
        try:
            conn = _connect(path)
            # Before WAL and before any table: only a new, empty file takes these (an existing
            # one keeps its own). Incremental: `compact` gives pages a refresh freed back.
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
            conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            if _check_schema(conn):
                return conn
            reason = "it was written by another version"
        except sqlite3.DatabaseError as exc:
            if is_busy(exc):
                # Another process is creating or writing it: wait, and never take it for broken.
                if conn is not None:
                    conn.close()
                if time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                raise IndexUnavailable(
                    f"the index at {path} stayed busy in another process"
                ) from exc
            reason = str(exc)
        if conn is not None:
            conn.close()
        if attempt == 2:
            raise IndexUnavailable(f"cannot build the index at {path}: {reason}")
        notice(f"the index at {path} was not usable ({reason}): rebuilding it")
        remove_index(path)
        attempt = 2


def compact(conn: sqlite3.Connection) -> None:
    """Give the pages the last write freed back to the file system (outside a transaction):
    FTS merges and rewritten traces free pages that would otherwise stay in the file."""
    if conn.execute("PRAGMA freelist_count").fetchone()[0]:
        # executescript: execute() would step it once, which frees a single page.
        # executescript: execute() would step it once, which frees a single page.
        conn.executescript("PRAGMA incremental_vacuum;")


def open_read_only(path: Path) -> sqlite3.Connection:
    """An index file for `query`: SQLite itself refuses writes on this connection."""
    return _connect(path, read_only=True)
