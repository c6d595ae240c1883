"""Where bench-tui keeps its own files in the user's home (never in a results folder)."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    """`$XDG_STATE_HOME/bench-tui`, else `~/.local/state/bench-tui` (XDG Base Directory)."""
    state_home = os.environ.get("XDG_STATE_HOME")
    base = Path(state_home) if state_home else Path.home() / ".local" / "state"
    return base / "bench-tui"


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/bench-tui`, else `~/.cache/bench-tui`: the index and remote mirrors.
    A relative `XDG_CACHE_HOME` is ignored, as the XDG Base Directory spec says."""
    configured = os.environ.get("XDG_CACHE_HOME")
    base = Path(configured) if configured and os.path.isabs(configured) else Path.home() / ".cache"
    return base / "bench-tui"


def triage_override_dir() -> Path:
    """Where triage records go when a run's folder cannot be written (triage.store):
    `$BENCH_TUI_TRIAGE_DIR`, else `<state_dir>/triage`."""
    configured = os.environ.get("BENCH_TUI_TRIAGE_DIR")
    if configured:
        return Path(configured).expanduser()
    return state_dir() / "triage"
