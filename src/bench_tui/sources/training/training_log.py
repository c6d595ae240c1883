"""OpenAdapt training output (FORMATS §8): `training_log.json`, custom loop or TRL variant.

The log is rewritten in place every step, so a failed parse is retried once before it becomes
a Problem. Checkpoint folders are found by their files (see `checkpoints.py`).
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from bench_tui.model import LossPoint, TrainingAction, TrainingEvaluation, TrainingRun
from bench_tui.sources._io.ranges import (
    AT_LEAST_ZERO,
    COUNT,
    EPOCH,
    SECONDS,
    TRAINING_STEP,
    Range,
)
from bench_tui.sources.common import JsonDoc, ReadContext, json_type, read_json
from bench_tui.sources.jsonvalues import DocProblems, as_number, as_whole
from bench_tui.sources.training.checkpoints import find_checkpoints

WHAT = "a training log (a JSON object with a 'losses' list)"
EPOCH_TOTAL = Range(-math.inf, EPOCH.high, "a number of epochs up to 1000000")
"""Zero or less is a placeholder for "unknown" (see _total_epochs), not an impossible value."""

RETRY_DELAY_S = 0.05
"""Pause before re-reading a log that failed to parse: long enough for the writer to finish."""

# Keys only the custom loop writes; TRL's callback writes none of them.
_CUSTOM_ONLY_KEYS = (
    "job_id",
    "started_at",
    "termination_status",
    "evaluations",
    "samples_seen",
    "total_steps",
    "hostname",
    "capture_path",
)


def looks_like_training_log(data: Any) -> bool:
    """FORMATS §3: an object holding a `losses` list."""
    return isinstance(data, dict) and isinstance(data.get("losses"), list)


def read_training(
    log_path: Path,
    ctx: ReadContext,
    doc: JsonDoc | None = None,
    *,
    retry_delay_s: float = RETRY_DELAY_S,
) -> TrainingRun | None:
    """The run logged at `log_path` (None with a Problem when the file is not a JSON object)."""
    if doc is None:
        doc = _read_with_retry(log_path, ctx, retry_delay_s)
        if doc is None:
            return None
    data = doc.data
    if not isinstance(data, dict):
        ctx.problem(log_path, f"expected {WHAT}, got a JSON {json_type(data)}", line=1)
        return None
    problems = DocProblems(doc, ctx)
    if not isinstance(data.get("losses"), list):
        if "losses" in data:
            problems.wrong(["losses"], "a list of loss entries", data["losses"])
        else:
            ctx.problem(log_path, f"no 'losses' list: expected {WHAT}", line=1)

    losses = _read_losses(data, problems)
    job_dir = log_path.parent
    variant = _variant(data, losses)
    total_epochs = _total_epochs(data, problems)
    run = TrainingRun(
        id=ctx.rel(job_dir),
        path=os.path.abspath(job_dir),
        log_path=os.path.abspath(log_path),
        variant=variant,
        job_id=problems.text(data, "job_id", []),
        model_name=problems.text(data, "model_name", []),
        config_path=problems.text(data, "config_path", []),
        goal=problems.text(data, "goal", []),
        hostname=problems.text(data, "hostname", []),
        started_at=_started_at(data, problems),
        epoch=problems.number(data, "epoch", [], EPOCH),
        step=problems.whole(data, "step", [], TRAINING_STEP),
        total_epochs=total_epochs,
        loss=problems.number(data, "loss", []),
        learning_rate=problems.number(data, "learning_rate", [], AT_LEAST_ZERO),
        elapsed_time=problems.number(data, "elapsed_time", [], SECONDS),
        losses=losses,
        evaluations=_read_evaluations(data, problems),
        checkpoints=find_checkpoints(job_dir, ctx),
        termination_status=_termination_status(data, problems),
        termination_message=problems.text(data, "termination_message", []) or None,
        modified_at=_mtime(log_path),
    )
    problems.finish()
    return run


def _read_with_retry(log_path: Path, ctx: ReadContext, delay_s: float) -> JsonDoc | None:
    # First attempt into a scratch context: a half-written file is expected now and then and
    # is only worth a Problem if it is still broken on the second read.
    ctx.note_input(log_path)  # the scratch context notes nothing
    scratch = ReadContext(root=ctx.root)
    doc = read_json(log_path, scratch, what=WHAT)
    if doc is not None:
        return doc
    _wait_for_writer(delay_s)
    return read_json(log_path, ctx, what=WHAT)


def _wait_for_writer(delay_s: float) -> None:
    if delay_s > 0:
        time.sleep(delay_s)


def _read_losses(data: dict[str, Any], problems: DocProblems) -> list[LossPoint]:
    entries = data.get("losses")
    if not isinstance(entries, list):
        return []
    points: list[LossPoint] = []
    for index, entry in enumerate(entries):
        point, reason = _loss_point(entry)
        if point is None:
            problems.add(["losses", index], f"loss entry {index} skipped: {reason}")
        else:
            points.append(point)
    return points


def _loss_point(entry: Any) -> tuple[LossPoint | None, str]:
    """A LossPoint, or None and what was expected (one sentence for the Problem)."""
    if not isinstance(entry, dict):
        return None, f"expected an object with epoch, step and loss, got a JSON {json_type(entry)}"
    epoch = as_number(entry.get("epoch"))
    step = as_whole(entry.get("step"))
    loss = as_number(entry.get("loss"))
    wrong: list[str] = []
    if epoch is None or not EPOCH.holds(epoch):
        wrong.append(f"'epoch' as {EPOCH.expected}")
    if step is None or not TRAINING_STEP.holds(step):
        wrong.append(f"'step' as {TRAINING_STEP.expected}")
    if loss is None:
        wrong.append("'loss' as a finite number")
    if wrong or epoch is None or step is None or loss is None:
        return None, "expected " + _listing(wrong)
    optional_wrong = [
        f"'{key}' as {within.expected}"
        for key, within in (("lr", AT_LEAST_ZERO), ("time", SECONDS))
        if entry.get(key) is not None and not _number_within(entry.get(key), within)
    ]
    if optional_wrong:
        return None, "expected " + _listing(optional_wrong)
    # Every field was checked above: skip pydantic's validation, which dominated reading a
    # long log (one entry per step).
    return (
        LossPoint.model_construct(
            epoch=epoch,
            step=step,
            loss=loss,
            lr=as_number(entry.get("lr")),
            time=as_number(entry.get("time")),
        ),
        "",
    )


def _number_within(value: Any, within: Range) -> bool:
    number = as_number(value)
    return number is not None and within.holds(number)


def _listing(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _read_evaluations(data: dict[str, Any], problems: DocProblems) -> list[TrainingEvaluation]:
    entries = data.get("evaluations")
    if entries is None:
        return []
    if not isinstance(entries, list):
        problems.wrong(["evaluations"], "a list of evaluation entries", entries)
        return []
    evaluations: list[TrainingEvaluation] = []
    for index, entry in enumerate(entries):
        path: list[str | int] = ["evaluations", index]
        epoch = as_number(entry.get("epoch")) if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or epoch is None or not EPOCH.holds(epoch):
            problems.add(
                path,
                f"evaluation entry {index} skipped: expected an object with 'epoch' as "
                f"{EPOCH.expected}",
            )
            continue
        evaluations.append(
            TrainingEvaluation(
                epoch=epoch,
                sample_idx=problems.whole(entry, "sample_idx", path, COUNT),
                image_path=problems.text(entry, "image_path", path),
                human_action=_training_action(entry, "human_action", path, problems),
                predicted_action=_training_action(entry, "predicted_action", path, problems),
                distance=problems.number(entry, "distance", path, AT_LEAST_ZERO),
                # Kept as logged and named so: upstream compared a norm distance with 50, so it
                # is nearly always true. The app recomputes a hit from `distance`.
                correct_as_logged=problems.flag(entry, "correct", path),
            )
        )
    return evaluations


def _training_action(
    entry: dict[str, Any], key: str, path: list[str | int], problems: DocProblems
) -> TrainingAction | None:
    action = problems.obj(entry, key, path)
    if action is None:
        return None
    where = [*path, key]
    return TrainingAction(
        type=problems.text(action, "type", where),
        x=problems.number(action, "x", where),
        y=problems.number(action, "y", where),
        text=problems.text(action, "text", where),
        raw_output=problems.text(action, "raw_output", where),
    )


def _variant(data: dict[str, Any], losses: list[LossPoint]) -> Literal["custom", "trl"]:
    # Fractional epochs only come from TRL; without them, the custom loop is recognised by the
    # bookkeeping keys TRL never writes. A bare log with neither is read as TRL, whose epoch
    # counts progress rather than naming a 0-based epoch.
    top_epoch = as_number(data.get("epoch"))
    if any(not point.epoch.is_integer() for point in losses) or (
        top_epoch is not None and not top_epoch.is_integer()
    ):
        return "trl"
    if any(key in data for key in _CUSTOM_ONLY_KEYS):
        return "custom"
    return "trl"


def _total_epochs(data: dict[str, Any], problems: DocProblems) -> int | None:
    value = problems.number(data, "total_epochs", [], EPOCH_TOTAL)
    # Zero or negative totals are placeholders (unknown), not "no epochs": dividing by them or
    # showing "epoch 1/0" helps nobody. A fractional total (TRL allows 1.5) counts the started
    # epoch, like the epoch count of the summary.
    if value is None or value <= 0:
        return None
    return math.ceil(value)


def _termination_status(data: dict[str, Any], problems: DocProblems) -> str | None:
    status = problems.text(data, "termination_status", [])
    if status:
        return status
    # The stub provider writes `status` instead: `training` while running, else how it ended.
    stub = problems.text(data, "status", [])
    if stub and stub != "training":
        return stub
    return None


def _started_at(data: dict[str, Any], problems: DocProblems) -> datetime | None:
    text = problems.text(data, "started_at", [])
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        problems.wrong(["started_at"], "an ISO date and time", text)
        return None


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        # The log was readable a moment ago; without a time the run shows as STALE, not LIVE.
        return None


# ----- following a log that is still being written ---------------------------------------------


@dataclass(frozen=True)
class LogCheck:
    """One look at the log of a run a page shows."""

    stamp: tuple[int, int] | None
    """(mtime ns, size) now; None when the log cannot be stat'ed."""
    changed: bool
    """It changed since the stamp the page had, so it was read again."""
    run: TrainingRun | None = None
    """The new reading when it changed; None also when it could not be read right now."""


def log_stamp(path: str) -> tuple[int, int] | None:
    """(mtime ns, size): a rewrite in place changes at least one of them."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def check_log(run: TrainingRun, root: Path, previous: tuple[int, int] | None) -> LogCheck:
    """Stat the run's log and read it again only when it changed since `previous` (None: not
    looked at yet, when an mtime equal to the one `run` was read at means unchanged)."""
    stamp = log_stamp(run.log_path)
    if stamp is None or stamp == previous:
        return LogCheck(stamp, changed=False)
    read_at = run.modified_at
    if previous is None and read_at is not None and abs(stamp[0] / 1e9 - read_at) < 1e-6:
        return LogCheck(stamp, changed=False)  # unchanged since discovery read it
    return LogCheck(
        stamp, changed=True, run=read_training(Path(run.log_path), ReadContext(root=root))
    )
