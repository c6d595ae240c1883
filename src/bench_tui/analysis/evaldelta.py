"""Base vs fine-tuned eval reports (FORMATS §7): a delta per metric and the LoRA gate.

An absent metric is "not measured", never 0: its delta is None, and a gate on it fails rather
than passing or failing on a made-up number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bench_tui.analysis.compare import MetricDelta, metric_delta
from bench_tui.model import KNOWN_METRICS, EvalReport, higher_is_better

DEFAULT_GATE_METRIC = "action_type_accuracy"
DEFAULT_GATE_THRESHOLD = 0.20
GATE_TOLERANCE = 1e-9
"""DESIGN §9: 0.474 − 0.274 is 0.19999999999999996 in binary floats and must pass a 0.20 gate."""


def eval_metric_deltas(a: EvalReport, b: EvalReport) -> dict[str, MetricDelta]:
    """Every metric either report holds, known metrics first in FORMATS §7 order, then new ones
    alphabetically. B − A; None where a side did not measure the metric."""
    present = a.metrics.keys() | b.metrics.keys()
    names = [m for m in KNOWN_METRICS if m in present]
    names += sorted(present - set(KNOWN_METRICS))
    return {
        name: metric_delta(a.metrics.get(name), b.metrics.get(name), higher_is_better(name))
        for name in names
    }


@dataclass(frozen=True)
class Gate:
    metric: str
    threshold: float
    delta: float | None
    """B − A of the metric, as measured (None when a side lacks it)."""
    passed: bool


def gate_on(
    deltas: Mapping[str, MetricDelta], metric: str, threshold: float = DEFAULT_GATE_THRESHOLD
) -> Gate:
    """Passes when B improved on A by at least `threshold` (within GATE_TOLERANCE).

    For a lower-is-better metric (mean_coord_error, mean_steps) improving means going down, so
    the drop is what must reach the threshold; `delta` is still reported as B − A.
    """
    entry = deltas.get(metric)
    delta = entry.delta if entry is not None else None
    if delta is None:
        return Gate(metric, threshold, None, False)
    gain = -delta if entry is not None and entry.higher_is_better is False else delta
    return Gate(metric, threshold, delta, gain >= threshold - GATE_TOLERANCE)


def lora_gate(
    a: EvalReport,
    b: EvalReport,
    metric: str = DEFAULT_GATE_METRIC,
    threshold: float = DEFAULT_GATE_THRESHOLD,
) -> Gate:
    """The source project's gate: fine-tuned (B) − base (A) ≥ 0.20 on action_type_accuracy."""
    return gate_on(eval_metric_deltas(a, b), metric, threshold)
