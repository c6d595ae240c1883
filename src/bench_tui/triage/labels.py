"""The label set: names with one key each, default or from a small TOML file."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_tui.model import Problem
from bench_tui.safeio import read_file
from bench_tui.safetext import display_path
from bench_tui.triage.store import LABEL_MAX_BYTES

MAX_LABEL_SET_BYTES = 256 * 1024

# ----- label set -------------------------------------------------------------------------------


SHOULD_PASS = "checker wrong: should pass"
"""The checker failed a task that a person judged a success (DESIGN §10 "Checker audit")."""
SHOULD_FAIL = "checker wrong: should fail"
CHECKER_RIGHT = "checker right"
"""What the review queue writes when a person agrees with the checker and names no cause: the
task then counts as reviewed. Not in the label set, as the queue has its own key for it."""
CHECKER_LABELS = (SHOULD_PASS, SHOULD_FAIL, CHECKER_RIGHT)
"""Accepted by `bench-tui label` whatever the configured label set: the audit reads them."""


@dataclass(frozen=True)
class Label:
    name: str
    key: str


DEFAULT_LABELS: tuple[Label, ...] = (
    Label("env bug", "e"),
    Label("grounding miss", "g"),
    Label("planning", "p"),
    Label("wrong answer", "w"),
    Label("timeout", "t"),
    Label("flaky", "f"),
    Label("benchmark bug", "b"),
    Label(SHOULD_PASS, "+"),
    Label(SHOULD_FAIL, "-"),
)
RESERVED_KEYS = frozenset({"n"})
"""`n` adds a note in the triage prompt, so no label may take it."""


@dataclass(frozen=True)
class LabelSet:
    labels: tuple[Label, ...] = DEFAULT_LABELS

    def by_key(self, key: str) -> Label | None:
        return next((label for label in self.labels if label.key == key), None)

    def names(self) -> list[str]:
        return [label.name for label in self.labels]


def label_set_path() -> Path:
    configured = os.environ.get("BENCH_TUI_LABELS")
    if configured:
        return Path(configured).expanduser()
    config_home = os.environ.get("XDG_CONFIG_HOME")
    base = Path(config_home) if config_home else Path.home() / ".config"
    return base / "bench-tui" / "labels.toml"


_TOML_LINE = re.compile(r"at line (\d+)")


def load_label_set(path: Path | None = None) -> tuple[LabelSet, list[Problem]]:
    """The configured label set, or the default one; never raises.

    A missing file at the default place is not a problem; a missing `$BENCH_TUI_LABELS` file,
    invalid TOML or a file with no usable label give the default set and a Problem. Entries
    with a duplicate or reserved key, a duplicate name or missing fields are skipped, each
    with a Problem.
    """
    explicit = path is not None or bool(os.environ.get("BENCH_TUI_LABELS"))
    path = path if path is not None else label_set_path()
    shown = display_path(os.fspath(path))
    try:
        raw = read_file(path, MAX_LABEL_SET_BYTES)
        if len(raw) > MAX_LABEL_SET_BYTES:
            limit = f"over {MAX_LABEL_SET_BYTES // 1024} KB, longer than any label set"
            return LabelSet(), [Problem(path=shown, message=f"cannot read label set ({limit})")]
        text = raw.decode("utf-8")
    except FileNotFoundError:
        problems = [Problem(path=shown, message="label set file not found: using the defaults")]
        return LabelSet(), problems if explicit else []
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return LabelSet(), [Problem(path=shown, message=f"cannot read label set ({reason})")]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        line = int(found.group(1)) if found else None
        return LabelSet(), [
            Problem(path=shown, line=line, message=f"invalid TOML ({exc}): using the defaults")
        ]
    entries = data.get("label")
    if not isinstance(entries, list):
        message = "expected [[label]] tables with name and key: using the defaults"
        return LabelSet(), [Problem(path=shown, message=message)]
    labels, problems = _labels_from(entries, shown)
    if not labels:
        problems.append(Problem(path=shown, message="no usable label: using the defaults"))
        return LabelSet(), problems
    return LabelSet(tuple(labels)), problems


def _labels_from(entries: list[Any], shown: str) -> tuple[list[Label], list[Problem]]:
    labels: list[Label] = []
    problems: list[Problem] = []
    keys: dict[str, str] = {}
    names: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"label #{number}"
        name = entry.get("name") if isinstance(entry, dict) else None
        key = entry.get("key") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(path=shown, message=f"{where}: 'name' must be a string"))
            continue
        if len(name.encode("utf-8", "surrogatepass")) > LABEL_MAX_BYTES:
            message = f"{where}: the name is over {LABEL_MAX_BYTES} bytes: skipped"
            problems.append(Problem(path=shown, message=message))
            continue
        if not isinstance(key, str) or len(key) != 1 or key.isspace():
            message = f"{where} ({name!r}): 'key' must be one character"
            problems.append(Problem(path=shown, message=message))
            continue
        if key in RESERVED_KEYS:
            message = f"{where} ({name!r}): key {key!r} is reserved (it adds a note): skipped"
            problems.append(Problem(path=shown, message=message))
            continue
        if key in keys:
            message = f"{where} ({name!r}): key {key!r} is already used by {keys[key]!r}: skipped"
            problems.append(Problem(path=shown, message=message))
            continue
        if name in names:
            problems.append(Problem(path=shown, message=f"{where}: duplicate name {name!r}"))
            continue
        keys[key] = name
        names.add(name)
        labels.append(Label(name, key))
    return labels, problems
