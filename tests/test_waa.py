"""Windows Agent Arena results (FORMATS §11): the example's figures, steps, and every listed trap."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench_tui.analysis.summary import model_figures
from bench_tui.model import Run
from bench_tui.sources.common import ReadContext
from bench_tui.sources.osworld.runs import read_episode_runs
from bench_tui.sources.osworld.waa import (
    classify_episode_dir,
    load_waa_steps,
    match_key,
    read_waa_runs,
)
from tests.fixtures.json_strategies import any_bytes
from tests.fixtures.osworld_builders import (
    EDGE_ID,
    NOTEPAD_ID,
    NOTEPAD_INSTRUCTION,
    WAA_MODEL,
    WAA_SIZE,
    build_waa_example,
    png,
    waa_line,
    write_json,
    write_jsonl,
    write_task_definition,
    write_text,
)

LATER = time.time() + 3600


def episodes(root: Path) -> list[Path]:
    return sorted(
        folder
        for folder in root.glob("*/*")
        if classify_episode_dir(folder, frozenset(os.listdir(folder))) == "waa"
    )


def read(base: Path, root: Path, **kwargs) -> tuple[Run, ReadContext]:
    ctx = ReadContext(root=base)
    (run,) = read_waa_runs(episodes(root), ctx, now=LATER, **kwargs)
    return run, ctx


def notepad_steps(base: Path, run: Run):
    execution = next(e for e in run.executions if e.task_id == NOTEPAD_ID)
    ctx = ReadContext(root=base)
    return load_waa_steps(run, execution, ctx), ctx


def test_example_figures_match_formats(tmp_path: Path) -> None:
    root = build_waa_example(tmp_path)
    run, ctx = read(tmp_path, root)
    assert run.id == f"results/pyautogui/a11y_tree/{WAA_MODEL}/0"  # the trial folder
    assert (run.format, run.benchmark) == ("waa", "waa")
    assert run.models == [WAA_MODEL]  # the trial id is not part of the model
    (entry,) = model_figures(run)
    assert (entry.overall.tasks, entry.overall.finished, entry.overall.succeeded) == (2, 1, 1)
    assert entry.overall.errors == 1
    assert {e.task_id: e.status for e in run.executions} == {
        NOTEPAD_ID: "passed",
        EDGE_ID: "errored",
    }
    notepad = next(e for e in run.executions if e.task_id == NOTEPAD_ID)
    assert notepad.num_steps == 3  # the reset line is not a step
    assert notepad.duration_s == 51.0  # from the reset to the last action
    edge = next(e for e in run.executions if e.task_id == EDGE_ID)
    assert edge.error == f"Exception in msedge/{EDGE_ID}: TimeoutError"
    assert edge.error_type == "TimeoutError"
    # The crash is the one Problem, at its line; missing.json and all_result.json agree.
    assert [(p.path, p.line) for p in ctx.problems] == [
        (f"results/pyautogui/a11y_tree/{WAA_MODEL}/0/msedge/{EDGE_ID}/traj.jsonl", 2)
    ]
    assert run.task(NOTEPAD_ID).instruction == NOTEPAD_INSTRUCTION  # inline `instruction` key
    assert run.created_at is not None and run.created_at.isoformat() == "2025-11-07T14:02:11"


def test_example_steps_use_the_image_the_model_saw(tmp_path: Path) -> None:
    root = build_waa_example(tmp_path)
    run, _ = read(tmp_path, root)
    steps, ctx = notepad_steps(tmp_path, run)
    assert ctx.problems == []
    folder = root / "notepad" / NOTEPAD_ID
    assert [s.source_number for s in steps] == [1, 2, 3]
    assert [s.index for s in steps] == [0, 1, 2]
    first, second, third = steps
    # Step 1: the SoM-annotated foreground image of the same line (before the action).
    assert first.screenshot == str(folder / "foreground_window_prompt-step_0_20251107@140230.png")
    assert not first.screenshot_is_after
    # Step 2 saw step 1's `screenshot`, whose file carries the 0-based index: step_num 1 -> 0.
    assert second.screenshot == str(folder / "screenshot-step_0_20251107@140230.png")
    assert third.screenshot == str(folder / "screenshot-step_1_20251107@140251.png")
    (click,) = first.actions
    assert (click.type, click.element_id, click.x, click.y) == ("click", "41", 0.5, 0.5)
    assert first.reasoning is not None and first.reasoning.startswith("The Notepad icon is box 41")
    assert second.actions[0].text == "shopping list"
    assert third.actions[0].type == "done"
    assert [s.think_ms for s in steps] == [19000.0, 21000.0, 11000.0]
    assert first.extra["computer_clipboard"] is None  # the "not saved" placeholder is null


def test_first_step_without_foreground_image_is_drawn_on_the_reset_screenshot(
    tmp_path: Path,
) -> None:
    root = build_waa_example(tmp_path)
    folder = root / "notepad" / NOTEPAD_ID
    (folder / "foreground_window_prompt-step_0_20251107@140230.png").unlink()
    run, _ = read(tmp_path, root)
    steps, _ = notepad_steps(tmp_path, run)
    assert steps[0].screenshot == str(folder / "screenshot-step_reset_20251107@140211.png")
    assert not steps[0].screenshot_is_after


def test_som_id_without_a_box_keeps_the_id_and_draws_no_point(tmp_path: Path) -> None:
    root = build_waa_example(tmp_path, regions=[{"id": 7, "from": [0, 0], "to": [10, 10]}])
    run, _ = read(tmp_path, root)
    steps, _ = notepad_steps(tmp_path, run)
    (click,) = steps[0].actions
    assert (click.element_id, click.has_point) == ("41", False)


def test_regions_in_normalised_coordinates(tmp_path: Path) -> None:
    root = build_waa_example(tmp_path, regions={"41": [0.1, 0.2, 0.3, 0.4]})
    run, _ = read(tmp_path, root)
    steps, _ = notepad_steps(tmp_path, run)
    click = steps[0].actions[0]
    assert (click.x, click.y) == pytest.approx((0.2, 0.3))


def test_placeholders_and_missing_log_files_read_as_null(tmp_path: Path) -> None:
    root = build_waa_example(tmp_path)
    folder = root / "notepad" / NOTEPAD_ID
    lines = [
        {
            "step_num": 0,
            "action_timestamp": "20251107@140211",
            "action": None,
            "screenshot": "screenshot-step_reset_20251107@140211.png",
        },
        waa_line(
            1,
            "20251107@140230",
            "computer.mouse.move_abs(x=0.25, y=0.75)\ncomputer.mouse.single_click()",
            plan_result="key: plan_result: <class 'NoneType'> not saved",
            regions="key: regions: <class 'NoneType'> not saved",
            foreground_window_prompt="key: foreground_window_prompt: <class 'NoneType'> not saved",
        ),
    ]
    write_jsonl(folder / "traj.jsonl", lines)
    run, ctx = read(tmp_path, root)
    assert [p for p in ctx.problems if "notepad" in p.path] == []
    (step,), step_ctx = notepad_steps(tmp_path, run)
    assert step.reasoning is None and step.raw_output is None
    assert step.screenshot == str(folder / "screenshot-step_reset_20251107@140211.png")
    assert (step.actions[0].x, step.actions[0].y, step.actions[0].coord_quality) == (
        0.25,
        0.75,
        "exact",
    )
    assert step_ctx.problems == []


def test_pyautogui_agents_in_waa_use_pixels_of_the_1920x1200_screen(tmp_path: Path) -> None:
    root = tmp_path / "pyautogui" / "screenshot" / "other-agent" / "0"
    folder = root / "chrome" / "t-WOS"
    write_jsonl(
        folder / "traj.jsonl",
        [
            {
                "step_num": 0,
                "action_timestamp": "20250101@000000",
                "action": None,
                "screenshot": "screenshot-step_reset_20250101@000000.png",
            },
            waa_line(1, "20250101@000010", "pyautogui.click(960, 600)"),
        ],
    )
    png(folder / "screenshot-step_reset_20250101@000000.png", WAA_SIZE)
    png(folder / "screenshot-step_0_20250101@000010.png", WAA_SIZE)
    run, _ = read(tmp_path, root)
    (step,) = load_waa_steps(run, run.executions[0], ReadContext(root=tmp_path))
    assert (step.actions[0].x, step.actions[0].y) == (0.5, 0.5)
    assert run.models == ["other-agent"]


def test_screenshots_found_by_zero_based_index_when_the_key_is_missing(tmp_path: Path) -> None:
    root = tmp_path / "pyautogui" / "a11y_tree" / "m" / "0"
    folder = root / "notepad" / "t-WOS"
    write_jsonl(
        folder / "traj.jsonl",
        [
            {"step_num": 0, "action_timestamp": "20250101@000000", "action": None},
            {"step_num": 1, "action_timestamp": "20250101@000010", "action": "WAIT"},
            {"step_num": 2, "action_timestamp": "20250101@000020", "action": "DONE"},
        ],
    )
    png(folder / "screenshot-step_reset_20250101@000000.png", WAA_SIZE)
    png(folder / "screenshot-step_0_20250101@000010.png", WAA_SIZE)
    png(folder / "screenshot-step_1_20250101@000020.png", WAA_SIZE)
    run, _ = read(tmp_path, root)
    steps = load_waa_steps(run, run.executions[0], ReadContext(root=tmp_path))
    assert [Path(s.screenshot).name for s in steps] == [
        "screenshot-step_reset_20250101@000000.png",
        "screenshot-step_0_20250101@000010.png",
    ]


def test_several_action_lines_of_one_call_are_one_step(tmp_path: Path) -> None:
    root = build_waa_example(tmp_path)
    folder = root / "notepad" / NOTEPAD_ID
    lines = [
        {"step_num": 0, "action_timestamp": "20251107@140211", "action": None},
        waa_line(1, "20251107@140230", "computer.keyboard.write('a')"),
        waa_line(1, "20251107@140231", "computer.keyboard.press('enter')"),
        waa_line(2, "20251107@140240", "DONE"),
    ]
    write_jsonl(folder / "traj.jsonl", lines)
    run, _ = read(tmp_path, root)
    assert next(e for e in run.executions if e.task_id == NOTEPAD_ID).num_steps == 2
    steps, _ = notepad_steps(tmp_path, run)
    assert [[a.type for a in s.actions] for s in steps] == [["type", "key"], ["done"]]


def test_missing_json_that_disagrees_is_a_problem(tmp_path: Path) -> None:
    root = build_waa_example(tmp_path)
    write_json(root / "missing.json", {"notepad": [NOTEPAD_ID], "msedge": [EDGE_ID]})
    write_json(root / "all_result.json", {"notepad": {NOTEPAD_ID: 0.0}})
    _, ctx = read(tmp_path, root)
    located = {p.path.rsplit("/", 1)[-1]: p.message for p in ctx.problems}
    assert "as having no result" in located["missing.json"]
    assert "result.txt says 1" in located["all_result.json"]


@pytest.mark.parametrize(
    ("task_id", "key"),
    [
        ("af9f8fb3-568f-4959-be76-21cdea82b8bb-WOS", "af9f8fb3-568f-4959-be76-21cdea82b8bb"),
        ("1d983ca8-cb9b-4fc5-be9f-48a8daa1dcfe-wos", "1d983ca8-cb9b-4fc5-be9f-48a8daa1dcfe"),
        ("0c825995-5b70-4526-b663-113f4c999dd2-2-WOS", "0c825995-5b70-4526-b663-113f4c999dd2"),
        ("0c825995-5b70-4526-b663-113f4c999dd2-WOS-2", "0c825995-5b70-4526-b663-113f4c999dd2"),
        ("INF-0c825995-5b70-4526-b663-113f4c999dd2-WOS", "0c825995-5b70-4526-b663-113f4c999dd2"),
        ("notepad_plain", "notepad_plain"),
    ],
)
def test_match_key_strips_waa_suffixes(task_id: str, key: str) -> None:
    assert match_key(task_id, "waa") == key
    assert match_key(task_id, "osworld") == task_id


def test_task_ids_keep_their_suffixes_and_match_keys_strip_them(tmp_path: Path) -> None:
    root = build_waa_example(tmp_path)
    run, _ = read(tmp_path, root)
    assert run.task(NOTEPAD_ID).match_key == NOTEPAD_ID.removesuffix("-WOS")
    assert run.task(EDGE_ID).match_key == EDGE_ID.removesuffix("-wos")


def test_task_file_name_is_not_its_id(tmp_path: Path) -> None:
    uuid = "0c825995-5b70-4526-b663-113f4c999dd2"
    root = tmp_path / "pyautogui" / "a11y_tree" / "m" / "0"
    write_text(root / "notepad" / f"{uuid}-2-WOS" / "result.txt", "0.0\n")
    write_jsonl(
        root / "notepad" / f"{uuid}-2-WOS" / "traj.jsonl", [{"step_num": 0, "action": None}]
    )
    examples = tmp_path / "evaluation_examples_windows" / "examples" / "notepad"
    definitions = [
        write_task_definition(examples / f"{uuid}-2-WOS.json", f"{uuid}-WOS-2", "Second variant"),
        write_task_definition(examples / f"{uuid}-WOS.json", f"{uuid}-WOS", "First variant"),
        write_task_definition(
            examples / "decoy.json", "INF-" + uuid + "-WOS", "Infeasible one", infeasible=True
        ),
    ]
    run, _ = read(tmp_path, root, task_definition_files=definitions)
    assert run.task(f"{uuid}-2-WOS").instruction == "Second variant"


def test_index_adds_unstarted_waa_tasks(tmp_path: Path) -> None:
    root = build_waa_example(tmp_path)
    index = write_json(
        tmp_path / "evaluation_examples_windows" / "test_all.json",
        {"notepad": [NOTEPAD_ID, "n2-WOS"], "msedge": [EDGE_ID], "microsoft_paint": ["p1-WOS"]},
    )
    run, _ = read(tmp_path, root, task_index_files=[index])
    (entry,) = model_figures(run)
    assert (entry.overall.tasks, entry.overall.succeeded) == (4, 1)
    assert run.task("p1-WOS").domain == "microsoft_paint"


def test_classify_waa_folders(tmp_path: Path) -> None:
    folder = tmp_path / "e"
    write_jsonl(folder / "traj.jsonl", [{"step_num": 0, "action_timestamp": "x", "action": None}])
    assert classify_episode_dir(folder, frozenset(["traj.jsonl"])) == "waa"
    write_jsonl(folder / "traj.jsonl", [waa_line(1, "20250101@000000", "DONE")])
    assert classify_episode_dir(folder, frozenset(["traj.jsonl"])) == "waa"  # `screenshot` key
    write_jsonl(folder / "traj.jsonl", [{"Error": "Exception in a/b", "Traceback": "..."}])
    assert classify_episode_dir(folder, frozenset(["traj.jsonl"])) == "waa"
    assert classify_episode_dir(folder, frozenset(["traj.html", "result.txt"])) == "waa"
    assert classify_episode_dir(folder, frozenset(["screenshot-step_reset_1.png"])) == "waa"
    write_jsonl(
        folder / "traj.jsonl", [{"step_num": 1, "action": "DONE", "screenshot_file": "s.png"}]
    )
    assert classify_episode_dir(folder, frozenset(["traj.jsonl"])) == "osworld"


def test_a_run_classified_both_ways_is_one_waa_run(tmp_path: Path) -> None:
    root = build_waa_example(tmp_path)
    bare = root / "notepad" / "bare-WOS"
    write_text(bare / "result.txt", "0.0\n")
    ctx = ReadContext(root=tmp_path)
    runs = read_episode_runs({"waa": episodes(root), "osworld": [bare]}, ctx, now=LATER)
    assert [(r.id, r.format, len(r.tasks)) for r in runs] == [
        (f"results/pyautogui/a11y_tree/{WAA_MODEL}/0", "waa", 3)
    ]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(traj=any_bytes, regions=any_bytes)
def test_arbitrary_bytes_never_raise(
    tmp_path_factory: pytest.TempPathFactory, traj: bytes, regions: bytes
) -> None:
    base = tmp_path_factory.mktemp("fuzz")
    folder = base / "pyautogui" / "a11y_tree" / "m" / "0" / "notepad" / "t-WOS"
    folder.mkdir(parents=True)
    (folder / "traj.jsonl").write_bytes(traj)
    (folder / "traj.html").write_bytes(b"<html></html>")
    (folder / "regions-step_0_x.json").write_bytes(regions)
    (folder / "missing.json").write_bytes(regions)
    ctx = ReadContext(root=base)
    (run,) = read_waa_runs([folder], ctx, now=LATER)
    steps = load_waa_steps(run, run.executions[0], ReadContext(root=base))
    assert run.executions[0].status in ("errored", "unfinished")
    assert all(step.index == position for position, step in enumerate(steps))
    assert all(p.line is None or p.line >= 1 for p in ctx.problems)


WAA_KEYS = [
    "step_num",
    "action",
    "action_timestamp",
    "screenshot",
    "regions",
    "plan_result",
    "image_width",
    "image_height",
    "foreground_window_prompt",
    "Error",
    "Exception",
]
WAA_VALUES = st.one_of(
    st.none(),
    st.integers(-2, 4),
    st.sampled_from(
        [
            "computer.mouse.move_id(id=41)\ncomputer.mouse.single_click()",
            "computer.mouse.drag(x=0.5)",
            "# plan not found",
            "key: x: <class 'NoneType'> not saved",
            "screenshot-step_0_x.png",
            "regions-step_0_x.json",
        ]
    ),
    st.text(max_size=15),
    st.lists(st.one_of(st.integers(), st.lists(st.integers(), max_size=4)), max_size=3),
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(st.dictionaries(st.sampled_from(WAA_KEYS), WAA_VALUES), max_size=6))
def test_oddly_typed_waa_lines_never_raise(
    tmp_path_factory: pytest.TempPathFactory, lines: list
) -> None:
    base = tmp_path_factory.mktemp("typed")
    folder = base / "pyautogui" / "a11y_tree" / "m" / "0" / "notepad" / "t-WOS"
    write_jsonl(folder / "traj.jsonl", lines)
    write_json(folder / "regions-step_0_x.json", [[0, 0, 10, 10]])
    ctx = ReadContext(root=base)
    (run,) = read_waa_runs([folder], ctx, now=LATER)
    steps = load_waa_steps(run, run.executions[0], ctx)
    assert len(steps) <= len(lines)
    assert all(isinstance(a.type, str) for step in steps for a in step.actions)
