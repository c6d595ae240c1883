"""What a format reader provides: discovery and step loading ask every reader the same questions.

A reader is a `Reader` value: the hooks it has, None for the ones it has not. `registry.READERS`
lists them all, in the order they are asked. Discovery (discover.py) asks, per folder the walk
meets, each `folder` hook in turn: the first that returns a `Claim` owns the folder. Per file
outside claimed folders it asks the `file` hooks of the readers whose `reads_file` takes the
name, else parses the JSON once (size-capped) and offers it to each `sniff_json` hook in turn.
Folders collected during the walk (`Walk.collect`) become runs in `finish`, once the walk has
seen them all; `after_walk` then sees every run found. Step loading (steps.py) asks the first
reader whose `owns_run` takes the run.

Hooks never raise on bad data: what cannot be read becomes a Problem on `walk.ctx`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bench_tui.model import Episode, EvalReport, Execution, Run, Step, TrainingRun
from bench_tui.sources.common import JsonDoc, ReadContext

Finding = Run | EvalReport | TrainingRun | Episode
"""What discovery streams to its caller."""

PendingImage = tuple[str, Any, str]
"""(image path, step number as recorded, the file that recorded it)"""


@dataclass
class PendingChecks:
    """What listing left to check, for `checks_runner` to run (at once, or after the list is up):
    record files whose outcome was read from their head (the rest of each file is checked
    later), and screenshots. Plain strings and numbers: a worker process gets them as JSON."""

    executions: list[str] = field(default_factory=list)
    screenshots: list[PendingImage] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.executions) + len(self.screenshots)

    def extend(self, other: PendingChecks) -> None:
        self.executions.extend(other.executions)
        self.screenshots.extend(other.screenshots)

    def chunks(self, size: int) -> Iterator[PendingChecks]:
        """Pieces of about `size` files each, record files first (they find more screenshots)."""
        for start in range(0, len(self.executions), size):
            yield PendingChecks(executions=self.executions[start : start + size])
        for start in range(0, len(self.screenshots), size):
            yield PendingChecks(screenshots=self.screenshots[start : start + size])


@dataclass
class Walk:
    """One discovery walk, as the readers see it."""

    ctx: ReadContext
    now: float
    """The time liveness is judged against (epoch seconds)."""
    checks: PendingChecks | None = None
    """Where readers leave checks for later; None: check at once (the command line)."""
    collected: dict[str, list[Any]] = field(default_factory=dict)
    """What readers set aside for `finish` / `after_walk`, by a key the reader chooses."""

    def collect(self, key: str, item: Any) -> None:
        self.collected.setdefault(key, []).append(item)


@dataclass(frozen=True)
class Claim:
    """A folder is this reader's: what it read there now (maybe nothing, when the folder was
    collected for `finish`), and whether the walk still goes into its subfolders."""

    found: Iterable[Finding] = ()
    walk_inside: bool = False


FolderHook = Callable[[Path, frozenset[str], Walk], Claim | None]
"""(folder, the names of the entries it holds, walk) -> a Claim, or None: not this format."""
FileHook = Callable[[Path, Walk], Iterable[Finding]]
JsonHook = Callable[[Path, JsonDoc, Walk], Iterable[Finding] | None]
"""(file, its parsed JSON, walk) -> what it holds, or None: not this format."""
FinishHook = Callable[[Walk], list[Run]]
AfterWalkHook = Callable[[list[Run], Walk], None]
StepLoader = Callable[[Run, Execution, ReadContext], list[Step]]
ChecksHook = Callable[[PendingChecks, ReadContext], None]


@dataclass(frozen=True)
class Reader:
    name: str
    folder: FolderHook | None = None
    reads_file: Callable[[str], bool] | None = None
    """File names read by `file` wherever the walk meets them outside a claimed folder."""
    file: FileHook | None = None
    keeps_json: Callable[[str], bool] | None = None
    """JSON file names this reader reads another way: never sniffed."""
    sniff_json: JsonHook | None = None
    finish: FinishHook | None = None
    """Runs from what the walk collected, once it has seen every folder."""
    after_walk: AfterWalkHook | None = None
    """Sees every run found (e.g. to attach progress files to the run they describe)."""
    owns_run: Callable[[Run], bool] | None = None
    """Whose steps `load_steps` reads; a reader sharing a format with another goes before it."""
    load_steps: StepLoader | None = None
    image_cache: Callable[[], Path] | None = None
    """A folder outside the results where this reader puts images it decoded (steps may show them)."""
    run_checks: ChecksHook | None = None
    """Runs what listing left in `PendingChecks`, as Problems on the context."""
    cacheable: bool = False
    """Its `folder` hook notes every file and folder it reads (`ReadContext.note_input`) and
    depends on nothing else but `Walk.now`: an index may replay a claim while those are unchanged."""


class ClaimCache(Protocol):
    """What discovery asks before a cacheable reader reads a folder (the index implements it):
    the claim as `reader.folder` would make it, with its Problems and checks put on `walk`."""

    def claim(
        self, reader: Reader, folder: Path, names: frozenset[str], walk: Walk
    ) -> Claim | None: ...


def of_format(*formats: str) -> Callable[[Run], bool]:
    """`owns_run` for a reader that owns every run of these formats."""
    wanted = frozenset(formats)
    return lambda run: run.format in wanted
