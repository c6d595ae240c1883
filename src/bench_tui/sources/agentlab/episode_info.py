"""What one AgentLab episode folder says: read by the study reader, checked against the CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench_tui.model import Execution
from bench_tui.sources.common import JsonDoc


@dataclass
class EpisodeInfo:
    """What one episode folder says, before episodes are grouped into executions."""

    path: Path
    date: datetime | None = None
    agent: str | None = None
    task_name: str | None = None
    seed: int | None = None
    model_name: str | None = None
    instruction: str | None = None
    summary: dict[str, Any] | None = None
    summary_doc: JsonDoc | None = None
    execution: Execution = field(default_factory=lambda: Execution(task_id=""))

    @property
    def benchmark(self) -> str | None:
        return self.task_name.split(".", 1)[0] if self.task_name else None
