"""A few real-size desktop screenshots drawn with Pillow, detailed enough to weigh like real ones.

Real 1920×1200 agent screenshots are 100 KB–1 MB as PNG; flat synthetic fills would be a few KB and
would make image decoding look cheaper than it is, so each screen carries text, icons and a photo.
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

SCREEN_SIZE = (1920, 1200)
WORDS = [
    "file",
    "edit",
    "view",
    "insert",
    "format",
    "tools",
    "window",
    "help",
    "settings",
    "display",
    "network",
    "bluetooth",
    "privacy",
    "update",
    "search",
    "downloads",
    "documents",
    "pictures",
    "music",
    "videos",
    "desktop",
    "recent",
    "open",
    "save",
    "close",
    "print",
    "share",
    "export",
    "import",
    "refresh",
    "properties",
    "rename",
    "delete",
    "copy",
    "paste",
    "cut",
]
THEMES = (
    ((0, 90, 158), (235, 238, 242), (32, 32, 32)),
    ((36, 36, 40), (250, 250, 250), (20, 20, 20)),
    ((16, 110, 64), (243, 243, 238), (30, 30, 30)),
    ((92, 45, 145), (246, 244, 250), (25, 25, 35)),
)
Box = tuple[int, int, int, int]
RGB = tuple[int, int, int]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default()


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def _wallpaper(rng: random.Random) -> Image.Image:
    base = Image.linear_gradient("L").rotate(rng.choice((0, 90, 180))).resize(SCREEN_SIZE)
    tint = Image.new("RGB", SCREEN_SIZE, tuple(rng.randrange(40, 200) for _ in range(3)))
    return Image.composite(tint, Image.new("RGB", SCREEN_SIZE, (10, 20, 40)), base)


def _photo(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """Smooth noise: compresses like a photo (badly), which real screens often contain."""
    small = Image.effect_noise((size[0] // 6, size[1] // 6), 60).convert("RGB")
    colour = Image.new("RGB", small.size, tuple(rng.randrange(60, 220) for _ in range(3)))
    blended = Image.blend(small, colour, 0.5).resize(size, Image.Resampling.BICUBIC)
    return blended.filter(ImageFilter.GaussianBlur(1))


def _text_block(draw: ImageDraw.ImageDraw, rng: random.Random, box: Box, ink: RGB) -> None:
    font = _font(15)
    x0, y0, x1, y1 = box
    y = y0
    while y < y1 - 18:
        words = rng.randrange(4, max(5, (x1 - x0) // 55))
        draw.text((x0, y), _sentence(rng, words), fill=ink, font=font)
        y += 22


def _window(canvas: Image.Image, rng: random.Random, box: Box, theme: tuple[RGB, RGB, RGB]) -> None:
    accent, paper, ink = theme
    draw = ImageDraw.Draw(canvas)
    x0, y0, x1, y1 = box
    draw.rectangle((x0 + 6, y0 + 6, x1 + 6, y1 + 6), fill=(0, 0, 0))
    draw.rectangle(box, fill=paper, outline=(120, 120, 120))
    draw.rectangle((x0, y0, x1, y0 + 34), fill=accent)
    draw.text((x0 + 12, y0 + 8), _sentence(rng, 3), fill=(255, 255, 255), font=_font(17))
    for offset, colour in enumerate(((232, 17, 35), (120, 120, 120), (120, 120, 120))):
        draw.rectangle((x1 - 40 * (offset + 1), y0, x1 - 40 * offset - 2, y0 + 34), fill=colour)
    for index in range(rng.randrange(5, 9)):
        left = x0 + 10 + index * 90
        if left + 80 < x1:
            draw.text((left, y0 + 44), rng.choice(WORDS).title(), fill=ink, font=_font(15))
    sidebar = x0 + min(260, (x1 - x0) // 4)
    draw.rectangle((x0 + 1, y0 + 70, sidebar, y1 - 1), fill=tuple(max(0, c - 18) for c in paper))
    _text_block(draw, rng, (x0 + 14, y0 + 80, sidebar - 8, y1 - 10), ink)
    photo_w, photo_h = (x1 - sidebar) // 4, (y1 - y0) // 4
    canvas.paste(_photo(rng, (photo_w, photo_h)), (x1 - photo_w - 20, y0 + 84))
    _text_block(draw, rng, (sidebar + 20, y0 + 84, x1 - photo_w - 40, y1 - 10), ink)


def _taskbar(canvas: Image.Image, rng: random.Random) -> None:
    draw = ImageDraw.Draw(canvas)
    width, height = SCREEN_SIZE
    draw.rectangle((0, height - 48, width, height), fill=(28, 28, 32))
    for index in range(14):
        left = 700 + index * 44
        colour = tuple(rng.randrange(80, 255) for _ in range(3))
        draw.rounded_rectangle((left, height - 40, left + 34, height - 8), 6, fill=colour)
    draw.text((width - 150, height - 36), "10:42 AM", fill=(240, 240, 240), font=_font(16))


def render_screen(seed: int) -> Image.Image:
    rng = random.Random(seed)
    canvas = _wallpaper(rng)
    for _ in range(rng.randrange(2, 4)):
        left, top = rng.randrange(0, 700), rng.randrange(0, 400)
        box = (left, top, left + rng.randrange(900, 1200), top + rng.randrange(600, 750))
        _window(canvas, rng, box, rng.choice(THEMES))
    _taskbar(canvas, rng)
    return canvas


def write_screens(folder: Path, count: int, size: tuple[int, int] = SCREEN_SIZE) -> list[Path]:
    """`count` PNG masters in `folder`; every step screenshot is a hard link to one of them.

    Another `size` shrinks the real-size drawing (the same picture, as deterministic): for
    benches that count files but never decode them, where an upload copies every link.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"screen_{index}.png"
        screen = render_screen(1000 + index)
        if size != SCREEN_SIZE:
            screen = screen.resize(size, Image.Resampling.LANCZOS)
        screen.save(path, format="PNG")
        paths.append(path)
    return paths
