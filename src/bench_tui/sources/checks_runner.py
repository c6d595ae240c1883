"""Run what listing left to check, piece by piece, in another process when there is a lot of it.

Checking 30 000 execution files and 240 000 screenshots is seconds of parsing; in a thread it
would hold the interpreter lock the interface needs, so big workspaces are checked by one
worker process (the second core) and only the Problems come back.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from bench_tui.model import Problem
from bench_tui.sources.common import ReadContext
from bench_tui.sources.openadapt_execution import RunChecks, checks_problems, run_checks

IN_PROCESS_FROM = 3000
"""Below this many files a worker process costs more to start than it saves."""
CHUNK = 500
"""Files per piece: progress moves and a cancel is noticed at this pace."""
POLL_S = 0.1


def iter_checks(
    root: Path,
    checks: RunChecks,
    *,
    use_process: bool | None = None,
    chunk: int = CHUNK,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[tuple[int, list[Problem]]]:
    """(files checked by this piece, its Problems) for each piece, in order.

    `use_process`: None decides by size. Stops early (yielding nothing more) once `should_stop`.
    """
    pieces = list(checks.chunks(chunk))
    if use_process is None:
        use_process = len(checks) >= IN_PROCESS_FROM
    done = 0
    if use_process:
        for size, problems in _in_process(root, pieces, should_stop):
            if size < 0:
                return  # stopped
            done += 1
            yield size, problems
    # Here too when the worker process could not start or died: the rest is checked in-thread.
    for piece in pieces[done:]:
        if should_stop():
            return
        ctx = ReadContext(root=root)
        run_checks(piece, ctx)
        yield len(piece), ctx.problems


def _in_process(
    root: Path, pieces: list[RunChecks], should_stop: Callable[[], bool]
) -> Iterator[tuple[int, list[Problem]]]:
    """Pieces checked by a worker process; (-1, []) once stopped; ends early if the pool broke."""
    try:
        # spawn, not fork: the app has threads, and a fork would copy the whole workspace.
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    except OSError:
        return
    try:
        futures = [pool.submit(checks_problems, str(root), piece) for piece in pieces]
        for piece, future in zip(pieces, futures, strict=True):
            try:
                problems = _wait(future, should_stop)
            except (BrokenExecutor, OSError):
                return
            if problems is None:
                yield -1, []
                return
            yield len(piece), problems
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _wait(future: Future[list[Problem]], should_stop: Callable[[], bool]) -> list[Problem] | None:
    while True:
        if should_stop():
            return None
        try:
            return future.result(timeout=POLL_S)
        except FutureTimeout:
            continue
