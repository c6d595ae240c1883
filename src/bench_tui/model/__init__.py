"""Pydantic types of the common model. No I/O and no Textual here."""

from bench_tui.model.action import ACTION_TYPES, Action, ActionType
from bench_tui.model.benchmark import (
    FINISHED_STATUSES,
    Execution,
    LiveProgress,
    LogLine,
    Run,
    Status,
    Step,
    Task,
)
from bench_tui.model.episode import Episode, EpisodeStep, Prediction
from bench_tui.model.evalreport import KNOWN_METRICS, EvalReport, higher_is_better
from bench_tui.model.problem import Problem
from bench_tui.model.training import (
    Checkpoint,
    LossPoint,
    TrainingAction,
    TrainingEvaluation,
    TrainingRun,
)
from bench_tui.model.workspace import Workspace

__all__ = [
    "ACTION_TYPES",
    "FINISHED_STATUSES",
    "KNOWN_METRICS",
    "Action",
    "ActionType",
    "Checkpoint",
    "Episode",
    "EpisodeStep",
    "EvalReport",
    "Execution",
    "LiveProgress",
    "LogLine",
    "LossPoint",
    "Prediction",
    "Problem",
    "Run",
    "Status",
    "Step",
    "Task",
    "TrainingAction",
    "TrainingEvaluation",
    "TrainingRun",
    "Workspace",
    "higher_is_better",
]
