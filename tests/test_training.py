"""Training output (FORMATS §8): custom and TRL logs, checkpoints, status, summary figures."""

from __future__ import annotations

import copy
import json
import math
import os
import statistics
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from bench_tui.analysis.training import (
    STALE_AFTER_S,
    epoch_label,
    eta_seconds,
    format_loss,
    mean_step_time,
    per_epoch_mean_loss,
    summary_figures,
    training_status,
)
from bench_tui.sources.common import ReadContext, read_json
from bench_tui.sources.training import training_log as training_source
from bench_tui.sources.training.training_log import (
    check_log,
    looks_like_training_log,
    read_training,
)
from tests.fixtures.json_strategies import any_bytes, json_bytes, json_values, shaped
from tests.fixtures.offline_builders import (
    CUSTOM_LOG,
    EVAL_FT,
    TRL_LOG,
    build_custom_training,
    build_trl_training,
    custom_log_with_epochs,
    write_json,
)

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read(log_path: Path, root: Path):
    ctx = ReadContext(root=root)
    return read_training(log_path, ctx, retry_delay_s=0), ctx


def write_log_one_entry_per_line(path: Path, head: dict, entries: list) -> None:
    """`head` fields, then `"losses": [` with each entry on a line of its own, as upstream's
    examples are laid out."""
    lines = [json.dumps(head)[:-1] + ","]
    lines.append(' "losses": [')
    lines.append(",\n".join("  " + json.dumps(entry) for entry in entries))
    lines.append(" ]}")
    path.write_text("\n".join(lines))


# --- reading ----------------------------------------------------------------------------------


def test_custom_example(tmp_path: Path) -> None:
    log_path = build_custom_training(tmp_path)

    run, ctx = read(log_path, tmp_path)

    assert run is not None and ctx.problems == []
    assert run.variant == "custom"
    assert run.id == "training_output/20251102_141005"
    assert run.path == os.path.abspath(log_path.parent)
    assert run.log_path == os.path.abspath(log_path)
    assert (run.job_id, run.model_name, run.hostname) == (
        "20251102_141005",
        "tern-vl-3b",
        "gpu-box-2",
    )
    assert run.config_path == "configs/tern3b_checkout.yaml"
    assert run.goal == "Buy one pair of red socks"
    assert run.started_at is not None and run.started_at.utcoffset() is not None
    assert (run.started_at.hour, run.started_at.minute) == (14, 10)
    assert (run.epoch, run.step, run.total_epochs) == (1, 8, 2)
    assert (run.loss, run.learning_rate, run.elapsed_time) == (0.912, 2.5e-05, 64.0)
    assert [(p.epoch, p.step, p.loss, p.lr, p.time) for p in run.losses] == [
        (0, 1, 2.71, 5e-05, 8.1),
        (1, 8, 0.912, 2.5e-05, 64.0),
    ]
    # "" means still running: it must not read as a termination.
    assert run.termination_status is None
    assert run.modified_at == log_path.stat().st_mtime


def test_custom_example_evaluation_keeps_the_logged_flag_apart(tmp_path: Path) -> None:
    run, _ = read(build_custom_training(tmp_path), tmp_path)

    assert run is not None and len(run.evaluations) == 1
    evaluation = run.evaluations[0]
    assert (evaluation.epoch, evaluation.sample_idx, evaluation.distance) == (0, 2, 0.041)
    assert evaluation.correct_as_logged is True
    assert evaluation.image_path == "screenshots/capture_7f3a_step_2.png"
    assert evaluation.human_action is not None and evaluation.human_action.x == 0.62
    assert evaluation.predicted_action is not None
    assert evaluation.predicted_action.raw_output == "Action: CLICK(x=0.66, y=0.47)"


def test_custom_checkpoint_beside_training_output(tmp_path: Path) -> None:
    log_path = build_custom_training(tmp_path)
    # An interrupted save: the folder exists, the adapter was never written.
    (tmp_path / "checkpoints" / "epoch_2").mkdir()

    run, _ = read(log_path, tmp_path)

    assert run is not None
    assert [(c.name, c.epoch, c.valid) for c in run.checkpoints] == [
        ("epoch_1", 1, True),
        ("epoch_2", 2, False),
    ]
    assert run.checkpoints[0].path == str(tmp_path / "checkpoints" / "epoch_1")


def test_checkpoints_inside_the_job_folder_and_never_above_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "checkpoints" / "epoch_9"
    outside.mkdir(parents=True)
    (outside / "adapter_config.json").write_text("{}")
    root = tmp_path / "opened"
    job = root / "job"
    write_json(job / "training_log.json", CUSTOM_LOG)
    write_json(job / "checkpoints" / "epoch_0" / "adapter_config.json", {})

    run, _ = read(job / "training_log.json", root)

    assert run is not None
    assert [c.name for c in run.checkpoints] == ["epoch_0"]


def test_checkpoint_reached_through_current_symlink_is_listed_once(tmp_path: Path) -> None:
    build_custom_training(tmp_path)
    log_via_symlink = tmp_path / "training_output" / "current" / "training_log.json"

    run, _ = read(log_via_symlink, tmp_path)

    assert run is not None and [c.name for c in run.checkpoints] == ["epoch_1"]


def test_trl_example(tmp_path: Path) -> None:
    log_path = build_trl_training(tmp_path)

    run, ctx = read(log_path, tmp_path)

    assert run is not None and ctx.problems == []
    assert run.variant == "trl"
    assert run.id == "checkpoints"
    assert run.model_name == "tern-vl-3b"
    assert run.job_id is None and run.started_at is None
    assert [(p.epoch, p.step) for p in run.losses] == [(0.17, 10)]
    assert [(c.name, c.valid) for c in run.checkpoints] == [
        ("checkpoint-30", True),
        ("checkpoint-60", False),
        ("final", True),
    ]


def test_trl_zero_total_epochs_means_unknown(tmp_path: Path) -> None:
    log = {**TRL_LOG, "total_epochs": 0}
    run, ctx = read(write_json(tmp_path / "training_log.json", log), tmp_path)

    assert run is not None and ctx.problems == []
    assert run.total_epochs is None
    assert eta_seconds(run) is None


def test_variant_of_a_bare_integer_log_without_custom_keys_is_trl(tmp_path: Path) -> None:
    log = {"epoch": 1.0, "step": 20, "losses": [{"epoch": 1.0, "step": 20, "loss": 1.0}]}
    run, _ = read(write_json(tmp_path / "training_log.json", log), tmp_path)

    assert run is not None and run.variant == "trl"


def test_stub_status_completed_is_a_termination(tmp_path: Path) -> None:
    log = {**CUSTOM_LOG, "status": "completed"}
    run, _ = read(write_json(tmp_path / "training_log.json", log), tmp_path)

    assert run is not None and run.termination_status == "completed"
    assert training_status(run, now=run.modified_at or 0.0) == "DONE"


def test_wrongly_typed_loss_entries_are_skipped_with_their_line(tmp_path: Path) -> None:
    head = {key: value for key, value in CUSTOM_LOG.items() if key != "losses"}
    entries = [
        {"epoch": 0, "step": 1, "loss": 2.71, "lr": 5e-05, "time": 8.1},
        {"epoch": 0, "step": "two", "loss": 2.5, "lr": 5e-05, "time": 16.0},
        "not an entry",
        {"epoch": 0, "step": 4, "loss": None, "time": 32.0},
        {"epoch": 1, "step": 8, "loss": 0.912, "lr": 2.5e-05, "time": 64.0},
    ]
    log_path = tmp_path / "training_log.json"
    write_log_one_entry_per_line(log_path, head, entries)
    lines = log_path.read_text().splitlines()
    expected_lines = [
        next(number for number, line in enumerate(lines, 1) if marker in line)
        for marker in ('"two"', '"not an entry"', '"loss": null')
    ]

    run, ctx = read(log_path, tmp_path)

    assert run is not None
    assert [p.step for p in run.losses] == [1, 8]
    assert [problem.line for problem in ctx.problems] == expected_lines
    assert all(problem.path == "training_log.json" for problem in ctx.problems)
    assert "'step'" in ctx.problems[0].message and "whole number" in ctx.problems[0].message
    assert "'loss'" in ctx.problems[2].message


def test_truncated_log_is_a_problem_with_the_line_where_it_stops(tmp_path: Path) -> None:
    text = json.dumps(CUSTOM_LOG, indent=1)
    cut = text[: text.index('"evaluations"') + 5]
    log_path = tmp_path / "training_log.json"
    log_path.write_text(cut)

    run, ctx = read(log_path, tmp_path)

    assert run is None
    assert len(ctx.problems) == 1, "one Problem, not one per attempt"
    assert ctx.problems[0].path == "training_log.json"
    assert ctx.problems[0].line == cut.count("\n") + 1
    assert "training log" in ctx.problems[0].message


def test_half_written_log_is_read_again_before_reporting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_path = tmp_path / "training_log.json"
    full = json.dumps(CUSTOM_LOG, indent=1)
    log_path.write_text(full[: len(full) // 2])
    waits: list[float] = []

    def writer_finishes(delay: float) -> None:
        waits.append(delay)
        log_path.write_text(full)

    monkeypatch.setattr(training_source, "_wait_for_writer", writer_finishes)

    run = read_training(log_path, ctx := ReadContext(root=tmp_path), retry_delay_s=0.01)

    assert waits == [0.01]
    assert run is not None and run.step == 8
    assert ctx.problems == []


def test_parsed_doc_is_used_as_given(tmp_path: Path) -> None:
    log_path = build_custom_training(tmp_path)
    ctx = ReadContext(root=tmp_path)
    doc = read_json(log_path, ctx)
    assert doc is not None
    log_path.write_text("{broken")

    run = read_training(log_path, ctx, doc)

    assert run is not None and run.step == 8 and ctx.problems == []


def test_not_an_object_gives_none_and_a_problem(tmp_path: Path) -> None:
    run, ctx = read(write_json(tmp_path / "training_log.json", [1, 2]), tmp_path)

    assert run is None
    assert [(p.path, p.line) for p in ctx.problems] == [("training_log.json", 1)]


def test_object_without_losses_is_read_with_a_problem(tmp_path: Path) -> None:
    log = {key: value for key, value in CUSTOM_LOG.items() if key != "losses"}
    run, ctx = read(write_json(tmp_path / "training_log.json", log), tmp_path)

    assert run is not None and run.losses == [] and run.step == 8
    assert len(ctx.problems) == 1 and "'losses'" in ctx.problems[0].message


def test_detection() -> None:
    assert looks_like_training_log(CUSTOM_LOG)
    assert looks_like_training_log(TRL_LOG)
    assert not looks_like_training_log({"losses": 3})
    assert not looks_like_training_log(EVAL_FT)
    assert not looks_like_training_log([CUSTOM_LOG])


# --- status -----------------------------------------------------------------------------------


def test_status_from_termination_and_file_age(tmp_path: Path) -> None:
    run, _ = read(build_custom_training(tmp_path), tmp_path)
    assert run is not None and run.modified_at is not None
    changed = run.modified_at

    assert training_status(run, now=changed + 5) == "LIVE"
    assert training_status(run, now=changed + 31) == "STALE"
    assert training_status(run, now=changed + 31, stale_after_s=60) == "LIVE"
    ended = run.model_copy(update={"termination_status": "auto_low_loss"})
    assert training_status(ended, now=changed + 3600) == "DONE"
    unknown_time = run.model_copy(update={"modified_at": None})
    assert training_status(unknown_time, now=changed) == "STALE"


def test_status_goes_stale_after_thirty_seconds_by_default(tmp_path: Path) -> None:
    run, _ = read(build_custom_training(tmp_path), tmp_path)
    assert run is not None and run.modified_at is not None
    assert STALE_AFTER_S == 30.0
    assert training_status(run, now=run.modified_at + STALE_AFTER_S) == "LIVE"
    assert training_status(run, now=run.modified_at + STALE_AFTER_S + 0.5) == "STALE"


def test_epoch_label_per_variant(tmp_path: Path) -> None:
    custom, _ = read(build_custom_training(tmp_path / "custom"), tmp_path)
    trl, _ = read(build_trl_training(tmp_path / "trl"), tmp_path)
    assert custom is not None and trl is not None
    # Custom: the 0-based epoch in progress, one past the end capped at the total.
    assert epoch_label(custom.model_copy(update={"epoch": 0, "total_epochs": 3})) == "1/3"
    assert epoch_label(custom.model_copy(update={"epoch": 3, "total_epochs": 3})) == "3/3"
    assert epoch_label(custom.model_copy(update={"epoch": 1.0, "total_epochs": None})) == "2"
    # TRL: progress as logged, trailing zeros dropped.
    assert epoch_label(trl.model_copy(update={"epoch": 0.5, "total_epochs": 2})) == "0.5/2"
    assert epoch_label(trl.model_copy(update={"epoch": 1.0, "total_epochs": 2})) == "1/2"
    assert epoch_label(trl.model_copy(update={"epoch": None})) == "—"


def test_format_loss() -> None:
    assert format_loss(None) == "—"
    assert format_loss(0.123456) == "0.1235"


# --- following a log still being written ---------------------------------------------------------


def test_check_log_reads_again_only_what_changed(tmp_path: Path) -> None:
    log_path = build_custom_training(tmp_path)
    run, _ = read(log_path, tmp_path)
    assert run is not None

    # First look: the mtime discovery read it at means unchanged, nothing read.
    first = check_log(run, tmp_path, None)
    assert first.stamp is not None and not first.changed and first.run is None
    # Same stamp again: unchanged.
    assert not check_log(run, tmp_path, first.stamp).changed

    log = json.loads(log_path.read_text())
    log["losses"].append({**log["losses"][-1], "step": 999, "loss": 0.01})
    log_path.write_text(json.dumps(log))
    os.utime(log_path, ns=(first.stamp[0] + 10**9, first.stamp[0] + 10**9))
    later = check_log(run, tmp_path, first.stamp)
    assert later.changed and later.stamp != first.stamp
    assert later.run is not None and later.run.losses[-1].step == 999


def test_check_log_of_a_log_gone_or_broken(tmp_path: Path) -> None:
    log_path = build_custom_training(tmp_path)
    run, _ = read(log_path, tmp_path)
    assert run is not None
    stamp = check_log(run, tmp_path, None).stamp

    log_path.write_text("{ not json")
    os.utime(log_path, ns=(stamp[0] + 10**9, stamp[0] + 10**9))
    broken = check_log(run, tmp_path, stamp)
    assert broken.changed and broken.run is None  # the page keeps its last good read

    log_path.unlink()
    gone = check_log(run, tmp_path, broken.stamp)
    assert gone.stamp is None and not gone.changed


# --- figures ----------------------------------------------------------------------------------


def test_summary_figures_of_the_custom_example(tmp_path: Path) -> None:
    run, _ = read(build_custom_training(tmp_path), tmp_path)
    assert run is not None

    figures = summary_figures(run)

    # Epochs 0 and 1 (0-based) of total_epochs 2: two epochs covered.
    assert figures == {
        "steps": 8,
        "epochs": 2,
        "final_loss": 0.912,
        "best_loss": 0.912,
        "best_step": 8,
    }


def test_summary_figures_of_the_trl_example(tmp_path: Path) -> None:
    run, _ = read(build_trl_training(tmp_path), tmp_path)
    assert run is not None

    figures = summary_figures(run)

    # Largest step is the top-level 60, not the last logged entry's 10; epoch progress 1.0
    # covers one epoch; final loss is the last `losses` entry.
    assert figures == {
        "steps": 60,
        "epochs": 1,
        "final_loss": 1.91,
        "best_loss": 1.91,
        "best_step": 10,
    }


def test_custom_epoch_past_the_end_is_capped_at_total(tmp_path: Path) -> None:
    # The custom loop leaves `epoch` = total_epochs once it finishes (upstream displays
    # min(epoch + 1, total_epochs)).
    log = {**CUSTOM_LOG, "epoch": 2, "termination_status": "auto_complete"}
    run, _ = read(write_json(tmp_path / "training_log.json", log), tmp_path)

    assert run is not None and summary_figures(run)["epochs"] == 2


def test_trl_fractional_epochs_round_up(tmp_path: Path) -> None:
    log = {
        **TRL_LOG,
        "epoch": 1.25,
        "step": 75,
        "losses": [
            {"epoch": 0.5, "step": 30, "loss": 1.5, "time": 400.0},
            {"epoch": 1.25, "step": 75, "loss": 0.7, "time": 1000.0},
        ],
    }
    run, _ = read(write_json(tmp_path / "training_log.json", log), tmp_path)

    assert run is not None and summary_figures(run)["epochs"] == 2


def test_best_loss_is_the_first_step_reaching_the_minimum(tmp_path: Path) -> None:
    log = copy.deepcopy(CUSTOM_LOG)
    log["losses"] = [
        {"epoch": 0, "step": 1, "loss": 2.0},
        {"epoch": 0, "step": 2, "loss": 0.5},
        {"epoch": 1, "step": 3, "loss": 0.5},
        {"epoch": 1, "step": 4, "loss": 0.8},
    ]
    run, _ = read(write_json(tmp_path / "training_log.json", log), tmp_path)
    assert run is not None

    figures = summary_figures(run)

    assert (figures["final_loss"], figures["best_loss"], figures["best_step"]) == (0.8, 0.5, 2)


def test_figures_without_losses_fall_back_to_top_level(tmp_path: Path) -> None:
    log = {**CUSTOM_LOG, "losses": []}
    run, _ = read(write_json(tmp_path / "training_log.json", log), tmp_path)
    assert run is not None

    figures = summary_figures(run)

    assert figures["final_loss"] == 0.912
    assert figures["best_loss"] == 0.912 and figures["best_step"] == 8
    assert figures["steps"] == 8


def test_per_epoch_mean_loss_custom(tmp_path: Path) -> None:
    log = custom_log_with_epochs(
        steps_per_epoch=5, finished_steps=7, total_epochs=3, step_seconds=2.0
    )
    run, _ = read(write_json(tmp_path / "training_log.json", log), tmp_path)
    assert run is not None

    means = per_epoch_mean_loss(run)

    by_epoch: dict[int, list[float]] = {}
    for entry in log["losses"]:
        by_epoch.setdefault(entry["epoch"], []).append(entry["loss"])
    assert list(means) == [0, 1]
    for epoch, losses in by_epoch.items():
        assert means[epoch] == pytest.approx(statistics.mean(losses))


def test_per_epoch_mean_loss_trl_puts_progress_one_in_the_first_epoch(tmp_path: Path) -> None:
    log = {
        **TRL_LOG,
        "losses": [
            {"epoch": 0.5, "step": 10, "loss": 2.0},
            {"epoch": 1.0, "step": 20, "loss": 1.0},
            {"epoch": 1.5, "step": 30, "loss": 0.6},
            {"epoch": 2.0, "step": 40, "loss": 0.4},
        ],
    }
    run, _ = read(write_json(tmp_path / "training_log.json", log), tmp_path)
    assert run is not None

    assert per_epoch_mean_loss(run) == {0: pytest.approx(1.5), 1: pytest.approx(0.5)}


def test_mean_step_time_and_eta_custom(tmp_path: Path) -> None:
    # 5 steps per epoch, 3 epochs, 7 steps done at 2 s each: 8 steps (16 s) to go.
    log = custom_log_with_epochs(
        steps_per_epoch=5, finished_steps=7, total_epochs=3, step_seconds=2.0
    )
    run, _ = read(write_json(tmp_path / "training_log.json", log), tmp_path)
    assert run is not None

    assert mean_step_time(run) == pytest.approx(2.0)
    assert eta_seconds(run) == pytest.approx(16.0)


def test_step_time_divides_by_steps_between_trl_entries(tmp_path: Path) -> None:
    log = {
        **TRL_LOG,
        "losses": [
            {"epoch": 0.25, "step": 10, "loss": 2.0, "time": 130.0},
            {"epoch": 0.5, "step": 20, "loss": 1.5, "time": 260.0},
            {"epoch": 0.75, "step": 30, "loss": 1.2, "time": 390.0},
        ],
        "epoch": 0.75,
        "step": 30,
    }
    run, _ = read(write_json(tmp_path / "training_log.json", log), tmp_path)
    assert run is not None

    assert mean_step_time(run) == pytest.approx(13.0)
    # 40 steps per epoch (30 / 0.75), 2 epochs, 30 done: 50 steps at 13 s.
    assert eta_seconds(run) == pytest.approx(50 * 13.0)


def test_eta_of_the_trl_example_uses_elapsed_time_with_one_entry(tmp_path: Path) -> None:
    run, _ = read(build_trl_training(tmp_path), tmp_path)
    assert run is not None

    # One epoch took 60 steps, one more to go, at 802.4 s / 60 steps.
    assert mean_step_time(run) == pytest.approx(802.4 / 60)
    assert eta_seconds(run) == pytest.approx(802.4)


def test_eta_unknown_before_the_first_custom_epoch_ends_and_zero_when_done(tmp_path: Path) -> None:
    log = custom_log_with_epochs(
        steps_per_epoch=5, finished_steps=3, total_epochs=3, step_seconds=2.0
    )
    run, _ = read(write_json(tmp_path / "training_log.json", log), tmp_path)
    assert run is not None

    assert eta_seconds(run) is None
    assert eta_seconds(run.model_copy(update={"termination_status": "user_stop"})) == 0.0


# --- never raise ------------------------------------------------------------------------------


@FUZZ
@given(data=any_bytes | json_bytes(json_values))
def test_any_bytes_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    log_path = root / "training_log.json"
    log_path.write_bytes(data)
    ctx = ReadContext(root=root)

    run = read_training(log_path, ctx, retry_delay_s=0)

    if run is None:
        assert ctx.problems
    assert all(problem.path == "training_log.json" for problem in ctx.problems)


LOG_KEYS = [*CUSTOM_LOG, "status"]
LOSS_KEYS = ["epoch", "step", "loss", "lr", "time"]


@FUZZ
@given(
    top=shaped(LOG_KEYS),
    losses=shaped(LOSS_KEYS).map(lambda entry: [entry]) | json_values,
)
def test_arbitrary_field_values_give_a_run_and_sane_figures(
    tmp_path_factory: pytest.TempPathFactory, top: dict, losses: object
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    log_path = write_json(root / "training_log.json", {**top, "losses": losses})
    ctx = ReadContext(root=root)

    run = read_training(log_path, ctx, retry_delay_s=0)

    assert run is not None, "any object is read, with Problems for what is wrong in it"
    written = len(losses) if isinstance(losses, list) else 0
    skipped = written - len(run.losses)
    assert len([p for p in ctx.problems if "loss entry" in p.message]) == skipped
    figures = summary_figures(run)
    assert figures["epochs"] is None or figures["epochs"] >= 0
    for value in (*per_epoch_mean_loss(run).values(), mean_step_time(run), eta_seconds(run)):
        assert value is None or not math.isnan(value)
    assert training_status(run, now=0.0) in ("LIVE", "STALE", "DONE")
