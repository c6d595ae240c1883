"""Walk a folder once, recognise each format by the files a directory holds, stream what it finds.

Decisions are made per directory from its file names (FORMATS §3), never from folder names or
depth. A claimed folder belongs to its reader and is not walked further. Episodes of OSWorld, WAA
and AgentLab are collected during the walk and grouped into runs at the end.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench_tui.model import Episode, EvalReport, Problem, Run, TrainingRun, Workspace
from bench_tui.model.ordering import natural_key
from bench_tui.safeio import file_kind
from bench_tui.sources.base import ClaimCache, Finding, PendingChecks, Walk
from bench_tui.sources.common import MAX_PARSE_BYTES, ReadContext, read_json
from bench_tui.sources.progress import mark_recent_runs
from bench_tui.sources.registry import READERS
from bench_tui.sources.text_limits import cut_run_texts

SKIPPED_DIR_NAMES = frozenset({"__pycache__", "node_modules", ".git"})
NOT_SNIFFED_JSON = frozenset(
    {
        "all_result.json",
        "missing.json",
        "args.json",
        "experiments.json",
        "azure_jobs.json",
        "vm_registry.json",
        "package.json",
        "package-lock.json",
        "adapter_config.json",
        "config.json",
    }
)


@dataclass
class DiscoveryBatch:
    """What the walk found since the previous batch."""

    runs: list[Run] = field(default_factory=list)
    evals: list[EvalReport] = field(default_factory=list)
    trainings: list[TrainingRun] = field(default_factory=list)
    episodes: list[Episode] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    checks: PendingChecks = field(default_factory=PendingChecks)
    """What was left to check (only with `defer_checks`): see `checks_runner`."""
    dirs_seen: int = 0
    done: bool = False

    def is_empty(self) -> bool:
        return not (self.runs or self.evals or self.trainings or self.episodes or self.problems)


@dataclass
class WalkLog:
    """What a walk depended on besides the claims its ClaimCache answered: the folders it listed
    and the links among their entries (a folder's mtime changes when an entry is added, removed
    or renamed; a link's target may change while its folder does not), the inputs the claims
    it read noted, and how often it read something another way (a file, or a claim no cache
    keeps). The index's warm check stats
    these instead of walking again (index/warm.py)."""

    listed: list[str] = field(default_factory=list)
    noted: list[str] = field(default_factory=list)
    """The inputs cacheable readers noted (ReadContext.note_input) while claiming folders."""
    other_reads: int = 0


class _Walker:
    def __init__(
        self,
        root: Path,
        walk: Walk,
        include_underscore: bool,
        cache: ClaimCache | None = None,
        log: WalkLog | None = None,
    ):
        self.root = root
        """Where the walk starts; ids stay relative to ctx.root, which may lie above it."""
        self.cache = cache
        self.log = log
        self.state = walk
        self.ctx = walk.ctx
        self.include_underscore = include_underscore
        self.visited: set[tuple[int, int]] = set()
        self.dirs_seen = 0

    def _skip(self, name: str) -> bool:
        if name.startswith(".") or name in SKIPPED_DIR_NAMES:
            return True
        return name.startswith("_") and not self.include_underscore

    def walk(self) -> Iterator[Finding]:
        """Yield runs, eval reports, trainings and episodes as they are found."""
        try:
            root_stat = self.root.stat()
        except OSError as exc:
            self.ctx.problem(self.root, f"cannot read folder: {exc.strerror or exc}")
            return
        self.visited.add((root_stat.st_dev, root_stat.st_ino))
        stack: list[tuple[Path, tuple[tuple[int, int], ...]]] = [
            (self.root, ((root_stat.st_dev, root_stat.st_ino),))
        ]
        while stack:
            directory, ancestors = stack.pop()
            self.dirs_seen += 1
            if self.log is not None:
                self.log.listed.append(os.fspath(directory))
            try:
                entries = sorted(os.scandir(directory), key=lambda e: e.name)
            except OSError as exc:
                self.ctx.problem(directory, f"cannot list folder: {exc.strerror or exc}")
                continue
            if self.log is not None:
                self.log.listed.extend(entry.path for entry in entries if entry.is_symlink())
            names = frozenset(e.name for e in entries)
            claimed = yield from self._claim(directory, names)
            if claimed:
                continue
            children: list[tuple[Path, tuple[tuple[int, int], ...]]] = []
            for entry in entries:
                child = self._visit_entry(entry, ancestors)
                if isinstance(child, tuple):
                    children.append(child)
                elif child == "file":
                    yield from self.read_file(Path(entry.path), entry.name)
            # Reverse so that the stack pops children in name order (first path reached wins).
            stack.extend(reversed(children))

    def _visit_entry(
        self, entry: os.DirEntry[str], ancestors: tuple[tuple[int, int], ...]
    ) -> tuple[Path, tuple[tuple[int, int], ...]] | str | None:
        """A folder to walk (with its ancestry), "file", or None for anything to pass over."""
        try:
            info = os.stat(entry.path)
        except OSError as exc:
            if entry.is_symlink():
                reason = (
                    "symbolic link loop" if exc.errno == errno.ELOOP else "broken symbolic link"
                )
                self.ctx.problem(entry.path, f"{reason}: its target cannot be reached")
            else:
                self.ctx.problem(entry.path, f"cannot read: {exc.strerror or exc}")
            return None
        is_dir = stat.S_ISDIR(info.st_mode)
        # Folders, and files this walk reads itself (other files: their reader checks).
        if entry.is_symlink() and (is_dir or _would_read(entry.name)):
            real = self.ctx.link_leaves(entry.path)
            if real is not None:
                self.ctx.link_problem(entry.path, real)
                return None
        if not is_dir:
            if stat.S_ISREG(info.st_mode):
                return "file"
            if _would_read(entry.name):
                # A FIFO would block the read, a device never ends: say why it is not shown.
                self.ctx.problem(
                    entry.path, f"not a regular file ({file_kind(info.st_mode)}): not read"
                )
            return None
        if self._skip(entry.name):
            return None
        key = (info.st_dev, info.st_ino)
        if key in ancestors:
            self.ctx.problem(entry.path, "symbolic link loop: points back to a folder above it")
            return None
        if key in self.visited:
            return None
        self.visited.add(key)
        return Path(entry.path), (*ancestors, key)

    def _claim(self, directory: Path, names: frozenset[str]) -> Generator[Finding, None, bool]:
        """Offer the folder to each reader in turn; True when one claimed it whole."""
        for reader in READERS:
            if reader.folder is None:
                continue
            if self.cache is not None and reader.cacheable:
                claim = self.cache.claim(reader, directory, names, self.state)
            else:
                claim = reader.folder(directory, names, self.state)
                if claim is not None:
                    self._read_other()
            if claim is not None:
                yield from claim.found
                return not claim.walk_inside
        return False

    def read_file(self, path: Path, name: str) -> Iterator[Finding]:
        for reader in READERS:
            if reader.reads_file is not None and reader.reads_file(name):
                if reader.file is not None:
                    self._read_other()
                    yield from reader.file(path, self.state)
                return
        if not _sniffed(name):
            return
        self._read_other()
        try:
            size = path.stat().st_size
        except OSError as exc:
            self.ctx.problem(path, f"cannot read: {exc.strerror or exc}")
            return
        if size > MAX_PARSE_BYTES:
            self.ctx.problem(
                path, f"file is {size / 1048576:.1f} MB, over the 32 MB limit: not parsed"
            )
            return
        doc = read_json(path, self.ctx, what="JSON")
        if doc is None:
            return
        for reader in READERS:
            if reader.sniff_json is None:
                continue
            found = reader.sniff_json(path, doc, self.state)
            if found is not None:
                yield from found
                return

    def _read_other(self) -> None:
        if self.log is not None:
            self.log.other_reads += 1

    def finish(self) -> list[Run]:
        """Runs from what the readers collected, once every folder is known."""
        runs: list[Run] = []
        for reader in READERS:
            if reader.finish is not None:
                runs.extend(reader.finish(self.state))
        return runs


def _sniffed(name: str) -> bool:
    """A JSON file no reader reads by its name: parsed once and offered to every reader."""
    return (
        name.lower().endswith(".json")
        and name not in NOT_SNIFFED_JSON
        and not any(reader.keeps_json is not None and reader.keeps_json(name) for reader in READERS)
    )


def _would_read(name: str) -> bool:
    """Whether the walk reads a file of this name wherever it is (other names are read by the
    reader of the folder that holds them, which reports what it cannot read)."""
    if any(reader.reads_file is not None and reader.reads_file(name) for reader in READERS):
        return True
    return _sniffed(name)


def iter_workspace(
    root: Path,
    *,
    include_underscore: bool = False,
    now: float | None = None,
    batch_interval_s: float = 0.1,
    should_stop: Callable[[], bool] = lambda: False,
    start: Path | None = None,
    live_files: Iterable[Path] = (),
    defer_checks: bool = False,
    claim_cache: ClaimCache | None = None,
    walk_log: WalkLog | None = None,
) -> Iterator[DiscoveryBatch]:
    """Stream batches of findings; the last batch has `done=True` and carries the grouped runs.

    `start` walks only that folder (ids stay relative to `root`): a live run is re-read this way.
    `live_files` are progress files to read besides any the walk meets.
    `defer_checks`: runs are listed from their outcomes alone and each batch carries what is
    left to check, for the caller to pass to `checks_runner.iter_checks` (the app lists first).
    `claim_cache`: asked before a cacheable reader reads a folder (the index; see base.ClaimCache).
    `walk_log`: filled with what the walk depended on besides the claims (see WalkLog).
    """
    root = Path(os.path.abspath(root))
    ctx = ReadContext(root=root, noted=walk_log.noted if walk_log is not None else None)
    begin = Path(os.path.abspath(start)) if start is not None else root
    state = Walk(
        ctx, time.time() if now is None else now, PendingChecks() if defer_checks else None
    )
    walker = _Walker(begin, state, include_underscore, claim_cache, walk_log)

    def found() -> Iterator[Finding]:
        for path in live_files:  # read as if the walk had met them, before it starts
            yield from walker.read_file(Path(path), Path(path).name)
        yield from walker.walk()

    batch = DiscoveryBatch()
    problems_sent = 0
    last_flush = time.monotonic()
    all_runs: list[Run] = []

    def flush() -> DiscoveryBatch:
        nonlocal batch, problems_sent, last_flush
        out = batch
        out.problems = ctx.problems[problems_sent:]
        problems_sent = len(ctx.problems)
        if state.checks is not None:
            out.checks, state.checks = state.checks, PendingChecks()
        out.dirs_seen = walker.dirs_seen
        batch = DiscoveryBatch()
        last_flush = time.monotonic()
        return out

    for item in found():
        if isinstance(item, Run):
            cut_run_texts(item, ctx)
            batch.runs.append(item)
            all_runs.append(item)
        elif isinstance(item, EvalReport):
            batch.evals.append(item)
        elif isinstance(item, TrainingRun):
            batch.trainings.append(item)
        else:
            batch.episodes.append(item)
        if time.monotonic() - last_flush >= batch_interval_s:
            yield flush()
        if should_stop():
            return
    grouped = walker.finish()
    for run in grouped:
        cut_run_texts(run, ctx)
    batch.runs.extend(grouped)
    all_runs.extend(grouped)
    for reader in READERS:
        if reader.after_walk is not None:
            reader.after_walk(all_runs, state)
    mark_recent_runs(all_runs)
    final = flush()
    final.done = True
    yield final


def discover_workspace(root: Path, **options: object) -> Workspace:
    """Everything under `root`, read in one go (the CLI path)."""
    workspace = Workspace(root=str(Path(os.path.abspath(root))))
    for batch in iter_workspace(root, **options):  # type: ignore[arg-type]
        workspace.runs.extend(batch.runs)
        workspace.evals.extend(batch.evals)
        workspace.trainings.extend(batch.trainings)
        workspace.episodes.extend(batch.episodes)
        workspace.problems.extend(batch.problems)
    workspace.runs.sort(key=lambda run: natural_key(run.id))
    workspace.evals.sort(key=lambda report: natural_key(report.id))
    workspace.trainings.sort(key=lambda training: natural_key(training.id))
    return workspace
