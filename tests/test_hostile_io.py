"""Hostile result folders (issue 13): FIFOs and devices under result names, links and recorded
paths leading out of the tree, pickle bombs, planted or broken triage stores.

Every case that could hang runs under a time limit (a subprocess with `timeout=`, or a thread
joined with a timeout), and every case that could exhaust memory runs in a subprocess under an
address-space limit, so a regression fails the test instead of the machine.
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import pty
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bench_tui.atomic import write_atomic
from bench_tui.demo.files import FileWriter, remove_entries
from bench_tui.model import Problem
from bench_tui.render.images import ImageUnavailable, prepare_image
from bench_tui.safeio import (
    FOLLOW_OUTSIDE_ENV,
    LeavesFolder,
    NotRegularFile,
    open_regular,
    read_capped,
)
from bench_tui.sources.agentlab.safe_pickle import PickleRefused, load_restricted, to_plain
from bench_tui.sources.common import MAX_PARSE_BYTES, ReadContext, read_text
from bench_tui.sources.discover import discover_workspace
from bench_tui.sources.steps import load_steps
from bench_tui.triage.labels import load_label_set
from bench_tui.triage.store import (
    LABEL_MAX_BYTES,
    NOTE_MAX_BYTES,
    TriageLookup,
    TriageStore,
    load_triage,
)
from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.problems import file_excerpt
from tests.fixtures.offline_builders import build_canonical_episode, build_custom_training
from tests.fixtures.openadapt_builders import build_complete_run
from tests.fixtures.osworld_builders import build_osworld_example
from tests.fixtures.png import write_png
from tests.fixtures.web_builders import build_agentlab_example, build_webarena_example

T = TypeVar("T")

CLI = [sys.executable, "-c", "from bench_tui.cli import main; main()"]
TIMEOUT_S = 60
MEMORY_LIMIT = 2 << 30
RUN = "benchmark_results/waa_eval_20251104_091522"
NOTEPAD = f"{RUN}/tasks/notepad_greeting"
OSWORLD = "results/pyautogui/screenshot/acme/vl-7b-instruct"
CHROME = f"{OSWORLD}/chrome/38eb4e27-b792-4c40-9665-6026b18ae796"
WEBARENA = "wa_work/cache/results_20251106120000"
STUDY = "agentlab_results/2025-11-08_16-20-05_lumen_miniwob_smoke"
BUTTON = f"{STUDY}/2025-11-08_16-20-07_GenericAgent-lumen-4o_on_miniwob.click-button_3"
TRAINING_LOG = "training_output/20251102_141005/training_log.json"
MODEL = "tern-vl-3b-lora-e3"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_cli(
    *args: str, env: dict[str, str] | None = None, memory_limit: bool = False
) -> subprocess.CompletedProcess[str]:
    """The command line in its own process: a hang is a TimeoutExpired, an allocation beyond
    MEMORY_LIMIT a MemoryError, and neither takes the test run down with it."""
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env={**os.environ, **(env or {})},
        preexec_fn=_limit_memory if memory_limit else None,
    )


def in_thread(work: Callable[[], T], timeout: float = 20.0) -> T:
    """`work()` in a daemon thread; fails the test when it has not returned in `timeout`."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed back to the test below
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"still blocked after {timeout} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def every_format(root: Path) -> Path:
    """One workspace holding each format whose files a hostile copy can replace."""
    build_complete_run(root)
    build_osworld_example(root)
    build_webarena_example(root)
    build_agentlab_example(root)
    build_custom_training(root)
    return root


def replace_with_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def replace_with_device(path: Path) -> None:
    path.unlink()
    path.symlink_to("/dev/zero")


def problem_lines(output: str) -> dict[str, str]:
    """validate's `path[:line]: message` lines by path."""
    lines: dict[str, str] = {}
    for line in output.splitlines():
        path, _, message = line.partition(": ")
        lines.setdefault(path.split(":")[0], message)
    return lines


# ----- items 4 and 5: devices and FIFOs under result names ------------------------------------

READ_AT_LISTING = (
    f"{NOTEPAD}/execution.json",
    f"{RUN}/metadata.json",
    f"{RUN}/tasks/settings_dark_mode_/task.json",
    f"{RUN}/summary.json",
    f"{RUN}/tasks/settings_dark_mode_/screenshots/step_000.png",
    f"{CHROME}/traj.jsonl",
    f"{CHROME}/result.txt",
    f"{WEBARENA}/render_17.html",
    f"{BUTTON}/exp_args.pkl",
    f"{BUTTON}/summary_info.json",
    TRAINING_LOG,
)


def test_fifos_under_result_names_are_problems_not_hangs(tmp_path: Path) -> None:
    root = every_format(tmp_path / "results")
    for name in READ_AT_LISTING:
        replace_with_fifo(root / name)
    (root / "stray.json").touch()
    replace_with_fifo(root / "stray.json")
    result = run_cli("validate", str(root))
    assert result.returncode == 1, result.stderr
    found = problem_lines(result.stdout)
    for name in (*READ_AT_LISTING, "stray.json"):
        assert "not a regular file (a FIFO)" in found.get(name, ""), (name, result.stdout)
    summary = run_cli("summary", "--json", str(root))
    assert summary.returncode == 0, summary.stderr
    assert {run["format"] for run in json.loads(summary.stdout)["runs"]} >= {
        "openadapt",
        "osworld",
        "webarena",
        "agentlab",
    }


@pytest.mark.parametrize("follow", [False, True], ids=["confined", "links-followed"])
def test_device_files_are_never_read(tmp_path: Path, follow: bool) -> None:
    root = every_format(tmp_path / "results")
    for name in READ_AT_LISTING:
        replace_with_device(root / name)
    env = {FOLLOW_OUTSIDE_ENV: "1"} if follow else {FOLLOW_OUTSIDE_ENV: ""}
    result = run_cli("validate", str(root), env=env, memory_limit=True)
    assert result.returncode == 1, result.stderr
    found = problem_lines(result.stdout)
    # Confined, the link leaves the opened (or run) folder; followed, /dev/zero is no file.
    expected = "a character device" if follow else "leaves the"
    for name in READ_AT_LISTING:
        assert expected in found.get(name, ""), (name, result.stdout)


def test_reads_stop_at_the_cap_whatever_the_size_says(tmp_path: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        assert len(read_capped(zero.fileno(), 1000, size_hint=0)) == 1001
    with pytest.raises(NotRegularFile, match="a character device"):
        open_regular("/dev/zero")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile, match="a FIFO"):
        in_thread(lambda: open_regular(fifo))


def test_step_pages_and_screenshots_never_block_on_a_fifo(tmp_path: Path) -> None:
    root = every_format(tmp_path / "results")
    shots = [
        f"{NOTEPAD}/screenshots/step_001.png",
        f"{CHROME}/step_1_20251103@101502.png",
        f"{BUTTON}/screenshot_step_0.png",
    ]
    for name in shots:
        replace_with_fifo(root / name)
    replace_with_fifo(root / BUTTON / "step_1.pkl.gz")
    workspace = in_thread(lambda: discover_workspace(root))
    seen: list[str] = []
    problems: list[Problem] = []
    for run in workspace.runs:
        for execution in run.executions:
            steps, found = in_thread(lambda: load_steps(run, execution, root))  # noqa: B023
            problems.extend(found)
            for step in steps:
                if step.screenshot is None or not Path(step.screenshot).exists():
                    continue
                if Path(step.screenshot).is_fifo():
                    seen.append(step.screenshot)
                    with pytest.raises(ImageUnavailable, match="not a regular file"):
                        shot = step.screenshot
                        in_thread(lambda: prepare_image(Path(shot), (40, 30), ()))  # noqa: B023
    assert len(set(seen)) == len(shots)
    assert any(p.path.endswith("step_1.pkl.gz") and "FIFO" in p.message for p in problems)


def test_quitting_the_app_never_waits_for_a_blocked_worker(tmp_path: Path) -> None:
    """A discovery worker stuck in a read (a mount that stopped answering): quitting still ends
    the process. asyncio's default thread pool was joined on exit, so it did not."""
    build_complete_run(tmp_path)
    script = """
import asyncio, sys, threading
import bench_tui.tui.app as app_module
from bench_tui.tui.app import BenchApp

forever = threading.Event()

def stuck(*args, **kwargs):
    forever.wait()
    yield from ()

app_module.iter_workspace = stuck

async def main():
    app = BenchApp(sys.argv[1], images="none")
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("q")

asyncio.run(main())
print("exited")
"""
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert result.returncode == 0, result.stderr
    assert "exited" in result.stdout


def test_the_app_in_a_terminal_quits_with_a_fifo_in_the_tree(tmp_path: Path) -> None:
    build_complete_run(tmp_path)
    replace_with_fifo(tmp_path / NOTEPAD / "execution.json")
    env = {**os.environ, "TERM": "xterm-256color", "BENCH_TUI_IMAGES": "none"}
    env.pop("NO_COLOR", None)
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the real command on a terminal of its own
        os.execve(sys.executable, [*CLI, str(tmp_path)], env)
    output = bytearray()
    status: int | None = None
    try:
        assert _read_until(terminal, output, lambda: b"waa_eval" in output, 30), bytes(output)
        os.write(terminal, b"q")
        deadline = time.monotonic() + 10
        while status is None and time.monotonic() < deadline:
            done, waited = os.waitpid(pid, os.WNOHANG)
            if done:
                status = waited
            else:
                _read_until(terminal, output, lambda: False, 0.2)
    finally:
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(terminal)
    assert status is not None, "the app did not exit within 10 s of `q`"
    assert os.waitstatus_to_exitcode(status) == 0, bytes(output[-2000:])


def _read_until(fd: int, into: bytearray, enough: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                into += os.read(fd, 65536)
            except OSError:
                return enough()  # the child closed the terminal
        if enough():
            return True
    return enough()


def test_the_app_lists_a_fifo_as_a_problem_and_finishes_scanning(tmp_path: Path) -> None:
    """In its own process: before the fix the discovery worker blocked on the FIFO for good,
    and so did the event loop closing after the test."""
    build_complete_run(tmp_path)
    replace_with_fifo(tmp_path / NOTEPAD / "execution.json")
    script = """
import asyncio, json, sys
from bench_tui.tui.app import BenchApp

async def main():
    app = BenchApp(sys.argv[1], images="none")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(400):
            await pilot.pause(0.05)
            if app.scan_done and app.checks_done:
                break
        problems = {p.path: p.message for p in app.workspace.problems}
        print(json.dumps({"done": app.scan_done and app.checks_done, "problems": problems}))
        await pilot.press("q")

asyncio.run(main())
"""
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen["done"]
    assert "FIFO" in seen["problems"][f"{NOTEPAD}/execution.json"]


# ----- item 6: pickle bombs --------------------------------------------------------------------

MEMO_BOMB = b"\x80\x04Nr\xff\xff\xff\x0f."


def test_a_memo_index_bomb_is_refused_at_once_and_small(tmp_path: Path) -> None:
    root = tmp_path / "results"
    build_agentlab_example(root)
    (root / BUTTON / "exp_args.pkl").write_bytes(MEMO_BOMB)
    started = time.monotonic()
    result = run_cli("validate", str(root), memory_limit=True)
    assert time.monotonic() - started < 20
    assert result.returncode == 1, result.stderr
    message = problem_lines(result.stdout)[f"{BUTTON}/exp_args.pkl"]
    assert message.startswith("pickle refused: memo index 268,435,455")


@pytest.mark.parametrize(
    "data",
    [
        MEMO_BOMB,
        b"\x80\x04Np999999999\n.",  # a protocol-0 PUT
        b"\x80\x04\x8e" + (1 << 40).to_bytes(8, "little") + b"x.",  # BINBYTES8
        b"\x80\x04\x95" + (1 << 40).to_bytes(8, "little") + b"N.",  # FRAME
        b"\x80\x04\x8b" + (5000).to_bytes(4, "little") + b"\x01" * 5000 + b".",  # LONG4
    ],
    ids=["long-binput", "put", "binbytes8", "frame", "long4"],
)
def test_pickle_bombs_raise_refused_quickly(data: bytes) -> None:
    script = (
        "import sys; from bench_tui.sources.agentlab.safe_pickle import PickleRefused, load_restricted\n"
        "try:\n    load_restricted(bytes.fromhex(sys.argv[1]))\n"
        "except PickleRefused as exc:\n    print('refused:', exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, data.hex()],
        capture_output=True,
        text=True,
        timeout=10,
        preexec_fn=_limit_memory,
    )
    assert result.stdout.startswith("refused:"), (result.stdout, result.stderr)


def test_a_shared_list_referenced_many_times_is_cut_not_copied() -> None:
    shared = list(range(10_000))
    data = pickle.dumps([shared] * 20_000, protocol=4)  # 80 KB: 200 million values as a tree
    started = time.monotonic()
    plain = to_plain(load_restricted(data))
    assert time.monotonic() - started < 10
    assert plain[0] == shared and plain[-1] == "…(truncated)"


def test_a_gzip_pickle_of_memo_entries_alone_is_refused() -> None:
    data = gzip.compress(b"\x80\x04N" + b"\x94" * 5_000_000 + b".")
    with pytest.raises(PickleRefused, match="operations"):
        load_restricted(data)


# ----- item 10: nothing is read outside the results --------------------------------------------


def test_recorded_screenshot_paths_never_leave_the_run(tmp_path: Path) -> None:
    root = tmp_path / "results"
    build_complete_run(root)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\nsecret")  # truncated if ever read
    execution = root / NOTEPAD / "execution.json"
    data = json.loads(execution.read_text())
    recorded = ["/etc/passwd", "/proc/self/environ", "../../../../outside/secret.png"]
    for step, path in zip(data["steps"], recorded, strict=True):
        step["screenshot_path"] = path
    execution.write_text(json.dumps(data))
    result = run_cli("validate", str(root))
    leaving = [line for line in result.stdout.splitlines() if "leaves the run folder" in line]
    assert len(leaving) == 3, result.stdout
    assert all(line.startswith(f"{NOTEPAD}/execution.json") for line in leaving)
    assert "secret" not in result.stdout.replace("outside/secret.png (step 2)", "")
    workspace = discover_workspace(root)
    run = next(r for r in workspace.runs if r.format == "openadapt")
    execution_model = next(e for e in run.executions if e.task_id == "notepad_greeting")
    steps, problems = load_steps(run, execution_model, root)
    assert [step.screenshot for step in steps[:3]] == [None, None, None]
    assert sum("leaves the run folder" in p.message for p in problems) == 3


def test_an_absolute_path_from_another_machine_is_rebased_by_name(tmp_path: Path) -> None:
    root = tmp_path / "results"
    build_complete_run(root)
    execution = root / NOTEPAD / "execution.json"
    data = json.loads(execution.read_text())
    data["steps"][0]["screenshot_path"] = "/home/ci/run/tasks/x/screenshots/step_000.png"
    execution.write_text(json.dumps(data))
    workspace = discover_workspace(root)
    assert not [p for p in workspace.problems if "leaves" in p.message]
    run = next(r for r in workspace.runs if r.format == "openadapt")
    notepad = next(e for e in run.executions if e.task_id == "notepad_greeting")
    steps, _ = load_steps(run, notepad, root)
    assert steps[0].screenshot == str(root / NOTEPAD / "screenshots" / "step_000.png")


def test_a_screenshot_linked_out_of_the_run_is_not_shown(tmp_path: Path) -> None:
    root = tmp_path / "results"
    build_complete_run(root)
    outside = write_png(tmp_path / "outside.png", (64, 40))
    shot = root / NOTEPAD / "screenshots" / "step_001.png"
    shot.unlink()
    shot.symlink_to(outside)
    result = run_cli("validate", str(root))
    assert f"{NOTEPAD}/screenshots/step_001.png: screenshot path leaves" in result.stdout
    workspace = discover_workspace(root)
    run = next(r for r in workspace.runs if r.format == "openadapt")
    notepad = next(e for e in run.executions if e.task_id == "notepad_greeting")
    steps, problems = load_steps(run, notepad, root)
    assert steps[1].screenshot is None
    assert any("leaves the run folder" in p.message for p in problems)


def test_links_out_of_the_opened_folder_are_not_walked(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    build_complete_run(elsewhere)
    root = tmp_path / "results"
    root.mkdir()
    (root / "linked").symlink_to(elsewhere / "benchmark_results")
    (root / "etc").symlink_to("/etc")
    (root / "passwd.json").symlink_to("/etc/passwd")
    confined = run_cli("summary", "--json", str(root))
    data = json.loads(confined.stdout)
    assert data["runs"] == []
    messages = {p["path"]: p["message"] for p in data["problems"]}
    for name in ("linked", "etc", "passwd.json"):
        assert "symbolic link leaves the opened folder" in messages[name]
    followed = run_cli("summary", "--json", str(root), env={FOLLOW_OUTSIDE_ENV: "1"})
    assert len(json.loads(followed.stdout)["runs"]) == 1


def test_a_file_of_a_claimed_folder_linked_outside_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "results"
    build_complete_run(root)
    secret = tmp_path / "secret.json"
    secret.write_text('{"success": true}')
    metadata = root / RUN / "metadata.json"
    metadata.unlink()
    metadata.symlink_to(secret)
    ctx = ReadContext(root=root)
    assert read_text(metadata, ctx) is None
    assert "leaves the opened folder" in ctx.problems[0].message


def test_webarena_logs_listed_outside_are_not_read(tmp_path: Path) -> None:
    root = tmp_path / "results"
    run_dir = build_webarena_example(root)
    (root / "wa_work" / "log_files" / "log_20251106120003_4821.log").unlink()
    outside = tmp_path / "outside.log"
    outside.write_text(
        "2025-11-06 12:00:41,118 - INFO - [Config file]: config_files/17.json\n"
        "2025-11-06 12:06:47,390 - INFO - [Unhandled Error] SecretMarkerError('read')\n"
    )
    (run_dir / "log_files.txt").write_text(f"{outside}\n../../../../outside.log\n")
    result = run_cli("validate", str(root))
    listing = [line for line in result.stdout.splitlines() if "outside.log' listed" in line]
    assert len(listing) == 2 and all("was not found" in line for line in listing)
    assert "SecretMarker" not in result.stdout


def test_episode_screenshots_outside_their_folder_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "results"
    episode = build_canonical_episode(root)
    data = json.loads(episode.read_text())
    data["steps"][0]["observation"]["screenshot_path"] = "../../../secret.png"
    data["steps"][1]["observation"]["screenshot_path"] = "/etc/passwd"
    episode.write_text(json.dumps(data))
    workspace = discover_workspace(root)
    (read,) = workspace.episodes
    assert read.steps[0].screenshot is None and read.steps[1].screenshot is None
    leaving = [p for p in workspace.problems if "leaves the episode's folder" in p.message]
    assert len(leaving) == 2


def test_the_problem_viewer_reads_only_inside_the_root_and_caps_its_scan(tmp_path: Path) -> None:
    root = tmp_path / "results"
    root.mkdir()
    (root / "passwd").symlink_to("/etc/passwd")
    assert "root:" not in file_excerpt(root, "../../../../etc/passwd", 1).plain
    assert "outside the opened folder" in file_excerpt(root, "../../../../etc/passwd", 1).plain
    assert "leaves the opened folder" in file_excerpt(root, "passwd", 1).plain
    os.mkfifo(root / "fifo")
    assert "a FIFO" in in_thread(lambda: file_excerpt(root, "fifo", 1)).plain
    huge = root / "huge.json"
    with open(huge, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # one 200 MB line (sparse: no disk used)
    started = time.monotonic()
    excerpt = in_thread(lambda: file_excerpt(root, "huge.json", 1)).plain
    assert time.monotonic() - started < 10
    assert f"({MAX_PARSE_BYTES:,} bytes on this line)" in excerpt
    assert "not read past 32 MB" in excerpt


# ----- item 1: never write through a planted link ----------------------------------------------


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path / "state"
    monkeypatch.setenv("BENCH_TUI_TRIAGE_DIR", str(state))
    monkeypatch.setenv("BENCH_TUI_LABELS", str(tmp_path / "no-labels.toml"))
    return state


def test_a_store_file_linked_outside_is_never_appended_to(tmp_path: Path, state_dir: Path) -> None:
    root = tmp_path / "results"
    run = build_complete_run(root)
    victim = tmp_path / "victim.sh"
    victim.write_text("echo hello\n")
    (run / ".bench-tui").mkdir()
    (run / ".bench-tui" / "triage.jsonl").symlink_to(victim)
    store = TriageStore(run, relative_to=root)
    store.add_label(MODEL, "notepad_greeting", "flaky")
    assert victim.read_text() == "echo hello\n"
    assert store.read_only_fallback
    assert store.labels_for(MODEL, "notepad_greeting") == ["flaky"]
    assert any("symbolic link" in p.message for p in store.problems)
    result = run_cli("validate", str(root), env={"BENCH_TUI_TRIAGE_DIR": str(state_dir)})
    assert f"{RUN}/.bench-tui/triage.jsonl: triage store not used" in result.stdout
    assert result.returncode == 1


def test_a_store_folder_linked_outside_gets_no_file(tmp_path: Path, state_dir: Path) -> None:
    run = build_complete_run(tmp_path / "results")
    outside = tmp_path / "outside"
    outside.mkdir()
    (run / ".bench-tui").symlink_to(outside)
    store = TriageStore(run)
    store.set_note(MODEL, "notepad_greeting", "seen")
    assert list(outside.iterdir()) == []
    assert store.note_for(MODEL, "notepad_greeting") == "seen"
    assert any(".bench-tui is a symbolic link" in p.message for p in store.problems)


def test_a_store_planted_after_opening_is_refused_too(tmp_path: Path, state_dir: Path) -> None:
    run = build_complete_run(tmp_path / "results")
    store = TriageStore(run)
    victim = tmp_path / "victim"
    victim.write_text("")
    (run / ".bench-tui").mkdir()
    (run / ".bench-tui" / "triage.jsonl").symlink_to(victim)
    store.add_label(MODEL, "notepad_greeting", "flaky")
    assert victim.read_text() == ""
    assert store.labels_for(MODEL, "notepad_greeting") == ["flaky"]


def test_a_fifo_store_neither_hangs_reading_nor_writing(tmp_path: Path, state_dir: Path) -> None:
    run = build_complete_run(tmp_path / "results")
    (run / ".bench-tui").mkdir()
    os.mkfifo(run / ".bench-tui" / "triage.jsonl")
    store = in_thread(lambda: TriageStore(run))
    in_thread(lambda: store.add_label(MODEL, "notepad_greeting", "flaky"))
    assert in_thread(lambda: store.labels_for(MODEL, "notepad_greeting")) == ["flaky"]
    assert any("FIFO" in p.message for p in store.problems)


async def test_labelling_in_the_app_with_a_planted_link(tmp_path: Path, state_dir: Path) -> None:
    root = tmp_path / "results"
    run = build_complete_run(root)
    victim = tmp_path / "victim.sh"
    victim.write_text("#!/bin/sh\n")
    (run / ".bench-tui").mkdir()
    (run / ".bench-tui" / "triage.jsonl").symlink_to(victim)
    app = BenchApp(root, images="none")
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("t", "f", "escape")
        await pilot.pause()
        assert any("triage store not used" in p.message for p in app.workspace.problems)
    assert victim.read_text() == "#!/bin/sh\n"
    fallback = next(state_dir.glob("*/triage.jsonl"))
    assert '"label":"flaky"' in fallback.read_text()


def test_exports_replace_a_linked_target_instead_of_writing_through_it(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    target = tmp_path / "out" / "export.csv"
    target.parent.mkdir()
    target.symlink_to(victim)
    write_atomic(target, b"a,b\n")
    assert victim.read_text() == "keep"
    assert not target.is_symlink() and target.read_bytes() == b"a,b\n"


def test_the_demo_never_writes_or_deletes_through_links(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    (out / "captures").mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    pid = os.getpid()
    (out / "captures" / f".episode.json.tmp{pid}").symlink_to(victim)
    FileWriter(out).write_bytes(out / "captures" / "episode.json", b"{}")
    assert victim.read_text() == "keep"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    (out / "experiments").symlink_to(outside)
    remove_entries(out, ["experiments/keep.txt"])
    assert (outside / "keep.txt").read_text() == "keep"


# ----- item 14: triage store Problems are listed, notes and labels capped on read --------------


def _broken_store(run: Path) -> Path:
    store = run / ".bench-tui" / "triage.jsonl"
    store.parent.mkdir()
    good = {"v": 1, "ts": 1.0, "model": MODEL, "task_id": "notepad_greeting", "op": "label"}
    lines = [
        json.dumps({**good, "label": "flaky"}),
        "not json at all",
        json.dumps({**good, "v": 99, "label": "flaky"}),
        json.dumps({**good, "ts": "yesterday", "label": "flaky"}),
        json.dumps({**good, "op": "note", "ts": 2.0, "note": "x" * 1_000_000}),
    ]
    store.write_text("\n".join(lines) + '\n{"v": 1, "ts": 3')
    return store


def test_validate_lists_triage_store_problems(tmp_path: Path, state_dir: Path) -> None:
    root = tmp_path / "results"
    _broken_store(build_complete_run(root))
    result = run_cli("validate", str(root), env={"BENCH_TUI_TRIAGE_DIR": str(state_dir)})
    assert result.returncode == 1
    store = f"{RUN}/.bench-tui/triage.jsonl"
    lines = [line for line in result.stdout.splitlines() if line.startswith(store)]
    assert [line.split(": ", 1)[0] for line in lines] == [f"{store}:{n}" for n in (2, 3, 4, 5, 6)]
    assert "invalid JSON" in lines[0] and "newer than this bench-tui reads" in lines[1]
    assert "'ts' must be a number" in lines[2] and "over the 2,048-byte limit: cut" in lines[3]
    assert "torn last line" in lines[4]
    summary = json.loads(run_cli("summary", "--json", str(root)).stdout)
    assert sum(p["path"] == store for p in summary["problems"]) == 5


def test_notes_and_labels_are_capped_when_read(tmp_path: Path, state_dir: Path) -> None:
    root = tmp_path / "results"
    run = build_complete_run(root)
    store = _broken_store(run)
    with store.open("a") as handle:
        record = {"v": 1, "ts": 4.0, "model": MODEL, "task_id": "notepad_greeting"}
        handle.write("\n" + json.dumps({**record, "op": "label", "label": "é" * 1000}) + "\n")
    state, problems = load_triage(store)
    note = state.note_for(MODEL, "notepad_greeting")
    assert note is not None and len(note.encode()) <= NOTE_MAX_BYTES
    (long_label,) = [name for name in state.labels_for(MODEL, "notepad_greeting") if "é" in name]
    assert len(long_label.encode()) <= LABEL_MAX_BYTES
    assert any("label is 2,000 bytes" in p.message for p in problems)
    export = run_cli("export", "--format", "json", str(root))
    (row,) = [r for r in json.loads(export.stdout) if r["task_id"] == "notepad_greeting"]
    assert len(row["note"].encode()) <= NOTE_MAX_BYTES


async def test_the_app_lists_triage_store_problems(tmp_path: Path, state_dir: Path) -> None:
    root = tmp_path / "results"
    _broken_store(build_complete_run(root))
    app = BenchApp(root, images="none")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            if app.checks_done:
                break
        store = f"{RUN}/.bench-tui/triage.jsonl"
        assert sum(p.path == store for p in app.workspace.problems) == 5
        await pilot.press("q")


def test_lookup_reports_a_linked_store_folder(tmp_path: Path, state_dir: Path) -> None:
    run = build_complete_run(tmp_path / "results")
    (tmp_path / "elsewhere").mkdir()
    (run / ".bench-tui").symlink_to(tmp_path / "elsewhere")
    state, problems = TriageLookup(state_dir).load(run, tmp_path / "results")
    assert state is not None and not state.labels
    assert [p.path for p in problems] == [f"{RUN}/.bench-tui/triage.jsonl"]


def test_a_label_set_that_is_a_fifo_or_too_long_gives_the_defaults(tmp_path: Path) -> None:
    fifo = tmp_path / "labels.toml"
    os.mkfifo(fifo)
    labels, problems = in_thread(lambda: load_label_set(fifo))
    assert labels.names()[0] == "env bug" and "FIFO" in problems[0].message
    long = tmp_path / "long.toml"
    long.write_text(f'[[label]]\nname = "{"n" * 300}"\nkey = "x"\n')
    labels, problems = load_label_set(long)
    assert labels.names()[0] == "env bug"
    assert any("over 256 bytes" in p.message for p in problems)


def test_leaves_folder_says_where_the_link_leads(tmp_path: Path) -> None:
    (tmp_path / "link").symlink_to("/etc/passwd")
    with pytest.raises(LeavesFolder) as caught:
        open_regular(tmp_path / "link", os.path.realpath(tmp_path))
    assert caught.value.real == "/etc/passwd"
