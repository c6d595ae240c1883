"""analysis/evaldelta.py: per-metric deltas of two eval reports and the LoRA gate (FORMATS §7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench_tui.analysis.evaldelta import eval_metric_deltas, gate_on, lora_gate
from bench_tui.model import KNOWN_METRICS, EvalReport
from bench_tui.sources.common import ReadContext
from bench_tui.sources.training.evalreport import read_eval_report
from tests.fixtures.offline_builders import build_eval_reports


def report(name: str, **metrics: float | None) -> EvalReport:
    return EvalReport(id=f"eval/{name}.json", path=f"/x/eval/{name}.json", metrics=metrics)


@pytest.fixture
def example(tmp_path: Path) -> tuple[EvalReport, EvalReport]:
    """(base, fine-tuned) of the FORMATS §7 example, read by the real reader."""
    paths = build_eval_reports(tmp_path)
    ctx = ReadContext(root=tmp_path)
    base = read_eval_report(paths["base"], ctx)
    ft = read_eval_report(paths["ft"], ctx)
    assert base is not None and ft is not None and ctx.problems == []
    return base, ft


def test_formats_example_gate_passes(example: tuple[EvalReport, EvalReport]) -> None:
    base, ft = example
    gate = lora_gate(base, ft)
    assert gate.metric == "action_type_accuracy" and gate.threshold == 0.20
    assert gate.delta == pytest.approx(0.338)
    assert gate.passed


def test_gate_tolerates_float_error_at_the_threshold() -> None:
    base, ft = report("base", action_type_accuracy=0.274), report("ft", action_type_accuracy=0.474)
    assert 0.474 - 0.274 < 0.20  # the binary-float trap DESIGN §9 names
    gate = lora_gate(base, ft)
    assert gate.passed and gate.delta == 0.474 - 0.274
    just_short = lora_gate(base, report("ft", action_type_accuracy=0.4739))
    assert not just_short.passed


def test_gate_settings_are_configurable(example: tuple[EvalReport, EvalReport]) -> None:
    base, ft = example
    assert not lora_gate(base, ft, threshold=0.35).passed
    episodes = lora_gate(base, ft, metric="episode_success_rate", threshold=0.05)
    assert episodes.delta == pytest.approx(0.083) and episodes.passed


def test_gate_on_a_metric_a_side_lacks_fails_without_a_delta(
    example: tuple[EvalReport, EvalReport],
) -> None:
    base, ft = example
    gate = lora_gate(base, ft, metric="click_hit_rate")  # null in the base report
    assert (gate.delta, gate.passed) == (None, False)
    nowhere = lora_gate(base, ft, metric="no_such_metric")
    assert (nowhere.delta, nowhere.passed) == (None, False)


def test_gate_on_a_lower_is_better_metric_wants_a_drop() -> None:
    base, ft = report("base", mean_coord_error=0.161), report("ft", mean_coord_error=0.038)
    gate = lora_gate(base, ft, metric="mean_coord_error", threshold=0.1)
    assert gate.delta == pytest.approx(-0.123) and gate.passed
    assert not lora_gate(ft, base, metric="mean_coord_error", threshold=0.1).passed


def test_every_metric_of_either_report_has_a_delta(example: tuple[EvalReport, EvalReport]) -> None:
    base, ft = example
    deltas = eval_metric_deltas(base, ft)
    assert list(deltas)[: len(KNOWN_METRICS)] == list(KNOWN_METRICS)
    accuracy = deltas["action_type_accuracy"]
    assert (accuracy.a, accuracy.b) == (0.274, 0.612)
    assert accuracy.delta == pytest.approx(0.338)
    # measured in ft only: not measured is never 0
    assert deltas["click_hit_rate"].a is None and deltas["click_hit_rate"].delta is None
    assert deltas["mean_coord_error"].delta is None
    assert deltas["coord_error_count"].delta == 71


def test_higher_is_better_per_metric(example: tuple[EvalReport, EvalReport]) -> None:
    deltas = eval_metric_deltas(*example)
    assert deltas["action_type_accuracy"].higher_is_better is True
    assert deltas["click_hit_rate"].higher_is_better is True
    assert deltas["episode_success_rate"].higher_is_better is True
    assert deltas["mean_coord_error"].higher_is_better is False
    for count in ("num_episodes", "num_steps", "coord_error_count"):
        assert deltas[count].higher_is_better is None


def test_metric_only_one_report_knows_is_listed_with_a_null_delta() -> None:
    base = report("base", action_type_accuracy=0.3)
    ft = report("ft", action_type_accuracy=0.5, latency_score=0.9)
    deltas = eval_metric_deltas(base, ft)
    assert list(deltas) == ["action_type_accuracy", "latency_score"]
    assert deltas["latency_score"].b == 0.9 and deltas["latency_score"].delta is None


def test_gate_on_reads_the_deltas_it_is_given() -> None:
    deltas = eval_metric_deltas(
        report("a", element_accuracy=0.1), report("b", element_accuracy=0.4)
    )
    assert gate_on(deltas, "element_accuracy", 0.3).passed
    assert not gate_on(deltas, "element_accuracy", 0.31).passed
