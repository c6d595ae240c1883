"""Next-step timings on the task page, used by tui_probe.py once the page and its widget exist.

Readiness is a message the Screenshot widget posts (any `Screenshot.*` message whose name says
Ready/Loaded/Shown/Rendered/Displayed); "frame" is the first composed frame after it. Three
passes over the steps, each key sent once the screenshot workers are idle: cold (image and strip
caches emptied before the key), cached (second visits), prefetched (the page warmed the next step
while the reader looked at this one — the usual case).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot

from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.run import RunScreen
from bench_tui.tui.widgets.virtual_table import VirtualTable

READY_WORDS = ("Ready", "Loaded", "Shown", "Rendered", "Displayed")
READY_TIMEOUT_S = 10.0


def _null(reason: str) -> dict[str, Any]:
    return {"next_step_cold_ms": None, "next_step_cached_ms": None, "next_step_reason": reason}


def _ready_after(marks: Any, moment: float) -> float | None:
    for stamp, name in marks.ready_messages:
        if stamp >= moment and any(word in name for word in READY_WORDS):
            return stamp
    return None


async def _open_task(app: BenchApp, pilot: Pilot[None]) -> str | None:
    screen = app.screen
    if not isinstance(screen, RunScreen):
        return "the run page is not open"
    model = screen.current_model.model if screen.current_model else None
    candidates = [
        e
        for e in screen.run.executions
        if e.model == model and e.status in ("passed", "failed") and (e.num_steps or 0) >= 2
    ]
    if not candidates:
        return "no finished task with steps in the biggest run"
    table = screen.query_one("#tasks-table", VirtualTable)
    table.focus()
    table.move_cursor_to_key(candidates[0].task_id)
    await pilot.press("enter")
    return None


async def measure_task_page(
    app: BenchApp,
    pilot: Pilot[None],
    marks: Any,
    post_key: Callable[[BenchApp, str], float],
    wait_until: Callable[..., Awaitable[float]],
) -> dict[str, Any]:
    from bench_tui.tui.screens.task import TaskScreen

    opened = time.perf_counter()
    problem = await _open_task(app, pilot)
    if problem is not None:
        return _null(problem)
    await wait_until(lambda: isinstance(app.screen, TaskScreen))
    screen = app.screen
    await wait_until(lambda: bool(screen.steps))  # type: ignore[attr-defined]
    try:
        await wait_until(lambda: _ready_after(marks, opened) is not None, READY_TIMEOUT_S)
    except TimeoutError:
        seen = sorted({name for _, name in marks.ready_messages}) or "none"
        return _null(
            f"the Screenshot widget posted no readiness message (Screenshot.* seen: {seen})"
        )

    async def step(key: str) -> float:
        sent = post_key(app, key)
        await wait_until(lambda: _ready_after(marks, sent) is not None)
        ready = _ready_after(marks, sent)
        await wait_until(lambda: marks.frame_after(ready) is not None)
        return marks.frame_after(ready) - sent

    count = len(screen.steps)  # type: ignore[attr-defined]
    settled = {"cold": [], "prefetched": [], "cached": []}
    for _ in range(count - 1):  # first visits; the cache emptied before each key
        await wait_until(lambda: _screenshot_idle(app))
        _clear_image_caches()
        settled["cold"].append(await step("right") * 1000)
    await wait_until(lambda: _screenshot_idle(app))
    await step("home")
    for _ in range(count - 1):  # second visits: decoded frames are in the cache
        await wait_until(lambda: _screenshot_idle(app))
        settled["cached"].append(await step("right") * 1000)
    _clear_image_caches()
    await wait_until(lambda: _screenshot_idle(app))
    await step("home")
    for _ in range(count - 1):  # as a reader steps: the next step was prefetched meanwhile
        await wait_until(lambda: _screenshot_idle(app))
        settled["prefetched"].append(await step("right") * 1000)
    return {
        "next_step_cold_ms": statistics.median(settled["cold"]),
        "next_step_cold_max_ms": max(settled["cold"]),
        "next_step_prefetched_ms": statistics.median(settled["prefetched"]),
        "next_step_cached_ms": statistics.median(settled["cached"]),
        "next_step_steps": count,
    }


def _screenshot_idle(app: BenchApp) -> bool:
    """No decode or prefetch worker still running (so each key starts from a quiet app)."""
    return all(w.is_finished for w in app.workers if str(w.group).startswith("screenshot"))


def _clear_image_caches() -> None:
    """Forget decoded frames and half-block strips, so the next step is decoded from the file."""
    from bench_tui.tui.widgets import screenshot

    cache = getattr(screenshot, "IMAGE_CACHE", None)
    if cache is not None:
        cache.clear()
    strips = getattr(screenshot, "_strip_sets", None)
    if strips is not None:
        strips.clear()
