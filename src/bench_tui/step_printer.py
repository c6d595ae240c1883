"""`bench-tui show`: one step printed for scripts, CI logs and `less -R`.

The same step numbering (1-based) and the same drawn action as the task page. The screenshot is
drawn by rich-pixels (half-blocks) or, where `--images` asks for them, textual-image's Kitty or
Sixel renderables; piped output is text only unless `--images` asks, and never carries an escape
sequence from the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.text import Text

from bench_tui.model import Execution, Problem, Run, Step, Task
from bench_tui.render.images import ImageUnavailable, prepare_image, step_markers
from bench_tui.safetext import data, visible

MAX_IMAGE_ROWS = 40
"""Half-block rows at most: two pixel rows each, so a wide terminal still fits the screen."""


@dataclass(frozen=True)
class ShownStep:
    run: Run
    execution: Execution
    task: Task | None
    steps: list[Step]
    number: int
    """1-based, as on the task page."""
    problems: list[Problem]


def step_text(shown: ShownStep) -> Text:
    """Header, action and reasoning of the step, as plain styled text (data made visible)."""
    run, execution, step = shown.run, shown.execution, shown.steps[shown.number - 1]
    text = Text()
    text.append_text(data(f"{run.id} · {execution.model} · {execution.task_id}", "bold"))
    outcome = execution.status + (
        f", score {execution.score:g}" if execution.score is not None else ""
    )
    text.append(f"  ({outcome})\n", style="dim")
    if shown.task is not None and shown.task.instruction:
        text.append_text(data(shown.task.instruction, "italic"))
        text.append("\n")
    text.append(f"step {shown.number}/{len(shown.steps)}", style="bold")
    if step.source_number is not None:
        text.append(f"  file #{step.source_number}", style="dim")
    text.append("\n")
    for action in step.actions or []:
        text.append("▶ ")
        text.append_text(data(action.describe(), "bold", one_line=True))
        text.append("\n")
    if not step.actions:
        text.append("▶ (no action recorded)\n", style="dim")
    reasoning = step.reasoning or step.raw_output
    if reasoning:
        text.append("reasoning: ", style="bold")
        text.append_text(data(reasoning.strip()))
        text.append("\n")
    for problem in shown.problems:
        text.append_text(data(f"⚠ {problem.located()}", "yellow", one_line=True))
        text.append("\n")
    return text


def screenshot_renderable(step: Step, mode: str, width: int) -> object | None:
    """The step's screenshot with its action drawn, `width` cells wide, or a line saying why not."""
    if mode == "none":
        return None
    if step.screenshot is None:
        return Text("(no screenshot recorded for this step)", style="dim")
    markers = step_markers(step.actions)
    try:
        image = prepare_image(Path(step.screenshot), (width, MAX_IMAGE_ROWS * 2), markers)
    except (ImageUnavailable, OSError, ValueError) as exc:
        return Text(f"(screenshot unavailable: {visible(exc, one_line=True)})", style="yellow")
    if mode in ("kitty", "sixel"):
        # Imported only when asked for: textual-image probes the terminal at import.
        from textual_image.renderable import sixel, tgp

        renderer = tgp.Image if mode == "kitty" else sixel.Image
        return renderer(image, width=width)
    from rich_pixels import Pixels

    # rich-pixels leaves from_image's return type unannotated.
    pixels: Pixels = Pixels.from_image(image)
    return pixels


def print_step(shown: ShownStep, console: Console, mode: str) -> None:
    console.print(step_text(shown))
    step = shown.steps[shown.number - 1]
    width = max(8, min(console.width, 160))
    image = screenshot_renderable(step, mode, width)
    if image is not None:
        console.print(image)


def pick_images(requested: str | None, to_terminal: bool) -> str:
    """auto: half-blocks on a terminal, nothing on a pipe; anything else as asked."""
    if requested in (None, "auto"):
        return "halfblock" if to_terminal else "none"
    return requested
