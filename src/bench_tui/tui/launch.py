"""Start the app: pick the image renderer, then run the Textual app on a folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bench_tui.deeplink import SERVE_URL_ENV
from bench_tui.tui.image_mode import pick_renderer, set_active_renderer


def launch(
    directory: Path,
    images: str | None,
    *,
    goto: str | None = None,
    remote: Any = None,
    use_index: bool = True,
) -> int:
    """The exit status: 0, or non-zero when the app ended on an exception."""
    # The probe reads the terminal's answers on stdin: it cannot run once Textual owns the tty.
    choice = pick_renderer(images)
    set_active_renderer(choice)

    # Deferred for start-up: importing this module (the CLI's entry to the app) stays cheap, and
    # Textual with every page is loaded only once the app is about to run.
    from bench_tui.tui.app import BenchApp

    app = BenchApp(directory, images=choice.mode, goto=goto, remote=remote, use_index=use_index)
    if os.environ.get(SERVE_URL_ENV):
        # Deferred for start-up: only a session started by `serve` watches its parent.
        from bench_tui.tui.parent_watch import exit_with_parent

        exit_with_parent(app, os.getppid())
    try:
        app.run()
    except KeyboardInterrupt:
        # Ctrl+C while the app was closing (the terminal is already restored): exit as a shell
        # does on an interrupt, without a traceback.
        raise SystemExit(130) from None
    # Textual prints the traceback of an unhandled exception and returns normally from run().
    return app.return_code or 0
