"""Start the app: pick the image renderer, then run the Textual app on a folder."""

from __future__ import annotations

from pathlib import Path


def launch(directory: Path, images: str | None) -> None:
    from bench_tui.tui.app import BenchApp

    BenchApp(directory, images=images).run()
