"""Read live runs again: only their own folders are walked, ids stay relative to the workspace."""

from __future__ import annotations

from pathlib import Path

from bench_tui.model import Problem, Run
from bench_tui.sources.discover import discover_workspace


def rescan_run(root: Path, run: Run) -> tuple[Run | None, list[Problem]]:
    """The run as its files say now (None if it vanished), and the Problems under its folder."""
    live_files = [run.progress.live_file] if run.progress and run.progress.live_file else []
    workspace = discover_workspace(
        root, start=Path(run.path), live_files=[Path(p) for p in live_files]
    )
    fresh = next((candidate for candidate in workspace.runs if candidate.id == run.id), None)
    return fresh, workspace.problems
