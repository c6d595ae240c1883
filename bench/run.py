"""Measure bench-tui against the performance goals of DESIGN §6; print one JSON object.

    .venv/bin/python bench/run.py --dir /tmp/big3k [--repeat 3]

Every figure is the median of `--repeat` passes on a warm page cache (one untimed floor pass
first). The floor and `summary --json` run as fresh processes; the TUI figures come from
bench/tui_probe.py, one fresh process per pass, so its peak RSS is the app's alone. Start-up
(`version_s`, `import_cli_s`) comes from bench/startup.py, which also measures the summary ratio
alone, without the TUI probes.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from startup import bench_tui_command, floor_pass, run_child, start_up

BENCH = Path(__file__).resolve().parent
GOALS: dict[str, tuple[float, str]] = {
    "version_s": (0.12, "`bench-tui --version` ≤ 0.12 s (a fresh process)"),
    "first_frame_s": (1.0, "first frame of `bench-tui <dir>` ≤ 1 s at any size"),
    "full_list_s": (3.0, "10 000 tasks × 3 models fully listed ≤ 3 s"),
    "rss_mb": (300.0, "RSS ≤ 300 MB on 10 000 tasks × 3 models"),
    "ratio": (1.6, "`summary --json` ≤ 1.6× the floor (both fresh processes)"),
    "filter_keystroke_ms": (50.0, "filter keystroke on 10 000 rows ≤ 50 ms to redraw"),
    "next_step_cold_ms": (100.0, "next step, 1920×1200 screenshot ≤ 100 ms key to frame"),
    "next_step_prefetched_ms": (100.0, "next step as a reader steps (next image prefetched)"),
    "next_step_cached_ms": (20.0, "next step, cached ≤ 20 ms"),
    "compare_two_50_step_traces_ms": (150.0, "split comparison of two 50-step traces ≤ 150 ms"),
}


def machine() -> dict[str, Any]:
    memory_kb = 0
    try:
        with open("/proc/meminfo") as handle:
            memory_kb = int(handle.readline().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "memory_gb": round(memory_kb / 1048576, 1),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }


def summary_pass(directory: Path) -> dict[str, Any]:
    seconds, rss, output = run_child(bench_tui_command("summary", str(directory), "--json"))
    data = json.loads(output)
    started = time.perf_counter()
    summary_in_process(directory)
    return {
        "summary_s": seconds,
        "summary_rss_mb": rss,
        "summary_inprocess_s": time.perf_counter() - started,
        "summary_runs": len(data["runs"]),
        "summary_problems": len(data["problems"]),
    }


def summary_in_process(directory: Path) -> dict[str, Any]:
    from bench_tui.report import summary_json
    from bench_tui.sources.discover import discover_workspace

    return summary_json(discover_workspace(directory))


def tui_pass(directory: Path, expect_runs: int) -> dict[str, Any]:
    spawned = time.time()
    command = [sys.executable, str(BENCH / "tui_probe.py"), str(directory)]
    _, _, output = run_child([*command, "--expect-runs", str(expect_runs)])
    figures = json.loads(output)
    wall = figures.pop("first_frame_wall", None)
    figures["first_frame_cold_s"] = None if wall is None else wall - spawned
    return figures


def compare_figure() -> dict[str, Any]:
    """The split view is a TUI figure; until it exists, time the alignment underneath it."""
    if importlib.util.find_spec("bench_tui.analysis.compare") is None:
        reason = "analysis/compare.py not written yet"
        return {"compare_two_50_step_traces_ms": None, "compare_two_50_step_traces_reason": reason}
    figures: dict[str, Any] = {"compare_two_50_step_traces_ms": None}
    if importlib.util.find_spec("bench_tui.tui.screens.compare") is None:
        figures["compare_two_50_step_traces_reason"] = (
            "the split view (tui/screens/compare.py) is not written yet; "
            "compare_align_50_steps_ms times analysis.compare.align_steps alone"
        )
    else:
        figures["compare_two_50_step_traces_reason"] = "no split-view probe in bench/ yet"
    try:
        figures["compare_align_50_steps_ms"] = align_50_steps_ms()
    except Exception as exc:  # the module is new: report, do not fail the bench
        figures["compare_align_50_steps_ms"] = None
        figures["compare_align_reason"] = f"{type(exc).__name__}: {exc}"
    return figures


def align_50_steps_ms(repeat: int = 20) -> float:
    """Two 50-step traces that share most steps (B inserts, drops and changes a few)."""
    from bench_tui.analysis.compare import align_steps
    from bench_tui.model import Action, Step

    def step(index: int, seed: int) -> Step:
        kind = ("click", "type", "key", "scroll")[seed % 4]
        action = Action(type=kind, x=(seed % 17) / 17, y=(seed % 13) / 13, text=str(seed))
        return Step(index=index, actions=[action])

    trace_a = [step(i, i) for i in range(50)]
    seeds_b = [i for i in range(50) if i % 11 != 5]
    seeds_b[20:20] = [900, 901]
    seeds_b[35] = 777
    seeds_b = seeds_b[:50] + [950 + i for i in range(50 - len(seeds_b))]
    trace_b = [step(i, seed) for i, seed in enumerate(seeds_b)]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        align_steps(trace_a, trace_b)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def median_of(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of each numeric figure over the passes; `errors` from every pass; else the last."""
    merged: dict[str, Any] = {}
    for key in dict.fromkeys(k for sample in samples for k in sample):
        values = [sample.get(key) for sample in samples]
        numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if key == "errors":
            merged[key] = [f"pass {n + 1}: {e}" for n, v in enumerate(values) for e in v or ()]
        elif numbers:
            middle = statistics.median(numbers)
            whole = all(isinstance(v, int) for v in numbers) and middle == int(middle)
            merged[key] = int(middle) if whole else middle
            if len(numbers) < len(values):
                merged[f"{key}_passes"] = len(numbers)
        else:
            merged[key] = next((v for v in reversed(values) if v is not None), None)
    return merged


def rounded(figures: dict[str, Any]) -> dict[str, Any]:
    def tidy(key: str, value: Any) -> Any:
        if not isinstance(value, float):
            return value
        return round(value, 1) if key.endswith(("_ms", "_mb")) else round(value, 3)

    return {key: tidy(key, value) for key, value in figures.items()}


def goal_table(timings: dict[str, Any]) -> dict[str, Any]:
    table = {}
    for key, (limit, text) in GOALS.items():
        value = timings.get(key)
        table[key] = {"goal": text, "limit": limit, "value": value}
        table[key]["met"] = None if value is None else value <= limit
    return table


STARTS = 11
"""Fresh processes per start-up figure (each a median)."""


def measure(directory: Path, repeat: int) -> dict[str, Any]:
    _, size = floor_pass(directory)  # warm the page cache; counts come from here
    passes: list[dict[str, Any]] = []
    for _ in range(repeat):
        floor_pass(directory)  # this VM reclaims idle page cache: re-warm before each pass
        floor_s, floor = floor_pass(directory)
        figures = {"floor_s": floor_s, "floor_inprocess_s": floor["seconds"]}
        figures |= summary_pass(directory)
        # Per pass, floor and summary back to back: steadier than a ratio of medians here.
        figures["ratio"] = figures["summary_s"] / floor_s
        figures["ratio_inprocess"] = figures["summary_inprocess_s"] / floor["seconds"]
        figures |= tui_pass(directory, size["runs"])
        passes.append(figures)
    timings = median_of(passes)
    timings |= start_up(STARTS)
    timings |= compare_figure()
    samples = {
        key: [rounded({key: sample.get(key)})[key] for sample in passes]
        for key in GOALS
        if any(key in sample for sample in passes)
    }
    return {"size": size, "timings": rounded(timings), "samples": samples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    measured = measure(args.dir.resolve(), args.repeat)
    size = measured["size"]
    report = {
        "what": "bench/run.py: bench-tui against DESIGN §6 (medians, warm page cache)",
        "dir": str(args.dir.resolve()),
        "repeat": args.repeat,
        "machine": machine(),
        "size": {
            "runs": size["runs"],
            "tasks": size["tasks"],
            "files": size["files"],
            "json_files": size["json_files"],
            "json_mb": round(size["json_bytes"] / 1e6, 1),
            "png_files": size["png_files"],
        },
        "timings": measured["timings"],
        "goals": goal_table(measured["timings"]),
        "samples": measured["samples"],
        "bench_s": round(time.perf_counter() - started, 1),
        "loadavg_1m_after": round(os.getloadavg()[0], 2),
        "bench_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
