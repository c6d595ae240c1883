"""The JSON-ready shape of `compare A B --json` (DESIGN §3, §9), for two runs or two eval reports.

The human output and the exit code of `--fail-on-regression` are read from the same object, so
the three never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bench_tui.analysis.compare import (
    RUN_METRICS,
    CompareInputError,
    MetricDelta,
    OutcomeMatrix,
    outcome_matrix,
    own_figures,
    pick_model,
    shared_metric_deltas,
    task_set_warnings,
)
from bench_tui.analysis.evaldelta import (
    DEFAULT_GATE_METRIC,
    DEFAULT_GATE_THRESHOLD,
    Gate,
    eval_metric_deltas,
    gate_on,
)
from bench_tui.model import EvalReport, Run


@dataclass(frozen=True)
class Comparison:
    data: dict[str, Any]
    """Exactly what `compare --json` prints."""
    regressions: list[str]
    gate: Gate | None
    warnings: list[str] = field(default_factory=list)

    @property
    def fails(self) -> bool:
        """What `--fail-on-regression` exits 1 on: a task A passed fails in B, or a failed gate."""
        return bool(self.regressions) or (self.gate is not None and not self.gate.passed)


def _delta_json(delta: MetricDelta) -> dict[str, Any]:
    return {
        "a": delta.a,
        "b": delta.b,
        "delta": delta.delta,
        "higher_is_better": delta.higher_is_better,
    }


def _gate_json(gate: Gate | None) -> dict[str, Any] | None:
    if gate is None:
        return None
    return {
        "metric": gate.metric,
        "threshold": gate.threshold,
        "delta": gate.delta,
        "passed": gate.passed,
    }


def _body(
    a: str,
    b: str,
    matrix: OutcomeMatrix | None,
    deltas: dict[str, MetricDelta],
    gate: Gate | None,
) -> dict[str, Any]:
    return {
        "a": a,
        "b": b,
        "shared_tasks": matrix.shared_tasks if matrix else 0,
        "a_only_pass": list(matrix.a_only_pass) if matrix else [],
        "b_only_pass": list(matrix.b_only_pass) if matrix else [],
        "both_pass": matrix.both_pass if matrix else 0,
        "both_fail": matrix.both_fail if matrix else 0,
        "missing": {
            "a": list(matrix.missing_a) if matrix else [],
            "b": list(matrix.missing_b) if matrix else [],
        },
        "mcnemar_p": matrix.mcnemar_p if matrix else None,  # eval reports have no tasks
        "metric_deltas": {name: _delta_json(delta) for name, delta in deltas.items()},
        "gate": _gate_json(gate),
    }


def compare_runs(
    a_name: str,
    b_name: str,
    run_a: Run,
    run_b: Run,
    *,
    model_a: str | None = None,
    model_b: str | None = None,
    gate_metric: str | None = None,
    gate_threshold: float | None = None,
    run_names: tuple[str, str] | None = None,
) -> Comparison:
    """Two runs, or two models of one run (pass the same run twice). The gate is evaluated only
    when `gate_metric` is given, on one of the run-level metrics. `a_name`/`b_name` go into the
    JSON; `run_names` name the runs in messages when those differ (two models of one run).

    Raises CompareInputError for an ambiguous or unknown model or an unknown gate metric.
    """
    if gate_metric is not None and gate_metric not in RUN_METRICS:
        raise CompareInputError(
            f"--gate-metric for runs must be one of: {', '.join(RUN_METRICS)} (got '{gate_metric}')"
        )
    # Resolved here so that messages name the runs as the user typed them.
    where_a, where_b = run_names or (a_name, b_name)
    model_a = pick_model(run_a, model_a, where_a)
    model_b = pick_model(run_b, model_b, where_b)
    matrix = outcome_matrix(run_a, run_b, model_a, model_b)
    deltas = shared_metric_deltas(run_a, run_b, model_a, model_b, matrix)
    gate = None
    if gate_metric is not None:
        threshold = DEFAULT_GATE_THRESHOLD if gate_threshold is None else gate_threshold
        gate = gate_on(deltas, gate_metric, threshold)
    data = _body(a_name, b_name, matrix, deltas, gate)
    # Added after the §9 keys, never renaming them (DESIGN §10 "Shared tasks").
    data["pending"] = {"a": list(matrix.pending_a), "b": list(matrix.pending_b)}
    data["a_all"] = own_figures(run_a, model_a)
    data["b_all"] = own_figures(run_b, model_b)
    return Comparison(
        data=data,
        regressions=list(matrix.regressions),
        gate=gate,
        warnings=task_set_warnings(matrix),
    )


def compare_evals(
    a_name: str,
    b_name: str,
    report_a: EvalReport,
    report_b: EvalReport,
    *,
    gate_metric: str | None = None,
    gate_threshold: float | None = None,
) -> Comparison:
    """Two eval reports (A = base, B = fine-tuned): no task fields, every metric's delta, and the
    LoRA gate, always evaluated (a metric either side lacks fails it)."""
    deltas = eval_metric_deltas(report_a, report_b)
    gate = gate_on(
        deltas,
        gate_metric or DEFAULT_GATE_METRIC,
        DEFAULT_GATE_THRESHOLD if gate_threshold is None else gate_threshold,
    )
    warnings = []
    if gate.delta is None:
        warnings.append(f"gate metric '{gate.metric}' is not measured on both sides")
    return Comparison(
        data=_body(a_name, b_name, None, deltas, gate),
        regressions=[],
        gate=gate,
        warnings=warnings,
    )
