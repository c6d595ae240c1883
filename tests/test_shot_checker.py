"""ShotChecker answers as image_problem does, screenshot by screenshot, with fewer syscalls."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench_tui import safeio
from bench_tui.sources._io.images import ShotChecker, image_problem
from bench_tui.sources.base import PendingChecks
from bench_tui.sources.common import ReadContext
from bench_tui.sources.openadapt.execution import run_checks
from tests.fixtures.png import write_png


def hostile_shots(root: Path, outside: Path) -> list[str]:
    """Screenshot paths of every kind a run can record, inside `root`, in run order."""
    shots = root / "tasks" / "t1" / "screenshots"
    whole = write_png(shots / "step_000.png")
    (shots / "empty.png").write_bytes(b"")
    (shots / "cut.png").write_bytes(whole.read_bytes()[:-20])
    (shots / "cut.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"x" * 40)
    (shots / "text.png").write_text("not an image, and long enough to have a tail")
    (shots / "folder.png").mkdir()
    os.mkfifo(shots / "fifo.png")
    (shots / "link_inside.png").symlink_to("step_000.png")
    secret = write_png(outside / "secret.png")
    (shots / "link_out.png").symlink_to(secret)
    (shots / "dangling.png").symlink_to("nowhere.png")
    (root / "tasks" / "t2").mkdir()
    (root / "tasks" / "t2" / "screenshots").symlink_to(outside)
    (root / "tasks" / "t3").mkdir()
    (root / "tasks" / "t3" / "screenshots").write_text("a file where a folder should be")
    names = [
        "step_000.png",
        "empty.png",
        "cut.png",
        "cut.jpg",
        "text.png",
        "folder.png",
        "fifo.png",
        "link_inside.png",
        "link_out.png",
        "dangling.png",
        "missing.png",
        "a\x00b.png",
        ".",
        "..",
        "",
    ]
    paths = [f"{shots}/{name}" for name in names]
    paths += [f"{root}/tasks/t2/screenshots/secret.png", f"{root}/tasks/t3/screenshots/x.png"]
    paths += [f"{root}/tasks/t\x001/screenshots/step_000.png", "relative.png"]
    return [*paths, f"{shots}/step_000.png"]  # back to a folder already left


@pytest.mark.parametrize("follow", [False, True])
def test_shot_checker_answers_as_image_problem(tmp_path: Path, follow: bool) -> None:
    root, outside = tmp_path / "run", tmp_path / "outside"
    outside.mkdir()
    paths = hostile_shots(root, outside)
    within = None if follow else safeio.boundary(root)
    expected = [image_problem(path, within, "the run folder") for path in paths]
    with ShotChecker("the run folder") as checker:
        answers = [checker.problem(path, within) for path in paths]
    assert answers == expected
    assert expected[0] is None
    leaving = [answer for answer in expected if "leaves the run folder" in str(answer)]
    assert len(leaving) == (0 if follow else 2)


def test_run_checks_read_no_link_per_screenshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = tmp_path / "run" / "tasks" / "t1"
    execution = str(task / "execution.json")
    shots = [
        (str(write_png(task / "screenshots" / f"step_{n:03d}.png")), n, execution)
        for n in range(20)
    ]
    readlinks: list[object] = []
    real_readlink = os.readlink

    def counting(*args: object, **kwargs: object) -> str:
        readlinks.append(args)
        return real_readlink(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(safeio.os, "readlink", counting)
    ctx = ReadContext(root=tmp_path)
    run_checks(PendingChecks(screenshots=shots), ctx)
    assert ctx.problems == []
    assert len(readlinks) <= 1  # the folder's, once
