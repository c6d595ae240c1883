"""The one list of readers: discovery and step loading both go through it, in this order.

A new format is a new sub-package with a `base.Reader` and one line here. Folders are offered
to each reader's `folder` hook in this order (the first claim wins), sniffed JSON to each
`sniff_json` hook in this order, and a run's steps are loaded by the first reader that owns it.
"""

from __future__ import annotations

from bench_tui.sources.agentlab.reader import AGENTLAB
from bench_tui.sources.base import Reader
from bench_tui.sources.openadapt.reader import OPENADAPT_RUNS
from bench_tui.sources.openadapt_jsonl.reader import OPENADAPT_FULL_EVAL
from bench_tui.sources.osworld.reader import OSWORLD_EPISODES, OSWORLD_TASK_FILES
from bench_tui.sources.training.reader import EPISODE_FILES, EVAL_REPORTS, TRAINING_JOBS
from bench_tui.sources.webarena.reader import WEBARENA

READERS: tuple[Reader, ...] = (
    OPENADAPT_FULL_EVAL,
    OPENADAPT_RUNS,
    AGENTLAB,
    OSWORLD_EPISODES,
    WEBARENA,
    TRAINING_JOBS,
    EVAL_REPORTS,
    EPISODE_FILES,
    OSWORLD_TASK_FILES,
)
