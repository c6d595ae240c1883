"""Screenshot timings (DESIGN §6: next step ≤ 100 ms, cached ≤ 20 ms). Prints one JSON object.

    .venv/bin/python bench/screenshot_bench.py [--runs N]

The 1920×1200 test image is a synthetic "screenshot" (gradient, ~300 coloured panels, ~400 lines of
text) so PNG decoding costs what a real one does; a flat image would decode unrealistically fast.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from bench_tui.model.action import Action
from bench_tui.render.images import ImageCache, markers_for_action, prepare_image

SIZE = (1920, 1200)
TARGET = (160, 96)  # a 160×48-cell half-block area


def make_screenshot(path: Path, fmt: str) -> Path:
    rng = random.Random(1)
    image = Image.linear_gradient("L").resize(SIZE).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(300):
        x, y = rng.randrange(SIZE[0] - 20), rng.randrange(SIZE[1] - 20)
        box = [x, y, x + rng.randrange(20, 300), y + rng.randrange(10, 120)]
        fill = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.rectangle(box, fill=fill, outline=(0, 0, 0))
    for line in range(400):
        xy = (rng.randrange(SIZE[0] - 120), rng.randrange(SIZE[1] - 10))
        draw.text(xy, f"The quick brown fox {line}", fill=(0, 0, 0))
    image.save(path, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return path


def timed(
    fn: Callable[[], object], runs: int, before: Callable[[], object] | None = None
) -> dict[str, float]:
    samples: list[float] = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(samples), 3),
        "min_ms": round(min(samples), 3),
        "max_ms": round(max(samples), 3),
    }


def reset_halfblock(styles_too: bool) -> None:
    from bench_tui.tui.widgets import screenshot

    screenshot._strip_sets.clear()
    if styles_too:
        screenshot._styles.clear()
        screenshot._colours.clear()


async def show_to_frame(png: Path, runs: int) -> dict[str, Any]:
    """Key to frame through the real widget, in two parts: show() until the new strips are on the
    canvas (decode + half-blocks in the worker, message back), then one full-screen paint by the
    compositor (private API; the real app repaints only the widget's region)."""
    from textual.app import App, ComposeResult
    from textual.worker import WorkerCancelled

    from bench_tui.tui.widgets.screenshot import (
        IMAGE_CACHE,
        TCSS_PATH,
        HalfblockCanvas,
        Screenshot,
    )

    class BenchApp(App[None]):
        CSS_PATH = [TCSS_PATH]  # noqa: RUF012

        def compose(self) -> ComposeResult:
            yield Screenshot(mode="halfblock")

    click = Action(type="click", x=0.3, y=0.4, coord_quality="exact")
    markers = tuple(markers_for_action(click, (255, 64, 64)))
    app = BenchApp()
    result: dict[str, Any] = {}
    async with app.run_test(size=(164, 52)) as pilot:
        shot = app.query_one(Screenshot)
        canvas = app.query_one(HalfblockCanvas)
        await pilot.pause()
        for label, cold in (("cold", True), ("cached", False)):
            to_strips: list[float] = []
            paint: list[float] = []
            for run in range(runs):
                shot.show(str(png), ())  # another frame first, so the next show() changes it
                for worker in list(app.workers):  # superseded frames end as cancelled
                    with contextlib.suppress(WorkerCancelled):
                        await worker.wait()
                await pilot.pause()
                if cold:
                    IMAGE_CACHE.clear()
                    reset_halfblock(styles_too=run % 2 == 0)  # half the runs: no Style reuse
                before = canvas.strips
                started = time.perf_counter()
                shot.show(str(png), markers)
                while canvas.strips is before:
                    await asyncio.sleep(0.0005)
                to_strips.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                app.screen._compositor.render_update(full=True)
                paint.append((time.perf_counter() - started) * 1000)
            result[label] = {
                "to_strips_median_ms": round(statistics.median(to_strips), 2),
                "to_strips_max_ms": round(max(to_strips), 2),
                "paint_full_screen_median_ms": round(statistics.median(paint), 2),
            }
        result["cells"] = list(canvas.image_cells)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs

    from rich_pixels import HalfcellRenderer, Pixels

    from bench_tui.tui.widgets.screenshot import halfblock_strips

    with tempfile.TemporaryDirectory() as tmp:
        png = make_screenshot(Path(tmp) / "shot.png", "PNG")
        jpeg = make_screenshot(Path(tmp) / "shot.jpg", "JPEG")
        click = Action(type="click", x=0.3, y=0.4, coord_quality="exact")
        markers = tuple(markers_for_action(click, (255, 64, 64), tag="H"))
        prepare_image(png, TARGET, markers)  # import Pillow's plugins outside the timings

        cache = ImageCache()
        cached = cache.get_or_prepare(png, TARGET, markers)
        frame = prepare_image(png, (160, 90), markers)  # the 160×90-px frame of the §6 goal

        report: dict[str, Any] = {
            "python": sys.version.split()[0],
            "image": f"{SIZE[0]}x{SIZE[1]}",
            "png_bytes": png.stat().st_size,
            "target_px": list(TARGET),
            "prepared_px": list(cached.size),
            "runs": runs,
            "cold_prepare_png": timed(lambda: prepare_image(png, TARGET, markers), runs),
            "cold_prepare_jpeg": timed(lambda: prepare_image(jpeg, TARGET, markers), runs),
            "cached_get": timed(lambda: cache.get_or_prepare(png, TARGET, markers), runs * 10),
            "halfblock_render_160x90": {
                "frame_px": list(frame.size),
                "own_cold_styles": timed(
                    lambda: halfblock_strips(frame), runs, lambda: reset_halfblock(True)
                ),
                "own_warm_styles": timed(
                    lambda: halfblock_strips(frame), runs, lambda: reset_halfblock(False)
                ),
                "own_same_image_again": timed(lambda: halfblock_strips(frame), runs * 10),
                "rich_pixels": timed(
                    lambda: Pixels.from_image(frame, renderer=HalfcellRenderer()), runs
                ),
            },
            "show_to_frame_164x52_terminal": asyncio.run(show_to_frame(png, max(5, runs // 2))),
        }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
