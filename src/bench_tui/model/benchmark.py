"""Benchmark runs: a run holds tasks, and one execution per (model, task)."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from bench_tui.model.action import Action

Status = Literal["passed", "failed", "infra", "errored", "unfinished"]
FINISHED_STATUSES: frozenset[str] = frozenset({"passed", "failed", "infra"})
RunFormat = Literal["openadapt", "osworld", "waa", "webarena", "agentlab"]


class LogLine(BaseModel):
    timestamp: float | None = None
    level: str = "INFO"
    message: str = ""


class Step(BaseModel):
    """One model call. `index` is 0-based; `source_number` is the format's own number."""

    index: int
    source_number: int | None = None
    recorded: bool = True
    """False for a screenshot found without a step record: shown, never counted."""
    screenshot: str | None = None
    """Absolute path of the image the model saw before acting (None when there is none)."""
    screenshot_is_after: bool = False
    actions: list[Action] = Field(default_factory=list)
    reasoning: str | None = None
    raw_output: str | None = None
    think_ms: float | None = None
    exec_ms: float | None = None
    timestamp: float | None = None
    logs: list[str] = Field(default_factory=list)
    logs_before: list[str] = Field(default_factory=list)
    """Log lines from before this step began: kept on the first step only ("before step 1")."""
    extra: dict[str, Any] = Field(default_factory=dict)

    @property
    def action(self) -> Action | None:
        return self.actions[0] if self.actions else None

    @property
    def duration_ms(self) -> float | None:
        if self.think_ms is None and self.exec_ms is None:
            return None
        return (self.think_ms or 0.0) + (self.exec_ms or 0.0)


class Task(BaseModel):
    task_id: str
    domain: str | None = None
    instruction: str | None = None
    match_key: str | None = None
    folder: str | None = None
    """Absolute path of the task's folder, where the format has one."""


class Execution(BaseModel):
    """One model on one task. Steps are not held here: readers load them on demand."""

    task_id: str
    model: str = "unknown"
    status: Status = "unfinished"
    success: bool | None = None
    score: float | None = None
    num_steps: int | None = None
    duration_s: float | None = None
    error: str | None = None
    error_type: str | None = None
    reason: str | None = None
    seed: int | None = None
    source_path: str | None = None
    """Absolute path of the file the outcome came from (lazy step loading starts here)."""

    @property
    def succeeded(self) -> bool:
        return self.status == "passed"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES


class LiveProgress(BaseModel):
    done: int
    total: int | None = None
    eta_s: float | None = None
    current_task: str | None = None
    live_file: str | None = None
    """Absolute path of the progress file this came from, so a refresh reads it again."""
    as_of: float | None = None
    """When `eta_s` held (the live file's mtime, epoch seconds): the ETA shown counts down from it."""


class Run(BaseModel):
    """One results folder. `id` is its path relative to the scanned folder."""

    id: str
    path: str
    format: RunFormat
    benchmark: str | None = None
    label: str
    created_at: datetime | None = None
    is_mock: bool = False
    live: bool = False
    progress: LiveProgress | None = None
    tasks: list[Task] = Field(default_factory=list)
    executions: list[Execution] = Field(default_factory=list)

    @property
    def models(self) -> list[str]:
        seen: dict[str, None] = {}
        for execution in self.executions:
            seen.setdefault(execution.model, None)
        return list(seen)

    def task(self, task_id: str) -> Task | None:
        for task in self.tasks:
            if task.task_id == task_id:
                return task
        return None
