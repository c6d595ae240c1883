"""BenchApp: tabs, global keys, and the discovery worker that feeds them."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Callable, Iterator
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import TabbedContent, TabPane
from textual.worker import get_current_worker

from bench_tui.index.workspace import listed_with_index
from bench_tui.model import Problem, Run, Workspace
from bench_tui.remote.location import RemoteError
from bench_tui.safetext import visible
from bench_tui.sources.base import PendingChecks
from bench_tui.sources.checks_runner import iter_checks, stop_check_workers
from bench_tui.sources.discover import DiscoveryBatch, iter_workspace
from bench_tui.sources.refresh import rescan_run
from bench_tui.triage.store import STORE_DIR, store_problems
from bench_tui.tui.breakpoints import HORIZONTAL_BREAKPOINTS, VERTICAL_BREAKPOINTS
from bench_tui.tui.commands import BindingCommands
from bench_tui.tui.control_guard import ControlGuard
from bench_tui.tui.daemon_executor import use_daemon_threads
from bench_tui.tui.goto import PendingGoto
from bench_tui.tui.image_mode import active_renderer, pick_renderer
from bench_tui.tui.messages import ChecksProgress, LiveRunsRefreshed, WorkspaceBatch
from bench_tui.tui.palette import install as install_palette
from bench_tui.tui.screens.benchmarks import RunListPane
from bench_tui.tui.screens.help import HelpScreen, binding_rows, help_notes, help_title
from bench_tui.tui.screens.problems import ProblemsScreen
from bench_tui.tui.screens.run import RunScreen
from bench_tui.tui.screens.search import SearchScreen
from bench_tui.tui.screens.task import TaskScreen
from bench_tui.tui.screens.training import TrainingPane
from bench_tui.tui.screens.viewer import ViewerPane
from bench_tui.tui.widgets.fitted_footer import FittedFooter
from bench_tui.tui.widgets.status_line import StatusLine
from bench_tui.tui.widgets.virtual_table import VirtualTable
from bench_tui.tui.worker_errors import (
    ShowsWorkerFailure,
    WorkerCrashed,
    WorkerFailure,
    reported_work,
)

if TYPE_CHECKING:
    from bench_tui.remote.session import RemoteSession

TAB_IDS = ("training", "viewer", "benchmarks")
LIVE_REFRESH_S = 3.0
"""How often runs still being written are read again (only their own folders)."""


class BenchApp(App[None]):
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        "app.tcss",
        "widgets/screenshot.tcss",
        "screens/offline.tcss",
        "screens/review.tcss",
    ]
    TITLE = "bench-tui"
    HORIZONTAL_BREAKPOINTS = HORIZONTAL_BREAKPOINTS
    VERTICAL_BREAKPOINTS = VERTICAL_BREAKPOINTS
    COMMANDS = App.COMMANDS | {BindingCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "tab('training')", "Training & evals", show=False, id="tab_training"),
        Binding("2", "tab('viewer')", "Viewer: episodes", show=False, id="tab_viewer"),
        Binding("3", "tab('benchmarks')", "Benchmarks", show=False, id="tab_benchmarks"),
        Binding("exclamation_mark", "problems", "Problems", id="problems"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("r", "reload", "Reload", id="reload"),
        Binding("ctrl+f", "search", "Search steps", show=False, id="search"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        root: Path | str,
        *,
        images: str | None = None,
        live_refresh_s: float = LIVE_REFRESH_S,
        goto: str | None = None,
        remote: RemoteSession | None = None,
        use_index: bool = False,
    ) -> None:
        super().__init__()
        self.use_index = use_index
        """Listing replays what the index kept (the command line's default; off in tests)."""
        self.live_refresh_s = live_refresh_s
        self.root = Path(os.path.abspath(root))
        self.root_label = str(root)
        self.remote = remote
        """Remote results (issue 16): `root` is the URL's mirror, listed by each scan."""
        if remote is not None:
            self.root_label = remote.url
        # Probing the terminal must happen before Textual owns it (launch does that); the modes
        # that need no probe can be chosen here, which is what tests use.
        self.renderer = (
            pick_renderer(images) if images in ("halfblock", "none") else active_renderer()
        )
        self.workspace = Workspace(root=str(self.root))
        self.scan_done = False
        self.checks_done = False
        """Every file listing left unread has been checked (its Problems are in the workspace)."""
        self.scan_number = 0
        self._distinct_problems: set[Problem] = set()
        self.problems_version = 0
        """Goes up whenever the workspace's Problems change (pages cache what they show of them)."""
        self.user_chose_tab = False
        self._reloading: set[str] | None = None
        """Run ids a reload has read again so far; None when no reload is under way."""
        self.pending_goto = PendingGoto(goto) if goto and goto.strip() else None
        # Rich renderables never parse markup (data may hold `[@click=…]`), and no control
        # character leaves in a text segment (see control_guard).
        self.console._markup = False
        self.control_guard = ControlGuard()
        self._filters.append(self.control_guard)

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status-line")
        with TabbedContent(initial="benchmarks", id="tabs"):
            with TabPane("Training & evals", id="training"):
                yield TrainingPane(id="training-pane")
            with TabPane("Viewer: episodes", id="viewer"):
                yield ViewerPane(id="viewer-pane")
            with TabPane("Benchmarks", id="benchmarks"):
                yield RunListPane(id="runs-pane")
        yield FittedFooter()

    def on_load(self) -> None:
        use_daemon_threads(asyncio.get_running_loop())
        install_palette(self)  # before anything is composed: palette names resolve through it

    def on_unmount(self) -> None:
        stop_check_workers()  # a checks process must not outlive the app

    def on_mount(self) -> None:
        self.main_screen.query_one(StatusLine).root = self.root_label
        self.start_discovery()
        self.set_interval(self.live_refresh_s, self._refresh_live_runs)

    @property
    def _screens_gone(self) -> bool:
        """The app is shutting down: a worker's last message finds no screen left to update, or
        a tabs' screen whose widgets are already gone (quitting while files are checked)."""
        return not self.screen_stack or not self.main_screen.query(StatusLine)

    @property
    def main_screen(self) -> Screen[object]:
        """The tabs' screen: still the bottom of the stack while a run or task page is open."""
        return self.screen_stack[0]

    # ----- discovery ------------------------------------------------------------------------
    def start_discovery(self, *, in_place: bool = False) -> None:
        """Scan the folder. `in_place` (a reload): the list keeps its rows until each run is read
        again, and open pages follow their run instead of being closed."""
        gc.unfreeze()  # the previous scan's objects may be collected again
        self.workspace = Workspace(root=str(self.root))
        self.scan_done = False
        self.checks_done = False
        self.scan_number += 1
        self._distinct_problems = set()
        self.problems_version += 1
        status = self.main_screen.query_one(StatusLine)
        status.scanning, status.runs, status.problems, status.dirs_seen = True, 0, 0, 0
        status.checking = None
        status.stopped = None
        self._reloading = set() if in_place else None
        runs_pane = self.main_screen.query_one(RunListPane)
        if not in_place:
            runs_pane.clear()
        runs_pane.show_scan(0, done=False)
        self._discover(self.scan_number)

    @reported_work("scanning the folder", group="discover", exclusive=True)
    def _discover(self, scan: int) -> None:
        worker = get_current_worker()
        stopped = lambda: worker.is_cancelled  # noqa: E731
        unchecked = PendingChecks()
        run_paths: list[str] = []
        if self.remote is not None:  # issue 16: list the URL, fetch what changed, then read
            self.post_message(WorkspaceBatch(DiscoveryBatch(problems=self._remote_sync(None))))
        for batch in self._listing(stopped):
            if worker.is_cancelled:
                return
            unchecked.extend(batch.checks)
            batch.checks = PendingChecks()
            run_paths.extend(run.path for run in batch.runs)
            self.post_message(WorkspaceBatch(batch))
        if worker.is_cancelled:
            return  # the walk stopped early: a reload replaced this scan
        # Listed: now what listing left unread (the rest of each execution file, screenshots),
        # and the runs' triage stores, which `validate` lists too.
        total, checked = len(unchecked), 0
        self.post_message(ChecksProgress(scan, 0, total, store_problems(run_paths, self.root)))
        try:
            for size, problems in iter_checks(self.root, unchecked, should_stop=stopped):
                checked += size
                self.post_message(ChecksProgress(scan, checked, total, problems))
        except (OSError, ValueError) as exc:
            # Said, not swallowed: the rest stays unchecked and the Problems view tells why.
            failure = Problem(path=".", message=f"checking files stopped: {exc}")
            self.post_message(ChecksProgress(scan, total, total, [failure]))

    def _listing(self, stopped: Callable[[], bool]) -> Iterator[DiscoveryBatch]:
        if not self.use_index:
            yield from iter_workspace(self.root, should_stop=stopped, defer_checks=True)
            return
        yield from listed_with_index(self.root, stopped, self._notice_from_thread)

    def _notice_from_thread(self, message: str) -> None:
        self.call_from_thread(self.notify, visible(message), severity="warning", timeout=10)

    @on(WorkspaceBatch)
    def _on_batch(self, message: WorkspaceBatch) -> None:
        if self._screens_gone:
            return
        batch = message.batch
        workspace = self.workspace
        workspace.runs.extend(batch.runs)
        workspace.evals.extend(batch.evals)
        workspace.trainings.extend(batch.trainings)
        workspace.episodes.extend(batch.episodes)
        self._add_problems(batch.problems)
        status = self.main_screen.query_one(StatusLine)
        status.dirs_seen = batch.dirs_seen
        status.runs = len(workspace.runs)
        runs_pane = self.main_screen.query_one(RunListPane)
        runs_pane.show_scan(batch.dirs_seen, done=batch.done)
        if batch.runs:
            runs_pane.add_runs(batch.runs)
            if self._reloading is not None:
                self._reloading.update(run.id for run in batch.runs)
                self._follow_reloaded(batch.runs)
        if batch.trainings or batch.evals or batch.done:
            self.main_screen.query_one(TrainingPane).show(workspace.trainings, workspace.evals)
        if batch.episodes or batch.done:
            self.main_screen.query_one(ViewerPane).show(workspace.episodes)
        if batch.done:
            # Hundreds of thousands of long-lived model objects: keep the collector from walking
            # them on every full collection (a 300 ms stall mid-keystroke otherwise).
            gc.freeze()
            self.scan_done = True
            status.scanning = False
            if self._reloading is not None:
                for run_id in set(runs_pane.runs) - self._reloading:
                    runs_pane.remove_run(run_id)  # gone from the folder since the last scan
                self._reloading = None
            runs_pane.refresh_rows()  # live state is attached once every run is known
            self._pick_initial_tab()
        goto = self.pending_goto
        if (
            goto is not None
            and (batch.runs or batch.done)
            and goto.try_open(self, self.root, workspace.runs, final=batch.done)
        ):
            self.pending_goto = None  # once: a reload does not jump back
            self.user_chose_tab = (
                True  # the end of the scan must not switch away from the link's tab
            )

    def _follow_reloaded(self, runs: list[Run]) -> None:
        """Open run and task pages take their run's new reading, keeping filter and step."""
        fresh = {run.id: run for run in runs}
        for screen in self.screen_stack:
            if isinstance(screen, (RunScreen, TaskScreen)) and screen.run.id in fresh:
                screen.update_run(fresh[screen.run.id])

    def _add_problems(self, problems: list[Problem]) -> None:
        """Keep the workspace's list and the distinct count on the status line in step."""
        if not problems:
            return
        self.workspace.problems.extend(problems)
        self.problems_version += 1
        # Incrementally: hashing a quarter of a million Problems on every batch took seconds.
        self._distinct_problems.update(problems)
        self.main_screen.query_one(StatusLine).problems = len(self._distinct_problems)
        self._tell_task_pages()

    def _tell_task_pages(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, TaskScreen):
                screen.problems_changed()

    @on(ChecksProgress)
    def _on_checks_progress(self, message: ChecksProgress) -> None:
        if self._screens_gone or message.scan != self.scan_number:
            return  # from a scan a reload replaced
        self._add_problems(message.problems)
        status = self.main_screen.query_one(StatusLine)
        status.checking = (
            message.checked / message.total if message.checked < message.total else None
        )
        if message.checked >= message.total:
            self.checks_done = True

    # ----- live runs ------------------------------------------------------------------------
    def _refresh_live_runs(self) -> None:
        live = [run for run in self.workspace.runs if run.live]
        if (
            self.checks_done  # a refresh during the checks would count their findings twice
            and live
            and not any(w.group == "live" and w.is_running for w in self.workers)
        ):
            self._rescan_live(live)

    @reported_work(
        "reading live runs again", group="live", where=lambda app, runs: _where_runs(runs)
    )
    def _rescan_live(self, runs: list[Run]) -> None:
        worker = get_current_worker()
        updates = []
        for run in runs:
            if worker.is_cancelled:
                return
            listed = self._remote_sync(run) if self.remote is not None else []  # issue 16
            fresh, problems = rescan_run(self.root, run)
            updates.append((run.id, fresh, listed + problems))
        self.post_message(LiveRunsRefreshed(updates))

    def _remote_sync(self, run: Run | None) -> list[Problem]:
        """List the URL again (only `run`'s prefix when given): keys it could not mirror, or
        one Problem saying why it could not be listed (the mirror keeps what it had)."""
        assert self.remote is not None
        try:
            if run is None:
                return self.remote.sync()
            return self.remote.sync_folder(run.path)
        except RemoteError as exc:
            return [Problem(path=run.id if run is not None else ".", message=str(exc))]

    @on(LiveRunsRefreshed)
    def _on_live_refreshed(self, message: LiveRunsRefreshed) -> None:
        if self._screens_gone:
            return
        workspace = self.workspace
        runs_pane = self.main_screen.query_one(RunListPane)
        for run_id, fresh, problems in message.updates:
            prefix = run_id + "/"
            kept: list[Problem] = []
            dropped: list[Problem] = []
            store = f"{prefix}{STORE_DIR}/"  # the triage store is not read again by a rescan
            for problem in workspace.problems:
                rescanned = problem.path.startswith(prefix) and not problem.path.startswith(store)
                (dropped if rescanned else kept).append(problem)
            # Nothing outside the run's folder has a path under it: no Problem is in both lists.
            self._distinct_problems.difference_update(dropped)
            workspace.problems = kept
            self.problems_version += 1
            self._add_problems(problems)
            workspace.runs = [r for r in workspace.runs if r.id != run_id]
            if fresh is None:
                runs_pane.remove_run(run_id)
                continue
            workspace.runs.append(fresh)
            runs_pane.add_runs([fresh])
            for screen in self.screen_stack:
                if isinstance(screen, RunScreen) and screen.run.id == run_id:
                    screen.update_run(fresh)
        status = self.main_screen.query_one(StatusLine)
        status.runs = len(workspace.runs)
        status.problems = len(self._distinct_problems)
        self._tell_task_pages()

    # ----- worker failures --------------------------------------------------------------------
    @on(WorkerCrashed)
    def _on_worker_crashed(self, message: WorkerCrashed) -> None:
        """The one place a worker's unexpected exception is shown (tui/worker_errors.py)."""
        if self._screens_gone:
            return
        failure = message.failure
        self._add_problems([Problem(path=failure.path, message=failure.message)])
        self.notify(failure.message, title="internal error", severity="error", timeout=30)
        node = message.node
        if node is self:
            self.show_worker_failure(failure)
        elif isinstance(node, ShowsWorkerFailure) and node.is_attached:
            node.show_worker_failure(failure)

    def show_worker_failure(self, failure: WorkerFailure) -> None:
        if failure.group == "discover":
            # What was listed stays; the status line stops saying "scanning…".
            status = self.main_screen.query_one(StatusLine)
            status.scanning = False
            status.stopped = "scan stopped by an internal error (! lists it)"
            self.scan_done = True
            self._reloading = None

    def _pick_initial_tab(self) -> None:
        if self.user_chose_tab or self.workspace.runs:
            return
        if self.workspace.trainings or self.workspace.evals:
            self._show_tab("training")
        elif self.workspace.episodes:
            self._show_tab("viewer")

    def _show_tab(self, tab: str) -> None:
        """The tab, with its list focused at once: the last focus given decides which pane
        TabbedContent shows, so a focus still on its way to the old tab cannot take it back."""
        tabbed = self.main_screen.query_one(TabbedContent)
        tables = tabbed.query_one(f"#{tab}", TabPane).query(VirtualTable)
        if tables:
            self.main_screen.set_focus(tables.first())
        tabbed.active = tab

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification may quote data (an error, a file name): shown as plain text."""
        super().notify(
            visible(message),
            title=visible(title, one_line=True),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # ----- navigation -----------------------------------------------------------------------
    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane
        # Only the tab that is active now, and only when focus is not already inside it: focusing
        # on every activation bounced against TabbedContent's own pane focus (a switching loop).
        if pane is None or pane.id != event.tabbed_content.active:
            return
        tabbed = event.tabbed_content

        def focus_its_table() -> None:
            # Checked when the focus is given, not when asked: the scan may have picked another
            # tab in between, and a table focused in a hidden pane switches back to it.
            if tabbed.active != pane.id:
                return
            focused = self.focused
            if focused is not None and pane in focused.ancestors:
                return
            tables = pane.query(VirtualTable)
            if tables:
                self.main_screen.set_focus(tables.first())

        self.call_later(focus_its_table)

    def action_tab(self, tab: str) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.user_chose_tab = True
        self._show_tab(tab)

    def action_problems(self) -> None:
        if isinstance(self.screen, ProblemsScreen):
            return
        self.push_screen(ProblemsScreen(self.root, self.workspace.sorted_problems()))

    def action_help(self) -> None:
        tab = (
            self.main_screen.query_one(TabbedContent).active
            if self.screen is self.main_screen
            else None
        )
        self.push_screen(
            HelpScreen(
                binding_rows(self.screen), help_title(self.screen, tab), help_notes(self.screen)
            )
        )

    def action_search(self) -> None:
        snapshot = Workspace(root=self.workspace.root, runs=list(self.workspace.runs))
        self.push_screen(SearchScreen(snapshot, use_index=self.use_index))

    def action_reload(self) -> None:
        # In place: the run, its filter and the task and step stay where they were (issue 19).
        self.start_discovery(in_place=True)

    @on(VirtualTable.RowSelected, "#runs-table")
    def _open_run(self, event: VirtualTable.RowSelected) -> None:
        run = next((r for r in self.workspace.runs if r.id == event.key), None)
        if run is not None:
            self.push_screen(RunScreen(run, self.root))


def _where_runs(runs: list[Run]) -> str:
    """The run being read again, when there is one; the whole folder otherwise."""
    return runs[0].id if len(runs) == 1 else "."
