"""Messages shared by several screens."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from bench_tui.model import Problem, Run
from bench_tui.sources.discover import DiscoveryBatch


@dataclass
class WorkspaceBatch(Message):
    """Discovery found more (or finished: `batch.done`)."""

    batch: DiscoveryBatch


@dataclass
class ChecksProgress(Message):
    """Files listing left unread were checked: `checked` of `total` so far, and their Problems."""

    scan: int
    """Which scan of the app sent it (a reload starts another)."""
    checked: int
    total: int
    problems: list[Problem]


@dataclass
class WorkspaceReset(Message):
    """A reload started: everything shown so far is gone."""


@dataclass
class LiveRunsRefreshed(Message):
    """Live runs read again: (id it had, the run now or None if it vanished, its Problems)."""

    updates: list[tuple[str, Run | None, list[Problem]]]
