"""Discovery with the index, for the commands: the same Workspace `discover_workspace` returns.

When no index can be kept (no cache folder, a second corrupt file in a row) the folder is read
as without one: the index only ever saves time, figures never depend on it.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bench_tui.index.claims import ClaimIndex, CorruptEntry
from bench_tui.index.store import (
    IndexUnavailable,
    Notice,
    index_path,
    is_busy,
    open_index,
    open_read_only,
    remove_index,
)
from bench_tui.index.warm import Walked, unchanged
from bench_tui.model import Workspace
from bench_tui.sources.discover import DiscoveryBatch, WalkLog, discover_workspace, iter_workspace

if TYPE_CHECKING:
    from bench_tui.index.search import Hit

T = TypeVar("T")


def discover(directory: Path, *, use_index: bool, notice: Notice) -> Workspace:
    """Everything under `directory`, claims replayed from the index where nothing changed."""
    if not use_index:
        return discover_workspace(directory)
    result = with_index(directory, notice, lambda conn: _discover(directory, conn)[0])
    return result if result is not None else discover_workspace(directory)


def _discover(
    directory: Path, conn: sqlite3.Connection, *, checked: bool = True, log: WalkLog | None = None
) -> tuple[Workspace, ClaimIndex]:
    """`checked` False: listing only (what search and query show never holds a Problem), so a
    replay stats the files listing read, not every screenshot the checks look at."""
    cache = ClaimIndex(conn, Path(os.path.abspath(directory)))
    workspace = discover_workspace(
        directory, claim_cache=cache, defer_checks=not checked, walk_log=log
    )
    cache.flush()
    return workspace, cache


def with_index(
    directory: Path, notice: Notice, work: Callable[[sqlite3.Connection], T]
) -> T | None:
    """`work` on the open index; a corrupt file is removed and `work` runs again on a fresh one.
    None when no index can be kept (the notice says why)."""
    for attempt in (1, 2):
        try:
            with opened(directory, notice) as conn:
                return work(conn)
        except IndexUnavailable as exc:
            notice(f"no index: {exc}")
            return None
        except (sqlite3.DatabaseError, CorruptEntry) as exc:
            if is_busy(exc):
                return None  # another process is writing it: read without it, it is not broken
            path = index_path(directory)
            if attempt == 2:
                notice(f"the index at {path} failed again ({exc}): reading without it")
                return None
            notice(f"the index at {path} was not usable ({exc}): rebuilding it")
            remove_index(path)
    return None


@contextmanager
def opened(
    directory: Path, notice: Notice, cache: Path | None = None
) -> Iterator[sqlite3.Connection]:
    with closing(open_index(directory, notice, cache)) as conn:
        yield conn


def _refreshed(directory: Path, conn: sqlite3.Connection) -> None:
    """The tables in step with DIR: as they are when nothing changed (warm.py), else after an
    indexed discovery."""
    from bench_tui.index.tables import refresh

    if unchanged(conn, directory):
        return
    started = time.time_ns()
    log = WalkLog()
    workspace, cache = _discover(directory, conn, checked=False, log=log)
    # Claims read this time count as well as those replayed: what they read is in log.noted.
    walked = Walked(started, [*log.listed, *log.noted], replayed_all=not log.other_reads)
    refresh(conn, workspace, cache.seen, walked)


def search_workspace(
    directory: Path, query: str, limit: int, *, use_index: bool, notice: Notice
) -> list[Hit]:
    """Hits for `query` in DIR, after bringing the index in step with it."""
    from bench_tui.index.search import search

    def work(conn: sqlite3.Connection) -> list[Hit]:
        _refreshed(directory, conn)
        return search(conn, query, limit)

    return _on_index(directory, use_index, notice, work)


def query_workspace(
    directory: Path, sql: str, *, use_index: bool, notice: Notice
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Columns and rows of one read-only statement over the views of DIR."""
    from bench_tui.index.query import run_query

    def work(conn: sqlite3.Connection) -> tuple[list[str], list[tuple[Any, ...]]]:
        _refreshed(directory, conn)
        with closing(open_read_only(_database_file(conn))) as reader:
            return run_query(reader, sql)

    return _on_index(directory, use_index, notice, work)


def _database_file(conn: sqlite3.Connection) -> Path:
    return Path(conn.execute("PRAGMA database_list").fetchone()[2])


def _on_index(
    directory: Path, use_index: bool, notice: Notice, work: Callable[[sqlite3.Connection], T]
) -> T:
    """`work` on the folder's index; without one (`--no-index`, or none can be kept) on a
    throw-away index in a temporary folder."""
    if use_index:
        result = with_index(directory, notice, work)
        if result is not None:
            return result
    with (
        tempfile.TemporaryDirectory(prefix="bench-tui-index-") as scratch,
        opened(directory, notice, Path(scratch)) as conn,
    ):
        return work(conn)


def export_parquet(directory: Path, folder: Path, *, use_index: bool, notice: Notice) -> list[Path]:
    """The four views of DIR as Parquet files in `folder`."""
    from bench_tui.index.parquet import write_parquet

    def work(conn: sqlite3.Connection) -> list[Path]:
        _refreshed(directory, conn)
        return write_parquet(conn, folder)

    return _on_index(directory, use_index, notice, work)


class WorkspaceSearch:
    """Search for the app: the workspace it listed is put in the index once (the first search,
    off the UI thread), then each query is one FTS lookup. Without the index (`--no-index`) the
    tables live in a temporary folder for as long as this object."""

    def __init__(self, workspace: Workspace, *, use_index: bool, notice: Notice) -> None:
        self.workspace = workspace
        self.root = Path(workspace.root)
        self.notice = notice
        self._scratch = None if use_index else tempfile.TemporaryDirectory(prefix="bench-tui-")
        self._ready = False
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        """The steps are in the index: a search answers at once."""
        return self._ready

    def search(self, query: str, limit: int) -> list[Hit]:
        from bench_tui.index.search import search
        from bench_tui.index.tables import refresh

        cache = Path(self._scratch.name) if self._scratch is not None else None
        with self._lock:
            try:
                with opened(self.root, self.notice, cache) as conn:
                    if not self._ready:
                        refresh(conn, self.workspace)
                        self._ready = True
                    return search(conn, query, limit)
            except IndexUnavailable as exc:
                self.notice(f"no index: {exc}")
                return []
            except sqlite3.DatabaseError as exc:
                if is_busy(exc):
                    self.notice("the index is being written by another process: search again")
                    return []
                path = index_path(self.root, cache)
                self.notice(f"the index at {path} was not usable ({exc}): rebuilding it")
                remove_index(path)
                self._ready = False
                return []

    def close(self) -> None:
        if self._scratch is not None:
            self._scratch.cleanup()


def listed_with_index(
    directory: Path, should_stop: Callable[[], bool], notice: Notice
) -> Iterator[DiscoveryBatch]:
    """The app's listing (`iter_workspace` with deferred checks), claims replayed from the
    index; a corrupt index is said, removed, and the listing goes on reading every folder."""
    try:
        conn = open_index(directory, notice)
    except IndexUnavailable as exc:
        notice(f"no index: {exc}")
        yield from iter_workspace(directory, should_stop=should_stop, defer_checks=True)
        return
    with closing(conn):
        cache = ClaimIndex(conn, Path(os.path.abspath(directory)), notice)
        yield from iter_workspace(
            directory, should_stop=should_stop, defer_checks=True, claim_cache=cache
        )
        if not should_stop():
            try:
                cache.flush()
            except sqlite3.DatabaseError as exc:
                notice(f"the index at {index_path(directory)} was not updated: {exc}")
