"""Task scripts: an instruction plus the actions a competent agent takes, screen by screen.

Each step names the screen the agent sees (a key of `apps.catalog()`) and the action it takes there;
the screen after the last action is `final`, shown with the closing DONE step.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Act:
    """One scripted action. Targets are widget names on the step's screen; `start`/`end` are
    pixel points for drags that do not start on a widget (drawing on a canvas)."""

    kind: str
    target: str | None = None
    to: str | None = None
    start: tuple[int, int] | None = None
    end: tuple[int, int] | None = None
    text: str | None = None
    key: str | None = None
    mods: tuple[str, ...] = ()
    direction: str | None = None
    amount: int | None = None
    why: str = ""


@dataclass(frozen=True)
class Template:
    slug: str
    domain: str
    instruction: str
    steps: tuple[tuple[str, Act], ...]
    final: str
    evaluator: str
    passed: str
    failed: str
    partial: bool = False
    """The evaluator gives partial credit (milestones): failures may score between 0 and 1."""

    @property
    def answer(self) -> str | None:
        for _, act in self.steps:
            if act.kind == "answer":
                return act.text
        return None


def click(target: str, why: str) -> Act:
    return Act("click", target=target, why=why)


def typed(text: str, why: str) -> Act:
    return Act("type", text=text, why=why)


def key(name: str, why: str, *mods: str) -> Act:
    return Act("key", key=name, mods=tuple(mods), why=why)


def answer(text: str, why: str) -> Act:
    return Act("answer", text=text, why=why)
