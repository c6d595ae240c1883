"""`summary --json` without the index, on the first open (index built) and on reopening, for a
workspace of any format (see make_big_formats.py): fresh processes, medians of `--repeat`.

    .venv/bin/python bench/index_formats.py --dir /tmp/bigwa [--repeat 3] [--src OTHER/src]

Each pass uses a fresh cache folder (XDG_CACHE_HOME in a temporary folder): `first` builds the
index, `reopen` replays it. One untimed `--no-index` pass first warms the page cache. Every
output is compared with the `--no-index` one: a difference is an error, not a figure.
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

REPO_ROOT = Path(__file__).resolve().parent.parent


SRC = [str(REPO_ROOT / "src")]


def _summary(folder: Path, cache: str, *flags: str) -> tuple[float, bytes]:
    env = {**os.environ, "XDG_CACHE_HOME": cache, "PYTHONPATH": SRC[0]}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bench_tui", "summary", str(folder), "--json", *flags],
        env=env,
        capture_output=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1) or done.stderr:
        sys.exit(f"summary failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return seconds, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--src", type=Path, help="another source tree to time (e.g. before a change)"
    )
    args = parser.parse_args()
    if args.src is not None:
        SRC[0] = str(args.src.resolve())
    folder = args.dir.resolve()
    samples: dict[str, list[float]] = {"no_index": [], "first": [], "reopen": []}
    with tempfile.TemporaryDirectory() as scratch:
        _, plain = _summary(folder, scratch, "--no-index")  # warms the page cache
        for attempt in range(args.repeat):
            seconds, out = _summary(folder, scratch, "--no-index")
            samples["no_index"].append(seconds)
            cache = os.path.join(scratch, f"cache{attempt}")
            for name in ("first", "reopen"):
                seconds, out = _summary(folder, cache)
                if out != plain:
                    sys.exit(f"{name}: summary differs from --no-index")
                samples[name].append(seconds)
    medians = {name: round(statistics.median(values), 3) for name, values in samples.items()}
    print(
        json.dumps(
            {
                "dir": str(folder),
                "repeat": args.repeat,
                "median_s": medians,
                "first_over_no_index": round(medians["first"] / medians["no_index"], 2),
                "reopen_over_no_index": round(medians["reopen"] / medians["no_index"], 2),
                "samples_s": {k: [round(v, 3) for v in vs] for k, vs in samples.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
