"""What one synthetic OpenAdapt task holds: task.json, execution.json and a summary entry.

Shapes follow FORMATS §4 and tests/fixtures/openadapt_builders.py: all 16 action keys, agent_logs
with a model response of realistic length, `len(steps) == num_steps + 1` (the final done/error
step is recorded but not counted). Everything is drawn from a seeded RNG, so the same seed gives
the same workspace.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

ACTION_KEYS = (
    "type",
    "x",
    "y",
    "end_x",
    "end_y",
    "target_node_id",
    "target_bbox",
    "target_role",
    "target_name",
    "text",
    "key",
    "modifiers",
    "scroll_direction",
    "scroll_amount",
    "answer",
    "raw_action",
)
DOMAINS = (
    "notepad",
    "settings",
    "chrome",
    "msedge",
    "vlc",
    "vs_code",
    "file_explorer",
    "clock",
    "calculator",
    "paint",
    "libreoffice_calc",
    "libreoffice_writer",
    "libreoffice_impress",
    "thunderbird",
    "gimp",
    "os",
    "multi_apps",
    "word",
    "excel",
    "powerpoint",
    "outlook",
    "teams",
    "terminal",
    "photos",
    "snipping_tool",
    "task_manager",
    "control_panel",
    "store",
    "edge_pdf",
    "windows_media_player",
)
VERBS = (
    "Open",
    "Rename",
    "Delete",
    "Move",
    "Change",
    "Enable",
    "Disable",
    "Export",
    "Find",
    "Sort",
)
OBJECTS = (
    "the file report.docx",
    "the dark mode setting",
    "the downloads folder",
    "the third column",
    "the bookmark bar",
    "the default font to Arial",
    "the alarm for 7:30",
    "the slide title",
    "the last email from Alice",
    "the screen brightness",
    "the playlist named Focus",
    "the tab with the weather forecast",
)
THOUGHTS = (
    "The {app} window is in the foreground and the menu bar is visible at the top.",
    "I need to {verb_lower} {obj}, so the first thing is to find the right menu entry.",
    "The previous action did not change the screen; the click may have landed on padding.",
    "A dialog appeared asking for confirmation, which means the last step worked.",
    "The search box in the top right should accept a query for the setting name.",
    "Scrolling down the sidebar should reveal more options that are currently hidden.",
    "The file list is sorted by date, so the newest item is at the top of the list.",
    "Keyboard shortcuts are more reliable here than the small toolbar icons.",
    "The text field already contains some text, so I will select all before typing.",
    "There is a notification in the corner that may cover the button I want to press.",
    "The task asks for an exact value, so I must double-check the field after typing.",
    "I can see the target element labelled clearly; clicking its centre should activate it.",
    "If this does not work I will fall back to the right-click context menu instead.",
    "The window title confirms that the correct document is open in the editor.",
    "Nothing on screen indicates an error, so the state should now match the goal.",
)
TYPED = ("good morning", "quarterly report", "Alice", "=SUM(B2:B20)", "dark mode", "7:30")
KEYS = (("s", ["ctrl"]), ("enter", None), ("tab", None), ("a", ["ctrl"]), ("f4", ["alt"]))
AGENT_ERRORS = (
    "agent gave up: could not find the setting",
    "parse error: model output had no action",
    "loop detected: same click 4 times",
)
FOLDER_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
SCREEN_W, SCREEN_H = 1920, 1200


@dataclass(frozen=True)
class TaskSpec:
    """A task as every model's run sees it (same ids across runs)."""

    index: int
    task_id: str
    folder: str
    domain: str
    instruction: str
    difficulty: float


@dataclass(frozen=True)
class Outcome:
    status: str  # passed, failed, infra, agent_error, eval_error, errored
    score: float


def task_spec(seed: int, index: int) -> TaskSpec:
    rng = random.Random(seed * 1_000_003 + index)
    domain = DOMAINS[rng.randrange(len(DOMAINS))]
    verb, obj = rng.choice(VERBS), rng.choice(OBJECTS)
    form = rng.random()
    if form < 0.3:
        task_id = f"{rng.getrandbits(128):032x}-WOS"
        task_id = f"{task_id[:8]}-{task_id[8:12]}-{task_id[12:16]}-{task_id[16:20]}-{task_id[20:]}"
    elif form < 0.4:
        task_id = f"{domain}:{verb.lower()} {obj.split()[-1]} #{index}?"
    else:
        task_id = f"{domain}_{verb.lower()}_{index:05d}"
    return TaskSpec(
        index=index,
        task_id=task_id,
        folder=FOLDER_UNSAFE.sub("_", task_id),
        domain=domain,
        instruction=f"{verb} {obj} in {domain.replace('_', ' ').title()}",
        difficulty=rng.random(),
    )


def pick_outcome(rng: random.Random, skill: float, difficulty: float) -> Outcome:
    roll = rng.random()
    if roll < 0.03:
        return Outcome("infra", 0.0)
    if roll < 0.06:
        return Outcome("agent_error", 0.0)
    if roll < 0.065:
        return Outcome("eval_error", 0.0)
    if roll < 0.068:
        return Outcome("errored", 0.0)
    if rng.random() < skill * (1.4 - difficulty):
        return Outcome("passed", 1.0)
    partial = rng.random() < 0.15
    return Outcome("failed", round(rng.uniform(0.2, 0.8), 2) if partial else 0.0)


def action(**fields: Any) -> dict[str, Any]:
    return {key: fields.get(key) for key in ACTION_KEYS}


def _click(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.15:  # SoM click: element id, no coordinates
        return action(type="click", target_node_id=str(rng.randrange(1, 400)))
    x, y = round(rng.random(), 4), round(rng.random(), 4)
    code = f"computer.click({int(x * SCREEN_W)}, {int(y * SCREEN_H)})"
    return action(type="click", x=x, y=y, raw_action={"code": code})


def random_action(rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.5:
        return _click(rng)
    if roll < 0.7:
        text = rng.choice(TYPED)
        return action(type="type", text=text, raw_action={"code": f"computer.type({text!r})"})
    if roll < 0.82:
        key, modifiers = rng.choice(KEYS)
        return action(type="key", key=key, modifiers=modifiers)
    if roll < 0.94:
        direction = rng.choice(("up", "down"))
        return action(
            type="scroll", scroll_direction=direction, scroll_amount=rng.choice((3, None))
        )
    x, y = round(rng.random(), 4), round(rng.random(), 4)
    return action(type="drag", x=x, y=y, end_x=round(rng.random(), 4), end_y=round(rng.random(), 4))


def reasoning(rng: random.Random, spec: TaskSpec, step_action: dict[str, Any]) -> str:
    context = {
        "app": spec.domain.replace("_", " ").title(),
        "verb_lower": spec.instruction.split()[0].lower(),
        "obj": spec.instruction.split(" ", 1)[1],
    }
    sentences = [rng.choice(THOUGHTS).format(**context) for _ in range(rng.randrange(4, 11))]
    code = (step_action.get("raw_action") or {}).get("code") or f"{step_action['type']}()"
    return " ".join(sentences) + f"\n\nAction: {code}"


def prompt(spec: TaskSpec, history: list[str]) -> str:
    previous = "\n".join(f"{n + 1}. {line}" for n, line in enumerate(history[-6:])) or "none"
    return (
        "You are a computer-use agent operating a Windows 11 desktop through screenshots. "
        "Respond with a short analysis of the screen followed by exactly one action in the form "
        "`Action: computer.<verb>(...)`. Coordinates are pixels of a 1920x1200 screen. "
        "When the task is complete answer `Action: DONE`; if it cannot be completed answer "
        f"`Action: FAIL`.\n\nTask: {spec.instruction}\n\nPrevious actions:\n{previous}\n"
    )


def step_record(
    rng: random.Random, spec: TaskSpec, index: int, step_action: dict[str, Any], when: float
) -> dict[str, Any]:
    think_ms = rng.randrange(1500, 9000)
    return {
        "step_idx": index,
        "screenshot_path": f"screenshots/step_{index:03d}.png",
        "action": step_action,
        "reasoning": None,
        "timestamp": round(when, 3),
        "agent_logs": {
            "agent_think_ms": think_ms,
            "env_execute_ms": rng.randrange(300, 2500),
            "token_usage": {
                "input_tokens": rng.randrange(2500, 6000),
                "output_tokens": rng.randrange(60, 400),
            },
            "plan_result": reasoning(rng, spec, step_action),
            "parse_strategy": "regex",
            "parse_failure": False,
            "loop_detected": False,
            "demo_included": False,
            "image_width": SCREEN_W,
            "image_height": SCREEN_H,
        },
    }


def final_action(outcome: Outcome) -> dict[str, Any]:
    if outcome.status == "agent_error":
        return action(type="error", raw_action={"error": "agent stopped"})
    verdict = "DONE" if outcome.status == "passed" or outcome.score else "FAIL"
    return action(type="done", raw_action={"waa_action": verdict})


def execution_record(
    rng: random.Random, spec: TaskSpec, model: str, outcome: Outcome, steps: int, start: float
) -> dict[str, Any]:
    records: list[dict[str, Any]] = []
    logs: list[dict[str, Any]] = []
    history: list[str] = []
    when = start
    counted = 0 if outcome.status == "infra" else steps
    for index in range(counted + (1 if counted else 0)):
        step_action = random_action(rng) if index < counted else final_action(outcome)
        record = step_record(rng, spec, index, step_action, when)
        record["agent_logs"]["user_question"] = prompt(spec, history)
        history.append(str(step_action["type"]))
        records.append(record)
        logs.append(
            {"timestamp": round(when - start, 2), "level": "INFO", "message": f"Step {index}"}
        )
        logs_ms = record["agent_logs"]
        when += (logs_ms["agent_think_ms"] + logs_ms["env_execute_ms"]) / 1000
    error, error_type, reason = _error_fields(rng, outcome)
    return {
        "task_id": spec.task_id,
        "model_id": model,
        "success": None if outcome.status == "errored" else outcome.status == "passed",
        "score": outcome.score,
        "num_steps": counted,
        "total_time_seconds": round(when - start + rng.uniform(2, 8), 2),
        "error": error,
        "reason": reason,
        "error_type": error_type,
        "steps": records,
        "logs": logs,
    }


def _error_fields(
    rng: random.Random, outcome: Outcome
) -> tuple[str | None, str | None, str | None]:
    """(error, error_type, reason) for an outcome."""
    if outcome.status == "infra":
        return "VM did not answer within 120 s", "infrastructure", None
    if outcome.status == "agent_error":
        return rng.choice(AGENT_ERRORS), "agent", None
    if outcome.status == "eval_error":
        return "evaluator raised KeyError: 'expected'", "evaluation", None
    if outcome.status == "errored":
        return "process interrupted before the verdict", "interrupted", None
    if outcome.status == "passed":
        return None, None, "the final state matches the expected state"
    return None, None, "the final state differs from the expected state"


def task_record(spec: TaskSpec) -> dict[str, Any]:
    return {
        "task_id": spec.task_id,
        "instruction": spec.instruction,
        "domain": spec.domain,
        "initial_state_ref": None,
        "time_limit_steps": 15,
        "raw_config": {"id": spec.task_id, "snapshot": spec.domain, "related_apps": [spec.domain]},
        "evaluation_spec": None,
    }


def summary_entry(execution: dict[str, Any]) -> dict[str, Any]:
    return {
        key: execution[key]
        for key in ("task_id", "success", "score", "num_steps", "error", "reason", "error_type")
    } | {"total_time_seconds": execution["total_time_seconds"]}


def summary_record(meta: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """summary.json as openadapt-evals writes it, computed from the task entries (raw floats)."""
    tasks = len(entries)
    success = sum(1 for e in entries if e["success"] is True)
    infra = [e for e in entries if e["error_type"] == "infrastructure"]
    excl = tasks - len(infra)
    return {
        "benchmark_name": meta["benchmark_name"],
        "run_name": meta["run_name"],
        "model_id": meta["model_id"],
        "num_tasks": tasks,
        "num_success": success,
        "success_rate": success / tasks if tasks else 0.0,
        "avg_score": sum(e["score"] for e in entries) / tasks if tasks else 0.0,
        "avg_steps": sum(e["num_steps"] for e in entries) / tasks if tasks else 0.0,
        "avg_time_seconds": sum(e["total_time_seconds"] for e in entries) / tasks if tasks else 0.0,
        "num_infrastructure_failures": len(infra),
        "num_tasks_excluding_infra": excl,
        "num_success_excluding_infra": success,
        "success_rate_excluding_infra": success / excl if excl else 0.0,
        "tasks": [{k: v for k, v in e.items() if k != "total_time_seconds"} for e in entries],
    }
