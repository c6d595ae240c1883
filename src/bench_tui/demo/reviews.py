"""A few reviewed checker verdicts in the demo, so that the Audit view and `audit` show something.

The labels go through the triage store like any person's, stamped with a fixed writer and times so
that two demos are byte-identical. A store holding nothing but these records is the demo's own: a
rewrite of the demo replaces it, while a store someone added to is kept like any user's labels.
"""

from __future__ import annotations

import calendar
import json
import os
from collections.abc import Iterator
from pathlib import Path

from bench_tui.demo.agents import plan_outcomes
from bench_tui.demo.benchmark import BASE_TRIAL_2, RUNS, RunSpec
from bench_tui.demo.tasks import TaskDef
from bench_tui.triage.labels import CHECKER_RIGHT, SHOULD_FAIL, SHOULD_PASS
from bench_tui.triage.store import STORE_FILE, TriageStore

DEMO_WRITER = "bench-tui demo"

SHOULD_PASS_NOTES = {
    "notepad": "The text is in the file; the checker read it before the save had finished.",
    "chrome": "The page shows the answer; the checker's URL match is stricter than the task asks.",
    "settings": "The final screen shows the setting on; the checker polled the registry too early.",
    "windows_calc": "The display shows the right result; the checker looked at the history pane.",
    "microsoft_paint": "The shape is on the canvas; the checker's pixel threshold misses thin lines.",
    "file_explorer": "The file is there under the new name; the checker looked in another folder.",
}
GENERIC_NOTE = "The final screen shows the task done; the checker looked at the wrong thing."
SHOULD_FAIL_NOTE = "Nothing was done in this run: a file left by an earlier task made it pass."


def reviewed_spec() -> RunSpec:
    return next(spec for spec in RUNS if spec.agent is BASE_TRIAL_2)


def _times(spec: RunSpec) -> Iterator[float]:
    """A day after the run started, one record a minute: fixed, so the store's bytes are too."""
    start = calendar.timegm(spec.started.timetuple()) + 86_400.0
    minute = 0
    while True:
        yield start + 60.0 * minute
        minute += 1


def write_reviews(results: Path, tasks: list[TaskDef]) -> list[str]:
    """Label a few tasks of the reviewed run (unless its folder already has a store: the user's,
    kept from an earlier demo). Returns the ids of the tasks whose verdict was overturned."""
    spec = reviewed_spec()
    run_dir = results / spec.name
    if (run_dir / ".bench-tui").exists():
        return []
    outcomes = plan_outcomes(tasks, spec.agent)
    failed = [task for task in tasks if outcomes[task.task_id].kind == "fail"]
    passed = [task for task in tasks if outcomes[task.task_id].kind == "pass"]
    times = _times(spec)
    store = TriageStore(run_dir, clock=lambda: next(times), writer=DEMO_WRITER)
    model = spec.agent.model_id
    overturned: list[str] = []
    for task in failed[:2]:
        store.add_label(model, task.task_id, SHOULD_PASS)
        store.set_note(model, task.task_id, SHOULD_PASS_NOTES.get(task.domain, GENERIC_NOTE))
        overturned.append(task.task_id)
    for task in passed[:1]:
        store.add_label(model, task.task_id, SHOULD_FAIL)
        store.set_note(model, task.task_id, SHOULD_FAIL_NOTE)
        overturned.append(task.task_id)
    for task, label in zip(failed[2:4], ("grounding miss", CHECKER_RIGHT), strict=False):
        store.add_label(model, task.task_id, label)
    return overturned


def is_demo_store(store_dir: Path) -> bool:
    """True when `store_dir` (a run's `.bench-tui/`) holds only records the demo wrote."""
    try:
        names = os.listdir(store_dir)
        if names != [STORE_FILE]:
            return False
        lines = (store_dir / STORE_FILE).read_bytes().splitlines()
    except OSError:
        return False
    for line in lines:
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return False
        if not isinstance(record, dict) or record.get("by") != DEMO_WRITER:
            return False
    return bool(lines)
