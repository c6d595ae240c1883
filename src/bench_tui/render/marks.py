"""Trial outcomes as a row of marks, for the Repeats view and `bench-tui repeats`."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text


def trial_marks(statuses: Sequence[str]) -> Text:
    """One mark per trial, oldest first: ✓ passed, ✗ failed; a yellow ✗ had no verdict (an error,
    an infrastructure failure, or a run that ended before the task)."""
    marks = Text()
    for status in statuses:
        if status == "passed":
            marks.append("✓", style="bold green")
        elif status == "failed":
            marks.append("✗", style="red")
        else:
            marks.append("✗", style="yellow")
    return marks
