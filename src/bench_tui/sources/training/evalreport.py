"""OpenAdapt offline eval reports (FORMATS §7): one JSON per model/checkpoint/backend.

Two shapes: schema v1.0 wraps the metrics in a `metrics` object; legacy pre-v1 files are flat.
Absent metrics are "not measured" (None), never 0: upstream plots draw null as 0 and that has
misled people before.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bench_tui.model import KNOWN_METRICS, EvalReport
from bench_tui.model.evalreport import COUNT_METRICS, LOWER_IS_BETTER
from bench_tui.sources._io.ranges import AT_LEAST_ZERO, COUNT, RATE
from bench_tui.sources.common import JsonDoc, ReadContext, json_type, read_json
from bench_tui.sources.jsonvalues import DocProblems, as_number

WHAT = "an eval report (a JSON object with a 'metrics' object of known metrics)"

# Top-level keys of a v1.0 report; in a flat legacy file they are not metrics even when numeric.
_REPORT_KEYS = frozenset({"config_path", "backend", "dsl_mode", "schema_version", "metrics"})

# Keys that mark other OpenAdapt JSON files which may also carry metric-like numbers.
_OTHER_FORMAT_KEYS = ("losses", "steps", "episodes", "base_data")


def looks_like_eval_report(data: Any) -> bool:
    """FORMATS §3: a `metrics` object with a known metric, or a flat object with two or more,
    and not a training log, an episode or a predictions file."""
    if not isinstance(data, dict):
        return False
    if any(isinstance(data.get(key), list) for key in _OTHER_FORMAT_KEYS):
        return False
    metrics = data.get("metrics")
    if isinstance(metrics, dict):
        return any(name in metrics for name in KNOWN_METRICS)
    return sum(1 for name in KNOWN_METRICS if name in data) >= 2


def read_eval_report(path: Path, ctx: ReadContext, doc: JsonDoc | None = None) -> EvalReport | None:
    """The report at `path`, or None with a Problem when it is not one. Wrongly typed metrics
    are a Problem each and read as None; the rest of the report still shows."""
    if doc is None:
        doc = read_json(path, ctx, what=WHAT)
        if doc is None:
            return None
    data = doc.data
    if not isinstance(data, dict):
        ctx.problem(path, f"expected {WHAT}, got a JSON {json_type(data)}", line=1)
        return None
    problems = DocProblems(doc, ctx)

    wrapped = isinstance(data.get("metrics"), dict)
    if not wrapped and "metrics" in data and data["metrics"] is not None:
        problems.wrong(["metrics"], "an object of metric values", data["metrics"])
    source: dict[str, Any] = data["metrics"] if wrapped else data
    source_path: list[str | int] = ["metrics"] if wrapped else []
    if not any(name in source for name in KNOWN_METRICS):
        ctx.problem(path, f"no known metric found: expected {WHAT}", line=1)
        return None

    metrics: dict[str, float | None] = {}
    for name in KNOWN_METRICS:
        metrics[name] = _metric(source, name, source_path, problems)
    for name, value in source.items():
        if name in metrics or (not wrapped and name in _REPORT_KEYS):
            continue
        # Unknown keys: numeric ones are new metrics worth showing, anything else is ignored.
        number = as_number(value)
        if number is not None:
            metrics[name] = number

    dsl_mode = problems.text(data, "dsl_mode", [])
    report = EvalReport(
        id=ctx.rel(path),
        path=os.path.abspath(path),
        backend=problems.text(data, "backend", []),
        config_path=problems.text(data, "config_path", []),
        dsl_mode=dsl_mode or "coord",
        legacy=not wrapped,
        metrics=metrics,
    )
    problems.finish()
    return report


def _metric(
    source: dict[str, Any], name: str, source_path: list[str | int], problems: DocProblems
) -> float | None:
    value = source.get(name)
    if value is None:
        return None
    number = as_number(value)
    if name in COUNT_METRICS:
        if number is None or not number.is_integer():
            problems.wrong([*source_path, name], "a whole number of at least 0", value)
            return None
        return problems.within(number, [*source_path, name], value, COUNT)
    if number is None:
        problems.wrong([*source_path, name], "a finite number", value)
    within = AT_LEAST_ZERO if name in LOWER_IS_BETTER else RATE
    return problems.within(number, [*source_path, name], value, within)
