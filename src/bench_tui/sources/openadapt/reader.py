"""The OpenAdapt run reader as discovery and step loading see it (base.Reader)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bench_tui.model import Run
from bench_tui.sources.base import Claim, Finding, Reader, Walk, of_format
from bench_tui.sources.openadapt.execution import run_checks
from bench_tui.sources.openadapt.live import (
    LIVE_FILE_NAMES,
    attach_live_files,
    read_live_file,
)
from bench_tui.sources.openadapt.run import (
    is_openadapt_run,
    load_openadapt_steps,
    read_openadapt_run,
)

LIVE = "openadapt.live"
"""Walk.collect key of the progress files met on the way."""


def _folder(path: Path, names: frozenset[str], walk: Walk) -> Claim | None:
    if not is_openadapt_run(path, names):
        return None
    return Claim(found=(read_openadapt_run(path, walk.ctx, now=walk.now, checks=walk.checks),))


def _live_file(path: Path, walk: Walk) -> Iterable[Finding]:
    live = read_live_file(path, walk.ctx)
    if live is not None:
        walk.collect(LIVE, live)
    return ()


def _attach(runs: list[Run], walk: Walk) -> None:
    attach_live_files(runs, walk.collected.get(LIVE, []))


OPENADAPT_RUNS = Reader(
    name="openadapt",
    folder=_folder,
    reads_file=LIVE_FILE_NAMES.__contains__,
    file=_live_file,
    after_walk=_attach,
    owns_run=of_format("openadapt"),
    load_steps=load_openadapt_steps,
    run_checks=run_checks,
    cacheable=True,
)
