"""OpenAdapt benchmark runs (FORMATS §4) and the live progress file (§5) of the demo."""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench_tui.demo.agents import (
    MAX_STEPS,
    AgentSpec,
    Trace,
    TraceBuilder,
    TraceStep,
    plan_outcomes,
)
from bench_tui.demo.files import FileWriter
from bench_tui.demo.screens import HEIGHT, WIDTH, ScreenCache
from bench_tui.demo.tasks import TaskDef, sanitize

BENCHMARK = "waa"
LIVE_FILE = "benchmark_live.json"

LOCAL_MODES = (
    ("miss", 0.35),
    ("loop", 0.25),
    ("distractor", 0.2),
    ("premature", 0.15),
    ("wrong_answer", 0.05),
)
TUNED_MODES = (
    ("miss", 0.4),
    ("distractor", 0.2),
    ("premature", 0.2),
    ("wrong_answer", 0.1),
    ("loop", 0.1),
)
# the fine-tune saw web-shop and Notepad demonstrations; the API model grounds drags poorly
TUNED_STRENGTHS = (("chrome", 0.25), ("notepad", 0.1))
API_MODES = (
    ("premature", 0.35),
    ("wrong_answer", 0.25),
    ("distractor", 0.2),
    ("miss", 0.15),
    ("loop", 0.05),
)

BASE = AgentSpec(
    "tern-vl-3b-base",
    seed="tern-vl-3b-base",
    success_rate=0.20,
    errors=(
        "Could not parse an action from the model output: no 'Action:' line in 512 generated tokens",
        "Predicted coordinates outside the screen: CLICK(x=1.42, y=0.37)",
    ),
    failure_modes=LOCAL_MODES,
    strengths=(("microsoft_paint", 0.15), ("windows_calc", 0.1)),
)
LORA = AgentSpec(
    "tern-vl-3b-lora-e3",
    seed="tern-vl-3b-lora-e3",
    success_rate=0.45,
    errors=(
        'Could not parse an action from the model output: unterminated string in TYPE(text="Q4)',
    ),
    infra=1,
    failure_modes=TUNED_MODES,
    strengths=TUNED_STRENGTHS,
)
API = AgentSpec(
    "lumen-4o",
    seed="lumen-4o",
    success_rate=0.60,
    errors=("Tool call missing required argument 'text' for action 'type'",),
    api=True,
    som_domains=frozenset({"settings"}),
    failure_modes=API_MODES,
    strengths=(("microsoft_paint", -0.35), ("windows_calc", -0.15), ("settings", 0.1)),
)
BASE_TRIAL_2 = AgentSpec(
    "tern-vl-3b-base",
    seed="tern-vl-3b-base trial 2",
    success_rate=0.20,
    errors=BASE.errors[:1],
    failure_modes=LOCAL_MODES,
    strengths=BASE.strengths,
)
"""The base model again on the same tasks, a day later: a second trial, so that some tasks pass
in one trial and fail in the other (the Repeats view), and the run the demo's reviews sit on."""
LIVE = AgentSpec(
    "tern-vl-3b-lora-e3",
    seed="tern-vl-3b-lora-e3 rerun",
    success_rate=0.50,
    failure_modes=TUNED_MODES,
    strengths=TUNED_STRENGTHS,
)


@dataclass(frozen=True)
class RunSpec:
    started: datetime
    agent: AgentSpec
    live: bool = False

    @property
    def name(self) -> str:
        return f"{BENCHMARK}_eval_{self.started:%Y%m%d_%H%M%S}"


RUNS = (
    RunSpec(datetime(2025, 11, 10, 9, 15, 22, 418305), BASE),
    # Dated between the base and the LoRA runs: the run list keeps its first rows and its last.
    RunSpec(datetime(2025, 11, 11, 21, 40, 3, 512907), BASE_TRIAL_2),
    RunSpec(datetime(2025, 11, 12, 14, 3, 10, 220871), LORA),
    RunSpec(datetime(2025, 11, 14, 10, 12, 5, 907112), API),
    RunSpec(datetime(2025, 11, 18, 8, 30, 12, 604388), LIVE, live=True),
)


@dataclass(frozen=True)
class DemoRun:
    """What one written run holds: the figures the app should show for it."""

    path: Path
    model: str
    tasks: int
    finished: int
    succeeded: int
    live: bool


@dataclass
class Output:
    writer: FileWriter
    cache: ScreenCache

    def screenshot(self, screen: str, path: Path) -> None:
        self.writer.link(self.cache.path(screen, self.writer.write_bytes), path)


def epoch(moment: datetime) -> float:
    """Seconds since 1970 for a naive local time, read as UTC: fixed whatever the machine's zone."""
    return calendar.timegm(moment.timetuple()) + moment.microsecond / 1e6


def live_split(count: int) -> tuple[int, int]:
    """(finished, started-but-unfinished) task counts of the live run."""
    finished = count // 2
    return finished, min(3, count - finished)


def write_runs(out: Output, results: Path, tasks: list[TaskDef]) -> list[DemoRun]:
    return [write_run(out, results / spec.name, spec, tasks) for spec in RUNS]


def write_run(out: Output, run_dir: Path, spec: RunSpec, tasks: list[TaskDef]) -> DemoRun:
    agent = spec.agent
    config: dict[str, Any] = {
        "agent": "api" if agent.api else "policy",
        "max_steps": MAX_STEPS,
        "screen_size": [WIDTH, HEIGHT],
    }
    if agent.som_domains:
        config["som_domains"] = sorted(agent.som_domains)
    metadata = {
        "benchmark_name": BENCHMARK,
        "run_name": spec.name,
        "model_id": agent.model_id,
        "created_at": spec.started.isoformat(timespec="microseconds"),
        "config": config,
    }
    out.writer.write_json(run_dir / "metadata.json", metadata)
    outcomes = plan_outcomes(tasks, agent)
    finished = len(tasks)
    pending = 0
    if spec.live:
        finished, pending = live_split(len(tasks))
    clock = epoch(spec.started) + 3.7
    results: list[dict[str, Any]] = []
    for task in tasks[:finished]:
        task_dir = run_dir / "tasks" / sanitize(task.task_id)
        out.writer.write_json(task_dir / "task.json", task_json(task))
        trace = TraceBuilder(agent, task).build(outcomes[task.task_id])
        execution = execution_json(out, task_dir, task, agent, trace, clock)
        out.writer.write_json(task_dir / "execution.json", execution)
        results.append(execution)
        clock += execution["total_time_seconds"] + 2.5
    for task in tasks[finished : finished + pending]:
        task_dir = run_dir / "tasks" / sanitize(task.task_id)
        out.writer.write_json(task_dir / "task.json", task_json(task))
        out.writer.folder(task_dir / "screenshots")
    if spec.live and pending:
        current = tasks[finished + pending - 1]
        write_live_file(out, run_dir, current, agent, total=len(tasks), done=finished)
    else:
        out.writer.write_json(run_dir / "summary.json", summary_json(spec, results))
    succeeded = sum(1 for result in results if result["success"])
    return DemoRun(run_dir, agent.model_id, finished + pending, finished, succeeded, spec.live)


def task_json(task: TaskDef) -> dict[str, Any]:
    template = task.template
    return {
        "task_id": task.task_id,
        "instruction": template.instruction,
        "domain": template.domain,
        "initial_state_ref": f"{template.domain}-snapshot-2025-11",
        "time_limit_steps": MAX_STEPS,
        "raw_config": {
            "id": task.task_id,
            "snapshot": template.domain,
            "instruction": template.instruction,
            "related_apps": [template.domain],
            "evaluator": {"func": template.evaluator},
        },
        "evaluation_spec": {"func": template.evaluator, "partial_credit": template.partial},
    }


def execution_json(
    out: Output, task_dir: Path, task: TaskDef, agent: AgentSpec, trace: Trace, start: float
) -> dict[str, Any]:
    rng = random.Random(f"{agent.seed}|{task.task_id}|timing")
    logs = [_log(0.02, "INFO", f"Started collecting data for task: {task.task_id}")]
    if trace.error_type == "infrastructure":
        return _infra_execution(task, agent, trace, logs)
    clock = rng.uniform(6.0, 14.0)
    logs.append(_log(clock - 0.4, "INFO", f"Environment reset to snapshot '{task.domain}'"))
    steps: list[dict[str, Any]] = []
    for index, step in enumerate(trace.steps):
        think, execute = _step_times(rng, agent, step)
        logs.append(_log(clock + 0.05, "INFO", f"Step {index}: asking the agent"))
        clock += (think + execute) / 1000
        relative = f"screenshots/step_{index:03d}.png"
        out.screenshot(step.screen, task_dir / relative)
        steps.append(_step_json(index, relative, step, agent, start + clock, think, execute, rng))
        logs += _step_logs(clock, index, step)
        clock += rng.uniform(0.6, 1.1)
    if len(trace.steps) >= MAX_STEPS and trace.steps[-1].action["type"] not in ("done", "error"):
        logs.append(_log(clock, "WARNING", f"Reached max steps ({MAX_STEPS}) without DONE"))
    clock += rng.uniform(1.5, 4.0)
    logs.append(_log(clock - 0.3, "INFO", f"Evaluating with {task.template.evaluator}"))
    if trace.success:
        logs.append(_log(clock, "SUCCESS", f"[SUCCESS] Task passed: {trace.reason}"))
    elif trace.error:
        logs.append(_log(clock, "ERROR", f"Task failed with error: {trace.error}"))
    else:
        logs.append(_log(clock, "INFO", f"Task failed (score {trace.score:.2f}): {trace.reason}"))
    return _execution(task, agent, trace, round(clock, 2), steps, logs)


def _execution(
    task: TaskDef, agent: AgentSpec, trace: Trace, seconds: float, steps: list[Any], logs: list[Any]
) -> dict[str, Any]:
    # key order as openadapt-evals' ExecutionTraceCollector.finish_task writes it
    return {
        "task_id": task.task_id,
        "model_id": agent.model_id,
        "success": trace.success,
        "score": trace.score,
        "num_steps": trace.num_steps,
        "total_time_seconds": seconds,
        "error": trace.error,
        "reason": trace.reason,
        "error_type": trace.error_type,
        "steps": steps,
        "logs": logs,
    }


def _infra_execution(
    task: TaskDef, agent: AgentSpec, trace: Trace, logs: list[Any]
) -> dict[str, Any]:
    for attempt, at in ((1, 40.1), (2, 80.2), (3, 120.3)):
        logs.append(
            _log(at, "WARNING", f"WAA server did not answer /screenshot (attempt {attempt}/3)")
        )
    logs.append(_log(120.4, "ERROR", f"Failed to reset environment: {trace.error}"))
    return _execution(task, agent, trace, 121.87, [], logs)


def _step_times(rng: random.Random, agent: AgentSpec, step: TraceStep) -> tuple[int, int]:
    think = rng.randint(2600, 9400) if agent.api else rng.randint(1300, 3900)
    kind = step.action["type"]
    if kind == "type":
        execute = 250 + 45 * len(step.action["text"] or "")
    elif kind == "drag":
        execute = rng.randint(900, 1600)
    elif kind == "wait":
        execute = 2000
    elif kind in ("done", "answer", "error"):
        execute = rng.randint(5, 40)
    else:
        execute = rng.randint(250, 900)
    return think, execute


def _step_json(
    index: int,
    relative: str,
    step: TraceStep,
    agent: AgentSpec,
    timestamp: float,
    think: int,
    execute: int,
    rng: random.Random,
) -> dict[str, Any]:
    plan = step.thought if step.parse_failure else f"Thought: {step.thought}\nAction: {step.dsl}"
    agent_logs: dict[str, Any] = {
        "agent_think_ms": think,
        "env_execute_ms": execute,
        "token_usage": {
            "input_tokens": rng.randint(2900, 4300) if agent.api else rng.randint(1700, 2600),
            "output_tokens": rng.randint(30, 90) if step.parse_failure else rng.randint(35, 190),
        },
        "plan_result": plan,
        "parse_strategy": "tool_call" if agent.api else "regex",
        "parse_failure": step.parse_failure,
        "loop_detected": step.loop,
        "image_width": WIDTH,
        "image_height": HEIGHT,
    }
    raw = step.action.get("raw_action") or {}
    return {
        "step_idx": index,
        "screenshot_path": relative,
        "action": step.action,
        "reasoning": raw.get("thought"),
        "timestamp": round(timestamp, 3),
        "agent_logs": agent_logs,
    }


def _step_logs(clock: float, index: int, step: TraceStep) -> list[dict[str, Any]]:
    action = step.action
    kind = action["type"]
    if kind == "error":
        return [_log(clock, "ERROR", f"Agent error: {action['raw_action']['error']}")]
    where = ""
    if action["x"] is not None:
        where = f" at ({action['x']:.3f}, {action['y']:.3f})"
    elif action["target_node_id"] is not None:
        where = f" on element [{action['target_node_id']}]"
    logs = [_log(clock, "INFO", f"Step {index}: executed {kind}{where}")]
    if step.loop:
        logs.append(
            _log(clock + 0.01, "WARNING", "Loop detected: the same action was repeated 3+ times")
        )
    return logs


def _log(timestamp: float, level: str, message: str) -> dict[str, Any]:
    return {"timestamp": round(timestamp, 2), "level": level, "message": message}


def summary_json(spec: RunSpec, results: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures openadapt-evals' save_summary computes, from the same per-task results."""
    count = len(results)
    success = sum(1 for r in results if r["success"])
    not_infra = [r for r in results if r["error_type"] != "infrastructure"]
    return {
        "benchmark_name": BENCHMARK,
        "run_name": spec.name,
        "model_id": spec.agent.model_id,
        "num_tasks": count,
        "num_success": success,
        "success_rate": success / count if count else 0.0,
        "avg_score": sum(r["score"] for r in results) / count if count else 0.0,
        "avg_steps": sum(r["num_steps"] for r in results) / count if count else 0.0,
        "avg_time_seconds": sum(r["total_time_seconds"] for r in results) / count if count else 0.0,
        "num_infrastructure_failures": count - len(not_infra),
        "num_tasks_excluding_infra": len(not_infra),
        "num_success_excluding_infra": sum(1 for r in not_infra if r["success"]),
        "success_rate_excluding_infra": (
            sum(1 for r in not_infra if r["success"]) / len(not_infra) if not_infra else 0.0
        ),
        "tasks": [
            {
                key: r[key]
                for key in (
                    "task_id",
                    "success",
                    "score",
                    "num_steps",
                    "error",
                    "reason",
                    "error_type",
                )
            }
            for r in results
        ],
    }


def write_live_file(
    out: Output, run_dir: Path, current: TaskDef, agent: AgentSpec, *, total: int, done: int
) -> None:
    """The task in progress: its first steps (screenshots written, no execution.json yet), and
    `benchmark_live.json` beside `benchmark_results/`, where the evaluation process runs."""
    steps = TraceBuilder(agent, current).partial(2)
    task_dir = run_dir / "tasks" / sanitize(current.task_id)
    live_steps = []
    for index, step in enumerate(steps):
        out.screenshot(step.screen, task_dir / f"screenshots/step_{index:03d}.png")
        action = {
            key: step.action[key] for key in ("type", "x", "y", "target_node_id", "text", "key")
        }
        live_steps.append(
            {"step_idx": index, "action": action, "reasoning": None, "screenshot_url": None}
        )
    state = {
        "status": "running",
        "total_tasks": total,
        "tasks_completed": done,
        "current_task": {
            "task_id": current.task_id,
            "instruction": current.template.instruction,
            "domain": current.domain,
            "steps": live_steps,
            "result": None,
        },
    }
    out.writer.write_json(run_dir.parent.parent / LIVE_FILE, state)
