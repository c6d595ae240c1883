"""Start the app: pick the image renderer, then run the Textual app on a folder."""

from __future__ import annotations

import os
from pathlib import Path

from bench_tui.deeplink import SERVE_URL_ENV


def launch(
    directory: Path, images: str | None, *, goto: str | None = None, use_index: bool = True
) -> int:
    """The exit status: 0, or non-zero when the app ended on an exception."""
    from bench_tui.tui.image_mode import pick_renderer, set_active_renderer

    # The probe reads the terminal's answers on stdin: it cannot run once Textual owns the tty.
    choice = pick_renderer(images)
    set_active_renderer(choice)

    from bench_tui.tui.app import BenchApp

    app = BenchApp(directory, images=choice.mode, goto=goto, use_index=use_index)
    if os.environ.get(SERVE_URL_ENV):
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
