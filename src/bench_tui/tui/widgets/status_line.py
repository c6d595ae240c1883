"""The one-line header: where we are, discovery progress, and the problems count."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from bench_tui.safetext import visible
from bench_tui.tui.palette import BAD_BOLD, WARN_BOLD


class StatusLine(Static):
    root: reactive[str] = reactive("")
    scanning: reactive[bool] = reactive(True)
    dirs_seen: reactive[int] = reactive(0)
    runs: reactive[int] = reactive(0)
    problems: reactive[int] = reactive(0)
    checking: reactive[float | None] = reactive(None)
    """Share of the files listing left unread that are checked so far; None when none are left."""
    stopped: reactive[str | None] = reactive(None)
    """Why the scan ended before the whole folder was walked."""

    def render(self) -> Text:
        text = Text()
        text.append(" bench-tui ", style="bold reverse")
        text.append(f" {visible(self.root, one_line=True)}  ")
        if self.scanning:
            text.append(
                f"scanning… {self.dirs_seen:,} folders, {_count(self.runs, 'run')}", style="italic"
            )
        else:
            text.append(_count(self.runs, "run"), style="dim")
        if self.stopped:
            text.append(f"   {self.stopped}", style=BAD_BOLD)
        if self.checking is not None:
            text.append(f"   checking files… {self.checking:.0%}", style="italic")
        if self.problems:
            text.append(f"   problems: {self.problems:,} ⚠ (!)", style=WARN_BOLD)
        else:
            text.append("   no problems", style="dim")
        return text


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")
