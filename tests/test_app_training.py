"""Pilot tests for the Training tab, the training page (following a LIVE log) and eval reports."""

from __future__ import annotations

import copy
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Log

from bench_tui.analysis.training import STALE_AFTER_S
from bench_tui.tui.app import BenchApp
from bench_tui.tui.screens.evals import EvalsScreen
from bench_tui.tui.screens.training import TrainingPane
from bench_tui.tui.screens.training_page import TrainingScreen
from bench_tui.tui.widgets.loss_plot import LossPlot, braille_rows, ema
from bench_tui.tui.widgets.metric_cards import MetricCards
from bench_tui.tui.widgets.virtual_table import VirtualTable
from tests.fixtures.offline_builders import (
    CUSTOM_LOG,
    build_custom_training,
    build_eval_pairs,
    build_eval_reports,
    build_trl_training,
    custom_log_with_epochs,
    write_json,
)
from tests.fixtures.pilot import pause_until, plain, screen_lines
from tests.fixtures.pilot import settle_after_scan as settle

SIZE = (140, 40)


def make_app(root: Path) -> BenchApp:
    app = BenchApp(root, images="none")
    return app


def static_text(screen, selector: str) -> str:
    return plain(screen.query_one(selector).content)


def cells(table: VirtualTable, key: Any) -> list[str]:
    row = next(r for r in table.rows if r.key == key)
    return [plain(c) for c in row.cells]


def card_texts(screen) -> list[str]:
    return [plain(card.content) for card in screen.query_one(MetricCards).query(".metric-card")]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    build_custom_training(tmp_path)
    build_trl_training(tmp_path / "trl")
    build_eval_reports(tmp_path)
    return tmp_path


async def open_training(app: BenchApp, pilot, run_id: str) -> TrainingScreen:
    await settle(app, pilot)
    await pilot.press("1")
    await settle(app, pilot)
    # Focus by hand only once the switch is over: mid-switch it can bounce between tabs.
    table = app.query_one("#trainings-table", VirtualTable)
    if not table.has_focus:
        table.focus()
        await pilot.pause()
    assert table.move_cursor_to_key(run_id)
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, TrainingScreen)
    return app.screen


async def test_training_tab_lists_custom_and_trl_runs_with_status(workspace: Path) -> None:
    stale = time.time() - STALE_AFTER_S - 60
    os.utime(workspace / "trl" / "checkpoints" / "training_log.json", (stale, stale))
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        table = app.query_one("#trainings-table", VirtualTable)
        custom = cells(table, "training_output/20251102_141005")
        assert custom[1:6] == ["tern-vl-3b", "● LIVE", "8", "2/2", "0.9120"]
        trl = cells(table, "trl/checkpoints")
        assert trl[2:6] == ["STALE", "60", "1/2", "0.7300"]
        evals = app.query_one("#evals-table", VirtualTable)
        assert cells(evals, "experiments/checkout_flow/eval/eval_tern3b_base.json")[1:] == [
            "base",
            "qwen3",
            "27.4%",
            "—",  # click_hit_rate null: not measured, never 0
            "0.0%",
        ]
        gates = static_text(app.screen, "#pane-gates")
        assert "PASS" in gates and "+33.8 pp" in gates


async def test_done_runs_and_time_turn_live_into_stale(tmp_path: Path) -> None:
    log = copy.deepcopy(CUSTOM_LOG)
    log["termination_status"] = "auto_complete"
    build_custom_training(tmp_path, log)
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pane = app.query_one(TrainingPane)
        table = app.query_one("#trainings-table", VirtualTable)
        assert cells(table, "training_output/20251102_141005")[2] == "DONE"
        run = pane.trainings["training_output/20251102_141005"]
        pane.trainings[run.id] = run.model_copy(
            update={"termination_status": None, "modified_at": time.time() - STALE_AFTER_S - 1}
        )
        pane._render_trainings()
        assert cells(table, run.id)[2] == "STALE"


async def test_training_page_cards_checkpoints_and_evaluations(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_training(app, pilot, "training_output/20251102_141005")
        cards = card_texts(screen)
        assert cards[0].startswith("epoch\n2/2")
        assert "0.9120" in cards[2] and "Δ -1.7980" in cards[2]
        assert cards[3] == "min loss\n0.9120\nat step 8"
        assert "8.0s" in cards[5]  # (64.0 - 8.1) / 7 steps
        assert screen.query_one(LossPlot).steps == [1, 8]
        heading = static_text(screen, "#training-heading")
        assert "LIVE" in heading and "configs/tern3b_checkout.yaml" in heading
        checkpoints = screen.query_one("#checkpoints-table", VirtualTable)
        labels = [plain(row.cells[0]) for row in checkpoints.rows]
        assert labels == ["epoch_1", "base model"]
        assert "eval_tern3b_ft" in plain(checkpoints.rows[0].cells[2])
        assert "PASS" in static_text(screen, "#checkpoint-detail")
        await pilot.press("enter")  # Enter on a checkpoint: its linked reports
        detail = static_text(screen, "#checkpoint-detail")
        assert "eval_tern3b_ft" in detail and "type acc 61.2%" in detail
        evaluations = screen.query_one("#training-evals-table", VirtualTable)
        assert "hit (d<0.05)" in [c.label for c in evaluations.columns]
        row = [plain(c) for c in evaluations.rows[0].cells]
        assert row == [
            "1",
            "2",
            "click (0.620, 0.480)",
            "click (0.660, 0.470)",
            "0.041",
            "✓ hit",
        ]
        # One hit column: the log's own `correct` (d<50 upstream) is explained in ?, not shown.
        assert [c.label for c in evaluations.columns][-1] == "hit (d<0.05)"
        headings = [plain(widget.content) for widget in screen.query(".pane-heading")]
        assert not any("logged" in heading or "upstream" in heading for heading in headings)


async def test_evaluation_filter_with_slash(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_training(app, pilot, "training_output/20251102_141005")
        table = screen.query_one("#training-evals-table", VirtualTable)
        await pilot.press("slash")
        await pilot.press(*"hit:no")
        assert table.rows == []
        await pilot.press("escape")  # clears the filter
        assert len(table.rows) == 1
        await pilot.press("slash", *"epoch:1", "enter")
        assert len(table.rows) == 1 and table.has_focus


async def test_eval_reports_from_the_pane_and_the_page(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("1")  # the tab switch focuses its list; E belongs to the tab's pane
        await settle(app, pilot)
        await pilot.press("E")
        await pilot.pause()
        assert isinstance(app.screen, EvalsScreen)
        screen = app.screen
        table = screen.query_one("#evals-report-table", VirtualTable)
        assert len(table.rows) == 3
        assert table.cursor_key.endswith("eval_tern3b_ft.json")  # the pair is the news
        base = cells(table, "experiments/checkout_flow/eval/eval_tern3b_base.json")
        labels = [c.label for c in table.columns]
        assert base[labels.index("type")] == "27.4%"
        assert base[labels.index("click")] == "—" and base[labels.index("bbox")] == "—"
        assert base[labels.index("eps")] == "24" and base[labels.index("dist")] == "—"
        gates = static_text(screen, "#evals-gates")
        assert "PASS" in gates and "61.2%" in gates and "27.4%" in gates and "+33.8 pp" in gates
        charts = static_text(screen, "#evals-charts")
        assert "░" in charts and "█" in charts and "action_type_accuracy" in charts
        await pilot.press("right_square_bracket", "left_square_bracket")
        assert screen.pair_index == 0
        await pilot.press("escape")
        assert not isinstance(app.screen, EvalsScreen)
        evals = app.query_one("#evals-table", VirtualTable)
        evals.focus()
        assert evals.move_cursor_to_key("legacy/eval_first.json")
        await pilot.press("enter")
        await pilot.pause()
        legacy = app.screen
        assert isinstance(legacy, EvalsScreen)
        assert legacy.query_one("#evals-report-table", VirtualTable).cursor_key == (
            "legacy/eval_first.json"
        )
        assert "not part of a pair" in str(legacy.query_one("#evals-pair").content.title)
        await pilot.press("escape")
        screen = await open_training(app, pilot, "training_output/20251102_141005")
        await pilot.press("E")
        await pilot.pause()
        linked = app.screen
        assert isinstance(linked, EvalsScreen)
        assert {r.name for r in linked.reports} == {"eval_tern3b_ft", "eval_tern3b_base"}


async def test_gate_threshold_from_the_environment(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BENCH_TUI_GATE_THRESHOLD", "0.5")
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        gates = static_text(app.screen, "#pane-gates")
        assert "FAIL" in gates and "50.0 pp" in gates


async def test_a_growing_training_log_shows_new_points_within_two_seconds(
    tmp_path: Path,
) -> None:
    log_path = build_custom_training(tmp_path, custom_log_with_epochs(5, 6, 3, 2.0))
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_training(app, pilot, "training_output/20251102_141005")
        plot = screen.query_one(LossPlot)
        assert len(plot.steps) == 6
        write_json(log_path, custom_log_with_epochs(5, 9, 3, 2.0))
        deadline = time.monotonic() + 2.0
        while len(plot.steps) < 9 and time.monotonic() < deadline:
            await pilot.pause(0.1)
        assert plot.steps == list(range(1, 10))
        assert card_texts(screen)[1].startswith("step\n9")


async def test_training_log_tail_follows_appended_lines(tmp_path: Path) -> None:
    log_path = build_custom_training(tmp_path)
    text_log = log_path.parent / "training.log"
    text_log.write_text("[2025-11-02 14:10:05] starting\n", encoding="utf-8")
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_training(app, pilot, "training_output/20251102_141005")
        tail = screen.query_one("#training-log", Log)
        assert tail.lines == ["[2025-11-02 14:10:05] starting"]
        with text_log.open("a", encoding="utf-8") as handle:
            handle.write("[2025-11-02 14:10:13] epoch=1 step=1 loss=2.7100\n[partial")
        deadline = time.monotonic() + 2.0
        while len(tail.lines) < 2 and time.monotonic() < deadline:
            await pilot.pause(0.1)
        assert tail.lines[-1] == "[2025-11-02 14:10:13] epoch=1 step=1 loss=2.7100"
        await pilot.press("escape")
        assert not isinstance(app.screen, TrainingScreen)


async def test_trl_training_page(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_training(app, pilot, "trl/checkpoints")
        assert card_texts(screen)[0].startswith("epoch\n1/2\nTRL")
        checkpoints = screen.query_one("#checkpoints-table", VirtualTable)
        labels = [plain(r.cells[0]) for r in checkpoints.rows]
        assert "checkpoint-30" in labels
        assert "checkpoint-60 (incomplete)" in labels  # no adapter_config.json: interrupted save
        tail = screen.query_one("#training-log", Log)
        assert "waiting for training.log" in tail.lines[0]
        assert screen.query_one("#training-evals-table", VirtualTable).rows == []


async def test_unreadable_reread_keeps_the_last_good_curve(tmp_path: Path) -> None:
    log_path = build_custom_training(tmp_path)
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_training(app, pilot, "training_output/20251102_141005")
        log_path.write_text("[1, 2]", encoding="utf-8")
        deadline = time.monotonic() + 2.5
        while screen.reload_note is None and time.monotonic() < deadline:
            await pilot.pause(0.1)
        assert screen.reload_note is not None
        assert screen.query_one(LossPlot).steps == [1, 8]
        log_path.write_text(json.dumps(CUSTOM_LOG), encoding="utf-8")


def test_ema_and_braille_grid() -> None:
    assert ema([1.0, 1.0, 1.0]) == pytest.approx([1.0, 1.0, 1.0])  # debiased: no pull to 0
    smoothed = ema([0.0, 10.0], 0.5)
    assert smoothed[0] == 0.0 and 0 < smoothed[1] < 10
    rows = braille_rows([([0, 1], [0.0, 1.0])], 2, 1, (0, 1), (0.0, 1.0))
    assert rows[0][0][0] & 0x40 and rows[0][1][0] & 0x08  # bottom-left to top-right
    assert all(mask == 1 for row in rows for bits, mask in row if bits)


async def test_offline_only_folder_opens_on_training_and_stays_there(workspace: Path) -> None:
    # Regression: the scan's own tab pick raced the first activation and the focus handler
    # bounced between two tabs forever.
    app = BenchApp(workspace, images="none")
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        tabs = app.query_one("#tabs")
        # The pick comes with the scan's last batch, a message hop after the workers end: on a
        # loaded machine more than half a second later.
        assert await pause_until(lambda: app.scan_done and tabs.active == "training", pilot)
        seen = set()
        for _ in range(10):
            await pilot.pause(0.05)
            seen.add(tabs.active)
        assert seen == {"training"}


def gate_lines_shown(app: BenchApp) -> list[str]:
    return [line for line in screen_lines(app) if " PASS " in line or " FAIL " in line]


@pytest.mark.parametrize("size", [(100, 30), (160, 45)])
async def test_every_pair_gets_its_gate_and_names_that_tell_reports_apart(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    build_eval_pairs(tmp_path)
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        pane = gate_lines_shown(app)
        assert len(pane) == 4 and len(set(pane)) == 4, pane
        # the v3 pair (ft 55.0%, base 30.0%) passes and has its line
        assert any("PASS" in line and "55.0%" in line and "+25.0 pp" in line for line in pane)
        await pilot.press("E")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EvalsScreen)
        assert "10 reports, 4 base/fine-tuned pairs" in static_text(screen, "#evals-heading")
        gates = gate_lines_shown(app)
        assert len(gates) == 4, gates
        names = [re.findall(r"(\S+) \d+\.\d%", line) for line in gates]
        shown = [name for pair in names for name in pair]
        assert len(shown) == 8 and len(set(shown)) == 8, shown  # 8 reports, 8 different names
        assert sum(line.lstrip().startswith("▸") for line in gates) == 1
        charts = static_text(screen, "#evals-charts").split("\n\naction_type_accuracy\n")[1]
        block = charts.split("\n\n")[0]
        bars = [line.split(" ", 1)[0] for line in block.splitlines()]
        assert len(bars) == 10 and len(set(bars)) == 10, bars  # every report's bar, all apart
        for _ in range(3):
            await pilot.press("right_square_bracket")
        assert screen.pair_index == 3
        title = str(screen.query_one("#evals-pair").content.title)
        assert "eval_qwen3_2b_ft_login_v3" in title and "eval_qwen3_2b_base_login_v3" in title
        assert gate_lines_shown(app)[3].lstrip().startswith("▸")


async def test_the_training_page_shows_every_pairs_gate(tmp_path: Path) -> None:
    build_custom_training(tmp_path)
    build_eval_pairs(tmp_path)  # made with the training's config: all linked to it
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_training(app, pilot, "training_output/20251102_141005")
        gates = static_text(screen, "#checkpoint-detail").splitlines()
        assert len(gates) == 4 and all(" PASS " in g or " FAIL " in g for g in gates)
        assert any("eval_qwen3_2b_ft_login_v3" in g and "+25.0 pp" in g for g in gates)
        assert any("login/eval/eval_qwen3_2b_base_login" in g for g in gates)
