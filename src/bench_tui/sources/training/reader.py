"""Training output, eval reports and episode files as discovery sees them (base.Reader)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from bench_tui.sources.base import Claim, Finding, Reader, Walk
from bench_tui.sources.common import JsonDoc
from bench_tui.sources.training.episodes import looks_like_episode_file, read_episodes
from bench_tui.sources.training.evalreport import looks_like_eval_report, read_eval_report
from bench_tui.sources.training.predictions import episodes_from_predictions
from bench_tui.sources.training.training_log import read_training

LOG_NAME = "training_log.json"


def _job(directory: Path, walk: Walk) -> Iterator[Finding]:
    # read_training parses the file itself: it retries once, as the loop rewrites it in place.
    training = read_training(directory / LOG_NAME, walk.ctx)
    if training is not None:
        yield training
    yield from episodes_from_predictions(directory, walk.ctx)


def _folder(path: Path, names: frozenset[str], walk: Walk) -> Claim | None:
    if LOG_NAME not in names:
        return None
    # A job folder is not claimed: the walk goes on into it (checkpoints, episodes, ...).
    return Claim(found=_job(path, walk), walk_inside=True)


def _read_with_job(name: str) -> bool:
    """The log and the predictions files are read with their training job, never sniffed."""
    return name == LOG_NAME or name.startswith("predictions_")


def _eval_report(path: Path, doc: JsonDoc, walk: Walk) -> Iterable[Finding] | None:
    if not looks_like_eval_report(doc.data):
        return None
    report = read_eval_report(path, walk.ctx, doc)
    return () if report is None else (report,)


def _episode_file(path: Path, doc: JsonDoc, walk: Walk) -> Iterable[Finding] | None:
    if not looks_like_episode_file(doc.data):
        return None
    return read_episodes(path, walk.ctx, doc)


TRAINING_JOBS = Reader(name="training", folder=_folder, keeps_json=_read_with_job, cacheable=True)
EVAL_REPORTS = Reader(name="eval report", sniff_json=_eval_report)
EPISODE_FILES = Reader(name="episodes", sniff_json=_episode_file)
