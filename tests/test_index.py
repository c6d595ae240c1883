"""The index (DESIGN §10 "Index"): figures identical with and without it, changes caught, a
killed writer, two processes at once, corrupt or foreign files rebuilt with a notice."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.index.claims import ClaimIndex
from bench_tui.index.signatures import RACY_NS
from bench_tui.index.store import SCHEMA_VERSION, index_path
from bench_tui.report import export_rows, summary_json
from bench_tui.sources.discover import discover_workspace
from tests.fixtures.every_format import build_every_format
from tests.fixtures.hostile_corpus import build_hostile_workspace, plant_file_attacks
from tests.fixtures.index_replay import replayed
from tests.fixtures.openadapt_builders import build_complete_run, write_json

runner = CliRunner()
SRC = str(Path(cli.__file__).resolve().parents[1])


def invoke(*args: str) -> Any:
    return runner.invoke(cli.app, list(args))


def settle() -> None:
    """Files written just now are not kept (they may still be being written): let them age."""
    time.sleep(RACY_NS / 1e9 + 0.05)


def outputs(root: Path, *flags: str) -> dict[str, str]:
    """What the figure commands print about `root`."""
    found: dict[str, str] = {}
    for command in (["summary", "--json"], ["validate", "--json"], ["export", "--format", "json"]):
        result = invoke(command[0], str(root), *command[1:], *flags)
        assert result.exit_code in (0, 1), result.output
        found[command[0]] = result.stdout
    return found


def _every_format(root: Path) -> Path:
    return build_every_format(root, tasks_per_run=3)


def _hostile_with_files(root: Path) -> Path:
    workspace = build_hostile_workspace(root / "ws")
    plant_file_attacks(workspace, root / "outside")
    return workspace


@pytest.mark.parametrize(
    "build", [_every_format, build_hostile_workspace, _hostile_with_files], ids=lambda f: f.__name__
)
def test_figures_identical_with_and_without_the_index_cold_and_warm(
    tmp_path: Path, build: Any
) -> None:
    root = build(tmp_path / "w")
    settle()
    plain = outputs(root, "--no-index")
    cold = outputs(root)
    assert replayed(root)[0] > 0, "the warm pass should replay what the cold one kept"
    warm = outputs(root)
    assert cold == plain
    assert warm == plain


def test_app_listing_replays_with_deferred_checks(tmp_path: Path) -> None:
    from bench_tui.index.workspace import opened
    from bench_tui.sources.checks_runner import run_checks
    from bench_tui.sources.common import ReadContext
    from bench_tui.sources.discover import iter_workspace

    root = _every_format(tmp_path / "w")
    settle()

    def listing(with_index: bool) -> tuple[str, list[Any]]:
        batches = []
        if with_index:
            with opened(root, pytest.fail) as conn:
                cache = ClaimIndex(conn, root)
                batches = list(iter_workspace(root, defer_checks=True, claim_cache=cache))
                cache.flush()
        else:
            batches = list(iter_workspace(root, defer_checks=True))
        runs = sorted(r.model_dump_json() for b in batches for r in b.runs)
        problems = [p for b in batches for p in b.problems]
        ctx = ReadContext(root=root)
        for batch in batches:
            run_checks(batch.checks, ctx)
        return json.dumps(runs), sorted(map(repr, problems + ctx.problems))

    plain = listing(False)
    assert listing(True) == plain
    assert listing(True) == plain
    assert replayed(root, defer=True)[0] > 0


# ----- change detection ------------------------------------------------------------------------


def _figures(root: Path, use_index: bool) -> tuple[str, str]:
    from bench_tui.index.workspace import discover

    workspace = discover(root, use_index=use_index, notice=pytest.fail)
    data = summary_json(workspace)
    return json.dumps(data, sort_keys=True), json.dumps(export_rows(workspace))


def _run(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "w"
    run = build_complete_run(root)
    settle()
    assert _figures(root, True) == _figures(root, False)  # cold: kept
    assert replayed(root) == (1, 0)
    return root, run


def _execution(run: Path) -> Path:
    return run / "tasks" / "notepad_greeting" / "execution.json"


def _changed(root: Path, before: tuple[str, str]) -> None:
    after_index = _figures(root, True)
    assert after_index == _figures(root, False)
    assert after_index != before


def test_an_edited_file_is_read_again(tmp_path: Path) -> None:
    root, run = _run(tmp_path)
    before = _figures(root, True)
    data = json.loads(_execution(run).read_text())
    data["success"] = False
    write_json(_execution(run), data)
    _changed(root, before)


def test_a_same_size_edit_is_caught_by_mtime_and_ctime(tmp_path: Path) -> None:
    root, run = _run(tmp_path)
    before = _figures(root, True)
    path = _execution(run)
    info = path.stat()
    text = path.read_text()
    assert '"score": 1.0' in text
    path.write_text(text.replace('"score": 1.0', '"score": 0.5'))
    assert path.stat().st_size == info.st_size
    # Put the old times back: only the inode's change time still tells.
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    _changed(root, before)


def test_a_deleted_file_is_missed(tmp_path: Path) -> None:
    root, run = _run(tmp_path)
    before = _figures(root, True)
    _execution(run).unlink()
    _changed(root, before)


def test_an_added_task_is_read(tmp_path: Path) -> None:
    root, run = _run(tmp_path)
    before = _figures(root, True)
    write_json(
        run / "tasks" / "new_task" / "task.json",
        {"task_id": "new_task", "instruction": "Do it", "domain": "notepad"},
    )
    _changed(root, before)


def test_a_renamed_task_folder_is_read_again(tmp_path: Path) -> None:
    root, run = _run(tmp_path)
    before = _figures(root, True)
    from bench_tui.index.workspace import discover

    os.rename(run / "tasks" / "notepad_greeting", run / "tasks" / "zz_renamed")
    assert _figures(root, True) == _figures(root, False)
    (indexed,) = discover(root, use_index=True, notice=pytest.fail).runs
    assert indexed == discover_workspace(root).runs[0]
    assert any(task.folder and task.folder.endswith("/zz_renamed") for task in indexed.tasks)
    assert before != _figures(root, True)  # tasks are listed in folder order


def test_a_claim_with_an_unreadable_input_is_not_kept(tmp_path: Path, monkeypatch) -> None:
    """An input that cannot be stat'ed (a folder's permissions, say) may become readable with
    nothing the index can see changing: such a claim is read again every time."""
    root = tmp_path / "w"
    run = build_complete_run(root)
    settle()
    blocked = os.fspath(run / "tasks" / "notepad_greeting" / "task.json")
    real_lstat = os.lstat

    def lstat(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.fspath(path) == blocked:
            raise PermissionError(13, "Permission denied", blocked)
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", lstat)
    assert replayed(root) == (0, 1)
    assert replayed(root) == (0, 1)  # not kept: read again
    monkeypatch.undo()
    assert _figures(root, True) == _figures(root, False)


def test_a_truncated_screenshot_is_caught(tmp_path: Path) -> None:
    root, run = _run(tmp_path)
    before = _figures(root, True)
    shot = run / "tasks" / "notepad_greeting" / "screenshots" / "step_001.png"
    shot.write_bytes(shot.read_bytes()[:40])
    _changed(root, before)


# ----- processes, crashes, corrupt files -------------------------------------------------------


def _python(code: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


KILLED_WRITER = """
import os, signal, sqlite3, sys
from bench_tui.index.store import index_path
conn = sqlite3.connect(index_path(sys.argv[1]), isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE claims SET result = x'00', inputs = x'00'")
conn.execute("DELETE FROM _executions")
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_writer_leaves_the_old_index_usable(tmp_path: Path) -> None:
    root = _every_format(tmp_path / "w")
    settle()
    plain = outputs(root, "--no-index")
    assert outputs(root) == plain
    writer = _python(KILLED_WRITER, str(root))
    writer.communicate(timeout=60)
    assert writer.returncode == -9
    result = invoke("summary", str(root), "--json")
    assert result.stderr == ""  # nothing to rebuild: the half-written update is not there
    assert outputs(root) == plain
    assert replayed(root)[0] > 0


def test_two_processes_at_once(tmp_path: Path) -> None:
    root = _every_format(tmp_path / "w")
    settle()
    plain = invoke("summary", str(root), "--json", "--no-index").stdout
    code = "from bench_tui.cli import main; main()"
    procs = [_python(code, "summary", str(root), "--json") for _ in range(2)]
    results = [proc.communicate(timeout=120) for proc in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert out.decode() == plain
        assert err == b""
    assert replayed(root)[0] > 0


def test_a_corrupt_index_file_is_rebuilt_with_a_notice(tmp_path: Path) -> None:
    root = _every_format(tmp_path / "w")
    settle()
    plain = outputs(root, "--no-index")
    assert outputs(root) == plain
    path = index_path(root)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(b"this is not a database" * 500)
    result = invoke("summary", str(root), "--json")
    assert "was not usable" in result.stderr and "rebuilding it" in result.stderr
    assert result.stdout == plain["summary"]
    assert outputs(root) == plain
    assert replayed(root)[0] > 0


def test_a_corrupt_entry_is_never_trusted(tmp_path: Path) -> None:
    root = _every_format(tmp_path / "w")
    settle()
    plain = outputs(root, "--no-index")
    assert outputs(root) == plain
    with sqlite3.connect(index_path(root)) as conn:
        conn.execute("UPDATE claims SET result = x'789c0300000000'")  # zlib of nothing
    result = invoke("summary", str(root), "--json")
    assert "was not usable" in result.stderr
    assert result.stdout == plain["summary"]


def test_an_index_of_another_version_is_rebuilt(tmp_path: Path) -> None:
    root = _every_format(tmp_path / "w")
    settle()
    plain = outputs(root, "--no-index")
    assert outputs(root) == plain
    with sqlite3.connect(index_path(root)) as conn:
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    result = invoke("summary", str(root), "--json")
    assert "another version" in result.stderr
    assert result.stdout == plain["summary"]
    with sqlite3.connect(index_path(root)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_the_index_lives_in_the_cache_folder_not_in_the_results(tmp_path: Path) -> None:
    root = _every_format(tmp_path / "w")
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    assert invoke("summary", str(root), "--json").exit_code in (0, 1)
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    assert index_path(root).parent == Path(os.environ["XDG_CACHE_HOME"]) / "bench-tui"
    assert index_path(root).is_file()


def test_no_index_neither_reads_nor_writes_it(tmp_path: Path) -> None:
    root = _every_format(tmp_path / "w")
    assert invoke("summary", str(root), "--json", "--no-index").exit_code in (0, 1)
    assert not index_path(root).exists()


def test_every_command_that_reads_a_folder_takes_no_index() -> None:
    import typer.main

    group = typer.main.get_command(cli.app)
    readers = set(group.commands) - {"demo"}  # demo writes a folder, it reads none
    assert {"summary", "validate", "export", "search", "query", "open", "compare"} <= readers
    for name in sorted(readers):
        options = {opt for param in group.commands[name].params for opt in param.opts}
        assert "--no-index" in options, name


def test_entries_of_other_code_are_not_replayed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench_tui.index import claims

    root = tmp_path / "w"
    build_complete_run(root)
    settle()
    assert replayed(root) == (0, 1)
    assert replayed(root) == (1, 0)
    monkeypatch.setattr(claims, "fingerprint", lambda: "another version of the readers")
    assert replayed(root) == (0, 1)
    with sqlite3.connect(index_path(root)) as conn:
        (count,) = conn.execute("SELECT COUNT(*) FROM claims").fetchone()
    assert count == 1  # the other code's entry was dropped, not kept beside it


def test_a_removed_run_leaves_the_index(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "w"
    run = build_complete_run(root)
    settle()
    replayed(root)
    shutil.rmtree(run)
    assert replayed(root) == (0, 0)
    with sqlite3.connect(index_path(root)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM claims").fetchone() == (0,)


def test_a_cache_folder_inside_the_results_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _every_format(tmp_path / "w")
    plain = invoke("summary", str(root), "--json", "--no-index").stdout
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "cache"))
    result = invoke("summary", str(root), "--json")
    assert result.stdout == plain
    assert "inside the results" in result.stderr
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
