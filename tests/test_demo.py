"""The demo workspace: layout, cross-file invariants, screenshots, determinism, refusal rules.

Everything is read back with plain `json`, independent of the app's readers, so a reader bug cannot
hide a demo bug (and the other way round).
"""

from __future__ import annotations

import json
import math
import os
import re
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bench_tui.demo import DemoRefused, is_demo_folder, write_demo
from bench_tui.demo.agents import AgentSpec, Outcome, TraceBuilder
from bench_tui.demo.apps import TEMPLATES, catalog
from bench_tui.demo.files import MARKER_NAME, read_marker_entries
from bench_tui.demo.screens import HEIGHT, WIDTH
from bench_tui.demo.tasks import TaskDef, build_tasks, sanitize

TASKS = 40
ACTION_KEYS = {
    "type", "x", "y", "end_x", "end_y", "target_node_id", "target_bbox", "target_role", "target_name",
    "text", "key", "modifiers", "scroll_direction", "scroll_amount", "answer", "raw_action",
}  # fmt: skip
BASE, BASE2, LORA, API, LIVE = (
    "waa_eval_20251110_091522",
    "waa_eval_20251111_214003",
    "waa_eval_20251112_140310",
    "waa_eval_20251114_101205",
    "waa_eval_20251118_083012",
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "ws"
    write_demo(root, tasks_per_run=TASKS)
    return root


def load(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def executions(run: Path) -> dict[str, dict[str, Any]]:
    return {e["task_id"]: e for e in (load(p) for p in sorted(run.glob("tasks/*/execution.json")))}


def task_ids(run: Path) -> set[str]:
    return {load(p)["task_id"] for p in run.glob("tasks/*/task.json")}


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


# ---- layout and benchmark runs -------------------------------------------------------------------


def test_layout_has_every_kind_of_result(demo: Path) -> None:
    runs = sorted(p.name for p in (demo / "benchmark_results").iterdir())
    assert runs == [BASE, BASE2, LORA, API, LIVE]
    job = demo / "training_output" / "20251106_141005"
    for name in ("training_log.json", "training.log", "config.json", "predictions_epoch3.json"):
        assert (job / name).is_file(), name
    assert [
        (demo / "checkpoints" / f"epoch_{n}" / "adapter_config.json").is_file() for n in (1, 2, 3)
    ] == [True] * 3
    evals = sorted(p.name for p in (demo / "experiments/sockshop-checkout/eval").glob("*.json"))
    assert evals == ["eval_lumen4o.json", "eval_tern3b_base.json", "eval_tern3b_ft.json"]
    assert len(list(demo.glob("captures/*/episode.json"))) == 2
    assert is_demo_folder(demo)
    assert load(demo / MARKER_NAME)["tasks_per_run"] == TASKS


def test_metadata_names_model_and_run(demo: Path) -> None:
    models = {}
    for run in (demo / "benchmark_results").iterdir():
        meta = load(run / "metadata.json")
        assert meta["run_name"] == run.name and meta["benchmark_name"] == "waa"
        assert re.fullmatch(r"2025-11-\d\dT\d\d:\d\d:\d\d\.\d{6}", meta["created_at"])
        models[run.name] = meta["model_id"]
    assert models == {
        BASE: "tern-vl-3b-base",
        BASE2: "tern-vl-3b-base",
        LORA: "tern-vl-3b-lora-e3",
        API: "lumen-4o",
        LIVE: "tern-vl-3b-lora-e3",
    }


def test_same_task_ids_in_every_model_run(demo: Path) -> None:
    results = demo / "benchmark_results"
    ids = [task_ids(results / name) for name in (BASE, BASE2, LORA, API)]
    assert len(ids[0]) == TASKS
    assert ids[0] == ids[1] == ids[2] == ids[3]
    assert task_ids(results / LIVE) < ids[0]  # the live run has started only part of them
    folders = {p.name for p in (results / BASE / "tasks").iterdir()}
    assert folders == {sanitize(task_id) for task_id in ids[0]}
    assert "settings:dark_mode" in ids[0] and "settings_dark_mode" in folders  # folder != raw id


def test_success_counts_follow_the_model_strengths(demo: Path) -> None:
    results = demo / "benchmark_results"
    passed = {
        name: sum(e["success"] for e in executions(results / name).values())
        for name in (BASE, BASE2, LORA, API)
    }
    assert passed == {BASE: 8, BASE2: 8, LORA: 18, API: 24}  # 20 %, 20 %, 45 %, 60 % of 40


@pytest.mark.parametrize("run", [BASE, BASE2, LORA, API])
def test_summary_agrees_with_the_execution_files(demo: Path, run: str) -> None:
    folder = demo / "benchmark_results" / run
    summary = load(folder / "summary.json")
    rows = list(executions(folder).values())
    count = len(rows)
    not_infra = [r for r in rows if r["error_type"] != "infrastructure"]
    assert summary["num_tasks"] == count == TASKS
    assert summary["num_success"] == sum(r["success"] for r in rows)
    assert summary["success_rate"] == pytest.approx(summary["num_success"] / count, abs=1e-12)
    assert summary["avg_score"] == pytest.approx(sum(r["score"] for r in rows) / count, abs=1e-12)
    assert summary["avg_steps"] == pytest.approx(
        sum(r["num_steps"] for r in rows) / count, abs=1e-12
    )
    assert summary["avg_time_seconds"] == pytest.approx(
        sum(r["total_time_seconds"] for r in rows) / count
    )
    assert summary["num_infrastructure_failures"] == count - len(not_infra)
    assert summary["num_success_excluding_infra"] == sum(r["success"] for r in not_infra)
    by_id = {r["task_id"]: r for r in rows}
    for row in summary["tasks"]:
        for key in ("success", "score", "num_steps", "error", "error_type"):
            assert row[key] == by_id[row["task_id"]][key], (row["task_id"], key)


def all_executions(demo: Path) -> list[dict[str, Any]]:
    return [
        e
        for run in (BASE, BASE2, LORA, API, LIVE)
        for e in executions(demo / "benchmark_results" / run).values()
    ]


def test_steps_follow_the_openadapt_rules(demo: Path) -> None:
    for execution in all_executions(demo):
        steps = execution["steps"]
        assert [s["step_idx"] for s in steps] == list(range(len(steps)))
        for step in steps:
            assert set(step["action"]) == ACTION_KEYS
            assert step["screenshot_path"] == f"screenshots/step_{step['step_idx']:03d}.png"
            logs = step["agent_logs"]
            assert (
                logs["agent_think_ms"] > 0 and logs["env_execute_ms"] >= 0 and logs["plan_result"]
            )
        final = steps[-1]["action"]["type"] if steps else None
        expected = len(steps) - 1 if final in ("done", "error") else len(steps)
        assert execution["num_steps"] == expected, execution["task_id"]
        assert 0.0 <= execution["score"] <= 1.0
        assert execution["success"] == (execution["score"] == 1.0)
        assert execution["logs"] and all(
            log["level"] in ("INFO", "WARNING", "ERROR", "SUCCESS") for log in execution["logs"]
        )


def test_the_traps_worth_showing_are_all_there(demo: Path) -> None:
    rows = all_executions(demo)
    actions = [s["action"] for e in rows for s in e["steps"]]
    errored = [e for e in rows if e["error"] and e["error_type"] == "agent"]
    assert len(errored) >= 2 and all(
        not e["success"] and e["steps"][-1]["action"]["type"] == "error" for e in errored
    )
    infra = [e for e in rows if e["error_type"] == "infrastructure"]
    assert len(infra) == 1 and infra[0]["steps"] == [] and infra[0]["num_steps"] == 0
    assert any(0 < e["score"] < 1 and not e["success"] for e in rows), "partial credit"
    assert any(a["type"] == "click" and a["x"] is None and a["target_node_id"] for a in actions), (
        "SoM click"
    )
    assert any(a["type"] == "drag" and a["end_x"] is not None for a in actions)
    assert any(
        a["type"] == "key" and a["modifiers"] == ["ctrl"] and a["key"] == "s" for a in actions
    )
    assert any(a["type"] == "scroll" and a["scroll_direction"] == "down" for a in actions)
    assert any(a["type"] == "type" and a["text"] for a in actions)
    assert any(a["type"] == "answer" and a["answer"] for a in actions)
    assert any((a["raw_action"] or {}).get("click_variant") == "double_click" for a in actions)
    assert any(s["agent_logs"]["loop_detected"] for e in rows for s in e["steps"])


def outcomes(demo: Path, run: str) -> dict[str, bool]:
    return {t: e["success"] for t, e in executions(demo / "benchmark_results" / run).items()}


@pytest.mark.parametrize(("a", "b"), [(BASE, LORA), (LORA, API), (BASE, API)])
def test_comparisons_have_passes_on_both_sides(demo: Path, a: str, b: str) -> None:
    left, right = outcomes(demo, a), outcomes(demo, b)
    a_only = [t for t in left if left[t] and not right[t]]
    b_only = [t for t in left if right[t] and not left[t]]
    assert a_only, f"{b} regresses nowhere against {a}"
    assert len(b_only) > len(a_only)  # the later model is the better one overall


def test_live_run_and_live_file(demo: Path) -> None:
    run = demo / "benchmark_results" / LIVE
    live = load(demo / "benchmark_live.json")
    assert live["status"] == "running" and live["total_tasks"] == TASKS
    done = list(run.glob("tasks/*/execution.json"))
    assert live["tasks_completed"] == len(done) == TASKS // 2
    assert not (run / "summary.json").exists()
    started_only = [
        p.parent
        for p in run.glob("tasks/*/task.json")
        if not (p.parent / "execution.json").exists()
    ]
    assert len(started_only) >= 2
    current = run / "tasks" / sanitize(live["current_task"]["task_id"])
    assert current in started_only
    assert load(current / "task.json")["instruction"] == live["current_task"]["instruction"]
    assert live["current_task"]["result"] is None and live["current_task"]["steps"]
    for step in live["current_task"]["steps"]:
        assert (current / f"screenshots/step_{step['step_idx']:03d}.png").is_file()


# ---- screenshots ---------------------------------------------------------------------------------


def test_every_step_has_a_1280x800_png_and_they_are_hard_links(demo: Path) -> None:
    inodes: dict[int, Path] = {}
    count = 0
    for execution_path in (demo / "benchmark_results").glob("*/tasks/*/execution.json"):
        for step in load(execution_path)["steps"]:
            image = execution_path.parent / step["screenshot_path"]
            assert png_size(image) == (WIDTH, HEIGHT), image
            inodes.setdefault(image.stat().st_ino, image)
            count += 1
    assert count > 400
    assert len(inodes) <= len(catalog())  # rendered once per screen, linked everywhere
    for image in inodes.values():
        with Image.open(image) as opened:
            opened.load()  # decodes: the whole file is a valid PNG
            assert opened.size == (WIDTH, HEIGHT)


def test_scripted_clicks_land_on_the_named_element() -> None:
    """The app draws a crosshair at the click: it must sit on the button the action names."""
    agent = AgentSpec("probe", seed="probe", success_rate=1.0, detours=0.0)
    screens = catalog()
    for templates in TEMPLATES.values():
        for template in templates:
            trace = TraceBuilder(agent, TaskDef(template.slug, template)).build(Outcome("pass"))
            for step, (_, act) in zip(trace.steps, template.steps, strict=False):
                action = step.action
                if action["type"] != "click" or act.target is None:
                    continue
                x0, y0, x1, y1 = screens[step.screen].element(act.target).box
                x, y = action["x"] * WIDTH, action["y"] * HEIGHT
                assert x0 <= x <= x1 and y0 <= y <= y1, (template.slug, act.target)
            assert trace.steps[-1].screen == template.final and trace.success


def test_labels_use_only_glyphs_the_bundled_font_has() -> None:
    for key, screen in catalog().items():
        for widget in screen.widgets:
            text = widget.label.replace("\t", "").replace("\n", "")
            assert all(ord(ch) < 256 for ch in text), (key, widget.label)


# ---- training, evals, episodes -------------------------------------------------------------------


def test_training_log_tells_a_finished_three_epoch_story(demo: Path) -> None:
    job = demo / "training_output" / "20251106_141005"
    log = load(job / "training_log.json")
    losses = log["losses"]
    assert [p["step"] for p in losses] == list(range(1, 151))
    assert {p["epoch"] for p in losses} == {0, 1, 2} and log["total_epochs"] == 3
    first, last = [p["loss"] for p in losses[:10]], [p["loss"] for p in losses[-10:]]
    assert sum(last) / 10 < sum(first) / 10 / 3
    rates = [p["lr"] for p in losses]
    peak = rates.index(max(rates))
    assert 0 < peak < 20 and rates[-1] < rates[peak] / 10
    assert all(b["time"] > a["time"] for a, b in zip(losses, losses[1:], strict=False))
    assert log["termination_status"] == "auto_complete" and log["loss"] == losses[-1]["loss"]
    assert {e["epoch"] for e in log["evaluations"]} == {0, 1, 2}
    for evaluation in log["evaluations"]:
        assert (job / evaluation["image_path"]).is_file()
    lines = (job / "training.log").read_text().splitlines()
    pattern = re.compile(
        r"\[2025-11-06 \d\d:\d\d:\d\d\] epoch=\d step=\d+ loss=\d\.\d{4} lr=\d\.\d{6}"
    )
    assert sum(bool(pattern.fullmatch(line)) for line in lines) == 15
    link = demo / "training_output" / "current"
    if link.is_symlink():
        assert link.resolve() == job.resolve()


def test_predictions_improve_with_each_epoch(demo: Path) -> None:
    job = demo / "training_output" / "20251106_141005"
    files = [load(job / f"predictions_epoch{n}.json") for n in (1, 2, 3)]
    matches = [sum(bool(p["match"]) for p in f["predictions"]) for f in files]
    assert matches[0] < matches[1] <= matches[2]
    assert all(len(f["base_data"]) == len(f["predictions"]) for f in files)
    errors = [
        p for f in files for p in f["predictions"] if p["predicted_action"]["type"] == "error"
    ]
    assert (
        len(errors) == 1
        and errors[0]["predicted_action"]["raw_output"]
        and errors[0]["match"] is False
    )
    for row in files[0]["base_data"]:
        assert row["time"] == row["index"] and (job / row["image_path"]).is_file()


def test_eval_reports_pass_the_lora_gate_and_link_to_training(demo: Path) -> None:
    folder = demo / "experiments/sockshop-checkout/eval"
    base, ft, api = (
        load(folder / f"eval_{n}.json") for n in ("tern3b_base", "tern3b_ft", "lumen4o")
    )
    training = load(demo / "training_output/20251106_141005/training_log.json")
    assert base["config_path"] == ft["config_path"] == training["config_path"]
    assert ft["metrics"]["action_type_accuracy"] - base["metrics"]["action_type_accuracy"] > 0.20
    assert any(v is None for v in ft["metrics"].values())
    assert api["backend"] == "openai" and base["backend"] == ft["backend"] == "qwen3"


def test_episodes_match_the_predictions_they_were_trained_on(demo: Path) -> None:
    shop = load(demo / "captures/sockshop-checkout/episode.json")
    notes = load(demo / "captures/notepad-meeting-notes/episode.json")
    for episode, folder in ((shop, "sockshop-checkout"), (notes, "notepad-meeting-notes")):
        assert (
            episode["schema_version"] == "1.0.0"
            and episode["episode_id"]
            and episode["instruction"]
        )
        assert [s["step_index"] for s in episode["steps"]] == list(range(len(episode["steps"])))
        assert episode["steps"][-1]["action"]["type"] == "done"
        for step in episode["steps"]:
            assert png_size(
                demo / "captures" / folder / step["observation"]["screenshot_path"]
            ) == (WIDTH, HEIGHT)
    predictions = load(demo / "training_output/20251106_141005/predictions_epoch1.json")
    assert len(predictions["base_data"]) == len(shop["steps"])
    for row, step in zip(predictions["base_data"], shop["steps"], strict=True):
        assert Path(row["image_path"]).name == Path(step["observation"]["screenshot_path"]).name
        assert row["human_action"]["type"] == step["action"]["type"]
        if step["action"]["type"] == "click":
            assert [row["human_action"]["x"], row["human_action"]["y"]] == step["action"][
                "normalized_coordinates"
            ]
            assert math.isclose(
                step["action"]["coordinates"]["x"] / WIDTH, row["human_action"]["x"], abs_tol=1e-4
            )


# ---- determinism and the refusal rule ------------------------------------------------------------


def snapshot(root: Path) -> dict[str, bytes]:
    files = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            if not path.is_symlink():
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def test_two_writes_are_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    write_demo(first, tasks_per_run=12)
    write_demo(second, tasks_per_run=12)
    a, b = snapshot(first), snapshot(second)
    assert sorted(a) == sorted(b)
    different = [name for name in a if a[name] != b[name]]
    assert different == []
    assert any(name.endswith(".png") for name in a) and any(
        name.endswith("execution.json") for name in a
    )


def test_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("precious")
    with pytest.raises(DemoRefused, match="not empty"):
        write_demo(tmp_path, tasks_per_run=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.tex"]
    file_path = tmp_path / "thesis.tex"
    with pytest.raises(DemoRefused, match="not a folder"):
        write_demo(file_path, tasks_per_run=2)
    assert file_path.read_text() == "precious"


def test_writes_into_an_empty_or_missing_folder(tmp_path: Path) -> None:
    assert not is_demo_folder(tmp_path) and not is_demo_folder(tmp_path / "nope")
    summary = write_demo(tmp_path / "new" / "nested", tasks_per_run=3)
    assert is_demo_folder(tmp_path / "new" / "nested")
    # the live run has finished half and started the rest (at most 3) of its tasks
    assert [(r.tasks, r.finished) for r in summary.runs] == [(3, 3)] * 4 + [(3, 1)]
    with pytest.raises(ValueError):
        write_demo(tmp_path / "zero", tasks_per_run=0)


def test_rewrites_an_earlier_demo_and_keeps_the_users_files(tmp_path: Path) -> None:
    write_demo(tmp_path, tasks_per_run=12)
    notes = tmp_path / "my-notes.txt"
    notes.write_text("mine")
    own_run = tmp_path / "benchmark_results" / "my_own_run"
    own_run.mkdir()
    (own_run / "metadata.json").write_text("{}")
    summary = write_demo(tmp_path, tasks_per_run=6)
    base = tmp_path / "benchmark_results" / BASE
    assert len(list((base / "tasks").iterdir())) == 6  # the 12-task run is gone, not merged
    assert task_ids(base) == {t.task_id for t in build_tasks(6)}
    assert notes.read_text() == "mine" and (own_run / "metadata.json").is_file()
    assert summary.tasks_per_run == 6 and load(tmp_path / MARKER_NAME)["tasks_per_run"] == 6


def test_marker_entries_never_reach_outside_the_demo(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    root.mkdir()
    bad = {"entries": ["../outside.txt", "/etc/passwd", "a/../../outside.txt", "captures/x"]}
    (root / MARKER_NAME).write_text(json.dumps(bad))
    assert read_marker_entries(root) == ["captures/x"]
    write_demo(root, tasks_per_run=1)
    assert outside.read_text() == "keep"


def test_demo_package_does_not_import_textual() -> None:
    code = "import sys, bench_tui.demo; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# ---- repeats and reviewed verdicts ---------------------------------------------------------------


def triage_records(run: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in (run / ".bench-tui" / "triage.jsonl").read_text().splitlines()
    ]


def test_a_second_base_trial_disagrees_on_some_tasks(demo: Path) -> None:
    first, second = outcomes(demo, BASE), outcomes(demo, BASE2)
    flaky = [task for task in first if first[task] != second[task]]
    assert 3 <= len(flaky) < TASKS // 2  # flaky tasks to show, and far from every task


def test_the_second_base_trial_carries_reviewed_verdicts(demo: Path) -> None:
    run = demo / "benchmark_results" / BASE2
    success = outcomes(demo, BASE2)
    records = triage_records(run)
    assert {r["by"] for r in records} == {"bench-tui demo"}
    assert {r["model"] for r in records} == {"tern-vl-3b-base"}
    labels = [(r["task_id"], r["label"]) for r in records if r["op"] == "label"]
    should_pass = [task for task, label in labels if label == "checker wrong: should pass"]
    should_fail = [task for task, label in labels if label == "checker wrong: should fail"]
    assert len(should_pass) == 2 and not any(success[task] for task in should_pass)
    assert len(should_fail) == 1 and all(success[task] for task in should_fail)
    notes = {r["task_id"]: r["note"] for r in records if r["op"] == "note"}
    assert set(notes) == {*should_pass, *should_fail} and all(notes.values())
    assert len(labels) == 5  # two more reviewed failures: a cause, and "checker right"
    timestamps = [r["ts"] for r in records]
    assert timestamps == sorted(timestamps)
    for other in (BASE, LORA, API, LIVE):
        assert not (demo / "benchmark_results" / other / ".bench-tui").exists()


def test_a_rewrite_replaces_the_demo_reviews_and_keeps_a_users(tmp_path: Path) -> None:
    from bench_tui.triage.store import TriageStore

    run = tmp_path / "benchmark_results" / BASE2
    first = write_demo(tmp_path, tasks_per_run=6)
    written = (run / ".bench-tui" / "triage.jsonl").read_bytes()
    assert first.overturned and first.kept_labels == []
    again = write_demo(tmp_path, tasks_per_run=6)
    assert again.kept_labels == [] and again.overturned == first.overturned
    assert (run / ".bench-tui" / "triage.jsonl").read_bytes() == written
    TriageStore(run).add_label("tern-vl-3b-base", build_tasks(6)[0].task_id, "flaky")
    kept = write_demo(tmp_path, tasks_per_run=6)
    assert kept.kept_labels == [f"benchmark_results/{BASE2}"] and kept.overturned == []
    store = (run / ".bench-tui" / "triage.jsonl").read_bytes()
    assert store.startswith(written) and store.count(b"\n") == written.count(b"\n") + 1
    assert not (tmp_path / ".bench-tui-labels-kept").exists()
