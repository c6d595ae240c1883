"""An OpenAdapt execution.json at index time: the outcome first, everything after it checked later.

The outcome members (success, score, …) come before a `steps` list that is nearly all of the
file. Listing reads only the outcome; the steps, each step record and each screenshot are
checked by `run_checks`: at once by the command line, after the list is up in the app. Both
follow one rule, so `summary` and the app show the same figures and the same Problems:

1. the members before "steps" in the first HEAD_BYTES, when they hold every outcome key;
2. else the whole document, when it parses as an object;
3. else the members before "steps" in the whole text (a file cut short after its outcome);
4. else no verdict.
"""

from __future__ import annotations

import os
from typing import Any

from bench_tui.safeio import read_head
from bench_tui.safetext import display_path
from bench_tui.sources._io.images import ShotChecker
from bench_tui.sources._io.json_head import HEAD_BYTES, decode_prefix, object_head
from bench_tui.sources._io.limits import MAX_STEPS, STEPS_CUT
from bench_tui.sources._io.recorded_paths import LEAVES_RUN, file_name, inside, is_absolute
from bench_tui.sources.base import PendingChecks, PendingImage
from bench_tui.sources.common import (
    FieldReader,
    JsonDoc,
    ReadContext,
    decode_text,
    json_type,
    parse_json_text,
    read_json_object,
    read_raw,
    read_text,
)

EXECUTION_WHAT = "an execution record (JSON object)"
OUTCOME_KEYS = frozenset(
    {
        "task_id",
        "model_id",
        "success",
        "score",
        "num_steps",
        "total_time_seconds",
        "error",
        "reason",
        "error_type",
    }
)
"""Every key the listing reads; a head missing one of them is read in full (older writers)."""


def _outcome_members(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    head = object_head(text, "steps")
    return head if head is not None and head.keys() >= OUTCOME_KEYS else None


def _read_prefix(path: str, within: str | None) -> tuple[bool, str | None]:
    """(whether the file exists, the text of its first HEAD_BYTES when that can be had)."""
    try:
        raw = read_head(path, HEAD_BYTES, within)
    except FileNotFoundError:
        return False, None
    except (OSError, ValueError):  # ValueError: a NUL byte in the path
        return True, None  # the full read reports why (a FIFO, a link out of the folder, …)
    return True, decode_prefix(raw)


def read_outcome(
    path: str, ctx: ReadContext, checks: PendingChecks, *, whole: bool = False
) -> JsonDoc | None:
    """The JSON the outcome is read from (see the module's rule); None when absent or unreadable.

    A file whose outcome came from its head goes to `checks.executions`; a file read whole has
    its step records checked here and its screenshots go to `checks.screenshots`. The command
    line runs the checks at once, the app after listing: one rule either way.

    `whole` (the command line): every file is read whole and checked here, its screenshots
    going to `checks.screenshots`; the outcome still comes from its head by the same rule.
    """
    ctx.note_input(path)
    if whole:
        return _read_whole(path, ctx, checks)
    exists, prefix = _read_prefix(path, ctx.within)
    if not exists:
        return None
    members = _outcome_members(prefix)
    if members is not None:
        checks.executions.append(path)
        return JsonDoc(path, prefix or "", members)
    text = read_text(path, ctx, what=EXECUTION_WHAT, missing_ok=True)
    if text is None:
        return None  # rule 1 already failed on its head
    doc = parse_json_text(text, path, ctx, EXECUTION_WHAT)
    if doc is not None:
        if isinstance(doc.data, dict):
            check_steps(doc, ctx, checks.screenshots)
            return doc
        ctx.problem(path, f"expected {EXECUTION_WHAT}, got a JSON {json_type(doc.data)}", 1)
    members = _outcome_members(text)
    return JsonDoc(path, text, members) if members is not None else None


def _read_whole(path: str, ctx: ReadContext, checks: PendingChecks) -> JsonDoc | None:
    """`read_outcome` then `_check_execution` from one read of the file: the same verdict and
    Problems with one open and one read fewer per task."""
    reported = len(ctx.problems)
    raw = read_raw(path, ctx, what=EXECUTION_WHAT, missing_ok=True)
    if raw is None:
        if len(ctx.problems) == reported:
            return None  # missing
        # Refused with its Problem: a file over the size limit may still hold a verdict (rule 1).
        prefix = _read_prefix(path, ctx.within)[1]
        members = _outcome_members(prefix)
        return None if members is None else JsonDoc(path, prefix or "", members)
    prefix = decode_prefix(raw[:HEAD_BYTES])
    members = _outcome_members(prefix)
    text = decode_text(raw, path, ctx, EXECUTION_WHAT)
    doc = None if text is None else parse_json_text(text, path, ctx, EXECUTION_WHAT)
    if doc is not None and not isinstance(doc.data, dict):
        ctx.problem(path, f"expected {EXECUTION_WHAT}, got a JSON {json_type(doc.data)}", 1)
        doc = None
    if doc is not None:
        check_steps(doc, ctx, checks.screenshots)
    if members is not None:
        return JsonDoc(path, prefix, members)
    if doc is not None or text is None:
        return doc
    members = _outcome_members(text)
    return JsonDoc(path, text, members) if members is not None else None


def run_folder_of(task_dir: str) -> str:
    """`<run>/tasks/<task>` -> `<run>`: the folder a task's recorded paths must stay in."""
    return os.path.dirname(os.path.dirname(task_dir))


def recorded_shot(task_dir: str, recorded: str) -> str | None:
    """Where a step's `screenshot_path` (relative to the task folder) points in this run; None
    when it leaves the run folder and its file name is not in the task's screenshots/ either
    (an absolute path is only ever used that way: it was recorded on another machine)."""
    if ".." not in recorded and not is_absolute(recorded):
        # Plain strings, not Path objects: this runs for every screenshot of every task.
        return f"{task_dir}/{recorded}"
    shot = inside(task_dir, recorded, run_folder_of(task_dir))
    if shot is not None:
        return shot
    local = f"{task_dir}/screenshots/{file_name(recorded)}"
    try:
        return local if os.path.exists(local) else None
    except ValueError:  # a NUL byte in the recorded name
        return None


def check_steps(doc: JsonDoc, ctx: ReadContext, pending: list[PendingImage]) -> None:
    """Each step record must be an object; its screenshot is queued for `run_checks`."""
    folder = os.path.dirname(os.fspath(doc.path))
    execution = os.fspath(doc.path)
    records = FieldReader(doc, doc.data, ctx).list("steps")
    if len(records) > MAX_STEPS:
        # The step view shows no more; checking the screenshots of the rest would take minutes.
        ctx.problem(doc.path, STEPS_CUT, doc.line_of("steps"))
        records = records[:MAX_STEPS]
    for number, step in enumerate(records):
        if not isinstance(step, dict):
            ctx.problem(
                doc.path, f"expected an object for step {number}, got {type(step).__name__}"
            )
            continue
        relative = step.get("screenshot_path")
        if not isinstance(relative, str) or not relative:
            continue
        shot = recorded_shot(folder, relative)
        if shot is None:
            shown = display_path(relative)
            ctx.problem(doc.path, f"{LEAVES_RUN}: {shown} (step {number}): not read")
            continue
        pending.append((shot, step.get("step_idx", number), execution))


def _check_execution(path: str, ctx: ReadContext, pending: list[PendingImage]) -> None:
    """The whole of a file whose outcome was read from its head."""
    doc = read_json_object(path, ctx, what=EXECUTION_WHAT)
    if doc is not None:
        check_steps(doc, ctx, pending)


def run_checks(checks: PendingChecks, ctx: ReadContext) -> None:
    """Everything listing left unread, as Problems on `ctx`."""
    pending: list[PendingImage] = []
    for path in checks.executions:
        _check_execution(path, ctx, pending)
    # One tight loop after the JSON (a thread pool was 2x slower: the checks are too small to
    # win back the GIL hand-offs).
    run_of: dict[str, str | None] = {}
    with ShotChecker("the run folder") as checker:
        for shot, step_number, execution in (*checks.screenshots, *pending):
            if execution not in run_of:
                run_of[execution] = ctx.boundary_of(run_folder_of(os.path.dirname(execution)))
            ctx.note_input(shot)
            reason = checker.problem(shot, run_of[execution])
            if reason is not None:
                ctx.problem(shot, f"{reason} (step {step_number} of {ctx.rel(execution)})")
