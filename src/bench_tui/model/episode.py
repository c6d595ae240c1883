"""Recorded episodes (human demonstrations) and per-checkpoint predictions on them."""

from pydantic import BaseModel, Field

from bench_tui.model.action import Action


class EpisodeStep(BaseModel):
    index: int
    screenshot: str | None = None
    """Absolute path of the image shown before the action."""
    action: Action
    reasoning: str | None = None
    description: str | None = None
    """What the recording says the step does ("Open Clear browsing data")."""
    timestamp: float | None = None


class Prediction(BaseModel):
    """What a checkpoint predicted for one step. `action` None with `parse_error` set means the
    output could not be parsed; both None means no prediction."""

    action: Action | None = None
    raw_output: str | None = None
    parse_error: str | None = None
    match: bool | None = None


class Episode(BaseModel):
    id: str
    path: str
    episode_id: str
    instruction: str | None = None
    description: str | None = None
    task_id: str | None = None
    """The task the episode records: demos of several tasks often share one episode_id."""
    success: bool | None = None
    source: str | None = None
    agent_model: str | None = None
    steps: list[EpisodeStep] = Field(default_factory=list)
    predictions: dict[str, list[Prediction]] = Field(default_factory=dict)
    """Checkpoint name ("Epoch 1", "Preview") → one prediction per step, index-aligned."""


def episode_name(episode: Episode) -> str:
    """Task first: demos of several tasks are often all named `manual`."""
    if episode.task_id and episode.task_id != episode.episode_id:
        return f"{episode.task_id} · {episode.episode_id}"
    return episode.episode_id
