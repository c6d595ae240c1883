"""The warm check: is a folder exactly as it was when its index was last brought in step with it?

A refresh that depended on nothing but files it can name (every claim made by a reader that
notes what it reads, no file read outside them, no run still being written, every trace stamped) leaves in the index
the list of those files and folders (the claims' inputs, every folder the walk listed and the
links in them, the traces' screenshots folders, the runs' triage stores) and a digest of their
signatures, beside the code fingerprint and the settings they were read with. The next command
stats them all (one lstat each, in two processes for a big list, while the query runs): the
same digest and the tables are used as they are, with no discovery and no parsing. Anything else (a file edited, added, removed or renamed, other code,
another triage folder, a list that does not decode) and the caller refreshes as before, which
writes the list anew or clears it. Every refresh clears it first, in its own transaction, so a
list is only ever found beside the tables it was made with.

Imports nothing heavy: `search` on an unchanged folder loads this, `store` and `search` only.
"""

from __future__ import annotations

import gc
import hashlib
import os
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bench_tui.index.fingerprint import fingerprint
from bench_tui.index.search import Hit, search
from bench_tui.index.signatures import may_fork, settled, signature
from bench_tui.index.store import IndexUnavailable, Notice, open_index, open_read_only
from bench_tui.userdirs import triage_override_dir

NAME = "deps"

PARALLEL_MIN = 20_000
"""From this many files a second process stats half of them (below, forking costs more)."""


@dataclass(frozen=True)
class Walked:
    """What one indexed discovery depended on besides the claims it replayed."""

    started_ns: int
    """time.time_ns() before the walk began."""
    listed: list[str]
    """Folders the walk listed, the links among their entries and what the claims it read
    noted (discover.WalkLog); the replayed claims' inputs come as `known`."""
    replayed_all: bool
    """Every claim was replayed or read by a reader that notes its inputs, and nothing was read
    another way."""


def signatures(paths: Iterable[str]) -> list[bytes]:
    """The signature of each path (this is the whole cost of a warm check: one lstat per
    file)."""
    return list(map(signature, paths))


def context_key(root: Path | str) -> str:
    """What else the tables depend on: the code that read the files, the folder it was asked
    for, and where triage records are kept outside the results."""
    return "\x00".join(
        (fingerprint(), os.path.abspath(os.fspath(root)), os.fspath(triage_override_dir()))
    )


def _digest(sigs: list[bytes]) -> bytes:
    """Two digests, of the first half of the signatures and of the rest: `_stat_digest` can
    take the halves in two processes."""
    half = len(sigs) // 2
    return b"".join(
        hashlib.blake2b(b"".join(part), digest_size=16).digest()
        for part in (sigs[:half], sigs[half:])
    )


def _stat_digest(paths: list[str], beside: Callable[[], None] = lambda: None) -> bytes:
    """`_digest(signatures(paths))`, a big list's first half stat'ed by a forked child while
    this process stats the rest (the stats are most of a warm search; a machine has two cores
    or more). `beside` runs once the child is started (it may start a thread: the fork comes
    first, so no thread is ever copied). Any failure of the child reads as a change."""
    half = len(paths) // 2
    if len(paths) < PARALLEL_MIN or not may_fork():
        beside()
        return _digest(signatures(paths))
    try:
        read_end, write_end = os.pipe()
    except OSError:
        beside()
        return _digest(signatures(paths))
    try:
        child = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        beside()
        return _digest(signatures(paths))
    if child == 0:  # the child: one digest down the pipe, then gone without any clean-up
        status = 1
        try:
            gc.disable()  # no finalizer of the parent's objects (its index connection) runs here
            os.close(read_end)
            sigs = signatures(paths[:half])
            os.write(write_end, hashlib.blake2b(b"".join(sigs), digest_size=16).digest())
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        beside()
        second = hashlib.blake2b(b"".join(signatures(paths[half:])), digest_size=16).digest()
        with os.fdopen(read_end, "rb") as pipe:
            first = pipe.read()
    finally:
        os.waitpid(child, 0)
    return (first if len(first) == 16 else b"\x00" * 16) + second


def _encode(paths: list[str]) -> bytes:
    # Whole paths: their shared beginnings cost zlib next to nothing, and a check need not
    # put each together again.
    return zlib.compress("\x00".join(paths).encode("utf-8", "surrogateescape"), 6)


def _decode(blob: bytes) -> list[str]:
    # Never empty: the list holds at least the folder the walk started in.
    return zlib.decompress(blob).decode("utf-8", "surrogateescape").split("\x00")


def forget(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM _warm")


def remember(
    conn: sqlite3.Connection,
    root: Path | str,
    paths: Iterable[str],
    walked: Walked,
    known: Mapping[str, bytes],
) -> bool:
    """Keep the list (in the caller's transaction); False when one of the files changed too
    recently to be sure it was read as it is now."""
    base = os.path.abspath(os.fspath(root))
    unique = sorted(set(paths))
    fresh = iter(signatures([path for path in unique if path not in known]))
    sigs = [known[path] if path in known else next(fresh) for path in unique]
    if not settled(sigs, walked.started_ns):
        return False  # the next refresh makes one
    conn.execute(
        "INSERT OR REPLACE INTO _warm(name, key, paths, digest) VALUES (?, ?, ?, ?)",
        (NAME, context_key(base), _encode(unique), _digest(sigs)),
    )
    return True


def _kept(conn: sqlite3.Connection, root: Path | str) -> tuple[list[str], bytes] | None:
    """The kept list and digest, when they were made by this code for this folder."""
    row = conn.execute("SELECT key, paths, digest FROM _warm WHERE name = ?", (NAME,)).fetchone()
    if row is None or row[0] != context_key(root):
        return None
    try:
        return _decode(row[1]), row[2]
    except (zlib.error, UnicodeDecodeError, TypeError):
        return None  # the refresh that follows writes it anew


def unchanged(conn: sqlite3.Connection, root: Path | str) -> bool:
    """True when every file and folder the last refresh depended on is as it was then."""
    kept = _kept(conn, root)
    return kept is not None and _stat_digest(kept[0]) == kept[1]


def search_unchanged(directory: Path, query: str, limit: int, notice: Notice) -> list[Hit] | None:
    """Hits straight from the index when DIR is unchanged since it was last refreshed; None
    otherwise (no index, a changed folder, a database error): the caller refreshes."""
    try:
        conn = open_index(directory, notice)
    except IndexUnavailable:
        return None  # the full path says why
    with closing(conn):
        try:
            kept = _kept(conn, directory)
            if kept is None:
                return None
            database = Path(conn.execute("PRAGMA database_list").fetchone()[2])
            # The query runs beside the stats (SQLite and lstat both wait without the GIL);
            # its hits are only used when the stats say nothing changed.
            answer: list[list[Hit] | BaseException] = []
            query_thread = threading.Thread(
                target=_search_into, args=(database, query, limit, answer), daemon=True
            )
            same = _stat_digest(kept[0], beside=query_thread.start) == kept[1]
            query_thread.join()
        except sqlite3.DatabaseError:
            return None  # the full path rebuilds a broken index, with a notice
    if not same:
        return None
    (found,) = answer
    if isinstance(found, sqlite3.DatabaseError):
        return None
    if isinstance(found, BaseException):
        raise found  # BadQuery: said to the user as usual
    return found


def _search_into(
    database: Path, query: str, limit: int, answer: list[list[Hit] | BaseException]
) -> None:
    try:
        with closing(open_read_only(database)) as reader:
            answer.append(search(reader, query, limit))
    except Exception as exc:  # handed to the caller's thread, which raises or refreshes
        answer.append(exc)
