"""Figures of a training run (DESIGN §9, FORMATS §8): pure functions, no I/O.

Epoch numbering differs by variant and everything here depends on it:
- custom loop: `epoch` is the 0-based index of the epoch in progress (0, 1, ...);
- TRL: `epoch` is progress in epochs, fractional (0.17 = 17% through the first epoch; 1.0 =
  the first epoch just finished).
Per-epoch keys below are 0-based epoch indexes in both cases.
"""

from __future__ import annotations

import math
from typing import TypedDict

from bench_tui.model import TrainingRun
from bench_tui.model.training import TrainingStatus

_EPOCH_TOLERANCE = 1e-9
"""TRL computes epoch = step / steps_per_epoch; 2.0000000001 still means "two epochs"."""
STALE_AFTER_S = 30.0
"""A run whose log has not changed for this long is STALE, not LIVE (upstream's 30 s)."""


def training_status(
    run: TrainingRun, now: float, stale_after_s: float = STALE_AFTER_S
) -> TrainingStatus:
    """DONE once the loop recorded how it ended; LIVE while the log keeps changing; else STALE
    (crashed, killed, or the machine is gone)."""
    if run.termination_status:
        return "DONE"
    if run.modified_at is not None and now - run.modified_at <= stale_after_s:
        return "LIVE"
    return "STALE"


def epoch_label(run: TrainingRun) -> str:
    """Custom loop: 0-based `epoch` shown as min(epoch+1, total)/total (FORMATS §8).
    TRL: fractional progress as logged."""
    if run.epoch is None:
        return "—"
    total = f"/{run.total_epochs}" if run.total_epochs else ""
    if run.variant == "trl":
        return f"{run.epoch:.2f}".rstrip("0").rstrip(".") + total
    current = math.floor(run.epoch) + 1
    if run.total_epochs:
        current = min(current, run.total_epochs)
    return f"{current}{total}"


def format_loss(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def epoch_index(run: TrainingRun, epoch: float) -> int:
    """0-based index of the epoch a logged `epoch` value belongs to."""
    if run.variant == "trl":
        # Progress 1.0 is logged by the step that completes the first epoch (index 0).
        return max(0, math.ceil(epoch - _EPOCH_TOLERANCE) - 1)
    return max(0, math.floor(epoch))


def epochs_covered(run: TrainingRun) -> int | None:
    """Number of epochs the log reaches into, a started epoch counting as one.

    Custom: the largest 0-based index + 1. TRL: the largest progress rounded up. Capped at
    `total_epochs`, because the custom loop leaves `epoch` one past the end when it finishes
    (upstream shows `min(epoch + 1, total_epochs)`).
    """
    epochs = [point.epoch for point in run.losses]
    if run.epoch is not None:
        epochs.append(run.epoch)
    if not epochs:
        return None
    top = max(epochs)
    trl = run.variant == "trl"
    covered = math.ceil(top - _EPOCH_TOLERANCE) if trl else math.floor(top) + 1
    if run.total_epochs is not None:
        covered = min(covered, run.total_epochs)
    return max(0, covered)


class TrainingFigures(TypedDict):
    steps: int | None
    epochs: int | None
    final_loss: float | None
    best_loss: float | None
    best_step: int | None


def summary_figures(run: TrainingRun) -> TrainingFigures:
    """`steps`, `epochs`, `final_loss`, `best_loss`, `best_step` as `summary --json` prints them
    (None where the log holds nothing to compute them from)."""
    steps = [point.step for point in run.losses]
    if run.step is not None:
        steps.append(run.step)
    final_loss = run.losses[-1].loss if run.losses else run.loss
    best_loss: float | None = run.loss
    best_step: int | None = run.step if run.loss is not None else None
    if run.losses:
        # The first step that reached the minimum: that is where the checkpoint worth keeping is.
        best = min(run.losses, key=lambda point: point.loss)
        best_loss, best_step = best.loss, best.step
    return {
        "steps": max(steps) if steps else None,
        "epochs": epochs_covered(run),
        "final_loss": final_loss,
        "best_loss": best_loss,
        "best_step": best_step,
    }


def per_epoch_mean_loss(run: TrainingRun) -> dict[int, float]:
    """Mean logged loss per 0-based epoch index, in epoch order."""
    sums: dict[int, list[float]] = {}
    for point in run.losses:
        sums.setdefault(epoch_index(run, point.epoch), []).append(point.loss)
    return {epoch: math.fsum(values) / len(values) for epoch, values in sorted(sums.items())}


def mean_step_time(run: TrainingRun) -> float | None:
    """Seconds per optimiser step.

    The mean difference of `time` between consecutive entries, divided by the steps between
    them: TRL logs every `logging_steps` steps, so a raw time difference would be 10 steps'
    worth. Pairs going backwards (a restarted job appending) are ignored. With fewer than two
    timed entries, falls back to elapsed time / step count.
    """
    timed = [(point.step, point.time) for point in run.losses if point.time is not None]
    seconds = 0.0
    steps = 0
    for (step_before, time_before), (step_after, time_after) in zip(timed, timed[1:], strict=False):
        if step_after > step_before and time_after >= time_before:
            seconds += time_after - time_before
            steps += step_after - step_before
    if steps > 0:
        return seconds / steps
    if run.elapsed_time is not None and run.step is not None and run.step > 0:
        return run.elapsed_time / run.step
    if timed and timed[-1][0] > 0:
        return timed[-1][1] / timed[-1][0]
    return None


def steps_per_epoch(run: TrainingRun) -> float | None:
    """Optimiser steps in one epoch, from what the log shows.

    TRL: step / progress of the latest entry (exact, and known before an epoch finishes).
    Custom: steps of the finished epochs / their number, known once epoch 1 has begun.
    """
    if run.variant == "trl":
        latest = _latest_step_and_epoch(run)
        if latest is None or latest[1] <= 0:
            return None
        return latest[0] / latest[1]
    if not run.losses:
        return None
    current = max(epoch_index(run, point.epoch) for point in run.losses)
    finished = [point.step for point in run.losses if epoch_index(run, point.epoch) < current]
    if not finished or current == 0:
        return None
    return max(finished) / current


def _latest_step_and_epoch(run: TrainingRun) -> tuple[int, float] | None:
    if run.step is not None and run.epoch is not None and run.epoch > 0:
        return run.step, run.epoch
    if run.losses:
        last = run.losses[-1]
        return last.step, last.epoch
    return None


def eta_seconds(run: TrainingRun) -> float | None:
    """(steps per epoch x total_epochs - logged steps) x step time; 0 once the run ended,
    None when any part is unknown."""
    if run.termination_status:
        return 0.0
    if run.total_epochs is None:
        return None
    per_epoch = steps_per_epoch(run)
    step_time = mean_step_time(run)
    logged = summary_figures(run)["steps"]
    if per_epoch is None or step_time is None or logged is None:
        return None
    remaining_steps = max(0.0, per_epoch * run.total_epochs - logged)
    return remaining_steps * step_time
