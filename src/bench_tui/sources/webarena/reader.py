"""The WebArena reader as discovery and step loading see it (base.Reader)."""

from __future__ import annotations

from pathlib import Path

from bench_tui.sources.base import Claim, Reader, Walk, of_format
from bench_tui.sources.webarena.run import is_webarena_run, read_webarena_run
from bench_tui.sources.webarena.steps import load_webarena_steps, screenshot_cache_dir


def _folder(path: Path, names: frozenset[str], walk: Walk) -> Claim | None:
    if not is_webarena_run(names):
        return None
    run = read_webarena_run(path, walk.ctx, now=walk.now)
    return Claim(found=() if run is None else (run,))


WEBARENA = Reader(
    name="webarena",
    folder=_folder,
    owns_run=of_format("webarena"),
    load_steps=load_webarena_steps,
    image_cache=screenshot_cache_dir,
    cacheable=True,
)
