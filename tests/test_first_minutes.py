"""A person's first minutes: `?` and the palette, keys a screen does not offer, cells that stay one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench_tui.tui.app import BenchApp
from bench_tui.tui.commands import BindingCommands
from bench_tui.tui.screens.help import HelpScreen
from bench_tui.tui.screens.run import RunScreen
from tests.fixtures.compare_builders import openadapt_run
from tests.fixtures.pilot import press_settled, screen_lines, settle_pilot


async def test_help_titles_and_the_screens_own_keys_first(tmp_path: Path) -> None:
    openadapt_run(tmp_path, "run", {"t1": "pass", "t2": "fail"})
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_pilot(pilot)
        await press_settled(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.title_text == "Benchmarks"
        await pilot.press("escape", "enter")
        await settle_pilot(pilot)
        run_screen = app.screen
        assert isinstance(run_screen, RunScreen)
        await press_settled(pilot, "question_mark")
        assert app.screen.title_text == "Run page"
        descriptions = [description for _keys, description in app.screen.rows]
        assert descriptions[0] == "Back"
        assert descriptions.index("Insights") < descriptions.index("Up")
        assert descriptions.index("Up") < descriptions.index("Quit")
        await press_settled(pilot, "escape")
        provider = BindingCommands(run_screen)
        first = [description for description, *_ in provider._entries()][:3]
        assert first[0] == "Back" and "Up" not in first


async def test_the_split_view_offers_no_sort(tmp_path: Path) -> None:
    from bench_tui.tui.screens.compare_task import CompareTaskScreen
    from bench_tui.tui.screens.help import binding_rows
    from bench_tui.tui.widgets.virtual_table import VirtualTable
    from tests.fixtures.openadapt_builders import build_complete_run

    build_complete_run(tmp_path / "a")
    build_complete_run(tmp_path / "b")
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle_pilot(pilot)
        await press_settled(pilot, "enter")
        app.screen.query_one("#tasks-table").focus()
        await press_settled(pilot, "enter", "c", "enter")
        split = app.screen
        assert isinstance(split, CompareTaskScreen)
        table = split.query_one("#cmp-table", VirtualTable)
        table.focus()
        before = [row.key for row in table.rows]
        await pilot.press("right", "s")
        assert [row.key for row in table.rows] == before
        assert table.sort_column is None
        assert "Sort" not in [description for _keys, description in binding_rows(split)]


async def test_typed_text_with_a_newline_stays_on_its_row(tmp_path: Path) -> None:
    import json

    from bench_tui.tui.screens.task import TaskScreen
    from tests.fixtures.openadapt_builders import build_complete_run, write_json

    run = build_complete_run(tmp_path)
    path = run / "tasks" / "notepad_greeting" / "execution.json"
    execution = json.loads(path.read_text())
    execution["steps"][0]["action"]["text"] = "good\nmorning"
    execution["steps"][0]["action"]["raw_action"] = None
    write_json(path, execution)
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle_pilot(pilot)
        await press_settled(pilot, "enter")
        table = app.screen.query_one("#tasks-table")
        table.focus()
        table.move_cursor_to_key("notepad_greeting")
        await press_settled(pilot, "enter")
        assert isinstance(app.screen, TaskScreen)
        lines = screen_lines(app)
        assert any("good⏎morning" in line for line in lines), "\n".join(lines)


async def test_a_frequency_filter_is_written_in_the_bar_and_cleared_like_any(
    tmp_path: Path,
) -> None:
    from bench_tui.tui.screens.pick import PickScreen
    from bench_tui.tui.widgets.filter_bar import FilterBar
    from bench_tui.tui.widgets.virtual_table import VirtualTable

    openadapt_run(
        tmp_path,
        "run",
        {"file_a": "pass", "file_b": "fail", "settings:dark_mode": "pass", "paint_1": "fail"},
    )
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle_pilot(pilot)
        await press_settled(pilot, "enter")
        screen = app.screen
        table = screen.query_one("#tasks-table", VirtualTable)
        bar = screen.query_one("#tasks-filter", FilterBar)
        table.focus()
        table.cursor_column = [c.key for c in table.columns].index("domain")
        await press_settled(pilot, "F")
        assert isinstance(app.screen, PickScreen)
        app.screen.query_one(VirtualTable).move_cursor_to_key("file")
        await press_settled(pilot, "enter")
        assert bar.display and bar.value == "domain=file"  # visible, as text
        assert [row.key for row in table.rows] == ["file_a", "file_b"]
        await pilot.press("x")  # failures only adds to what the bar says
        await settle_pilot(pilot)
        assert bar.value == "domain=file !status:pass"
        assert [row.key for row in table.rows] == ["file_b"]
        bar.focus()
        await pilot.press("escape")  # clears everything the bar held
        await settle_pilot(pilot)
        assert bar.value == "" and len(table.rows) == 4
        # An id with a colon is typed as it reads.
        await pilot.press("slash")
        for char in "settings:dark":
            await pilot.press(char)
        await settle_pilot(pilot)
        assert [row.key for row in table.rows] == ["settings:dark_mode"]
        bar.value = "status:bogus"
        await settle_pilot(pilot)
        assert not table.rows
        assert "status: takes pass, fail, infra, error, unfinished" in table.empty_text


async def test_labels_and_notes_on_the_task_page_and_in_the_split_view(
    tmp_path: Path, monkeypatch
) -> None:
    from bench_tui.triage.store import TriageStore
    from bench_tui.tui.screens.compare_task import CompareTaskScreen
    from bench_tui.tui.screens.task import TaskScreen
    from bench_tui.tui.screens.triage import TriageScreen

    monkeypatch.setenv("BENCH_TUI_LABELS", str(tmp_path / "_none.toml"))
    openadapt_run(tmp_path, "old", {"t1": "pass"}, model="m-old", created_at="2025-11-01T09:00:00")
    openadapt_run(tmp_path, "new", {"t1": "fail"}, model="m-new", created_at="2025-11-02T09:00:00")
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle_pilot(pilot)
        table = app.query_one("#runs-table")
        table.move_cursor_to_key("new")
        await press_settled(pilot, "enter")
        app.screen.query_one("#tasks-table").focus()
        await press_settled(pilot, "enter")
        page = app.screen
        assert isinstance(page, TaskScreen)
        await press_settled(pilot, "t")
        assert isinstance(app.screen, TriageScreen)
        await pilot.press("g", "n")  # "grounding miss", then a note
        await settle_pilot(pilot)
        for char in "clicked the wrong tab":
            await pilot.press("space" if char == " " else char)
        await press_settled(pilot, "enter")
        assert app.screen is page
        heading = page.query_one("#task-heading").content.plain
        assert "labels: grounding miss" in heading and "note: clicked the wrong tab" in heading
        await press_settled(pilot, "c", "enter")
        split = app.screen
        assert isinstance(split, CompareTaskScreen)
        assert split.sides[0][0].id == "old"
        await pilot.press("T")  # B is the newer run: the same execution
        await settle_pilot(pilot)
        await pilot.press("p", "escape")  # add "planning"
        await settle_pilot(pilot)
        heading = split.query_one("#cmp-heading").content.plain
        assert "B labels: grounding miss, planning" in heading
    state = TriageStore(tmp_path / "new").state()
    assert sorted(state.labels_for("m-new", "t1")) == ["grounding miss", "planning"]


async def test_reload_keeps_the_run_its_filter_and_the_step(tmp_path: Path) -> None:
    import json

    from bench_tui.tui.screens.run import RunScreen
    from bench_tui.tui.screens.task import TaskScreen
    from tests.fixtures.openadapt_builders import build_complete_run, write_json

    run_dir = build_complete_run(tmp_path / "a")
    build_complete_run(tmp_path / "gone")
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle_pilot(pilot)
        runs = app.query_one("#runs-table")
        runs.move_cursor_to_key(next(k for k in (r.key for r in runs.rows) if k.startswith("a/")))
        await press_settled(pilot, "enter")
        run_page = app.screen
        assert isinstance(run_page, RunScreen)
        await pilot.press("slash")
        for char in "notepad":
            await pilot.press(char)
        await press_settled(pilot, "enter")
        tasks = run_page.query_one("#tasks-table")
        assert [row.key for row in tasks.rows] == ["notepad_greeting"]
        await press_settled(pilot, "enter")
        task_page = app.screen
        assert isinstance(task_page, TaskScreen)
        await press_settled(pilot, "right")
        assert task_page.current == 1
        # The files change on disk, and one run goes away.
        path = run_dir / "tasks" / "notepad_greeting" / "execution.json"
        execution = json.loads(path.read_text())
        execution["reason"] = "re-checked"
        write_json(path, execution)
        import shutil

        shutil.rmtree(tmp_path / "gone")
        await press_settled(pilot, "r")
        assert app.scan_done
        assert app.screen is task_page and task_page.current == 1
        assert "verdict: re-checked" in task_page.query_one("#task-heading").content.plain
        assert app.screen_stack[-2] is run_page
        assert [row.key for row in tasks.rows] == ["notepad_greeting"]  # filter kept
        assert [row.key for row in runs.rows] == [run_page.run.id]  # the gone run left the list


async def test_the_empty_folder_explanation_reads_whole_at_80_columns(tmp_path: Path) -> None:
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_pilot(pilot)
        text = " ".join(line.strip() for line in screen_lines(app))
        assert "summary_info.json" in " ".join(text.split())  # the last words of the explanation


def test_exports_are_ordinary_files_not_0600(tmp_path: Path) -> None:
    import os
    import stat

    from bench_tui.atomic import write_atomic

    old = os.umask(0o022)
    try:
        target = tmp_path / "export.csv"
        write_atomic(target, b"a,b\n")
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        target.chmod(0o640)
        write_atomic(target, b"a,b\n1,2\n")  # replacing keeps the file's own mode
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
    finally:
        os.umask(old)


@pytest.mark.parametrize("size", [(80, 24), (100, 40)])
async def test_a_label_just_applied_reads_on_its_row_at_any_width(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    from bench_tui.tui.screens.triage import TriageScreen
    from bench_tui.tui.widgets.virtual_table import VirtualTable
    from tests.fixtures.openadapt_builders import build_complete_run

    monkeypatch.setenv("BENCH_TUI_TRIAGE_DIR", str(tmp_path / "_state"))
    monkeypatch.setenv("BENCH_TUI_LABELS", str(tmp_path / "_no_labels.toml"))
    build_complete_run(tmp_path / "results")
    app = BenchApp(tmp_path / "results", images="none")
    async with app.run_test(size=size) as pilot:
        await settle_pilot(pilot)
        await press_settled(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, RunScreen)
        table = screen.query_one("#tasks-table", VirtualTable)
        table.focus()
        table.move_cursor_to_key("settings:dark mode?")
        await press_settled(pilot, "t")
        assert isinstance(app.screen, TriageScreen)
        await pilot.press("plus", "minus", "escape")
        await settle_pilot(pilot)
        assert app.screen is screen
        row = next(line for line in screen_lines(app) if "settings:dark mode?" in line)
        # The two checker labels share their first 15 characters: the row tells them apart.
        assert "pass" in row and row.count("fail") == 2, row  # the result cell says fail too
        await pilot.press("t", "minus", "plus", "g", "escape")  # only grounding miss left
        await settle_pilot(pilot)
        row = next(line for line in screen_lines(app) if "settings:dark mode?" in line)
        assert "grounding miss" in row and "pass" not in row, row


async def test_insights_at_80_columns_show_whole_task_ids(tmp_path: Path) -> None:
    from bench_tui.tui.screens.insights import InsightsScreen

    ids = ["file_explorer_rename_draft", "microsoft_paint_red_ellipse", "windows_calc_typed_sum"]
    openadapt_run(tmp_path, "a", dict.fromkeys(ids, "fail"), created_at="2025-11-01T09:00:00")
    openadapt_run(tmp_path, "b", dict.fromkeys(ids, "pass"), created_at="2025-11-02T09:00:00")
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_pilot(pilot)
        await press_settled(pilot, "enter", "i")
        assert isinstance(app.screen, InsightsScreen)
        app.screen.query_one("#insights-box").scroll_end(animate=False)
        await settle_pilot(pilot)
        text = "\n".join(screen_lines(app))
        for task_id in ids:
            assert task_id in text, text


async def test_the_training_page_at_80x24_opens_at_its_top_with_readable_cards(
    tmp_path: Path,
) -> None:
    from bench_tui.tui.screens.training_page import TrainingScreen
    from tests.fixtures.offline_builders import build_custom_training

    build_custom_training(tmp_path / "training")
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_pilot(pilot)
        await press_settled(pilot, "1", "enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, TrainingScreen)
        assert app.screen.scroll_offset.y == 0  # opened at its top
        lines = screen_lines(app)
        assert "training_output" in lines[0]  # the heading
        cards = app.screen.query(".metric-card")
        assert len({card.region.y for card in cards}) == 2  # two rows of four
        assert all(card.region.width >= 15 for card in cards)


async def test_the_run_page_at_80x24_has_whole_card_lines_and_a_compact_domain_table(
    tmp_path: Path,
) -> None:
    outcomes = {  # the fixture's domain is the id's first `_` part
        "libreoffice-impress_slide": "pass",
        "vs-code-extensions_install": "fail",
        "thunderbird-mail_filter": "pass",
    }
    openadapt_run(tmp_path, "run", outcomes)
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_pilot(pilot)
        await press_settled(pilot, "enter")
        assert isinstance(app.screen, RunScreen)
        await pilot.press("d")  # below 36 rows the breakdown starts hidden
        await settle_pilot(pilot)
        text = "\n".join(screen_lines(app))
        assert "of all tasks" in text and "of finished" in text, text  # card sub-lines whole
        cards = app.screen.query(".metric-card")
        assert len({card.region.y for card in cards}) == 2  # two rows of three
        for domain in ("libreoffice-impress", "vs-code-extensions", "thunderbird-mail"):
            assert f" {domain} " in text, text  # whole names, not `libreoffice-…`
        # One model: its row would only repeat the cards; the domains get the whole width.
        assert not app.screen.query_one("#run-models").display
        assert app.screen.query_one("#run-domains").region.width > 70
        tasks = app.screen.query_one("#tasks-table")
        assert tasks.region.height >= 5 and tasks.region.bottom <= 23


@pytest.mark.parametrize("width", [80, 120])
async def test_footers_show_whole_keys_and_always_help(tmp_path: Path, width: int) -> None:
    from textual.widgets._footer import FooterKey

    from bench_tui.tui.widgets.fitted_footer import FittedFooter

    openadapt_run(tmp_path, "run", {"t1": "pass", "t2": "fail"})
    app = BenchApp(tmp_path, images="none")

    def footer_keys() -> tuple[list[FooterKey], FooterKey]:
        footer = app.screen.query_one(FittedFooter)
        keys = list(footer.query(FooterKey))
        palette = next(key for key in keys if key.has_class("-command-palette"))
        return [key for key in keys if key is not palette], palette

    async with app.run_test(size=(width, 24)) as pilot:
        await settle_pilot(pilot)
        for keys in ((), ("enter",), ("enter",)):  # run list, run page, task page
            await pilot.press(*keys)
            await settle_pilot(pilot)
            shown, palette = footer_keys()
            assert shown, type(app.screen).__name__
            assert "Help" in [key.description for key in shown]
            assert all(key.region.right <= palette.region.x for key in shown), [
                (key.description, key.region) for key in shown
            ]
        assert "Back" in [key.description for key in shown]  # the screen's own keys first


async def test_an_empty_list_says_looking_while_the_first_scan_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import bench_tui.tui.app as app_module
    from bench_tui.sources.discover import DiscoveryBatch

    release = threading.Event()

    def slow_walk(root, **options):
        yield DiscoveryBatch(dirs_seen=5)
        release.wait(10)
        yield DiscoveryBatch(dirs_seen=9, done=True)

    monkeypatch.setattr(app_module, "iter_workspace", slow_walk)
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause(0.3)
        text = " ".join(" ".join(screen_lines(app)).split())
        assert "Looking for runs… 5 folders read so far." in text, text
        assert "No benchmark runs found" not in text
        release.set()
        await settle_pilot(pilot)
        text = " ".join(" ".join(screen_lines(app)).split())
        assert "No benchmark runs found" in text and "Looking for runs" not in text


async def test_tabs_are_named_by_what_they_hold(tmp_path: Path) -> None:
    from textual.widgets import Tab

    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(100, 24)) as pilot:
        await settle_pilot(pilot)
        labels = [tab.label.plain for tab in app.query(Tab)]
        assert labels == ["Training & evals", "Viewer: episodes", "Benchmarks"]


async def test_the_training_page_says_what_hit_means_in_help_and_its_cards_in_words(
    tmp_path: Path,
) -> None:
    from bench_tui.tui.screens.training_page import TrainingScreen
    from tests.fixtures.offline_builders import build_custom_training

    build_custom_training(tmp_path / "training")
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle_pilot(pilot)
        await press_settled(pilot, "1", "enter")
        assert isinstance(app.screen, TrainingScreen)
        cards = [" ".join(card.content.plain.split()) for card in app.screen.query(".metric-card")]
        assert not any("custom log" in card for card in cards), cards
        assert any(card.startswith("epoch") and card.endswith("OpenAdapt") for card in cards)
        eta = next(card for card in cards if card.startswith("ETA"))
        assert eta.count("done") + eta.count("DONE") <= 1, eta  # said once, if at all
        await press_settled(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(" ".join(screen_lines(app)).split())
        assert "recomputed from the logged distance" in text and "d<50" in text


async def test_f_and_e_work_on_the_run_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import csv

    from bench_tui.tui.screens.pick import PickScreen
    from bench_tui.tui.widgets.virtual_table import VirtualTable
    from tests.fixtures.pilot import wait_for_workers

    results = tmp_path / "results"
    openadapt_run(results, "run_a", {"t1": "pass"}, model="alpha")
    openadapt_run(results, "run_b", {"t1": "fail"}, model="beta", created_at="2025-11-05T09:00:00")
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    app = BenchApp(results, images="none")
    async with app.run_test(size=(160, 40)) as pilot:
        await settle_pilot(pilot)
        table = app.query_one("#runs-table", VirtualTable)
        table.cursor_column = [c.key for c in table.columns].index("models")
        await press_settled(pilot, "F")
        assert isinstance(app.screen, PickScreen)
        picker = app.screen.query_one(VirtualTable)
        assert picker.move_cursor_to_key("beta")
        await press_settled(pilot, "enter")
        assert [row.key for row in table.rows] == ["run_b"]
        assert app.query_one("#runs-filter").value == "models=beta"  # visible, clearable
        await pilot.press("e")
        await wait_for_workers(app)
        await settle_pilot(pilot)
        with open(out / "bench-tui-runs.csv", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows[0][:2] == ["id", "run"] and [row[0] for row in rows[1:]] == ["run_b"]


async def test_while_typing_a_filter_the_footer_says_what_esc_and_enter_do(tmp_path: Path) -> None:
    openadapt_run(tmp_path, "run", {"t1": "pass", "t2": "fail"})
    app = BenchApp(tmp_path, images="none")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_pilot(pilot)
        await press_settled(pilot, "enter", "slash")
        footer = screen_lines(app)[-1]
        assert "esc Clear filter" in footer and "Apply" in footer, footer
