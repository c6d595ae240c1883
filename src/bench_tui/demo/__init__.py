"""`bench-tui demo`: a deterministic synthetic workspace that looks like real results.

It holds, in the on-disk formats of FORMATS.md: four finished OpenAdapt benchmark runs of a
WAA-like benchmark over the same tasks (a base model twice, its LoRA fine-tune, an API model), a
fifth run still in progress with its `benchmark_live.json` (the LoRA model again), a few reviewed
checker verdicts in the second base run's triage store, a LoRA training job with checkpoints and
per-epoch predictions, offline eval reports for base / fine-tuned / API, and two recorded episodes.
Screenshots are Pillow-drawn desktop screens, rendered once into `.demo-cache/` and hard-linked
into every step. Writing twice gives identical files (only the `current` symlink is not a file).

No Textual here: the CLI and the tests call this directly.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from bench_tui.demo.apps import catalog
from bench_tui.demo.benchmark import LIVE_FILE, RUNS, DemoRun, Output, write_runs
from bench_tui.demo.files import (
    MARKER_NAME,
    FileWriter,
    dumps,
    is_safe_entry,
    marker_data,
    read_marker_entries,
    remove_entries,
)
from bench_tui.demo.reviews import is_demo_store, write_reviews
from bench_tui.demo.screens import ScreenCache
from bench_tui.demo.tasks import build_tasks
from bench_tui.demo.training import EXPERIMENT, JOB_ID, NOTES, SHOP, write_training

CACHE_DIR = ".demo-cache"

__all__ = ["DemoRefused", "DemoRun", "DemoSummary", "is_demo_folder", "write_demo"]


class DemoRefused(Exception):
    """The output folder holds something that is not an earlier demo: nothing was written."""


@dataclass(frozen=True)
class DemoSummary:
    """What `write_demo` wrote, with the figures the app should show for it."""

    root: Path
    tasks_per_run: int
    runs: list[DemoRun]
    live_file: Path
    training_job: Path
    current_link: bool
    """False where the filesystem has no symlinks: `training_output/current` was skipped."""
    checkpoints: list[Path]
    eval_reports: list[Path]
    episodes: list[Path]
    screens: int
    """Distinct screenshots rendered (everything else is a hard link to one of them)."""
    files: int
    links: int
    kept_labels: list[str] = field(default_factory=list)
    """Runs whose triage labels an earlier demo held and this one kept (their `.bench-tui/`)."""
    overturned: list[str] = field(default_factory=list)
    """Tasks of the reviewed run whose checker verdict the demo's labels overturn."""


def is_demo_folder(path: Path) -> bool:
    """True when `path` is a folder an earlier `bench-tui demo` wrote (it has the marker file)."""
    return path.is_dir() and (path / MARKER_NAME).is_file()


def demo_entries() -> list[str]:
    """Everything the demo owns, as paths relative to its root: the next demo removes exactly these."""
    entries = [CACHE_DIR, LIVE_FILE, f"training_output/{JOB_ID}", "training_output/current"]
    entries += [f"benchmark_results/{spec.name}" for spec in RUNS]
    entries += [f"checkpoints/epoch_{epoch}" for epoch in (1, 2, 3)]
    entries += [f"experiments/{EXPERIMENT}", f"captures/{SHOP.name}", f"captures/{NOTES.name}"]
    return sorted(entries)


def prepare(out: Path) -> list[str]:
    """Check the refusal rule; returns the entries of an earlier demo to remove ([] for a fresh folder)."""
    if out.exists() and not out.is_dir():
        raise DemoRefused(f"{out} exists and is not a folder; choose another --out")
    if not out.exists() or not any(out.iterdir()):
        return []
    if not is_demo_folder(out):
        raise DemoRefused(
            f"{out} is not empty and holds no earlier demo (no {MARKER_NAME} file); "
            "choose an empty or new folder with --out"
        )
    previous = read_marker_entries(out)
    # an unreadable marker still marks a demo: fall back to what this version writes
    return previous if previous is not None else demo_entries()


LABELS_ASIDE = ".bench-tui-labels-kept"
"""Where a rewrite keeps an earlier demo's triage stores while their runs are written again."""


def _set_aside_labels(out: Path, previous: list[str]) -> dict[str, Path]:
    """Move each earlier run's `.bench-tui/` out of the way: labels are the user's, not the demo's."""
    aside: dict[str, Path] = {}
    for entry in previous:
        store = out / entry / ".bench-tui"
        if not is_safe_entry(entry) or store.is_symlink() or not store.is_dir():
            continue
        if is_demo_store(store):
            continue  # the demo's own reviews, written again below: not the user's labels
        target = out / LABELS_ASIDE / entry
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(store, target)
        aside[entry] = target
    return aside


def _restore_labels(out: Path, aside: dict[str, Path]) -> list[str]:
    """Put the stores back into the runs written again; a run the new demo lacks keeps its store
    in LABELS_ASIDE, where the user can still find it."""
    restored = []
    for entry, store in sorted(aside.items()):
        run = out / entry
        if run.is_dir() and not (run / ".bench-tui").exists():
            os.replace(store, run / ".bench-tui")
            restored.append(entry)
    holder = out / LABELS_ASIDE
    if holder.is_dir() and not any(path.is_file() for path in holder.rglob("*")):
        shutil.rmtree(holder)
    return restored


def write_demo(out: Path, tasks_per_run: int = 40) -> DemoSummary:
    """Write the demo workspace under `out` and describe it.

    Refuses (DemoRefused) an existing non-empty folder unless an earlier demo wrote it; then only that
    demo's entries are removed before writing, and anything else in the folder is kept.
    """
    if tasks_per_run < 1:
        raise ValueError(f"tasks_per_run must be at least 1, got {tasks_per_run}")
    out = Path(out)
    previous = prepare(out)
    out.mkdir(parents=True, exist_ok=True)
    writer = FileWriter(out)
    entries = demo_entries()
    marker = out / MARKER_NAME
    # mark first, listing old and new entries: a demo interrupted halfway can still be rewritten
    writer.write_text(
        marker, dumps(marker_data(sorted(set(previous) | set(entries)), tasks_per_run))
    )
    kept = _set_aside_labels(out, previous)
    remove_entries(out, previous)
    output = Output(writer, ScreenCache(out / CACHE_DIR, catalog()))
    tasks = build_tasks(tasks_per_run)
    runs = write_runs(output, out / "benchmark_results", tasks)
    kept_labels = _restore_labels(out, kept)
    overturned = write_reviews(out / "benchmark_results", tasks)
    training = write_training(output, out)
    writer.write_text(marker, dumps(marker_data(entries, tasks_per_run)))
    return DemoSummary(
        root=out,
        tasks_per_run=tasks_per_run,
        runs=runs,
        live_file=out / LIVE_FILE,
        training_job=training.job,
        current_link=training.current_link,
        checkpoints=training.checkpoints,
        eval_reports=training.eval_reports,
        episodes=training.episodes,
        screens=len(output.cache.rendered),
        files=writer.files,
        kept_labels=kept_labels,
        overturned=overturned,
        links=writer.links,
    )
