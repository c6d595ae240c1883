"""The last line against huge strings: whatever a reader kept, runs and steps leave the readers
with no string longer than MAX_TEXT_CHARS. Readers of JSON cut their strings themselves (with the
line); this catches the rest (pickles, HTML renders, text files, trajectory lines)."""

from __future__ import annotations

from typing import Any

from bench_tui.model import Run, Step
from bench_tui.sources._io.limits import MAX_TEXT_CHARS, cut_text, text_cut_message
from bench_tui.sources.common import ReadContext


def _cut(owner: Any, name: str, what: str, ctx: ReadContext, path: str) -> None:
    text = getattr(owner, name)
    if isinstance(text, str) and len(text) > MAX_TEXT_CHARS:
        ctx.problem(path, text_cut_message(what, len(text)))
        setattr(owner, name, cut_text(text))


def cut_run_texts(run: Run, ctx: ReadContext) -> None:
    """Labels, task ids, instructions and errors of a run read from any format."""
    _cut(run, "label", "the run's label", ctx, run.path)
    for task in run.tasks:
        where = task.folder or run.path
        _cut(task, "task_id", "a task id", ctx, where)
        _cut(task, "domain", f"the domain of task {task.task_id}", ctx, where)
        _cut(task, "instruction", f"instruction of task {task.task_id}", ctx, where)
    for execution in run.executions:
        where = execution.source_path or run.path
        _cut(execution, "task_id", "a task id", ctx, where)
        _cut(execution, "model", "a model name", ctx, where)
        for name in ("error", "reason"):
            _cut(execution, name, f"{name} of task {execution.task_id}", ctx, where)


def cut_step_texts(steps: list[Step], ctx: ReadContext, path: str) -> None:
    """Reasoning, model output, logs, typed text and small extras of every step."""
    for step in steps:
        number = step.index + 1
        _cut(step, "reasoning", f"reasoning of step {number}", ctx, path)
        _cut(step, "raw_output", f"model output of step {number}", ctx, path)
        if any(len(line) > MAX_TEXT_CHARS for line in step.logs):
            longest = max(len(line) for line in step.logs)
            ctx.problem(path, text_cut_message(f"a log line of step {number}", longest))
            step.logs = [cut_text(line) for line in step.logs]
        for action in step.actions:
            for name in ("text", "answer", "element_name", "key"):
                _cut(action, name, f"the action's {name} in step {number}", ctx, path)
        for key, value in step.extra.items():
            if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
                ctx.problem(path, text_cut_message(f"'{key}' of step {number}", len(value)))
                step.extra[key] = cut_text(value)
