"""Labels cut to a width without two different things ever reading the same.

Eval report names share long prefixes (`eval_qwen3_2b_base_login`, `…_login_v2`, `…_login_v3`):
cutting each at its end makes three reports one. A label that does not fit keeps its start, else
its end, else a window around where it parts from the labels most like it, else its two ends: the
first of these that no other label could be read as (`eval_x_login…` could be `eval_x_login_v2`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

ELLIPSIS = "…"


@dataclass(frozen=True)
class _Cut:
    shown: str
    kept: str
    where: str
    """Which part of the label `kept` is: "start", "end", "inside" or "both" (start and end)."""

    tail: str = ""
    """For a cut in the middle ("both"), the end kept after the ellipsis."""

    def could_be(self, other: str) -> bool:
        if self.where == "start":
            return other.startswith(self.kept)
        if self.where == "end":
            return other.endswith(self.kept)
        if self.where == "both":
            long_enough = len(other) >= len(self.kept) + len(self.tail)
            return long_enough and other.startswith(self.kept) and other.endswith(self.tail)
        return self.kept in other


def _first_difference(a: str, b: str) -> int:
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return index
    return min(len(a), len(b))


def _cuts(label: str, width: int, others: Sequence[str]) -> Iterator[_Cut]:
    """Ways to show `label` in `width` cells, plainest first."""
    keep = width - 1
    yield _Cut(label[:keep] + ELLIPSIS, label[:keep], "start")
    yield _Cut(ELLIPSIS + label[-keep:], label[-keep:], "end")
    inner = width - 2
    # Around where it parts from the labels most like it: that is what tells it apart.
    for where in sorted({_first_difference(label, other) for other in others}, reverse=True):
        start = max(1, min(where - inner // 2, len(label) - keep))
        if start + inner >= len(label):
            yield _Cut(ELLIPSIS + label[start:], label[start:], "end")
        else:
            kept = label[start : start + inner]
            yield _Cut(ELLIPSIS + kept + ELLIPSIS, kept, "inside")
    # Its start and its end, the ellipsis in between: two far-apart differences at once.
    for head in sorted(range(1, keep), key=lambda n: abs(2 * n - keep)):
        front, back = label[:head], label[len(label) - (keep - head) :]
        yield _Cut(front + ELLIPSIS + back, front, "both", back)


def fit_distinct(labels: Sequence[str], width: int) -> list[str]:
    """Each label within `width` cells (at least 4), none readable as another one."""
    width = max(4, width)
    fitted = list(labels)
    taken = {label for label in labels if len(label) <= width}
    for index, label in enumerate(labels):
        if len(label) <= width:
            continue
        others = [other for position, other in enumerate(labels) if position != index]
        choice = next(
            (
                cut.shown
                for cut in _cuts(label, width, others)
                if cut.shown not in taken and not any(cut.could_be(o) for o in others)
            ),
            None,
        )
        if choice is None:  # nothing tells it apart in this width: number it
            number = str(index + 1)
            choice = label[: width - len(number) - 1] + ELLIPSIS + number
        fitted[index] = choice
        taken.add(choice)
    return fitted
