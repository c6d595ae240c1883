"""The `trainings` entries of `summary --json`."""

from __future__ import annotations

from typing import Any

from bench_tui.model import TrainingRun


def training_json(training: TrainingRun) -> dict[str, Any]:
    from bench_tui.analysis.training import summary_figures

    return {
        "id": training.id,
        "path": training.id,
        "model_name": training.model_name,
        **summary_figures(training),
    }
