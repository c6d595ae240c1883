"""A vs B (DESIGN §2 split view, §3/§9 `compare`): step alignment, outcome matrix, McNemar, deltas.

A is always the baseline and B the newer run or the fine-tuned model, so "regression" means a task
A passed and B did not. Pure functions over model objects; no Textual, no Rich.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bench_tui.analysis.summary import Figures, figures
from bench_tui.model import Action, Execution, Run, Step
from bench_tui.model.dates import date_order
from bench_tui.model.ordering import natural_key

GRID = 20
"""Coordinates are bucketed to a 20×20 grid (cells of 5 % of the screen): two models aiming at the
same button rarely hit the same pixel, but 5 % is still finer than most controls are apart."""

_KEY_TYPES = frozenset({"key", "hotkey"})
_MODIFIER_ALIASES = {
    "control": "ctrl",
    "ctl": "ctrl",
    "option": "alt",
    "opt": "alt",
    "command": "cmd",
    "win": "cmd",
    "super": "cmd",
    "meta": "cmd",
    "windows": "cmd",
}
_MODIFIERS = frozenset({"ctrl", "alt", "shift", "cmd"})


class CompareInputError(ValueError):
    """The inputs cannot be compared as asked (ambiguous or unknown model, unknown metric)."""


# ----- action and step signatures --------------------------------------------------------------


def _bucket(value: float) -> int:
    return min(GRID - 1, max(0, int(value * GRID)))


def _key_combo(action: Action) -> str | None:
    # `hotkey ctrl+s`, `key s` + modifiers [ctrl] and `key Control+S` are the same key press.
    parts = [*action.modifiers, *(action.key or action.text or "").split("+")]
    names = [_MODIFIER_ALIASES.get(p, p) for p in (part.strip().lower() for part in parts) if p]
    if not names:
        return None
    modifiers = sorted({name for name in names if name in _MODIFIERS})
    keys = [name for name in names if name not in _MODIFIERS]
    return "+".join([*modifiers, *keys])


def _target(action: Action) -> tuple[Any, ...] | None:
    if action.element_id is not None and str(action.element_id).strip():
        return ("element", str(action.element_id).strip())
    if not action.has_point:
        return None
    assert action.x is not None and action.y is not None
    cell: tuple[Any, ...] = ("cell", _bucket(action.x), _bucket(action.y))
    if action.type == "drag" and action.end_x is not None and action.end_y is not None:
        cell = (*cell, _bucket(action.end_x), _bucket(action.end_y))
    return cell


def _payload(action: Action) -> str | None:
    if action.type in _KEY_TYPES:
        return _key_combo(action)
    if action.type == "scroll":
        # The amount is left out: models pick different amounts for the same intent.
        return (action.scroll_direction or "").lower() or None
    if action.answer:
        return action.answer.strip().lower()
    if action.text is not None:
        return action.text.strip().lower()
    if action.type == "other" and isinstance(action.raw, str):
        return action.raw.strip().lower()
    return None


def action_signature(action: Action) -> tuple[Any, ...]:
    """`(type, target, payload)`, equal when two actions do the same thing.

    - type: `key` and `hotkey` merge (formats disagree on which a combo is); `double_click` and
      `right_click` stay distinct from `click`, as they do different things on screen.
    - target: `("element", id)` when the action names an element, else `("cell", col, row)` on the
      20×20 grid (drags add the end cell), else None (no usable point, e.g. a placeholder).
    - payload: key combo (modifiers sorted, lower-cased), typed text or answer (stripped,
      lower-cased), scroll direction; None otherwise.
    """
    kind = "key" if action.type in _KEY_TYPES else action.type
    return (kind, _target(action), _payload(action))


def step_signature(step: Step) -> tuple[tuple[Any, ...], ...]:
    return tuple(action_signature(action) for action in step.actions)


# ----- step alignment --------------------------------------------------------------------------


@dataclass(frozen=True)
class Alignment:
    """Steps of A and B side by side. `pairs[k]` is (index in A, index in B); None is a gap.

    Steps that are not part of the longest common subsequence are paired up positionally between
    two matches (a substitution: both sides acted, differently), the rest become gaps.
    """

    pairs: list[tuple[int | None, int | None]]
    exact: list[bool]
    """`exact[k]`: pair k holds two steps with equal signatures."""
    first_divergence: int | None
    """Index into `pairs` of the first pair that is not an exact match; None when identical."""
    common_prefix: int
    """Exact matches before the first divergence."""
    matches: int
    """Exact matches in all (the LCS length)."""


def _lcs_table(a: Sequence[int], b: Sequence[int]) -> list[list[int]]:
    """`table[i][j]` = LCS length of `a[i:]` and `b[j:]`."""
    n, m = len(a), len(b)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below, ai = table[i], table[i + 1], a[i]
        for j in range(m - 1, -1, -1):
            if ai == b[j]:
                row[j] = below[j + 1] + 1
            else:
                right, down = row[j + 1], below[j]
                row[j] = right if right > down else down
    return table


def _flush(
    pending_a: list[int],
    pending_b: list[int],
    pairs: list[tuple[int | None, int | None]],
    exact: list[bool],
) -> None:
    for k in range(max(len(pending_a), len(pending_b))):
        pairs.append(
            (
                pending_a[k] if k < len(pending_a) else None,
                pending_b[k] if k < len(pending_b) else None,
            )
        )
        exact.append(False)
    pending_a.clear()
    pending_b.clear()


def align_steps(a: Sequence[Step], b: Sequence[Step]) -> Alignment:
    """Align two step traces by LCS over step signatures, so that one inserted or deleted step
    does not shift every later step out of line. O(len(a)·len(b)) time and memory."""
    # Signatures become small ints so the inner loop compares ints, not nested tuples.
    ids: dict[tuple[Any, ...], int] = {}
    sig_a = [ids.setdefault(step_signature(step), len(ids)) for step in a]
    sig_b = [ids.setdefault(step_signature(step), len(ids)) for step in b]
    table = _lcs_table(sig_a, sig_b)
    pairs: list[tuple[int | None, int | None]] = []
    exact: list[bool] = []
    pending_a: list[int] = []
    pending_b: list[int] = []
    i = j = 0
    while i < len(sig_a) and j < len(sig_b):
        if sig_a[i] == sig_b[j]:
            _flush(pending_a, pending_b, pairs, exact)
            pairs.append((i, j))
            exact.append(True)
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            pending_a.append(i)
            i += 1
        else:
            pending_b.append(j)
            j += 1
    pending_a.extend(range(i, len(sig_a)))
    pending_b.extend(range(j, len(sig_b)))
    _flush(pending_a, pending_b, pairs, exact)
    first = next((k for k, is_exact in enumerate(exact) if not is_exact), None)
    return Alignment(
        pairs=pairs,
        exact=exact,
        first_divergence=first,
        common_prefix=len(pairs) if first is None else first,
        matches=sum(exact),
    )


# ----- outcomes per task -----------------------------------------------------------------------

TaskKey = tuple[str, int | None]


def task_key(execution: Execution) -> TaskKey:
    """Outcomes match on task id, plus the seed where the format has one (AgentLab)."""
    return (execution.task_id, execution.seed)


def task_label(key: TaskKey) -> str:
    """How a task is named in lists: AgentLab's own `<task_name>_<seed>` when there is a seed."""
    task_id, seed = key
    return task_id if seed is None else f"{task_id}_{seed}"


def pick_model(run: Run, model: str | None, name: str | None = None) -> str | None:
    """The model to compare in `run`: the one asked for, else the run's only model.

    `name` is how messages call the run (the path the user typed); its id by default.
    """
    models = run.models
    where = name or run.id
    if model is not None:
        if model not in models:
            raise CompareInputError(
                f"model '{model}' is not in run {where} (it holds: {', '.join(models) or 'none'})"
            )
        return model
    if len(models) > 1:
        raise CompareInputError(
            f"run {where} holds {len(models)} models ({', '.join(models)}): "
            "choose with --models A B"
        )
    return models[0] if models else None


Side = tuple[Run, str]
"""A run and the model of it that is compared."""


def baseline_first(
    x: Side, y: Side, folder_times: Mapping[str, datetime | None] | None = None
) -> tuple[Side, Side]:
    """The two sides with the baseline first (DESIGN §10 "Baselines"): the older run, by its
    `created_at`, else by its folder's time (`folder_times`, by run id); two models of one run
    in the order the run lists them. The same answer whichever side the user started from."""
    if x[0].id == y[0].id:
        models = x[0].models
        rank = {model: index for index, model in enumerate(models)}
        return (x, y) if rank.get(x[1], 0) <= rank.get(y[1], 0) else (y, x)
    times = folder_times or {}

    def age(side: Side) -> tuple[bool, float, str]:
        run = side[0]
        moment = run.created_at or times.get(run.id)
        # Undated runs go last: nothing says they are older.
        return (moment is None, date_order(moment) if moment else 0.0, run.id)

    return (x, y) if age(x) <= age(y) else (y, x)


def executions_of(run: Run, model: str | None) -> list[Execution]:
    chosen = pick_model(run, model)
    return [e for e in run.executions if e.model == chosen]


def is_pending(run: Run, execution: Execution) -> bool:
    """A task a run still being written has no outcome for yet (DESIGN §10 "Shared tasks").

    Never shared, never a regression. Once the run has ended the same task is unfinished,
    which counts as a failure (§9).
    """
    return run.live and execution.status == "unfinished"


def _passed_by_task(run: Run, model: str | None) -> tuple[dict[TaskKey, bool], set[TaskKey]]:
    """Verdicts by task (errored, unfinished and infra are "not passed", FORMATS §2), and the
    tasks still pending."""
    passed: dict[TaskKey, bool] = {}
    pending: set[TaskKey] = set()
    for execution in executions_of(run, model):
        if is_pending(run, execution):
            pending.add(task_key(execution))
        else:
            passed[task_key(execution)] = execution.status == "passed"
    return passed, pending


def mcnemar_exact(a_only: int, b_only: int) -> float:
    """Two-sided exact McNemar p-value: a binomial test of the discordant pairs against p = ½.

    1.0 when no pair is discordant. Exact integer arithmetic, so large counts do not overflow.
    """
    n = a_only + b_only
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(a_only, b_only) + 1))
    # 1 << n rather than 2**n: int ** int is typed as possibly a float.
    return min(1.0, 2 * tail / (1 << n))


@dataclass(frozen=True)
class OutcomeMatrix:
    shared_tasks: int
    both_pass: int
    both_fail: int
    a_only_pass: list[str]
    b_only_pass: list[str]
    missing_a: list[str]
    """Tasks only B has (missing in A)."""
    missing_b: list[str]
    """Tasks only A has (missing in B)."""
    mcnemar_p: float
    pending_a: list[str] = field(default_factory=list)
    """Tasks A (a run still being written) has not given an outcome for yet."""
    pending_b: list[str] = field(default_factory=list)
    shared_keys: frozenset[TaskKey] = frozenset()
    """The tasks both sides have a verdict for: run-level deltas are computed over these."""

    @property
    def regressions(self) -> list[str]:
        """A is the baseline: a task A passed and B failed got worse."""
        return self.a_only_pass


QUADRANTS = (
    "both_pass",
    "a_only",
    "b_only",
    "both_fail",
    "missing_a",
    "missing_b",
    "pending_a",
    "pending_b",
)
"""a_only = A passed and B did not (a regression when A is the baseline); missing_a = only B has
it; pending_a = A is still being written and has no outcome for it yet."""
SHARED_QUADRANTS = ("both_pass", "a_only", "b_only", "both_fail")


def task_quadrants(
    a: Run, b: Run, model_a: str | None = None, model_b: str | None = None
) -> dict[TaskKey, str]:
    """The quadrant of every task either side has. Raises CompareInputError like outcome_matrix."""
    passed_a, pending_a = _passed_by_task(a, model_a)
    passed_b, pending_b = _passed_by_task(b, model_b)
    quadrants: dict[TaskKey, str] = {}
    for key in passed_a.keys() | passed_b.keys() | pending_a | pending_b:
        if key in pending_a:
            quadrants[key] = "pending_a"
        elif key in pending_b:
            quadrants[key] = "pending_b"
        elif key not in passed_a:
            quadrants[key] = "missing_a"
        elif key not in passed_b:
            quadrants[key] = "missing_b"
        elif passed_a[key]:
            quadrants[key] = "both_pass" if passed_b[key] else "a_only"
        else:
            quadrants[key] = "b_only" if passed_b[key] else "both_fail"
    return quadrants


def outcome_matrix(
    a: Run, b: Run, model_a: str | None = None, model_b: str | None = None
) -> OutcomeMatrix:
    """Per-task outcomes of A and B on their shared tasks; missing tasks are listed, never counted
    as regressions. Raises CompareInputError when a run's model is ambiguous or unknown."""
    quadrants = task_quadrants(a, b, model_a, model_b)

    def labels(quadrant: str) -> list[str]:
        keys = [key for key, where in quadrants.items() if where == quadrant]
        return [
            task_label(key) for key in sorted(keys, key=lambda k: (natural_key(k[0]), k[1] or 0))
        ]

    def count(quadrant: str) -> int:
        return sum(1 for where in quadrants.values() if where == quadrant)

    a_only, b_only = labels("a_only"), labels("b_only")
    shared = frozenset(key for key, where in quadrants.items() if where in SHARED_QUADRANTS)
    return OutcomeMatrix(
        shared_tasks=len(shared),
        both_pass=count("both_pass"),
        both_fail=count("both_fail"),
        a_only_pass=a_only,
        b_only_pass=b_only,
        missing_a=labels("missing_a"),
        missing_b=labels("missing_b"),
        mcnemar_p=mcnemar_exact(len(a_only), len(b_only)),
        pending_a=labels("pending_a"),
        pending_b=labels("pending_b"),
        shared_keys=shared,
    )


def task_set_warnings(matrix: OutcomeMatrix) -> list[str]:
    """Sentences saying where the task sets differ: the figures then compare unlike things."""
    warnings: list[str] = []
    for count, side, other in (
        (len(matrix.missing_b), "A", "B"),
        (len(matrix.missing_a), "B", "A"),
    ):
        if count:
            noun = "task" if count == 1 else "tasks"
            warnings.append(f"{count} {noun} only in {side} (missing in {other})")
    for count, side in ((len(matrix.pending_a), "A"), (len(matrix.pending_b), "B")):
        if count:
            noun = "task" if count == 1 else "tasks"
            warnings.append(
                f"{count} {noun} pending in {side} (still running, no outcome yet): left out"
            )
    if matrix.shared_tasks == 0:
        warnings.append("no shared tasks: the outcome matrix is empty")
    return warnings


# ----- run-level metric deltas -----------------------------------------------------------------


@dataclass(frozen=True)
class MetricDelta:
    a: float | None
    b: float | None
    delta: float | None
    """b − a; None when either side is None."""
    higher_is_better: bool | None
    """None: neither direction is better (counts)."""

    @property
    def improved(self) -> bool | None:
        """True when B is better, False when worse, None when equal or undecidable."""
        if self.delta is None or self.higher_is_better is None or self.delta == 0:
            return None
        return (self.delta > 0) == self.higher_is_better


def metric_delta(a: float | None, b: float | None, higher_is_better: bool | None) -> MetricDelta:
    delta = None if a is None or b is None else b - a
    return MetricDelta(a, b, delta, higher_is_better)


RUN_METRICS: dict[str, bool] = {
    "success_rate": True,
    "mean_score": True,
    "mean_steps": False,
    "mean_duration_s": False,
}
"""Run-level metrics and whether higher is better (DESIGN §9)."""


def run_metric_deltas(a_figures: Figures, b_figures: Figures) -> dict[str, MetricDelta]:
    return {
        name: metric_delta(getattr(a_figures, name), getattr(b_figures, name), higher)
        for name, higher in RUN_METRICS.items()
    }


def shared_executions(run: Run, model: str | None, matrix: OutcomeMatrix) -> list[Execution]:
    """The executions of `model` in `run` on the tasks both sides have a verdict for."""
    return [e for e in executions_of(run, model) if task_key(e) in matrix.shared_keys]


def shared_metric_deltas(
    a: Run, b: Run, model_a: str | None, model_b: str | None, matrix: OutcomeMatrix
) -> dict[str, MetricDelta]:
    """Run-level deltas over the shared tasks only (DESIGN §10): unlike task sets never mix."""
    return run_metric_deltas(
        figures(shared_executions(a, model_a, matrix)),
        figures(shared_executions(b, model_b, matrix)),
    )


def own_figures(run: Run, model: str | None) -> dict[str, float | int | None]:
    """A side's figures over all of its own tasks (`a_all`/`b_all`): its run page's denominator."""
    own = figures(executions_of(run, model))
    return {name: getattr(own, name) for name in RUN_METRICS} | {"tasks": own.tasks}
