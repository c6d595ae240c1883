"""The index goals of issue 17; prints one JSON object.

    .venv/bin/python bench/index.py --dir /tmp/big3k [--repeat 3] [--query '"select all"'] [--app]

Every command runs as a fresh process (start-up and imports count), median of `--repeat`, with
its own index folder (XDG_CACHE_HOME in a temporary folder, so the user's cache is not touched):

- `floor_s`: bench/floor.py (walk + json.loads of every *.json), after one untimed pass;
- `summary_no_index_s`: `summary --json --no-index`, i.e. today's summary;
- `first_open_s`: `summary --json` with no index file (reads everything and builds the index);
- `reopen_s`: `summary --json` again, nothing changed (claims replayed, files only stat'ed);
- `search_build_s`: the first `search` (puts every step in the index; once per folder);
- `warm_search_s`: `search DIR QUERY --json` once the index holds the steps;
- `index_mb` / `json_mb`: the index file(s) beside the JSON it indexes;
- with `--app`, `app_first_list_s` and `app_list_s`: bench/tui_probe.py `--index --list-only`,
  the app fully listed (`full_list_s`: from the app's start, imports apart, `app_import_s`) the
  first time (it keeps the listing's entries) and again with nothing changed;
- `*_rss_mb`: peak RSS of that process alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from run import floor_pass, machine, run_child  # noqa: E402

GOALS: dict[str, tuple[str, float, str]] = {
    "reopen_vs_floor": ("≤", 0.5, "reopen unchanged `summary --json` ≤ 0.5× the floor"),
    "first_open_vs_summary": ("≤", 1.3, "first open with the index build ≤ 1.3× today's summary"),
    "warm_search_s": ("≤", 0.5, "warm search ≤ 0.5 s"),
    "index_vs_json": ("≤", 0.25, "index size ≤ 25 % of the JSON it indexes"),
    "reopen_rss_mb": ("≤", 300.0, "RSS ≤ 300 MB"),
    "app_list_s": ("≤", 1.0, "the app fully listed ≤ 1 s with the index warm"),
}


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from bench_tui.cli import main; main()", *args]


def index_bytes(cache: Path) -> int:
    folder = cache / "bench-tui"
    return sum(p.stat().st_size for p in folder.iterdir()) if folder.is_dir() else 0


def app_listed(directory: Path, runs: int) -> dict[str, Any]:
    """bench/tui_probe.py through the index in $XDG_CACHE_HOME, stopped once fully listed."""
    probe = [sys.executable, str(BENCH / "tui_probe.py"), str(directory), "--expect-runs"]
    _, _, output = run_child([*probe, str(runs), "--index", "--list-only"])
    figures = json.loads(output)
    if figures.get("errors"):
        sys.exit(f"tui_probe.py failed: {figures['errors']}")
    return figures


def one_pass(directory: Path, query: str, build_search: bool, app: bool) -> dict[str, Any]:
    target = str(directory)
    figures: dict[str, Any] = {}
    figures["floor_s"], counts = floor_pass(directory)
    figures["json_bytes"] = counts["json_bytes"]
    with tempfile.TemporaryDirectory(prefix="bench-index-") as cache:
        os.environ["XDG_CACHE_HOME"] = cache
        seconds, rss, plain = run_child(cli("summary", target, "--json", "--no-index"))
        figures["summary_no_index_s"], figures["summary_no_index_rss_mb"] = seconds, rss
        seconds, rss, first = run_child(cli("summary", target, "--json"))
        figures["first_open_s"], figures["first_open_rss_mb"] = seconds, rss
        seconds, rss, again = run_child(cli("summary", target, "--json"))
        figures["reopen_s"], figures["reopen_rss_mb"] = seconds, rss
        figures["identical"] = plain == first == again
        figures["claims_mb"] = index_bytes(Path(cache)) / 1e6
        if app:
            first = app_listed(directory, counts["runs"])
            figures["app_first_list_s"] = first["full_list_s"]
            warm = app_listed(directory, counts["runs"])
            figures["app_list_s"] = warm["full_list_s"]
            figures["app_import_s"] = warm["import_s"]
            figures["app_list_rss_mb"] = warm["rss_mb"]
        if build_search:
            seconds, rss, _ = run_child(cli("search", target, query, "--json"))
            figures["search_build_s"], figures["search_build_rss_mb"] = seconds, rss
            seconds, rss, hits = run_child(cli("search", target, query, "--json"))
            figures["warm_search_s"], figures["warm_search_rss_mb"] = seconds, rss
            figures["warm_search_hits"] = len(json.loads(hits))
            figures["index_mb"] = index_bytes(Path(cache)) / 1e6
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--query", default='"select all"')
    parser.add_argument(
        "--search-passes", type=int, default=1, help="passes that also build the search index"
    )
    parser.add_argument("--app", action="store_true", help="also time the app's listing")
    args = parser.parse_args()
    floor_pass(args.dir)  # untimed: the page cache
    samples = [
        one_pass(args.dir, args.query, build_search=index < args.search_passes, app=args.app)
        for index in range(args.repeat)
    ]
    keys = {key for sample in samples for key in sample}
    timings = {
        key: statistics.median(s[key] for s in samples if key in s)
        for key in sorted(keys)
        if all(isinstance(s.get(key, 0), (int, float)) for s in samples)
    }
    timings["identical"] = all(s["identical"] for s in samples)
    timings["reopen_vs_floor"] = timings["reopen_s"] / timings["floor_s"]
    timings["first_open_vs_summary"] = timings["first_open_s"] / timings["summary_no_index_s"]
    if "index_mb" in timings:
        timings["index_vs_json"] = timings["index_mb"] * 1e6 / timings["json_bytes"]
    goals = {
        key: {"goal": text, "value": round(timings[key], 3), "met": timings[key] <= limit}
        for key, (_op, limit, text) in GOALS.items()
        if key in timings
    }
    print(
        json.dumps(
            {
                "machine": machine(),
                "dir": str(args.dir),
                "timings": {
                    k: round(v, 3) if isinstance(v, float) else v for k, v in timings.items()
                },
                "goals": goals,
                "samples": samples,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
