"""Record what the CLI prints for a set of workspaces, or check it is byte-identical to a record.

    .venv/bin/python bench/identical.py record DIR... --to /tmp/outputs-before
    .venv/bin/python bench/identical.py check  DIR... --to /tmp/outputs-before

A restructuring of the readers must not move a single figure: `summary --json`, `validate --json`
and `export` (CSV and JSON) of each workspace are compared byte for byte, and the exit codes too.
`check` prints one JSON object (which outputs differ) and exits 1 when any does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

COMMANDS: dict[str, list[str]] = {
    "summary.json": ["summary", "--json"],
    "validate.json": ["validate", "--json"],
    "export.csv": ["export", "--format", "csv"],
    "export.json": ["export", "--format", "json"],
}


def outputs(workspace: Path) -> dict[str, bytes]:
    """Each command's stdout, with its exit code on a last line of its own."""
    found: dict[str, bytes] = {}
    for name, args in COMMANDS.items():
        done = subprocess.run(
            [sys.executable, "-m", "bench_tui", *args, str(workspace)],
            capture_output=True,
            check=False,
        )
        found[name] = done.stdout + f"\n[exit {done.returncode}]\n".encode()
    return found


def record_name(workspace: Path) -> str:
    digest = hashlib.sha256(str(workspace.resolve()).encode()).hexdigest()[:10]
    return f"{workspace.name}-{digest}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("record", "check"))
    parser.add_argument("workspaces", nargs="+", type=Path)
    parser.add_argument("--to", type=Path, required=True, help="Folder of the record.")
    options = parser.parse_args()
    differ: list[str] = []
    compared = 0
    for workspace in options.workspaces:
        folder = options.to / record_name(workspace)
        for name, data in outputs(workspace).items():
            path = folder / name
            if options.action == "record":
                folder.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                continue
            compared += 1
            if not path.is_file() or path.read_bytes() != data:
                differ.append(f"{workspace}: {name}")
                path.with_suffix(path.suffix + ".now").write_bytes(data)
    if options.action == "record":
        print(json.dumps({"recorded": [str(w) for w in options.workspaces], "to": str(options.to)}))
        return 0
    print(json.dumps({"compared": compared, "differ": differ, "identical": not differ}, indent=2))
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
