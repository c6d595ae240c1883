"""The tables behind `query` and `search`, brought in step with a discovered workspace.

`runs`, `executions` (the export's rows, by its own row builder) and `labels` are rewritten on
every refresh: they come from the outcomes discovery just read, which costs little. Steps cost a
trace file each, so a trace's rows are kept while what they were read from is unchanged: for an
OpenAdapt execution its execution.json and screenshots folder (a screenshot without a record
is a step), its instruction and error (for a task with no record yet: its folder and screenshots
folder); traces of other formats and of live runs are read again every time (their steps come
from files that are harder to name). When every trace is stamped and discovery replayed every
claim, the files all this depended on are kept for the warm check (warm.py). The full-text index
`fts` holds one row per (trace, step, field): instruction and error (step 0, reported as none),
action, reasoning and log lines (step 1-based); the texts themselves are in the trace's blob.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench_tui.index.claims import signature
from bench_tui.index.fingerprint import fingerprint
from bench_tui.index.store import (
    STEP_FIELDS,
    compact,
    pack_texts,
    sql_text,
    text_id,
    texts_in,
)
from bench_tui.index.warm import Walked, forget, remember
from bench_tui.model import Execution, Run, Step, Task, Workspace
from bench_tui.report import run_export_rows
from bench_tui.sources.steps import load_steps
from bench_tui.triage.store import STORE_FILE, TriageLookup, primary_store_path, run_hash
from bench_tui.userdirs import triage_override_dir

REFRESH_TIMEOUT_MS = 600_000
"""A refresh waits this long for another process's (the first build of a big folder is long)."""


def _clean(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        sql_text(value) if isinstance(value, str) and not value.isascii() else value
        for value in row
    )


def trace_key(run: Run, execution: Execution) -> str:
    return "\x00".join((run.id, execution.model, execution.task_id, str(execution.seed)))


def _stamp(
    run: Run,
    execution: Execution,
    task: Task | None,
    known: dict[str, bytes],
    depends: list[str] | None,
) -> bytes | None:
    """A digest of what a trace's rows depend on, or None: read it again every time. The files
    it names go to `depends` (for the warm check)."""
    source = execution.source_path
    if run.format != "openadapt" or run.live:
        return None
    if source is not None:
        # The records, and the screenshots folder (a screenshot without a record is a step).
        files = (source, f"{os.path.dirname(source)}/screenshots")
    elif task is not None and task.folder:
        # A task with no record yet (in a run that is not being written): its steps are the
        # screenshots its folder holds; a record appearing changes the folder.
        files = (task.folder, f"{task.folder}/screenshots")
    else:
        return None
    if depends is not None:
        depends += files
    sigs = b"".join(known.get(path) or signature(path) for path in files)
    instruction = task.instruction if task is not None else None
    texts = _digest(instruction, execution.error)
    return _bytes_digest(f"{fingerprint()}:{sigs.hex()}:{texts}")


def _bytes_digest(text: str) -> bytes:
    """16 bytes stand for a trace's key or stamp in `_traces` (the texts would be 10 times
    that, per trace)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _digest(*parts: Any) -> str:
    text = "\x00".join("\x01" if part is None else str(part) for part in parts)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def action_words(step: Step) -> str:
    """What search finds an action by: its type, typed text, keys and element."""
    words: list[str] = []
    for action in step.actions:
        keys = "+".join([*action.modifiers, action.key]) if action.key else None
        for part in (
            action.type,
            action.text,
            keys,
            action.element_name,
            action.element_id,
            action.answer,
        ):
            if part:
                words.append(part)
    return " ".join(words)


def _step_texts(step: Step) -> Iterator[tuple[str, str]]:
    action = action_words(step)
    if action:
        yield "action", action
    reasoning = "\n".join(text for text in (step.reasoning, step.raw_output) if text)
    if reasoning:
        yield "reasoning", reasoning
    logs = "\n".join([*step.logs_before, *step.logs])
    if logs:
        yield "log", logs


def _duration_s(step: Step) -> float | None:
    duration = step.duration_ms
    return None if duration is None else duration / 1000.0


def refresh(
    conn: sqlite3.Connection,
    workspace: Workspace,
    known: dict[str, bytes] | None = None,
    walked: Walked | None = None,
) -> None:
    """Rewrite the outcome tables and the traces that changed, in one transaction. `known`:
    file signatures discovery just took (`ClaimIndex.seen`), not taken twice. `walked`: what
    that discovery depended on; given, and when nothing else was read, the warm check's list
    is kept (warm.py), else cleared."""
    root = Path(workspace.root)
    known = known or {}
    conn.execute(f"PRAGMA busy_timeout={REFRESH_TIMEOUT_MS}")
    conn.execute("BEGIN IMMEDIATE")
    try:
        forget(conn)
        _write_outcomes(conn, workspace)
        depends: list[str] | None = [] if walked is not None and walked.replayed_all else None
        depends = _write_traces(conn, workspace, root, known, depends)
        if (
            walked is not None
            and depends is not None
            and not any(run.live for run in workspace.runs)
            and not (workspace.evals or workspace.trainings or workspace.episodes)
        ):
            paths = [*walked.listed, *known, *depends, *_triage_paths(workspace)]
            remember(conn, root, paths, walked, known)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    compact(conn)


def _triage_paths(workspace: Workspace) -> list[str]:
    """Where TriageLookup looks for each run's labels and notes (they are in `executions`)."""
    override = triage_override_dir()
    paths = [os.fspath(override)]
    for run in workspace.runs:
        primary = primary_store_path(run.path)
        fallback = override / run_hash(run.path)
        paths += (os.fspath(primary.parent), os.fspath(primary))
        paths += (os.fspath(fallback), os.fspath(fallback / STORE_FILE))
    return paths


def _write_outcomes(conn: sqlite3.Connection, workspace: Workspace) -> None:
    triage = TriageLookup()
    runs: list[tuple[Any, ...]] = []
    executions: list[tuple[Any, ...]] = []
    labels: list[tuple[Any, ...]] = []
    for run in workspace.runs:
        runs.append(
            (
                run.id,
                run.format,
                run.benchmark,
                run.label,
                run.created_at.isoformat() if run.created_at else None,
                run.is_mock,
                run.live,
                len(run.tasks),
                ";".join(run.models),
            )
        )
        executions.extend(_execution_row(row) for row in run_export_rows(run, triage))
        state = triage.state(run.path)
        if state is not None:
            labels.extend(
                (run.id, model, task_id, seed, label, state.note_for(model, task_id, seed))
                for (model, task_id, seed), names in state.task_labels().items()
                for label in sorted(names)
            )
    # Unchanged since the last refresh (the usual case): nothing to rewrite. (json.dumps
    # escapes what SQLite could not store, so the digest is taken before cleaning.)
    digest = _digest(json.dumps([runs, executions, labels], default=str))
    if conn.execute("SELECT value FROM _meta WHERE name = 'outcomes'").fetchone() == (digest,):
        return
    runs, executions, labels = (
        [_clean(row) for row in rows] for rows in (runs, executions, labels)
    )
    for table in ("_runs", "_executions", "_labels"):
        conn.execute(f"DELETE FROM {table}")
    conn.executemany("INSERT INTO _runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", runs)
    conn.executemany(
        "INSERT INTO _executions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", executions
    )
    conn.executemany("INSERT INTO _labels VALUES (?, ?, ?, ?, ?, ?)", labels)
    conn.execute("INSERT OR REPLACE INTO _meta(name, value) VALUES ('outcomes', ?)", (digest,))


def _execution_row(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["run"],
        row["model"],
        row["task_id"],
        row["domain"],
        row["status"],
        row["success"],
        row["score"],
        row["steps"],
        row["duration_s"],
        row["error"],
        ";".join(row["labels"]),
        row["note"],
        row.get("seed"),
    )


def _write_traces(
    conn: sqlite3.Connection,
    workspace: Workspace,
    root: Path,
    known: dict[str, bytes],
    depends: list[str] | None,
) -> list[str] | None:
    """`depends` gets the files the stamps name; None is returned when a trace has no stamp."""
    stored = {
        key: (trace, stamp)
        for trace, key, stamp in conn.execute("SELECT trace, key, stamp FROM _traces")
    }
    seen: set[str] = set()
    kept: set[bytes] = set()
    trials: dict[str, int] = {}
    for run in workspace.runs:
        tasks = {task.task_id: task for task in run.tasks}
        for execution in run.executions:
            key = sql_text(trace_key(run, execution))
            if key in seen:  # another trial of the task in this run: its own rows
                trials[key] = trials.get(key, 0) + 1
                key = f"{key}\x00#{trials[key]}"
            seen.add(key)
            kept.add(_bytes_digest(key))
            task = tasks.get(execution.task_id)
            stamp = _stamp(run, execution, task, known, depends)
            if stamp is None:
                depends = None
            old = stored.get(_bytes_digest(key))
            if old is not None and stamp is not None and old[1] == stamp:
                continue
            if old is not None:
                _drop_trace(conn, old[0])
            steps, _problems = load_steps(run, execution, root)  # validate reports them
            _add_trace(conn, key, run, execution, task, steps, stamp)
    for key_digest, (trace, _stamp_digest) in stored.items():
        if key_digest not in kept:
            _drop_trace(conn, trace)
    return depends


def _drop_trace(conn: sqlite3.Connection, trace: int) -> None:
    # Contentless FTS: each row leaves the index with the text it went in with.
    row = conn.execute("SELECT texts FROM _traces WHERE trace = ?", (trace,)).fetchone()
    if row is not None:
        conn.executemany(
            "INSERT INTO fts(fts, rowid, body) VALUES ('delete', ?, ?)",
            [(text_id(trace, step, code), body) for step, code, body in texts_in(row[0])],
        )
    conn.execute("DELETE FROM _steps WHERE trace = ?", (trace,))
    conn.execute("DELETE FROM _traces WHERE trace = ?", (trace,))


def _add_trace(
    conn: sqlite3.Connection,
    key: str,
    run: Run,
    execution: Execution,
    task: Task | None,
    steps: list[Step],
    stamp: bytes | None,
) -> None:
    instruction = task.instruction if task is not None and task.instruction else None
    step_texts: list[list[str | None]] = []
    step_rows: list[tuple[Any, ...]] = []
    for number, step in enumerate(steps, start=1):
        found = dict(_step_texts(step))
        step_texts.append([sql_text(found.get(field)) for field in STEP_FIELDS.values()])
        action = step.action
        step_rows.append(
            _clean(
                (
                    number,
                    action.type if action else None,
                    action.x if action else None,
                    action.y if action else None,
                    action.text if action else None,
                    _duration_s(step),
                )
            )
        )
    blob = pack_texts(sql_text(instruction), sql_text(execution.error or None), step_texts)
    cursor = conn.execute(
        "INSERT INTO _traces(key, run, model, task_id, seed, stamp, texts) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            _bytes_digest(key),
            *_clean((run.id, execution.model, execution.task_id, execution.seed)),
            stamp or b"",
            blob,
        ),
    )
    trace = cursor.lastrowid
    assert trace is not None
    conn.executemany(
        "INSERT INTO fts(rowid, body) VALUES (?, ?)",
        [(text_id(trace, step, code), body) for step, code, body in texts_in(blob)],
    )
    conn.executemany(
        "INSERT INTO _steps VALUES (?, ?, ?, ?, ?, ?, ?)", [(trace, *row) for row in step_rows]
    )
