"""Base vs fine-tuned pairing, checkpoint links and gate settings (analysis/evalpairs.py)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from bench_tui.analysis.evalpairs import (
    GATE_METRIC_ENV,
    GATE_THRESHOLD_ENV,
    GateSettings,
    gate_settings,
    link_checkpoints,
    name_stem,
    pair_gate,
    pair_reports,
    report_role,
    reports_for_training,
)
from bench_tui.model import Checkpoint, EvalReport, TrainingRun

CONFIG = "configs/tern3b_checkout.yaml"


def report(report_id: str, config_path: str | None = CONFIG, **metrics: Any) -> EvalReport:
    return EvalReport(
        id=report_id, path=f"/ws/{report_id}", config_path=config_path, metrics=metrics
    )


def run_with_checkpoints(*epochs: int, config_path: str | None = CONFIG) -> TrainingRun:
    return TrainingRun(
        id="training_output/job",
        path="/ws/training_output/job",
        log_path="/ws/training_output/job/training_log.json",
        config_path=config_path,
        checkpoints=[
            Checkpoint(name=f"epoch_{e}", path=f"/ws/checkpoints/epoch_{e}", epoch=e)
            for e in epochs
        ],
    )


def test_roles_come_from_the_file_name() -> None:
    assert report_role(report("eval/eval_tern3b_ft.json")) == "finetuned"
    assert report_role(report("eval/eval_tern3b_lora.json")) == "finetuned"
    assert report_role(report("eval/eval_tern3b_finetuned.json")) == "finetuned"
    assert report_role(report("eval/eval_tern3b_base.json")) == "base"
    assert report_role(report("eval/eval_lumen4o.json")) == "other"
    assert name_stem(report("eval/eval_tern3b_ft.json")) == name_stem(
        report("eval/eval_tern3b_base.json")
    )


def test_siblings_pair_by_name_and_never_across_folders() -> None:
    reports = [
        report("a/eval/eval_tern3b_base.json"),
        report("a/eval/eval_tern3b_ft.json"),
        report("a/eval/eval_other.json"),
        report("b/eval/eval_tern3b_ft.json"),  # no base in its folder
    ]
    pairs = pair_reports(reports)
    assert len(pairs) == 1
    assert pairs[0].base.id == "a/eval/eval_tern3b_base.json"
    assert pairs[0].finetuned.id == "a/eval/eval_tern3b_ft.json"
    assert pairs[0].matched_on == "name"


def test_two_bases_in_a_folder_pair_by_stem_then_by_config() -> None:
    reports = [
        report("eval/eval_small_base.json"),
        report("eval/eval_large_base.json", config_path="configs/large.yaml"),
        report("eval/eval_small_ft.json"),
        report("eval/eval_large_lora_e3.json", config_path="configs/large.yaml"),
    ]
    pairs = {p.finetuned.name: p for p in pair_reports(reports)}
    assert pairs["eval_small_ft"].base.name == "eval_small_base"
    assert pairs["eval_large_lora_e3"].base.name == "eval_large_base"
    assert pairs["eval_large_lora_e3"].matched_on == "config_path"


def test_a_lone_base_pairs_with_any_fine_tuned_sibling() -> None:
    pairs = pair_reports([report("eval/base_model.json"), report("eval/lora_run7.json")])
    assert [(p.base.name, p.finetuned.name, p.matched_on) for p in pairs] == [
        ("base_model", "lora_run7", "only base in folder")
    ]


def test_gate_passes_within_the_float_tolerance() -> None:
    settings = GateSettings()
    pair = pair_reports(
        [
            report("eval/x_base.json", action_type_accuracy=0.274),
            report("eval/x_ft.json", action_type_accuracy=0.474),
        ]
    )[0]
    gate = pair_gate(pair, settings)
    assert gate.passed and gate.delta == pytest.approx(0.2)
    near_miss = pair_reports(
        [
            report("eval/x_base.json", action_type_accuracy=0.274),
            report("eval/x_ft.json", action_type_accuracy=0.4739),
        ]
    )[0]
    assert not pair_gate(near_miss, settings).passed


def test_gate_on_an_unmeasured_metric_has_no_delta_and_does_not_pass() -> None:
    pair = pair_reports(
        [report("eval/x_base.json", action_type_accuracy=None), report("eval/x_ft.json")]
    )[0]
    gate = pair_gate(pair, GateSettings())
    assert gate.delta is None and not gate.passed


def test_gate_settings_come_from_the_environment() -> None:
    assert gate_settings({}) == GateSettings("action_type_accuracy", 0.20)
    custom = gate_settings({GATE_METRIC_ENV: "click_hit_rate", GATE_THRESHOLD_ENV: "0.05"})
    assert (custom.metric, custom.threshold, custom.note) == ("click_hit_rate", 0.05, None)
    broken = gate_settings({GATE_THRESHOLD_ENV: "lots"})
    assert broken.threshold == 0.20 and broken.note and "lots" in broken.note
    assert gate_settings({GATE_THRESHOLD_ENV: "nan"}).threshold == 0.20


def test_reports_link_to_training_by_config_path_only() -> None:
    run = run_with_checkpoints(1, 2, 3)
    same = report("eval/eval_tern3b_ft.json")
    other = report("eval/eval_else_ft.json", config_path="configs/else.yaml")
    missing = report("eval/eval_legacy.json", config_path=None)
    assert reports_for_training(run, [same, other, missing]) == [same]
    assert reports_for_training(run_with_checkpoints(1, config_path=None), [missing]) == []


def test_checkpoint_links_by_name_then_latest_then_base_and_other_rows() -> None:
    run = run_with_checkpoints(1, 2, 3)
    reports = [
        report("eval/eval_tern3b_ft.json"),
        report("eval/eval_tern3b_e2.json"),
        report("eval/eval_tern3b_epoch_1.json"),
        report("eval/eval_tern3b_base.json"),
        report("eval/eval_lumen4o.json"),
    ]
    links = {link.label: link for link in link_checkpoints(run, reports)}
    assert list(links) == ["epoch_1", "epoch_2", "epoch_3", "base model", "other models"]
    assert [r.name for r in links["epoch_1"].reports] == ["eval_tern3b_epoch_1"]
    assert [r.name for r in links["epoch_2"].reports] == ["eval_tern3b_e2"]
    assert not links["epoch_2"].assumed
    assert [r.name for r in links["epoch_3"].reports] == ["eval_tern3b_ft"]
    assert links["epoch_3"].assumed
    assert [r.name for r in links["base model"].reports] == ["eval_tern3b_base"]
    assert [r.name for r in links["other models"].reports] == ["eval_lumen4o"]


def test_hf_checkpoint_names_link_by_step() -> None:
    run = TrainingRun(
        id="checkpoints",
        path="/ws/checkpoints",
        log_path="/ws/checkpoints/training_log.json",
        config_path=CONFIG,
        checkpoints=[
            Checkpoint(name="checkpoint-30", path="/ws/checkpoints/checkpoint-30"),
            Checkpoint(name="checkpoint-60", path="/ws/checkpoints/checkpoint-60"),
        ],
    )
    links = link_checkpoints(run, [report("eval/eval_checkpoint-30.json")])
    assert [r.name for r in links[0].reports] == ["eval_checkpoint-30"]
    assert links[1].reports == ()


def test_evalpairs_does_not_import_textual() -> None:
    code = (
        "import sys, bench_tui.analysis.evalpairs, bench_tui.analysis.episode_metrics; "
        "print('textual' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
