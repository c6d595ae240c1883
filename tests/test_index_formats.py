"""The index over WebArena results and training jobs (DESIGN §10 "Index"):
figures identical with and without it, cold and warm; a second open replays; and every kind of
file each reader reads is caught when edited (also same-size with its old times put back),
deleted, renamed or added, including files outside the claimed folder (WebArena logs and task
configs above the results, checkpoints beside a training job)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.index.claims import ClaimIndex
from bench_tui.index.signatures import RACY_NS
from bench_tui.index.store import index_path, open_index, remove_index
from bench_tui.index.workspace import discover
from bench_tui.report import export_rows, summary_json
from bench_tui.sources.checks_runner import run_checks
from bench_tui.sources.common import ReadContext
from bench_tui.sources.discover import discover_workspace, iter_workspace
from tests.fixtures.index_replay import replayed
from tests.fixtures.offline_builders import build_custom_training, build_predictions_job
from tests.fixtures.web_builders import build_webarena_example, task_config

runner = CliRunner()


def settle() -> None:
    """Files written just now are not kept (they may still be being written): let them age."""
    time.sleep(RACY_NS / 1e9 + 0.05)


# ----- workspaces, one format each --------------------------------------------------------------

WA_RUN = "webarena/wa_work/cache/results_20251106120000"
WA_WORK = "webarena/wa_work"
WA_LOG = f"{WA_WORK}/log_files/log_20251106120003_4821.log"


def _webarena(root: Path) -> None:
    """The FORMATS §12 example, plus task configs above the results (a range of ids, one task
    known only from its config), a json_dump verdict and a crash only error.txt records."""
    run = build_webarena_example(root / "webarena")
    work = run.parent.parent
    config = json.loads((run / "config.json").read_text())
    config.update(test_start_idx=0, test_end_idx=100)
    (run / "config.json").write_text(json.dumps(config))
    for task_id, intent, sites in (
        (7, "Find the opening hours", ["shopping"]),
        (99, "Reply to the newest post", ["reddit"]),
    ):
        path = work / "config_files" / f"{task_id}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(task_config(task_id, intent, sites)))
    (run / "json_dump.json").write_text(json.dumps({"example_7": {"success": True}}))
    with (run / "error.txt").open("a") as handle:
        handle.write(
            "[Config file]: config_files/99.json\n[Unhandled Error] ValueError('no box')\n"
        )


TRAINING_JOB = "training/training_output/20251102_141005"


def _training(root: Path) -> None:
    """A custom-loop job with a checkpoint beside its output folder, and predictions files."""
    build_custom_training(root / "training")
    build_predictions_job(root / "training")


BUILDERS: dict[str, Callable[[Path], None]] = {
    "webarena": _webarena,
    "training": _training,
}


def _built(tmp_path: Path, name: str) -> Path:
    root = tmp_path / "w"
    root.mkdir()
    BUILDERS[name](root)
    settle()
    return root


# ----- what is compared ------------------------------------------------------------------------


def outputs(root: Path, *flags: str) -> dict[str, str]:
    """What the figure commands print about `root`."""
    found: dict[str, str] = {}
    for command in (["summary", "--json"], ["validate", "--json"], ["export", "--format", "json"]):
        result = runner.invoke(cli.app, [command[0], str(root), *command[1:], *flags])
        assert result.exit_code in (0, 1), result.output
        found[command[0]] = result.stdout
    return found


def figures(root: Path, use_index: bool) -> str:
    """Everything discovery found (runs, trainings, episodes, Problems) and the figures."""
    workspace = discover(root, use_index=use_index, notice=pytest.fail)
    return json.dumps(
        [
            json.loads(workspace.model_dump_json()),
            summary_json(workspace),
            export_rows(workspace),
        ],
        sort_keys=True,
        default=str,
    )


def listing(root: Path, with_index: bool) -> tuple[str, list[str]]:
    """The app's listing (checks deferred, then run), as the app would show it."""
    if with_index:
        conn = open_index(root, notice=pytest.fail)
        try:
            cache = ClaimIndex(conn, root)
            batches = list(iter_workspace(root, defer_checks=True, claim_cache=cache))
            cache.flush()
        finally:
            conn.close()
    else:
        batches = list(iter_workspace(root, defer_checks=True))
    found = sorted(
        item.model_dump_json()
        for batch in batches
        for item in (*batch.runs, *batch.trainings, *batch.episodes, *batch.evals)
    )
    ctx = ReadContext(root=root)
    for batch in batches:
        run_checks(batch.checks, ctx)
    problems = [p for batch in batches for p in batch.problems] + ctx.problems
    return json.dumps(found), sorted(map(repr, problems))


# ----- equivalence, and the second open replays ------------------------------------------------


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_figures_identical_with_and_without_the_index_cold_and_warm(
    tmp_path: Path, name: str
) -> None:
    root = _built(tmp_path, name)
    plain = outputs(root, "--no-index")
    assert outputs(root) == plain  # cold: read and kept
    assert replayed(root) == (1, 0), "the warm open should replay the one claim, read nothing"
    assert outputs(root) == plain  # warm: replayed


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_app_listing_replays_with_deferred_checks(tmp_path: Path, name: str) -> None:
    root = _built(tmp_path, name)
    plain = listing(root, False)
    assert listing(root, True) == plain
    assert replayed(root, defer=True) == (1, 0)
    assert listing(root, True) == plain


# ----- change detection: every kind of file each reader reads -----------------------------------


@dataclass(frozen=True)
class FileKind:
    format: str
    path: str
    """Relative to the workspace."""
    same_size: tuple[str, str] | None
    """An edit that keeps the size and changes what is read (None: its content is not read)."""
    renamed: str


KINDS: dict[str, FileKind] = {
    "webarena render": FileKind(
        "webarena", f"{WA_RUN}/render_17.html", ("['shopping']", "['shoppinx']"), "render_18.html"
    ),
    "webarena log above the results": FileKind(
        "webarena", WA_LOG, ("(PASS)", "(FAIL)"), "log_20251106120003_4822.log"
    ),
    "webarena log list": FileKind(
        "webarena", f"{WA_RUN}/log_files.txt", ("4821.log", "4822.log"), "log_files.bak"
    ),
    "webarena error.txt": FileKind(
        "webarena", f"{WA_RUN}/error.txt", ("ValueError", "IndexError"), "error.bak"
    ),
    "webarena run config": FileKind(
        "webarena", f"{WA_RUN}/config.json", ("4o-mini", "4o-maxi"), "config.bak"
    ),
    "webarena json_dump": FileKind(
        "webarena", f"{WA_RUN}/json_dump.json", ("example_7", "example_8"), "json_dump.bak"
    ),
    "webarena task config above the results": FileKind(
        "webarena", f"{WA_WORK}/config_files/99.json", ('"reddit"', '"reddix"'), "98.json"
    ),
    "training log": FileKind(
        "training",
        f"{TRAINING_JOB}/training_log.json",
        ("tern-vl-3b", "tern-vl-4b"),
        "training_log.bak",
    ),
    "training predictions": FileKind(
        "training",
        f"{TRAINING_JOB}/predictions_epoch1.json",
        ("step_0.png", "step_1.png"),
        "predictions_epoch2.json",
    ),
    "training checkpoint beside the job": FileKind(
        "training", "training/checkpoints/epoch_1/adapter_config.json", None, "adapter.bak"
    ),
}


def _edit(path: Path, kind: FileKind) -> None:
    assert kind.same_size is not None
    old, new = kind.same_size
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new + " ", 1))  # another size


def _same_size_edit(path: Path, kind: FileKind) -> None:
    assert kind.same_size is not None
    old, new = kind.same_size
    assert len(old) == len(new)
    info = path.stat()
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    assert path.stat().st_size == info.st_size
    # Put the old times back: only the inode's change time still tells.
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def _delete(path: Path, kind: FileKind) -> None:
    path.unlink()


def _rename(path: Path, kind: FileKind) -> None:
    path.rename(path.with_name(kind.renamed))


CHANGES: dict[str, Callable[[Path, FileKind], None]] = {
    "edit": _edit,
    "same-size edit, old times": _same_size_edit,
    "delete": _delete,
    "rename": _rename,
}


def _indexed(tmp_path: Path, name: str) -> tuple[Path, str]:
    """A workspace whose index holds its claim, and its figures."""
    root = _built(tmp_path, name)
    before = figures(root, True)
    assert before == figures(root, False)
    assert replayed(root) == (1, 0)
    return root, before


def _caught(root: Path, before: str) -> None:
    """The index gives what reading everything gives, and that differs from before."""
    after = figures(root, True)
    assert after == figures(root, False)
    assert after != before, "the change should show in the figures"
    assert figures(root, True) == after  # and what was kept after it holds


@pytest.mark.parametrize(
    ("kind", "change"),
    [
        (kind, change)
        for kind, spec in KINDS.items()
        for change in CHANGES
        if spec.same_size is not None or change in ("delete", "rename")
    ],
)
def test_a_changed_file_is_read_again(tmp_path: Path, kind: str, change: str) -> None:
    spec = KINDS[kind]
    root, before = _indexed(tmp_path, spec.format)
    CHANGES[change](root / spec.path, spec)
    _caught(root, before)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


CLOSER_LOG = """\
2025-11-06 12:00:41,118 - INFO - [Config file]: config_files/17.json
2025-11-06 12:03:02,551 - INFO - [Result] (FAIL) config_files/17.json
"""


def _add_closer_log(root: Path) -> None:
    # log_files.txt names `log_files/<name>`: the same name nearer the results wins.
    _write(root / WA_WORK / "cache" / "log_files" / Path(WA_LOG).name, CLOSER_LOG)


def _add_task_config(root: Path) -> None:
    _write(
        root / WA_WORK / "config_files" / "50.json",
        json.dumps(task_config(50, "Count the posts", ["reddit"])),
    )


def _add_local_log(root: Path) -> None:
    _write(root / WA_RUN / "log_files" / "extra.log", CLOSER_LOG)


def _add_merged_log(root: Path) -> None:
    _write(root / WA_RUN / "merged_log.txt", CLOSER_LOG.replace("17.json", "7.json"))


def _add_render(root: Path) -> None:
    source = (root / WA_RUN / "render_17.html").read_text()
    _write(root / WA_RUN / "render_99.html", source.replace("'shopping'", "'reddit'"))


def _add_checkpoint(root: Path) -> None:
    _write(root / "training" / "checkpoints" / "epoch_2" / "adapter_config.json", "{}")


def _rename_checkpoint_folder(root: Path) -> None:
    checkpoints = root / "training" / "checkpoints"
    (checkpoints / "epoch_1").rename(checkpoints / "epoch_3")


def _add_predictions(root: Path) -> None:
    job = root / TRAINING_JOB
    text = (job / "predictions_epoch1.json").read_text()
    _write(job / "predictions_epoch2.json", text.replace("step_0.png", "step_2.png"))


ADDITIONS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "webarena log nearer the results": ("webarena", _add_closer_log),
    "webarena task config in range": ("webarena", _add_task_config),
    "webarena log in the run's log_files": ("webarena", _add_local_log),
    "webarena merged log": ("webarena", _add_merged_log),
    "webarena render": ("webarena", _add_render),
    "training checkpoint beside the job": ("training", _add_checkpoint),
    "training checkpoint folder renamed": ("training", _rename_checkpoint_folder),
    "training predictions file": ("training", _add_predictions),
}


@pytest.mark.parametrize("addition", sorted(ADDITIONS))
def test_an_added_file_is_read(tmp_path: Path, addition: str) -> None:
    name, add = ADDITIONS[addition]
    root, before = _indexed(tmp_path, name)
    add(root)
    _caught(root, before)


def test_an_adapter_config_put_into_a_checkpoint_is_seen(tmp_path: Path) -> None:
    root = tmp_path / "w"
    root.mkdir()
    _training(root)
    adapter = root / "training" / "checkpoints" / "epoch_1" / "adapter_config.json"
    adapter.unlink()
    settle()
    before = figures(root, True)
    assert replayed(root) == (1, 0)
    adapter.write_text("{}")  # the interrupted save finished
    _caught(root, before)


# ----- liveness ---------------------------------------------------------------------------------


def _age(path: Path, seconds: float) -> None:
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp))


def test_a_live_webarena_run_is_never_kept(tmp_path: Path) -> None:
    root = tmp_path / "w"
    root.mkdir()
    _webarena(root)
    log = root / WA_LOG
    log.write_text(log.read_text().replace("Average score", "Still going"))
    # Written 10 s ago: the run is live (the log has no closing line), its files are not racy.
    for path in (root / "webarena").rglob("*"):
        _age(path, 10)
    settle()  # (their change times are now)
    (live,) = discover(root, use_index=True, notice=pytest.fail).runs
    assert live.live
    assert replayed(root) == (0, 1)  # read again: nothing was kept
    assert replayed(root) == (0, 1)
    assert figures(root, True) == figures(root, False)


def test_a_webarena_run_that_stopped_long_ago_is_kept(tmp_path: Path) -> None:
    root = tmp_path / "w"
    root.mkdir()
    _webarena(root)
    log = root / WA_LOG
    log.write_text(log.read_text().replace("Average score", "Still going"))
    for path in (root / "webarena").rglob("*"):
        _age(path, 3600)  # no closing line, but nothing written for an hour: not live
    settle()
    (run,) = discover(root, use_index=True, notice=pytest.fail).runs
    assert not run.live
    assert replayed(root) == (1, 0)


def test_webarena_liveness_is_judged_against_the_walk_time(tmp_path: Path) -> None:
    root = tmp_path / "w"
    root.mkdir()
    _webarena(root)
    log = root / WA_LOG
    log.write_text(log.read_text().replace("Average score", "Still going"))
    for path in (root / "webarena").rglob("*"):
        _age(path, 3600)
    then = (root / WA_LOG).stat().st_mtime + 5
    (run,) = discover_workspace(root, now=then).runs
    assert run.live  # the time a cacheable reader depends on is the walk's, not the clock's


def test_not_noting_an_input_would_be_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The change tests above fail when a reader does not note what it reads: here the log
    above the results is left unnoted, and the index then replays a stale verdict."""
    from bench_tui.sources import common

    root, before = _indexed(tmp_path, "webarena")
    note = common.ReadContext.note_input
    log = os.fspath(root / WA_LOG)

    def forgetful(self: common.ReadContext, path: Any) -> None:
        if os.fspath(path) != log:
            note(self, path)

    monkeypatch.setattr(common.ReadContext, "note_input", forgetful)
    remove_index(index_path(root))
    assert figures(root, True) == before  # kept again, now without the log
    assert replayed(root) == (1, 0)
    _same_size_edit(root / WA_LOG, KINDS["webarena log above the results"])
    assert figures(root, True) == before  # stale: what the index keeps without the note
    assert figures(root, False) != before
