"""Blind comparison: which tasks show A and B swapped, and what was labelled while blind."""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable
from typing import TypeVar

from bench_tui.triage.labels import Label, LabelSet
from bench_tui.triage.store import TriageState

K = TypeVar("K", bound=Hashable)

# ----- blind comparison ------------------------------------------------------------------------


def _digest(seed: int, key: Hashable, purpose: str = "") -> bytes:
    text = f"{seed}\x00{purpose}{key!r}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).digest()


def blind_assignment(task_keys: Iterable[K], seed: int) -> dict[K, bool]:
    """True where A and B are shown swapped for that task.

    Each key's coin depends only on (seed, key), so adding tasks never reshuffles the others
    and the same seed replays the same assignment on any machine.
    """
    return {key: bool(_digest(seed, key)[0] & 1) for key in task_keys}


def blind_order(task_keys: Iterable[K], seed: int) -> list[K]:
    """The tasks in an order that depends only on the seed: a list sorted by outcome would say
    which side passed (a block of "A only" rows gives A away)."""
    return sorted(task_keys, key=lambda key: _digest(seed, key, "order"))


# ----- preferences -----------------------------------------------------------------------------

PREFERENCE_CHOICES = LabelSet(
    (
        Label("left better", "l"),
        Label("right better", "r"),
        Label("tie", "t"),
        Label("both wrong", "w"),
    )
)
"""What `p` offers in a blind comparison: a judgement of the pair, not a failure cause."""
PREFERRED, NOT_PREFERRED, TIE, BOTH_WRONG = "preferred", "not preferred", "tie", "both wrong"
PREFERENCE_LABELS = frozenset({PREFERRED, NOT_PREFERRED, TIE, BOTH_WRONG})
"""Stored on each side's (model, task), so the reveal counts them per model."""


def preference_labels(choice: str) -> tuple[str, str]:
    """The labels the left and the right model get for a choice of PREFERENCE_CHOICES."""
    return {
        "left better": (PREFERRED, NOT_PREFERRED),
        "right better": (NOT_PREFERRED, PREFERRED),
        "tie": (TIE, TIE),
        "both wrong": (BOTH_WRONG, BOTH_WRONG),
    }[choice]


def current_preference(left: Iterable[str], right: Iterable[str]) -> str | None:
    """The choice the two sides' labels record, if any."""
    pair = (
        next((label for label in left if label in PREFERENCE_LABELS), None),
        next((label for label in right if label in PREFERENCE_LABELS), None),
    )
    for choice in PREFERENCE_CHOICES.names():
        if preference_labels(choice) == pair:
            return choice
    return None


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
