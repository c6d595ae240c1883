"""How an outcome, a duration or a model name reads in a table cell or a heading: shared by the
run, task, compare, review and training pages (each page module keeps only its own screen)."""

from __future__ import annotations

from rich.text import Text

from bench_tui.model import Execution
from bench_tui.model.training import TrainingStatus
from bench_tui.tui.palette import BAD, BAD_BOLD, GOOD_BOLD, GOOD_DIM, WARN


def result_cell(execution: Execution | None) -> Text:
    if execution is None:
        return Text("—", style="dim")
    status = execution.status
    if status == "passed":
        return Text("✓ pass", style=GOOD_BOLD)
    if status == "failed":
        if execution.score is not None and 0 < execution.score < 1:
            return Text(f"✗ {execution.score:.2f}", style=BAD)
        return Text("✗ fail", style=BAD)
    if status == "infra":
        return Text("⚠ infra", style=WARN)
    if status == "errored":
        return Text("! error", style=BAD_BOLD)
    return Text("… unfin.", style="dim")


STATUS_RANK = {"passed": 3.0, "failed": 1.0, "infra": 0.5, "errored": 0.2, "unfinished": 0.0}


def outcome_rank(execution: Execution | None) -> float | None:
    """Sorts passes first, then failures by partial score, then infra, errors, unfinished."""
    if execution is None:
        return None
    rank = STATUS_RANK[execution.status]
    if execution.status == "failed" and execution.score:
        rank += min(execution.score, 0.99)
    return rank


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m{rest:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def short_model(model: str, width: int = 12) -> str:
    return model if len(model) <= width else "…" + model[-(width - 1) :]


TRAINING_STATUS_STYLE: dict[str, str] = {"LIVE": GOOD_BOLD, "STALE": WARN, "DONE": GOOD_DIM}


def status_text(status: TrainingStatus) -> Text:
    return Text(("● " if status == "LIVE" else "") + status, style=TRAINING_STATUS_STYLE[status])
