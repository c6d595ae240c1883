"""Offline eval reports: one model/checkpoint/backend scored on recorded episodes."""

from pydantic import BaseModel, Field

KNOWN_METRICS: tuple[str, ...] = (
    "num_episodes",
    "num_steps",
    "action_type_accuracy",
    "mean_coord_error",
    "coord_error_count",
    "episode_success_rate",
    "click_hit_rate",
    "bbox_hit_rate",
    "mean_episode_progress",
    "mean_episode_step_score",
    "weak_episode_success_rate",
    "state_success_rate",
    "element_accuracy",
)

COUNT_METRICS: frozenset[str] = frozenset({"num_episodes", "num_steps", "coord_error_count"})
LOWER_IS_BETTER: frozenset[str] = frozenset({"mean_coord_error"})


def higher_is_better(metric: str) -> bool | None:
    """True for rates and accuracies, False for errors, None for counts."""
    if metric in COUNT_METRICS:
        return None
    return metric not in LOWER_IS_BETTER


class EvalReport(BaseModel):
    id: str
    """Path of the file relative to the scanned folder."""
    path: str
    backend: str | None = None
    config_path: str | None = None
    dsl_mode: str = "coord"
    legacy: bool = False
    metrics: dict[str, float | None] = Field(default_factory=dict)
    """Every known metric (None = not measured) plus any unknown numeric ones."""

    @property
    def name(self) -> str:
        return self.id.rsplit("/", 1)[-1].removesuffix(".json")

    @property
    def is_finetuned(self) -> bool:
        lowered = self.name.lower()
        return any(tag in lowered for tag in ("ft", "finetune", "lora")) and "base" not in lowered
