"""Synthetic agents: who passes which task, and the steps each one took.

Outcomes come from a per-task difficulty plus per-model noise, so the models agree on easy and hard
tasks but not everywhere: comparisons show passes only one side has, and regressions. Every random
choice uses its own `random.Random` seeded with a string, so a task's trace depends only on (model,
task) and the output is identical on every machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from bench_tui.demo.apps import catalog
from bench_tui.demo.screens import HEIGHT, WIDTH, Screen, Widget
from bench_tui.demo.script import Act
from bench_tui.demo.tasks import TaskDef

MAX_STEPS = 15
ACTION_KEYS = (
    "type", "x", "y", "target_node_id", "target_bbox", "target_role", "target_name", "text", "key",
    "modifiers", "scroll_direction", "scroll_amount", "end_x", "end_y", "answer", "raw_action",
)  # fmt: skip
CLICKS = ("click", "double_click", "right_click")
WRONG_ANSWERS = {"84": "96", "4": "3", "$8.49": "$7.99", "12": "14", "FF": "FE"}


@dataclass(frozen=True)
class AgentSpec:
    """One evaluated model and how it behaves."""

    model_id: str
    seed: str
    success_rate: float
    errors: tuple[str, ...] = ()
    """Agent error messages; each marks one failing task as errored."""
    infra: int = 0
    api: bool = False
    """API models think longer, return a `thought`, and click Set-of-Marks ids in `som_domains`."""
    som_domains: frozenset[str] = frozenset()
    failure_modes: tuple[tuple[str, float], ...] = (("miss", 1.0),)
    detours: float = 0.3
    """Share of passing runs with one extra step (a corrected near miss, or a wait)."""
    strengths: tuple[tuple[str, float], ...] = ()
    """Per-domain skill offsets: without them the stronger model passes a superset of the weaker
    one's tasks, and a comparison would show no passes unique to the weaker side."""


@dataclass(frozen=True)
class Outcome:
    kind: str
    """pass, fail, error or infra."""
    mode: str | None = None
    """How a failure happens: miss, distractor, premature, loop, wrong_answer."""
    error: str | None = None


@dataclass
class TraceStep:
    screen: str
    action: dict[str, Any]
    thought: str
    dsl: str
    loop: bool = False
    parse_failure: bool = False


@dataclass
class Trace:
    steps: list[TraceStep] = field(default_factory=list)
    num_steps: int = 0
    success: bool = False
    score: float = 0.0
    reason: str | None = None
    error: str | None = None
    error_type: str | None = None


def plan_outcomes(tasks: list[TaskDef], agent: AgentSpec) -> dict[str, Outcome]:
    """Exactly round(rate x tasks) passes: the tasks this model finds easiest pass."""
    ability: dict[str, float] = {}
    for task in tasks:
        base = random.Random(f"difficulty|{task.task_id}").random()
        length = min(len(task.template.steps), 6) / 6
        noise = random.Random(f"{agent.seed}|{task.task_id}|skill").gauss(0.0, 0.25)
        strength = dict(agent.strengths).get(task.domain, 0.0)
        ability[task.task_id] = strength + noise - (0.65 * base + 0.35 * length)
    ranked = sorted(tasks, key=lambda task: (-ability[task.task_id], task.task_id))
    passes = round(agent.success_rate * len(tasks))
    outcomes = {task.task_id: Outcome("pass") for task in ranked[:passes]}
    failing = ranked[passes:]
    random.Random(f"{agent.seed}|which fail how").shuffle(failing)
    modes, weights = zip(*agent.failure_modes, strict=True)
    for index, task in enumerate(failing):
        if index < len(agent.errors):
            outcomes[task.task_id] = Outcome("error", error=agent.errors[index])
        elif index < len(agent.errors) + agent.infra:
            outcomes[task.task_id] = Outcome("infra")
        else:
            mode = random.Random(f"{agent.seed}|{task.task_id}|mode").choices(modes, weights)[0]
            outcomes[task.task_id] = Outcome("fail", mode=mode)
    return outcomes


class TraceBuilder:
    """Turns a task script into the steps one agent recorded."""

    def __init__(self, agent: AgentSpec, task: TaskDef) -> None:
        self.agent = agent
        self.task = task
        self.template = task.template
        self.rng = random.Random(f"{agent.seed}|{task.task_id}|trace")
        self.screens = catalog()
        self.trace = Trace()

    # -- outcomes

    def build(self, outcome: Outcome) -> Trace:
        if outcome.kind == "infra":
            return self._infra()
        if outcome.kind == "pass":
            self._passing_run()
        elif outcome.kind == "error":
            self._errored_run(outcome.error or "agent error")
        else:
            self._failing_run(outcome.mode or "premature")
        return self.trace

    def partial(self, count: int) -> list[TraceStep]:
        """The first `count` steps of a passing run (the live file's task in progress)."""
        for screen, act in self.template.steps[:count]:
            self._emit(screen, act)
        return self.trace.steps

    def _passing_run(self) -> None:
        """The script, sometimes with a detour: a local model's near miss it then corrects, or an
        API model waiting for a slow window. Step counts then differ between models."""
        scripted = self.template.steps
        detour = self.rng.randrange(len(scripted)) if self.rng.random() < self.agent.detours else -1
        for index, (screen, act) in enumerate(scripted):
            clickable = act.kind in CLICKS and act.target is not None
            if index == detour and clickable and not self.agent.api:
                self._emit(screen, act, miss=True)
                retry = "That click landed next to the target; click its centre."
                self._emit(screen, Act(act.kind, target=act.target, why=retry))
            else:
                self._emit(screen, act)
            if index == detour and clickable and self.agent.api:
                after = scripted[index + 1][0] if index + 1 < len(scripted) else self.template.final
                self._emit(after, Act("wait", why="The window is still redrawing; wait a moment."))
        self._finish(self.template.final, "DONE", "The task is complete.")
        self._verdict(True, 1.0, self.template.passed)

    def _failing_run(self, mode: str) -> None:
        scripted = self.template.steps
        clicks = [i for i, (_, act) in enumerate(scripted) if act.kind in CLICKS and act.target]
        if mode in ("miss", "loop", "distractor") and not clicks:
            mode = "premature"
        if mode == "wrong_answer" and self.template.answer is None:
            mode = "miss" if clicks else "premature"
        if mode == "premature":
            at = self.rng.randrange(1, len(scripted)) if len(scripted) > 1 else 0
        elif mode == "wrong_answer":
            at = len(scripted) - 1
        else:
            at = self.rng.choice(clicks)
        for screen, act in scripted[:at]:
            self._emit(screen, act)
        screen, act = scripted[at]
        reason = self.template.failed
        if mode == "miss":
            self._emit(screen, act, miss=True)
            if self.rng.random() < 0.5:
                self._emit(
                    screen,
                    Act(act.kind, target=act.target, why="Nothing changed yet; click it again."),
                    miss=True,
                )
            self._finish(screen, "DONE", "The setting should be applied now; the task is done.")
        elif mode == "distractor":
            self._emit(
                screen,
                Act(
                    act.kind,
                    target=self._distractor(self.screens[screen], act.target or ""),
                    why=act.why,
                ),
            )
            self._finish(screen, "DONE", "I clicked the right control; the task is complete.")
        elif mode == "loop":
            repeat = 0
            while len(self.trace.steps) < MAX_STEPS:
                why = (
                    act.why
                    if repeat == 0
                    else "The screen did not change; click the same control again."
                )
                self._emit(
                    screen, Act(act.kind, target=act.target, why=why), miss=True, loop=repeat >= 2
                )
                repeat += 1
            reason = f"{reason} (stopped at the step limit of {MAX_STEPS})"
        elif mode == "wrong_answer":
            expected = act.text or ""
            given = WRONG_ANSWERS.get(expected, expected + "0")
            self._emit(screen, Act("answer", text=given, why=act.why.replace(expected, given)))
            self._finish(screen, "DONE", "Answer given; done.")
            reason = f"answer '{given}' does not match '{expected}'"
        else:
            self._finish(screen, "DONE", "Everything needed seems to be done.")
        # partial credit = scripted milestones completed before things went wrong
        score = round(at / len(scripted), 2) if self.template.partial and at else 0.0
        self._verdict(False, score, reason)

    def _errored_run(self, message: str) -> None:
        scripted = self.template.steps
        at = self.rng.randrange(len(scripted))
        for screen, act in scripted[:at]:
            self._emit(screen, act)
        screen = scripted[at][0]
        garbled = "Thought: I need to open the the the the the the the the"
        action = _action("error", raw_action={"error": message, "response": garbled})
        self.trace.steps.append(TraceStep(screen, action, garbled, "", parse_failure=True))
        self.trace.num_steps = len(self.trace.steps) - 1
        self.trace.error, self.trace.error_type = message, "agent"

    def _infra(self) -> Trace:
        self.trace.error = "VM did not answer: WAA server /screenshot timed out after 120 s"
        self.trace.error_type = "infrastructure"
        return self.trace

    def _finish(self, screen: str, word: str, thought: str) -> None:
        action = _action("done", raw_action={"waa_action": word})
        if self.agent.api:
            action["raw_action"] = {"waa_action": word, "thought": thought}
        self.trace.steps.append(TraceStep(screen, action, thought, "DONE()"))
        self.trace.num_steps = len(self.trace.steps) - 1

    def _verdict(self, success: bool, score: float, reason: str) -> None:
        self.trace.success, self.trace.score, self.trace.reason = success, score, reason
        if not self.trace.steps or self.trace.steps[-1].action["type"] not in ("done", "error"):
            self.trace.num_steps = len(self.trace.steps)

    # -- one action

    def _som(self) -> bool:
        return self.agent.api and self.task.domain in self.agent.som_domains

    def _emit(self, screen_key: str, act: Act, *, miss: bool = False, loop: bool = False) -> None:
        screen = self.screens[screen_key]
        action, dsl = self._encode(screen, act, miss=miss)
        if self.agent.api:
            action["raw_action"] = {**(action["raw_action"] or {}), "thought": act.why}
        self.trace.steps.append(TraceStep(screen_key, action, act.why, dsl, loop=loop))

    def _encode(self, screen: Screen, act: Act, *, miss: bool) -> tuple[dict[str, Any], str]:
        if act.kind in CLICKS:
            if act.target and self._som() and not miss:
                return self._element_click(screen, act)
            x, y = self._point(screen, act.target, act.start, miss=miss)
            code = {"click": "click", "double_click": "double_click", "right_click": "right_click"}[
                act.kind
            ]
            raw: dict[str, Any] = {"code": f"computer.{code}({x}, {y})"}
            if act.kind != "click":
                raw["click_variant"] = act.kind
            nx, ny = _norm(x, y)
            return _action(
                "click", x=nx, y=ny, raw_action=raw
            ), f"{act.kind.upper()}(x={nx:.3f}, y={ny:.3f})"
        if act.kind == "type":
            text = act.text or ""
            return _action(
                "type", text=text, raw_action={"code": f"computer.type({text!r})"}
            ), f"TYPE(text={_quote(text)})"
        if act.kind == "key":
            combo = "+".join([*act.mods, act.key or ""])
            keys = ", ".join(repr(part) for part in [*act.mods, act.key or ""])
            code = f"computer.hotkey({keys})" if act.mods else f"computer.press({act.key!r})"
            action = _action(
                "key", key=act.key, modifiers=list(act.mods) or None, raw_action={"code": code}
            )
            return action, f"KEY(key={_quote(combo)})"
        if act.kind == "scroll":
            x, y = self._point(screen, act.target, None, miss=False)
            nx, ny = _norm(x, y)
            raw = {
                "code": f"computer.scroll({x}, {y}, {-(act.amount or 1) if act.direction == 'down' else act.amount})"
            }
            action = _action(
                "scroll",
                x=nx,
                y=ny,
                scroll_direction=act.direction,
                scroll_amount=act.amount,
                raw_action=raw,
            )
            return action, f"SCROLL(direction={_quote(act.direction or '')}, amount={act.amount})"
        if act.kind == "drag":
            x, y = self._point(screen, act.target, act.start, miss=False)
            ex, ey = self._point(screen, act.to, act.end, miss=False)
            (nx, ny), (nex, ney) = _norm(x, y), _norm(ex, ey)
            raw = {"code": f"computer.drag({x}, {y}, {ex}, {ey})"}
            action = _action("drag", x=nx, y=ny, end_x=nex, end_y=ney, raw_action=raw)
            return action, f"DRAG(x1={nx:.3f}, y1={ny:.3f}, x2={nex:.3f}, y2={ney:.3f})"
        if act.kind == "answer":
            return _action(
                "answer", answer=act.text, raw_action={"code": f"answer({act.text!r})"}
            ), f"ANSWER(text={_quote(act.text or '')})"
        return _action("wait", raw_action={"waa_action": "WAIT"}), "WAIT()"

    def _element_click(self, screen: Screen, act: Act) -> tuple[dict[str, Any], str]:
        widget = screen.element(act.target or "")
        node = screen.node_id(widget.name or "")
        action = _action(
            "click",
            target_node_id=node,
            target_role=widget.role,
            target_name=widget.label.split("\t")[0] or widget.name,
            raw_action={"code": f"computer.click_element({node})"},
        )
        return action, f"CLICK([{node}])"

    def _point(
        self, screen: Screen, target: str | None, fixed: tuple[int, int] | None, *, miss: bool
    ) -> tuple[int, int]:
        if target is None:
            fx, fy = fixed or (WIDTH // 2, HEIGHT // 2)
            return fx + self.rng.randint(-4, 4), fy + self.rng.randint(-4, 4)
        widget = screen.element(target)
        return self._miss_point(widget) if miss else self._hit_point(widget)

    def _hit_point(self, widget: Widget) -> tuple[int, int]:
        """Somewhere in the middle half of the element, as a decent grounding model clicks."""
        x0, y0, x1, y1 = widget.box
        cx, cy = widget.center
        dx = int((x1 - x0) * 0.25 * (self.rng.random() * 2 - 1))
        dy = int((y1 - y0) * 0.25 * (self.rng.random() * 2 - 1))
        return cx + dx, cy + dy

    def _miss_point(self, widget: Widget) -> tuple[int, int]:
        """Just outside the element: the crosshair shows a near miss."""
        x0, y0, x1, y1 = widget.box
        cx, cy = widget.center
        gap = self.rng.randint(10, 36)
        options = [(cx, y1 + gap), (x1 + gap, cy), (cx, y0 - gap), (x0 - gap, cy)]
        inside = [(x, y) for x, y in options if 4 <= x < WIDTH - 4 and 4 <= y < HEIGHT - 4]
        return self.rng.choice(inside or [(min(cx, WIDTH - 5), min(cy, HEIGHT - 5))])

    def _distractor(self, screen: Screen, target: str) -> str:
        goal = screen.element(target)
        others = [
            w
            for w in screen.targets()
            if w.name != target and w.name and not w.name.startswith("taskbar")
        ]
        others.sort(
            key=lambda w: (
                abs(w.center[0] - goal.center[0]) + abs(w.center[1] - goal.center[1]),
                w.name or "",
            )
        )
        return (
            (others[self.rng.randrange(min(3, len(others)))].name or target) if others else target
        )


def _action(kind: str, **values: Any) -> dict[str, Any]:
    """All 16 keys, unused ones null, in the order the upstream collector writes them."""
    action: dict[str, Any] = dict.fromkeys(ACTION_KEYS)
    action["type"] = kind
    action.update(values)
    return action


def _norm(x: int, y: int) -> tuple[float, float]:
    return round(x / WIDTH, 4), round(y / HEIGHT, 4)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
