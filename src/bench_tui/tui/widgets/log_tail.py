"""The last lines of a text log that keeps growing (`training.log`), followed like `tail -F`.

A timer stats the file once a second and a thread worker reads only the new bytes: no busy loop,
no extra dependency, and the UI thread never touches the disk. A file that shrinks (rewritten or
rotated) is read again from its end.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.message import Message
from textual.widgets import Log
from textual.worker import get_current_worker

from bench_tui.safeio import open_regular, read_at
from bench_tui.safetext import visible
from bench_tui.tui.worker_errors import WorkerFailure, relative_to, reported_work

TAIL_LINES = 200
FIRST_READ_BYTES = 64 * 1024
"""Enough for ~200 log lines; older text is never shown, so never read."""
MAX_READ_BYTES = 4 * 1024 * 1024
"""More new bytes than this since the last read: only the last FIRST_READ_BYTES are read."""
POLL_S = 1.0


@dataclass
class _Chunk:
    offset: int
    partial: str


class LogTail(Log):
    """Shows the last `TAIL_LINES` lines of `path` and appends as the file grows."""

    class Appended(Message, bubble=False):
        def __init__(self, lines: list[str], reset: bool, note: str | None) -> None:
            super().__init__()
            self.lines = lines
            self.reset = reset
            self.note = note

    def __init__(
        self,
        path: Path | None,
        *,
        within: str | None = None,
        poll_s: float = POLL_S,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(max_lines=TAIL_LINES, auto_scroll=True, id=id, classes=classes)
        self.path = path
        self.within = within
        """The real folder the log must be in (safeio.boundary of the opened folder)."""
        self.poll_s = poll_s
        self._state: _Chunk | None = None
        self._missing_noted = False

    def on_mount(self) -> None:
        if self.path is None:
            self.write_line("(no log file for this run)")
            return
        self._poll()
        self.set_interval(self.poll_s, self._poll)

    def _poll(self) -> None:
        # One read at a time; a slow disk skips ticks instead of queueing them.
        if not any(w.group == "log-tail" and w.is_running for w in self.workers):
            self._read_new()

    @reported_work(
        "following the log",
        group="log-tail",
        exclusive=True,
        where=lambda tail: relative_to(getattr(tail.app, "root", Path.cwd()), tail.path or "."),
    )
    def _read_new(self) -> None:
        if self.path is None:
            return
        try:
            # Regular files only, opened without blocking: a FIFO or /dev/zero planted under
            # the log's name would otherwise hang this worker or never end.
            fd, info = open_regular(self.path, self.within)
        except (OSError, ValueError) as exc:
            if not self._missing_noted:
                self._missing_noted = True
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                note = f"(waiting for {self.path.name}: {reason or type(exc).__name__})"
                self.post_message(self.Appended([], True, note))
            self._state = None
            return
        try:
            data, start, reset = self._new_bytes(fd, info.st_size)
        except OSError as exc:
            self.post_message(self.Appended([], False, f"(cannot read: {exc.strerror or exc})"))
            return
        finally:
            os.close(fd)
        if data is None:
            return
        state = self._state
        prefix = "" if state is None or reset else state.partial
        text = prefix + data.decode("utf-8", errors="replace")
        lines = text.split("\n")
        partial = lines.pop()  # the writer may be mid-line; finish it on the next read
        if reset and start > 0 and lines:
            lines = lines[1:]  # the first line was cut by the seek
        self._state = _Chunk(start + len(data), partial)
        self._missing_noted = False
        if get_current_worker().is_cancelled:
            return
        self.post_message(self.Appended([line.rstrip("\r") for line in lines], reset, None))

    def show_worker_failure(self, failure: WorkerFailure) -> None:
        self.write_line(visible(f"({failure.message})", one_line=True))

    def _new_bytes(self, fd: int, size: int) -> tuple[bytes | None, int, bool]:
        """(bytes added since the last read or None, where they start, whether to start over)."""
        state = self._state
        reset = state is None or size < state.offset or size - state.offset > MAX_READ_BYTES
        if state is not None and size == state.offset:
            return None, 0, False
        start = max(0, size - FIRST_READ_BYTES) if reset else state.offset  # type: ignore[union-attr]
        return read_at(fd, start, min(size - start, MAX_READ_BYTES)), start, reset

    @on(Appended)
    def _appended(self, message: Appended) -> None:
        if message.reset:
            self.clear()
        if message.note:
            self.write_line(visible(message.note, one_line=True))
        if message.lines:
            # Log strips only C0 below 0x15: ESC and C1 would reach the terminal.
            self.write_lines([visible(line, one_line=True) for line in message.lines[-TAIL_LINES:]])
