"""Triage labels and notes per (model, task) of a run, kept beside the run (DESIGN §2, §4, §7).

Where the records live
    `<run>/.bench-tui/triage.jsonl`. When the results folder cannot be written (read-only mount,
    someone else's folder) the store falls back to `<override>/<hash of the run's real path>/
    triage.jsonl`, where `<override>` is `$BENCH_TUI_TRIAGE_DIR`, else `$XDG_STATE_HOME/bench-tui/
    triage`, else `~/.local/state/bench-tui/triage`. Reading merges both files when both exist, so
    labels are found whichever folder the user opened and whoever wrote them.

Record format (one JSON object per line, UTF-8, `\\n`-terminated, append-only)::

    {"v": 1, "ts": 1762244140.12, "model": "qwen3-vl-2b-ft", "task_id": "notepad_3",
     "seed": null, "step": null, "op": "label", "label": "grounding miss", "note": null,
     "by": "ana@gpu-01"}

    v        format version; lines with a higher version are skipped with a Problem
    ts       time.time() of the write; two files merge in ts order (each file keeps its order)
    model    model name as the run reports it
    task_id  the task id (AgentLab: task_name); with `seed` it names one (model, task) key
    seed     AgentLab seed, else null
    step     0-based step index for a step label, else null (a label on the whole task)
    op       "label" adds `label`, "unlabel" removes it, "note" sets the task's note (`note`
             null or "" clears it), "blind" records a blind-comparison session (below)
    label    the label name for label/unlabel, else null
    note     the note text for op "note" (at most NOTE_MAX_BYTES of UTF-8), else null
    by       "user@host" of the writer, or null when it cannot be known
    blind_seed   on "blind": the session's seed; on label/unlabel: set when the label was
                 given while that blind session hid which model was which
    models       on "blind" only: the two models [A, B] compared (model and task_id are null)

Unknown fields are ignored. Replaying the lines in order gives the state: the set of labels per
(model, task_id, seed, step) and the latest note per (model, task_id, seed). Notes and labels
over NOTE_MAX_BYTES / LABEL_MAX_BYTES (hand-edited stores) are cut on reading, with a Problem.

A results tree is hostile: `.bench-tui` or `triage.jsonl` planted as a symbolic link (to a file
outside the results, or to a FIFO) would make appends write elsewhere or reads hang. Neither
is ever followed: such a store is a Problem, is not read, and new records go to the fallback
store as for a read-only folder (safeio.open_own_dir / open_own_file).

Concurrency and crashes: each record is ONE `os.write` of a whole line on a file opened with
`O_APPEND | O_CREAT | O_WRONLY`, then `os.fsync`. With O_APPEND the kernel moves the offset and
writes under one lock, so two app instances never interleave inside a line. Lines are kept under
MAX_LINE_BYTES (below PIPE_BUF, 4096) so that the guarantee also holds on filesystems that only
promise atomic appends for small writes; notes are cut to NOTE_MAX_BYTES. A crash can leave at
most the last line torn; the reader skips it with a Problem, and the next writer starts its line
with a newline so the torn fragment never swallows a new record. Writers take an advisory
`flock` around that check and their append, so the check never mistakes another writer's
half-copied line for a torn one (the lock is not what keeps lines whole: O_APPEND is).
"""

from __future__ import annotations

import errno
import getpass
import hashlib
import heapq
import json
import os
import socket
import stat
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

from bench_tui.atomic import write_atomic

try:
    import fcntl
except ImportError:  # Windows: appends stay atomic, only the torn-line check is unlocked
    fcntl = None  # type: ignore[assignment]
from bench_tui.model import Problem
from bench_tui.safeio import (
    NotRegularFile,
    SymlinkRefused,
    UnsafeFile,
    lexically_inside,
    open_own_dir,
    open_own_file,
    read_at,
)
from bench_tui.safetext import display_path
from bench_tui.sources.common import MAX_PARSE_BYTES
from bench_tui.userdirs import triage_override_dir

FORMAT_VERSION = 1
STORE_DIR = ".bench-tui"
STORE_FILE = "triage.jsonl"
MAX_LINE_BYTES = 4000
NOTE_MAX_BYTES = 2048
LABEL_MAX_BYTES = 256
"""Labels are names from a label set; a longer one read from a store is cut (and a Problem)."""
MAX_STORE_BYTES = MAX_PARSE_BYTES

Op = Literal["label", "unlabel", "note", "blind"]
OPS: frozenset[str] = frozenset({"label", "unlabel", "note", "blind"})
TaskKey = tuple[str, str, int | None]
"""(model, task_id, seed): one row of a run's task list."""
LabelKey = tuple[str, str, int | None, int | None]
"""(model, task_id, seed, step): step is None for a label on the whole task."""

K = TypeVar("K", bound=Hashable)

# Errors that mean "this folder is not ours to write", as opposed to a disk that is full.
_READ_ONLY_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


# ----- records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TriageRecord:
    """One line of the store."""

    op: Op
    model: str | None
    task_id: str | None
    ts: float
    seed: int | None = None
    step: int | None = None
    label: str | None = None
    note: str | None = None
    by: str | None = None
    blind_seed: int | None = None
    models: tuple[str, str] | None = None

    def to_line(self) -> bytes:
        body: dict[str, Any] = {
            "v": FORMAT_VERSION,
            "ts": self.ts,
            "model": self.model,
            "task_id": self.task_id,
            "seed": self.seed,
            "step": self.step,
            "op": self.op,
            "label": self.label,
            "note": self.note,
            "by": self.by,
        }
        if self.blind_seed is not None:
            body["blind_seed"] = self.blind_seed
        if self.models is not None:
            body["models"] = list(self.models)
        return (json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _optional_int(data: dict[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None or _is_int(value):
        return value
    raise ValueError(f"'{name}' must be an integer or null, got {json.dumps(value)[:40]}")


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if isinstance(value, str) and value:
        return value
    raise ValueError(f"'{name}' must be a non-empty string")


def parse_record(data: Any) -> TriageRecord:
    """A record from a decoded line; ValueError says what is wrong with it."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    version = data.get("v", FORMAT_VERSION)
    if not _is_int(version) or version > FORMAT_VERSION:
        raise ValueError(f"record version {version!r} is newer than this bench-tui reads")
    ts = data.get("ts")
    if not isinstance(ts, (int, float)) or isinstance(ts, bool):
        raise ValueError("'ts' must be a number")
    op = data.get("op")
    if op not in OPS:
        raise ValueError(f"'op' must be one of {', '.join(sorted(OPS))}, got {op!r}")
    by = data.get("by") if isinstance(data.get("by"), str) else None
    blind_seed = _optional_int(data, "blind_seed")
    if op == "blind":
        models = data.get("models")
        if blind_seed is None or not (
            isinstance(models, list)
            and len(models) == 2
            and all(isinstance(m, str) for m in models)
        ):
            raise ValueError("a 'blind' record needs 'blind_seed' and two 'models'")
        return TriageRecord(
            op="blind",
            model=None,
            task_id=None,
            ts=float(ts),
            by=by,
            blind_seed=blind_seed,
            models=(models[0], models[1]),
        )
    model = _text(data, "model")
    task_id = _text(data, "task_id")
    seed = _optional_int(data, "seed")
    step = _optional_int(data, "step")
    label = note = None
    if op == "note":
        note = data.get("note")
        if note is not None and not isinstance(note, str):
            raise ValueError("'note' must be a string or null")
    else:
        label = _text(data, "label")
    return TriageRecord(
        op=op,
        model=model,
        task_id=task_id,
        ts=float(ts),
        seed=seed,
        step=step,
        label=label,
        note=note or None,
        by=by,
        blind_seed=blind_seed,
    )


# ----- state -----------------------------------------------------------------------------------


@dataclass
class TriageState:
    """The replay of one run's records."""

    labels: dict[LabelKey, set[str]] = field(default_factory=dict)
    notes: dict[TaskKey, str] = field(default_factory=dict)
    blind_sessions: dict[int, tuple[str, str]] = field(default_factory=dict)
    """blind_seed -> the two models compared in that session."""
    given_blind: dict[tuple[LabelKey, str], int] = field(default_factory=dict)
    """(key, label) -> blind_seed, for labels whose last `label` record was given blind."""
    records: int = 0

    def apply(self, record: TriageRecord) -> None:
        self.records += 1
        if record.op == "blind":
            assert record.blind_seed is not None and record.models is not None
            self.blind_sessions[record.blind_seed] = record.models
            return
        assert record.model is not None and record.task_id is not None
        if record.op == "note":
            task_key = (record.model, record.task_id, record.seed)
            if record.note:
                self.notes[task_key] = record.note
            else:
                self.notes.pop(task_key, None)
            return
        assert record.label is not None
        key = (record.model, record.task_id, record.seed, record.step)
        if record.op == "label":
            self.labels.setdefault(key, set()).add(record.label)
            if record.blind_seed is None:
                self.given_blind.pop((key, record.label), None)
            else:
                self.given_blind[(key, record.label)] = record.blind_seed
            return
        present = self.labels.get(key)
        if present is not None:
            present.discard(record.label)
            if not present:
                del self.labels[key]
        self.given_blind.pop((key, record.label), None)

    def labels_for(
        self,
        model: str,
        task_id: str,
        seed: int | None = None,
        step: int | None = None,
        *,
        all_steps: bool = False,
    ) -> list[str]:
        """Sorted labels on exactly this task (or step); `all_steps` adds its steps' labels."""
        if not all_steps:
            return sorted(self.labels.get((model, task_id, seed, step), ()))
        found: set[str] = set()
        for (m, t, s, _step), names in self.labels.items():
            if (m, t, s) == (model, task_id, seed):
                found |= names
        return sorted(found)

    def note_for(self, model: str, task_id: str, seed: int | None = None) -> str | None:
        return self.notes.get((model, task_id, seed))

    def task_labels(self) -> dict[TaskKey, set[str]]:
        """Labels per (model, task_id, seed), its steps' labels included."""
        merged: dict[TaskKey, set[str]] = {}
        for (model, task_id, seed, _step), names in self.labels.items():
            merged.setdefault((model, task_id, seed), set()).update(names)
        return merged

    def counts(self) -> dict[str, int]:
        """label -> number of (model, task_id, seed) keys carrying it (on the task or a step)."""
        totals: dict[str, int] = {}
        for names in self.task_labels().values():
            for name in names:
                totals[name] = totals.get(name, 0) + 1
        return dict(sorted(totals.items()))


def replay(records: Iterable[TriageRecord]) -> TriageState:
    state = TriageState()
    for record in records:
        state.apply(record)
    return state


# ----- reading ---------------------------------------------------------------------------------


class _Tail:
    """One JSONL file read incrementally: complete lines only, from a remembered offset."""

    def __init__(self, path: Path, shown_as: str) -> None:
        self.path = path
        self.shown_as = shown_as
        self.records: list[TriageRecord] = []
        self.problems: list[Problem] = []
        self.torn: Problem | None = None
        """The unfinished last line, if any: kept out of `problems` because a concurrent writer
        may finish it before the next read."""
        self._offset = 0
        self._lines = 0
        self._identity: tuple[int, int] | None = None

    def refresh(self) -> tuple[list[TriageRecord], bool]:
        """(records added since the last call, whether the file was replaced and re-read)."""
        try:
            fd = _open_store(self.path, os.O_RDONLY)
        except FileNotFoundError:
            reset = bool(self.records or self.problems or self._offset)
            self._clear()
            return [], reset
        except UnsafeFile as exc:
            reset = bool(self.records or self.problems or self._offset)
            self._clear()
            self.torn = Problem(path=self.shown_as, message=refusal_message(exc))
            return [], reset
        except OSError as exc:
            self.torn = Problem(
                path=self.shown_as, message=f"cannot read triage store: {exc.strerror or exc}"
            )
            return [], False
        try:
            info = os.fstat(fd)
            identity = (info.st_dev, info.st_ino)
            reset = self._identity is not None and (
                identity != self._identity or info.st_size < self._offset
            )
            if reset:
                self._clear()
            self._identity = identity
            if info.st_size > MAX_STORE_BYTES:
                self.torn = Problem(
                    path=self.shown_as,
                    message=f"triage store is {info.st_size / 1048576:.1f} MB, over the "
                    f"{MAX_STORE_BYTES // 1048576} MB limit: not read",
                )
                return [], reset
            if info.st_size == self._offset:
                self.torn = None
                return [], reset
            chunk = read_at(fd, self._offset, min(info.st_size, MAX_STORE_BYTES) - self._offset)
        except OSError as exc:
            self.torn = Problem(
                path=self.shown_as, message=f"cannot read triage store: {exc.strerror or exc}"
            )
            return [], False
        finally:
            os.close(fd)
        end = chunk.rfind(b"\n") + 1
        added = self._parse(chunk[:end])
        self._offset += end
        tail = chunk[end:]
        self.torn = None
        if tail.strip():
            self.torn = Problem(
                path=self.shown_as,
                line=self._lines + 1,
                message="torn last line (no newline at the end, likely a crash mid-write): skipped",
            )
        return added, reset

    def _clear(self) -> None:
        self.records.clear()
        self.problems.clear()
        self.torn = None
        self._offset = 0
        self._lines = 0
        self._identity = None

    def _parse(self, block: bytes) -> list[TriageRecord]:
        added: list[TriageRecord] = []
        for raw in block.split(b"\n")[:-1]:
            self._lines += 1
            if not raw.strip():
                continue
            try:
                record = parse_record(json.loads(raw.decode("utf-8")))
            except UnicodeDecodeError:
                self._problem("not UTF-8 text: line skipped")
            except json.JSONDecodeError as exc:
                self._problem(f"invalid JSON ({exc.msg}, column {exc.colno}): line skipped")
            except (ValueError, RecursionError) as exc:
                self._problem(f"not a triage record ({exc}): line skipped")
            else:
                added.append(self._capped(record))
        self.records.extend(added)
        return added

    def _capped(self, record: TriageRecord) -> TriageRecord:
        """Notes and labels no longer than a writer keeps them: a hand-made store could hold
        megabytes in one note, and everything shows and exports it."""
        if record.note is not None and _utf8_size(record.note) > NOTE_MAX_BYTES:
            size = _utf8_size(record.note)
            self._problem(f"note is {size:,} bytes, over the {NOTE_MAX_BYTES:,}-byte limit: cut")
            record = replace(record, note=cap_note(record.note))
        if record.label is not None and _utf8_size(record.label) > LABEL_MAX_BYTES:
            size = _utf8_size(record.label)
            self._problem(f"label is {size:,} bytes, over the {LABEL_MAX_BYTES}-byte limit: cut")
            record = replace(record, label=cap_text(record.label, LABEL_MAX_BYTES))
        return record

    def _problem(self, message: str) -> None:
        self.problems.append(Problem(path=self.shown_as, line=self._lines, message=message))

    def all_problems(self) -> list[Problem]:
        return self.problems + ([self.torn] if self.torn is not None else [])


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))  # JSON can carry lone surrogates


def _shown_as(path: Path, relative_to: Path | None) -> str:
    """Relative to the opened folder when inside it; the fallback store keeps its full path."""
    text = os.fspath(path)
    if relative_to is not None and lexically_inside(text, relative_to):
        text = os.path.relpath(text, relative_to).replace(os.sep, "/")
    return display_path(text)


def _merged(tails: list[_Tail]) -> Iterator[TriageRecord]:
    # heapq.merge keeps each file's own order even where clocks stepped back.
    return heapq.merge(*(tail.records for tail in tails), key=lambda record: record.ts)


def load_triage(
    store_path: Path | Iterable[Path], relative_to: Path | None = None
) -> tuple[TriageState, list[Problem]]:
    """Replay one store file (or several, merged by time). Never raises on bad data.

    Problems carry the path relative to `relative_to` when given, else the path as passed.
    A missing file is an empty state, not a Problem.
    """
    paths = [Path(store_path)] if isinstance(store_path, (str, os.PathLike)) else list(store_path)
    tails = [_Tail(path, _shown_as(path, relative_to)) for path in paths]
    for tail in tails:
        tail.refresh()
    problems = [problem for tail in tails for problem in tail.all_problems()]
    return replay(_merged(tails)), problems


# ----- where stores live -----------------------------------------------------------------------


def default_override_dir() -> Path:
    return triage_override_dir()


def run_hash(run_path: Path | str) -> str:
    """Names the fallback folder of a run: the same whichever symlink led to it."""
    real = os.path.realpath(os.fspath(run_path))
    return hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def primary_store_path(run_path: Path | str) -> Path:
    return Path(run_path) / STORE_DIR / STORE_FILE


def fallback_store_path(run_path: Path | str, override_dir: Path | None = None) -> Path:
    base = override_dir if override_dir is not None else default_override_dir()
    return base / run_hash(run_path) / STORE_FILE


class TriageLookup:
    """Finds the stores of many runs for `summary`/`export`: one exists() per run.

    The fallback folder is listed once, and a run's real path is hashed only when that
    folder holds anything, so runs without triage cost a single stat.
    """

    def __init__(self, override_dir: Path | None = None) -> None:
        self.override_dir = override_dir if override_dir is not None else default_override_dir()
        self._fallback_names: frozenset[str] | None = None

    def _fallback_entries(self) -> frozenset[str]:
        if self._fallback_names is None:
            try:
                self._fallback_names = frozenset(os.listdir(self.override_dir))
            except OSError:
                # No fallback folder (the usual case) or an unreadable one: nothing to merge.
                self._fallback_names = frozenset()
        return self._fallback_names

    def paths(self, run_path: Path | str) -> list[Path]:
        found: list[Path] = []
        primary = primary_store_path(run_path)
        # lexists: a `.bench-tui` planted as a link is listed, so that reading reports it.
        if os.path.lexists(primary.parent):
            found.append(primary)
        if self._fallback_entries():
            digest = run_hash(run_path)
            if digest in self._fallback_entries():
                fallback = self.override_dir / digest / STORE_FILE
                if os.path.exists(fallback):
                    found.append(fallback)
        return found

    def state(self, run_path: Path | str) -> TriageState | None:
        """The run's triage, or None when it has none."""
        return self.load(run_path)[0]

    def load(
        self, run_path: Path | str, relative_to: Path | None = None
    ) -> tuple[TriageState | None, list[Problem]]:
        """The run's triage (None when it has none) and the Problems of its store files."""
        paths = self.paths(run_path)
        if not paths:
            return None, []
        return load_triage(paths, relative_to)


def store_problems(
    run_paths: Iterable[Path | str], relative_to: Path, lookup: TriageLookup | None = None
) -> list[Problem]:
    """Problems of the triage stores of these runs (unreadable lines, a torn last line, a store
    planted as a link): a broken store is a broken file in the tree, listed like any other."""
    lookup = lookup or TriageLookup()
    problems: list[Problem] = []
    for run_path in run_paths:
        problems.extend(lookup.load(run_path, relative_to)[1])
    return problems


# ----- writing ---------------------------------------------------------------------------------


def _writer_id() -> str | None:
    try:
        return f"{getpass.getuser()}@{socket.gethostname()}"
    except (KeyError, OSError):
        # No passwd entry for the uid (common in containers): the record is still useful.
        return None


def cap_note(note: str) -> str:
    """The note cut to NOTE_MAX_BYTES of UTF-8, on a character boundary."""
    return cap_text(note, NOTE_MAX_BYTES)


def cap_text(text: str, limit: int) -> str:
    """`text` cut to `limit` bytes of UTF-8, on a character boundary."""
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw) <= limit:
        return text
    return raw[:limit].decode("utf-8", "ignore")


def append_record(path: Path, record: TriageRecord) -> None:
    """One os.write of one whole line, then fsync. The folder must exist.

    Neither the folder nor the file may be a symbolic link, and the file must be a regular one
    (UnsafeFile otherwise): a planted link must never turn an append into a write elsewhere.
    """
    line = record.to_line()
    if len(line) > MAX_LINE_BYTES:
        raise ValueError(
            f"triage record is {len(line)} bytes, over {MAX_LINE_BYTES}: shorten the names"
        )
    folder_fd = open_own_dir(path.parent)
    try:
        fd = open_own_file(folder_fd, path.parent, path.name, os.O_RDWR | os.O_APPEND | os.O_CREAT)
        try:
            if fcntl is not None:
                # The append alone is atomic; the lock only keeps the torn-line check below from
                # reading another writer's line while it is being copied in (released on close,
                # and by the kernel when a writer is killed).
                fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                # A crash left a line without its newline: end it, or it would swallow this record.
                line = b"\n" + line
            written = os.write(fd, line)
            if written != len(line):
                raise OSError(errno.EIO, f"short write to {path}: {written} of {len(line)} bytes")
            os.fsync(fd)
        finally:
            os.close(fd)
        if size == 0:
            _fsync_dir(folder_fd)  # make a new file's name durable too
    finally:
        if folder_fd >= 0:
            os.close(folder_fd)


def _open_store(path: Path, flags: int) -> int:
    """A store file opened without following a link in its folder or its own name."""
    folder_fd = open_own_dir(path.parent)
    try:
        return open_own_file(folder_fd, path.parent, path.name, flags)
    finally:
        if folder_fd >= 0:
            os.close(folder_fd)


def _primary_refusal(primary: Path) -> UnsafeFile | None:
    """Why a run's own store must not be used: its folder or file is a link or the wrong kind."""
    for path, want_dir in ((primary.parent, True), (primary, False)):
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return None  # missing (made on first write) or unreadable (the write will say)
        if stat.S_ISLNK(mode):
            return SymlinkRefused(path)
        if want_dir and not stat.S_ISDIR(mode):
            return UnsafeFile(errno.ENOTDIR, "not a folder", path)
        if not want_dir and not stat.S_ISREG(mode):
            return NotRegularFile(path, mode)
    return None


def refusal_message(exc: OSError) -> str:
    """The Problem for a store that is not used: which part is wrong, and where labels go."""
    name = os.path.basename(exc.filename) if exc.filename else STORE_FILE
    return (
        f"triage store not used: {display_path(name)} is {exc.strerror} "
        "(new labels go to the fallback store)"
    )


def _fsync_dir(folder_fd: int) -> None:
    """Some filesystems cannot sync a folder, which is harmless."""
    if folder_fd < 0:
        return
    try:
        os.fsync(folder_fd)
    except OSError:
        return


class TriageStore:
    """Labels and notes of one run: appends records, replays them on demand."""

    def __init__(
        self,
        run_path: Path | str,
        override_dir: Path | None = None,
        *,
        relative_to: Path | None = None,
        clock: Callable[[], float] = time.time,
        writer: str | None = None,
    ) -> None:
        """`clock` and `writer` stamp new records (`ts`, `by`); the demo fixes both so that
        writing it twice gives the same bytes. `writer` defaults to user@host."""
        self.run_path = Path(run_path)
        self.override_dir = override_dir if override_dir is not None else default_override_dir()
        self.primary_path = primary_store_path(self.run_path)
        self.fallback_path = self.override_dir / run_hash(self.run_path) / STORE_FILE
        self.refused: Problem | None = None
        """Why the run's own store is not used (a planted link, a FIFO), when that is so."""
        shown = _shown_as(self.primary_path, relative_to)
        self._shown_primary = shown
        refusal = _primary_refusal(self.primary_path)
        if refusal is not None:
            self.refused = Problem(path=shown, message=refusal_message(refusal))
        usable = refusal is None and self._primary_writable()
        self.store_path = self.primary_path if usable else self.fallback_path
        """Where new records go: the run's own store unless the results folder is read-only
        or the store there is refused."""
        self._tails = [
            _Tail(self.primary_path, shown),
            _Tail(self.fallback_path, _shown_as(self.fallback_path, relative_to)),
        ]
        self._state = TriageState()
        self._clock = clock
        self._by = writer if writer is not None else _writer_id()

    @property
    def read_only_fallback(self) -> bool:
        return self.store_path == self.fallback_path

    def _primary_writable(self) -> bool:
        folder = self.primary_path.parent
        if os.path.isdir(folder):
            if not os.access(folder, os.W_OK):
                return False
            return not os.path.exists(self.primary_path) or os.access(self.primary_path, os.W_OK)
        return os.access(self.run_path, os.W_OK)

    # -- reading --

    def state(self) -> TriageState:
        """The current replay; reads only what was appended since the last call.

        The object returned is updated in place by later calls when only new lines arrived.
        """
        news: list[list[TriageRecord]] = []
        rebuild = False
        for tail in self._tails:
            added, reset = tail.refresh()
            rebuild = rebuild or reset
            news.append(added)
        sources = sum(1 for tail in self._tails if tail.records)
        if rebuild or (sources > 1 and any(news)):
            self._state = replay(_merged(self._tails))
        else:
            for added in news:
                for record in added:
                    self._state.apply(record)
        return self._state

    @property
    def problems(self) -> list[Problem]:
        """Unreadable lines in the store, plus a torn last line if one is there now."""
        self.state()
        found = [problem for tail in self._tails for problem in tail.all_problems()]
        if self.refused is not None and self.refused not in found:
            found.insert(0, self.refused)
        return found

    def labels_for(
        self, model: str, task_id: str, seed: int | None = None, step: int | None = None
    ) -> list[str]:
        return self.state().labels_for(model, task_id, seed, step)

    def note_for(self, model: str, task_id: str, seed: int | None = None) -> str | None:
        return self.state().note_for(model, task_id, seed)

    def counts(self) -> dict[str, int]:
        return self.state().counts()

    # -- writing --

    def add_label(
        self,
        model: str,
        task_id: str,
        label: str,
        seed: int | None = None,
        step: int | None = None,
        *,
        blind_seed: int | None = None,
    ) -> None:
        self._write("label", model, task_id, seed, step, label=label, blind_seed=blind_seed)

    def remove_label(
        self,
        model: str,
        task_id: str,
        label: str,
        seed: int | None = None,
        step: int | None = None,
        *,
        blind_seed: int | None = None,
    ) -> None:
        self._write("unlabel", model, task_id, seed, step, label=label, blind_seed=blind_seed)

    def set_note(
        self, model: str, task_id: str, note: str | None, seed: int | None = None
    ) -> str | None:
        """Store the note (None or "" clears it); returns the text kept after the size cap."""
        kept = cap_note(note) if note else None
        self._write("note", model, task_id, seed, None, note=kept)
        return kept

    def start_blind(self, models: tuple[str, str], blind_seed: int) -> None:
        """Record that labels given with this blind_seed were given without knowing A from B."""
        record = TriageRecord(
            op="blind",
            model=None,
            task_id=None,
            ts=self._clock(),
            by=self._by,
            blind_seed=blind_seed,
            models=(models[0], models[1]),
        )
        self._append(record)

    def _write(
        self,
        op: Op,
        model: str,
        task_id: str,
        seed: int | None,
        step: int | None,
        *,
        label: str | None = None,
        note: str | None = None,
        blind_seed: int | None = None,
    ) -> None:
        if not model or not task_id:
            raise ValueError("model and task_id must be non-empty")
        if op in ("label", "unlabel") and not label:
            raise ValueError("label must be non-empty")
        record = TriageRecord(
            op=op,
            model=model,
            task_id=task_id,
            ts=self._clock(),
            seed=seed,
            step=step,
            label=label,
            note=note,
            by=self._by,
            blind_seed=blind_seed,
        )
        self._append(record)

    def _append(self, record: TriageRecord) -> None:
        if self.store_path == self.primary_path:
            try:
                self._ensure_primary_dir()
                append_record(self.primary_path, record)
                return
            except UnsafeFile as exc:
                # Planted after this store was opened: refused like one found at the start.
                self.refused = Problem(path=self._shown_primary, message=refusal_message(exc))
                self.store_path = self.fallback_path
            except OSError as exc:
                if exc.errno not in _READ_ONLY_ERRNOS:
                    raise
                # The folder said it was writable but is not (root-squash NFS, ro mount):
                # from now on this store writes to the fallback.
                self.store_path = self.fallback_path
        self._ensure_fallback_dir()
        append_record(self.fallback_path, record)

    def _ensure_primary_dir(self) -> None:
        folder_fd = open_own_dir(self.primary_path.parent, create=True)
        if folder_fd >= 0:
            os.close(folder_fd)

    def _ensure_fallback_dir(self) -> None:
        folder = self.fallback_path.parent
        if folder.is_dir() and not folder.is_symlink():
            return
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder_fd = open_own_dir(folder, create=True)
        if folder_fd >= 0:
            os.close(folder_fd)
        # Tells a person browsing the state folder which run these labels belong to.
        write_atomic(folder / "run.txt", (os.path.realpath(self.run_path) + "\n").encode())
