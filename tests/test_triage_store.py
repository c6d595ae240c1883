"""Triage store: replay, crash and concurrency safety, read-only fallback, label sets, CLI output."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.triage.blind import blind_assignment, reveal
from bench_tui.triage.labels import DEFAULT_LABELS, LabelSet, load_label_set
from bench_tui.triage.store import (
    MAX_LINE_BYTES,
    NOTE_MAX_BYTES,
    TriageLookup,
    TriageStore,
    load_triage,
    run_hash,
)
from tests.fixtures.openadapt_builders import build_complete_run, build_crashed_run
from tests.fixtures.web_builders import build_agentlab_example

runner = CliRunner()
MODEL = "tern-vl-3b-lora-e3"


@pytest.fixture(autouse=True)
def _private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the real ~/.local/state or ~/.config."""
    override = tmp_path / "_state"
    monkeypatch.setenv("BENCH_TUI_TRIAGE_DIR", str(override))
    monkeypatch.delenv("BENCH_TUI_LABELS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "_config"))
    return override


@pytest.fixture
def run(tmp_path: Path) -> Path:
    folder = tmp_path / "results" / "run1"
    folder.mkdir(parents=True)
    return folder


def store_lines(store: TriageStore) -> list[str]:
    return store.store_path.read_text().splitlines()


# ----- replay ----------------------------------------------------------------------------------


def test_replay_labels_notes_and_record_format(run: Path) -> None:
    store = TriageStore(run)
    assert store.store_path == run / ".bench-tui" / "triage.jsonl"
    store.add_label("m1", "t1", "flaky")
    store.add_label("m1", "t1", "env bug")
    store.add_label("m2", "t1", "flaky")
    store.add_label("m1", "t2", "grounding miss", step=3)
    store.add_label("m1", "t3", "timeout", seed=7)
    assert store.labels_for("m1", "t1") == ["env bug", "flaky"]
    assert store.labels_for("m1", "t2") == []
    assert store.labels_for("m1", "t2", step=3) == ["grounding miss"]
    assert store.state().labels_for("m1", "t2", all_steps=True) == ["grounding miss"]
    assert store.labels_for("m1", "t3") == [] and store.labels_for("m1", "t3", seed=7) == [
        "timeout"
    ]
    assert store.counts() == {"env bug": 1, "flaky": 2, "grounding miss": 1, "timeout": 1}
    first = json.loads(store_lines(store)[0])
    assert set(first) == {
        "v",
        "ts",
        "model",
        "task_id",
        "seed",
        "step",
        "op",
        "label",
        "note",
        "by",
    }
    assert first["v"] == 1 and first["op"] == "label" and first["label"] == "flaky"
    assert isinstance(first["ts"], float)
    # A fresh reader replays the same state from the file alone.
    state, problems = load_triage(store.store_path)
    assert problems == []
    assert state.counts() == store.counts()


def test_remove_and_re_add(run: Path) -> None:
    store = TriageStore(run)
    store.add_label("m", "t", "flaky")
    store.add_label("m", "t", "planning")
    store.remove_label("m", "t", "flaky")
    assert store.labels_for("m", "t") == ["planning"]
    store.remove_label("m", "t", "planning")
    assert store.labels_for("m", "t") == [] and store.counts() == {}
    store.add_label("m", "t", "flaky")
    assert store.labels_for("m", "t") == ["flaky"]
    store.remove_label("m", "t", "never-set")  # harmless
    assert load_triage(store.store_path)[0].labels_for("m", "t") == ["flaky"]


def test_note_latest_wins_clears_and_is_capped(run: Path) -> None:
    store = TriageStore(run)
    store.set_note("m", "t", "first look: VM slow")
    store.set_note("m", "t", "second look: it clicked the wrong tab")
    assert store.note_for("m", "t") == "second look: it clicked the wrong tab"
    store.set_note("m", "t", None)
    assert store.note_for("m", "t") is None
    kept = store.set_note("m", "t", "é" * 5000)
    assert kept is not None and len(kept.encode()) <= NOTE_MAX_BYTES
    assert store.note_for("m", "t") == kept
    assert all(len(line.encode()) < MAX_LINE_BYTES for line in store_lines(store))


def test_state_reads_only_the_new_tail_and_sees_other_writers(run: Path) -> None:
    reader = TriageStore(run)
    writer = TriageStore(run)
    assert reader.state().records == 0
    writer.add_label("m", "t", "flaky")
    assert reader.labels_for("m", "t") == ["flaky"]
    writer.add_label("m", "t", "planning")
    state = reader.state()
    assert state.records == 2 and state.labels_for("m", "t") == ["flaky", "planning"]
    # A replaced file (someone cleaned it up) is read again from the start.
    reader.store_path.write_text(
        '{"v":1,"ts":1.0,"model":"m","task_id":"u","op":"label","label":"x"}\n'
    )
    state = reader.state()
    assert state.records == 1 and state.labels_for("m", "u") == ["x"]


def test_unknown_fields_and_versions(run: Path) -> None:
    path = run / ".bench-tui" / "triage.jsonl"
    path.parent.mkdir()
    lines = [
        {"v": 1, "ts": 1.0, "model": "m", "task_id": "t", "op": "label", "label": "a", "extra": 1},
        {"v": 9, "ts": 2.0, "model": "m", "task_id": "t", "op": "label", "label": "b"},
        {"v": 1, "ts": 3.0, "model": "m", "task_id": "t", "op": "shout", "label": "c"},
        {"v": 1, "ts": 4.0, "model": "m", "task_id": "t", "op": "label", "seed": "x", "label": "d"},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    state, problems = load_triage(path, relative_to=run)
    assert state.labels_for("m", "t") == ["a"]
    assert [(p.path, p.line) for p in problems] == [
        (".bench-tui/triage.jsonl", n) for n in (2, 3, 4)
    ]
    assert "newer" in problems[0].message and "'op'" in problems[1].message


# ----- damaged files ---------------------------------------------------------------------------


def test_torn_last_line_is_skipped_with_a_problem_and_does_not_eat_the_next(run: Path) -> None:
    store = TriageStore(run)
    store.add_label("m", "t1", "flaky")
    store.add_label("m", "t2", "flaky")
    with open(store.store_path, "ab") as handle:
        handle.write(b'{"v":1,"ts":3.0,"model":"m","task_id":"t3","op":"la')
    state, problems = load_triage(store.store_path)
    assert state.counts() == {"flaky": 2}
    (problem,) = problems
    assert problem.line == 3 and "torn" in problem.message
    assert [p.line for p in TriageStore(run).problems] == [3]
    # The next write ends the torn fragment first, so the new record survives.
    store.add_label("m", "t4", "planning")
    state, problems = load_triage(store.store_path)
    assert state.labels_for("m", "t4") == ["planning"]
    assert [p.line for p in problems] == [3] and "invalid JSON" in problems[0].message


def test_bad_middle_line_is_located_and_the_rest_kept(run: Path) -> None:
    store = TriageStore(run)
    store.add_label("m", "t1", "flaky")
    with open(store.store_path, "ab") as handle:
        handle.write(b"this is not json\n\n")
        handle.write(b'{"v":1,"ts":2.0,"model":"m","task_id":"t2","op":"label"}\n')
        handle.write(b"\xff\xfe\n")
    store.add_label("m", "t3", "flaky")
    state, problems = load_triage(store.store_path, relative_to=run.parent)
    assert state.counts() == {"flaky": 2}
    assert [(p.path, p.line) for p in problems] == [
        ("run1/.bench-tui/triage.jsonl", 2),
        ("run1/.bench-tui/triage.jsonl", 4),
        ("run1/.bench-tui/triage.jsonl", 5),
    ]
    assert "'label'" in problems[1].message and "UTF-8" in problems[2].message


def test_missing_store_is_empty_not_a_problem(run: Path) -> None:
    state, problems = load_triage(run / ".bench-tui" / "triage.jsonl")
    assert state.records == 0 and problems == []
    assert TriageLookup().state(run) is None


# ----- concurrency and crashes -----------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from bench_tui.triage.store import TriageStore
    run, override, name, count, go = sys.argv[1:6]
    store = TriageStore(Path(run), Path(override))
    while not os.path.exists(go):
        time.sleep(0.001)
    count = int(count)
    i = 0
    while count < 0 or i < count:
        store.add_label(name, f"task_{i}", "flaky", step=i % 3)
        if i == 0:
            print("ready", flush=True)
        i += 1
    """
)


def _writer(run: Path, tmp_path: Path, name: str, count: int, go: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            WRITER,
            str(run),
            str(tmp_path / "_state"),
            name,
            str(count),
            str(go),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_two_concurrent_writer_processes_lose_nothing(run: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    writers = [_writer(run, tmp_path, name, 1000, go) for name in ("model-a", "model-b")]
    go.touch()
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    path = run / ".bench-tui" / "triage.jsonl"
    raw = path.read_bytes()
    assert raw.endswith(b"\n")
    lines = raw.decode().splitlines()
    assert len(lines) == 2000
    records = [json.loads(line) for line in lines]  # every line is whole, valid JSON
    state, problems = load_triage(path)
    assert problems == []
    for name in ("model-a", "model-b"):
        mine = [r["task_id"] for r in records if r["model"] == name]
        assert mine == [f"task_{i}" for i in range(1000)]  # each writer's order kept
        for i in range(1000):
            assert state.labels_for(name, f"task_{i}", step=i % 3) == ["flaky"]
    assert state.counts() == {"flaky": 2000}


def test_kill_9_while_writing_keeps_every_complete_line(run: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    go.touch()
    writer = _writer(run, tmp_path, "model-a", -1, go)
    assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    time.sleep(0.08)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    path = run / ".bench-tui" / "triage.jsonl"
    raw = path.read_bytes()
    complete = raw[: raw.rfind(b"\n") + 1].decode().splitlines()
    torn = raw[raw.rfind(b"\n") + 1 :]
    for line in complete:
        json.loads(line)
    state, problems = load_triage(path)
    written = len(complete)
    assert written >= 1 and state.records == written
    # Contiguous from task_0: nothing but (at most) the very last record went missing.
    for i in range(written):
        assert state.labels_for("model-a", f"task_{i}", step=i % 3) == ["flaky"]
    assert state.labels_for("model-a", f"task_{written}", step=written % 3) == []
    if torn:
        (problem,) = problems
        assert problem.line == written + 1 and "torn" in problem.message
    else:
        assert problems == []


# ----- read-only results folder ----------------------------------------------------------------


def _inside(path: Any, folder: Path) -> bool:
    try:
        return Path(os.path.abspath(os.fsdecode(path))).is_relative_to(folder)
    except (TypeError, ValueError):
        return False


def _simulate_read_only(
    folder: Path, monkeypatch: pytest.MonkeyPatch, *, access_lies: bool = False
) -> None:
    """chmod 0o555; where that does not stop us (root), make the OS calls refuse instead."""
    folder.chmod(0o555)
    probe = folder / ".probe"
    try:
        probe.touch()
    except PermissionError:
        if not access_lies:
            return
    else:
        probe.unlink()
    refuse = OSError(errno.EROFS, "Read-only file system")
    real_access, real_mkdir, real_open = os.access, os.mkdir, os.open

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if mode & os.W_OK and _inside(path, folder):
            return access_lies
        return real_access(path, mode, *args, **kwargs)

    def mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
        if _inside(path, folder):
            raise OSError(refuse.errno, refuse.strerror, os.fsdecode(path))
        real_mkdir(path, *args, **kwargs)

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR) and _inside(path, folder):
            raise OSError(refuse.errno, refuse.strerror, os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(os, "open", open_)


@pytest.mark.parametrize("access_lies", [False, True], ids=["access-says-ro", "mkdir-fails"])
def test_read_only_results_folder_uses_the_override_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, access_lies: bool
) -> None:
    root = tmp_path / "ws"
    run = build_complete_run(root)
    override = tmp_path / "_state"
    try:
        _simulate_read_only(run, monkeypatch, access_lies=access_lies)
        store = TriageStore(run)
        store.add_label(MODEL, "notepad_greeting", "flaky")
        store.set_note(MODEL, "notepad_greeting", "read-only but noted")
        assert store.read_only_fallback
        assert store.store_path == override / run_hash(run) / "triage.jsonl"
        assert store.store_path.is_file()
        assert (override / run_hash(run) / "run.txt").read_text().strip() == os.path.realpath(run)
        # Read back by a new store, by the lookup the CLI uses, and through a symlink.
        assert TriageStore(run).labels_for(MODEL, "notepad_greeting") == ["flaky"]
        link = tmp_path / "link"  # outside the scanned tree, so the run's id stays put
        link.symlink_to(run)
        assert TriageLookup().state(link) is not None
        assert TriageStore(link).note_for(MODEL, "notepad_greeting") == "read-only but noted"
    finally:
        monkeypatch.undo()
        run.chmod(0o755)
    assert not (run / ".bench-tui").exists()
    monkeypatch.setenv("BENCH_TUI_TRIAGE_DIR", str(override))
    data = json.loads(invoke("summary", str(root), "--json").output)
    labelled = next(r for r in data["runs"] if r["id"].endswith("091522"))
    assert labelled["labels"] == {"flaky": 1}


def test_both_stores_merge(run: Path, tmp_path: Path) -> None:
    TriageStore(run).add_label("m", "t", "flaky")
    fallback = TriageStore(run)
    fallback.store_path = fallback.fallback_path  # as if the folder had turned read-only
    fallback.add_label("m", "t", "planning")
    fallback.remove_label("m", "t", "flaky")
    assert fallback.fallback_path.is_file()
    assert TriageStore(run).labels_for("m", "t") == ["planning"]
    assert TriageLookup().state(run).labels_for("m", "t") == ["planning"]  # type: ignore[union-attr]


# ----- label set -------------------------------------------------------------------------------


def test_default_label_set() -> None:
    labels, problems = load_label_set()
    assert problems == [] and labels == LabelSet()
    assert [(label.name, label.key) for label in labels.labels] == [
        ("env bug", "e"),
        ("grounding miss", "g"),
        ("planning", "p"),
        ("wrong answer", "w"),
        ("timeout", "t"),
        ("flaky", "f"),
        ("benchmark bug", "b"),
        ("checker wrong: should pass", "+"),
        ("checker wrong: should fail", "-"),
    ]
    assert labels.by_key("g") is not None and labels.by_key("g").name == "grounding miss"  # type: ignore[union-attr]


def test_custom_label_set_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "labels.toml"
    config.write_text(
        '[[label]]\nname = "captcha"\nkey = "c"\n\n[[label]]\nname = "popup"\nkey = "p"\n'
    )
    monkeypatch.setenv("BENCH_TUI_LABELS", str(config))
    labels, problems = load_label_set()
    assert problems == [] and labels.names() == ["captcha", "popup"]


def test_label_set_at_the_default_place(tmp_path: Path) -> None:
    config = tmp_path / "_config" / "bench-tui" / "labels.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[[label]]\nname = "captcha"\nkey = "c"\n')
    assert load_label_set()[0].names() == ["captcha"]


def test_invalid_toml_gives_defaults_and_a_located_problem(tmp_path: Path) -> None:
    config = tmp_path / "labels.toml"
    config.write_text('[[label]]\nname = "captcha"\nkey = c\n')
    labels, (problem,) = load_label_set(config)
    assert labels.labels == DEFAULT_LABELS
    assert problem.line == 3 and "invalid TOML" in problem.message


def test_duplicate_and_reserved_keys_are_rejected(tmp_path: Path) -> None:
    config = tmp_path / "labels.toml"
    config.write_text(
        textwrap.dedent(
            """
            [[label]]
            name = "captcha"
            key = "c"
            [[label]]
            name = "crash"
            key = "c"
            [[label]]
            name = "nope"
            key = "n"
            [[label]]
            name = "long"
            key = "ab"
            """
        )
    )
    labels, problems = load_label_set(config)
    assert labels.names() == ["captcha"]
    assert len(problems) == 3
    assert "already used by 'captcha'" in problems[0].message
    assert "reserved" in problems[1].message and "one character" in problems[2].message


def test_unusable_label_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("title = 'no labels here'\n")
    labels, problems = load_label_set(empty)
    assert labels.labels == DEFAULT_LABELS and len(problems) == 1
    monkeypatch.setenv("BENCH_TUI_LABELS", str(tmp_path / "missing.toml"))
    labels, problems = load_label_set()
    assert labels.labels == DEFAULT_LABELS and "not found" in problems[0].message


# ----- blind mode ------------------------------------------------------------------------------


def test_blind_assignment_is_deterministic_and_stable() -> None:
    keys = [f"task_{i}" for i in range(200)]
    first = blind_assignment(keys, seed=42)
    assert first == blind_assignment(reversed(keys), seed=42)
    assert 60 < sum(first.values()) < 140  # both sides get swapped tasks
    assert blind_assignment(keys, seed=43) != first
    more = blind_assignment([*keys, "task_new"], seed=42)
    assert {k: more[k] for k in keys} == first  # adding a task reshuffles nothing
    assert set(blind_assignment([("m", "t", None)], seed=1)) == {("m", "t", None)}


def test_reveal_counts_labels_given_blind_per_model(run: Path) -> None:
    store = TriageStore(run)
    store.start_blind(("base", "ft"), blind_seed=7)
    store.add_label("base", "t1", "planning", blind_seed=7)
    store.add_label("ft", "t1", "planning", blind_seed=7)
    store.add_label("ft", "t2", "planning", blind_seed=7)
    store.add_label("ft", "t3", "flaky", blind_seed=7)
    store.remove_label("ft", "t3", "flaky")
    store.add_label("base", "t9", "timeout")  # not blind
    state, problems = load_triage(store.store_path)
    assert problems == []
    assert state.blind_sessions == {7: ("base", "ft")}
    assert reveal(state, 7) == {"base": {"planning": 1}, "ft": {"planning": 2}}
    assert reveal(state, 8) == {}
    blind_line = json.loads(store_lines(store)[0])
    assert blind_line["op"] == "blind" and blind_line["models"] == ["base", "ft"]


# ----- CLI output ------------------------------------------------------------------------------


def invoke(*args: str) -> Any:
    return runner.invoke(cli.app, list(args))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    build_complete_run(root)
    build_crashed_run(root)
    return root


def _label_complete_run(workspace: Path) -> Path:
    run = workspace / "benchmark_results" / "waa_eval_20251104_091522"
    store = TriageStore(run)
    store.add_label(MODEL, "notepad_greeting", "flaky")
    store.add_label(MODEL, "notepad_greeting", "env bug")
    store.set_note(MODEL, "notepad_greeting", 'VM slow; "retry", later')
    store.add_label(MODEL, "settings:dark mode?", "grounding miss", step=1)
    store.add_label(MODEL, "51b59aec-fa49-4b1c-85ca-ab90357f3abc-WOS", "env bug")
    return run


def test_export_csv_and_json_carry_labels_and_notes(workspace: Path, tmp_path: Path) -> None:
    _label_complete_run(workspace)
    out = tmp_path / "rows.csv"
    assert invoke("export", str(workspace), "--format", "csv", "-o", str(out)).exit_code == 0
    rows = {row["task_id"]: row for row in csv.DictReader(io.StringIO(out.read_text()))}
    assert rows["notepad_greeting"]["labels"] == "env bug;flaky"
    assert rows["notepad_greeting"]["note"] == 'VM slow; "retry", later'
    assert rows["settings:dark mode?"]["labels"] == "grounding miss"
    assert rows["calc_sum"]["labels"] == "" and rows["calc_sum"]["note"] == ""
    data = json.loads(invoke("export", str(workspace), "--format", "json").output)
    by_task = {row["task_id"]: row for row in data}
    assert by_task["notepad_greeting"]["labels"] == ["env bug", "flaky"]
    assert by_task["notepad_greeting"]["note"] == 'VM slow; "retry", later'
    assert by_task["paint_circle"]["labels"] == [] and by_task["paint_circle"]["note"] is None


def test_labels_found_whichever_folder_is_opened(workspace: Path) -> None:
    run = _label_complete_run(workspace)
    for opened in (workspace, workspace / "benchmark_results", run):
        data = json.loads(invoke("export", str(opened), "--format", "json").output)
        by_task = {row["task_id"]: row for row in data}
        assert by_task["notepad_greeting"]["labels"] == ["env bug", "flaky"], opened


def test_summary_json_counts_labels_per_run(workspace: Path) -> None:
    _label_complete_run(workspace)
    data = json.loads(invoke("summary", str(workspace), "--json").output)
    runs = {run["id"]: run for run in data["runs"]}
    assert runs["benchmark_results/waa_eval_20251104_091522"]["labels"] == {
        "env bug": 2,
        "flaky": 1,
        "grounding miss": 1,
    }
    assert runs["benchmark_results/waa_eval_20251105_220110"]["labels"] == {}
    assert data["problems"] == []  # the .bench-tui folder is not mistaken for results


def test_agentlab_rows_key_labels_by_seed(tmp_path: Path) -> None:
    study = build_agentlab_example(tmp_path / "ws")
    rows = json.loads(invoke("export", str(tmp_path / "ws"), "--format", "json").output)
    target = rows[0]
    assert target["seed"] is not None
    store = TriageStore(study)
    store.add_label(target["model"], target["task_id"], "flaky", seed=target["seed"])
    store.add_label(target["model"], target["task_id"], "planning", seed=target["seed"] + 1)
    rows = json.loads(invoke("export", str(tmp_path / "ws"), "--format", "json").output)
    found = next(
        r for r in rows if (r["model"], r["task_id"]) == (target["model"], target["task_id"])
    )
    assert found["labels"] == ["flaky"]


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(root)): (path.stat().st_mtime_ns, path.stat().st_size)
        for path in root.rglob("*")
        if path.is_file()
    }


def test_nothing_outside_bench_tui_is_written_in_the_results_tree(
    workspace: Path, tmp_path: Path
) -> None:
    dirs_before = {str(p.relative_to(workspace)) for p in workspace.rglob("*") if p.is_dir()}
    before = _tree(workspace)
    run = _label_complete_run(workspace)
    TriageStore(run).remove_label(MODEL, "notepad_greeting", "flaky")
    for command in (
        ("summary", str(workspace), "--json"),
        ("export", str(workspace), "--format", "csv", "-o", str(tmp_path / "out.csv")),
        ("export", str(workspace), "--format", "json"),
    ):
        assert invoke(*command).exit_code == 0
    after = _tree(workspace)
    own = str((run / ".bench-tui").relative_to(workspace))
    changed = {path for path in after.keys() | before.keys() if after.get(path) != before.get(path)}
    assert changed == {f"{own}/triage.jsonl"}
    dirs_after = {str(p.relative_to(workspace)) for p in workspace.rglob("*") if p.is_dir()}
    assert dirs_after - dirs_before == {own}
    assert not (tmp_path / "_state").exists()  # the writable run needed no fallback
