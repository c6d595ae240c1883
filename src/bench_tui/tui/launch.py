"""Start the app: pick the image renderer, then run the Textual app on a folder."""

from __future__ import annotations

from pathlib import Path


def launch(directory: Path, images: str | None) -> None:
    from bench_tui.tui.image_mode import pick_renderer, set_active_renderer

    # The probe reads the terminal's answers on stdin: it cannot run once Textual owns the tty.
    choice = pick_renderer(images)
    set_active_renderer(choice)

    from bench_tui.tui.app import BenchApp

    try:
        BenchApp(directory, images=choice.mode).run()
    except KeyboardInterrupt:
        # Ctrl+C while the app was closing (the terminal is already restored): exit as a shell
        # does on an interrupt, without a traceback.
        raise SystemExit(130) from None
