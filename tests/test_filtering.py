from __future__ import annotations

from bench_tui.analysis.filtering import Filterable, compile_query, parse_query


def row(text: str, domain: str, **statuses: str) -> Filterable:
    return Filterable(text=text.lower(), fields={"domain": domain}, statuses=statuses)


ROWS = {
    "a": row("notepad_save Save the file", "notepad", base="failed", ft="passed"),
    "b": row("chrome_tab Open a tab", "chrome", base="passed", ft="passed"),
    "c": row("paint_circle Draw", "paint", base="errored", ft="unfinished"),
}


def keep(query: str) -> set[str]:
    predicate = compile_query(query)
    return {key for key, value in ROWS.items() if predicate(value)}


def test_tokens_and_together_and_negate() -> None:
    assert keep("") == {"a", "b", "c"}
    assert keep("save") == {"a"}
    assert keep("!save") == {"b", "c"}
    assert keep("domain:chrome") == {"b"}
    assert keep("!domain:chrome !domain:paint") == {"a"}


def test_status_words_and_prefixes() -> None:
    assert keep("status:fail") == {"a"}
    assert keep("status:pass") == {"a", "b"}
    assert keep("!status:pass") == {"c"}
    assert keep("status:error") == {"c"}
    assert keep("status:unfinished") == {"c"}


def test_model_restricts_status() -> None:
    assert keep("model:base status:pass") == {"b"}
    assert keep("model:ft status:pass") == {"a", "b"}
    assert keep("model:nope") == set()


def test_parse_keeps_colon_words_without_value_as_text() -> None:
    tokens = parse_query("a: !b domain:x")
    assert [(t.field, t.value, t.negated) for t in tokens] == [
        (None, "a:", False),
        (None, "b", True),
        ("domain", "x", False),
    ]
