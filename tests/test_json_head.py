"""Members before a key, read without parsing the rest: exact where it answers, None otherwise."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bench_tui.sources._io.json_head import decode_prefix, object_head

keys = st.text().filter(lambda key: key != "steps")
nested_keys = st.text() | st.just("steps")  # a nested "steps" is not the stop
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(nested_keys, inner, max_size=3),
    max_leaves=8,
)


def test_members_before_steps_are_read_and_the_steps_are_not() -> None:
    text = '{"success": true, "score": 0.5, "steps": [ this is not even JSON'
    assert object_head(text, "steps") == {"success": True, "score": 0.5}


def test_a_nested_or_quoted_steps_is_not_the_stop() -> None:
    text = json.dumps(
        {
            "raw": {"steps": 3},
            "reason": 'the "steps" key',
            "list": ["a", "steps"],
            "steps": ["x"],
            "after": 1,
        }
    )
    assert object_head(text, "steps") == {
        "raw": {"steps": 3},
        "reason": 'the "steps" key',
        "list": ["a", "steps"],
    }


def test_no_answer_when_the_head_is_cut_malformed_or_has_no_stop() -> None:
    assert object_head('{"success": tr', "steps") is None
    assert object_head('{"success": true "steps": []}', "steps") is None
    assert object_head('{"success": true}', "steps") is None
    assert object_head("[1, 2]", "steps") is None
    assert object_head("", "steps") is None


@given(st.lists(st.tuples(keys, json_values), max_size=6), json_values, st.sampled_from([None, 2]))
def test_head_is_exactly_what_json_loads_gives_for_those_members(
    members: list[tuple[str, object]], steps: object, indent: int | None
) -> None:
    head = dict(members)
    text = json.dumps({**head, "steps": steps, "\x00logs": []}, indent=indent)
    assert object_head(text, "steps") == json.loads(text, object_pairs_hook=_before_steps)


@given(st.text(max_size=200))
def test_any_text_gives_a_dict_or_none_never_an_error(text: str) -> None:
    result = object_head(text, "steps")
    assert result is None or isinstance(result, dict)


@given(st.dictionaries(keys, json_values, max_size=5), st.integers(min_value=0, max_value=400))
def test_a_prefix_never_gives_members_the_whole_file_does_not_have(
    head: dict[str, object], cut: int
) -> None:
    text = json.dumps({**head, "steps": [1, 2, 3]})
    result = object_head(text[:cut], "steps")
    assert result is None or result == head


def test_a_repeated_member_keeps_its_last_value_before_the_stop() -> None:
    text = '{"success": true, "success": false, "steps": [], "success": true}'
    assert object_head(text, "steps") == {"success": False}


def test_a_prefix_cut_inside_a_character_is_decoded_up_to_it() -> None:
    raw = '{"reason": "café"}'.encode()
    assert decode_prefix(raw[:-3]) == '{"reason": "caf'
    assert decode_prefix(b"\xef\xbb\xbf{}") == "{}"
    assert decode_prefix(b'{"a": 1, "steps": "\xff\xfe"}') == '{"a": 1, "steps": "'
    assert object_head(decode_prefix(b'{"a": 1, "steps": "\xff\xfe"}'), "steps") == {"a": 1}


def _before_steps(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """The top level's members before "steps" (marked by the "logs" member only it has)."""
    names = [name for name, _ in pairs]
    if "steps" in names and "\x00logs" in names:
        return dict(pairs[: names.index("steps")])
    return dict(pairs)
