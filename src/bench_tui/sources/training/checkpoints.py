"""Checkpoint folders of a training job (FORMATS §8).

The custom loop saves `checkpoints/epoch_<N>/`, usually beside `training_output/`, sometimes
inside or beside the job folder; TRL saves HF `checkpoint-<step>/` and `final/` beside its log.
A folder without `adapter_config.json` is an interrupted save: kept, marked invalid.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from bench_tui.model import Checkpoint
from bench_tui.sources.common import ReadContext

_EPOCH_DIR = re.compile(r"epoch_(\d+)")
_HF_DIR = re.compile(r"checkpoint-(\d+)")
_FINAL_DIR = "final"
ADAPTER_FILE = "adapter_config.json"


def find_checkpoints(job_dir: Path, ctx: ReadContext) -> list[Checkpoint]:
    """Checkpoints of the job in `job_dir`: epochs by number, then HF steps, then `final`."""
    found: dict[str, Checkpoint] = {}
    for folder in _candidate_folders(job_dir, ctx):
        for checkpoint in _checkpoints_in(folder, ctx):
            # The same folder is reachable through `current` and through its own name.
            found.setdefault(os.path.realpath(checkpoint.path), checkpoint)
    return sorted(found.values(), key=_order)


def _candidate_folders(job_dir: Path, ctx: ReadContext) -> list[Path]:
    root = os.path.abspath(ctx.root)
    job = Path(os.path.abspath(job_dir))
    folders = [job]
    for level in (job, job.parent, job.parent.parent):
        # Never look above the folder the user opened: its neighbours are someone else's.
        if _inside(level, root):
            folders.append(level / "checkpoints")
    return folders


def _inside(path: Path, root: str) -> bool:
    try:
        return os.path.commonpath([os.fspath(path), root]) == root
    except ValueError:
        # Different drives on Windows: certainly not inside.
        return False


def _checkpoints_in(folder: Path, ctx: ReadContext) -> list[Checkpoint]:
    ctx.note_input(folder)  # listed, or missing: one made later holds checkpoints
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        ctx.problem(folder, f"cannot list checkpoints: {exc.strerror or exc}")
        return []
    checkpoints: list[Checkpoint] = []
    for entry in entries:
        name = entry.name
        epoch_match = _EPOCH_DIR.fullmatch(name)
        if not (epoch_match or _HF_DIR.fullmatch(name) or name == _FINAL_DIR):
            continue
        ctx.note_input(entry.path)  # a link to a folder: where it leads
        try:
            if not entry.is_dir():
                continue
        except OSError as exc:
            ctx.problem(entry.path, f"cannot read checkpoint folder: {exc.strerror or exc}")
            continue
        adapter = os.path.join(entry.path, ADAPTER_FILE)
        ctx.note_input(adapter)
        checkpoints.append(
            Checkpoint(
                name=name,
                path=os.path.abspath(entry.path),
                epoch=int(epoch_match.group(1)) if epoch_match else None,
                valid=os.path.isfile(adapter),
            )
        )
    return checkpoints


def _order(checkpoint: Checkpoint) -> tuple[int, int, str]:
    if checkpoint.epoch is not None:
        return (0, checkpoint.epoch, checkpoint.name)
    hf = _HF_DIR.fullmatch(checkpoint.name)
    if hf:
        return (1, int(hf.group(1)), checkpoint.name)
    return (2, 0, checkpoint.name)
