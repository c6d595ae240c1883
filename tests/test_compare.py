"""analysis/compare.py: action signatures, step alignment, outcome matrix, McNemar, deltas."""

from __future__ import annotations

import subprocess
import sys
from math import comb

import pytest

from bench_tui.analysis.compare import (
    CompareInputError,
    action_signature,
    align_steps,
    mcnemar_exact,
    outcome_matrix,
    pick_model,
    run_metric_deltas,
    task_set_warnings,
)
from bench_tui.analysis.summary import figures
from bench_tui.model import Action, Execution, Run, Step


def click(x: float, y: float, **fields: object) -> Action:
    return Action(type="click", x=x, y=y, coord_quality="exact", **fields)


def step(index: int, *actions: Action) -> Step:
    return Step(index=index, actions=list(actions))


def trace(*actions: Action) -> list[Step]:
    return [step(i, a) for i, a in enumerate(actions)]


def distinct_steps(count: int) -> list[Step]:
    """Steps that all differ: clicks on different cells of the 20×20 grid."""
    return trace(*(click((i % 20) / 20 + 0.01, (i // 20) / 20 + 0.01) for i in range(count)))


# ----- signatures ------------------------------------------------------------------------------


def test_clicks_a_few_pixels_apart_are_the_same_action() -> None:
    # 0.41 and 0.43 fall in the same 5 % cell; 0.46 is in the next one.
    assert action_signature(click(0.41, 0.22)) == action_signature(click(0.43, 0.23))
    assert action_signature(click(0.41, 0.22)) != action_signature(click(0.46, 0.22))


def test_click_kinds_stay_distinct() -> None:
    double = Action(type="double_click", x=0.41, y=0.22, coord_quality="exact")
    right = Action(type="right_click", x=0.41, y=0.22, coord_quality="exact")
    signatures = {action_signature(a) for a in (click(0.41, 0.22), double, right)}
    assert len(signatures) == 3


def test_key_and_hotkey_merge_by_combo() -> None:
    hotkey = Action(type="hotkey", key="s", modifiers=["ctrl"])
    key = Action(type="key", key="Control+S")
    reversed_mods = Action(type="hotkey", key="s", modifiers=["shift", "ctrl"])
    other_order = Action(type="key", key="s", modifiers=["ctrl", "shift"])
    assert action_signature(hotkey) == action_signature(key)
    assert action_signature(reversed_mods) == action_signature(other_order)
    assert action_signature(hotkey) != action_signature(other_order)


def test_typed_text_is_compared_stripped_and_lower_cased() -> None:
    assert action_signature(Action(type="type", text=" Good Morning ")) == action_signature(
        Action(type="type", text="good morning")
    )
    assert action_signature(Action(type="type", text="good morning")) != action_signature(
        Action(type="type", text="good night")
    )


def test_element_id_wins_over_coordinates() -> None:
    a = click(0.1, 0.1, element_id="c17")
    b = click(0.9, 0.9, element_id="c17")
    assert action_signature(a) == action_signature(b)
    assert action_signature(a) != action_signature(click(0.9, 0.9, element_id="c18"))


def test_placeholder_coordinates_are_no_target() -> None:
    placeholder = Action(type="click", x=0.5, y=0.5, coord_quality="placeholder")
    assert action_signature(placeholder) == action_signature(Action(type="click"))


# ----- alignment -------------------------------------------------------------------------------


def test_identical_traces_align_one_to_one() -> None:
    steps = distinct_steps(4)
    alignment = align_steps(steps, distinct_steps(4))
    assert alignment.pairs == [(0, 0), (1, 1), (2, 2), (3, 3)]
    assert alignment.first_divergence is None
    assert alignment.common_prefix == 4 and alignment.matches == 4


def test_empty_traces() -> None:
    both = align_steps([], [])
    assert (both.pairs, both.first_divergence, both.common_prefix, both.matches) == ([], None, 0, 0)
    left = align_steps(distinct_steps(2), [])
    assert left.pairs == [(0, None), (1, None)]
    assert (left.first_divergence, left.common_prefix, left.matches) == (0, 0, 0)
    right = align_steps([], distinct_steps(2))
    assert right.pairs == [(None, 0), (None, 1)]


def test_errored_side_with_no_steps_is_all_gaps() -> None:
    alignment = align_steps(distinct_steps(3), [])
    assert [b for _, b in alignment.pairs] == [None, None, None]
    assert alignment.first_divergence == 0 and alignment.matches == 0


def test_one_inserted_step_does_not_shift_the_rest() -> None:
    a = distinct_steps(4)
    extra = step(99, Action(type="type", text="oops"))
    b = [a[0], extra, a[1], a[2], a[3]]
    alignment = align_steps(a, b)
    assert alignment.pairs == [(0, 0), (None, 1), (1, 2), (2, 3), (3, 4)]
    assert alignment.first_divergence == 1 and alignment.common_prefix == 1
    assert alignment.matches == 4


def test_one_deleted_step() -> None:
    a = distinct_steps(4)
    b = [a[0], a[2], a[3]]
    alignment = align_steps(a, b)
    assert alignment.pairs == [(0, 0), (1, None), (2, 1), (3, 2)]
    assert alignment.first_divergence == 1 and alignment.matches == 3


def test_a_changed_step_pairs_both_sides_as_a_divergence() -> None:
    a = distinct_steps(3)
    b = [a[0], step(1, Action(type="scroll", scroll_direction="down")), a[2]]
    alignment = align_steps(a, b)
    assert alignment.pairs == [(0, 0), (1, 1), (2, 2)]
    assert alignment.exact == [True, False, True]
    assert alignment.first_divergence == 1 and alignment.matches == 2


def test_completely_different_traces() -> None:
    a = trace(click(0.1, 0.1), Action(type="type", text="x"))
    b = trace(Action(type="scroll", scroll_direction="up"), Action(type="key", key="enter"))
    b.append(step(2, Action(type="done")))
    alignment = align_steps(a, b)
    assert alignment.pairs == [(0, 0), (1, 1), (None, 2)]
    assert alignment.matches == 0 and alignment.first_divergence == 0
    assert alignment.common_prefix == 0


def test_fifty_step_traces_align() -> None:
    a = distinct_steps(50)
    b = list(a)
    b.insert(25, step(0, Action(type="wait")))
    b[41] = step(0, Action(type="type", text="changed"))  # was a[40]
    alignment = align_steps(a, b)
    assert alignment.matches == 49
    assert alignment.first_divergence == 25
    assert alignment.pairs[25] == (None, 25)
    assert (40, 41) in alignment.pairs
    assert len(alignment.pairs) == 51
    # every step of both sides appears exactly once, in order
    assert [p[0] for p in alignment.pairs if p[0] is not None] == list(range(50))
    assert [p[1] for p in alignment.pairs if p[1] is not None] == list(range(51))


# ----- McNemar ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a_only", "b_only", "expected"),
    [(1, 0, 1.0), (5, 0, 0.0625), (0, 5, 0.0625), (10, 2, 0.0386), (0, 0, 1.0), (3, 3, 1.0)],
)
def test_mcnemar_known_values(a_only: int, b_only: int, expected: float) -> None:
    assert mcnemar_exact(a_only, b_only) == pytest.approx(expected, abs=5e-5)


def _two_sided_by_likelihood(b: int, c: int) -> float:
    """Independent definition: total probability of outcomes no likelier than the observed one."""
    n = b + c
    if n == 0:
        return 1.0
    observed = comb(n, b)
    return min(1.0, sum(comb(n, k) for k in range(n + 1) if comb(n, k) <= observed) / 2**n)


def test_mcnemar_matches_the_likelihood_definition() -> None:
    for b in range(0, 25):
        for c in range(0, 25):
            assert mcnemar_exact(b, c) == pytest.approx(_two_sided_by_likelihood(b, c), rel=1e-12)


def test_mcnemar_on_thousands_of_tasks_does_not_overflow() -> None:
    assert 0.0 <= mcnemar_exact(3000, 2000) < 1e-30


# ----- outcome matrix --------------------------------------------------------------------------


def make_run(run_id: str, outcomes: dict[str, str], model: str = "m", **seeds: int) -> Run:
    return Run(
        id=run_id,
        path=f"/r/{run_id}",
        format="openadapt",
        label=run_id,
        executions=[
            Execution(task_id=task, model=model, status=status, seed=seeds.get(task))  # type: ignore[arg-type]
            for task, status in outcomes.items()
        ],
    )


BASE = {
    "t1": "passed",
    "t2": "passed",
    "t3": "failed",
    "t4": "errored",
    "t5": "passed",
    "t6": "unfinished",
    "t7": "failed",
    "only_a": "passed",
}
NEWER = {
    "t1": "passed",
    "t2": "failed",
    "t3": "passed",
    "t4": "passed",
    "t5": "errored",
    "t6": "passed",
    "t7": "infra",
    "only_b": "failed",
}


def test_outcome_matrix_quadrants_and_missing_tasks() -> None:
    matrix = outcome_matrix(make_run("base", BASE), make_run("newer", NEWER))
    assert matrix.shared_tasks == 7
    assert matrix.both_pass == 1  # t1
    assert matrix.both_fail == 1  # t7: failed, then infra (counts as a fail)
    assert matrix.a_only_pass == ["t2", "t5"]  # errored counts as fail
    assert matrix.b_only_pass == ["t3", "t4", "t6"]  # errored/unfinished in A count as fail
    assert matrix.missing_a == ["only_b"] and matrix.missing_b == ["only_a"]
    assert matrix.regressions == ["t2", "t5"]  # only_a passed in A but is missing: not listed
    assert matrix.mcnemar_p == 1.0  # 2 vs 3 discordant: 2·(1 + 5 + 10) / 2⁵ caps at 1


def test_outcome_matrix_p_value_on_lopsided_discordance() -> None:
    base = make_run("base", {f"t{i}": "passed" for i in range(6)})
    newer = make_run("newer", {f"t{i}": "failed" for i in range(6)})
    matrix = outcome_matrix(base, newer)
    assert len(matrix.a_only_pass) == 6 and matrix.b_only_pass == []
    assert matrix.mcnemar_p == pytest.approx(2 / 2**6)


def test_identical_runs_have_p_one_and_no_regressions() -> None:
    matrix = outcome_matrix(make_run("a", BASE), make_run("b", BASE))
    assert matrix.a_only_pass == [] and matrix.b_only_pass == []
    assert matrix.mcnemar_p == 1.0
    assert matrix.both_pass + matrix.both_fail == matrix.shared_tasks == len(BASE)


def test_agentlab_outcomes_match_on_task_and_seed() -> None:
    def study(run_id: str, outcomes: dict[tuple[str, int], str]) -> Run:
        executions = [
            Execution(task_id=task, seed=seed, model="agent", status=status)  # type: ignore[arg-type]
            for (task, seed), status in outcomes.items()
        ]
        return Run(id=run_id, path="/s", format="agentlab", label=run_id, executions=executions)

    a = study("a", {("miniwob.login", 3): "passed", ("miniwob.login", 4): "failed"})
    b = study("b", {("miniwob.login", 3): "failed", ("miniwob.login", 5): "passed"})
    matrix = outcome_matrix(a, b)
    assert matrix.shared_tasks == 1
    assert matrix.a_only_pass == ["miniwob.login_3"]
    assert matrix.missing_b == ["miniwob.login_4"] and matrix.missing_a == ["miniwob.login_5"]


def test_two_models_of_one_run() -> None:
    run = make_run("r", {"t1": "passed", "t2": "failed"}, model="base")
    run.executions += make_run("r", {"t1": "failed", "t2": "passed"}, model="ft").executions
    with pytest.raises(CompareInputError, match="choose with --models"):
        outcome_matrix(run, run)
    with pytest.raises(CompareInputError, match="'nope' is not in run"):
        pick_model(run, "nope")
    matrix = outcome_matrix(run, run, "base", "ft")
    assert matrix.a_only_pass == ["t1"] and matrix.b_only_pass == ["t2"]


def test_task_set_warnings() -> None:
    matrix = outcome_matrix(make_run("a", BASE), make_run("b", NEWER))
    assert task_set_warnings(matrix) == [
        "1 task only in A (missing in B)",
        "1 task only in B (missing in A)",
    ]
    lopsided = outcome_matrix(make_run("a", {"x": "passed", "y": "passed"}), make_run("b", {}))
    assert "2 tasks only in A (missing in B)" in task_set_warnings(lopsided)
    assert any("no shared tasks" in w for w in task_set_warnings(lopsided))
    assert task_set_warnings(outcome_matrix(make_run("a", BASE), make_run("b", BASE))) == []


# ----- run-level deltas ------------------------------------------------------------------------


def test_run_metric_deltas_know_which_way_is_better() -> None:
    a = [
        Execution(task_id="x", status="passed", score=1.0, num_steps=4, duration_s=20.0),
        Execution(task_id="y", status="failed", score=0.0, num_steps=8, duration_s=40.0),
    ]
    b = [
        Execution(task_id="x", status="passed", score=1.0, num_steps=2, duration_s=10.0),
        Execution(task_id="y", status="passed", score=1.0, num_steps=4, duration_s=30.0),
    ]
    deltas = run_metric_deltas(figures(a), figures(b))
    assert set(deltas) == {"success_rate", "mean_score", "mean_steps", "mean_duration_s"}
    assert (deltas["success_rate"].a, deltas["success_rate"].b) == (0.5, 1.0)
    assert deltas["success_rate"].delta == 0.5 and deltas["success_rate"].higher_is_better
    assert deltas["mean_steps"].delta == -3.0 and deltas["mean_steps"].higher_is_better is False
    assert deltas["mean_duration_s"].delta == -10.0
    assert deltas["mean_steps"].improved is True and deltas["success_rate"].improved is True


def test_run_metric_delta_is_none_when_a_side_has_no_value() -> None:
    unfinished = [Execution(task_id="x", status="unfinished")]
    finished = [Execution(task_id="x", status="passed", score=1.0, num_steps=3, duration_s=5.0)]
    deltas = run_metric_deltas(figures(unfinished), figures(finished))
    assert deltas["mean_steps"].a is None and deltas["mean_steps"].delta is None
    assert deltas["mean_steps"].improved is None
    assert deltas["success_rate"].delta == 1.0


# ----- layering --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module",
    [
        "bench_tui.analysis.compare",
        "bench_tui.analysis.evaldelta",
        "bench_tui.analysis.failures",
        "bench_tui.analysis.regressions",
        "bench_tui.analysis.compare_report",
    ],
)
def test_analysis_modules_import_neither_textual_nor_rich(module: str) -> None:
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "print(','.join(m for m in ('textual', 'rich') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
