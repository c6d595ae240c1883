"""analysis/failures.py: failure causes, grouping, frequency tables, task difficulty."""

from __future__ import annotations

from bench_tui.analysis.failures import (
    difficulty_ranking,
    failure_cause,
    frequency,
    group_failures,
    normalise_message,
)
from bench_tui.model import Execution, Run


def failed(task_id: str, error: str | None = None, **fields: object) -> Execution:
    return Execution(task_id=task_id, status="failed", error=error, **fields)  # type: ignore[arg-type]


def run_of(run_id: str, *executions: Execution) -> Run:
    return Run(
        id=run_id, path=f"/{run_id}", format="openadapt", label=run_id, executions=list(executions)
    )


def test_messages_differing_only_in_details_share_a_cause() -> None:
    first = "Timeout after 31.2 s waiting for 'Save' dialog at /tmp/run_1/step_003.png"
    second = 'Timeout after 45 s waiting for "Open" dialog at C:\\Users\\ann\\shots\\step_9.png'
    assert normalise_message(first) == normalise_message(second)
    assert normalise_message(first) == "Timeout after <n> s waiting for <str> dialog at <path>"


def test_ids_hex_and_urls_are_stripped() -> None:
    assert (
        normalise_message("task 51b59aec-fa49-4b1c-85ca-ab90357f3abc lost its VM")
        == "task <id> lost its VM"
    )
    assert normalise_message("bad object at 0x7f3a2b10") == "bad object at <hex>"
    assert normalise_message("snapshot 9fceb02d0ae5 missing") == "snapshot <hex> missing"
    assert normalise_message("GET https://shop.test/cart?id=4 failed") == "GET <url> failed"
    # words made of hex letters alone are words, not ids
    assert normalise_message("decade faced") == "decade faced"


def test_only_the_first_line_of_a_message_counts() -> None:
    assert (
        normalise_message("\n  ValueError: bad action 3\nTraceback ...")
        == "ValueError: bad action <n>"
    )


def test_cause_prefers_the_error_type() -> None:
    execution = failed("t", "VM did not answer in 30 s", error_type="infrastructure")
    assert failure_cause(execution, None) == "infrastructure"
    assert (
        failure_cause(failed("t", "VM did not answer in 30 s"), None)
        == "VM did not answer in <n> s"
    )


def test_cause_without_an_error_uses_status_and_last_action() -> None:
    assert failure_cause(failed("t"), "done") == "judged failed after done"
    assert failure_cause(failed("t"), "click") == "stopped after click"
    assert failure_cause(failed("t"), None) == "failed without an error"
    assert failure_cause(Execution(task_id="t", status="unfinished"), None) == "unfinished"
    assert (
        failure_cause(Execution(task_id="t", status="errored"), None) == "errored without a message"
    )


def test_group_failures_biggest_first_passed_left_out() -> None:
    run = run_of(
        "r",
        failed("b", "timeout after 10 s"),
        failed("a", "timeout after 99 s"),
        failed("c", "element 'OK' not found"),
        failed("d", "timeout after 5 s"),
        Execution(task_id="e", status="passed"),
        Execution(task_id="f", status="unfinished"),
    )
    groups = group_failures(run)
    assert [(g.cause, g.task_ids) for g in groups] == [
        ("timeout after <n> s", ["a", "b", "d"]),
        ("element <str> not found", ["c"]),
        ("unfinished", ["f"]),
    ]
    assert groups[0].count == 3


def test_group_failures_of_one_model_with_known_last_actions() -> None:
    run = run_of(
        "r",
        failed("x", model="base"),
        failed("y", model="base"),
        failed("x", model="ft"),
    )
    groups = group_failures(run, model="base", last_action_types={"x": "done", "y": "click"})
    assert [(g.cause, g.task_ids) for g in groups] == [
        ("judged failed after done", ["x"]),
        ("stopped after click", ["y"]),
    ]


def test_frequency_counts_with_missing_values() -> None:
    values = ["notepad", None, "chrome", "notepad", None, "paint", "chrome", "notepad"]
    assert frequency(values) == [("notepad", 3), ("chrome", 2), ("—", 2), ("paint", 1)]
    assert frequency([]) == []


def test_difficulty_ranking_across_runs_and_models() -> None:
    one = run_of(
        "one",
        Execution(task_id="easy", status="passed", num_steps=2),
        Execution(task_id="hard", status="failed", num_steps=15),
        Execution(task_id="mid", status="failed", num_steps=5),
        Execution(task_id="long", status="failed", num_steps=9),
    )
    two = run_of(
        "two",
        Execution(task_id="easy", status="passed", num_steps=4),
        Execution(task_id="hard", status="errored"),
        Execution(task_id="mid", status="passed", num_steps=7),
        Execution(task_id="long", status="passed", num_steps=11),
        Execution(task_id="never", status="unfinished"),
    )
    ranking = difficulty_ranking([one, two])
    # hard fails twice; mid and long once each, long took more steps; easy never fails.
    assert [t.task_id for t in ranking] == ["hard", "long", "mid", "easy"]
    hard = ranking[0]
    assert (hard.attempts, hard.failures, hard.mean_steps) == (2, 2, 15.0)
    assert ranking[1].mean_steps == 10.0 and ranking[2].mean_steps == 6.0
    assert ranking[-1].failure_rate == 0.0
