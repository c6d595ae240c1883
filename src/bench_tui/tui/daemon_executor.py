"""The app's thread workers run on daemon threads, so quitting never waits for a blocked read.

Textual runs thread workers through the event loop's default executor. asyncio's default pool
is joined when the loop closes and again at interpreter exit, so one worker stuck in a read (a
network mount that stopped answering, a file that never ends) kept the process alive after `q`
cleared the screen. Here every job gets its own daemon thread and shutting down waits for none:
a cancelled worker's thread is simply left to the process's exit.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class DaemonThreadExecutor(ThreadPoolExecutor):
    """An executor whose jobs each run on a new daemon thread; shutdown returns at once.

    A ThreadPoolExecutor subclass only because asyncio accepts nothing else as the default
    executor; none of the pool machinery is used.
    """

    def __init__(self, name: str = "bench-tui-worker") -> None:
        super().__init__(max_workers=1, thread_name_prefix=name)
        self._name = name

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # handed to whoever awaits the future, as a pool does
                future.set_exception(exc)
            else:
                future.set_result(result)

        threading.Thread(target=run, name=self._name, daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to wait for: a thread still running belongs to a worker already cancelled."""


def use_daemon_threads(loop: asyncio.AbstractEventLoop) -> None:
    """Make `loop` run `run_in_executor(None, …)` jobs (Textual's thread workers) on daemon threads."""
    if not isinstance(getattr(loop, "_default_executor", None), DaemonThreadExecutor):
        loop.set_default_executor(DaemonThreadExecutor())
