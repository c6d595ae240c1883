"""Per-checkpoint predictions of a training job (`predictions_<name>.json`, FORMATS §9).

`base_data[i]` is a recorded step (screenshot + human action); `predictions[i]` is what the
checkpoint predicted for it, index-aligned. Three outcomes must stay apart on screen: a parsed
action, "parse error" (the model answered, unusably), and "no prediction" (nothing recorded).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from bench_tui.model import Action, Episode, EpisodeStep, Prediction
from bench_tui.model.ordering import checkpoint_order
from bench_tui.sources._io.limits import MAX_STEPS, STEPS_CUT
from bench_tui.sources._io.recorded_paths import file_name, inside, really_inside
from bench_tui.sources.common import ReadContext, json_type, read_json
from bench_tui.sources.jsonvalues import DocProblems, JsonPath, as_text
from bench_tui.sources.training.dsl import parse_dsl_action
from bench_tui.sources.training.episode_actions import plain_action

WHAT = "a predictions file (a JSON object with a 'base_data' list and a 'predictions' list)"
_FILE_NAME = re.compile(r"predictions_(.+)\.json", re.IGNORECASE)
_EPOCH_NAME = re.compile(r"epoch[_-]?(\d+)", re.IGNORECASE)


def looks_like_predictions(data: Any) -> bool:
    """FORMATS §3: an object with a `base_data` list."""
    return isinstance(data, dict) and isinstance(data.get("base_data"), list)


def checkpoint_label(file_name: str) -> str:
    """`predictions_epoch2.json` -> "Epoch 2", `predictions_preview.json` -> "Preview"."""
    match = _FILE_NAME.fullmatch(file_name)
    name = match.group(1) if match else file_name.removesuffix(".json")
    epoch = _EPOCH_NAME.fullmatch(name)
    if epoch:
        return f"Epoch {int(epoch.group(1))}"
    name = name.replace("_", " ").strip()
    return name[:1].upper() + name[1:] if name else "Predictions"


def read_predictions(
    path: Path, ctx: ReadContext
) -> tuple[str, list[dict[str, Any]], list[Prediction]] | None:
    """(checkpoint label, base_data rows, one Prediction per row), or None with a Problem.

    A row that is not an object is kept as `{}` so predictions stay aligned by position.
    """
    doc = read_json(path, ctx, what=WHAT)
    if doc is None:
        return None
    data = doc.data
    if not looks_like_predictions(data):
        kind = "an object without a 'base_data' list" if isinstance(data, dict) else json_type(data)
        ctx.problem(path, f"expected {WHAT}, got {kind}", line=1)
        return None
    problems = DocProblems(doc, ctx)
    base_data = data["base_data"]
    if len(base_data) > MAX_STEPS:
        problems.add(["base_data"], STEPS_CUT)
        base_data = base_data[:MAX_STEPS]
    rows: list[dict[str, Any]] = []
    for index, row in enumerate(base_data):
        where: list[str | int] = ["base_data", index]
        if isinstance(row, dict):
            # Read once with reporting so wrong types are located; the Episode built later
            # reads the same rows quietly.
            plain_action(row.get("human_action"), problems, [*where, "human_action"])
            problems.text(row, "image_path", where)
            rows.append(row)
        else:
            problems.add(
                where, f"step {index} unreadable: expected an object, got a JSON {json_type(row)}"
            )
            rows.append({})
    predictions = _read_predictions(data, len(data["base_data"]), problems)
    problems.finish()
    return checkpoint_label(path.name), rows, predictions


def _read_predictions(data: dict[str, Any], count: int, problems: DocProblems) -> list[Prediction]:
    """One per base_data step (`count` of them; the first MAX_STEPS): missing ones are none."""
    entries = data.get("predictions")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        problems.wrong(["predictions"], "a list of predictions", entries)
        entries = []
    if len(entries) != count:
        problems.add(
            ["predictions"],
            f"{len(entries)} predictions for {count} base_data steps: expected one per step "
            "(missing ones show as no prediction, extra ones are ignored)",
        )
    return [
        _prediction(entries[index], ["predictions", index], problems)
        if index < len(entries)
        else Prediction()
        for index in range(min(count, MAX_STEPS))
    ]


def _prediction(entry: Any, where: JsonPath, problems: DocProblems) -> Prediction:
    if not isinstance(entry, dict):
        problems.add(
            where, f"prediction unreadable: expected an object, got a JSON {json_type(entry)}"
        )
        return Prediction()
    match = problems.flag(entry, "match", where)
    predicted = entry.get("predicted_action")
    if predicted is None:
        return Prediction(match=match)
    if isinstance(predicted, str):
        # A bare string can only be the raw model output: read it like a `predicted` one.
        return _from_raw_output(predicted, match, None)
    if not isinstance(predicted, dict):
        problems.wrong([*where, "predicted_action"], "an action object or null", predicted)
        return Prediction(match=match)
    action_path = [*where, "predicted_action"]
    raw_output = problems.text(predicted, "raw_output", action_path)
    kind = as_text(predicted.get("type"))
    error = as_text(predicted.get("error")) or as_text(entry.get("error"))
    if kind == "error" or error:
        return Prediction(
            raw_output=raw_output,
            parse_error=error or "the model call failed (no error message recorded)",
            match=match,
        )
    action: Action | None = None
    if kind not in (None, "predicted"):
        action = plain_action(predicted, problems, action_path)
    if action is not None:
        return Prediction(action=action, raw_output=raw_output, match=match)
    return _from_raw_output(raw_output, match, kind)


def _from_raw_output(raw_output: str | None, match: bool | None, kind: str | None) -> Prediction:
    if raw_output:
        action = parse_dsl_action(raw_output)
        if action is not None:
            return Prediction(action=action, raw_output=raw_output, match=match)
        return Prediction(
            raw_output=raw_output,
            parse_error="could not read an action in the model output",
            match=match,
        )
    what = f"a '{kind}' prediction" if kind else "the prediction"
    return Prediction(
        parse_error=f"{what} has neither coordinates nor model output to read", match=match
    )


def episodes_from_predictions(
    job_dir: Path, ctx: ReadContext, *, instruction: str | None = None
) -> list[Episode]:
    """One Episode for a training job folder with `predictions_*.json` files (else []).

    Steps come from the latest checkpoint's `base_data` (all files should hold the same rows;
    when they differ it is a Problem and predictions align by position). `instruction` is for
    the caller that knows the job's goal from its training log.
    """
    readings: list[tuple[Path, tuple[str, list[dict[str, Any]], list[Prediction]]]] = []
    for file in _prediction_files(job_dir, ctx):
        reading = read_predictions(file, ctx)
        if reading is not None:
            readings.append((file, reading))
    if not readings:
        return []
    readings.sort(key=lambda pair: checkpoint_order(pair[1][0]))
    latest_path, (_, rows, _) = readings[-1]
    within = ctx.boundary_of(job_dir)
    steps = [_step(index, row, job_dir, within, ctx) for index, row in enumerate(rows)]
    predictions: dict[str, list[Prediction]] = {}
    label_files: dict[str, Path] = {}
    for file, (label, other_rows, other_predictions) in readings:
        if label in label_files:
            ctx.problem(file, f"same checkpoint ({label}) as {label_files[label].name}: ignored")
            continue
        label_files[label] = file
        if len(other_rows) != len(rows):
            ctx.problem(
                file,
                f"{len(other_rows)} base_data steps where {latest_path.name} has {len(rows)}: "
                "predictions are aligned by position",
            )
        aligned = other_predictions[: len(rows)]
        aligned += [Prediction() for _ in range(len(rows) - len(aligned))]
        predictions[label] = aligned
    return [
        Episode(
            id=ctx.rel(job_dir),
            path=os.path.abspath(job_dir),
            episode_id=job_dir.name,
            instruction=instruction,
            source="human",
            steps=steps,
            predictions=predictions,
        )
    ]


def _prediction_files(job_dir: Path, ctx: ReadContext) -> list[Path]:
    ctx.note_input(job_dir)
    try:
        entries = list(os.scandir(job_dir))
    except OSError as exc:
        ctx.problem(job_dir, f"cannot list the training job folder: {exc.strerror or exc}")
        return []
    files: list[Path] = []
    for entry in entries:
        if not _FILE_NAME.fullmatch(entry.name):
            continue
        ctx.note_input(entry.path)  # a link: whether it leads to a file
        try:
            is_file = entry.is_file()
        except OSError as exc:
            ctx.problem(entry.path, f"cannot read: {exc.strerror or exc}")
            continue
        if is_file:
            files.append(Path(entry.path))
    return sorted(files)


def _step(
    index: int, row: dict[str, Any], job_dir: Path, within: str | None, ctx: ReadContext
) -> EpisodeStep:
    human = plain_action(row.get("human_action"))
    return EpisodeStep(
        index=index,
        screenshot=_screenshot(job_dir, as_text(row.get("image_path")), within, ctx),
        # A row without a usable human action still holds a screenshot worth showing.
        action=human if human is not None else Action(type="other", raw=row.get("human_action")),
        # `time` in base_data is the step index, not seconds (FORMATS §9): no timestamp.
        timestamp=None,
    )


def _screenshot(
    job_dir: Path, text: str | None, within: str | None, ctx: ReadContext
) -> str | None:
    """The given path when it exists inside the job folder, else `<job_dir>/screenshots/
    <basename>`: the paths are often from the training machine. Never a file outside.
    The places looked at are noted: which one is shown depends on what is there."""
    if not text:
        return None
    given = inside(job_dir, text, job_dir)
    if given is not None:
        ctx.note_input(given)
    if given is not None and os.path.isfile(given):
        return os.path.abspath(given) if really_inside(given, within) else None
    # Windows-recorded names use backslashes; either separator ends the folder part.
    basename = file_name(text)
    if not basename:
        return os.path.abspath(given) if given is not None else None
    local = job_dir / "screenshots" / basename
    ctx.note_input(job_dir / "screenshots")  # a link leading out of the job folder
    ctx.note_input(local)
    return os.path.abspath(local) if really_inside(local, within) else None
