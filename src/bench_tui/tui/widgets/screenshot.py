"""A step's screenshot with the action drawn on it, sized to the cells it is given (DESIGN §5).

Decoding, downscaling and half-block conversion run in a thread worker; the previous frame stays
on screen until the next one is ready, so stepping through an episode never flashes blank.
Half-blocks are drawn by our own Line-API renderer (faster than rich-pixels, see bench/); Kitty and
Sixel use textual-image's widgets, imported only when that mode was picked (importing probes the tty).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image
from rich.color import Color, ColorType
from rich.color_triplet import ColorTriplet
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.events import Resize
from textual.filter import ANSIToTruecolor, LineFilter
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import get_current_worker

from bench_tui.render.images import ImageCache, ImageUnavailable, Marker
from bench_tui.tui.control_guard import ControlGuard
from bench_tui.tui.image_mode import DEFAULT_CELL_PX, RenderMode, active_renderer
from bench_tui.tui.palette import BAD, BAD_BOLD
from bench_tui.tui.palette import install as install_palette
from bench_tui.tui.widgets.safe_static import SafeStatic
from bench_tui.tui.worker_errors import WorkerFailure, relative_to, reported_work

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

TCSS_PATH = Path(__file__).with_suffix(".tcss")
IMAGE_CACHE = ImageCache()
"""App-wide: the task page, comparisons and prefetching share decoded screenshots."""

HALF_BLOCK = "▀"  # foreground = upper pixel, background = lower pixel
RESIZE_SETTLE_S = 0.08  # wait for a drag-resize to settle before decoding again
MAX_STYLES = 32_768
MAX_STRIP_SETS = 32

# ----- half-block rendering --------------------------------------------------------------------------

_styles: dict[bytes, Style] = {}
_colours: dict[bytes, Color] = {}
_strip_sets: OrderedDict[int, tuple[Image.Image, list[Strip]]] = OrderedDict()
_strip_lock = threading.Lock()


def _colour(rgb: bytes) -> Color:
    colour = _colours.get(rgb)
    if colour is None:
        # Color.from_rgb formats the name in Python and dominated a cold frame; bytes.hex is C.
        triplet = ColorTriplet(rgb[0], rgb[1], rgb[2])
        colour = _colours[rgb] = Color("#" + rgb.hex(), ColorType.TRUECOLOR, triplet=triplet)
    return colour


def _style(key: bytes) -> Style:
    # Building Styles dominates a cold frame; neighbouring steps share most colour pairs.
    style = _styles.get(key)
    if style is None:
        if len(_styles) >= MAX_STYLES:
            _styles.clear()
            _colours.clear()
        lower = _colour(key[3:]) if len(key) == 6 else None
        style = _styles[key] = Style.from_color(_colour(key[:3]), lower)
    return style


def halfblock_strips(image: Image.Image) -> list[Strip]:
    """One Strip per pair of pixel rows; equal neighbouring cells are merged into one segment."""
    with _strip_lock:
        cached = _strip_sets.get(id(image))
        if cached is not None and cached[0] is image:
            _strip_sets.move_to_end(id(image))
            return cached[1]
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    width, height = rgb.size
    data = rgb.tobytes()
    stride = width * 3
    strips: list[Strip] = []
    for top in range(0, height, 2):
        upper = data[top * stride : (top + 1) * stride]
        lower = data[(top + 1) * stride : (top + 2) * stride]  # empty on an odd last row
        keys = [upper[x : x + 3] + lower[x : x + 3] for x in range(0, stride, 3)]
        segments: list[Segment] = []
        run_key = keys[0]
        run = 0
        for key in keys:
            if key == run_key:
                run += 1
                continue
            segments.append(Segment(HALF_BLOCK * run, _style(run_key)))
            run_key, run = key, 1
        segments.append(Segment(HALF_BLOCK * run, _style(run_key)))
        strips.append(Strip(segments, width))
    with _strip_lock:
        # Keyed by id() with the image kept alive in the entry, so the id cannot be reused.
        _strip_sets[id(image)] = (image, strips)
        while len(_strip_sets) > MAX_STRIP_SETS:
            _strip_sets.popitem(last=False)
    return strips


def _graphics_class(base: type[Widget]) -> type[Widget]:
    """textual-image's widget, with the control guard off: its escape sequences are the image."""

    class Graphics(base):  # type: ignore[valid-type, misc]
        def get_line_filters(self) -> Sequence[LineFilter]:
            return [f for f in super().get_line_filters() if not isinstance(f, ControlGuard)]

    return Graphics


class HalfblockCanvas(Widget):
    """Line-API surface showing pre-built half-block strips, centred."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.strips: list[Strip] = []
        self.image_cells: tuple[int, int] = (0, 0)

    def set_strips(self, strips: list[Strip], cells: tuple[int, int]) -> None:
        self.strips = strips
        self.image_cells = cells
        self.refresh()

    def get_line_filters(self) -> Sequence[LineFilter]:
        # Pixels are true colour already: converting ANSI colours is a Python loop over every
        # segment of every line for nothing (a third of a cached step). NO_COLOR's filters stay.
        # Nor can the canvas carry text from data: the control guard would scan pixels.
        return [
            f
            for f in super().get_line_filters()
            if not isinstance(f, (ANSIToTruecolor, ControlGuard))
        ]

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        top = max(0, (height - len(self.strips)) // 2)
        row = y - top
        if not 0 <= row < len(self.strips):
            return Strip.blank(width, self.rich_style)
        left = max(0, (width - self.image_cells[0]) // 2)
        strip = self.strips[row]
        if left:
            strip = Strip.join([Strip.blank(left, self.rich_style), strip])
        return strip.crop(0, width)


# ----- the widget ------------------------------------------------------------------------------------


class _Stage(Widget):
    """The area the image may fill; its size decides the pixel target."""

    class Resized(Message):
        pass

    def on_resize(self, event: Resize) -> None:
        self.post_message(self.Resized())


class Screenshot(Widget):
    """Shows one screenshot with markers; call `show()` for every step."""

    class ImageReady(Message, bubble=False):
        """A prepared frame (or the reason there is none), posted from the worker thread."""

        def __init__(
            self,
            token: int,
            image: Image.Image | None,
            strips: list[Strip] | None,
            error: str | None,
        ) -> None:
            super().__init__()
            self.token = token
            self.image = image
            self.strips = strips
            self.error = error

    def __init__(
        self,
        *,
        mode: RenderMode | None = None,
        cell_px: tuple[int, int] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        choice = active_renderer()
        self._mode: RenderMode = mode or choice.mode
        self.cell_px = cell_px or (
            choice.cell_px if mode in (None, choice.mode) else DEFAULT_CELL_PX
        )
        self.last_error: str | None = None
        self._path: str | None = None
        self._markers: tuple[Marker, ...] = ()
        self._overlay = True
        self._shown_caption: str | None = None
        self._pending_prefetch: tuple[Path, tuple[Marker, ...], bool] | None = None
        self._ready_token = -1
        self._caption: str | None = None
        self._token = 0
        self._shown_target: tuple[int, int] | None = None
        self._graphics: Widget | None = None
        self._settle: Timer | None = None

    @property
    def mode(self) -> RenderMode:
        return self._mode

    @property
    def cache(self) -> ImageCache:
        return IMAGE_CACHE

    def compose(self) -> ComposeResult:
        with _Stage(id="screenshot-stage"):
            yield HalfblockCanvas(id="screenshot-canvas")
            yield SafeStatic(id="screenshot-placeholder")
        yield SafeStatic(id="screenshot-caption")

    def on_mount(self) -> None:
        install_palette(self.app)  # a widget other apps may host (its tests do)
        self.set_class(self._mode == "none", "-no-images")
        self._show_placeholder(Text("no screenshot yet", style="dim"))
        if self._token:
            self._apply()  # show() was called before the widget was mounted

    # ----- public API ---------------------------------------------------------------------------------

    def show(
        self,
        path: str | Path | None,
        markers: Iterable[Marker] = (),
        *,
        overlay: bool = True,
        caption: str | None = None,
    ) -> None:
        """Display `path` with `markers`; returns at once, the frame follows from a worker."""
        self._token += 1
        self._path = None if path is None else str(path)
        self._markers = tuple(markers)
        self._overlay = overlay
        self._caption = caption
        if self.is_mounted:
            self._apply()

    def _apply(self) -> None:
        if self._path is None:
            self.last_error = None
            self._show_placeholder(Text("no screenshot recorded for this step", style="dim"))
            self._update_caption()
        elif self._mode == "none":
            self.last_error = None
            self._show_placeholder(self._text_only())
            self._update_caption()
        else:
            self._request(self._token)

    def prefetch(
        self, path: str | Path, markers: Iterable[Marker] = (), *, overlay: bool = True
    ) -> None:
        """Warm the cache for a step the user is likely to open next (same size as now).

        It starts once the current frame is on screen, so the two decodes never compete.
        """
        self._pending_prefetch = (Path(path), tuple(markers), overlay)
        if self._ready_token == self._token:
            self._start_prefetch()

    def _start_prefetch(self) -> None:
        pending, self._pending_prefetch = self._pending_prefetch, None
        target = self._target_px() if self.is_mounted else None
        if pending is not None and self._mode != "none" and target is not None:
            path, markers, overlay = pending
            self._prefetch(path, target, markers, overlay)

    # ----- preparing ----------------------------------------------------------------------------------

    def _target_px(self) -> tuple[int, int] | None:
        cols, rows = self.query_one(_Stage).content_size
        if cols < 1 or rows < 1:
            return None  # not laid out yet: the first Resize will ask again
        if self._mode in ("kitty", "sixel"):
            return cols * self.cell_px[0], rows * self.cell_px[1]
        return cols, rows * 2  # a cell is ~1:2, so two square-ish pixels per cell

    def _request(self, token: int) -> None:
        target = self._target_px()
        if target is None or self._path is None:
            return
        self._shown_target = target
        cached = IMAGE_CACHE.peek(Path(self._path), target, self._markers, self._overlay)
        if cached is not None and self._mode == "halfblock":
            # A cache hit costs microseconds: show it in this frame instead of a worker's later one.
            self.workers.cancel_group(self, "screenshot")
            self.post_message(self.ImageReady(token, cached, halfblock_strips(cached), None))
            return
        self._prepare(token, Path(self._path), target, self._markers, self._overlay)

    @reported_work(
        "preparing a screenshot",
        group="screenshot",
        exclusive=True,
        where=lambda shot, _token, path, *_: shot._where(path),
    )
    def _prepare(
        self,
        token: int,
        path: Path,
        target: tuple[int, int],
        markers: tuple[Marker, ...],
        overlay: bool,
    ) -> None:
        image: Image.Image | None = None
        strips: list[Strip] | None = None
        error: str | None = None
        try:
            image = IMAGE_CACHE.get_or_prepare(path, target, markers, overlay)
            if self._mode == "halfblock":
                strips = halfblock_strips(image)
        except ImageUnavailable as exc:
            error = exc.reason
        except Exception as exc:  # Pillow/Rich in a worker: report on screen, never crash the app
            error = f"screenshot could not be shown: {type(exc).__name__}: {exc}"
        if not get_current_worker().is_cancelled:
            self.post_message(self.ImageReady(token, image, strips, error))

    @reported_work(
        "preparing the next screenshot",
        group="screenshot-prefetch",
        exclusive=True,
        where=lambda shot, path, *_: shot._where(path),
    )
    def _prefetch(
        self, path: Path, target: tuple[int, int], markers: tuple[Marker, ...], overlay: bool
    ) -> None:
        try:
            image = IMAGE_CACHE.get_or_prepare(path, target, markers, overlay)
            if self._mode == "halfblock":
                halfblock_strips(image)
        except ImageUnavailable:
            return  # show() will report it when the user gets there

    def _where(self, path: Path) -> str:
        return relative_to(getattr(self.app, "root", Path.cwd()), path)

    def show_worker_failure(self, failure: WorkerFailure) -> None:
        """Only the frame on screen waits for its worker; a prefetch is asked for again later."""
        if failure.group == "screenshot":
            self.last_error = failure.message
            self._show_placeholder(Text(f"✗ {failure.message}", style=BAD_BOLD))

    @on(ImageReady)
    def _image_ready(self, message: ImageReady) -> None:
        if message.token != self._token:
            return  # the user has moved on; a newer frame is on its way
        self._ready_token = message.token
        self.call_after_refresh(self._start_prefetch)
        if message.error is not None or message.image is None:
            self.last_error = message.error or "screenshot could not be shown"
            placeholder = Text(f"✗ {self.last_error}: ", style=BAD_BOLD)
            placeholder.append(_display_path(self._path or ""), style=BAD)
            self._show_placeholder(placeholder)
        else:
            self.last_error = None
            self._show_image(message.image, message.strips)
        self._update_caption()

    @on(_Stage.Resized)
    def _stage_resized(self, message: _Stage.Resized) -> None:
        message.stop()
        if self._path is None or self._mode == "none":
            return
        if self._shown_target is None:
            self._request(self._token)  # first layout: no reason to wait
            return
        if self._settle is not None:
            self._settle.stop()
        self._settle = self.set_timer(RESIZE_SETTLE_S, self._resettle)

    def _resettle(self) -> None:
        if self._path is not None and self._target_px() != self._shown_target:
            self._request(self._token)

    # ----- showing ------------------------------------------------------------------------------------

    def _show_placeholder(self, text: Text) -> None:
        self.query_one("#screenshot-placeholder", SafeStatic).update(text)
        self.add_class("-message")

    def _show_image(self, image: Image.Image, strips: list[Strip] | None) -> None:
        self.remove_class("-message")
        if self._mode == "halfblock" or strips is not None:
            cells = (image.width, math.ceil(image.height / 2))
            self.query_one(HalfblockCanvas).set_strips(strips or halfblock_strips(image), cells)
            return
        graphics = self._graphics_widget()
        if graphics is None:
            self.query_one(HalfblockCanvas).set_strips(
                halfblock_strips(image), (image.width, math.ceil(image.height / 2))
            )
            return
        cols, rows = self.query_one(_Stage).content_size
        # Explicit cell sizes: textual-image sizes Kitty/Sixel bytes as cells × cell pixels.
        graphics.styles.width = max(1, min(cols, math.ceil(image.width / self.cell_px[0])))
        graphics.styles.height = max(1, min(rows, math.ceil(image.height / self.cell_px[1])))
        graphics.image = image  # type: ignore[attr-defined]

    def _graphics_widget(self) -> Widget | None:
        if self._graphics is not None:
            return self._graphics
        try:
            # Safe here: image_mode.pick_renderer already imported (and probed) before App.run().
            from textual_image.widget import SixelImage, TGPImage
        except Exception as exc:  # the import probes the terminal and can raise anything
            self._mode = "halfblock"
            self.last_error = f"textual-image unavailable, using half-blocks ({exc})"
            return None
        base = TGPImage if self._mode == "kitty" else SixelImage
        self._graphics = _graphics_class(base)(classes="screenshot-graphics")
        self.query_one(HalfblockCanvas).display = False
        self.query_one(_Stage).mount(self._graphics)
        return self._graphics

    def _update_caption(self) -> None:
        parts: list[str] = []
        if self._caption:
            parts.append(self._caption)
        parts += [m.describe() for m in self._markers if m.kind == "label"]
        if not self._overlay and self._markers:
            parts.append("overlay off")
        caption = " · ".join(parts)
        if caption != self._shown_caption:
            self._shown_caption = caption
            # The caption line has a fixed height: no need to lay the whole screen out again.
            self.query_one("#screenshot-caption", SafeStatic).update(caption, layout=False)

    def _text_only(self) -> Text:
        text = Text("images off (--images none)\n", style="dim")
        text.append(_display_path(self._path or "") + "\n", style="dim")
        for marker in self._markers:
            text.append(f"▶ {marker.describe()}\n")
        return text


def _display_path(path: str) -> str:
    """Relative to the working directory when inside it: that is how the user named the folder."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return path


__all__ = ["IMAGE_CACHE", "TCSS_PATH", "HalfblockCanvas", "Screenshot", "halfblock_strips"]
