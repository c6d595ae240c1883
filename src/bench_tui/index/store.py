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

SCHEMA_VERSION = 4
"""Bump when a table or what a cached value means changes: older files are rebuilt."""
BUSY_TIMEOUT_S = 2.0
"""How long a writer waits for another process's write before it skips its own."""
INDEX_SUFFIX = ".sqlite3"

Notice = Callable[[str], None]

SCHEMA = """
CREATE TABLE _meta(name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE claims(key TEXT PRIMARY KEY, inputs BLOB NOT NULL, result BLOB NOT NULL);
CREATE TABLE _warm(name TEXT PRIMARY KEY, key TEXT NOT NULL, paths BLOB NOT NULL, digest BLOB NOT NULL);
CREATE TABLE _runs(
    run TEXT, format TEXT, benchmark TEXT, label TEXT, created_at TEXT, is_mock INTEGER,
    live INTEGER, tasks INTEGER, models TEXT);
CREATE TABLE _executions(
    run TEXT, model TEXT, task_id TEXT, domain TEXT, status TEXT, success INTEGER, score REAL,
    steps INTEGER, duration_s REAL, error TEXT, labels TEXT, note TEXT, seed INTEGER);
CREATE TABLE _labels(run TEXT, model TEXT, task_id TEXT, seed INTEGER, label TEXT, note TEXT);
CREATE TABLE _traces(
    trace INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, run TEXT, model TEXT, task_id TEXT,
    seed INTEGER, stamp TEXT NOT NULL, reasoning BLOB);
CREATE TABLE _steps(
    trace INTEGER NOT NULL, step INTEGER NOT NULL, action_type TEXT, x REAL, y REAL, text TEXT,
    duration_s REAL, PRIMARY KEY (trace, step)) WITHOUT ROWID;
CREATE TABLE _texts(id INTEGER PRIMARY KEY, step INTEGER, field TEXT NOT NULL, body TEXT);
CREATE VIEW _fts_src AS
    SELECT x.id AS id, COALESCE(x.body, bt_reasoning(t.reasoning, x.step)) AS body
    FROM _texts x JOIN _traces t ON t.trace = (x.id >> 15);
CREATE VIRTUAL TABLE fts USING fts5(
    body, content='_fts_src', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE VIEW runs AS SELECT * FROM _runs;
CREATE VIEW executions AS SELECT * FROM _executions;
CREATE VIEW labels AS SELECT * FROM _labels;
CREATE VIEW steps AS
    SELECT t.run AS run, t.model AS model, t.task_id AS task_id, s.step AS step,
           s.action_type AS action_type, s.x AS x, s.y AS y, s.text AS text,
           bt_reasoning(t.reasoning, s.step) AS reasoning, s.duration_s AS duration_s
    FROM _steps s JOIN _traces t ON t.trace = s.trace;
"""

VIEWS = ("runs", "executions", "steps", "labels")
TEXT_ROWS_BITS = 15
"""A text row's id is its trace's id shifted left by this, plus its place in the trace (room
for MAX_STEPS steps × 3 fields): a trace's rows are one id range, with no index to keep."""
FIELDS = {"i": "instruction", "e": "error", "a": "action", "r": "reasoning", "l": "log"}
"""The one-letter code each text row stores, and the field name search reports."""


class IndexUnavailable(Exception):
    """No index can be kept for this folder (the cache folder cannot be made, or is inside it)."""


def index_path(root: Path | str, cache: Path | None = None) -> Path:
    real = os.path.realpath(os.fspath(root))
    digest = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return (cache or cache_dir()) / f"index-{digest}{INDEX_SUFFIX}"


def pack_reasoning(texts: list[str | None]) -> bytes | None:
    """A trace's reasoning, one entry per step (1-based step n at n-1), as one zlib blob:
    steps of a trace repeat their phrasing, so together they compress to a fraction."""
    if not any(texts):
        return None
    return zlib.compress(json.dumps(texts).encode("utf-8", "surrogatepass"), 6)


@functools.lru_cache(maxsize=64)
def _unpacked(blob: bytes) -> list[str | None]:
    texts = json.loads(zlib.decompress(blob))
    if not isinstance(texts, list):
        raise ValueError("not a list of texts")
    return texts


def reasoning_of(blob: bytes | None, step: int | None) -> str | None:
    """SQL `bt_reasoning(blob, step)`: that step's reasoning (NULL when it has none)."""
    if blob is None or not isinstance(step, int) or step < 1:
        return None
    texts = _unpacked(blob)  # a corrupt blob raises: the statement fails, the index is rebuilt
    return texts[step - 1] if step <= len(texts) else None


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
    # The views read reasoning through it (one compressed blob per trace keeps the index small).
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


def open_read_only(path: Path) -> sqlite3.Connection:
    """An index file for `query`: SQLite itself refuses writes on this connection."""
    return _connect(path, read_only=True)
