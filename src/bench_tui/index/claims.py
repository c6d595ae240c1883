"""Replay a reader's claim of a folder while every file it read is unchanged (base.ClaimCache).

What is kept is exactly what the reader handed discovery: the runs (or reports, trainings,
episodes) it built, the Problems it put on the context and the checks it left for later, keyed by
reader, check mode, opened folder and claimed folder. Beside them: every file and folder the
reader noted reading, each with its lstat (inode, size, mtime_ns, ctime_ns, mode: a same-size edit
changes mtime and ctime, a chmod ctime, a replaced file the inode) and, for a link, the stat of
its target. One changed, added or removed file and the folder is read again. Nothing is kept for
a run still being written (its liveness depends on the clock) or a reader that set something
aside for `finish` (that is not replayed here).

Writes wait until the walk is over (`flush`): one transaction, or none when another process holds
the lock (that process writes the same thing).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bench_tui.index.fingerprint import fingerprint
from bench_tui.index.signatures import (
    SIZE,
    absolute,
    is_plain,
    settled,
    unchanged,
)
from bench_tui.index.signatures import signature as signature  # tables.py takes it from here
from bench_tui.index.store import remove_index
from bench_tui.model import Episode, EvalReport, Problem, Run, TrainingRun
from bench_tui.sources.base import Claim, Finding, PendingChecks, Reader, Walk

KINDS: dict[str, type[BaseModel]] = {
    "run": Run,
    "eval": EvalReport,
    "training": TrainingRun,
    "episode": Episode,
}


class CorruptEntry(Exception):
    """A stored value that does not decode: the index file is not to be trusted."""


@dataclass
class _Decoded:
    claim: Claim
    problems: list[Problem]
    checks: PendingChecks


def _decode(result: bytes) -> _Decoded:
    """A kept claim as discovery takes it (raises on anything that does not decode)."""
    header, *texts = zlib.decompress(result).split(b"\x00")
    data = json.loads(header)
    found: list[Finding] = [
        KINDS[kind].model_validate_json(text)  # type: ignore[misc]  # KINDS maps each kind to its Finding type
        for kind, text in zip(data["kinds"], texts, strict=True)
    ]
    problems = [Problem(path=p, line=n, message=m) for p, n, m in data["problems"]]
    checks = data["checks"]
    shots = [(shot, number, source) for shot, number, source in checks["screenshots"]]
    return _Decoded(
        claim=Claim(found=found, walk_inside=data["walk_inside"]),
        problems=problems,
        checks=PendingChecks(executions=checks["executions"], screenshots=shots),
    )


def _kind(finding: Finding) -> str:
    for name, model in KINDS.items():
        if isinstance(finding, model):
            return name
    raise TypeError(type(finding).__name__)


def _relative(path: str, folder: str) -> str:
    prefix = folder + "/"
    return path[len(prefix) :] if path.startswith(prefix) else path


class ClaimIndex:
    """base.ClaimCache over the `claims` table of an open index."""

    def __init__(
        self, conn: sqlite3.Connection, root: Path, notice: Callable[[str], None] | None = None
    ) -> None:
        """`notice`: given, a corrupt index is said there, removed, and the walk goes on reading
        every folder (the app); else CorruptEntry or the database error is raised (the caller
        rebuilds and walks again)."""
        self.conn = conn
        self.root = os.fspath(root)
        self.notice = notice
        self.broken = False
        self.pending: list[tuple[str, bytes, bytes]] = []
        self.replayed = 0
        self.read = 0
        self.code = fingerprint()
        self.used: set[str] = set()
        self.modes: set[str] = set()
        self._checked: list[tuple[str, list[str], bytes]] = []
        """(folder, names, signatures) of each replayed claim, all just found unchanged."""

    def _key(self, reader: Reader, folder: Path, walk: Walk) -> str:
        mode = "deferred" if walk.checks is not None else "now"
        self.modes.add(mode)
        key = "\x00".join((self.code, reader.name, mode, self.root, os.fspath(folder)))
        self.used.add(key)
        return key

    def claim(
        self, reader: Reader, folder: Path, names: frozenset[str], walk: Walk
    ) -> Claim | None:
        key = self._key(reader, folder, walk)
        if not self.broken:
            try:
                replayed = self._lookup(key, folder, walk)
            except (sqlite3.DatabaseError, CorruptEntry) as exc:
                if self.notice is None:
                    raise
                self._give_up(exc)
                replayed = None
            if replayed is not None:
                self.replayed += 1
                return replayed
        claim = self._read(reader, key, folder, names, walk)
        if claim is not None:
            self.read += 1
        return claim

    def _lookup(self, key: str, folder: Path, walk: Walk) -> Claim | None:
        row = self.conn.execute(
            "SELECT inputs, result FROM claims WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        return self._replay(os.fspath(folder), row[0], row[1], walk)

    def _give_up(self, exc: Exception) -> None:
        path = Path(self.conn.execute("PRAGMA database_list").fetchone()[2])
        assert self.notice is not None
        self.notice(f"the index at {path} was not usable ({exc}): rebuilding it")
        self.broken = True
        self.pending.clear()
        remove_index(path)

    @property
    def seen(self) -> dict[str, bytes]:
        """Signatures of the files of replayed claims, as just taken (for `tables.refresh`)."""
        return {
            absolute(name, folder): sigs[place * SIZE : (place + 1) * SIZE]
            for folder, names, sigs in self._checked
            for place, name in enumerate(names)
        }

    def _replay(self, folder: str, inputs: bytes, result: bytes, walk: Walk) -> Claim | None:
        try:
            head, rest = zlib.decompress(inputs).split(b"\x00", 1)
            plain = int(head)
            paths_blob, sigs = rest.split(b"\x00\x00", 1)
            names = paths_blob.decode("utf-8", "surrogateescape").split("\x00")
        except (zlib.error, ValueError) as exc:
            raise CorruptEntry(f"a stored claim of {folder} does not decode: {exc}") from exc
        # Decoded while a child process checks files, if one does: nothing is used unless
        # every file is unchanged.
        decoded: list[_Decoded | Exception] = []

        def decode() -> None:
            try:
                decoded.append(_decode(result))
            except (zlib.error, ValueError, KeyError, TypeError, ValidationError) as exc:
                decoded.append(exc)

        try:
            same = unchanged(folder, names, sigs, plain, decode)
        except ValueError as exc:
            raise CorruptEntry(f"a stored claim of {folder} does not decode: {exc}") from exc
        if not same:
            return None
        if not decoded:
            decode()
        (outcome,) = decoded
        if isinstance(outcome, Exception):
            raise CorruptEntry(f"a stored claim of {folder} does not decode: {outcome}") from (
                outcome
            )
        self._checked.append((folder, names, sigs))
        walk.ctx.problems.extend(outcome.problems)
        if walk.checks is not None:
            walk.checks.extend(outcome.checks)
        return outcome.claim

    def _read(
        self, reader: Reader, key: str, folder: Path, names: frozenset[str], walk: Walk
    ) -> Claim | None:
        assert reader.folder is not None
        ctx = walk.ctx
        before_problems = len(ctx.problems)
        before_checks = walk.checks
        before_collected = sum(len(items) for items in walk.collected.values())
        if walk.checks is not None:
            walk.checks = PendingChecks()  # what this claim leaves, apart from the rest
        outer_inputs, ctx.inputs = ctx.inputs, [os.fspath(folder)]
        started = time.time_ns()
        try:
            claim = reader.folder(folder, names, walk)
            found = list(claim.found) if claim is not None else []
        finally:
            inputs, ctx.inputs = ctx.inputs, outer_inputs
            left, walk.checks = walk.checks, before_checks
            if before_checks is not None and left is not None:
                before_checks.extend(left)
        if claim is None:
            return None
        collected = sum(len(items) for items in walk.collected.values())
        if collected == before_collected and not any(
            isinstance(item, Run) and item.live for item in found
        ):
            problems = ctx.problems[before_problems:]
            self._keep(key, os.fspath(folder), inputs, found, claim, problems, left, started)
        return Claim(found=found, walk_inside=claim.walk_inside)

    def _keep(
        self,
        key: str,
        folder: str,
        inputs: list[str],
        found: list[Finding],
        claim: Claim,
        problems: list[Problem],
        checks: PendingChecks | None,
        started: int,
    ) -> None:
        # Serialised before discovery cuts long texts in place: what the reader built.
        try:
            texts = [item.model_dump_json().encode() for item in found]
            if any(
                type(item).model_validate_json(text) != item
                for text, item in zip(texts, found, strict=True)
            ):
                return  # a value JSON does not carry as it is (NaN): read this folder every time
        except ValueError:  # a lone surrogate, which UTF-8 cannot carry: the same
            return
        paths = list(dict.fromkeys(inputs))
        sigs = [signature(path) for path in paths]
        if not settled(sigs, started):
            return
        header: dict[str, Any] = {
            "kinds": [_kind(item) for item in found],
            "walk_inside": claim.walk_inside,
            "problems": [[p.path, p.line, p.message] for p in problems],
            "checks": {
                "executions": checks.executions if checks else [],
                "screenshots": checks.screenshots if checks else [],
            },
        }
        # Plain lstats first: a replay checks those in one pass (signatures.unchanged).
        flags = [is_plain(sig) for sig in sigs]
        order = [place for place, flag in enumerate(flags) if flag]
        plain = len(order)
        order += [place for place, flag in enumerate(flags) if not flag]
        names = "\x00".join(_relative(paths[place], folder) for place in order)
        # JSON escapes NUL inside strings, so NUL can separate the parts.
        result = b"\x00".join([json.dumps(header).encode(), *texts])
        inputs_blob = b"%d\x00%s\x00\x00%s" % (
            plain,
            names.encode("utf-8", "surrogateescape"),
            b"".join(sigs[place] for place in order),
        )
        self.pending.append((key, zlib.compress(inputs_blob, 1), zlib.compress(result, 1)))

    def _stale(self) -> list[tuple[str]]:
        """Entries of this folder and check mode the walk did not meet (removed folders, other
        code): kept, they would only grow the file."""
        stale: list[tuple[str]] = []
        for (key,) in self.conn.execute("SELECT key FROM claims"):
            parts = key.split("\x00")
            ours = len(parts) != 5 or (parts[3] == self.root and parts[2] in self.modes)
            if ours and key not in self.used:
                stale.append((key,))
        return stale

    def flush(self) -> bool:
        """After a whole walk: write what was read this time and drop what it no longer met, in
        one transaction; False when another process held the lock past the timeout (it is
        writing the same thing: nothing is lost)."""
        if self.broken:
            return True
        stale = self._stale()
        if not self.pending and not stale:
            return True
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return False
            raise
        try:
            self.conn.executemany("DELETE FROM claims WHERE key = ?", stale)
            self.conn.executemany(
                "INSERT OR REPLACE INTO claims(key, inputs, result) VALUES (?, ?, ?)",
                self.pending,
            )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.pending.clear()
        return True
