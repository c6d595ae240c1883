"""The floor for `summary --json`: walk the tree and `json.loads` every *.json file, nothing else.

    python bench/floor.py DIR    -> one JSON object with what it saw

Also counts what the workspace holds (runs, tasks, files) for bench/run.py.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any


def walk_and_load(root: str) -> dict[str, Any]:
    counts = {"files": 0, "json_files": 0, "json_bytes": 0, "png_files": 0, "runs": 0, "tasks": 0}
    for directory, dirs, files in os.walk(root):
        counts["files"] += len(files)
        if "tasks" in dirs and "metadata.json" in files:
            counts["runs"] += 1
        if os.path.basename(directory) == "tasks":
            counts["tasks"] += len(dirs)
        for name in files:
            if name.endswith(".png"):
                counts["png_files"] += 1
            elif name.endswith(".json"):
                with open(os.path.join(directory, name), "rb") as handle:
                    raw = handle.read()
                json.loads(raw)
                counts["json_files"] += 1
                counts["json_bytes"] += len(raw)
    return counts


def main() -> None:
    started = time.perf_counter()
    counts = walk_and_load(sys.argv[1])
    print(json.dumps({"seconds": time.perf_counter() - started, **counts}))


if __name__ == "__main__":
    main()
