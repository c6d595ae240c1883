"""`bench-tui compare` against fixtures with known outcomes (DESIGN §3, §9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from tests.fixtures.compare_builders import agentlab_study, openadapt_run
from tests.fixtures.offline_builders import build_eval_reports, eval_report, write_json

runner = CliRunner()

JSON_KEYS = {
    "a",
    "b",
    "shared_tasks",
    "a_only_pass",
    "b_only_pass",
    "both_pass",
    "both_fail",
    "missing",
    "mcnemar_p",
    "metric_deltas",
    "gate",
}
RUN_ONLY_KEYS = {"pending", "a_all", "b_all"}
"""Added for runs by DESIGN §10 (never renaming a §9 key); eval reports have no tasks."""

BASE_OUTCOMES = {
    "notepad_1": "pass",
    "notepad_2": "pass",
    "paint_1": "pass",
    "paint_2": "fail",
    "chrome_1": "error",
    "chrome_2": "unfinished",
    "clock_1": "fail",
    "clock_2": "pass",  # not in the newer run
}
NEWER_OUTCOMES = {
    "notepad_1": "pass",
    "notepad_2": "fail",
    "paint_1": "infra",
    "paint_2": "pass",
    "chrome_1": "pass",
    "chrome_2": "pass",
    "clock_1": "fail",
    "calc_1": "pass",  # not in the base run
}


def invoke(*args: str):
    return runner.invoke(cli.app, list(args))


@pytest.fixture
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """runs/base and runs/newer under tmp_path, which becomes the working folder."""
    openadapt_run(
        tmp_path / "runs",
        "base",
        BASE_OUTCOMES,
        model="tern-base",
        steps={name: 6 for name in BASE_OUTCOMES},
        durations={name: 40.0 for name in BASE_OUTCOMES},
    )
    openadapt_run(
        tmp_path / "runs",
        "newer",
        NEWER_OUTCOMES,
        model="tern-ft",
        steps={name: 4 for name in NEWER_OUTCOMES},
        durations={name: 30.0 for name in NEWER_OUTCOMES},
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_two_runs_json_lists_exact_outcomes(runs: Path) -> None:
    result = invoke("compare", "runs/base", "runs/newer", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == JSON_KEYS | RUN_ONLY_KEYS
    assert (data["a"], data["b"]) == ("runs/base", "runs/newer")
    assert data["shared_tasks"] == 7
    assert data["a_only_pass"] == ["notepad_2", "paint_1"]  # infra in B is a fail
    assert data["b_only_pass"] == ["chrome_1", "chrome_2", "paint_2"]  # errored/unfinished in A
    assert (data["both_pass"], data["both_fail"]) == (1, 1)
    assert data["missing"] == {"a": ["calc_1"], "b": ["clock_2"]}
    # 2 vs 3 discordant pairs: exact two-sided p caps at 1
    assert data["mcnemar_p"] == 1.0
    assert data["gate"] is None
    deltas = data["metric_deltas"]
    assert set(deltas) == {"success_rate", "mean_score", "mean_steps", "mean_duration_s"}
    # Over the 7 shared tasks (DESIGN §10): base passed 3 of them, newer 4.
    assert deltas["success_rate"] == {
        "a": 3 / 7,
        "b": 4 / 7,
        "delta": 4 / 7 - 3 / 7,
        "higher_is_better": True,
    }
    # Each side over all of its own tasks: base 4 of 8 passed, newer 5 of 8.
    assert data["a_all"] == {
        "success_rate": 0.5,
        "mean_score": 4 / 6,
        "mean_steps": 6.0,
        "mean_duration_s": 40.0,
        "tasks": 8,
    }
    assert data["b_all"]["success_rate"] == 0.625 and data["b_all"]["tasks"] == 8
    assert data["pending"] == {"a": [], "b": []}
    assert deltas["mean_steps"]["delta"] == -2.0
    assert deltas["mean_steps"]["higher_is_better"] is False
    assert deltas["mean_duration_s"]["delta"] == -10.0


def test_fail_on_regression_exit_codes(runs: Path) -> None:
    assert invoke("compare", "runs/base", "runs/newer").exit_code == 0
    assert invoke("compare", "runs/base", "runs/newer", "--fail-on-regression").exit_code == 1
    same = invoke("compare", "runs/base", "runs/base", "--json", "--fail-on-regression")
    assert same.exit_code == 0
    data = json.loads(same.output)
    assert data["a_only_pass"] == [] and data["mcnemar_p"] == 1.0


def test_missing_tasks_alone_are_not_regressions(tmp_path: Path) -> None:
    openadapt_run(tmp_path, "a", {"t1": "pass", "t2": "pass"})
    openadapt_run(tmp_path, "b", {"t1": "pass"})
    result = invoke(
        "compare", str(tmp_path / "a"), str(tmp_path / "b"), "--json", "--fail-on-regression"
    )
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["missing"] == {"a": [], "b": ["t2"]} and data["a_only_pass"] == []


def test_human_output_shows_counts_regressions_and_warnings(runs: Path) -> None:
    result = runner.invoke(cli.app, ["compare", "runs/base", "runs/newer"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    out = result.output
    assert "7 shared tasks" in out
    assert "2 regressions" in out and "notepad_2" in out and "paint_1" in out
    assert "over the 7 shared tasks" in out
    assert "42.9%" in out and "57.1%" in out and "+14.3 pp" in out
    assert "A over all its 8 tasks: success 50.0%" in out
    assert "B over all its 8 tasks: success 62.5%" in out
    assert "1 task only in A (missing in B)" in out
    assert "Traceback" not in out


def test_gate_on_runs_only_when_asked(runs: Path) -> None:
    data = json.loads(
        invoke(
            "compare",
            "runs/base",
            "runs/newer",
            "--json",
            "--gate-metric",
            "success_rate",
            "--gate-threshold",
            "0.1",
        ).output
    )
    assert data["gate"] == {
        "metric": "success_rate",
        "threshold": 0.1,
        "delta": 4 / 7 - 3 / 7,  # on the shared tasks
        "passed": True,
    }
    strict = invoke(
        "compare", "runs/base", "runs/base", "--fail-on-regression", "--gate-metric", "success_rate"
    )
    assert strict.exit_code == 1  # no regression, but a 0.0 gain fails the 0.20 gate
    unknown = invoke("compare", "runs/base", "runs/newer", "--gate-metric", "action_type_accuracy")
    assert unknown.exit_code == 2 and "Traceback" not in unknown.output


def test_folder_with_several_runs_is_a_usage_error(runs: Path) -> None:
    result = invoke("compare", "runs", "runs/newer")
    assert result.exit_code == 2
    assert "runs/base" in result.output and "runs/newer" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "nope", "runs/newer"],
        ["compare", "runs/base", "nope"],
        ["compare", "runs/base"],  # one run needs --models
        ["compare", "runs/base", "--models", "tern-base", "other"],  # model not in the run
        ["compare", "empty", "runs/base"],  # no run inside
    ],
)
def test_usage_errors_exit_2_without_traceback(runs: Path, args: list[str]) -> None:
    (runs / "empty").mkdir()
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.strip().startswith("bench-tui: ")


def test_two_eval_reports(tmp_path: Path) -> None:
    paths = build_eval_reports(tmp_path)
    result = invoke(
        "compare", str(paths["base"]), str(paths["ft"]), "--json", "--fail-on-regression"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == JSON_KEYS
    assert (data["a"], data["b"]) == (str(paths["base"]), str(paths["ft"]))
    assert data["shared_tasks"] == 0 and data["a_only_pass"] == [] and data["b_only_pass"] == []
    assert (data["both_pass"], data["both_fail"]) == (0, 0)
    assert data["missing"] == {"a": [], "b": []}
    gate = data["gate"]
    assert gate["metric"] == "action_type_accuracy" and gate["threshold"] == 0.2
    assert gate["delta"] == pytest.approx(0.338) and gate["passed"] is True
    deltas = data["metric_deltas"]
    assert deltas["action_type_accuracy"]["a"] == 0.274
    assert deltas["action_type_accuracy"]["b"] == 0.612
    assert deltas["click_hit_rate"]["a"] is None and deltas["click_hit_rate"]["delta"] is None
    assert deltas["mean_coord_error"]["higher_is_better"] is False
    assert deltas["num_steps"]["higher_is_better"] is None
    assert deltas["num_steps"]["delta"] == 0


def test_eval_gate_failure_and_missing_gate_metric(tmp_path: Path) -> None:
    paths = build_eval_reports(tmp_path)
    base, ft = str(paths["base"]), str(paths["ft"])
    high = invoke("compare", base, ft, "--gate-threshold", "0.5", "--fail-on-regression")
    assert high.exit_code == 1
    assert invoke("compare", base, ft, "--gate-threshold", "0.5").exit_code == 0
    missing = invoke("compare", base, ft, "--json", "--gate-metric", "click_hit_rate")
    assert json.loads(missing.output)["gate"] == {
        "metric": "click_hit_rate",
        "threshold": 0.2,
        "delta": None,
        "passed": False,
    }
    assert (
        invoke(
            "compare", base, ft, "--gate-metric", "click_hit_rate", "--fail-on-regression"
        ).exit_code
        == 1
    )


def test_eval_gate_tolerance_in_the_cli(tmp_path: Path) -> None:
    base = write_json(tmp_path / "base.json", eval_report(action_type_accuracy=0.274))
    ft = write_json(tmp_path / "ft.json", eval_report(action_type_accuracy=0.474))
    result = invoke("compare", str(base), str(ft), "--json", "--fail-on-regression")
    assert result.exit_code == 0
    assert json.loads(result.output)["gate"]["passed"] is True


def test_eval_report_and_run_folder_do_not_mix(runs: Path) -> None:
    paths = build_eval_reports(runs)
    result = invoke("compare", str(paths["base"]), "runs/base")
    assert result.exit_code == 2 and "Traceback" not in result.output
    not_a_report = write_json(runs / "other.json", {"hello": 1})
    result = invoke("compare", str(not_a_report), str(paths["ft"]))
    assert result.exit_code == 2 and "not an eval report" in result.output


def test_two_models_of_one_run(tmp_path: Path) -> None:
    study = agentlab_study(
        tmp_path,
        {
            "AgentA": {
                ("miniwob.click-button", 3): "pass",
                ("miniwob.click-button", 4): "pass",
                ("miniwob.enter-date", 3): "fail",
                ("miniwob.use-slider", 3): "pass",
            },
            "AgentB": {
                ("miniwob.click-button", 3): "pass",
                ("miniwob.click-button", 4): "fail",
                ("miniwob.enter-date", 3): "pass",
            },
        },
    )
    result = invoke("compare", str(study), "--models", "AgentA", "AgentB", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["a"], data["b"]) == ("AgentA", "AgentB")
    assert data["shared_tasks"] == 3
    assert data["a_only_pass"] == ["miniwob.click-button_4"]  # seeds are separate tasks
    assert data["b_only_pass"] == ["miniwob.enter-date_3"]
    assert data["both_pass"] == 1
    assert data["missing"] == {"a": [], "b": ["miniwob.use-slider_3"]}
    assert data["metric_deltas"]["success_rate"]["a"] == 2 / 3  # the 3 shared tasks
    assert data["a_all"]["success_rate"] == 0.75 and data["a_all"]["tasks"] == 4
    assert (
        invoke(
            "compare", str(study), "--models", "AgentA", "AgentB", "--fail-on-regression"
        ).exit_code
        == 1
    )
    ambiguous = invoke("compare", str(study), str(study))
    assert ambiguous.exit_code == 2 and "--models" in ambiguous.output
    swapped = json.loads(
        invoke("compare", str(study), str(study), "--models", "AgentB", "AgentA", "--json").output
    )
    assert swapped["a_only_pass"] == ["miniwob.enter-date_3"]


@pytest.fixture
def finished_and_live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """runs/old (finished) and runs/new, still being written: t3 and t4 have no outcome yet."""
    openadapt_run(
        tmp_path / "runs",
        "old",
        {"t1": "pass", "t2": "pass", "t3": "fail", "t4": "pass", "t5": "fail"},
        created_at="2025-11-01T09:00:00",
    )
    live = openadapt_run(
        tmp_path / "runs",
        "new",
        {"t1": "pass", "t2": "fail", "t3": "unfinished", "t4": "unfinished", "t6": "pass"},
        created_at="2025-11-05T09:00:00",
    )
    (live / "summary.json").unlink()  # no summary and fresh files: the run is still going
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_pending_tasks_are_neither_shared_nor_regressions(finished_and_live: Path) -> None:
    result = invoke("compare", "runs/old", "runs/new", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["pending"] == {"a": [], "b": ["t3", "t4"]}
    assert data["shared_tasks"] == 2  # t1, t2: t3/t4 pending, t5/t6 on one side only
    assert data["a_only_pass"] == ["t2"]  # t4 passed in A but is pending in B: not listed
    assert data["missing"] == {"a": ["t6"], "b": ["t5"]}
    assert data["metric_deltas"]["success_rate"] == {
        "a": 1.0,
        "b": 0.5,
        "delta": -0.5,
        "higher_is_better": True,
    }
    assert (data["a_all"]["tasks"], data["a_all"]["success_rate"]) == (5, 0.6)
    assert (data["b_all"]["tasks"], data["b_all"]["success_rate"]) == (5, 0.4)
    failing = invoke("compare", "runs/old", "runs/new", "--fail-on-regression")
    assert failing.exit_code == 1  # t2, and only t2
    assert "t4" not in failing.output.split("regression")[1].split("warning")[0]


def test_swapping_the_sides_mirrors_every_figure(finished_and_live: Path) -> None:
    forward = json.loads(invoke("compare", "runs/old", "runs/new", "--json").output)
    backward = json.loads(invoke("compare", "runs/new", "runs/old", "--json").output)
    assert backward["pending"] == {"a": forward["pending"]["b"], "b": forward["pending"]["a"]}
    assert backward["a_all"] == forward["b_all"] and backward["b_all"] == forward["a_all"]
    assert backward["a_only_pass"] == forward["b_only_pass"]
    assert backward["b_only_pass"] == forward["a_only_pass"]
    assert backward["missing"] == {"a": forward["missing"]["b"], "b": forward["missing"]["a"]}
    assert backward["shared_tasks"] == forward["shared_tasks"]
    assert backward["mcnemar_p"] == forward["mcnemar_p"]
    for metric, entry in forward["metric_deltas"].items():
        mirrored = backward["metric_deltas"][metric]
        assert (mirrored["a"], mirrored["b"]) == (entry["b"], entry["a"])
        assert mirrored["delta"] == (None if entry["delta"] is None else -entry["delta"])


def test_only_pending_differences_do_not_fail_the_gate_of_regressions(tmp_path: Path) -> None:
    openadapt_run(tmp_path, "old", {"t1": "pass", "t2": "pass"}, created_at="2025-11-01T09:00:00")
    live = openadapt_run(
        tmp_path, "new", {"t1": "pass", "t2": "unfinished"}, created_at="2025-11-02T09:00:00"
    )
    (live / "summary.json").unlink()
    result = invoke("compare", str(tmp_path / "old"), str(live), "--fail-on-regression")
    assert result.exit_code == 0, result.output
    assert "1 pending in B" in result.output
