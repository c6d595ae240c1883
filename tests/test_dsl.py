"""The model-output action DSL (FORMATS §9)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench_tui.sources.training.dsl import parse_dsl_action


def test_coordinate_click() -> None:
    action = parse_dsl_action("CLICK(x=0.42, y=0.73)")

    assert action is not None
    assert (action.type, action.x, action.y, action.coord_quality) == ("click", 0.42, 0.73, "exact")
    assert action.element_id is None


def test_thought_and_action_prefix_with_state_suffix() -> None:
    text = (
        "Thought: the Add button is below the price; CLICK(x=0.1, y=0.1) would miss it.\n"
        "Action: CLICK(x=0.66, y=0.47)\n"
        'State: {"success": false}'
    )

    action = parse_dsl_action(text)

    # The action line wins over a call mentioned in the thought.
    assert action is not None and (action.x, action.y) == (0.66, 0.47)
    assert action.raw == text


def test_som_click_and_type() -> None:
    click = parse_dsl_action("CLICK([12])")
    typed = parse_dsl_action('TYPE([12], "red socks")')

    assert click is not None and (click.type, click.element_id, click.x) == ("click", "12", None)
    assert typed is not None
    assert (typed.type, typed.element_id, typed.text) == ("type", "12", "red socks")


@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ('TYPE(text="hello world")', "hello world"),
        ('TYPE("hello")', "hello"),
        ('TYPE(text="say \\"hi\\", then go")', 'say "hi", then go'),
        ('TYPE(text="a, b) c")', "a, b) c"),
    ],
)
def test_type_forms(text: str, typed: str) -> None:
    action = parse_dsl_action(text)

    assert action is not None and action.type == "type" and action.text == typed


@pytest.mark.parametrize(
    ("text", "kind"), [("WAIT()", "wait"), ("DONE()", "done"), ("Action: done()", "done")]
)
def test_bare_calls(text: str, kind: str) -> None:
    action = parse_dsl_action(text)

    assert action is not None and action.type == kind and not action.has_point


def test_neighbour_calls() -> None:
    hotkey = parse_dsl_action('HOTKEY("ctrl", "s")')
    key = parse_dsl_action('KEY(key="enter")')
    scroll = parse_dsl_action('SCROLL(direction="down", amount=3)')
    drag = parse_dsl_action("DRAG(x1=0.1, y1=0.2, x2=0.3, y2=0.4)")

    assert hotkey is not None and (hotkey.type, hotkey.modifiers, hotkey.key) == (
        "hotkey",
        ["ctrl"],
        "s",
    )
    assert key is not None and (key.type, key.key) == ("key", "enter")
    assert scroll is not None and (scroll.scroll_direction, scroll.scroll_amount) == ("down", 3.0)
    assert drag is not None and (drag.x, drag.y, drag.end_x, drag.end_y) == (0.1, 0.2, 0.3, 0.4)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "I think I should click on the cart icon.",
        "Action: CLICK(x=0.4)",
        "Action: CLICK(x=0.4, y=)",
        'Action: TYPE(text="unterminated)',
        "Action: CLICK(x=1e999, y=0.5)",
        "Action: FLY(x=0.1, y=0.2)",
        'State: {"success": true}',
    ],
)
def test_unparseable_output_gives_none(text: str) -> None:
    assert parse_dsl_action(text) is None


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_never_raises(text: str) -> None:
    action = parse_dsl_action(text)

    assert action is None or action.raw == text


@settings(max_examples=100, deadline=None)
@given(
    x=st.floats(min_value=0, max_value=1),
    y=st.floats(min_value=0, max_value=1),
    thought=st.text(alphabet=st.characters(blacklist_characters="()"), max_size=40),
)
def test_click_round_trip(x: float, y: float, thought: str) -> None:
    action = parse_dsl_action(f"Thought: {thought}\nAction: CLICK(x={x!r}, y={y!r})")

    assert action is not None and action.type == "click"
    assert (action.x, action.y) == (x, y)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=60))
def test_type_round_trip_through_json_escaping(typed: str) -> None:
    action = parse_dsl_action(f"Action: TYPE(text={json.dumps(typed)})")

    assert action is not None and action.text == typed
