"""Eval reports (FORMATS §7): the three documented examples, None-not-0, located Problems."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench_tui.model import KNOWN_METRICS
from bench_tui.sources.common import ReadContext, read_json
from bench_tui.sources.training.evalreport import looks_like_eval_report, read_eval_report
from tests.fixtures.json_strategies import any_bytes, json_bytes, json_values, shaped
from tests.fixtures.offline_builders import (
    CUSTOM_LOG,
    EVAL_BASE,
    EVAL_FT,
    EVAL_LEGACY,
    build_eval_reports,
    eval_report,
    write_json,
)

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def line_containing(path: Path, needle: str) -> int:
    """1-based line of the first line of the file holding `needle` (found independently of
    the reader's own locating code)."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_finetuned_example_reads_every_documented_field(tmp_path: Path) -> None:
    paths = build_eval_reports(tmp_path)
    ctx = ReadContext(root=tmp_path)

    report = read_eval_report(paths["ft"], ctx)

    assert report is not None
    assert ctx.problems == []
    assert report.id == "experiments/checkout_flow/eval/eval_tern3b_ft.json"
    assert os.path.isabs(report.path) and Path(report.path) == paths["ft"]
    assert (report.backend, report.config_path, report.dsl_mode) == (
        "qwen3",
        "configs/tern3b_checkout.yaml",
        "coord",
    )
    assert report.legacy is False
    assert report.is_finetuned
    assert list(report.metrics) == list(KNOWN_METRICS)
    for name, value in EVAL_FT["metrics"].items():
        assert report.metrics[name] == value, name


def test_base_report_keeps_unmeasured_metrics_as_none_never_zero(tmp_path: Path) -> None:
    paths = build_eval_reports(tmp_path)
    ctx = ReadContext(root=tmp_path)

    report = read_eval_report(paths["base"], ctx)

    assert report is not None and ctx.problems == []
    assert set(report.metrics) == set(KNOWN_METRICS)
    absent = set(KNOWN_METRICS) - set(EVAL_BASE["metrics"])
    assert absent, "the base example leaves metrics out"
    for name in absent:
        assert report.metrics[name] is None, name
    # Written null stays None; a measured 0 stays 0.
    assert report.metrics["mean_coord_error"] is None
    assert report.metrics["click_hit_rate"] is None
    assert report.metrics["coord_error_count"] == 0
    assert report.metrics["episode_success_rate"] == 0.0
    assert not report.is_finetuned


def test_finetuned_minus_base_passes_the_lora_gate(tmp_path: Path) -> None:
    paths = build_eval_reports(tmp_path)
    ctx = ReadContext(root=tmp_path)
    ft = read_eval_report(paths["ft"], ctx)
    base = read_eval_report(paths["base"], ctx)
    assert ft is not None and base is not None

    delta = ft.metrics["action_type_accuracy"] - base.metrics["action_type_accuracy"]

    assert delta == pytest.approx(0.338)
    assert delta >= 0.20 - 1e-9


def test_legacy_flat_file(tmp_path: Path) -> None:
    paths = build_eval_reports(tmp_path)
    ctx = ReadContext(root=tmp_path)

    report = read_eval_report(paths["legacy"], ctx)

    assert report is not None and ctx.problems == []
    assert report.legacy is True
    assert report.id == "legacy/eval_first.json"
    assert report.backend is None and report.config_path is None
    assert report.dsl_mode == "coord"
    assert report.metrics["num_episodes"] == 8
    assert report.metrics["action_type_accuracy"] == 0.45
    assert report.metrics["click_hit_rate"] is None
    assert set(report.metrics) == set(KNOWN_METRICS)


def test_unknown_numeric_metric_is_kept_and_non_numeric_ignored(tmp_path: Path) -> None:
    data = eval_report(scroll_accuracy=0.5, notes="looked fine")
    path = write_json(tmp_path / "eval_new.json", data)
    ctx = ReadContext(root=tmp_path)

    report = read_eval_report(path, ctx)

    assert report is not None and ctx.problems == []
    assert report.metrics["scroll_accuracy"] == 0.5
    assert "notes" not in report.metrics


def test_legacy_file_does_not_take_report_keys_for_metrics(tmp_path: Path) -> None:
    data = {**EVAL_LEGACY, "backend": "qwen3", "schema_version": 0.9, "extra_rate": 0.25}
    path = write_json(tmp_path / "eval_flat.json", data)
    ctx = ReadContext(root=tmp_path)

    report = read_eval_report(path, ctx)

    assert report is not None
    assert report.backend == "qwen3"
    assert "schema_version" not in report.metrics
    assert report.metrics["extra_rate"] == 0.25


@pytest.mark.parametrize(
    ("metric", "bad_value"),
    [
        ("click_hit_rate", "high"),
        ("action_type_accuracy", True),
        ("num_steps", 16.5),
        ("coord_error_count", -3),
        ("mean_episode_progress", [0.5]),
    ],
)
def test_wrongly_typed_metric_is_a_problem_for_that_metric_only(
    tmp_path: Path, metric: str, bad_value: object
) -> None:
    path = write_json(tmp_path / "eval_bad.json", eval_report(**{metric: bad_value}))
    ctx = ReadContext(root=tmp_path)

    report = read_eval_report(path, ctx)

    assert report is not None
    assert report.metrics[metric] is None
    assert len(ctx.problems) == 1
    problem = ctx.problems[0]
    assert problem.path == "eval_bad.json"
    assert problem.line == line_containing(path, f'"{metric}"')
    assert metric in problem.message and "expected" in problem.message
    # Every other metric still reads as written.
    for name, value in EVAL_FT["metrics"].items():
        if name != metric:
            assert report.metrics[name] == value, name


def test_non_finite_metric_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "eval_nan.json"
    path.write_text('{"metrics": {"num_steps": 10,\n "action_type_accuracy": NaN}}')
    ctx = ReadContext(root=tmp_path)

    report = read_eval_report(path, ctx)

    assert report is not None and report.metrics["action_type_accuracy"] is None
    assert [p.line for p in ctx.problems] == [2]


def test_wrapped_metrics_not_an_object_falls_back_to_flat_with_problem(tmp_path: Path) -> None:
    path = write_json(tmp_path / "eval_odd.json", {**EVAL_LEGACY, "metrics": "see below"})
    ctx = ReadContext(root=tmp_path)

    report = read_eval_report(path, ctx)

    assert report is not None and report.legacy is True
    assert report.metrics["num_steps"] == 40
    assert len(ctx.problems) == 1
    assert ctx.problems[0].line == line_containing(path, '"metrics"')


@pytest.mark.parametrize(
    "data",
    [[1, 2], "text", {"metrics": {"loss": 1.0}}, {"loss": 1.0, "accuracy": 0.5}],
    ids=["array", "string", "no-known-metric", "flat-no-known-metric"],
)
def test_not_a_report_gives_none_and_a_problem(tmp_path: Path, data: object) -> None:
    path = write_json(tmp_path / "eval_x.json", data)
    ctx = ReadContext(root=tmp_path)

    assert read_eval_report(path, ctx) is None
    assert len(ctx.problems) == 1
    assert ctx.problems[0].path == "eval_x.json"
    assert "expected" in ctx.problems[0].message


def test_flat_file_with_one_metric_is_read_when_asked_but_not_detected(tmp_path: Path) -> None:
    # Detection needs two flat metrics to avoid claiming unrelated JSON; a file the user names
    # (bench-tui compare a.json b.json) is read with whatever it has.
    data = {"action_type_accuracy": 0.5}
    path = write_json(tmp_path / "eval_one.json", data)
    ctx = ReadContext(root=tmp_path)

    report = read_eval_report(path, ctx)

    assert not looks_like_eval_report(data)
    assert report is not None and report.legacy
    assert report.metrics["action_type_accuracy"] == 0.5
    assert report.metrics["num_steps"] is None


def test_truncated_report_is_a_problem_with_line(tmp_path: Path) -> None:
    path = tmp_path / "eval_cut.json"
    text = json.dumps(EVAL_FT, indent=1)
    cut = text[: text.index('"click_hit_rate"')]
    path.write_text(cut)
    ctx = ReadContext(root=tmp_path)

    assert read_eval_report(path, ctx) is None
    assert len(ctx.problems) == 1
    assert ctx.problems[0].line == cut.count("\n") + 1


def test_integer_too_long_to_convert_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "eval_big.json"
    path.write_text('{"metrics": {"num_steps": ' + "9" * 5000 + "}}")
    ctx = ReadContext(root=tmp_path)

    assert read_eval_report(path, ctx) is None
    assert len(ctx.problems) == 1


def test_parsed_doc_is_used_without_reading_again(tmp_path: Path) -> None:
    paths = build_eval_reports(tmp_path)
    ctx = ReadContext(root=tmp_path)
    doc = read_json(paths["ft"], ctx)
    assert doc is not None
    paths["ft"].unlink()

    report = read_eval_report(paths["ft"], ctx, doc)

    assert report is not None and report.metrics["action_type_accuracy"] == 0.612
    assert ctx.problems == []


def test_detection_rule() -> None:
    assert looks_like_eval_report(EVAL_FT)
    assert looks_like_eval_report(EVAL_BASE)
    assert looks_like_eval_report(EVAL_LEGACY)
    assert looks_like_eval_report({"metrics": {"click_hit_rate": None}})
    assert not looks_like_eval_report({"num_steps": 4})
    assert not looks_like_eval_report({"metrics": {}})
    assert not looks_like_eval_report(CUSTOM_LOG)
    assert not looks_like_eval_report({"num_steps": 3, "num_episodes": 1, "steps": []})
    assert not looks_like_eval_report([EVAL_FT])
    assert not looks_like_eval_report(None)


@FUZZ
@given(data=any_bytes | json_bytes(json_values))
def test_any_bytes_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    path = root / "eval.json"
    path.write_bytes(data)
    ctx = ReadContext(root=root)

    report = read_eval_report(path, ctx)

    if report is None:
        assert ctx.problems, "a file that is not read must say why"
    assert all(problem.path == "eval.json" for problem in ctx.problems)
    assert all(problem.line is None or problem.line >= 1 for problem in ctx.problems)


@FUZZ
@given(
    metrics=shaped([*KNOWN_METRICS, "new_metric"]),
    top=shaped(["backend", "config_path", "dsl_mode"]),
    wrapped=st.booleans(),
)
def test_arbitrary_metric_values_give_finite_numbers_or_problems(
    tmp_path_factory: pytest.TempPathFactory, metrics: dict, top: dict, wrapped: bool
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    data = {**top, "metrics": metrics} if wrapped else {**metrics, **top}
    path = write_json(root / "eval.json", data)
    ctx = ReadContext(root=root)

    report = read_eval_report(path, ctx)

    if report is None:
        assert ctx.problems
        return
    assert set(KNOWN_METRICS) <= set(report.metrics)
    for name, value in report.metrics.items():
        assert value is None or math.isfinite(value), name
    unreadable = [
        name
        for name in KNOWN_METRICS
        if metrics.get(name) is not None and report.metrics[name] is None
    ]
    # Each metric that was there but came out None has its own Problem naming it.
    for name in unreadable:
        assert any(f"'{name}'" in problem.message for problem in ctx.problems), name
