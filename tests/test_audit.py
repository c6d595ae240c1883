"""Checker audit (DESIGN §10): the figures, `bench-tui label`, `audit` and `repeats` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench_tui import cli
from bench_tui.model import Execution, Run
from bench_tui.triage.audit import audit_model
from bench_tui.triage.labels import SHOULD_FAIL, SHOULD_PASS
from bench_tui.triage.store import TriageStore
from tests.fixtures.compare_builders import agentlab_study, openadapt_run

runner = CliRunner()


@pytest.fixture(autouse=True)
def _own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_TUI_TRIAGE_DIR", str(tmp_path / "_state"))
    monkeypatch.setenv("BENCH_TUI_LABELS", str(tmp_path / "_no_labels.toml"))


def invoke(*args: str):
    return runner.invoke(cli.app, list(args))


def five_tasks(path: Path) -> Run:
    statuses = {"P1": "passed", "P2": "passed", "F1": "failed", "F2": "failed", "E1": "errored"}
    return Run(
        id="runs/r",
        path=str(path),
        format="openadapt",
        label="r",
        executions=[Execution(task_id=t, model="m", status=s) for t, s in statuses.items()],  # type: ignore[arg-type]
    )


def test_audit_figures_by_hand(tmp_path: Path) -> None:
    run = five_tasks(tmp_path / "r")
    store = TriageStore(run.path)
    store.add_label("m", "F1", SHOULD_PASS)
    store.set_note("m", "F1", "saved, the checker read too early")
    store.add_label("m", "E1", SHOULD_PASS)  # errored counts as failed by the checker
    store.add_label("m", "P1", SHOULD_FAIL)
    store.set_note("m", "P1", "stale file")
    store.add_label("m", "F2", "grounding miss", step=2)  # a step's label reviews the task too
    store.add_label("m", "P2", SHOULD_PASS)  # passed already: reviewed, not overturned
    store.add_label("m", "other-task", SHOULD_PASS)  # not in the run: ignored
    audit = audit_model(run, "m", store.state())
    assert (audit.tasks, audit.checker_passed, audit.reviewed) == (5, 2, 5)
    assert (audit.overturned_to_pass, audit.overturned_to_fail) == (2, 1)
    assert audit.corrected_success_rate == pytest.approx((2 + 2 - 1) / 5)
    assert audit.agreement == pytest.approx(1 - 3 / 5)
    assert [(o.task_id, o.checker, o.label, o.note) for o in audit.overturned] == [
        ("E1", "errored", SHOULD_PASS, None),
        ("F1", "failed", SHOULD_PASS, "saved, the checker read too early"),
        ("P1", "passed", SHOULD_FAIL, "stale file"),
    ]


def test_nothing_reviewed_and_a_removed_label(tmp_path: Path) -> None:
    run = five_tasks(tmp_path / "r")
    store = TriageStore(run.path)
    empty = audit_model(run, "m", None)
    assert (empty.reviewed, empty.agreement) == (0, None)
    assert empty.corrected_success_rate == empty.checker_success_rate == pytest.approx(0.4)
    store.add_label("m", "F1", SHOULD_PASS)
    store.remove_label("m", "F1", SHOULD_PASS)
    audit = audit_model(run, "m", store.state())
    assert (audit.reviewed, audit.overturned_to_pass, audit.agreement) == (0, 0, None)


# ----- command line --------------------------------------------------------------------------


@pytest.fixture
def results(tmp_path: Path) -> Path:
    root = tmp_path / "results"
    openadapt_run(root, "r1", {"a_1": "pass", "b_1": "fail", "c_1": "error"})
    openadapt_run(root, "r2", {"a_1": "fail", "b_1": "fail"}, created_at="2025-11-05T09:00:00")
    return root


def test_label_then_audit(results: Path) -> None:
    before = json.loads(invoke("summary", str(results), "--json").stdout)
    done = invoke(
        "label", str(results), "r1", "b_1", SHOULD_PASS, "--note", "the checker read too early"
    )
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == (f"added '{SHOULD_PASS}' on b_1 (tern-vl-3b) in r1; note saved")
    assert invoke("label", str(results), "r1", "a_1", SHOULD_FAIL).exit_code == 0
    assert invoke("label", str(results), "r1", "c_1", "planning").exit_code == 0
    records = (results / "r1" / ".bench-tui" / "triage.jsonl").read_text().splitlines()
    assert [json.loads(line)["op"] for line in records] == ["label", "note", "label", "label"]

    data = json.loads(invoke("audit", str(results), "--json").stdout)
    r1, r2 = data["runs"]
    assert r1 == {
        "run": "r1",
        "model": "tern-vl-3b",
        "tasks": 3,
        "checker_passed": 1,
        "checker_success_rate": pytest.approx(1 / 3),
        "reviewed": 3,
        "overturned_to_pass": 1,
        "overturned_to_fail": 1,
        "corrected_success_rate": pytest.approx(1 / 3),
        "agreement": pytest.approx(1 / 3),
    }
    assert (r2["run"], r2["reviewed"], r2["agreement"]) == ("r2", 0, None)
    assert data["overturned"] == [
        {
            "run": "r1",
            "model": "tern-vl-3b",
            "task_id": "a_1",
            "seed": None,
            "checker": "passed",
            "label": SHOULD_FAIL,
            "note": None,
        },
        {
            "run": "r1",
            "model": "tern-vl-3b",
            "task_id": "b_1",
            "seed": None,
            "checker": "failed",
            "label": SHOULD_PASS,
            "note": "the checker read too early",
        },
    ]
    human = invoke("audit", str(results))
    assert human.exit_code == 0 and "the checker read too early" in human.stdout
    # summary keeps the checker's figures; only the label counts are new
    after = json.loads(invoke("summary", str(results), "--json").stdout)
    for old, new in zip(before["runs"], after["runs"], strict=True):
        assert old["models"] == new["models"]
    assert after["runs"][0]["labels"] == {SHOULD_FAIL: 1, SHOULD_PASS: 1, "planning": 1}

    removed = invoke("label", str(results), "r1", "a_1", SHOULD_FAIL, "--remove")
    assert removed.exit_code == 0 and removed.stdout.startswith("removed")
    data = json.loads(invoke("audit", str(results), "--json").stdout)
    assert data["runs"][0]["overturned_to_fail"] == 0 and data["runs"][0]["reviewed"] == 2


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["nope", "a_1", "planning"], "no run 'nope' here (runs: r1, r2)"),
        (["r1", "zz", "planning"], "no task 'zz' of model tern-vl-3b in run r1"),
        (["r1", "a_1", "nonsense"], "unknown label 'nonsense'"),
        (["r1", "a_1", "planning", "--model", "gpt"], "model 'gpt' is not in run r1"),
    ],
)
def test_label_refuses_unknown_names_in_one_line(results: Path, args: list[str], said: str) -> None:
    result = invoke("label", str(results), *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and said in result.stderr
    assert not (results / "r1" / ".bench-tui").exists()


def test_label_needs_the_model_when_a_run_has_several(tmp_path: Path) -> None:
    agents = {
        "AgentA": {("miniwob.click", 3): "pass", ("miniwob.click", 4): "fail"},
        "AgentB": {("miniwob.click", 3): "fail"},
    }
    study = agentlab_study(tmp_path / "lab", agents)
    run_id = study.name
    result = invoke("label", str(tmp_path / "lab"), run_id, "miniwob.click_3", "planning")
    assert result.exit_code == 2 and "add --model (AgentA, AgentB)" in result.stderr
    # AgentA ran the task with two seeds: the bare name is ambiguous, `<name>_<seed>` is not
    ambiguous = invoke(
        "label", str(tmp_path / "lab"), run_id, "miniwob.click", "planning", "--model", "AgentA"
    )
    assert ambiguous.exit_code == 2 and "miniwob.click_3, miniwob.click_4" in ambiguous.stderr
    done = invoke(
        "label", str(tmp_path / "lab"), run_id, "miniwob.click_4", SHOULD_PASS, "--model", "AgentA"
    )
    assert done.exit_code == 0, done.output
    state = TriageStore(study).state()
    assert state.labels_for("AgentA", "miniwob.click", 4) == [SHOULD_PASS]
    single = invoke(
        "label", str(tmp_path / "lab"), run_id, "miniwob.click", "planning", "--model", "AgentB"
    )
    assert single.exit_code == 0 and "seed 3" in single.stdout


def test_label_warns_when_the_verdict_already_agrees(results: Path) -> None:
    result = invoke("label", str(results), "r1", "a_1", SHOULD_PASS)
    assert result.exit_code == 0
    assert "the checker already passed this task" in result.stderr


def test_repeats_on_the_command_line(results: Path) -> None:
    data = json.loads(invoke("repeats", str(results), "--json").stdout)
    assert data["models"] == [
        {
            "model": "tern-vl-3b",
            "tasks_with_trials": 2,
            "k": 2,
            "pass_at_1": pytest.approx(0.25),
            "pass_at_k": pytest.approx(0.5),
            "pass_hat_k": 0.0,
            "flaky": ["a_1"],
            "k_tasks": 2,
        }
    ]
    assert [(t["task_id"], t["runs"], t["statuses"]) for t in data["tasks"]] == [
        ("a_1", ["r1", "r2"], ["passed", "failed"]),
        ("b_1", ["r1", "r2"], ["failed", "failed"]),
    ]
    asked = json.loads(invoke("repeats", str(results), "--json", "--k", "3").stdout)
    assert asked["k"] == 3 and asked["models"][0]["pass_at_k"] is None
    human = invoke("repeats", str(results))
    assert human.exit_code == 0 and "a_1" in human.stdout and "✓✗" in human.stdout
    assert invoke("repeats", str(results), "--k", "0").exit_code == 2
    assert invoke("repeats", str(results / "missing")).exit_code == 2
    assert invoke("audit", str(results / "missing")).exit_code == 2


def test_an_unknown_label_names_the_label_set_file_that_could_not_be_used(
    results: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "labels.toml"
    config.write_text('[[label]]\nname = "captcha"\nkey = "c"\n[[label\n')
    monkeypatch.setenv("BENCH_TUI_LABELS", str(config))
    result = invoke("label", str(results), "r1", "a_1", "my-label")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert "unknown label 'my-label'" in result.stderr and "invalid TOML" in result.stderr
