"""One way for a worker's unexpected exception to be seen, never a page left "Loading…".

Every thread worker of the app is declared with `@reported_work(...)` instead of Textual's
`@work`. An exception its body did not expect (a reader bug) is:
- appended with its traceback to `errors.log` in the user's state folder (`userdirs.state_dir`),
  from the worker thread, one write on a file opened for appending;
- sent to the app as a `WorkerCrashed` message, whose one handler (BenchApp) adds a Problem
  located at what was being read, shows an error notice naming the log, and asks the node that
  started the worker to show the failure in place (`ShowsWorkerFailure`);
- raised again, so that the worker still ends in Textual's ERROR state.

Textual's own `Worker.StateChanged` does not bubble (only the node that started the worker gets
it), and by then what the worker was reading is gone: hence a decorator around the body.
"""

from __future__ import annotations

import errno
import functools
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from textual import work
from textual.dom import DOMNode
from textual.message import Message

from bench_tui.safeio import open_own_dir, open_own_file
from bench_tui.safetext import visible
from bench_tui.sources.common import ReadContext
from bench_tui.userdirs import state_dir

ERRORS_LOG = "errors.log"
WHOLE_FOLDER = "."
"""The Problem's path when a worker was reading the whole folder, or cannot say what it read."""


def errors_log_path() -> Path:
    return state_dir() / ERRORS_LOG


def relative_to(root: Path | str, path: Path | str) -> str:
    """A Problem's path for `path`: relative to the scanned folder, as the readers write it."""
    return ReadContext(root=Path(root)).rel(path)


@dataclass(frozen=True)
class WorkerFailure:
    doing: str
    """What the worker was doing, e.g. "loading steps"."""
    path: str
    """What it was reading, relative to the scanned folder (the Problem's path)."""
    error: str
    """`ExcType: message`, made visible."""
    group: str
    """The worker's group: tells the node which of its workers failed."""
    log: str
    """The log the traceback was meant for."""
    log_error: str | None = None
    """Why the traceback could not be written there (None when it was)."""

    @property
    def message(self) -> str:
        if self.log_error is None:
            where = f"traceback in {self.log}"
        else:
            where = f"traceback not saved ({self.log}: {self.log_error})"
        return f"internal error while {self.doing}: {self.error} — {where}"


class WorkerCrashed(Message):
    """A worker of `node` ended on an exception its body did not expect."""

    def __init__(self, node: DOMNode, failure: WorkerFailure) -> None:
        super().__init__()
        self.node = node
        self.failure = failure


@runtime_checkable
class ShowsWorkerFailure(Protocol):
    """A node whose page waits for its workers: it replaces its "Loading…" with the failure."""

    def show_worker_failure(self, failure: WorkerFailure) -> None: ...


def append_to_log(path: Path, text: str) -> None:
    """One write of `text` at the end of `path`, in a folder of our own (made if missing; neither
    it nor the file may be a symbolic link). O_APPEND keeps two writers' entries whole."""
    path.parent.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder_fd = open_own_dir(path.parent, create=True)
    try:
        fd = open_own_file(
            folder_fd, path.parent, path.name, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600
        )
        try:
            data = text.encode("utf-8", "backslashreplace")
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(errno.EIO, f"short write: {written} of {len(data)} bytes")
        finally:
            os.close(fd)
    finally:
        if folder_fd >= 0:
            os.close(folder_fd)


def record_failure(doing: str, path: str, group: str, exc: BaseException) -> WorkerFailure:
    """Append the traceback of `exc` to the errors log; the failure as the app will show it."""
    log = errors_log_path()
    error = visible(f"{type(exc).__name__}: {exc}", one_line=True)
    # Made visible: the message may quote a result file, and the log is read in a terminal.
    entry = (
        f"--- {datetime.now().isoformat(timespec='seconds')} internal error while {doing}: "
        f"{visible(path, one_line=True)}\n"
        f"{visible(''.join(traceback.format_exception(exc)))}\n"
    )
    try:
        append_to_log(log, entry)
    except OSError as write_error:
        reason = write_error.strerror or str(write_error) or type(write_error).__name__
        return WorkerFailure(doing, path, error, group, str(log), visible(reason, one_line=True))
    return WorkerFailure(doing, path, error, group, str(log))


def reported_work(
    doing: str,
    *,
    group: str,
    exclusive: bool = False,
    where: Callable[..., str] | None = None,
) -> Callable[[Callable[..., None]], Callable[..., Any]]:
    """Textual's `@work(thread=True, exit_on_error=False)`, with the body's unexpected exception
    reported (module docstring). `where(node, *args, **kwargs)` names what the call reads,
    relative to the scanned folder (the whole folder when not given)."""

    def decorate(method: Callable[..., None]) -> Callable[..., Any]:
        @functools.wraps(method)
        def body(node: DOMNode, *args: Any, **kwargs: Any) -> None:
            try:
                method(node, *args, **kwargs)
            except Exception as exc:
                path = WHOLE_FOLDER if where is None else _where(where, node, args, kwargs, exc)
                failure = record_failure(doing, path, group, exc)
                node.app.post_message(WorkerCrashed(node, failure))
                raise

        return work(thread=True, exclusive=exclusive, group=group, exit_on_error=False)(body)

    return decorate


def _where(
    where: Callable[..., str],
    node: DOMNode,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    failure: Exception,
) -> str:
    try:
        return where(node, *args, **kwargs)
    except Exception as exc:
        # Still reported, at the whole folder; why its place is unknown goes with the traceback.
        failure.add_note(f"(what was being read is unknown: {type(exc).__name__}: {exc})")
        return WHOLE_FOLDER
