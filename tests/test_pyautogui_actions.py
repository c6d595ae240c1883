"""Agent code into common Actions: pyautogui (px), computer_13, Anthropic and OpenAI-style
objects, and WAA Navi code (SoM ids, norm). Parsed, never executed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench_tui.model import Action
from bench_tui.sources.osworld.actions import parse_agent_action, parse_computer13
from bench_tui.sources.osworld.navi_actions import Region, parse_navi, parse_regions
from bench_tui.sources.osworld.pyautogui_actions import parse_pyautogui, parse_pyautogui_code
from tests.fixtures.json_strategies import json_values

HD = (1920, 1080)
WAA = (1920, 1200)


def one(code: str, screen: tuple[int, int] = HD) -> Action:
    actions = parse_pyautogui(code, screen)
    assert len(actions) == 1, actions
    return actions[0]


def test_positional_click_is_converted_from_pixels_of_the_screen() -> None:
    action = one("import pyautogui; pyautogui.click(1204, 88, button='left')")
    assert action.type == "click"
    assert action.x == pytest.approx(1204 / 1920)
    assert action.y == pytest.approx(88 / 1080)
    assert action.coord_quality == "converted"
    assert "pyautogui.click(1204, 88" in action.raw


def test_keyword_and_tuple_coordinates_and_another_screen_size() -> None:
    assert (
        one("pyautogui.click(x=960, y=600)", WAA).x,
        one("pyautogui.click(x=960, y=600)", WAA).y,
    ) == (0.5, 0.5)
    action = one("pyautogui.doubleClick((480, 270))")
    assert (action.type, action.x, action.y) == ("double_click", 0.25, 0.25)


def test_bare_click_uses_the_last_move_and_the_move_is_not_a_separate_action() -> None:
    action = one("pyautogui.moveTo(100, 200)\npyautogui.click()")
    assert action.type == "click"
    assert (action.x, action.y) == pytest.approx((100 / 1920, 200 / 1080))


def test_a_move_alone_stays_a_move() -> None:
    action = one("pyautogui.moveTo(x=960, y=540, duration=0.5)")
    assert (action.type, action.x, action.y) == ("move", 0.5, 0.5)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("pyautogui.rightClick(10, 10)", "right_click"),
        ("pyautogui.click(10, 10, button='right')", "right_click"),
        ("pyautogui.click(10, 10, clicks=2)", "double_click"),
        ("pyautogui.tripleClick(10, 10)", "click"),
        ("pyautogui.middleClick(10, 10)", "click"),
    ],
)
def test_click_variants(code: str, kind: str) -> None:
    action = one(code)
    assert action.type == kind
    assert action.has_point


def test_bare_click_without_any_move_has_no_point() -> None:
    action = one("pyautogui.click()")
    assert action.type == "click"
    assert not action.has_point
    assert action.coord_quality == "none"


def test_drag_to_starts_where_the_pointer_was() -> None:
    action = one("pyautogui.moveTo(192, 108)\npyautogui.dragTo(960, 540, duration=1)")
    assert action.type == "drag"
    assert (action.x, action.y, action.end_x, action.end_y) == pytest.approx((0.1, 0.1, 0.5, 0.5))


def test_mouse_down_move_up_is_one_drag_and_down_up_in_place_is_a_click() -> None:
    drag = one("pyautogui.mouseDown(192, 108); pyautogui.moveTo(960, 540); pyautogui.mouseUp()")
    assert (drag.type, drag.end_x, drag.end_y) == ("drag", 0.5, 0.5)
    click = one("pyautogui.mouseDown(x=960, y=540)\npyautogui.mouseUp()")
    assert (click.type, click.x) == ("click", 0.5)


def test_typing_pressing_and_hotkeys() -> None:
    assert one("pyautogui.typewrite('chrome://settings/fonts')").text == "chrome://settings/fonts"
    assert one("pyautogui.write(message='hello', interval=0.1)").text == "hello"
    enter = one("pyautogui.press('enter')")
    assert (enter.type, enter.key) == ("key", "enter")
    save = one("pyautogui.hotkey('ctrl', 's')")
    assert (save.type, save.key, save.modifiers) == ("hotkey", "s", ["ctrl"])
    listed = one("pyautogui.hotkey(['ctrl', 'shift', 't'])")
    assert (listed.key, listed.modifiers) == ("t", ["ctrl", "shift"])
    combo = one("pyautogui.press('ctrl+c')")
    assert (combo.type, combo.key, combo.modifiers) == ("hotkey", "c", ["ctrl"])


def test_typewrite_list_splits_text_from_named_keys() -> None:
    actions = parse_pyautogui("pyautogui.typewrite(['a', 'b', 'enter'])", HD)
    assert [(a.type, a.text, a.key) for a in actions] == [
        ("type", "ab", None),
        ("key", None, "enter"),
    ]


def test_press_list_is_one_key_action_per_key() -> None:
    actions = parse_pyautogui("pyautogui.press(['tab', 'tab', 'enter'])", HD)
    assert [a.key for a in actions] == ["tab", "tab", "enter"]


def test_held_keys_become_modifiers_and_a_lone_key_down_up_is_a_key() -> None:
    actions = parse_pyautogui(
        "pyautogui.keyDown('ctrl')\npyautogui.press('c')\npyautogui.keyUp('ctrl')", HD
    )
    assert [(a.type, a.key, a.modifiers) for a in actions] == [("hotkey", "c", ["ctrl"])]
    click = one("pyautogui.keyDown('shift'); pyautogui.click(10, 10); pyautogui.keyUp('shift')")
    assert (click.type, click.modifiers) == ("click", ["shift"])
    alone = one("pyautogui.keyDown('alt'); pyautogui.keyUp('alt')")
    assert (alone.type, alone.key) == ("key", "alt")


def test_scrolls_have_direction_amount_and_optional_point() -> None:
    down = one("pyautogui.scroll(-5, x=960, y=540)")
    assert (down.type, down.scroll_direction, down.scroll_amount, down.x) == (
        "scroll",
        "down",
        5.0,
        0.5,
    )
    assert one("pyautogui.scroll(3)").scroll_direction == "up"
    assert one("pyautogui.hscroll(-2)").scroll_direction == "left"
    assert one("pyautogui.hscroll(4)").scroll_direction == "right"


@pytest.mark.parametrize(("code", "kind"), [("WAIT", "wait"), ("DONE", "done"), ("FAIL", "fail")])
def test_special_strings(code: str, kind: str) -> None:
    assert one(code).type == kind


def test_thought_docstring_becomes_reasoning() -> None:
    parsed = parse_pyautogui_code(
        '"""Thought: the save button is at the top."""\nimport pyautogui\npyautogui.hotkey("ctrl", "s")',
        HD,
    )
    assert parsed.thought == "the save button is at the top."
    assert [a.type for a in parsed.actions] == ["hotkey"]


def test_thought_in_free_text_falls_back_to_regexes() -> None:
    parsed = parse_pyautogui_code(
        "Thought: I need the File menu.\nAction: pyautogui.click(x=96, y=54)", HD
    )
    assert parsed.thought == "I need the File menu."
    (action,) = parsed.actions
    assert (action.type, action.x, action.y) == ("click", 0.05, 0.05)


def test_fenced_code_inside_prose_is_read() -> None:
    parsed = parse_pyautogui_code(
        "I will click OK.\n```python\npyautogui.click(960, 540)\n```\nThat should do it.", HD
    )
    assert [(a.type, a.x) for a in parsed.actions] == [("click", 0.5)]


def test_call_that_does_not_parse_still_gives_its_numbers() -> None:
    action = one("pyautogui.click(960, 540, button='left'  # unbalanced\nnot python at all(")
    assert (action.type, action.x, action.y) == ("click", 0.5, 0.5)


def test_free_text_that_is_not_python_is_other_with_the_text_kept() -> None:
    action = one("ls -la /home/user && cat notes.txt")
    assert action.type == "other"
    assert action.raw == "ls -la /home/user && cat notes.txt"


def test_python_without_pyautogui_calls_is_other() -> None:
    action = one("import subprocess\nsubprocess.run(['xdotool', 'key', 'ctrl+s'])")
    assert action.type == "other"


def test_code_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    code = f"open({str(marker)!r}, 'w').write('x')\npyautogui.click(__import__('os').getpid(), 5)"
    actions = parse_pyautogui(code, HD)
    assert not marker.exists()
    assert actions[0].type == "click"
    assert not actions[0].has_point  # the x argument is not a literal: no point is invented


def test_arithmetic_on_literal_coordinates_is_understood() -> None:
    action = one("pyautogui.click(950 + 10, 1080 / 2)")
    assert (action.x, action.y) == (0.5, 0.5)


def test_empty_code_gives_no_action() -> None:
    assert parse_pyautogui("   \n", HD) == []


def test_computer13_objects() -> None:
    click = parse_computer13(
        {
            "action_type": "CLICK",
            "parameters": {"x": 640, "y": 360, "button": "left", "num_clicks": 1},
        },
        (1280, 720),
    )
    assert [(a.type, a.x, a.y, a.coord_quality) for a in click] == [
        ("click", 0.5, 0.5, "converted")
    ]
    double = parse_computer13(
        {"action_type": "CLICK", "parameters": {"x": 1, "y": 1, "num_clicks": 2}}, HD
    )
    assert double[0].type == "double_click"
    assert (
        parse_computer13({"action_type": "RIGHT_CLICK", "parameters": {"x": 1, "y": 1}}, HD)[0].type
        == "right_click"
    )
    assert (
        parse_computer13({"action_type": "TYPING", "parameters": {"text": "hi"}}, HD)[0].text
        == "hi"
    )
    hotkey = parse_computer13({"action_type": "HOTKEY", "parameters": {"keys": ["ctrl", "c"]}}, HD)[
        0
    ]
    assert (hotkey.key, hotkey.modifiers) == ("c", ["ctrl"])
    scroll = parse_computer13({"action_type": "SCROLL", "parameters": {"dx": 0, "dy": -3}}, HD)[0]
    assert (scroll.scroll_direction, scroll.scroll_amount) == ("down", 3.0)
    drag = parse_computer13({"action_type": "DRAG_TO", "parameters": {"x": 960, "y": 540}}, HD)[0]
    assert (drag.type, drag.end_x, drag.x) == ("drag", 0.5, None)
    assert [parse_computer13(word, HD)[0].type for word in ("WAIT", "DONE", "FAIL")] == [
        "wait",
        "done",
        "fail",
    ]
    assert parse_computer13({"action_type": "DONE"}, HD)[0].type == "done"


def test_agent_action_shapes() -> None:
    anthropic = parse_agent_action(
        {
            "name": "computer",
            "input": {"action": "left_click", "coordinate": [100, 100]},
            "id": "toolu_1",
            "action_type": "tool_use",
            "command": "pyautogui.click(960, 540)",
            "raw_response": "Clicking the centre.",
        },
        HD,
    )
    assert [(a.type, a.x) for a in anthropic.actions] == [("click", 0.5)]  # drawn from `command`
    assert anthropic.thought == "Clicking the centre."
    done = parse_agent_action({"action_type": "DONE", "raw_response": "All set."}, HD)
    assert [a.type for a in done.actions] == ["done"]
    openai = parse_agent_action(
        {"action_space": "pyautogui", "action": "pyautogui.press('esc')"}, HD
    )
    assert [(a.type, a.key) for a in openai.actions] == [("key", "esc")]
    computer13 = parse_agent_action(
        {"action_type": "MOVE_TO", "parameters": {"x": 960, "y": 540}}, HD
    )
    assert computer13.actions[0].type == "move"
    assert parse_agent_action(None, HD).actions == []
    assert parse_agent_action({"unknown": 1}, HD).actions[0].type == "other"


REGIONS = {"41": Region(0.5, 0.5, "Notepad")}


def test_navi_move_id_resolves_through_regions_and_the_click_uses_it() -> None:
    parsed = parse_navi("computer.mouse.move_id(id=41)\ncomputer.mouse.single_click()", REGIONS)
    (click,) = parsed.actions
    assert (click.type, click.element_id, click.x, click.y) == ("click", "41", 0.5, 0.5)
    assert click.element_name == "Notepad"


def test_navi_unresolved_som_id_keeps_the_id_without_a_point() -> None:
    (click,) = parse_navi("computer.mouse.move_id(id=7)\ncomputer.mouse.double_click()").actions
    assert (click.type, click.element_id, click.has_point) == ("double_click", "7", False)


def test_navi_norm_moves_drags_keys_and_clipboard() -> None:
    (right,) = parse_navi(
        "computer.mouse.move_abs(x=0.38, y=0.61)\ncomputer.mouse.right_click()"
    ).actions
    assert (right.type, right.x, right.y, right.coord_quality) == (
        "right_click",
        0.38,
        0.61,
        "exact",
    )
    (drag,) = parse_navi(
        "computer.mouse.move_abs(x=0.1, y=0.2)\ncomputer.mouse.drag(x=0.5, y=0.6)"
    ).actions
    assert (drag.x, drag.y, drag.end_x, drag.end_y) == (0.1, 0.2, 0.5, 0.6)
    (typed,) = parse_navi("computer.keyboard.write('shopping list')").actions
    assert (typed.type, typed.text) == ("type", "shopping list")
    (combo,) = parse_navi('computer.keyboard.press("ctrl+a")').actions
    assert (combo.type, combo.key, combo.modifiers) == ("hotkey", "a", ["ctrl"])
    copied, pasted = parse_navi(
        'computer.clipboard.copy_text("hi")\ncomputer.clipboard.paste()'
    ).actions
    assert (copied.type, copied.text, pasted.type) == ("other", "hi", "other")


def test_navi_specials_and_comments() -> None:
    assert parse_navi("# plan not found").actions[0].type == "error"
    assert parse_navi("DONE").actions[0].type == "done"
    parsed = parse_navi(
        "# Move to the Save button\ncomputer.mouse.move_id(id=54)\ncomputer.mouse.single_click()"
    )
    assert parsed.thought == "Move to the Save button"
    assert parsed.actions[0].element_id == "54"


def test_regions_layouts() -> None:
    listed = parse_regions(
        [[0, 0, 10, 10], {"id": 41, "from": [940, 580], "to": [980, 620]}], (1920, 1200)
    )
    assert listed["41"] == Region(0.5, 0.5, None)
    assert "0" in listed
    keyed = parse_regions({"12": {"bbox": [0.2, 0.2, 0.4, 0.4], "label": "OK"}}, None)
    assert keyed["12"] == Region(pytest.approx(0.3), pytest.approx(0.3), "OK")
    width_height = parse_regions(
        {"boxes": [{"x": 100, "y": 100, "width": 100, "height": 100}]}, (400, 400)
    )
    assert width_height["0"] == Region(0.375, 0.375, None)
    assert parse_regions([[100, 100, 200, 200]], None) == {}  # pixels without a size: unresolvable
    assert parse_regions("not regions", (1, 1)) == {}


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    for actions in (
        parse_pyautogui(text, HD),
        parse_pyautogui("pyautogui.click(" + text, HD),
        parse_navi(text).actions,
        parse_navi("computer.mouse.move_id(id=" + text).actions,
    ):
        assert all(isinstance(action, Action) for action in actions)


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_arbitrary_action_values_never_raise(value: object) -> None:
    parsed = parse_agent_action(value, HD)
    assert all(isinstance(action, Action) for action in parsed.actions)
    assert all(isinstance(a, Action) for a in parse_computer13(value, HD))
    parse_regions(value, (100, 100))


def test_text_full_of_unclosed_calls_is_read_in_bounded_time() -> None:
    started = time.perf_counter()
    actions = parse_pyautogui("Action: pyautogui.click(" * 8000, HD)
    assert time.perf_counter() - started < 5.0
    assert actions and all(a.type == "click" for a in actions)
    deep = parse_navi("computer.mouse.move_id(id=" + "(" * 5000)
    assert all(isinstance(a, Action) for a in deep.actions)
    assert parse_regions(
        {"regions": {"regions": {"regions": {"rects": [[0.1, 0.1, 0.3, 0.3]]}}}}, None
    )["0"] == Region(pytest.approx(0.2), pytest.approx(0.2), None)
