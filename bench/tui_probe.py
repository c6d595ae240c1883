"""One fresh process, one pass of the TUI figures through Textual's Pilot (headless, in-process).

    python bench/tui_probe.py DIR --expect-runs N    -> one JSON object (bench/run.py runs it)
    python bench/tui_probe.py DIR --expect-runs N --index --list-only   (bench/index.py runs it)

`--index` lists through the index in $XDG_CACHE_HOME as `bench-tui DIR` does (the app's default;
without it the app reads every file, as in tests); `--list-only` stops once the list is painted
and the files are checked (no filter or step figures).

A fresh process per pass keeps `ru_maxrss` about the app alone. "Frame" means the first
`App._display` call after the change, i.e. the compositor has rendered the update (headless
Textual then skips only the write to the terminal). Keys are posted the way Pilot posts them, but
timed without Pilot's own waits: `pilot.press` + `pilot.pause` sleep at least 3 × 20 ms
(`textual._wait.wait_for_idle`), so that figure is reported separately.
"""

from __future__ import annotations

import time

WALL_START = time.time()
IMPORT_START = time.perf_counter()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import bisect  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from textual import events  # noqa: E402
from textual.message import Message  # noqa: E402
from textual.pilot import Pilot  # noqa: E402
from textual.screen import Screen  # noqa: E402

from bench_tui.tui.app import BenchApp  # noqa: E402
from bench_tui.tui.screens.run import RunScreen  # noqa: E402
from bench_tui.tui.widgets.status_line import StatusLine  # noqa: E402
from bench_tui.tui.widgets.virtual_table import VirtualTable  # noqa: E402

IMPORT_S = time.perf_counter() - IMPORT_START
SIZE = (160, 48)
FILTER_KEYS = ("s", "e", "t", "t", "i", "n", "g", "s", "backspace", "backspace")
POLL_S = 0.005  # latencies come from recorded marks, not from when the poll noticed
TIMEOUT_S = 60.0


class Marks:
    """Timestamps the probes record: frames, status-line paints, table re-filters, images ready."""

    def __init__(self) -> None:
        self.frames: list[float] = []
        self.status_painted: float | None = None
        self.applied: dict[int, float] = {}
        self.ready_messages: list[tuple[float, str]] = []

    def frame_after(self, moment: float) -> float | None:
        """The first frame composed at or after `moment` (frames are appended in order)."""
        position = bisect.bisect_left(self.frames, moment)
        return self.frames[position] if position < len(self.frames) else None


MARKS = Marks()


def install_probes() -> None:
    """Wrap a few methods (class-level, so the app under test is BenchApp itself)."""
    display = BenchApp._display
    render = StatusLine.render
    apply = VirtualTable._apply

    def app_display(self: BenchApp, screen: Screen, renderable: Any) -> None:
        display(self, screen, renderable)
        if renderable is not None:
            MARKS.frames.append(time.perf_counter())

    def status_render(self: StatusLine) -> Any:
        if MARKS.status_painted is None:
            MARKS.status_painted = time.perf_counter()
        return render(self)

    def table_apply(self: VirtualTable, keep_key: Any) -> None:
        apply(self, keep_key)
        MARKS.applied[id(self)] = time.perf_counter()

    BenchApp._display = app_display  # type: ignore[method-assign]
    StatusLine.render = status_render  # type: ignore[method-assign]
    VirtualTable._apply = table_apply  # type: ignore[method-assign]


def message_hook(message: Message) -> None:
    """Note messages a screenshot widget posts (its readiness signal, whatever it is named)."""
    name = type(message).__qualname__
    if name.startswith("Screenshot."):
        MARKS.ready_messages.append((time.perf_counter(), name))


class AppCrashed(RuntimeError):
    pass


CURRENT: list[BenchApp] = []


async def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT_S) -> float:
    """Poll `condition`; stop at once if the app under test raised."""
    deadline = time.perf_counter() + timeout
    while not condition():
        error = CURRENT[0]._exception if CURRENT else None
        if error is not None:
            raise AppCrashed(f"{type(error).__name__}: {error}")
        if time.perf_counter() > deadline:
            raise TimeoutError(f"condition not met within {timeout:g} s")
        await asyncio.sleep(POLL_S)
    return time.perf_counter()


def post_key(app: BenchApp, key: str) -> float:
    """Post a key the way Pilot does, without its idle waits; returns the moment it was sent."""
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    moment = time.perf_counter()
    app.post_message(event)
    return moment


async def stamp_when(condition: Callable[[], bool], into: dict[str, float]) -> None:
    """Record when `condition` first holds (polled every POLL_S, alongside the other probes), and
    the peak RSS of this process's children meanwhile (the worker that checks files)."""
    while not condition():
        into["children_peak_mb"] = max(into.get("children_peak_mb", 0.0), children_peak_mb())
        await asyncio.sleep(POLL_S)
    into["at"] = time.perf_counter()


def children_peak_mb() -> float:
    """Largest VmHWM among live child processes (0.0 when there are none)."""
    peak = 0.0
    for children in Path("/proc/self/task").glob("*/children"):
        for pid in children.read_text().split():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
    return round(peak, 1)


def rss_mb() -> dict[str, float]:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open("/proc/self/statm") as handle:
        current = int(handle.read().split()[1]) * resource.getpagesize() / 1048576
    return {"peak": round(peak, 1), "current": round(current, 1)}


async def measure_list(app: BenchApp, started: float, expect_runs: int) -> dict[str, Any]:
    await wait_until(lambda: MARKS.status_painted is not None and bool(MARKS.frames))
    first_paint = max(MARKS.status_painted or 0.0, MARKS.frames[0])
    first_frame = first_paint - started
    table = app.query_one("#runs-table", VirtualTable)
    await wait_until(lambda: app.scan_done and len(table.rows) >= expect_runs)
    listed = MARKS.applied[id(table)]  # the last batch's rows went into the table
    await wait_until(lambda: MARKS.frame_after(listed) is not None)
    painted = MARKS.frame_after(listed) or listed
    memory = rss_mb()
    return {
        "first_frame_s": first_frame,
        "first_frame_wall": WALL_START + (first_paint - IMPORT_START),
        "full_list_s": listed - started,
        "full_list_painted_s": painted - started,
        "runs_listed": len(table.rows),
        "rss_mb": memory["peak"],
        "rss_now_mb": memory["current"],
    }


async def open_biggest_run(app: BenchApp, pilot: Pilot[None]) -> RunScreen:
    biggest = max(app.workspace.runs, key=lambda run: len(run.tasks))
    table = app.query_one("#runs-table", VirtualTable)
    table.focus()
    table.move_cursor_to_key(biggest.id)
    await pilot.press("enter")
    await wait_until(lambda: isinstance(app.screen, RunScreen))
    screen = app.screen
    assert isinstance(screen, RunScreen)
    tasks = screen.query_one("#tasks-table", VirtualTable)
    await wait_until(lambda: tasks.total_rows == len(biggest.tasks))
    return screen


async def time_keystroke(app: BenchApp, table: VirtualTable, key: str) -> tuple[float, int]:
    """Key sent -> table re-filtered -> next frame, in ms; and the rows left."""
    sent = post_key(app, key)
    await wait_until(lambda: MARKS.applied.get(id(table), 0.0) > sent)
    applied = MARKS.applied[id(table)]
    framed = await wait_until(lambda: MARKS.frame_after(applied) is not None)
    return (MARKS.frame_after(applied) or framed) - sent, len(table.rows)


async def measure_filter(app: BenchApp, pilot: Pilot[None]) -> dict[str, Any]:
    screen = await open_biggest_run(app, pilot)
    table = screen.query_one("#tasks-table", VirtualTable)
    await pilot.press("slash")
    direct, rows_left = [], []
    for key in FILTER_KEYS:
        elapsed, rows = await time_keystroke(app, table, key)
        direct.append(elapsed * 1000)
        rows_left.append(rows)
    await pilot.press("escape")
    await pilot.press("slash")
    with_pilot = []
    for key in FILTER_KEYS:
        started = time.perf_counter()
        await pilot.press(key)
        await pilot.pause()
        with_pilot.append((time.perf_counter() - started) * 1000)
    await pilot.press("escape")
    started = time.perf_counter()
    await pilot.press("f19")  # bound to nothing: Pilot's own cost
    await pilot.pause()
    noop = (time.perf_counter() - started) * 1000
    return {
        "filter_rows": table.total_rows,
        "filter_keystroke_ms": statistics.median(direct),
        "filter_keystroke_max_ms": max(direct),
        "filter_keystroke_pilot_ms": statistics.median(with_pilot),
        "pilot_noop_key_ms": noop,
        "filter_rows_after_each_key": rows_left,
    }


def task_page_missing() -> str | None:
    for module in ("bench_tui.tui.screens.task", "bench_tui.tui.widgets.screenshot"):
        try:
            if importlib.util.find_spec(module) is None:
                return f"{module} does not exist yet"
        except ImportError as exc:
            return f"{module} cannot be imported: {exc}"
    try:
        import bench_tui.tui.screens.task  # noqa: F401
    except Exception as exc:  # the page is still being written
        return f"bench_tui.tui.screens.task cannot be imported: {type(exc).__name__}: {exc}"
    return None


def steps_null(reason: str) -> dict[str, Any]:
    return {"next_step_cold_ms": None, "next_step_cached_ms": None, "next_step_reason": reason}


async def measure_steps(app: BenchApp, pilot: Pilot[None]) -> dict[str, Any]:
    reason = task_page_missing()
    if reason is not None:
        return steps_null(reason)
    from task_page_probe import measure_task_page

    try:
        return await measure_task_page(app, pilot, MARKS, post_key, wait_until)
    except (AppCrashed, TimeoutError) as exc:
        return steps_null(f"the task page failed under Pilot: {exc}")


async def probe(
    root: Path, expect_runs: int, images: str, *, use_index: bool = False, list_only: bool = False
) -> dict[str, Any]:
    install_probes()
    started = time.perf_counter()
    app = BenchApp(root, images=images, use_index=use_index)
    CURRENT.append(app)
    figures: dict[str, Any] = {}
    checked: dict[str, float] = {}
    try:
        async with app.run_test(size=SIZE, message_hook=message_hook) as pilot:
            stamper = asyncio.create_task(stamp_when(lambda: app.checks_done, checked))
            figures |= await measure_list(app, started, expect_runs)
            if list_only:
                # Quitting while files are still checked races the app's shutdown (a progress
                # message meets the bare default screen): let the checks end first.
                await asyncio.wait_for(stamper, TIMEOUT_S)
                return figures
            # Filter and steps are measured while the files are still being checked, as a user
            # who starts at once would meet them.
            figures["checks_pending_at_list"] = not app.checks_done
            figures |= await measure_filter(app, pilot)
            figures |= await measure_steps(app, pilot)
            await asyncio.wait_for(stamper, TIMEOUT_S)
            figures["checks_done_s"] = checked["at"] - started
            figures["checker_rss_mb"] = checked.get("children_peak_mb", 0.0)
            figures["problems_after_checks"] = len(set(app.workspace.problems))
    except Exception as exc:  # the app raised: keep what was measured before it did
        figures.setdefault("errors", []).append(f"{type(exc).__name__}: {exc}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", type=Path)
    parser.add_argument("--expect-runs", type=int, required=True)
    parser.add_argument("--images", default="halfblock")
    parser.add_argument("--index", action="store_true", help="list through the index")
    parser.add_argument("--list-only", action="store_true", help="stop once fully listed")
    args = parser.parse_args()
    figures = asyncio.run(
        probe(
            args.dir,
            args.expect_runs,
            args.images,
            use_index=args.index,
            list_only=args.list_only,
        )
    )
    print(json.dumps({"import_s": IMPORT_S, **figures}))


if __name__ == "__main__":
    main()
