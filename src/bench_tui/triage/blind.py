"""Blind comparison: which tasks show A and B swapped, and what was labelled while blind."""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable
from typing import TypeVar

from bench_tui.triage.store import TriageState

K = TypeVar("K", bound=Hashable)

# ----- blind comparison ------------------------------------------------------------------------


def blind_assignment(task_keys: Iterable[K], seed: int) -> dict[K, bool]:
    """True where A and B are shown swapped for that task.

    Each key's coin depends only on (seed, key), so adding tasks never reshuffles the others
    and the same seed replays the same assignment on any machine.
    """
    result: dict[K, bool] = {}
    for key in task_keys:
        digest = hashlib.sha256(f"{seed}\x00{key!r}".encode("utf-8", "surrogateescape")).digest()
        result[key] = bool(digest[0] & 1)
    return result


def reveal(state: TriageState, blind_seed: int | None = None) -> dict[str, dict[str, int]]:
    """model -> label -> count of labels still set that were given blind (one session or all)."""
    totals: dict[str, dict[str, int]] = {}
    for (key, label), session in state.given_blind.items():
        if blind_seed is not None and session != blind_seed:
            continue
        if label not in state.labels.get(key, ()):
            continue
        per_model = totals.setdefault(key[0], {})
        per_model[label] = per_model.get(label, 0) + 1
    return {model: dict(sorted(counts.items())) for model, counts in sorted(totals.items())}
