"""Screenshots for the terminal: decode, downscale, draw the action on top, cache.

Pillow only (no Textual), so this module can be used and tested headless. Markers are drawn on the
*downscaled* image so they stay crisp and sized for the cells they end up in (DESIGN §5).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from bench_tui.model.action import Action
from bench_tui.safeio import open_binary
from bench_tui.sources._io.images import image_problem
from bench_tui.sources._io.placeholders import fetch_if_placeholder

RGB = tuple[int, int, int]
MarkerKind = Literal["point", "drag", "label"]

HALO: RGB = (0, 0, 0)
# Captions are drawn onto the image only when it is big enough for text to be legible (Kitty/Sixel);
# half-block images are ~80-160 px wide, where the widget shows the captions as a text line instead.
MIN_WIDTH_FOR_TEXT = 320
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024

CLICKS = ("click", "double_click", "right_click")


ACTION_RGB = (255, 64, 64)
"""The colour of the action drawn on a step's screenshot (task page and `show`)."""


def step_markers(actions: list[Action]) -> tuple[Marker, ...]:
    """What the task page and `show` draw on a step's screenshot: every action of the step."""
    return tuple(m for action in actions for m in markers_for_action(action, ACTION_RGB))


class ImageUnavailable(Exception):
    """A screenshot that cannot be shown; `reason` is meant for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Marker:
    """One thing to draw on a screenshot. Coordinates are fractions (0..1) of the image."""

    kind: MarkerKind
    x: float | None = None
    y: float | None = None
    end_x: float | None = None
    end_y: float | None = None
    label: str | None = None
    colour: RGB = (255, 64, 64)
    tag: str | None = None
    # The action type picks the glyph: a ring for double clicks, a square for right clicks.
    action: str | None = None

    def describe(self) -> str:
        """Text form for the caption line and for `--images none`."""
        who = f"{self.tag}: " if self.tag else ""
        start = f"({_fraction(self.x)}, {_fraction(self.y)})"
        if self.kind == "point":
            return f"{who}{self.action or 'point'} at {start}"
        if self.kind == "drag":
            return f"{who}drag {start} → ({_fraction(self.end_x)}, {_fraction(self.end_y)})"
        return f"{who}{self.label or ''}"


def _fraction(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}"


def markers_for_action(action: Action, colour: RGB, tag: str | None = None) -> list[Marker]:
    """What to draw for one action; an action without a usable point becomes a caption."""
    kind = action.type
    point = action.has_point
    if kind == "drag" and point and action.end_x is not None and action.end_y is not None:
        return [
            Marker(
                "drag",
                action.x,
                action.y,
                action.end_x,
                action.end_y,
                colour=colour,
                tag=tag,
                action="drag",
            )
        ]
    markers: list[Marker] = []
    if point:
        markers.append(Marker("point", action.x, action.y, colour=colour, tag=tag, action=kind))
    caption = _caption(action)
    if caption is not None:
        markers.append(Marker("label", label=caption, colour=colour, tag=tag, action=kind))
    return markers


def _caption(action: Action) -> str | None:
    kind = action.type
    if kind in CLICKS or kind in ("move", "drag"):
        if action.has_point:
            return None
        if action.element_id is not None:
            name = f" {action.element_name!r}" if action.element_name else ""
            return f"[{action.element_id}]{name}"
        if action.coord_quality == "placeholder":
            return f"{kind} (placeholder coordinates)"
        return f"{kind} (no coordinates)"
    if kind == "type":
        return f"type: {action.text or ''}"
    if kind in ("key", "hotkey"):
        combo = "+".join([*action.modifiers, action.key or ""]).strip("+")
        return combo or action.text or kind
    if kind == "scroll":
        amount = "" if action.scroll_amount is None else f" {action.scroll_amount:g}"
        return f"scroll {action.scroll_direction or ''}{amount}".rstrip()
    if kind == "answer":
        return f"answer: {action.answer or action.text or ''}"
    if kind in ("done", "wait", "fail", "error"):
        return kind
    return action.describe()


# ----- decoding -------------------------------------------------------------------------------------


def fit_size(size: tuple[int, int], target: tuple[int, int]) -> tuple[int, int]:
    """The largest size with `size`'s aspect ratio inside `target` (at least 1×1)."""
    width, height = size
    scale = min(target[0] / width, target[1] / height)
    return max(1, min(target[0], round(width * scale))), max(
        1, min(target[1], round(height * scale))
    )


def prepare_image(
    path: Path, target_px: tuple[int, int], markers: tuple[Marker, ...], overlay: bool = True
) -> Image.Image:
    """Decode `path`, fit it inside `target_px` (aspect kept), draw `markers` if `overlay`."""
    if target_px[0] < 1 or target_px[1] < 1:
        raise ValueError(f"target size must be positive, got {target_px}")
    try:
        # Remote results (issue 16): the screenshot's bytes are fetched on first display.
        fetch_if_placeholder(path)
    except OSError as exc:
        raise ImageUnavailable(f"screenshot could not be fetched: {exc}") from exc
    problem = image_problem(path)
    if problem is not None and problem != "screenshot is not a PNG or JPEG image":
        raise ImageUnavailable(problem)
    try:
        image = _decode_scaled(path, target_px)
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, DecompressionBomb…
        # A WebP/BMP screenshot is fine if Pillow reads it; garbage gets the clearer reason.
        raise ImageUnavailable(problem or f"screenshot could not be decoded: {exc}") from exc
    if overlay and markers:
        draw_markers(image, markers)
    return image


def _decode_scaled(path: Path, target_px: tuple[int, int]) -> Image.Image:
    # Our own descriptor (regular files only, opened without blocking): Pillow opening the
    # path itself would hang on a FIFO planted under a screenshot's name.
    with open_binary(path) as handle, Image.open(handle) as opened:
        size = fit_size(opened.size, target_px)
        # JPEG only: decode at 1/2, 1/4 or 1/8 scale directly (libjpeg DCT scaling).
        opened.draft("RGB", size)
        source: Image.Image = opened
        if source.mode not in ("RGB", "RGBA", "L"):
            # Palette/16-bit images would be resized with NEAREST or not at all; convert first.
            source = source.convert("RGBA" if "A" in source.getbands() else "RGB")
        # reducing_gap lets Pillow box-reduce by an integer factor first: most of the speed-up.
        scaled = source.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return scaled if scaled.mode == "RGB" else scaled.convert("RGB")


# ----- drawing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    line: int  # line width of a marker stroke
    halo: int  # dark outline on each side, so markers show on light and dark screens alike
    arm: int  # crosshair arm length
    glyph: int  # pixel size of one dot of the tag font

    @classmethod
    def for_image(cls, size: tuple[int, int]) -> _Scale:
        short = min(size)
        line = max(1, round(short / 150))
        # At ~50 px (half-block) a 1-px line with a 1-px halo and 3-px arms stays visible.
        return cls(
            line=line,
            halo=max(1, line // 2),
            arm=max(3, round(short * 0.05)),
            glyph=max(1, round(short / 100)),
        )


def draw_markers(image: Image.Image, markers: tuple[Marker, ...]) -> None:
    """Draw `markers` in place on an RGB image."""
    draw = ImageDraw.Draw(image)
    scale = _Scale.for_image(image.size)
    labels: list[Marker] = []
    for marker in markers:
        if marker.kind == "point" and marker.x is not None and marker.y is not None:
            at = _pixel(image.size, marker.x, marker.y)
            _draw_point(draw, at, marker, scale)
            _draw_tag(draw, image.size, at, marker, scale)
        elif marker.kind == "drag" and None not in (marker.x, marker.y, marker.end_x, marker.end_y):
            start = _pixel(image.size, marker.x or 0.0, marker.y or 0.0)
            end = _pixel(image.size, marker.end_x or 0.0, marker.end_y or 0.0)
            _draw_drag(draw, start, end, marker.colour, scale)
            _draw_tag(draw, image.size, start, marker, scale)
        elif marker.kind == "label" and marker.label:
            labels.append(marker)
    if labels and image.width >= MIN_WIDTH_FOR_TEXT:
        _draw_labels(draw, image.size, labels)


def _pixel(size: tuple[int, int], x: float, y: float) -> tuple[int, int]:
    # Fraction → pixel index, so (0.25, 0.5) on 96×60 is pixel (24, 30); out-of-range clamps.
    px = min(size[0] - 1, max(0, int(x * size[0])))
    py = min(size[1] - 1, max(0, int(y * size[1])))
    return px, py


def _draw_point(
    draw: ImageDraw.ImageDraw, at: tuple[int, int], marker: Marker, scale: _Scale
) -> None:
    x, y = at
    arm, width = scale.arm, scale.line
    half = width // 2
    rings = {"double_click": 2, "move": 1, "type": 1, "scroll": 1}.get(marker.action or "", 0)
    crosshair = marker.action not in ("move", "type", "scroll")
    halo = scale.halo
    for stroke, colour, grow in ((width + 2 * halo, HALO, halo), (width, marker.colour, 0)):
        if crosshair:
            draw.rectangle(
                [x - arm - grow, y - half - grow, x + arm + grow, y - half + width - 1 + grow],
                fill=colour,
            )
            draw.rectangle(
                [x - half - grow, y - arm - grow, x - half + width - 1 + grow, y + arm + grow],
                fill=colour,
            )
        if marker.action == "right_click":
            box = arm + width + halo
            draw.rectangle([x - box, y - box, x + box, y + box], outline=colour, width=stroke)
        for ring in range(rings):
            step = ring * (width + 2 * halo)
            radius = arm + 1 + step if crosshair else arm - 1 + step
            draw.ellipse(
                [x - radius, y - radius, x + radius, y + radius], outline=colour, width=stroke
            )
    # The exact pixel always carries the marker colour, whatever the glyph.
    draw.point(at, fill=marker.colour)


def _draw_drag(
    draw: ImageDraw.ImageDraw,
    start: tuple[int, int],
    end: tuple[int, int],
    colour: RGB,
    scale: _Scale,
) -> None:
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = max(1.0, (dx * dx + dy * dy) ** 0.5)
    ux, uy = dx / length, dy / length
    head = max(3, scale.arm)
    base = (end[0] - ux * head, end[1] - uy * head)
    left = (base[0] - uy * head * 0.6, base[1] + ux * head * 0.6)
    right = (base[0] + uy * head * 0.6, base[1] - ux * head * 0.6)
    dot = scale.line + 1
    halo = scale.halo
    for stroke, fill, grow in ((scale.line + 2 * halo, HALO, halo), (scale.line, colour, 0)):
        draw.line([start, end], fill=fill, width=stroke)
        draw.ellipse(
            [
                start[0] - dot - grow,
                start[1] - dot - grow,
                start[0] + dot + grow,
                start[1] + dot + grow,
            ],
            fill=fill,
        )
        draw.polygon([end, left, right], fill=fill, outline=fill if grow else None)
    draw.point(end, fill=colour)


def _draw_tag(
    draw: ImageDraw.ImageDraw,
    size: tuple[int, int],
    at: tuple[int, int],
    marker: Marker,
    scale: _Scale,
) -> None:
    text = (marker.tag or "").upper()
    if marker.action == "right_click":
        text += "R"
    glyphs = [TINY_FONT[c] for c in text if c in TINY_FONT]
    if not glyphs:
        return
    dot = scale.glyph
    border = scale.halo
    width = (len(glyphs) * 4 - 1) * dot + 2 * border
    height = 5 * dot + 2 * border
    gap = scale.arm + scale.line + 2 * scale.halo
    # Up and to the right of the point, flipped when that would leave the image.
    left = at[0] + gap if at[0] + gap + width <= size[0] else at[0] - gap - width
    top = at[1] - gap - height if at[1] - gap - height >= 0 else at[1] + gap
    draw.rectangle([left, top, left + width - 1, top + height - 1], fill=HALO)
    for index, glyph in enumerate(glyphs):
        for row, bits in enumerate(glyph.split()):
            for col, bit in enumerate(bits):
                if bit == "#":
                    x0 = left + border + (index * 4 + col) * dot
                    y0 = top + border + row * dot
                    draw.rectangle([x0, y0, x0 + dot - 1, y0 + dot - 1], fill=marker.colour)


def _draw_labels(draw: ImageDraw.ImageDraw, size: tuple[int, int], labels: list[Marker]) -> None:
    font = ImageFont.load_default(size=max(10, size[1] // 30))
    pad = max(2, size[1] // 150)
    y: float = size[1] - pad
    for marker in reversed(labels):
        text = f"{marker.tag}: {marker.label}" if marker.tag else str(marker.label)
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        y -= bottom - top + 2 * pad
        draw.rectangle(
            [pad, y, pad + right - left + 2 * pad, y + bottom - top + 2 * pad], fill=HALO
        )
        draw.text((2 * pad - left, y + pad - top), text, font=font, fill=marker.colour)


# 3×5 dot font for the H/P/A/B tags: readable at half-block size, where real fonts are not.
TINY_FONT: dict[str, str] = {
    "A": ".#. #.# ### #.# #.#",
    "B": "##. #.# ##. #.# ##.",
    "C": ".## #.. #.. #.. .##",
    "D": "##. #.# #.# #.# ##.",
    "E": "### #.. ##. #.. ###",
    "F": "### #.. ##. #.. #..",
    "G": ".## #.. #.# #.# .##",
    "H": "#.# #.# ### #.# #.#",
    "I": "### .#. .#. .#. ###",
    "J": "..# ..# ..# #.# .#.",
    "K": "#.# #.# ##. #.# #.#",
    "L": "#.. #.. #.. #.. ###",
    "M": "#.# ### ### #.# #.#",
    "N": "##. #.# #.# #.# #.#",
    "O": ".#. #.# #.# #.# .#.",
    "P": "##. #.# ##. #.. #..",
    "Q": ".#. #.# #.# ##. .##",
    "R": "##. #.# ##. #.# #.#",
    "S": ".## #.. .#. ..# ##.",
    "T": "### .#. .#. .#. .#.",
    "U": "#.# #.# #.# #.# ###",
    "V": "#.# #.# #.# #.# .#.",
    "W": "#.# #.# ### ### #.#",
    "X": "#.# #.# .#. #.# #.#",
    "Y": "#.# #.# .#. .#. .#.",
    "Z": "### ..# .#. #.. ###",
    "0": "### #.# #.# #.# ###",
    "1": ".#. ##. .#. .#. ###",
    "2": "##. ..# .#. #.. ###",
    "3": "##. ..# .#. ..# ##.",
    "4": "#.# #.# ### ..# ..#",
    "5": "### #.. ##. ..# ##.",
    "6": ".## #.. ### #.# ###",
    "7": "### ..# .#. .#. .#.",
    "8": "### #.# ### #.# ###",
    "9": "### #.# ### ..# ##.",
}


# ----- cache ----------------------------------------------------------------------------------------

CacheKey = tuple[str, int, int, tuple[int, int], tuple[Marker, ...], bool]


class ImageCache:
    """Thread-safe LRU of prepared images, bounded by their pixel bytes (w × h × 3).

    Images handed out are shared: callers must not draw on them.
    """

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._bytes = 0
        self._entries: OrderedDict[CacheKey, Image.Image] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every entry and reset the hit/miss counters."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self.hits = self.misses = 0

    def get_or_prepare(
        self,
        path: Path,
        target_px: tuple[int, int],
        markers: tuple[Marker, ...],
        overlay: bool = True,
    ) -> Image.Image:
        try:
            stat = path.stat()
        except OSError:
            # Let prepare_image word the reason (missing, unreadable); failures are never cached
            # because a live run may write the file a moment later.
            return prepare_image(path, target_px, markers, overlay)
        # The size joins mtime in the key: coarse mtimes miss a rewrite within the same tick.
        key: CacheKey = (str(path), stat.st_mtime_ns, stat.st_size, target_px, markers, overlay)
        with self._lock:
            image = self._entries.get(key)
            if image is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return image
            self.misses += 1
        # Decode outside the lock: two threads may prepare the same image once each, harmlessly.
        image = prepare_image(path, target_px, markers, overlay)
        self._store(key, image)
        return image

    def peek(
        self,
        path: Path,
        target_px: tuple[int, int],
        markers: tuple[Marker, ...],
        overlay: bool = True,
    ) -> Image.Image | None:
        """The prepared image if it is cached (one stat, no decoding), else None."""
        try:
            stat = path.stat()
        except OSError:
            return None
        key: CacheKey = (str(path), stat.st_mtime_ns, stat.st_size, target_px, markers, overlay)
        with self._lock:
            image = self._entries.get(key)
            if image is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return image

    def _store(self, key: CacheKey, image: Image.Image) -> None:
        cost = image.width * image.height * 3
        if cost > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.width * old.height * 3
            self._entries[key] = image
            self._bytes += cost
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.width * evicted.height * 3
