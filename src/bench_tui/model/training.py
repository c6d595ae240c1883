"""Training runs: the loss log, evaluations during training and checkpoints."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

TrainingStatus = Literal["LIVE", "STALE", "DONE"]


class LossPoint(BaseModel):
    epoch: float
    step: int
    loss: float
    lr: float | None = None
    time: float | None = None


class TrainingAction(BaseModel):
    type: str | None = None
    x: float | None = None
    y: float | None = None
    text: str | None = None
    raw_output: str | None = None


class TrainingEvaluation(BaseModel):
    epoch: float
    sample_idx: int | None = None
    image_path: str | None = None
    human_action: TrainingAction | None = None
    predicted_action: TrainingAction | None = None
    distance: float | None = None
    correct_as_logged: bool | None = None


class Checkpoint(BaseModel):
    name: str
    path: str
    epoch: int | None = None
    valid: bool = True


class TrainingRun(BaseModel):
    id: str
    path: str
    """Absolute path of the job folder."""
    log_path: str
    variant: Literal["custom", "trl"] = "custom"
    job_id: str | None = None
    model_name: str | None = None
    config_path: str | None = None
    goal: str | None = None
    hostname: str | None = None
    started_at: datetime | None = None
    epoch: float | None = None
    step: int | None = None
    total_epochs: int | None = None
    loss: float | None = None
    learning_rate: float | None = None
    elapsed_time: float | None = None
    losses: list[LossPoint] = Field(default_factory=list)
    evaluations: list[TrainingEvaluation] = Field(default_factory=list)
    checkpoints: list[Checkpoint] = Field(default_factory=list)
    termination_status: str | None = None
    termination_message: str | None = None
    modified_at: float | None = None
    """mtime of the log, epoch seconds: LIVE/STALE is decided from it."""
