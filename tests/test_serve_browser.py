"""`bench-tui serve` in a real browser: Debian's Chromium driven by Playwright.

The page draws the app into a canvas (xterm.js), so what the app shows is read from the websocket
frames it receives: the terminal output, escape sequences taken out. The browser reaches nothing
but 127.0.0.1 (its resolver maps every other name nowhere, and the page's other requests, a web
font, are aborted).
"""

from __future__ import annotations

import logging
import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench_tui.demo import write_demo
from tests.fixtures.serving import Served, descendants, start_serve, still_running, wait_for

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1400, "height": 900}
WAIT_S = 30.0
RUN = "benchmark_results/waa_eval_20251110_091522"

playwright_api = pytest.importorskip("playwright.sync_api")

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)", allow_module_level=True)

ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


class Screen:
    """Everything the app sent to one page, as text."""

    def __init__(self, page) -> None:
        self.page = page
        self.chunks: list[str] = []
        self.seen = 0
        """Chunks an earlier wait or key already accounted for: a wait looks only after them."""
        page.on("websocket", self._attach)

    def _attach(self, websocket) -> None:
        websocket.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
        self.chunks.append(ESCAPES.sub("", text))

    def text(self) -> str:
        return "".join(self.chunks)

    def wait_for(self, *needles: str, timeout_s: float = WAIT_S) -> float:
        """Let the page run until every needle has been drawn since the page opened or the last
        wait or key (not only since this call: a fast app may have drawn it already); the time
        it took from this call."""
        start, mark = time.monotonic(), self.seen
        while time.monotonic() - start < timeout_s:
            drawn = "".join(self.chunks[mark:])
            if all(needle in drawn for needle in needles):
                self.seen = len(self.chunks)
                return time.monotonic() - start
            self.page.wait_for_timeout(50)
        missing = [n for n in needles if n not in "".join(self.chunks[mark:])]
        raise AssertionError(f"not drawn within {timeout_s} s: {missing}")

    def wait_for_pattern(self, pattern: str, timeout_s: float = WAIT_S) -> None:
        compiled = re.compile(pattern)
        start = time.monotonic()
        while time.monotonic() - start < timeout_s:
            if compiled.search(self.text()):
                return
            self.page.wait_for_timeout(50)
        raise AssertionError(f"{pattern!r} not drawn within {timeout_s} s")

    def press(self, key: str, *expected: str) -> float:
        mark_time = time.monotonic()
        mark = len(self.chunks)
        self.page.keyboard.press(key)
        while time.monotonic() - mark_time < WAIT_S:
            drawn = "".join(self.chunks[mark:])
            if all(needle in drawn for needle in expected):
                self.seen = len(self.chunks)
                return time.monotonic() - mark_time
            self.page.wait_for_timeout(50)
        raise AssertionError(f"after {key}: not drawn within {WAIT_S} s: {expected}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("serve") / "demo"
    write_demo(out, tasks_per_run=8)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        yield chromium
        chromium.close()


def loopback_only(route) -> None:
    url = route.request.url
    if url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:")):
        route.continue_()
    else:
        route.abort()


def open_page(browser, url: str) -> tuple[object, Screen]:
    page = browser.new_page(viewport=VIEWPORT)
    page.route("**/*", loopback_only)
    screen = Screen(page)
    page.goto(url)
    # Keys go to xterm's input; a click would reach the app as a mouse click.
    page.wait_for_selector(".xterm-helper-textarea", state="attached", timeout=WAIT_S * 1000)
    page.focus(".xterm-helper-textarea")
    return page, screen


@pytest.fixture
def served(demo: Path) -> Iterator[Served]:
    server = start_serve(str(demo), "--port", "0")
    yield server
    if server.process.poll() is None:
        server.stop()  # SIGTERM: its sessions end with it
    server.process.communicate(timeout=10)


def test_run_list_run_page_and_task_page_in_a_browser(
    browser, served: Served, tmp_path: Path
) -> None:
    page, screen = open_page(browser, served.url)
    screen.wait_for("Benchmark runs (5)", "waa_eval_20251110_091522")
    list_seen_s = time.monotonic() - served.started
    screen.press("Enter", "success by domain", "mean steps")
    screen.press("Enter", "link (y copies)", "step 1/")
    # Half-blocks: the screenshot is drawn with upper/lower half block characters.
    screen.wait_for_pattern("[▀▄]{8}")
    shot = tmp_path / "task-page.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    print(f"\nrun list visible {list_seen_s:.2f} s after serve started; screenshot: {shot}")
    page.close()


def test_goto_in_the_url_opens_that_step(browser, served: Served) -> None:
    target = f"{RUN}/file_explorer_rename_draft/2"
    page, screen = open_page(browser, f"{served.url}?goto={target}")
    screen.wait_for("file_explorer_rename_draft", "step 2/")
    # The page's link is the served URL with the same goto.
    screen.press("ArrowRight", f"{served.url}?goto={RUN}/file_explorer_rename_draft/3")
    page.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_server_and_every_app_while_a_browser_is_connected(
    browser, served: Served, signum: int
) -> None:
    pages = [open_page(browser, served.url) for _ in range(2)]
    for _, screen in pages:
        screen.wait_for("Benchmark runs (5)")
    assert wait_for(lambda: len(descendants(served.process.pid)) >= 2, 10)
    apps = descendants(served.process.pid)
    took = served.stop(signum)
    assert took < 5, f"the server took {took:.1f} s to stop"
    assert served.process.returncode == 0
    assert wait_for(lambda: not still_running(apps), 2), f"left behind: {still_running(apps)}"
    for page, _ in pages:
        page.close()


def test_serve_over_s3_lists_the_url_and_shows_a_fetched_screenshot(
    browser, demo: Path, tmp_path: Path, monkeypatch
) -> None:
    pytest.importorskip("s3fs", reason="the s3 extra (s3fs) is not installed")
    pytest.importorskip("moto", reason="moto[server] (the test extra) is not installed")
    from moto.server import ThreadedMotoServer

    from tests.fixtures.remote_servers import (
        RequestLog,
        free_port,
        materialise_links,
        s3_environment,
        upload_to_s3,
    )

    results = tmp_path / "uploaded"
    write_demo(results, tasks_per_run=8)
    materialise_links(results)
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    log = RequestLog()
    werkzeug = logging.getLogger("werkzeug")
    werkzeug.addHandler(log)
    werkzeug.setLevel(logging.INFO)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        s3_environment(monkeypatch, endpoint, tmp_path / "cache")
        upload_to_s3(endpoint, "served-results", "demo", results)
        log.clear()
        server = start_serve("s3://served-results/demo", "--port", "0")
        try:
            assert server.first_line.startswith("serving s3://served-results/demo at ")
            page, screen = open_page(browser, server.url)
            screen.wait_for("Benchmark runs (5)", "waa_eval_20251110_091522")
            screen.press("Enter", "success by domain")
            screen.press("Enter", "step 1/")
            screen.wait_for_pattern("[▀▄]{8}")  # the screenshot, fetched when shown
            assert log.gets(".png"), "the shown step's screenshot was not fetched from S3"
            page.close()
        finally:
            server.stop()
            server.process.communicate(timeout=10)
    finally:
        werkzeug.removeHandler(log)
        moto.stop()
