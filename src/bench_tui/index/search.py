"""Full-text search over the index (DESIGN §10 "search"): words AND, "quoted phrases", case and
accents ignored (the unicode61 tokenizer with remove_diacritics 2), best matches first (bm25),
each hit with a snippet of the text around the match (snippets.py: the index keeps no copy of
the texts, so the snippet is cut from the trace's own)."""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from bench_tui.index.snippets import phrase_words, snippet
from bench_tui.index.store import sql_text, text_of, text_place

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
        ranked = conn.execute(
            "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT ?", (expression, limit)
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if "fts5" not in str(exc):
            raise
        raise BadQuery(f"cannot search for that: {exc}") from exc
    phrases = [phrase_words(term) for term in terms(query)]
    hits: list[Hit] = []
    for (row_id,) in ranked:
        # Hand the GIL over between hits: in the app, the UI thread waiting for it would
        # otherwise wait out the interpreter's switch interval (5 ms) on every hop of a key.
        time.sleep(0)
        trace, step, field = text_place(row_id)
        row = conn.execute(
            "SELECT run, model, task_id, texts FROM _traces WHERE trace = ?", (trace,)
        ).fetchone()
        if row is None:
            raise sqlite3.DatabaseError(f"text row {row_id} has no trace")  # rebuilt
        run, model, task_id, blob = row
        code = row_id & 3
        body = text_of(blob, step, code) or ""
        text = snippet(body, phrases, MARK_OPEN, MARK_CLOSE, SNIPPET_TOKENS)
        hits.append(Hit(run, model, task_id, step or None, field, text))
    return hits
