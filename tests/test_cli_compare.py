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
    assert set(data) == JSON_KEYS
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
    # base: 4 of 8 passed; newer: 5 of 8 passed (over all tasks, DESIGN §3)
    assert deltas["success_rate"] == {
        "a": 0.5,
        "b": 0.625,
        "delta": 0.625 - 0.5,
        "higher_is_better": True,
    }
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
    assert "50.0%" in out and "62.5%" in out and "+12.5 pp" in out
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
        "delta": 0.125,
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
    assert data["metric_deltas"]["success_rate"]["a"] == 0.75
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
