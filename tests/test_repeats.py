"""Trials of a task (DESIGN §10 "Repeats"): the formulas by hand, and trials found on disk."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from bench_tui.analysis.repeats import (
    find_trials,
    flaky_first,
    model_repeats,
    pass_at_k,
    pass_hat_k,
    repeated,
    repeats_json,
)
from bench_tui.model import Execution, Run
from bench_tui.sources.discover import discover_workspace
from tests.fixtures.compare_builders import agentlab_study, openadapt_run
from tests.fixtures.osworld_builders import osworld_line, png, write_jsonl, write_text

# ----- the formulas ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "c", "k", "at_k", "hat_k"),
    [
        (3, 1, 2, 1 - 1 / 3, 0.0),  # C(2,2)/C(3,2) = 1/3 of the pairs miss; no pair passes twice
        (4, 2, 2, 1 - 1 / 6, 1 / 6),  # C(2,2)/C(4,2)
        (5, 2, 3, 1 - 1 / 10, 0.0),  # C(3,3)/C(5,3); C(2,3) = 0
        (5, 4, 3, 1.0, 4 / 10),  # C(1,3) = 0; C(4,3)/C(5,3)
        (3, 3, 2, 1.0, 1.0),  # all pass
        (3, 0, 2, 0.0, 0.0),  # none pass
        (2, 1, 1, 0.5, 0.5),  # k = 1 is c/n either way
    ],
)
def test_pass_at_k_and_pass_hat_k_by_hand(
    n: int, c: int, k: int, at_k: float, hat_k: float
) -> None:
    assert pass_at_k(n, c, k) == pytest.approx(at_k, abs=1e-12)
    assert pass_hat_k(n, c, k) == pytest.approx(hat_k, abs=1e-12)


@pytest.mark.parametrize(("n", "c", "k"), [(2, 1, 3), (2, 3, 1), (2, 1, 0)])
def test_the_formulas_refuse_what_they_do_not_define(n: int, c: int, k: int) -> None:
    with pytest.raises(ValueError):
        pass_at_k(n, c, k)
    with pytest.raises(ValueError):
        pass_hat_k(n, c, k)


def run(name: str, day: int, outcomes: dict[str, str], *, live: bool = False, **kw: object) -> Run:
    return Run(
        id=f"runs/{name}",
        path=f"/results/runs/{name}",
        format=kw.get("format", "openadapt"),  # type: ignore[arg-type]
        benchmark=kw.get("benchmark", "waa"),  # type: ignore[arg-type]
        label=name,
        created_at=datetime(2025, 11, day, 9, 0),
        live=live,
        executions=[
            Execution(task_id=task_id, model=str(kw.get("model", "m")), status=status)  # type: ignore[arg-type]
            for task_id, status in outcomes.items()
        ],
    )


def three_runs() -> list[Run]:
    """A: ✓✗✓, B: ✓✓, C: unfinished (ended), errored, failed; D once; E passed, then pending."""
    return [
        # Listed newest first on purpose: trials are ordered by date, not by the list.
        run("r3", 12, {"A": "passed", "C": "failed", "E": "unfinished"}, live=True),
        run("r1", 10, {"A": "passed", "B": "passed", "C": "unfinished", "E": "passed"}),
        run("r2", 11, {"A": "failed", "B": "passed", "C": "errored", "D": "failed"}),
    ]


def test_trials_per_task_oldest_first_pending_left_out() -> None:
    tasks = {task.task_id: task for task in find_trials(three_runs())}
    assert [t.run.id for t in tasks["A"].trials] == ["runs/r1", "runs/r2", "runs/r3"]
    assert (tasks["A"].n, tasks["A"].passes, tasks["A"].flaky) == (3, 2, True)
    assert (tasks["B"].n, tasks["B"].passes, tasks["B"].flaky) == (2, 2, False)
    # errored and unfinished (in a run that ended) are failed trials
    assert (tasks["C"].n, tasks["C"].passes, tasks["C"].flaky) == (3, 0, False)
    assert tasks["D"].n == 1
    # the live run has not reached E yet: pending is not a trial
    assert [t.run.id for t in tasks["E"].trials] == ["runs/r1"]
    assert [t.task_id for t in repeated(tasks.values())] == ["A", "B", "C"]
    assert [t.task_id for t in flaky_first(repeated(tasks.values()))] == ["A", "C", "B"]


def test_model_figures_by_hand() -> None:
    (entry,) = model_repeats(find_trials(three_runs()))
    assert (entry.model, entry.tasks_with_trials, entry.k, entry.k_tasks) == ("m", 3, 2, 3)
    assert entry.pass_at_1 == pytest.approx((2 / 3 + 1 + 0) / 3)
    # pass@2: A 1 − C(1,2)/C(3,2) = 1, B 1, C 0; D and E (n = 1 < k) are left out
    assert entry.pass_at_k == pytest.approx(2 / 3)
    # pass^2: A C(2,2)/C(3,2) = 1/3, B 1, C 0
    assert entry.pass_hat_k == pytest.approx((1 / 3 + 1 + 0) / 3)
    assert entry.flaky == ["A"]


def test_k_asked_for_and_k_above_every_n() -> None:
    tasks = find_trials(three_runs())
    (three,) = model_repeats(tasks, k=3)
    assert (three.k, three.k_tasks) == (3, 2)  # A and C
    assert three.pass_at_k == pytest.approx(0.5) and three.pass_hat_k == pytest.approx(0.0)
    (four,) = model_repeats(tasks, k=4)
    assert four.k_tasks == 0 and four.pass_at_k is None and four.pass_hat_k is None
    assert four.pass_at_1 == pytest.approx(5 / 9)  # over the tasks with n ≥ 2, whatever k
    (one,) = model_repeats(tasks, k=1)
    # k = 1 averages c/n over every task with a trial, singletons included (D 0, E 1)
    assert one.k_tasks == 5 and one.pass_at_k == pytest.approx((2 / 3 + 1 + 0 + 0 + 1) / 5)
    with pytest.raises(ValueError):
        model_repeats(tasks, k=0)


def test_default_k_is_the_smallest_n_of_at_least_two() -> None:
    runs = [run(f"r{day}", day, {"A": "passed", "B": "failed"}) for day in (1, 2, 3)]
    runs += [run("r4", 4, {"A": "failed"})]
    (entry,) = model_repeats(find_trials(runs))
    assert entry.k == 3  # A has 4 trials, B 3
    assert entry.pass_hat_k == pytest.approx((1 / 4 + 0) / 2)  # A: C(3,3)/C(4,3)


def test_models_benchmarks_and_seeds_never_mix() -> None:
    runs = [
        run("a1", 1, {"A": "passed"}),
        run("a2", 2, {"A": "failed"}),
        run("b1", 3, {"A": "passed"}, model="other"),
        run("c1", 4, {"A": "passed"}, benchmark="osworld"),
    ]
    study = Run(
        id="study",
        path="/results/study",
        format="agentlab",
        benchmark="miniwob",
        label="study",
        executions=[
            Execution(task_id="miniwob.x", model="m", seed=seed, status=status)
            for seed, status in ((1, "passed"), (2, "failed"))
        ],
    )
    tasks = find_trials([*runs, study])
    assert [(t.model, t.benchmark, t.task_id, t.n) for t in tasks] == [
        ("m", "miniwob", "miniwob.x_1", 1),
        ("m", "miniwob", "miniwob.x_2", 1),
        ("m", "osworld", "A", 1),
        ("m", "waa", "A", 2),
        ("other", "waa", "A", 1),
    ]
    assert [entry.model for entry in model_repeats(tasks)] == ["m"]  # "other" ran nothing twice


def test_no_repeats_at_all() -> None:
    data = repeats_json([run("only", 1, {"A": "passed"})])
    assert data == {"k": None, "models": [], "tasks": []}


# ----- trials found on disk --------------------------------------------------------------------


def test_trials_across_openadapt_runs(tmp_path: Path) -> None:
    openadapt_run(tmp_path, "r1", {"a": "pass", "b": "fail"}, created_at="2025-11-01T09:00:00")
    openadapt_run(tmp_path, "r2", {"a": "fail", "b": "error"}, created_at="2025-11-02T09:00:00")
    openadapt_run(tmp_path, "r3", {"a": "pass"}, created_at="2025-11-03T09:00:00")
    data = repeats_json(discover_workspace(tmp_path).runs)
    (model,) = data["models"]
    assert model["model"] == "tern-vl-3b" and model["tasks_with_trials"] == 2
    assert model["k"] == 2 and model["flaky"] == ["a"]
    tasks = {task["task_id"]: task for task in data["tasks"]}
    assert tasks["a"]["runs"] == ["r1", "r2", "r3"]
    assert tasks["a"]["statuses"] == ["passed", "failed", "passed"]
    assert (tasks["b"]["trials"], tasks["b"]["passes"]) == (2, 0)  # errored counts as failed
    assert tasks["b"]["statuses"] == ["failed", "errored"]


def _osworld_trial(model_dir: Path, trial: str, score: str, stamp: str) -> None:
    episode = model_dir / trial / "chrome" / "38eb4e27-b792-4c40-9665-6026b18ae796"
    lines = [osworld_line(1, stamp, "DONE", done=True, info={"done": True})]
    write_jsonl(episode / "traj.jsonl", lines)
    png(episode / lines[0]["screenshot_file"])
    write_text(episode / "result.txt", score)


def test_osworld_trial_folders_of_one_model_are_trials(tmp_path: Path) -> None:
    """FORMATS §10: a trial-id level after the model. Each trial folder is a run root, and the
    model name leaves the trial id out, so the trials of one run are found like runs."""
    model_dir = tmp_path / "results" / "pyautogui" / "screenshot" / "acme" / "vl-7b"
    _osworld_trial(model_dir, "0", "1.0\n", "20251103@101502")
    _osworld_trial(model_dir, "1", "0.0\n", "20251104@101502")
    _osworld_trial(model_dir, "2", "1.0\n", "20251105@101502")
    runs = discover_workspace(tmp_path).runs
    assert sorted(r.id for r in runs) == [
        f"results/pyautogui/screenshot/acme/vl-7b/{trial}" for trial in "012"
    ]
    assert {model for r in runs for model in r.models} == {"acme/vl-7b"}
    (task,) = find_trials(runs)
    assert (task.task_id, task.n, task.passes, task.flaky) == (
        "38eb4e27-b792-4c40-9665-6026b18ae796",
        3,
        2,
        True,
    )
    assert [trial.run.id.rsplit("/", 1)[1] for trial in task.trials] == ["0", "1", "2"]


def test_agentlab_trials_are_the_same_task_and_seed_in_several_studies(tmp_path: Path) -> None:
    agents = {"GenericAgent-x": {("miniwob.click", 3): "pass", ("miniwob.click", 4): "fail"}}
    agentlab_study(tmp_path / "first", agents)
    agents = {"GenericAgent-x": {("miniwob.click", 3): "fail", ("miniwob.click", 4): "fail"}}
    agentlab_study(tmp_path / "second", agents)
    data = repeats_json(discover_workspace(tmp_path).runs)
    tasks = {task["task_id"]: task for task in data["tasks"]}
    assert set(tasks) == {"miniwob.click_3", "miniwob.click_4"}
    assert (tasks["miniwob.click_3"]["seed"], tasks["miniwob.click_3"]["flaky"]) == (3, True)
    assert data["models"][0]["flaky"] == ["miniwob.click_3"]
    json.dumps(data)  # plain JSON all the way down
