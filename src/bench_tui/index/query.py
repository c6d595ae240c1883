"""Read-only SQL over the index's views (DESIGN §10 "query").

Two locks: the file is opened read-only (`mode=ro`: SQLite refuses any write), and an authorizer
allows only reading (SELECT, reading columns, functions, recursive CTEs, and PRAGMAs that read a
table's shape): ATTACH (which could create a file), writes, and PRAGMAs that set anything are
denied before the statement runs.
"""

from __future__ import annotations

import sqlite3
from typing import Any

READING_PRAGMAS = frozenset({"table_info", "table_xinfo", "table_list", "index_list"})
_ALLOWED = frozenset(
    {
        sqlite3.SQLITE_SELECT,
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_FUNCTION,
        sqlite3.SQLITE_RECURSIVE,
    }
)


class QueryRefused(Exception):
    """A statement that is not a read, or SQL that does not run: one line for the user."""


def _authorize(action: int, arg1: str | None, arg2: str | None, *_: Any) -> int:
    if action in _ALLOWED:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in READING_PRAGMAS:
        return sqlite3.SQLITE_OK  # these only describe tables, whatever their argument
    return sqlite3.SQLITE_DENY


def guard(conn: sqlite3.Connection) -> None:
    conn.set_authorizer(_authorize)


def run_query(conn: sqlite3.Connection, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(column names, rows) of one read-only statement on a guarded read-only connection."""
    guard(conn)
    try:
        cursor = conn.execute(sql)
        rows = cursor.fetchall()
    except sqlite3.DatabaseError as exc:
        message = str(exc)
        if "not authorized" in message or "readonly" in message:
            raise QueryRefused(f"only reading statements are allowed: {message}") from exc
        raise QueryRefused(message) from exc
    except sqlite3.ProgrammingError as exc:  # several statements at once
        raise QueryRefused(str(exc)) from exc
    columns = [column[0] for column in cursor.description or ()]
    return columns, rows


def plain_value(value: Any) -> Any:
    """A value JSON and CSV can carry: blobs as hex text."""
    if isinstance(value, bytes):
        return "x'" + value.hex() + "'"
    return value
