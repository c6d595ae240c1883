"""WebArena / VisualWebArena result folders: the FORMATS §12 example and every trap it lists."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from bench_tui.analysis.summary import model_figures
from bench_tui.model import Run
from bench_tui.sources._io.pyrepr import parse_calls, parse_dict_prefix
from bench_tui.sources.common import ReadContext
from bench_tui.sources.webarena.render import block_action, parse_block, split_render
from bench_tui.sources.webarena.run import (
    is_webarena_run,
    load_webarena_steps,
    read_webarena_run,
    screenshot_cache_dir,
)
from tests.fixtures.web_builders import (
    EXAMPLE_LOG,
    KETTLE,
    UPVOTE,
    Block,
    action_object,
    build_webarena_example,
    kettle_blocks,
    png_bytes,
    render_block,
    render_html,
    task_config,
)

LOG_NAME = "log_20251106120003_4821.log"


def read(run_dir: Path, root: Path, now: float | None = None) -> tuple[Run, ReadContext]:
    ctx = ReadContext(root=root)
    run = read_webarena_run(run_dir, ctx, now=now)
    assert run is not None
    return run, ctx


def statuses(run: Run) -> dict[str, str]:
    return {e.task_id: e.status for e in run.executions}


def execution(run: Run, task_id: str):
    return next(e for e in run.executions if e.task_id == task_id)


def log_path(tmp_path: Path) -> Path:
    return tmp_path / "wa_work" / "log_files" / LOG_NAME


def test_detection_needs_a_render_with_a_numeric_id() -> None:
    assert is_webarena_run(frozenset({"render_17.html", "config.json"}))
    assert not is_webarena_run(frozenset({"render_x.html", "render_17.htm", "log_files.txt"}))


def test_formats_example_figures(tmp_path: Path) -> None:
    run, ctx = read(build_webarena_example(tmp_path), tmp_path)
    assert run.id == "wa_work/cache/results_20251106120000"
    assert run.format == "webarena" and run.benchmark == "webarena"
    assert run.models == ["lumen-4o-mini"]
    assert run.created_at is not None and run.created_at.isoformat() == "2025-11-06T12:00:00"
    (figures,) = model_figures(run)
    overall = figures.overall
    assert (overall.tasks, overall.finished, overall.succeeded) == (2, 1, 1)
    assert statuses(run) == {"17": "passed", "42": "errored"}
    assert overall.success_rate == 0.5
    assert overall.mean_steps == 2.0  # action blocks, the final stop included
    passed = execution(run, "17")
    assert passed.score == 1.0 and passed.success is True
    assert passed.duration_s == pytest.approx(141.433)
    crashed = execution(run, "42")
    assert crashed.error_type == "TimeoutError" and "Timeout 30000ms" in (crashed.error or "")
    assert crashed.error and not crashed.error.endswith("]")  # upstream's stray bracket dropped
    tasks = {t.task_id: t for t in run.tasks}
    assert tasks["17"].instruction == KETTLE and tasks["17"].domain == "shopping"
    assert tasks["42"].instruction == UPVOTE and tasks["42"].domain == "reddit"
    (problem,) = ctx.problems
    assert problem.path == f"wa_work/log_files/{LOG_NAME}" and problem.line == 6
    assert "task 42 crashed without a verdict" in problem.message
    assert not run.live


def test_steps_decode_screenshots_outside_the_results_tree(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    run, ctx = read(run_dir, tmp_path)
    steps = load_webarena_steps(run, execution(run, "17"), ctx)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert [s.index for s in steps] == [0, 1]
    first, last = steps
    assert first.screenshot is not None
    shot = Path(first.screenshot)
    assert shot.parent == screenshot_cache_dir() and tmp_path not in shot.parents
    assert shot.read_bytes() == png_bytes()
    with Image.open(shot) as image:
        assert image.size == (128, 72)
    action = first.action
    assert action is not None
    assert (action.type, action.element_id, action.element_name, action.text) == (
        "type",
        "1204",
        "Search",
        "blue kettle",
    )
    assert action.x is None and action.y is None
    assert first.reasoning and first.reasoning.startswith("Search first.")
    assert first.extra["url"] == "http://shop.test:7770"
    assert first.extra["observation"].startswith("[1] RootWebArea 'Corner Store'")
    assert last.action is not None and last.action.type == "answer"
    assert last.action.answer == "$24.99"
    assert last.screenshot != first.screenshot
    assert ctx.problems[1:] == []  # only the index-time crash Problem
    # Reopening reuses the cached image.
    again = load_webarena_steps(run, execution(run, "17"), ctx)
    assert again[0].screenshot == first.screenshot


def test_crashed_task_still_has_its_render_steps(tmp_path: Path) -> None:
    run, ctx = read(build_webarena_example(tmp_path), tmp_path)
    (step,) = load_webarena_steps(run, execution(run, "42"), ctx)
    assert step.action is not None
    assert (step.action.type, step.action.element_id, step.action.element_name) == (
        "click",
        "311",
        "Upvote",
    )


def test_missing_log_leaves_tasks_without_verdicts(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    log_path(tmp_path).unlink()
    run, ctx = read(run_dir, tmp_path)
    assert statuses(run) == {"17": "unfinished", "42": "errored"}
    by_file = {p.path: p for p in ctx.problems}
    listing = by_file["wa_work/cache/results_20251106120000/log_files.txt"]
    assert listing.line == 1 and "was not found" in listing.message
    crash = by_file["wa_work/cache/results_20251106120000/error.txt"]
    assert crash.line == 1 and "task 42 crashed" in crash.message
    # The instruction still comes from the render header.
    assert run.task("17") is not None and run.task("17").instruction == KETTLE


def test_published_bundle_without_logs_or_traces(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    log_path(tmp_path).unlink()
    (run_dir / "log_files.txt").unlink()
    (run_dir / "traces" / "17.zip").unlink()
    (run_dir / "traces").rmdir()
    (run_dir / "error.txt").unlink()
    run, ctx = read(run_dir, tmp_path)
    assert ctx.problems == []
    assert statuses(run) == {"17": "unfinished", "42": "unfinished"}
    (run_dir / "merged_log.txt").write_text(EXAMPLE_LOG)
    run, ctx = read(run_dir, tmp_path)
    assert statuses(run) == {"17": "passed", "42": "errored"}
    assert [p.path.rsplit("/", 1)[-1] for p in ctx.problems] == ["merged_log.txt"]


def test_merged_log_beside_the_logs_adds_no_second_verdict(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    (run_dir / "merged_log.txt").write_text(EXAMPLE_LOG)
    run, ctx = read(run_dir, tmp_path)
    assert statuses(run) == {"17": "passed", "42": "errored"}
    assert execution(run, "17").duration_s == pytest.approx(141.433)
    assert len(ctx.problems) == 1 and ctx.problems[0].path.endswith(LOG_NAME)


def test_verdict_lines_with_trailing_text_name_their_task(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    log = log_path(tmp_path)
    log.write_text(
        log.read_text().replace(
            "[Result] (PASS) config_files/17.json", "[Result] (PASS) config_files/17.json score=1.0"
        )
    )
    run, _ = read(run_dir, tmp_path)
    assert statuses(run) == {"17": "passed", "42": "errored"}


def test_json_dump_gives_verdicts_when_logs_are_gone(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    log_path(tmp_path).unlink()
    (run_dir / "log_files.txt").unlink()
    (run_dir / "json_dump.json").write_text(
        json.dumps({"example_17": {"intent": KETTLE, "success": True}})
    )
    run, _ = read(run_dir, tmp_path)
    assert statuses(run) == {"17": "passed", "42": "errored"}


def test_listed_log_is_found_by_base_name_when_moved(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    (run_dir / "log_files.txt").write_text(f"/home/someone/webarena/log_files/{LOG_NAME}\n")
    run, ctx = read(run_dir, tmp_path)
    assert statuses(run) == {"17": "passed", "42": "errored"}
    assert len(ctx.problems) == 1


def test_logs_stop_at_the_scanned_folder(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    ctx = ReadContext(root=run_dir)  # the user opened the result folder itself
    run = read_webarena_run(run_dir, ctx)
    assert run is not None
    assert statuses(run) == {"17": "unfinished", "42": "errored"}
    assert any(p.path == "log_files.txt" for p in ctx.problems)


def test_temp_config_paths_reruns_and_unknown_verdicts(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    extra = (
        "2025-11-06 13:00:00,000 - INFO - [Config file]: /tmp/tmpab12cd/17.json\n"
        "2025-11-06 13:00:00,001 - INFO - [Intent]: What is the price of the cheapest blue kettle?\n"
        "2025-11-06 13:01:00,000 - INFO - [Result] (FAIL) /tmp/tmpab12cd/17.json\n"
        "2025-11-06 13:02:00,000 - INFO - [Config file]: config_files/42.json\n"
        "2025-11-06 13:03:00,000 - INFO - [Result] (NO_JUDGE) config_files/42.json\n"
    )
    second = tmp_path / "wa_work" / "log_files" / "log_20251106130000_1.log"
    second.write_text(extra)
    (run_dir / "log_files.txt").write_text(
        f"log_files/{LOG_NAME}\nlog_files/log_20251106130000_1.log\n"
    )
    run, ctx = read(run_dir, tmp_path)
    # The rerun of 17 failed: last verdict wins, and the repeat is reported at its line.
    assert execution(run, "17").status == "failed"
    rerun = next(p for p in ctx.problems if "2 verdicts" in p.message)
    assert rerun.path.endswith("log_20251106130000_1.log") and rerun.line == 3
    assert "PASS, then FAIL" in rerun.message
    # NO_JUDGE is no verdict: the earlier crash stays the last word on 42.
    assert execution(run, "42").status == "errored"


def test_multi_line_intent_in_the_log(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    (run_dir / "render_17.html").write_text(render_html({"task_id": 17}, kettle_blocks()))
    log = log_path(tmp_path)
    log.write_text(
        log.read_text().replace(
            "[Intent]: What is the price of the cheapest blue kettle?",
            "[Intent]: What is the price\nof the cheapest blue kettle?",
        )
    )
    run, _ = read(run_dir, tmp_path)
    assert run.task("17").instruction == "What is the price\nof the cheapest blue kettle?"
    assert run.task("17").domain is None


def write_render(run_dir: Path, number: int, blocks: list[Block], **config: object) -> Path:
    settings_ = task_config(number, KETTLE, ["shopping"]) | config
    path = run_dir / f"render_{number}.html"
    path.write_text(render_html(settings_, blocks))
    return path


def test_malformed_html_and_unescaped_text_are_read_by_markers(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    nasty_tree = "[1] RootWebArea '<b>Deals</b> </div> <pre>' focused: True\n\t[7] link 'a</pre>b'"
    blocks = [
        Block(
            parsed_action="click [7] where [7] is [7] link 'a</pre>b'",
            action_object=action_object(
                "CLICK", element_id="7", raw_prediction="<script>alert(1)</script>"
            ),
            raw_prediction="I see <div class='x'> and </pre> in the page. ```click [7]```",
            tree=nasty_tree,
        ),
        Block(
            parsed_action="stop [N/A]",
            action_object=action_object("STOP", answer="N/A"),
            screenshot=None,
        ),
    ]
    write_render(run_dir, 17, blocks)
    run, ctx = read(run_dir, tmp_path)
    assert execution(run, "17").num_steps == 2
    steps = load_webarena_steps(run, execution(run, "17"), ctx)
    assert steps[0].extra["observation"] == nasty_tree
    assert steps[0].reasoning == "I see <div class='x'> and </pre> in the page. ```click [7]```"
    assert steps[0].action.element_id == "7" and steps[0].action.element_name == "a</pre>b"
    assert steps[1].screenshot is None and steps[1].action.answer == "N/A"


def test_huge_base64_and_renders_over_the_size_cap(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    big_image = os.urandom(3 * 1024 * 1024)
    noisy = Image.frombytes("RGB", (1024, 1024), big_image)
    path = tmp_path / "noisy.png"
    noisy.save(path)
    blocks = [Block(parsed_action="stop [x]", screenshot=path.read_bytes())]
    write_render(run_dir, 17, blocks)
    run, ctx = read(run_dir, tmp_path)
    (step,) = load_webarena_steps(run, execution(run, "17"), ctx)
    assert step.screenshot is not None and Path(step.screenshot).read_bytes() == path.read_bytes()
    over = run_dir / "render_42.html"
    with over.open("a") as handle:
        handle.write("A" * (33 * 1024 * 1024))
    run, ctx = read(run_dir, tmp_path)
    cap = next(p for p in ctx.problems if p.path.endswith("render_42.html"))
    assert "over the 32 MB limit" in cap.message and cap.line is None
    task = run.task("42")
    assert task is not None and task.instruction == UPVOTE  # from the log's [Intent]
    assert execution(run, "42").status == "errored" and execution(run, "42").num_steps is None


@pytest.mark.parametrize("extra", [0, 1, 2, 3])
def test_render_cut_while_being_rewritten(tmp_path: Path, extra: int) -> None:
    run_dir = build_webarena_example(tmp_path)
    path = run_dir / "render_17.html"
    text = path.read_text()
    second = text.index("<h2>New Page</h2>", text.index("<h2>New Page</h2>") + 1)
    # Stops inside the second screenshot's base64: as valid base64 of a partial PNG or not.
    path.write_text(text[: second + 400 + extra])
    run, ctx = read(run_dir, tmp_path)
    assert execution(run, "17").num_steps == 2
    steps = load_webarena_steps(run, execution(run, "17"), ctx)
    assert len(steps) == 2 and steps[0].action.type == "type"
    assert steps[1].screenshot is None
    assert any("screenshot of step 2" in p.message for p in ctx.problems)


@pytest.mark.parametrize("answer", ["Early stop: Same action for 3 times", "ERROR: bad output"])
def test_early_stop_is_a_failure_with_a_reason(tmp_path: Path, answer: str) -> None:
    run_dir = build_webarena_example(tmp_path)
    blocks = [
        kettle_blocks()[0],
        Block(
            parsed_action=f"stop [{answer}]",
            action_object=action_object("STOP", answer=answer),
        ),
    ]
    write_render(run_dir, 17, blocks)
    log = log_path(tmp_path)
    log.write_text(log.read_text().replace("(PASS)", "(FAIL)"))
    run, ctx = read(run_dir, tmp_path)
    result = execution(run, "17")
    assert (result.status, result.reason, result.error) == ("failed", answer, None)
    assert len(ctx.problems) == 1  # only 42's crash: a failure with a reason is no Problem
    steps = load_webarena_steps(run, result, ctx)
    assert steps[-1].action.type == "fail" and steps[-1].action.answer == answer


def test_action_kinds_map_onto_the_common_model(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    blocks = [
        Block("", action_object("MOUSE_CLICK", coords=(0.25, 0.5))),
        Block("", action_object("MOUSE_HOVER", coords=(0.75, 0.125))),
        Block("hover [88] where [88] is [88] img 'Logo'", action_object("HOVER", element_id="88")),
        Block("scroll [down]", action_object("SCROLL", direction="down")),
        Block("press [Ctrl+Enter]", action_object("KEY_PRESS", key_comb="Ctrl+Enter")),
        Block("press [Enter]", None),
        Block("goto [http://x.test]", action_object("GOTO_URL", url="http://x.test")),
        Block("none", action_object("NONE")),
        Block("", pw_code="page.get_by_role('button', name='Go').click()"),
        Block("stop []", action_object("STOP")),
    ]
    write_render(run_dir, 17, blocks)
    run, ctx = read(run_dir, tmp_path)
    actions = [s.action for s in load_webarena_steps(run, execution(run, "17"), ctx)]
    assert (actions[0].type, actions[0].x, actions[0].y, actions[0].coord_quality) == (
        "click",
        0.25,
        0.5,
        "exact",
    )
    assert (actions[1].type, actions[1].x, actions[1].y) == ("move", 0.75, 0.125)
    assert (actions[2].type, actions[2].element_id, actions[2].element_name) == (
        "move",
        "88",
        "Logo",
    )
    assert (actions[3].type, actions[3].scroll_direction) == ("scroll", "down")
    assert (actions[4].type, actions[4].key, actions[4].modifiers) == ("hotkey", "Enter", ["Ctrl"])
    assert (actions[5].type, actions[5].key) == ("key", "Enter")
    assert actions[6].type == "other" and actions[6].raw == "goto [http://x.test]"
    assert actions[7].type == "other"
    assert actions[8].type == "click" and "get_by_role" in actions[8].raw
    assert actions[9].type == "done" and actions[9].answer is None


def test_truncated_action_repr_keeps_what_it_could_read() -> None:
    text = (
        "{'action_type': <ActionTypes.TYPE: 7>, 'coords': array([0., 0.], dtype=float32), "
        "'element_id': '1204', ...}"
    )
    assert parse_dict_prefix(text) == {
        "action_type": ("ActionTypes.TYPE", 7),
        "coords": [0.0, 0.0],
        "element_id": "1204",
    }
    html = render_block(Block("type [1204] [kettle]", text))
    block = parse_block(split_render(html)[1][0])
    action = block_action(block)
    assert (action.type, action.element_id, action.text) == ("type", "1204", "kettle")


def test_test_range_adds_configs_without_renders(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    configs = tmp_path / "wa_work" / "config_files"
    configs.mkdir()
    for task_id, intent in ((0, "First task"), (1, "Second task"), (5, "Out of range")):
        (configs / f"{task_id}.json").write_text(
            json.dumps({"task_id": task_id, "intent": intent, "sites": ["gitlab"]})
        )
    (configs / "test.raw.json").write_text("[]")
    config = json.loads((run_dir / "config.json").read_text())
    (run_dir / "config.json").write_text(
        json.dumps(config | {"test_start_idx": 0, "test_end_idx": 3})
    )
    run, _ = read(run_dir, tmp_path)
    assert statuses(run) == {"0": "unfinished", "1": "unfinished", "17": "passed", "42": "errored"}
    assert run.task("1").instruction == "Second task" and run.task("1").domain == "gitlab"
    (figures,) = model_figures(run)
    assert figures.overall.success_rate == 0.25


def test_visualwebarena_is_recognised_by_its_sites(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    write_render(run_dir, 17, kettle_blocks(), sites=["classifieds", "reddit"])
    run, _ = read(run_dir, tmp_path)
    assert run.benchmark == "visualwebarena"
    assert run.task("17").domain == "classifieds+reddit"


def test_render_whose_header_names_another_task(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    write_render(run_dir, 17, kettle_blocks(), task_id=18)
    run, ctx = read(run_dir, tmp_path)
    assert run.task("17") is not None
    assert any("holds task 18" in p.message for p in ctx.problems)


def test_live_while_the_last_log_is_still_being_written(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    (run_dir / "error.txt").unlink()  # task 42 has only just started
    log = log_path(tmp_path)
    log.write_text("\n".join(EXAMPLE_LOG.splitlines()[:5]) + "\n")
    run, _ = read(run_dir, tmp_path, now=time.time())
    assert run.live
    assert statuses(run) == {"17": "passed", "42": "unfinished"}
    run, _ = read(run_dir, tmp_path, now=time.time() + 3600)
    assert not run.live


def test_unreadable_config_and_log_are_problems_not_crashes(tmp_path: Path) -> None:
    run_dir = build_webarena_example(tmp_path)
    (run_dir / "config.json").write_text("{not json")
    log_path(tmp_path).write_bytes(b"\x00\x01binary")
    run, ctx = read(run_dir, tmp_path)
    assert run.models == ["unknown"]
    messages = {p.path.rsplit("/", 1)[-1]: p for p in ctx.problems}
    assert "invalid JSON" in messages["config.json"].message and messages["config.json"].line == 1
    assert "binary data" in messages[LOG_NAME].message
    assert statuses(run) == {"17": "unfinished", "42": "errored"}


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=600), st.binary(max_size=300))
def test_any_bytes_in_renders_and_logs_give_a_run_and_steps(
    tmp_path: Path, render: bytes, log: bytes
) -> None:
    run_dir = tmp_path / "results"
    run_dir.mkdir(exist_ok=True)
    (run_dir / "render_3.html").write_bytes(render)
    (run_dir / "log_files.txt").write_text("run.log\n")
    (tmp_path / "run.log").write_bytes(b"2025-11-06 12:00:41,118 - INFO - " + log)
    (run_dir / "error.txt").write_bytes(log)
    (run_dir / "config.json").write_bytes(log)
    ctx = ReadContext(root=tmp_path)
    run = read_webarena_run(run_dir, ctx)
    assert run is not None and "3" in [t.task_id for t in run.tasks]
    steps = load_webarena_steps(run, execution(run, "3"), ctx)
    assert len(steps) == render.count(b"<h2>New Page</h2>")


MARKERS = st.sampled_from(
    [
        "<h2>New Page</h2>",
        "<div class='state_obv'><pre>",
        "</pre><div>",
        "<img src='data:image/png;base64,",
        "iVBORw0KGgo=",
        "'",
        "<div class='prev_action' style=''>",
        "<div class='predict_action'>",
        "<div class='raw_parsed_prediction'><pre>",
        "<div class='action_object'><pre>",
        "{'action_type': <ActionTypes.CLICK: 6>, ",
        "<div class='parsed_action'><pre>",
        "stop [",
        "]",
        "</pre></div>",
        "</body>",
    ]
)


@settings(max_examples=100, deadline=None)
@given(st.lists(MARKERS | st.text(max_size=8), max_size=40))
def test_marker_soup_never_raises(pieces: list[str]) -> None:
    text = "".join(pieces)
    _, blocks = split_render(text)
    for block_text in blocks:
        action = block_action(parse_block(block_text))
        assert action.type


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_repr_and_call_scanners_never_raise(text: str) -> None:
    assert isinstance(parse_dict_prefix(text), dict)
    calls = parse_calls(text)
    assert calls is None or isinstance(calls, list)
    assert isinstance(parse_dict_prefix("{" + text), dict)
