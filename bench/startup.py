"""Start-up and `summary --json` against the floor, without the TUI probes; print one JSON object.

    .venv/bin/python bench/startup.py --dir /tmp/big3k [--repeat 3] [--starts 11]

- `version_s`: median wall time of `--starts` fresh `bench-tui --version` processes;
- `import_cli_s`: the same for `python -c "import bench_tui.cli"`, and `python_s` for
  `python -c pass` (the interpreter alone, which no change here can make faster);
- with `--dir`, per pass (median of `--repeat`): `floor_s` (bench/floor.py as a fresh process)
  then `summary_s` (`bench-tui summary DIR --json`, fresh), back to back, and
  `ratio` = `summary_s` / `floor_s`.

bench/run.py takes its `version_s` and `import_cli_s` from here. To measure a source tree other
than the installed one, put its `src` first on PYTHONPATH: the children inherit it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
GOALS: dict[str, tuple[float, str]] = {
    "version_s": (0.12, "`bench-tui --version` ≤ 0.12 s (a fresh process)"),
    "ratio": (1.6, "`summary --json` ≤ 1.6× the floor (both fresh processes)"),
}


def bench_tui_command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("bench-tui")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from bench_tui.cli import main; main()", *args]


def run_child(command: list[str]) -> tuple[float, float, str]:
    """Run to completion; (wall seconds, peak RSS MB of that child alone, stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage
        seconds = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            errors = err.read().decode(errors="replace")[-4000:]
            sys.exit(f"{Path(__file__).name}: {' '.join(command)} failed ({code}):\n{errors}")
        out.seek(0)
        return seconds, usage.ru_maxrss / 1024, out.read().decode()


def median_wall(command: list[str], times: int) -> float:
    run_child(command)  # untimed: the interpreter and the modules come from the page cache
    return statistics.median(run_child(command)[0] for _ in range(times))


def start_up(times: int) -> dict[str, float]:
    return {
        "python_s": median_wall([sys.executable, "-c", "pass"], times),
        "import_cli_s": median_wall([sys.executable, "-c", "import bench_tui.cli"], times),
        "version_s": median_wall(bench_tui_command("--version"), times),
    }


def floor_pass(directory: Path) -> tuple[float, dict[str, Any]]:
    seconds, _, output = run_child([sys.executable, str(BENCH / "floor.py"), str(directory)])
    return seconds, json.loads(output)


def summary_pass(directory: Path) -> dict[str, float]:
    floor_pass(directory)  # this VM reclaims idle page cache: re-warm before each pass
    floor_s, _ = floor_pass(directory)
    summary_s, rss, _ = run_child(bench_tui_command("summary", str(directory), "--json"))
    # Floor and summary back to back, a ratio per pass: steadier than a ratio of medians here.
    return {
        "floor_s": floor_s,
        "summary_s": summary_s,
        "summary_rss_mb": rss,
        "ratio": summary_s / floor_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dir", type=Path, help="Workspace for summary --json (else start-up only)."
    )
    parser.add_argument("--repeat", type=int, default=3, help="Passes of floor + summary.")
    parser.add_argument("--starts", type=int, default=11, help="Processes per start-up figure.")
    args = parser.parse_args()
    figures: dict[str, Any] = dict(start_up(args.starts))
    samples: list[dict[str, float]] = []
    if args.dir is not None:
        samples = [summary_pass(args.dir.resolve()) for _ in range(args.repeat)]
        figures |= {key: statistics.median(s[key] for s in samples) for key in samples[0]}
    report = {
        "what": "bench/startup.py: start-up and summary --json against the floor (medians)",
        "dir": None if args.dir is None else str(args.dir.resolve()),
        "repeat": args.repeat,
        "starts": args.starts,
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "timings": {key: round(value, 3) for key, value in figures.items()},
        "goals": {
            key: {"goal": text, "limit": limit, "value": round(figures[key], 3)}
            | {"met": figures[key] <= limit}
            for key, (limit, text) in GOALS.items()
            if key in figures
        },
        "ratio_samples": [round(s["ratio"], 3) for s in samples],
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
