"""Full-text search over the index (DESIGN §10 "search"): words AND, "quoted phrases", case and
accents ignored (the unicode61 tokenizer with remove_diacritics 2), best matches first (bm25),
each hit with a snippet of the text around the match."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from bench_tui.index.store import FIELDS, sql_text

MARK_OPEN = "\u00ab"
MARK_CLOSE = "\u00bb"
"""Around each match in a snippet (« »): the app highlights what is between them."""
SNIPPET_TOKENS = 12
DEFAULT_LIMIT = 50

_TERM = re.compile(r'"([^"]*)"?|(\S+)')


class BadQuery(ValueError):
    """A search with nothing to look for."""


@dataclass(frozen=True)
class Hit:
    run: str
    model: str
    task_id: str
    step: int | None
    """1-based; None for task-level fields (instruction, error)."""
    field: str
    snippet: str

    def as_json(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "model": self.model,
            "task_id": self.task_id,
            "step": self.step,
            "field": self.field,
            "snippet": self.snippet,
        }


def terms(query: str) -> list[str]:
    """The words and phrases of a query, as the user typed them (an unclosed quote runs to the
    end)."""
    found: list[str] = []
    for match in _TERM.finditer(query):
        phrase, word = match.group(1), match.group(2)
        text = phrase if phrase is not None else word
        if text and text.strip():
            found.append(text.strip())
    return found


def fts_query(query: str) -> str:
    """The FTS5 query: each word or phrase a quoted string (so nothing in it is an operator),
    all of them required."""
    found = terms(query)
    if not found:
        raise BadQuery("nothing to search for")
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in found)


def search(conn: sqlite3.Connection, query: str, limit: int = DEFAULT_LIMIT) -> list[Hit]:
    expression = sql_text(fts_query(query))
    try:
        rows = conn.execute(
            f"""
            SELECT t.run, t.model, t.task_id, x.step, x.field,
               snippet(fts, 0, ?, ?, '…', {SNIPPET_TOKENS})
        FROM fts JOIN _texts x ON x.id = fts.rowid JOIN _traces t ON t.trace = (x.id >> 15)
        WHERE fts MATCH ? ORDER BY rank LIMIT ?
        """,
            (MARK_OPEN, MARK_CLOSE, expression, limit),
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if "fts5" not in str(exc):
            raise
        raise BadQuery(f"cannot search for that: {exc}") from exc
    return [
        Hit(run, model, task, step, FIELDS[code], text)
        for run, model, task, step, code, text in rows
    ]
