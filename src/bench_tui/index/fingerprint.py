"""What the readers that filled an index were: entries made by other code are never replayed.

An upgrade (or an edit in a source tree) can change what a reader makes of the same file, so
every key starts with a digest of the version and of the size and mtime of each module of the
layers that read files (model, sources, analysis, report, triage), plus the settings that change
what they read (BENCH_TUI_FOLLOW_OUTSIDE). Computed once per process: a few hundred stats.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from bench_tui import __version__
from bench_tui.safeio import follow_outside

_PACKAGE = Path(__file__).resolve().parent.parent
_READING = ("model", "sources", "analysis", "triage", "report.py", "index")


@functools.cache
def _code_digest() -> str:
    digest = hashlib.blake2b(__version__.encode(), digest_size=8)
    for part in _READING:
        base = _PACKAGE / part
        files = sorted(base.rglob("*.py")) if base.is_dir() else [base]
        for path in files:
            try:
                info = path.stat()
            except OSError:
                continue
            digest.update(
                f"{path.relative_to(_PACKAGE)}:{info.st_size}:{info.st_mtime_ns};".encode()
            )
    return digest.hexdigest()


def fingerprint() -> str:
    return f"{_code_digest()}{'+follow' if follow_outside() else ''}"
