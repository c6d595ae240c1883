"""The JSON-ready shapes of `summary --json`, `validate --json` and `export` (DESIGN §3, §9)."""

from __future__ import annotations

from typing import Any

from bench_tui.analysis.steps import step_count
from bench_tui.analysis.summary import Figures, figures, model_figures
from bench_tui.analysis.training import summary_figures
from bench_tui.csv_text import csv_cell, csv_line
from bench_tui.json_text import json_output
from bench_tui.model import Problem, Run, TrainingRun, Workspace
from bench_tui.triage.store import TriageLookup

EXPORT_COLUMNS = (
    "run",
    "model",
    "task_id",
    "domain",
    "status",
    "success",
    "score",
    "steps",
    "duration_s",
    "error",
    "labels",
    "note",
)


def _figures_json(fig: Figures) -> dict[str, Any]:
    return {
        "tasks": fig.tasks,
        "finished": fig.finished,
        "succeeded": fig.succeeded,
        "success_rate": fig.success_rate,
        "finished_only_rate": fig.finished_only_rate,
        "errors": fig.errors,
        "infra": fig.infra,
        "unfinished": fig.unfinished,
        "failed_with_error": fig.failed_with_error,
        "mean_score": fig.mean_score,
        "mean_steps": fig.mean_steps,
        "mean_duration_s": fig.mean_duration_s,
    }


def run_json(
    run: Run, labels: dict[str, int] | None = None, triage: TriageLookup | None = None
) -> dict[str, Any]:
    """`labels` defaults to the counts in the run's triage store (DESIGN §9)."""
    if labels is None:
        state = (triage or TriageLookup()).state(run.path)
        labels = state.counts() if state is not None else {}
    models = []
    for entry in model_figures(run):
        body = {"model": entry.model, **_figures_json(entry.overall)}
        body["by_domain"] = {
            domain: {
                "tasks": fig.tasks,
                "succeeded": fig.succeeded,
                "success_rate": fig.success_rate,
            }
            for domain, fig in entry.by_domain.items()
        }
        models.append(body)
    overall = figures(run.executions)
    result: dict[str, Any] = {
        "id": run.id,
        "format": run.format,
        "benchmark": run.benchmark,
        "label": run.label,
        "created_at": run.created_at.isoformat() if run.created_at else None,
        "is_mock": run.is_mock,
        "live": run.live,
        "errors": overall.errors,
        "mean_duration_s": overall.mean_duration_s,
        "finished_only_rate": overall.finished_only_rate,
        "models": models,
        "labels": labels,
    }
    if run.progress is not None:
        result["progress"] = {
            "done": run.progress.done,
            "total": run.progress.total,
            "eta_s": run.progress.eta_s,
        }
    return result


def training_json(training: TrainingRun) -> dict[str, Any]:
    return {
        "id": training.id,
        "path": training.id,
        "model_name": training.model_name,
        "variant": training.variant,
        **summary_figures(training),
    }


def problem_json(problem: Problem) -> dict[str, Any]:
    return {"path": problem.path, "line": problem.line, "message": problem.message}


def summary_json(workspace: Workspace) -> dict[str, Any]:
    triage = TriageLookup()
    return {
        "root": workspace.root,
        "runs": [run_json(run, triage=triage) for run in workspace.runs],
        "evals": [
            {
                "id": report.id,
                "path": report.id,
                "backend": report.backend,
                "config_path": report.config_path,
                "metrics": report.metrics,
            }
            for report in workspace.evals
        ],
        "trainings": [training_json(training) for training in workspace.trainings],
        "episodes": [
            {"id": episode.id, "episode_id": episode.episode_id, "steps": len(episode.steps)}
            for episode in workspace.episodes
        ],
        "problems": [problem_json(p) for p in workspace.sorted_problems()],
    }


def export_rows(workspace: Workspace) -> list[dict[str, Any]]:
    """One row per (run, model, task); AgentLab rows add a `seed` column."""
    triage = TriageLookup()
    return [row for run in workspace.runs for row in run_export_rows(run, triage)]


def run_export_rows(run: Run, triage: TriageLookup | None = None) -> list[dict[str, Any]]:
    """The export rows of one run (the TUI's `e` exports a filtered subset of these)."""
    state = (triage or TriageLookup()).state(run.path)
    domains = {task.task_id: task.domain for task in run.tasks}
    # Task rows show their steps' labels too: a row is the whole task.
    labels = state.task_labels() if state is not None else {}
    rows: list[dict[str, Any]] = []
    for execution in run.executions:
        key = (execution.model, execution.task_id, execution.seed)
        row: dict[str, Any] = {
            "run": run.id,
            "model": execution.model,
            "task_id": execution.task_id,
            "domain": domains.get(execution.task_id),
            "status": execution.status,
            "success": execution.status == "passed",
            "score": execution.score,
            "steps": step_count(execution),
            "duration_s": execution.duration_s,
            "error": execution.error,
            "labels": sorted(labels.get(key, ())),
            "note": state.note_for(*key) if state is not None else None,
        }
        if run.format == "agentlab":
            row["seed"] = execution.seed
        rows.append(row)
    return rows


def render_export(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json_output(rows) + "\n"
    columns = list(EXPORT_COLUMNS)
    if any("seed" in row for row in rows):
        columns.append("seed")
    lines = [csv_line(columns)]
    lines.extend(csv_line([csv_cell(row.get(column)) for column in columns]) for row in rows)
    return "".join(lines)
