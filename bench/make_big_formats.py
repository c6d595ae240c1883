"""Write a large synthetic WebArena or OpenAdapt full-eval workspace, for index figures.

    .venv/bin/python bench/make_big_formats.py --out /tmp/bigwa --format webarena --tasks 3000 --runs 3
    .venv/bin/python bench/make_big_formats.py --out /tmp/bigfe --format full_eval --tasks 10000 --runs 3

webarena: `wa_work/` holds one log per run under `log_files/` (listed by each run's
`log_files.txt`, as upstream run.py writes it) and `config_files/<id>.json`; each run
`wa_work/cache/results_<stamp>_<n>/` holds `config.json` and one `render_<id>.html` per task with
`--steps` blocks of page text and a small embedded PNG each. full_eval: one `*.jsonl` per run (a
`_meta` line, then one line per task). File times are set an hour back (nothing looks live).
Prints one JSON object: what was written and how long it took.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SITES = ("shopping", "reddit", "gitlab", "map", "shopping_admin")
MODELS = ("gpt-4o-mini", "claude-sonnet-4", "qwen2.5-vl-72b", "llama-3.3-70b", "gemini-2.0")
# A tiny valid PNG (1x1): renders embed one per block; real ones are larger, the count matters.
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def _render(task_id: int, site: str, steps: int, rng: random.Random) -> str:
    header = (
        f"sites: ['{site}']\ntask_id: {task_id}\nrequire_login: True\n"
        f"start_url: http://{site}.test\n"
        f"intent: Find item number {task_id} on the {site} site and report its price\n"
    )
    blocks = []
    for step in range(steps):
        tree = "\n".join(
            f"\t[{rng.randint(100, 9999)}] link 'Item {n} of page {step}'" for n in range(40)
        )
        last = step == steps - 1
        parsed = "stop [$24.99]" if last else f"click [{rng.randint(100, 9999)}]"
        blocks.append(
            "<h2>New Page</h2>\n"
            f"<h3 class='url'><a href=http://{site}.test/p{step}>URL: http://{site}.test/p{step}</a></h3>\n"
            f"<div class='state_obv'><pre>[1] RootWebArea 'Page'\n{tree}</pre><div>\n"
            f"<img src='data:image/png;base64,{PNG}' style='width:50vw; height:auto;'/>\n"
            "<div class='prev_action' style='background-color:pink'>None</div>\n"
            "<div class='predict_action'><div class='raw_parsed_prediction'><pre>"
            f"Let's think step by step. ```{parsed}```</pre></div>"
            f"<div class='parsed_action'><pre>{parsed}</pre></div></div>\n"
        )
    return f"<html><body><pre>{header}</pre>\n{''.join(blocks)}</body></html>\n"


def write_webarena(out: Path, runs: int, tasks: int, steps: int, seed: int, mtime: float) -> int:
    work = out / "wa_work"
    (work / "log_files").mkdir(parents=True)
    (work / "config_files").mkdir()
    written = 0
    for task_id in range(tasks):
        site = SITES[task_id % len(SITES)]
        config = {"sites": [site], "task_id": task_id, "intent": f"Find item number {task_id}"}
        (work / "config_files" / f"{task_id}.json").write_text(json.dumps(config))
    for run in range(runs):
        rng = random.Random(f"{seed}-{run}")
        run_dir = work / "cache" / f"results_20251106120000_{run}"
        run_dir.mkdir(parents=True)
        model = MODELS[run % len(MODELS)]
        config = {"model": model, "test_start_idx": 0, "test_end_idx": tasks}
        (run_dir / "config.json").write_text(json.dumps(config))
        log_name = f"log_20251106120000_{run}.log"
        (run_dir / "log_files.txt").write_text(f"log_files/{log_name}\n")
        lines = []
        for task_id in range(tasks):
            site = SITES[task_id % len(SITES)]
            text = _render(task_id, site, steps, rng)
            (run_dir / f"render_{task_id}.html").write_text(text)
            written += len(text)
            second = task_id % 60
            stamp = f"2025-11-06 12:{(task_id // 60) % 60:02d}:{second:02d},118"
            verdict = "PASS" if rng.random() < 0.4 else "FAIL"
            lines += [
                f"{stamp} - INFO - [Config file]: config_files/{task_id}.json",
                f"{stamp} - INFO - [Intent]: Find item number {task_id}",
                f"{stamp} - INFO - [Result] ({verdict}) config_files/{task_id}.json",
            ]
        lines.append("2025-11-06 13:00:00,000 - INFO - Average score: 0.4")
        (work / "log_files" / log_name).write_text("\n".join(lines) + "\n")
    _age(out, mtime)
    return written


def write_full_eval(out: Path, runs: int, tasks: int, steps: int, seed: int, mtime: float) -> int:
    written = 0
    for run in range(runs):
        rng = random.Random(f"{seed}-{run}")
        meta = {
            "_meta": True,
            "run_started": "2026-03-01T10:00:00",
            "planner_model": MODELS[run % len(MODELS)],
            "grounder_model": "ui-tars-7b",
            "total_tasks": tasks,
        }
        rows = [json.dumps(meta)]
        for task in range(tasks):
            success = rng.random() < 0.4
            rows.append(
                json.dumps(
                    {
                        "task_id": f"task-{task:05d}-{rng.getrandbits(64):016x}",
                        "started_at": "2026-03-01T10:01:00",
                        "finished_at": "2026-03-01T10:04:32",
                        "score": 1.0 if success else round(rng.random() / 2, 2),
                        "success": success,
                        "steps": rng.randint(1, steps),
                        "error": None if success else "the checker found no match",
                        "error_type": None,
                        "elapsed_seconds": round(rng.uniform(20, 400), 1),
                        "milestones_passed": 1,
                        "milestones_total": 2,
                    }
                )
            )
        text = "\n".join(rows) + "\n"
        path = out / f"run_{run}" / f"full_eval_{run}.jsonl"
        path.parent.mkdir(parents=True)
        path.write_text(text)
        written += len(text)
    _age(out, mtime)
    return written


def _age(out: Path, mtime: float) -> None:
    for folder, dirs, files in os.walk(out):
        for name in [*dirs, *files]:
            os.utime(os.path.join(folder, name), (mtime, mtime))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--format", choices=("webarena", "full_eval"), required=True)
    parser.add_argument("--tasks", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    out = args.out.resolve()
    if out.is_relative_to(REPO_ROOT):
        sys.exit(f"refusing to write inside the repository: {out}")
    if out.exists() and any(out.iterdir()):
        if not args.force:
            sys.exit(f"{out} is not empty (use --force)")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    write = write_webarena if args.format == "webarena" else write_full_eval
    written = write(out, args.runs, args.tasks, args.steps, args.seed, time.time() - 3600)
    print(
        json.dumps(
            {
                "out": str(out),
                "format": args.format,
                "runs": args.runs,
                "tasks": args.tasks,
                "bytes": written,
                "seconds": round(time.perf_counter() - started, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
