"""Deep links: `RUN[/TASK[/STEP]]` targets (DESIGN §10 "serve", "Step numbers"), resolved against
the runs discovery has listed, and the links a task page hands out.

A run id is a path with `/` (as `summary --json` prints it), so a target is read by matching the
longest known run id, then a task id of that run, then a 1-based step number. What cannot be found
leads to the nearest page that exists, with a sentence saying what was missing.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from bench_tui.model import Run
from bench_tui.safetext import visible

SERVE_URL_ENV = "BENCH_TUI_SERVE_URL"
"""Set by `serve` for the app processes it starts: the URL a browser opens (token included)."""

ROOT_RUN = "."
"""The id of a run that is the scanned folder itself."""


@dataclass(frozen=True)
class Goto:
    """Where a target leads: the run list (run None), a run page, or a task page at a step."""

    run: Run | None
    task_id: str | None = None
    model: str | None = None
    step: int | None = None
    """1-based, as asked; the task page clamps it to the steps it loads."""
    notices: tuple[str, ...] = ()


def shown(value: str) -> str:
    """An id quoted in a notice: data, on one line."""
    return visible(value, one_line=True)


def _match_run(target: str, runs: Sequence[Run]) -> tuple[Run, str] | None:
    """The run with the longest id that `target` starts with, and what follows it."""
    best: Run | None = None
    for run in runs:
        if (target == run.id or target.startswith(run.id + "/")) and (
            best is None or len(run.id) > len(best.id)
        ):
            best = run
    if best is None:
        # A run that is the scanned folder itself: its tasks may be named without the "./".
        best = next((run for run in runs if run.id == ROOT_RUN), None)
        return (best, target) if best is not None else None
    return best, target[len(best.id) + 1 :]


def _model_for(run: Run, task_id: str) -> str | None:
    """The first model (in the run page's order: first seen in the run) that ran the task."""
    ran = {e.model for e in run.executions if e.task_id == task_id}
    return next((e.model for e in run.executions if e.model in ran), None)


def resolve_goto(target: str, runs: Sequence[Run], *, final: bool) -> Goto | None:
    """Where `target` leads among `runs`, or None while it cannot be told yet.

    `final` is False while discovery still streams runs in: a target naming no listed run, or a
    task its run does not have (a run with a longer id may still come), waits. Once `final`, the
    nearest existing page is the answer.
    """
    target = target.strip().strip("/")
    matched = _match_run(target, runs)
    if matched is None:
        if not final:
            return None
        return Goto(None, notices=(f"goto: run {shown(target)} not found; showing the run list",))
    run, rest = matched
    if not rest:
        return Goto(run)
    task_ids = {task.task_id for task in run.tasks}
    task_id, step_text = rest, None
    if rest not in task_ids:
        head, _, tail = rest.rpartition("/")
        if head in task_ids:
            task_id, step_text = head, tail
        elif not final:
            return None
        else:
            what = shown(head if tail.isdigit() and head else rest)
            return Goto(
                run,
                notices=(f"goto: task {what} not found in run {shown(run.id)}; showing the run",),
            )
    notices: list[str] = []
    step: int | None = None
    if step_text is not None:
        if step_text.isdigit() and int(step_text) >= 1:
            step = int(step_text)
        else:
            notices.append(
                f"goto: step {shown(step_text)} is not a step number (1, 2, …); showing step 1"
            )
    return Goto(run, task_id, _model_for(run, task_id), step, tuple(notices))


def goto_target(run_id: str, task_id: str | None = None, step: int | None = None) -> str:
    """`RUN[/TASK[/STEP]]` for a page; `step` is 1-based."""
    parts = [run_id] + ([task_id] if task_id is not None else [])
    if task_id is not None and step is not None:
        parts.append(str(step))
    return "/".join(parts)


def command_link(target: str, directory: str) -> str:
    """The command that opens `target` in a terminal. Control characters are made visible: the
    text goes to a clipboard and a shell, where they would act."""
    return (
        f"bench-tui --goto {shlex.quote(visible(target, one_line=True))} "
        f"{shlex.quote(visible(directory, one_line=True))}"
    )


def url_link(base_url: str, target: str) -> str:
    """The served URL with `goto=` added (percent-encoded: nothing in it acts anywhere)."""
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}goto={quote(target, safe='/')}"


def step_notice(step: int, count: int) -> str | None:
    """What a task page says when a link's step is past the task's last step."""
    if step <= count:
        return None
    if count == 0:
        return f"goto: step {step} not found, this execution recorded no steps"
    return f"goto: step {step} not found, the task has {count} steps; showing step {count}"


@dataclass(frozen=True)
class TaskLinks:
    command: str
    url: str | None
    """Only when served (`SERVE_URL_ENV` set)."""

    @property
    def best(self) -> str:
        """What a copy key copies: the URL where there is one (a browser session)."""
        return self.url or self.command


def task_links(
    run_id: str, task_id: str, step: int | None, directory: str, served_url: str | None
) -> TaskLinks:
    target = goto_target(run_id, task_id, step)
    return TaskLinks(
        command_link(target, directory),
        url_link(served_url, target) if served_url else None,
    )
