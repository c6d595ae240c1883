"""The Screenshot widget in half-block mode, driven through Pilot."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import ClassVar

import pytest
from PIL import Image
from rich.color import Color
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from bench_tui.render.images import Marker
from bench_tui.tui.widgets import screenshot as screenshot_module
from bench_tui.tui.widgets.screenshot import (
    HALF_BLOCK,
    IMAGE_CACHE,
    TCSS_PATH,
    HalfblockCanvas,
    Screenshot,
)
from tests.fixtures.png import write_png

MARKER = (255, 0, 0)
BLUE = (20, 60, 200)
GREEN = (20, 160, 60)


class ShotApp(App[None]):
    CSS_PATH: ClassVar[list[str | Path]] = [TCSS_PATH]

    def compose(self) -> ComposeResult:
        yield Screenshot(mode="halfblock", id="shot")


def _rendered(app: ShotApp) -> tuple[str, set[tuple[int, int, int]]]:
    """Text and colours (foreground and background) of every canvas line."""
    canvas = app.query_one(HalfblockCanvas)
    text: list[str] = []
    colours: set[tuple[int, int, int]] = set()
    for y in range(canvas.size.height):
        for segment in canvas.render_line(y):
            text.append(segment.text)
            style = segment.style
            for colour in (style.color, style.bgcolor) if style else ():
                if isinstance(colour, Color) and colour.triplet is not None:
                    colours.add(tuple(colour.triplet))  # type: ignore[arg-type]
        text.append("\n")
    return "".join(text), colours


async def _settle(app: App[None], pilot: Pilot[None]) -> None:
    # wait_for_complete() raises WorkerCancelled for frames superseded by a newer show().
    for worker in list(app.workers):
        with contextlib.suppress(WorkerCancelled):
            await worker.wait()
    await pilot.pause()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    IMAGE_CACHE.clear()


async def test_shows_png_as_half_blocks_with_the_marker(tmp_path: Path) -> None:
    path = write_png(tmp_path / "step_001.png", (320, 200), BLUE)
    app = ShotApp()
    async with app.run_test(size=(100, 40)) as pilot:
        shot = app.query_one(Screenshot)
        shot.show(str(path), (Marker("point", 0.25, 0.5, colour=MARKER),), caption="before")
        await _settle(app, pilot)
        text, colours = _rendered(app)
        assert shot.mode == "halfblock"
        assert shot.last_error is None
        assert HALF_BLOCK in text
        assert BLUE in colours and MARKER in colours
        canvas = app.query_one(HalfblockCanvas)
        width, rows = canvas.image_cells
        # Fitted to the canvas: full width or full height, aspect 1.6 in square half-cell pixels.
        assert width == canvas.size.width or rows == canvas.size.height
        assert abs(width / (rows * 2) - 1.6) < 0.1
        caption = str(app.query_one("#screenshot-caption").render())
        assert "before" in caption


async def test_missing_screenshot_shows_the_reason_and_path(tmp_path: Path) -> None:
    missing = tmp_path / "tasks" / "x" / "screenshots" / "step_003.png"
    app = ShotApp()
    async with app.run_test(size=(100, 40)) as pilot:
        shot = app.query_one(Screenshot)
        shot.show(str(missing), ())
        await _settle(app, pilot)
        assert shot.last_error == "screenshot missing"
        placeholder = str(app.query_one("#screenshot-placeholder").render())
        assert "✗ screenshot missing" in placeholder
        assert "step_003.png" in placeholder
        assert shot.has_class("-message")
        assert not app.query_one(HalfblockCanvas).display or shot.has_class("-message")


async def test_corrupt_screenshot_shows_a_placeholder(tmp_path: Path) -> None:
    path = tmp_path / "bad.png"
    path.write_bytes(b"not an image")
    app = ShotApp()
    async with app.run_test(size=(100, 40)) as pilot:
        shot = app.query_one(Screenshot)
        shot.show(path, ())
        await _settle(app, pilot)
        assert shot.last_error == "screenshot is not a PNG or JPEG image"
        assert "✗" in str(app.query_one("#screenshot-placeholder").render())


async def test_no_screenshot_and_labels_in_caption(tmp_path: Path) -> None:
    app = ShotApp()
    async with app.run_test(size=(100, 40)) as pilot:
        shot = app.query_one(Screenshot)
        shot.show(None, (Marker("label", label="[41]", tag="P"),))
        await pilot.pause()
        assert shot.last_error is None
        assert "no screenshot" in str(app.query_one("#screenshot-placeholder").render())
        assert "P: [41]" in str(app.query_one("#screenshot-caption").render())


async def test_previous_image_stays_until_the_next_is_ready(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write_png(tmp_path / "1.png", (320, 200), BLUE)
    second = write_png(tmp_path / "2.png", (320, 200), GREEN)
    release = threading.Event()
    real = IMAGE_CACHE.get_or_prepare

    def slow(path: Path, *args: object, **kwargs: object) -> Image.Image:
        if path == second:
            assert release.wait(10), "test never released the second image"
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(screenshot_module.IMAGE_CACHE, "get_or_prepare", slow)
    app = ShotApp()
    async with app.run_test(size=(100, 40)) as pilot:
        shot = app.query_one(Screenshot)
        shot.show(first, ())
        await _settle(app, pilot)
        assert BLUE in _rendered(app)[1]
        shot.show(second, ())
        await pilot.pause(0.05)
        _, colours = _rendered(app)
        assert BLUE in colours and GREEN not in colours  # no blank frame meanwhile
        assert not shot.has_class("-message")
        release.set()
        await _settle(app, pilot)
        _, colours = _rendered(app)
        assert GREEN in colours and BLUE not in colours


async def test_stale_results_are_dropped(tmp_path: Path) -> None:
    paths = [write_png(tmp_path / f"{i}.png", (320, 200), (i * 40, 10, 10)) for i in range(1, 5)]
    app = ShotApp()
    async with app.run_test(size=(100, 40)) as pilot:
        shot = app.query_one(Screenshot)
        for path in paths:  # holding the key down
            shot.show(path, ())
        await _settle(app, pilot)
        _, colours = _rendered(app)
        assert (160, 10, 10) in colours
        assert not colours & {(40, 10, 10), (80, 10, 10), (120, 10, 10)}


async def test_resize_prepares_a_new_size(tmp_path: Path) -> None:
    path = write_png(tmp_path / "s.png", (320, 200), BLUE)
    app = ShotApp()
    async with app.run_test(size=(100, 40)) as pilot:
        shot = app.query_one(Screenshot)
        shot.show(path, ())
        await _settle(app, pilot)
        before = app.query_one(HalfblockCanvas).image_cells
        await pilot.resize_terminal(60, 20)
        await pilot.pause(0.2)  # the resize settles before decoding again
        await _settle(app, pilot)
        after = app.query_one(HalfblockCanvas).image_cells
        assert after[0] < before[0]
        assert after[0] <= 60 and after[1] <= 20


async def test_none_mode_shows_text_only(tmp_path: Path) -> None:
    class NoneApp(App[None]):
        CSS_PATH: ClassVar[list[str | Path]] = [TCSS_PATH]

        def compose(self) -> ComposeResult:
            yield Screenshot(mode="none")

    path = write_png(tmp_path / "s.png", (320, 200), BLUE)
    app = NoneApp()
    async with app.run_test(size=(100, 40)) as pilot:
        shot = app.query_one(Screenshot)
        shot.show(path, (Marker("point", 0.25, 0.5, action="click"),))
        await _settle(app, pilot)
        text = str(app.query_one("#screenshot-placeholder").render())
        assert "click at (0.25, 0.50)" in text
        assert IMAGE_CACHE.misses == 0  # nothing decoded


async def test_show_before_mount_is_applied_once_mounted(tmp_path: Path) -> None:
    path = write_png(tmp_path / "s.png", (320, 200), BLUE)

    class EarlyApp(App[None]):
        CSS_PATH: ClassVar[list[str | Path]] = [TCSS_PATH]

        def compose(self) -> ComposeResult:
            shot = Screenshot(mode="halfblock")
            shot.show(path, ())
            yield shot

    app = EarlyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await _settle(app, pilot)
        assert BLUE in _rendered(app)[1]
