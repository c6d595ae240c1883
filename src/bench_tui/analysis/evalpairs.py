"""Which eval reports belong together (FORMATS §7): base vs fine-tuned siblings, reports made
from a training run's checkpoints, and the LoRA gate settings (the gate itself is
`evaldelta.lora_gate`, shared with `bench-tui compare`). Pure functions, no Textual.

Upstream tells the two models of a pair apart only by file name (`ft`, `finetuned`, `lora` vs
`base`) and links reports to training by equal `config_path`; both are heuristics, so every
function here says what it matched on.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from bench_tui.analysis.evaldelta import (
    DEFAULT_GATE_METRIC,
    DEFAULT_GATE_THRESHOLD,
    Gate,
    lora_gate,
)
from bench_tui.model import Checkpoint, EvalReport, TrainingRun

Role = Literal["base", "finetuned", "other"]

GATE_METRIC_ENV = "BENCH_TUI_GATE_METRIC"
GATE_THRESHOLD_ENV = "BENCH_TUI_GATE_THRESHOLD"

_TAGS = frozenset({"ft", "finetuned", "finetune", "fine", "tuned", "lora", "base"})
_SPLIT = re.compile(r"[^a-z0-9]+")
# Names that say which checkpoint a report scored: epoch_3, epoch3, e3, checkpoint-60, ckpt60.
_EPOCH_IN_NAME = re.compile(r"(?:^|[^a-z0-9])(?:epoch[_-]?|e)(\d+)(?:$|[^a-z0-9])")
_STEP_IN_NAME = re.compile(r"(?:^|[^a-z0-9])(?:checkpoint|ckpt|step)[_-]?(\d+)(?:$|[^a-z0-9])")


@dataclass(frozen=True)
class GateSettings:
    metric: str = DEFAULT_GATE_METRIC
    threshold: float = DEFAULT_GATE_THRESHOLD
    note: str | None = None
    """Why a setting from the environment was not used (shown beside the gate)."""


def gate_settings(environ: Mapping[str, str] | None = None) -> GateSettings:
    """The LoRA gate from `BENCH_TUI_GATE_METRIC` / `BENCH_TUI_GATE_THRESHOLD` (the one place
    they are read); unusable values fall back to the defaults with a note."""
    env = os.environ if environ is None else environ
    metric = env.get(GATE_METRIC_ENV, "").strip() or DEFAULT_GATE_METRIC
    raw = env.get(GATE_THRESHOLD_ENV, "").strip()
    if not raw:
        return GateSettings(metric, DEFAULT_GATE_THRESHOLD)
    try:
        threshold = float(raw)
    except ValueError:
        threshold = float("nan")
    if threshold != threshold or threshold in (float("inf"), float("-inf")):
        note = f"{GATE_THRESHOLD_ENV}={raw!r} is not a number; using {DEFAULT_GATE_THRESHOLD:g}"
        return GateSettings(metric, DEFAULT_GATE_THRESHOLD, note)
    return GateSettings(metric, threshold)


def report_role(report: EvalReport) -> Role:
    if "base" in report.name.lower():
        return "base"
    if report.is_finetuned:
        return "finetuned"
    return "other"


def report_folder(report: EvalReport) -> str:
    return report.id.rsplit("/", 1)[0] if "/" in report.id else ""


def report_labels(reports: Sequence[EvalReport]) -> dict[str, str]:
    """Each report's shortest path suffix no other report ends with: its name where that is
    unique, else with as many parent folders as tell it apart (`v2/eval_tern3b_ft`)."""
    parts = {r.id: tuple(r.id.removesuffix(".json").split("/")) for r in reports}
    labels: dict[str, str] = {}
    depth = 1
    while len(labels) < len(parts):
        counts = Counter(path[-depth:] for path in parts.values())
        for key, path in parts.items():
            if key not in labels and (counts[path[-depth:]] == 1 or depth >= len(path)):
                labels[key] = "/".join(path[-depth:])
        depth += 1
    return labels


def name_stem(report: EvalReport) -> str:
    """The name without its role tags: `eval_tern3b_ft` and `eval_tern3b_base` share a stem."""
    words = [word for word in _SPLIT.split(report.name.lower()) if word and word not in _TAGS]
    return "_".join(words)


@dataclass(frozen=True)
class EvalPair:
    base: EvalReport
    finetuned: EvalReport
    matched_on: str
    """"name" (same stem), "only base in folder" or "config_path"."""


def pair_reports(reports: Sequence[EvalReport]) -> list[EvalPair]:
    """One pair per fine-tuned report that has a base sibling in its folder.

    The base is the sibling with the same name stem; else the folder's only base; else the
    only base with the same `config_path`. A fine-tuned report with no such base is unpaired.
    """
    pairs: list[EvalPair] = []
    for finetuned in reports:
        if report_role(finetuned) != "finetuned":
            continue
        folder = report_folder(finetuned)
        bases = [r for r in reports if report_role(r) == "base" and report_folder(r) == folder]
        same_stem = [r for r in bases if name_stem(r) == name_stem(finetuned)]
        same_config = [r for r in bases if r.config_path and r.config_path == finetuned.config_path]
        if len(same_stem) == 1:
            pairs.append(EvalPair(same_stem[0], finetuned, "name"))
        elif len(bases) == 1:
            pairs.append(EvalPair(bases[0], finetuned, "only base in folder"))
        elif len(same_config) == 1:
            pairs.append(EvalPair(same_config[0], finetuned, "config_path"))
    return pairs


# ----- training runs and checkpoints ----------------------------------------------------------


def reports_for_training(run: TrainingRun, reports: Sequence[EvalReport]) -> list[EvalReport]:
    """Reports made with the run's config (equal, non-empty `config_path`)."""
    if not run.config_path:
        return []
    return [r for r in reports if r.config_path == run.config_path]


@dataclass(frozen=True)
class CheckpointLink:
    label: str
    checkpoint: Checkpoint | None
    """None for the base-model and other-model rows."""
    reports: tuple[EvalReport, ...]
    assumed: bool = False
    """True when the report's name did not say which checkpoint it scored."""


def _named_checkpoint(report: EvalReport, checkpoints: Sequence[Checkpoint]) -> Checkpoint | None:
    name = report.name.lower()
    epoch = _EPOCH_IN_NAME.search(name)
    if epoch:
        for checkpoint in checkpoints:
            if checkpoint.epoch == int(epoch.group(1)):
                return checkpoint
    step = _STEP_IN_NAME.search(name)
    if step:
        for checkpoint in checkpoints:
            if checkpoint.name.lower().endswith(f"-{int(step.group(1))}"):
                return checkpoint
    return None


def link_checkpoints(run: TrainingRun, reports: Sequence[EvalReport]) -> list[CheckpointLink]:
    """Every checkpoint of the run with the reports made from it, then the base model's.

    A report naming a checkpoint (`_e2`, `epoch_2`, `checkpoint-60`) goes to that checkpoint; a
    fine-tuned report naming none is taken to be the latest valid checkpoint's (`assumed`);
    base reports go to a "base model" row and any other linked report to "other models".
    """
    linked = reports_for_training(run, reports)
    checkpoints = list(run.checkpoints)
    valid = [c for c in checkpoints if c.valid]
    latest = valid[-1] if valid else (checkpoints[-1] if checkpoints else None)
    by_checkpoint: dict[str, list[EvalReport]] = {c.path: [] for c in checkpoints}
    assumed: set[str] = set()
    base: list[EvalReport] = []
    other: list[EvalReport] = []
    for report in linked:
        named = _named_checkpoint(report, checkpoints)
        role = report_role(report)
        if named is not None:
            by_checkpoint[named.path].append(report)
        elif role == "base":
            base.append(report)
        elif role == "finetuned" and latest is not None:
            by_checkpoint[latest.path].append(report)
            assumed.add(latest.path)
        else:
            other.append(report)
    links = [
        CheckpointLink(c.name, c, tuple(by_checkpoint[c.path]), c.path in assumed)
        for c in checkpoints
    ]
    if base:
        links.append(CheckpointLink("base model", None, tuple(base)))
    if other:
        links.append(CheckpointLink("other models", None, tuple(other)))
    return links


def pair_gate(pair: EvalPair, settings: GateSettings) -> Gate:
    """The LoRA gate on one pair: fine-tuned (B) against base (A), as `compare` computes it."""
    return lora_gate(pair.base, pair.finetuned, settings.metric, settings.threshold)
