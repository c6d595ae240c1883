"""Renderer choice: --images beats BENCH_TUI_IMAGES beats probing; probing failures fall back."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench_tui.tui import image_mode
from bench_tui.tui.image_mode import RendererChoice, pick_renderer


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Pretend to be in a terminal that answers Kitty; record whether the probe ran."""
    calls: list[str] = []

    def fake_probe() -> tuple[str, tuple[int, int]]:
        calls.append("probe")
        return "kitty", (9, 18)

    monkeypatch.setattr(image_mode, "_probe_textual_image", fake_probe)
    monkeypatch.setattr(image_mode, "_is_terminal", lambda: True)
    return calls


def test_flag_beats_env(probe: list[str]) -> None:
    choice = pick_renderer("halfblock", {"BENCH_TUI_IMAGES": "sixel"})
    assert choice.mode == "halfblock"
    assert "--images=halfblock" in choice.reason
    assert probe == []  # no terminal probe when the user decided


def test_env_beats_auto(probe: list[str]) -> None:
    assert pick_renderer(None, {"BENCH_TUI_IMAGES": "none"}).mode == "none"
    choice = pick_renderer(None, {"BENCH_TUI_IMAGES": "HalfBlock "})
    assert choice.mode == "halfblock"
    assert "BENCH_TUI_IMAGES=halfblock" in choice.reason


def test_auto_uses_what_the_terminal_answered(probe: list[str]) -> None:
    choice = pick_renderer(None, {})
    assert choice == RendererChoice("kitty", "auto; terminal answered kitty", (9, 18))
    assert pick_renderer("auto", {"BENCH_TUI_IMAGES": "none"}).mode == "kitty"


def test_forced_protocol_is_honoured_and_noted(probe: list[str]) -> None:
    choice = pick_renderer("sixel", {})
    assert choice.mode == "sixel"
    assert "forced although the terminal answered kitty" in choice.reason
    assert choice.cell_px == (9, 18)


def test_unknown_values_are_ignored_with_a_note(probe: list[str]) -> None:
    choice = pick_renderer(None, {"BENCH_TUI_IMAGES": "iterm"})
    assert choice.mode == "kitty"
    assert "ignored BENCH_TUI_IMAGES='iterm'" in choice.reason


@pytest.mark.parametrize("error", [ZeroDivisionError("division by zero"), OSError("no tty")])
@pytest.mark.parametrize("requested", [None, "kitty", "sixel"])
def test_failing_textual_image_import_falls_back_to_halfblock(
    monkeypatch: pytest.MonkeyPatch, error: Exception, requested: str | None
) -> None:
    def broken_import(name: str) -> object:
        raise error

    monkeypatch.setattr(image_mode, "_is_terminal", lambda: True)
    monkeypatch.setattr(image_mode.importlib, "import_module", broken_import)
    choice = pick_renderer(requested, {})
    assert choice.mode == "halfblock"
    assert type(error).__name__ in choice.reason
    assert "textual-image unavailable" in choice.reason


def test_no_terminal_means_halfblock_without_probing(monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_probe() -> tuple[str, tuple[int, int]]:
        raise AssertionError("probed without a terminal")

    monkeypatch.setattr(image_mode, "_probe_textual_image", must_not_probe)
    monkeypatch.setattr(image_mode, "_is_terminal", lambda: False)
    choice = pick_renderer(None, {})
    assert choice.mode == "halfblock"
    assert "not a terminal" in choice.reason


def test_textual_serve_forces_halfblock(probe: list[str]) -> None:
    env = {"TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver"}
    assert pick_renderer("kitty", env).mode == "halfblock"
    assert pick_renderer(None, env).mode == "halfblock"
    assert "textual-serve" in pick_renderer(None, env).reason
    assert pick_renderer("none", env).mode == "none"
    assert probe == []


def test_active_renderer_defaults_to_halfblock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image_mode, "_active", None)
    assert image_mode.active_renderer().mode == "halfblock"
    image_mode.set_active_renderer(RendererChoice("none", "test"))
    assert image_mode.active_renderer().mode == "none"


def test_headless_and_widget_modules_do_not_import_textual_image() -> None:
    # textual-image probes the terminal at import: only pick_renderer may trigger it.
    modules = [
        "bench_tui.cli",
        "bench_tui.render.images",
        "bench_tui.tui.image_mode",
        "bench_tui.tui.widgets.screenshot",
    ]
    code = (
        "import importlib\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "from bench_tui.tui.image_mode import import_cost_guard\n"
        "print(import_cost_guard())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_render_images_does_not_import_textual() -> None:
    code = "import sys, bench_tui.render.images; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"
