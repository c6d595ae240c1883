"""A replayed claim's files are checked on every reopen (issue 17): in one pass, and for a big
claim partly in a forked child. Whichever way, a change anywhere is caught."""

from __future__ import annotations

import os
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench_tui.index import signatures
from bench_tui.index.claims import ClaimIndex, signature
from bench_tui.index.signatures import MISSING, SIZE, absolute, is_plain, unchanged
from bench_tui.index.store import open_index
from bench_tui.sources.discover import discover_workspace
from tests.fixtures.openadapt_builders import build_complete_run, write_json
from tests.test_index import _figures, settle


def _folder(tmp_path: Path, files: int = 40) -> tuple[str, list[str]]:
    folder = tmp_path / "f"
    for index in range(files):
        part = folder / f"d{index % 4}"
        part.mkdir(parents=True, exist_ok=True)
        (part / f"file{index:03d}.json").write_text(f"{index:06d}")
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.json"))
    return str(folder), names


def _kept(folder: str, names: list[str]) -> tuple[bytes, int]:
    """Signatures as a claim keeps them: plain ones first (the names come sorted that way)."""
    sigs = [signature(absolute(name, folder)) for name in names]
    plain = sum(1 for sig in sigs if is_plain(sig))
    assert all(is_plain(sig) for sig in sigs[:plain])
    return b"".join(sigs), plain


@pytest.fixture(params=["one pass", "split", "whole paths"])
def split(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every way of checking: in this process alone, with a child from the first file, or
    (where lstat takes no folder) by whole paths."""
    if request.param == "whole paths":
        monkeypatch.setattr(signatures, "_RELATIVE_STATS", False)
    if request.param == "split":
        monkeypatch.setattr(signatures, "SPLIT_AT", 1)
        monkeypatch.setattr(signatures, "PIECE", 3)
        monkeypatch.setattr(signatures, "may_fork", lambda: True)
    yield request.param


def test_signature_packs_the_lstat_and_zeros_for_a_file(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text("{}")
    info = os.lstat(path)
    fields = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_mode)
    expected = struct.pack("<9q", *fields, 0, 0, 0, 0)
    assert signature(str(path)) == expected
    assert is_plain(expected)
    assert not is_plain(signature(str(tmp_path / "missing")))


def test_a_link_keeps_its_targets_stat(tmp_path: Path) -> None:
    target = tmp_path / "target.png"
    target.write_bytes(b"png")
    link = tmp_path / "link.png"
    link.symlink_to(target)
    sig = signature(str(link))
    assert not is_plain(sig)
    fields = struct.unpack("<9q", sig)
    assert fields[5:] == (
        target.stat().st_ino,
        3,
        target.stat().st_mtime_ns,
        target.stat().st_ctime_ns,
    )


def test_unchanged_files_are_unchanged(tmp_path: Path, split: str) -> None:
    folder, names = _folder(tmp_path)
    kept, plain = _kept(folder, names)
    assert unchanged(folder, names, kept, plain)


@pytest.mark.parametrize("which", [0, -1], ids=["first file", "last file"])
def test_a_same_size_edit_is_caught_in_either_share(tmp_path: Path, split: str, which: int) -> None:
    # With a child, it starts at the first file and this process at the last.
    folder, names = _folder(tmp_path)
    kept, plain = _kept(folder, names)
    path = Path(folder) / names[which]
    info = path.stat()
    path.write_text("999999")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size
    assert not unchanged(folder, names, kept, plain)


@pytest.mark.parametrize("which", [0, -1], ids=["first file", "last file"])
def test_a_deleted_file_or_one_become_a_link_is_caught(
    tmp_path: Path, split: str, which: int
) -> None:
    folder, names = _folder(tmp_path)
    kept, plain = _kept(folder, names)
    path = Path(folder) / names[which]
    path.unlink()
    assert not unchanged(folder, names, kept, plain)
    path.symlink_to(Path(folder) / names[1])
    assert not unchanged(folder, names, kept, plain)


def test_missing_files_and_links_are_checked_one_by_one(tmp_path: Path, split: str) -> None:
    folder, names = _folder(tmp_path)
    target = Path(folder) / names[0]
    (Path(folder) / "link.json").symlink_to(target)
    names = [*names, "link.json", "never_there.json"]
    kept, plain = _kept(folder, names)
    assert plain == len(names) - 2
    assert unchanged(folder, names, kept, plain)
    target.write_text("changed, longer")
    assert not unchanged(folder, names, kept, plain)  # the link's target changed
    kept, plain = _kept(folder, names)
    (Path(folder) / "never_there.json").write_text("{}")
    assert not unchanged(folder, names, kept, plain)


def test_a_gone_folder_is_changed(tmp_path: Path) -> None:
    folder, names = _folder(tmp_path)
    kept, plain = _kept(folder, names)
    os.rename(folder, f"{folder}-moved")
    assert not unchanged(folder, names, kept, plain)


def test_signatures_that_do_not_match_the_names_are_refused(tmp_path: Path) -> None:
    folder, names = _folder(tmp_path)
    kept, plain = _kept(folder, names)
    with pytest.raises(ValueError):
        unchanged(folder, names, kept[:-1], plain)
    with pytest.raises(ValueError):
        unchanged(folder, names, kept, len(names) + 1)


def test_a_child_that_fails_leaves_its_share_to_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(signatures, "SPLIT_AT", 1)
    monkeypatch.setattr(signatures, "PIECE", 3)
    monkeypatch.setattr(signatures, "may_fork", lambda: True)
    parent = os.getpid()
    real = signatures._plain_sigs

    def dies_in_the_child(fd: int, names: list[str]) -> bytes | None:
        if os.getpid() != parent:
            os._exit(3)
        return real(fd, names)

    monkeypatch.setattr(signatures, "_plain_sigs", dies_in_the_child)
    folder, names = _folder(tmp_path)
    kept, plain = _kept(folder, names)
    assert unchanged(folder, names, kept, plain)
    (Path(folder) / names[-1]).unlink()  # in the child's share, which the parent now checks
    assert not unchanged(folder, names, kept, plain)
    _no_child_left()


def test_a_change_the_child_finds_is_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(signatures, "SPLIT_AT", 1)
    monkeypatch.setattr(signatures, "PIECE", 3)
    monkeypatch.setattr(signatures, "may_fork", lambda: True)
    folder, names = _folder(tmp_path)
    kept, plain = _kept(folder, names)

    def decoding() -> None:
        time.sleep(0.5)  # long enough for the child to check every piece first

    assert unchanged(folder, names, kept, plain, decoding)
    for which in (0, len(names) // 2, -1):
        path = Path(folder) / names[which]
        info = path.stat()
        path.write_text("999999")
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
        assert not unchanged(folder, names, kept, plain, decoding)
        kept, plain = _kept(folder, names)
    _no_child_left()


def test_a_slow_child_is_overtaken_and_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another process keeping the child off the second core: this one checks every piece
    # itself rather than wait, and answers as fast as without a child.
    monkeypatch.setattr(signatures, "SPLIT_AT", 1)
    monkeypatch.setattr(signatures, "PIECE", 3)
    monkeypatch.setattr(signatures, "may_fork", lambda: True)
    parent = os.getpid()
    real = signatures._plain_sigs

    def slow_in_the_child(fd: int, names: list[str]) -> bytes | None:
        if os.getpid() != parent:
            time.sleep(60)
        return real(fd, names)

    monkeypatch.setattr(signatures, "_plain_sigs", slow_in_the_child)
    folder, names = _folder(tmp_path)
    kept, plain = _kept(folder, names)
    started = time.monotonic()
    assert unchanged(folder, names, kept, plain)
    (Path(folder) / names[-1]).unlink()
    assert not unchanged(folder, names, kept, plain)
    assert time.monotonic() - started < 10
    _no_child_left()


def test_the_child_is_reaped_when_the_parent_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(signatures, "SPLIT_AT", 1)
    monkeypatch.setattr(signatures, "may_fork", lambda: True)
    folder, names = _folder(tmp_path)
    kept, plain = _kept(folder, names)

    def fails() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        unchanged(folder, names, kept, plain, fails)
    _no_child_left()


def _no_child_left() -> None:
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_no_fork_while_other_threads_run(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not signatures.may_fork()
    finally:
        release.set()
        other.join()


def test_a_big_claim_is_split_only_in_a_lone_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(signatures, "SPLIT_AT", 1)
    forks: list[int] = []
    real_fork = os.fork

    def counted() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", counted)
    folder, names = _folder(tmp_path)
    kept, plain = _kept(folder, names)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert unchanged(folder, names, kept, plain)
    finally:
        release.set()
        other.join()
    assert forks == []
    if signatures.may_fork():  # one thread, two CPUs: the child takes its share
        assert unchanged(folder, names, kept, plain)
        assert forks == [1]


# ----- through the index -----------------------------------------------------------------------


def _replays(root: Path) -> ClaimIndex:
    conn = open_index(root, notice=pytest.fail)
    try:
        cache = ClaimIndex(conn, Path(os.path.abspath(root)))
        discover_workspace(root, claim_cache=cache)
        cache.flush()
        return cache
    finally:
        conn.close()


def test_a_claim_with_a_link_and_a_missing_file_replays_and_sees_the_links_target(
    tmp_path: Path, split: str
) -> None:
    root = tmp_path / "w"
    run = build_complete_run(root)
    shots = run / "tasks" / "notepad_greeting" / "screenshots"
    target = shots / "step_000.png"
    (shots / "step_002.png").unlink()
    (shots / "step_002.png").symlink_to(target)
    write_json(  # a task not run yet: its execution.json is noted, missing
        run / "tasks" / "new_task" / "task.json",
        {"task_id": "new_task", "instruction": "Do it", "domain": "notepad"},
    )
    settle()
    plain = _figures(root, False)
    assert _figures(root, True) == plain
    cache = _replays(root)
    assert (cache.replayed, cache.read) == (1, 0)
    kinds = {is_plain(sig) for sig in cache.seen.values()}
    assert kinds == {True, False}
    assert MISSING in cache.seen.values()
    assert _figures(root, True) == plain
    target.write_bytes(target.read_bytes()[:40])  # seen through the link too
    assert _replays(root).read == 1
    assert _figures(root, True) == _figures(root, False)


def test_seen_holds_each_checked_files_signature(tmp_path: Path, split: str) -> None:
    root = tmp_path / "w"
    build_complete_run(root)
    settle()
    _replays(root)
    cache = _replays(root)
    assert cache.replayed == 1
    seen = cache.seen
    assert len(seen) > 5
    assert all(len(sig) == SIZE for sig in seen.values())
    assert seen == {path: signature(path) for path in seen}
