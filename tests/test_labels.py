"""Report names on screen: never two different reports that read the same (issue 12 item 7)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bench_tui.analysis.evalpairs import report_labels
from bench_tui.model import EvalReport
from bench_tui.render.labels import ELLIPSIS, fit_distinct

NAMES = [
    "eval_qwen3_2b_base_login",
    "eval_qwen3_2b_base_login_v2",
    "eval_qwen3_2b_base_login_v3",
    "eval_qwen3_2b_base_login_checkout",
]


def report(report_id: str) -> EvalReport:
    return EvalReport(id=report_id, path=f"/ws/{report_id}")


def test_a_name_is_a_label_until_another_folder_has_it_too() -> None:
    reports = [
        report("exp/login/eval/eval_a_ft.json"),
        report("exp/login/eval/eval_a_base.json"),
        report("old/eval/eval_a_base.json"),
        report("eval_a_base.json"),
        report("x/eval/eval_b.json"),
    ]
    assert report_labels(reports) == {
        "exp/login/eval/eval_a_ft.json": "eval_a_ft",
        "exp/login/eval/eval_a_base.json": "login/eval/eval_a_base",
        "old/eval/eval_a_base.json": "old/eval/eval_a_base",
        "eval_a_base.json": "eval_a_base",  # the whole path: nothing longer to tell it by
        "x/eval/eval_b.json": "eval_b",
    }


def test_shared_prefixes_are_cut_where_the_names_differ() -> None:
    fitted = fit_distinct(NAMES, 24)
    assert fitted[0] == NAMES[0]  # fits as it is
    assert len(set(fitted)) == 4 and all(len(label) <= 24 for label in fitted)
    assert fitted[1].endswith("login_v2") and fitted[2].endswith("login_v3")
    assert fitted[3].endswith("checkout")
    # the plain cut at the end would make three reports read as the first one
    assert [name[:24] for name in NAMES].count(NAMES[0]) == 4


def readers(shown: str, labels: list[str]) -> list[str]:
    """The labels `shown` could stand for: its pieces in order, anchored where nothing was cut."""
    pieces = [re.escape(piece) for piece in shown.split(ELLIPSIS)]
    pattern = ".*".join(pieces)
    pattern = ("" if shown.startswith(ELLIPSIS) else "^") + pattern
    pattern += "" if shown.endswith(ELLIPSIS) else "$"
    return [label for label in labels if re.search(pattern, label)]


def test_a_cut_never_reads_as_another_label() -> None:
    labels = [
        "run_alpha_checkpoint_final",  # differs from the others at both ends
        "run_alpha_checkpoint",
        "run_beta_checkpoint_final",
        *NAMES,
    ]
    for width in (8, 12, 16, 24):
        for label, shown in zip(labels, fit_distinct(labels, width), strict=True):
            assert readers(shown, labels) == [label], (width, shown)
    assert fit_distinct(labels, 12)[0] == "run_a…_final"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text("ab_/", min_size=1, max_size=30), min_size=1, max_size=8, unique=True),
    st.integers(min_value=4, max_value=32),
)
def test_fitted_labels_stay_within_the_width_and_apart(labels: list[str], width: int) -> None:
    fitted = fit_distinct(labels, width)
    assert len(fitted) == len(labels)
    assert len(set(fitted)) == len(labels)
    for label, shown in zip(labels, fitted, strict=True):
        assert len(shown) <= max(4, width)
        assert shown == label or len(label) > max(4, width)
