"""A served session's app ends with the server that started it.

`serve` stops its sessions itself on SIGINT/SIGTERM, but a server that is killed (SIGKILL, the OOM
killer, a crash) stops nothing, and Textual's web driver goes on after its input ends. So each
session's app watches its parent: once it has been re-parented, the server is gone.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import Any

from textual.app import App

CHECK_S = 1.0
EXIT_GRACE_S = 3.0
"""How long the app may take to exit cleanly before the process ends without it."""


def exit_with_parent(app: App[Any], parent_pid: int, check_s: float = CHECK_S) -> None:
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(check_s)
        # Armed first: asking the app waits on its loop, which may be stuck.
        hard_stop = threading.Timer(EXIT_GRACE_S, os._exit, args=(1,))
        hard_stop.daemon = True
        hard_stop.start()
        # RuntimeError: the app is not running (yet or any more); the timer ends the process.
        with contextlib.suppress(RuntimeError):
            app.call_from_thread(app.exit)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
