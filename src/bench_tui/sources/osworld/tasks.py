"""Task definitions and task indexes of OSWorld and WAA (`evaluation_examples*/`, FORMATS §10-11).

Definitions are looked up by the `id` they contain, not by file name: WAA has a file
`<uuid>-2-WOS.json` holding the id `<uuid>-WOS-2`, while the run folder is named after the index
entry (the file name). So a lookup tries the exact id, then the same suffixes in another order;
a file's name is never trusted to say which task it holds.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_tui.sources.common import ReadContext, read_json_object

WAA_SUFFIX = re.compile(r"(?:-2-wos|-wos-2|-wos)$", re.IGNORECASE)
VARIANT = re.compile(r"^(inf-)?(.*?)((?:-(?:2|wos))*)$", re.IGNORECASE | re.DOTALL)
INDEX_COVERAGE = 0.9
"""An index found under the scanned folder is linked to a run when it holds at least this share
of the run's task folders (a few custom or renamed tasks do not break the link)."""


def match_key(task_id: str, benchmark: str) -> str:
    """The id used to match a task across runs and formats: WAA ids lose their suffixes and the
    `INF-` prefix, which leaves the OSWorld id most of them were made from."""
    if benchmark != "waa":
        return task_id
    key = task_id[4:] if task_id[:4].upper() == "INF-" else task_id
    key = WAA_SUFFIX.sub("", key)
    return key or task_id


def variant_key(task_id: str) -> str:
    """Equal for two spellings of one task (`-2-WOS` and `-WOS-2`), different for variants."""
    match = VARIANT.match(task_id.lower())
    if match is None:  # the pattern matches every string; kept for the type checker
        return task_id.lower()
    tokens = sorted(token for token in match.group(3).split("-") if token)
    return f"{'inf-' if match.group(1) else ''}{match.group(2)}|{'-'.join(tokens)}"


def looks_like_task_index(data: Any) -> bool:
    """`{domain: [task ids]}` (test_all.json and friends)."""
    if not isinstance(data, dict) or not data:
        return False
    total = 0
    for key, ids in data.items():
        if not isinstance(key, str) or not key or not isinstance(ids, list):
            return False
        if not all(isinstance(task_id, str) and task_id for task_id in ids):
            return False
        total += len(ids)
    return total > 0


def looks_like_task_definition(data: Any) -> bool:
    """A task file: `id`, `instruction` and an `evaluator`."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("id"), str)
        and isinstance(data.get("instruction"), str)
        and isinstance(data.get("evaluator"), (dict, list))
    )


@dataclass(frozen=True)
class TaskDefinition:
    task_id: str
    instruction: str
    domain: str | None
    """The folder the file sits in (`examples/<domain>/<id>.json`)."""
    infeasible: bool


@dataclass(frozen=True)
class TaskIndex:
    path: Path
    tasks: dict[str, list[str]]

    def keys(self) -> set[str]:
        return {variant_key(task_id) for ids in self.tasks.values() for task_id in ids}

    def size(self) -> int:
        return sum(len(ids) for ids in self.tasks.values())


class TaskCatalog:
    """The task definitions and indexes discovery found; files are read on first use, once."""

    def __init__(
        self,
        ctx: ReadContext,
        index_files: Iterable[Path] = (),
        definition_files: Iterable[Path] = (),
    ):
        self.ctx = ctx
        self.index_files = [Path(p) for p in index_files]
        self.definition_files = [Path(p) for p in definition_files]
        self._indexes: dict[str, TaskIndex | None] = {}
        self._by_id: dict[str, TaskDefinition] | None = None
        self._by_variant: dict[str, list[TaskDefinition]] = {}

    # --- definitions ---------------------------------------------------------------------

    def _load_definitions(self) -> dict[str, TaskDefinition]:
        if self._by_id is not None:
            return self._by_id
        self._by_id = {}
        for path in self.definition_files:
            doc = read_json_object(path, self.ctx, what="a task definition (JSON object)")
            if doc is None or not looks_like_task_definition(doc.data):
                continue
            evaluator = doc.data.get("evaluator")
            definition = TaskDefinition(
                task_id=doc.data["id"],
                instruction=doc.data["instruction"],
                domain=path.parent.name or None,
                infeasible=isinstance(evaluator, dict) and evaluator.get("func") == "infeasible",
            )
            self._by_id.setdefault(definition.task_id, definition)
            self._by_variant.setdefault(variant_key(definition.task_id), []).append(definition)
        return self._by_id

    def definition(self, task_id: str, domain: str | None) -> TaskDefinition | None:
        by_id = self._load_definitions()
        if task_id in by_id:
            return by_id[task_id]
        spellings = self._by_variant.get(variant_key(task_id), [])
        same_domain = [d for d in spellings if d.domain == domain] or spellings
        return same_domain[0] if len(same_domain) == 1 else None

    def instruction(self, task_id: str, domain: str | None) -> str | None:
        if not self.definition_files:
            return None
        definition = self.definition(task_id, domain)
        return definition.instruction if definition is not None else None

    # --- indexes -------------------------------------------------------------------------

    def index(self, path: Path) -> TaskIndex | None:
        key = os.path.abspath(path)
        if key not in self._indexes:
            doc = read_json_object(path, self.ctx, what="a task index ({domain: [task ids]})")
            if doc is not None and looks_like_task_index(doc.data):
                self._indexes[key] = TaskIndex(Path(key), doc.data)
            else:
                self._indexes[key] = None
        return self._indexes[key]

    def find_named(self, written: str, run_dir: Path) -> Path | None:
        """The index a run's args.json names, looked for where the runner's working folder
        may have been: as written, beside the run and above it, or among the found indexes."""
        candidate = Path(written)
        if candidate.is_absolute():
            places = [candidate]
        else:
            places = [folder / candidate for folder in (run_dir, *run_dir.parents)]
            places.insert(0, self.ctx.root / candidate)
        for place in places:
            if place.is_file():
                return place
        tail = "/" + written.replace(os.sep, "/").lstrip("./")
        for path in self.index_files:
            if path.as_posix().endswith(tail):
                return path
        return None

    def best_index(self, task_ids: Iterable[str]) -> TaskIndex | None:
        """Of the found indexes, the smallest holding nearly all of the run's task folders."""
        keys = {variant_key(task_id) for task_id in task_ids}
        if not keys:
            return None
        best: TaskIndex | None = None
        for path in self.index_files:
            index = self.index(path)
            if index is None:
                continue
            covered = len(keys & index.keys()) / len(keys)
            if covered < INDEX_COVERAGE:
                continue
            if best is None or index.size() < best.size():
                best = index
        return best
