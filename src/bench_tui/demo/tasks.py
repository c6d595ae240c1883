"""The benchmark's task list: WAA-like tasks over six Windows apps, the same ids in every run."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from bench_tui.demo.apps import DOMAINS, TEMPLATES
from bench_tui.demo.script import Template


@dataclass(frozen=True)
class TaskDef:
    task_id: str
    template: Template

    @property
    def domain(self) -> str:
        return self.template.domain


def build_tasks(count: int) -> list[TaskDef]:
    """`count` tasks cycling through the domains. The first round uses every template under its own
    id; later rounds repeat templates under WAA-style ids (uuid + "-WOS"), as WAA's variants do."""
    rng = random.Random("bench-tui demo task ids")
    tasks: list[TaskDef] = []
    for index in range(count):
        domain = DOMAINS[index % len(DOMAINS)]
        templates = TEMPLATES[domain]
        round_, position = divmod(index // len(DOMAINS), len(templates))
        template = templates[position]
        if round_ == 0:
            task_id = template.slug
        else:
            task_id = f"{uuid.UUID(int=rng.getrandbits(128), version=4)}-WOS"
        tasks.append(TaskDef(task_id, template))
    return tasks


def sanitize(task_id: str) -> str:
    """The folder name the OpenAdapt collector uses for a task id."""
    return "".join(c if (c.isascii() and c.isalnum()) or c in "-_" else "_" for c in task_id)
