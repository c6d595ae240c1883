"""The warm check (index/warm.py): `search` on an unchanged folder is answered from the index
without a discovery; any change to what the tables came from is seen and searched anew."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.index import claims, warm
from bench_tui.index.signatures import RACY_NS
from bench_tui.index.workspace import opened
from tests.fixtures.search_workspace import build_search_workspace

runner = CliRunner()
RUN = "benchmark_results/waa_eval_20251101_000000"


def settle() -> None:
    """Files written just now are never trusted by the check: let them age."""
    time.sleep(RACY_NS / 1e9 + 0.05)


def search_json(root: Path, query: str) -> list[dict[str, Any]]:
    result = runner.invoke(cli.app, ["search", str(root), query, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def is_warm(root: Path) -> bool:
    with opened(root, pytest.fail) as conn:
        return warm.unchanged(conn, root)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = build_search_workspace(tmp_path / "ws")
    settle()
    assert search_json(root, "cannot find")  # builds the index (claims read: no list yet)
    assert search_json(root, "cannot find")  # every claim replayed: the list is kept
    assert is_warm(root)
    return root


def _execution(root: Path, task: str = "form_submit") -> Path:
    return root / RUN / "tasks" / task / "execution.json"


def test_a_warm_search_reads_no_file_but_the_index(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench_tui.index import workspace as indexed

    def no_discovery(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a warm search walked the folder")

    monkeypatch.setattr(indexed, "_discover", no_discovery)
    hits = search_json(workspace, "cannot find")
    assert [(h["task_id"], h["step"], h["field"]) for h in hits] == [
        ("form_submit", 2, "reasoning")
    ]


def test_an_edit_after_a_warm_search_is_searched(workspace: Path) -> None:
    path = _execution(workspace)
    path.write_text(path.read_text().replace("I cannot find", "I finally located"))
    assert not is_warm(workspace)
    assert search_json(workspace, "cannot find") == []
    assert [h["step"] for h in search_json(workspace, "finally located")] == [2]


def test_a_same_size_edit_with_the_old_mtime_is_seen(workspace: Path) -> None:
    path = _execution(workspace)
    info = path.stat()
    text = path.read_text()
    path.write_text(text.replace("I cannot find", "I cannot fend"))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size
    assert search_json(workspace, "cannot find") == []
    assert search_json(workspace, "cannot fend")


def test_a_deleted_record_leaves_the_hits(workspace: Path) -> None:
    _execution(workspace).unlink()
    assert search_json(workspace, "cannot find") == []


def test_an_added_task_is_searched(workspace: Path) -> None:
    source = _execution(workspace).parent
    target = source.parent / "zz_added"
    target.mkdir()
    data = json.loads((source / "execution.json").read_text())
    data["task_id"] = "zz_added"
    (target / "execution.json").write_text(json.dumps(data))
    (target / "task.json").write_text(
        json.dumps({"task_id": "zz_added", "instruction": "x", "domain": "web"})
    )
    tasks = {h["task_id"] for h in search_json(workspace, "cannot find")}
    assert tasks == {"form_submit", "zz_added"}


def test_a_renamed_task_folder_is_searched_under_its_new_name(workspace: Path) -> None:
    folder = _execution(workspace).parent
    data = json.loads((folder / "task.json").read_text())
    del data["task_id"]  # the folder names the task
    (folder / "task.json").write_text(json.dumps(data))
    settle()
    search_json(workspace, "cannot find")
    search_json(workspace, "cannot find")
    assert is_warm(workspace)
    os.rename(folder, folder.with_name("renamed_task"))
    hits = search_json(workspace, "cannot find")
    assert [(h["task_id"], h["model"]) for h in hits] == [("renamed_task", "model-a")]


def test_an_added_run_is_searched(workspace: Path, tmp_path: Path) -> None:
    other = build_search_workspace(tmp_path / "other")
    os.rename(other / RUN, workspace / "benchmark_results" / "waa_eval_20251201_000000")
    runs = {h["run"] for h in search_json(workspace, "cannot find")}
    assert runs == {RUN, "benchmark_results/waa_eval_20251201_000000"}


def test_a_new_screenshot_without_a_record_is_a_step(workspace: Path) -> None:
    shots = _execution(workspace, "notes").parent / "screenshots"
    shots.mkdir(exist_ok=True)
    (shots / "step_009.png").write_bytes(b"")
    hits = search_json(workspace, '"screenshot without a step record"')
    assert [h["task_id"] for h in hits] == ["notes"]


def test_a_label_given_after_a_warm_query_is_in_the_executions_view(workspace: Path) -> None:
    sql = "SELECT labels FROM executions WHERE task_id = 'form_submit' AND model = 'model-a'"

    def labels() -> str:
        result = runner.invoke(cli.app, ["query", str(workspace), sql, "--json"])
        assert result.exit_code == 0, result.output
        (row,) = json.loads(result.stdout)
        return str(row["labels"])

    assert labels() == ""
    result = runner.invoke(
        cli.app,
        ["label", str(workspace), RUN, "form_submit", "grounding miss", "--model", "model-a"],
    )
    assert result.exit_code == 0, result.output
    assert labels() == "grounding miss"


def test_other_code_is_never_answered_from_the_list(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warm, "fingerprint", lambda: "other code")
    assert not is_warm(workspace)


def test_a_list_that_does_not_decode_is_not_trusted(workspace: Path) -> None:
    with opened(workspace, pytest.fail) as conn:
        conn.execute("UPDATE _warm SET paths = x'00'")
    assert not is_warm(workspace)
    assert search_json(workspace, "cannot find")  # refreshed: the list is written anew
    assert search_json(workspace, "cannot find")
    assert is_warm(workspace)


def test_the_app_refresh_clears_the_list(workspace: Path) -> None:
    from bench_tui.index.tables import refresh
    from bench_tui.sources.discover import discover_workspace

    with opened(workspace, pytest.fail) as conn:
        refresh(conn, discover_workspace(workspace))
        assert not warm.unchanged(conn, workspace)


def test_signatures_are_the_claims_signatures(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "folder").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "file")
    (tmp_path / "broken").symlink_to(tmp_path / "nowhere")
    paths = [str(tmp_path / name) for name in ("file", "folder", "link", "broken", "missing")]
    assert warm.signatures(paths) == [claims.signature(path) for path in paths]


@pytest.mark.parametrize("fork", [True, False], ids=["two processes", "no fork"])
def test_the_stats_in_two_processes_give_the_same_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fork: bool
) -> None:
    files = []
    for number in range(6):
        path = tmp_path / f"f{number}"
        path.write_text("x")
        files.append(str(path))
    monkeypatch.setattr(warm, "PARALLEL_MIN", 2)
    monkeypatch.setattr(warm, "may_fork", lambda: True)  # whatever other tests left running
    if not fork:

        def no_fork() -> int:
            raise OSError("no fork here")

        monkeypatch.setattr(os, "fork", no_fork)
    ran: list[bool] = []
    before = warm._stat_digest(files, beside=lambda: ran.append(True))
    assert ran == [True]
    assert before == warm._digest(warm.signatures(files))
    Path(files[0]).write_text("changed")  # in the half the child stats
    assert warm._stat_digest(files) != before
    Path(files[-1]).write_text("changed too")
    assert warm._stat_digest(files) == warm._digest(warm.signatures(files))


def test_a_folder_with_nothing_in_it_is_warm_too(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    settle()
    assert search_json(root, "anything") == []
    assert search_json(root, "anything") == []
    assert is_warm(root)


def test_a_task_with_no_record_yet_is_searched_anew_when_a_screenshot_comes(
    workspace: Path,
) -> None:
    folder = _execution(workspace).parent.with_name("not_started")
    (folder / "screenshots").mkdir(parents=True)
    (folder / "task.json").write_text(
        json.dumps({"task_id": "not_started", "instruction": "x", "domain": "web"})
    )
    (folder / "screenshots" / "step_000.png").write_bytes(b"")
    settle()
    query = '"screenshot without a step record"'
    assert [(h["task_id"], h["step"]) for h in search_json(workspace, query)] == [
        ("not_started", 1)
    ]
    assert search_json(workspace, query)
    assert is_warm(workspace)  # its trace is stamped: the list is kept
    (folder / "screenshots" / "step_001.png").write_bytes(b"")
    hits = search_json(workspace, query)
    assert sorted((h["task_id"], h["step"]) for h in hits) == [
        ("not_started", 1),
        ("not_started", 2),
    ]


def test_the_search_that_reads_a_changed_folder_keeps_the_list_at_once(tmp_path: Path) -> None:
    root = build_search_workspace(tmp_path / "ws")
    settle()
    assert search_json(root, "cannot find")  # the first build: every claim read
    assert is_warm(root)
    path = _execution(root)
    path.write_text(path.read_text().replace("I cannot find", "I finally located"))
    settle()
    assert [h["step"] for h in search_json(root, "finally located")] == [2]
    assert is_warm(root)
    path.write_text(path.read_text().replace("I finally located", "I cannot find"))
    assert search_json(root, "finally located") == []
