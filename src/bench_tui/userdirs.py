"""Where bench-tui keeps its own files in the user's home (never in a results folder)."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    """`$XDG_STATE_HOME/bench-tui`, else `~/.local/state/bench-tui` (XDG Base Directory)."""
    state_home = os.environ.get("XDG_STATE_HOME")
    base = Path(state_home) if state_home else Path.home() / ".local" / "state"
    return base / "bench-tui"
