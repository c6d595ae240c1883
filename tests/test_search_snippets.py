"""Snippets cut from a hit's own text (index/snippets.py): the index keeps no copy of the
texts, so what `search` shows around a match is made here."""

from __future__ import annotations

from bench_tui.index.snippets import phrase_words, snippet


def cut(text: str, *terms: str, size: int = 6) -> str:
    return snippet(text, [phrase_words(term) for term in terms], "«", "»", size)


def test_words_apart_are_marked_apart_and_a_phrase_as_one() -> None:
    assert cut("I cannot find it", "cannot", "find") == "I «cannot» «find» it"
    assert cut("please fill the form now", "fill the form") == "please «fill the form» now"


def test_case_and_accents_are_ignored_and_the_text_kept_as_it_is() -> None:
    assert cut("Open the CAFÉ menu", "cafe") == "Open the «CAFÉ» menu"
    assert cut("ﬁle naïve", "naive") == "ﬁle «naïve»"


def test_the_window_holds_the_matches_with_ellipses_where_text_was_left_out() -> None:
    text = " ".join(f"w{n}" for n in range(40)) + " needle " + " ".join(f"v{n}" for n in range(40))
    found = cut(text, "needle")
    assert found.startswith("…") and found.endswith("…")
    assert "«needle»" in found
    assert len(found.split()) == 6


def test_the_window_prefers_every_term_over_many_of_one() -> None:
    text = "alpha alpha alpha x x x x x x x x x x x x beta gamma"
    assert "«beta»" in cut(text, "beta", "gamma") and "«gamma»" in cut(text, "beta", "gamma")
    assert cut(text, "alpha").startswith("«alpha» «alpha» «alpha»")


def test_hostile_text_between_words_stays_data() -> None:
    text = "Write notes\x1b]52;c;cHduZWQ=\x1b\\\x1b[2J"
    assert cut(text, "notes") == "Write «notes»\x1b]52;c;cHduZWQ=\x1b\\\x1b[2J"


def test_a_text_without_words_is_shown_whole() -> None:
    assert cut("→ ← …", "x") == "→ ← …"
