"""Run what listing left to check, piece by piece, in another process when there is a lot of it.

Checking 30 000 execution files and 240 000 screenshots is seconds of parsing; in a thread it
would hold the interpreter lock the interface needs, so big workspaces are checked by one worker
process (the second core) and only the Problems come back.

The worker is `python -m bench_tui.sources.checks_runner ROOT`, talking JSON lines over pipes:
not multiprocessing, whose spawn re-imports the program's main module in the child, and whose
child would write any traceback onto the terminal the app is drawing on.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from bench_tui.model import Problem
from bench_tui.sources.base import PendingChecks
from bench_tui.sources.common import ReadContext
from bench_tui.sources.registry import READERS

_RUNNING: set[subprocess.Popen[bytes]] = set()
"""Worker processes started and not yet reaped: `stop_check_workers` ends them."""

IN_PROCESS_FROM = 3000
"""Below this many files a worker process costs more to start than it saves."""
CHUNK = 500
"""Files per piece: progress moves and a cancel is noticed at this pace."""


def run_checks(checks: PendingChecks, ctx: ReadContext) -> None:
    """Every reader that leaves checks for later runs its part, as Problems on `ctx`."""
    for reader in READERS:
        if reader.run_checks is not None:
            reader.run_checks(checks, ctx)


def iter_checks(
    root: Path,
    checks: PendingChecks,
    *,
    use_process: bool | None = None,
    chunk: int = CHUNK,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[tuple[int, list[Problem]]]:
    """(files checked by this piece, its Problems) for each piece, in order.

    `use_process`: None decides by size. Stops early (yielding nothing more) once `should_stop`.
    Pieces a worker process could not check (it did not start, or died) are checked here.
    """
    pieces = list(checks.chunks(chunk))
    if use_process is None:
        use_process = len(checks) >= IN_PROCESS_FROM
    done = 0
    if use_process:
        for size, problems in _in_worker(root, pieces, should_stop):
            if size < 0:
                return  # stopped
            done += 1
            yield size, problems
    for piece in pieces[done:]:
        if should_stop():
            return
        ctx = ReadContext(root=root)
        run_checks(piece, ctx)
        yield len(piece), ctx.problems


def _in_worker(
    root: Path, pieces: list[PendingChecks], should_stop: Callable[[], bool]
) -> Iterator[tuple[int, list[Problem]]]:
    """Pieces checked by the worker process; (-1, []) once stopped; ends early if it failed."""
    command = [sys.executable, "-m", "bench_tui.sources.checks_runner", str(root)]
    try:
        worker = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # the terminal's signals are the app's, not the worker's
        )
    except OSError:
        return
    _RUNNING.add(worker)
    assert worker.stdin is not None and worker.stdout is not None
    try:
        try:
            # All of the input first, then all of the output: neither side waits on the other.
            if not _write_pieces(worker.stdin, pieces, should_stop):
                yield -1, []
                return
        except OSError:
            return
        for piece in pieces:
            if should_stop():
                yield -1, []
                return
            line = worker.stdout.readline()
            if not line:
                return  # it died: the rest is checked in this process
            try:
                found = [Problem(path=p, line=n, message=m) for p, n, m in json.loads(line)]
            except (ValueError, TypeError):
                return
            yield len(piece), found
    finally:
        worker.kill()
        worker.wait()
        _RUNNING.discard(worker)
        worker.stdout.close()
        # Closing flushes what a stopped write left buffered: the worker is gone, so that fails
        # with BrokenPipeError after the descriptor is closed (subprocess ignores it the same way).
        with contextlib.suppress(BrokenPipeError):
            worker.stdin.close()


def stop_check_workers() -> None:
    """Kill every worker process still running (the app is quitting). The thread reading its
    answers then sees the end of the pipe and finishes; nothing waits for it."""
    for worker in list(_RUNNING):
        with contextlib.suppress(ProcessLookupError):
            worker.kill()


atexit.register(stop_check_workers)


def _write_pieces(
    stream: IO[bytes], pieces: list[PendingChecks], should_stop: Callable[[], bool]
) -> bool:
    """Every piece, then end of input; False if asked to stop first."""
    for piece in pieces:
        if should_stop():
            return False
        record = {"executions": piece.executions, "screenshots": piece.screenshots}
        stream.write(json.dumps(record).encode() + b"\n")
    stream.close()
    return True


def _serve(root: str) -> None:
    """The worker: read every piece, then answer one line of Problems per piece, in order."""
    os.nice(10)  # background work: the interface the user is typing into comes first
    pieces = [json.loads(line) for line in sys.stdin.buffer]
    for piece in pieces:
        ctx = ReadContext(root=Path(root))
        shots = [(shot, step, execution) for shot, step, execution in piece["screenshots"]]
        run_checks(PendingChecks(executions=piece["executions"], screenshots=shots), ctx)
        found = [[p.path, p.line, p.message] for p in ctx.problems]
        sys.stdout.write(json.dumps(found) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve(sys.argv[1])
