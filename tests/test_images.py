"""Screenshot preparation: sizes, marker placement, failures, and the byte-bounded cache."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PIL import Image

from bench_tui.model.action import Action
from bench_tui.render.images import (
    ImageCache,
    ImageUnavailable,
    Marker,
    fit_size,
    markers_for_action,
    prepare_image,
)
from tests.fixtures.png import write_png

RED = (255, 0, 0)
GREY = (128, 128, 128)


def _near(colour: tuple[int, ...], target: tuple[int, int, int], tolerance: int = 8) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour[:3], target, strict=True))


def _pixels_of(image: Image.Image, colour: tuple[int, int, int]) -> list[tuple[int, int]]:
    rgb = image.convert("RGB")
    return [
        (x, y)
        for y in range(rgb.height)
        for x in range(rgb.width)
        if _near(rgb.getpixel((x, y)), colour)  # type: ignore[arg-type]
    ]


@pytest.fixture
def big_png(tmp_path: Path) -> Path:
    return write_png(tmp_path / "shot.png", (1920, 1200), GREY)


def test_big_image_fits_target_keeping_aspect(big_png: Path) -> None:
    image = prepare_image(big_png, (96, 60), ())
    assert image.size == (96, 60)
    assert image.mode == "RGB"
    wide = prepare_image(big_png, (160, 96), ())
    assert wide.size == (154, 96)  # 1920:1200 = 1.6, height-limited


def test_fit_size_never_zero() -> None:
    assert fit_size((5000, 10), (80, 50)) == (80, 1)
    assert fit_size((64, 40), (160, 100)) == (160, 100)


def test_big_png_prepares_quickly(tmp_path: Path) -> None:
    # A noisy image so PNG compression cannot make decoding trivial.
    noisy = Image.effect_noise((1920, 1200), 64).convert("RGB")
    path = tmp_path / "noisy.png"
    noisy.save(path)
    prepare_image(path, (160, 96), ())  # warm Pillow's plugin imports
    started = time.perf_counter()
    image = prepare_image(path, (160, 96), ())
    elapsed = time.perf_counter() - started
    assert image.size == (154, 96)
    assert elapsed < 0.5  # bench/screenshot_bench.py measures the real figure (~40 ms)


def test_click_marker_lands_on_the_clicked_pixel(big_png: Path) -> None:
    click = Action(type="click", x=0.25, y=0.5, coord_quality="exact")
    markers = tuple(markers_for_action(click, RED))
    image = prepare_image(big_png, (96, 60), markers)
    assert _near(image.getpixel((24, 30)), RED)  # type: ignore[arg-type]
    red = _pixels_of(image, RED)
    assert red, "the crosshair must be visible"
    assert all(abs(x - 24) <= 6 and abs(y - 30) <= 6 for x, y in red)


def test_overlay_off_draws_nothing(big_png: Path) -> None:
    markers = (Marker("point", 0.25, 0.5, colour=RED),)
    image = prepare_image(big_png, (96, 60), markers, overlay=False)
    assert _pixels_of(image, RED) == []


def test_double_and_right_clicks_look_different(big_png: Path) -> None:
    drawn = {}
    for kind in ("click", "double_click", "right_click"):
        action = Action(type=kind, x=0.5, y=0.5, coord_quality="exact")
        image = prepare_image(big_png, (96, 60), tuple(markers_for_action(action, RED)))
        drawn[kind] = set(_pixels_of(image, RED))
    assert drawn["click"] < drawn["double_click"]  # same crosshair plus a ring
    assert drawn["click"] != drawn["right_click"]
    assert len({frozenset(v) for v in drawn.values()}) == 3


def test_drag_arrow_spans_start_to_end(big_png: Path) -> None:
    drag = Action(type="drag", x=0.1, y=0.2, end_x=0.8, end_y=0.7, coord_quality="exact")
    markers = markers_for_action(drag, RED)
    assert [m.kind for m in markers] == ["drag"]
    image = prepare_image(big_png, (96, 60), tuple(markers))
    red = _pixels_of(image, RED)
    assert (int(0.1 * 96), int(0.2 * 60)) in red
    assert (int(0.8 * 96), int(0.7 * 60)) in red
    # A midpoint of the line is coloured too, and nothing far off the segment.
    assert any(abs(x - 43) <= 2 and abs(y - 27) <= 2 for x, y in red)
    assert all(9 - 3 <= x <= 76 + 3 and 12 - 3 <= y <= 42 + 3 for x, y in red)


def test_tag_is_drawn_beside_the_marker(big_png: Path) -> None:
    plain = prepare_image(big_png, (96, 60), (Marker("point", 0.5, 0.5, colour=RED),))
    tagged = prepare_image(big_png, (96, 60), (Marker("point", 0.5, 0.5, colour=RED, tag="H"),))
    extra = set(_pixels_of(tagged, RED)) - set(_pixels_of(plain, RED))
    assert extra and all(x > 48 and y < 30 for x, y in extra)  # up and to the right


def test_element_id_without_coordinates_is_a_caption() -> None:
    action = Action(type="click", element_id="41")
    assert markers_for_action(action, RED) == [
        Marker("label", label="[41]", colour=RED, action="click")
    ]
    named = Action(type="click", element_id="7", element_name="Save")
    assert markers_for_action(named, RED, tag="P")[0].describe() == "P: [7] 'Save'"


def test_captions_for_text_actions() -> None:
    def labels(action: Action) -> list[str | None]:
        return [m.label for m in markers_for_action(action, RED)]

    assert labels(Action(type="type", text="hello")) == ["type: hello"]
    assert labels(Action(type="hotkey", key="s", modifiers=["ctrl"])) == ["ctrl+s"]
    assert labels(Action(type="key", key="enter")) == ["enter"]
    assert labels(Action(type="done")) == ["done"]
    assert labels(Action(type="wait")) == ["wait"]
    assert labels(Action(type="scroll", scroll_direction="down", scroll_amount=3)) == [
        "scroll down 3"
    ]
    placeholder = Action(type="click", x=0.0, y=0.0, coord_quality="placeholder")
    assert labels(placeholder) == ["click (placeholder coordinates)"]


def test_labels_drawn_only_on_images_big_enough_for_text(big_png: Path) -> None:
    markers = (Marker("label", label="type: hello", colour=RED),)
    assert _pixels_of(prepare_image(big_png, (96, 60), markers), RED) == []
    assert _pixels_of(prepare_image(big_png, (640, 400), markers), RED)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "screenshot missing"),
        (b"", "screenshot is an empty file"),
        (b"this is not an image at all", "screenshot is not a PNG or JPEG image"),
    ],
)
def test_unavailable_images_raise_one_error(
    tmp_path: Path, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "step_003.png"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ImageUnavailable) as caught:
        prepare_image(path, (96, 60), ())
    assert caught.value.reason == reason


def test_truncated_png_and_jpeg(tmp_path: Path) -> None:
    png = write_png(tmp_path / "a.png", (200, 100))
    png.write_bytes(png.read_bytes()[:-30])
    with pytest.raises(ImageUnavailable, match="truncated"):
        prepare_image(png, (96, 60), ())
    jpeg = tmp_path / "b.jpg"
    Image.effect_noise((200, 100), 50).convert("RGB").save(jpeg)
    jpeg.write_bytes(jpeg.read_bytes()[:-500])
    with pytest.raises(ImageUnavailable, match="truncated"):
        prepare_image(jpeg, (96, 60), ())


def test_corrupt_png_body_is_a_decode_error(tmp_path: Path) -> None:
    path = write_png(tmp_path / "c.png", (200, 100))
    data = bytearray(path.read_bytes())
    data[40:80] = b"\x00" * 40  # damage IHDR/IDAT but keep signature and IEND
    path.write_bytes(bytes(data))
    with pytest.raises(ImageUnavailable, match="could not be decoded"):
        prepare_image(path, (96, 60), ())


def test_other_formats_pillow_reads_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "shot.bmp"
    Image.new("RGB", (320, 200), GREY).save(path)
    assert prepare_image(path, (96, 60), ()).size == (96, 60)


def test_cache_hits_misses_and_invalidation(tmp_path: Path) -> None:
    path = write_png(tmp_path / "s.png", (320, 200))
    cache = ImageCache()
    first = cache.get_or_prepare(path, (96, 60), ())
    assert cache.get_or_prepare(path, (96, 60), ()) is first
    assert (cache.hits, cache.misses) == (1, 1)
    cache.get_or_prepare(path, (48, 30), ())  # another size is another entry
    cache.get_or_prepare(path, (96, 60), (Marker("point", 0.5, 0.5),))
    cache.get_or_prepare(path, (96, 60), (), overlay=False)
    assert (cache.hits, cache.misses) == (1, 4)
    write_png(path, (320, 200), (10, 10, 10))  # rewritten file: new mtime/size
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert cache.get_or_prepare(path, (96, 60), ()) is not first


def test_cache_is_bounded_in_bytes(tmp_path: Path) -> None:
    entry = 96 * 60 * 3
    cache = ImageCache(max_bytes=entry * 2 + 10)
    paths = [write_png(tmp_path / f"{i}.png", (320, 200)) for i in range(3)]
    for path in paths:
        cache.get_or_prepare(path, (96, 60), ())
    assert len(cache) == 2
    assert cache.size_bytes == entry * 2
    cache.get_or_prepare(paths[0], (96, 60), ())  # the oldest was evicted
    assert cache.misses == 4
    cache.get_or_prepare(paths[2], (96, 60), ())
    assert cache.hits == 1


def test_cache_skips_entries_larger_than_the_bound(tmp_path: Path) -> None:
    cache = ImageCache(max_bytes=100)
    path = write_png(tmp_path / "s.png", (320, 200))
    cache.get_or_prepare(path, (96, 60), ())
    assert len(cache) == 0 and cache.size_bytes == 0


def test_cache_does_not_remember_failures(tmp_path: Path) -> None:
    cache = ImageCache()
    path = tmp_path / "later.png"
    with pytest.raises(ImageUnavailable):
        cache.get_or_prepare(path, (96, 60), ())
    write_png(path, (320, 200))
    assert cache.get_or_prepare(path, (96, 60), ()).size == (96, 60)
