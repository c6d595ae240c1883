"""Write a large synthetic OpenAdapt workspace: one run per model, the same task ids in each.

    .venv/bin/python bench/make_big.py --out /tmp/big3k --tasks 3000 --models 3 [--steps 8]

Screenshots are 4 real-size PNGs drawn once and hard-linked into every step path (not symlinked:
discovery de-duplicates symlinks by real path, which would hide the cost of many files);
`--screen-size 64x40` draws them small, for bench/remote.py, whose upload copies every link. The last
run is left crashed (no summary.json, its last tasks unfinished) unless `--unfinished 0`.
Prints one JSON object: what was written and how long it took.
"""

from __future__ import annotations

import argparse
import errno
import json
import multiprocessing
import os
import platform
import random
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from big_content import (
    execution_record,
    pick_outcome,
    summary_entry,
    summary_record,
    task_record,
    task_spec,
)
from big_screens import SCREEN_SIZE, write_screens

MODELS = (
    "tern-vl-3b-lora-e3",
    "qwen2.5-vl-7b-instruct",
    "claude-sonnet-4-cua",
    "uitars-1.5-7b",
    "gpt-4o-som",
)
SKILLS = (0.30, 0.42, 0.55, 0.25, 0.48)
SCREEN_COUNT = 4
CHUNK_TASKS = 250
SCREENS_DIR = ".bench-screens"  # hidden: discovery skips it, the floor walk still lists it
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class RunPlan:
    index: int
    model: str
    run_dir: Path
    meta: dict[str, Any]
    start: float
    unfinished_from: int
    """Task index from which tasks have only task.json (a crashed run); `tasks` when none."""


@dataclass(frozen=True)
class Chunk:
    plan: RunPlan
    first: int
    stop: int
    steps: int
    seed: int
    screens: tuple[Path, ...]


class Linker:
    """Hard-links masters into step paths, copying a master when it hits the link limit (ext4: 65 000)."""

    def __init__(self, masters: tuple[Path, ...]) -> None:
        self.masters = list(masters)
        self.copies = 0

    def link(self, which: int, target: Path) -> None:
        slot = which % len(self.masters)
        try:
            os.link(self.masters[slot], target)
        except OSError as exc:
            if exc.errno != errno.EMLINK:
                raise
            fresh = self.masters[slot].with_name(f"screen_{slot}_{os.getpid()}_{self.copies}.png")
            self.copies += 1
            shutil.copyfile(self.masters[slot], fresh)
            self.masters[slot] = fresh
            os.link(fresh, target)


def write_json(path: Path, data: Any, mtime: float) -> int:
    text = json.dumps(data, indent=2)
    path.write_text(text)
    os.utime(path, (mtime, mtime))
    return len(text)


def write_task(chunk: Chunk, index: int, linker: Linker) -> tuple[dict[str, Any] | None, int]:
    """One task folder; returns its summary entry (None when unfinished) and JSON bytes written."""
    plan = chunk.plan
    spec = task_spec(chunk.seed, index)
    rng = random.Random(f"{chunk.seed}-{plan.index}-{index}")
    task_dir = plan.run_dir / "tasks" / spec.folder
    shots = task_dir / "screenshots"
    shots.mkdir(parents=True)
    started = plan.start + index * 75.0
    written = write_json(task_dir / "task.json", task_record(spec), started)
    if index >= plan.unfinished_from:
        for step in range(2):  # a crash mid-task: PNGs without step records
            linker.link(index + step, shots / f"step_{step:03d}.png")
        return None, written
    skill = SKILLS[plan.index % len(SKILLS)]
    outcome = pick_outcome(rng, skill, spec.difficulty)
    execution = execution_record(rng, spec, plan.model, outcome, chunk.steps, started)
    for step in range(len(execution["steps"])):
        linker.link(index + step, shots / f"step_{step:03d}.png")
    written += write_json(task_dir / "execution.json", execution, started + 70.0)
    return summary_entry(execution), written


def write_chunk(chunk: Chunk) -> tuple[int, list[tuple[int, dict[str, Any]]], int, int]:
    """Worker: a slice of one run's tasks. Returns (run index, entries, JSON bytes, master copies)."""
    linker = Linker(chunk.screens)
    entries: list[tuple[int, dict[str, Any]]] = []
    total = 0
    for index in range(chunk.first, chunk.stop):
        entry, written = write_task(chunk, index, linker)
        total += written
        if entry is not None:
            entries.append((index, entry))
    return chunk.plan.index, entries, total, linker.copies


def plan_runs(out: Path, models: int, tasks: int, unfinished: float) -> list[RunPlan]:
    plans = []
    for index in range(models):
        model = MODELS[index % len(MODELS)] + (f"-v{index // len(MODELS)}" if index >= 5 else "")
        created = datetime(2025, 11, 4 + index, 9, 15, 22, 418305)
        run_name = f"waa_eval_{created:%Y%m%d_%H%M%S}"
        crashed = index == models - 1 and unfinished > 0
        meta = {
            "benchmark_name": "waa",
            "run_name": run_name,
            "model_id": model,
            "created_at": created.isoformat(),
            "config": {"max_steps": 15, "agent": "api-agent", "model": model},
        }
        plans.append(
            RunPlan(
                index=index,
                model=model,
                run_dir=out / "benchmark_results" / run_name,
                meta=meta,
                start=created.timestamp(),
                unfinished_from=int(tasks * (1 - unfinished)) if crashed else tasks,
            )
        )
    return plans


def prepare_out(out: Path, force: bool) -> None:
    if out.resolve().is_relative_to(REPO_ROOT):
        sys.exit(f"make_big: refusing to write inside the repository ({REPO_ROOT})")
    if out.exists() and any(out.iterdir()):
        if not force:
            sys.exit(f"make_big: {out} is not empty (use --force to replace it)")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def write_workspace(args: argparse.Namespace) -> dict[str, Any]:
    out: Path = args.out
    started = time.perf_counter()
    screens = tuple(write_screens(out / SCREENS_DIR, SCREEN_COUNT, args.screen_size))
    screens_s = time.perf_counter() - started
    plans = plan_runs(out, args.models, args.tasks, args.unfinished)
    for plan in plans:
        (plan.run_dir / "tasks").mkdir(parents=True)
        write_json(plan.run_dir / "metadata.json", plan.meta, plan.start)
    chunks = [
        Chunk(plan, first, min(first + CHUNK_TASKS, args.tasks), args.steps, args.seed, screens)
        for plan in plans
        for first in range(0, args.tasks, CHUNK_TASKS)
    ]
    entries: dict[int, list[tuple[int, dict[str, Any]]]] = {plan.index: [] for plan in plans}
    json_bytes, copies = 0, 0
    with multiprocessing.Pool(args.jobs) as pool:
        for run_index, found, written, made in pool.imap_unordered(write_chunk, chunks):
            entries[run_index].extend(found)
            json_bytes += written
            copies += made
    summaries = 0
    for plan in plans:
        if plan.unfinished_from < args.tasks:
            continue  # crashed: no summary.json
        ordered = [entry for _, entry in sorted(entries[plan.index], key=lambda pair: pair[0])]
        end = plan.start + args.tasks * 75.0
        json_bytes += write_json(
            plan.run_dir / "summary.json", summary_record(plan.meta, ordered), end
        )
        summaries += 1
    return {
        "out": str(out),
        "runs": len(plans),
        "models": [plan.model for plan in plans],
        "tasks_per_run": args.tasks,
        "steps": args.steps,
        "summaries": summaries,
        "unfinished_tasks": sum(args.tasks - plan.unfinished_from for plan in plans),
        "json_mb": round(json_bytes / 1e6, 1),
        "png_size": "{}x{}".format(*args.screen_size),
        "png_masters_kb": [path.stat().st_size // 1024 for path in screens],
        "png_master_copies": copies,
        "screens_s": round(screens_s, 2),
    }


def count_files(out: Path) -> dict[str, int]:
    counts = {"json": 0, "png": 0, "dirs": 0}
    for _, dirs, files in os.walk(out):
        counts["dirs"] += len(dirs)
        for name in files:
            if name.endswith(".json"):
                counts["json"] += 1
            elif name.endswith(".png"):
                counts["png"] += 1
    return counts


def screen_size(text: str) -> tuple[int, int]:
    """`WxH` in pixels, e.g. `64x40`."""
    width, sep, height = text.lower().partition("x")
    if not (sep and width.isdigit() and height.isdigit() and int(width) > 0 and int(height) > 0):
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 1920x1200, 64x40)")
    return int(width), int(height)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tasks", type=int, required=True, help="tasks per run")
    parser.add_argument("--models", type=int, required=True, help="runs, one per model")
    parser.add_argument("--steps", type=int, default=8, help="counted steps per finished task")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--unfinished", type=float, default=0.01, help="share of the last run left unfinished"
    )
    parser.add_argument(
        "--screen-size",
        type=screen_size,
        default=SCREEN_SIZE,
        metavar="WxH",
        help="the PNG masters' size (default 1920x1200); small for remote.py, whose upload "
        "copies every link",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--force", action="store_true", help="replace a non-empty --out")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    prepare_out(args.out, args.force)
    started = time.perf_counter()
    written = write_workspace(args)
    seconds = time.perf_counter() - started
    report = {
        "what": "bench/make_big.py: synthetic OpenAdapt workspace",
        "written": written,
        "files": count_files(args.out),
        "seconds": round(seconds, 2),
        "machine": {
            "cpus": os.cpu_count(),
            "jobs": args.jobs,
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
