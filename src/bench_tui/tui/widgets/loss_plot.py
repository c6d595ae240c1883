"""A loss curve drawn with Braille dots (the raw points faint, an EMA-smoothed line bright), and
the small text charts beside it (loss and learning-rate sparklines, per-epoch mean loss bars).

Braille gives 2×4 dots per cell, enough for a readable curve over SSH without any plotting
dependency. The grid maths is plain Python (`braille_rows`) so it can be tested without an app.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from bench_tui.analysis.training import per_epoch_mean_loss
from bench_tui.model import TrainingRun
from bench_tui.render.charts import bar, sparkline
from bench_tui.tui.palette import ACCENT, INFO

BRAILLE_BASE = 0x2800
# Bit of each dot, indexed [row 0..3][column 0..1] of the 2×4 cell (Unicode Braille order).
DOT_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
DEFAULT_SMOOTHING = 0.8
"""TensorBoard-style EMA weight: high enough to read a noisy per-step loss at a glance."""
GUTTER = 8
LABEL_W = 10


def ema(values: Sequence[float], weight: float = DEFAULT_SMOOTHING) -> list[float]:
    """Exponential moving average, debiased so the first points are not pulled towards 0."""
    if not 0 <= weight < 1:
        raise ValueError(f"EMA weight must be in [0, 1), got {weight}")
    smoothed: list[float] = []
    last = 0.0
    for count, value in enumerate(values, start=1):
        last = last * weight + (1 - weight) * value
        smoothed.append(last / (1 - weight**count))
    return smoothed


def _line(x0: int, y0: int, x1: int, y1: int) -> list[tuple[int, int]]:
    """Dots from (x0, y0) to (x1, y1) (Bresenham), so the curve has no gaps between points."""
    dots = []
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    error = dx + dy
    while True:
        dots.append((x0, y0))
        if x0 == x1 and y0 == y1:
            return dots
        twice = 2 * error
        if twice >= dy:
            error += dy
            x0 += sx
        if twice <= dx:
            error += dx
            y0 += sy


def braille_rows(
    series: Sequence[tuple[Sequence[float], Sequence[float]]],
    width: int,
    height: int,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
) -> list[list[tuple[int, int]]]:
    """`height` rows of `width` cells; each cell is (dot bits, mask of the series drawn in it)."""
    cells = [[(0, 0) for _ in range(width)] for _ in range(height)]
    dots_w, dots_h = width * 2, height * 4
    x_low, x_high = x_range
    y_low, y_high = y_range
    x_span = (x_high - x_low) or 1.0
    y_span = (y_high - y_low) or 1.0

    def dot(x: float, y: float) -> tuple[int, int]:
        column = round((x - x_low) / x_span * (dots_w - 1))
        row = round((y_high - y) / y_span * (dots_h - 1))  # high values at the top
        return max(0, min(dots_w - 1, column)), max(0, min(dots_h - 1, row))

    for index, (xs, ys) in enumerate(series):
        points = [dot(x, y) for x, y in zip(xs, ys, strict=False)]
        path = points[:1]
        for start, end in zip(points, points[1:], strict=False):
            path.extend(_line(*start, *end)[1:])
        for column, row in path:
            bits, mask = cells[row // 4][column // 2]
            cells[row // 4][column // 2] = (
                bits | DOT_BITS[row % 4][column % 2],
                mask | (1 << index),
            )
    return cells


def _tick(value: float) -> str:
    return f"{value:.4g}"[: GUTTER - 1].rjust(GUTTER - 1)


class LossPlot(Widget):
    """Loss per step; `set_points()` redraws. Epoch starts are marked with a faint `┊`."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "loss-plot--raw",
        "loss-plot--smooth",
        "loss-plot--axis",
    }

    def __init__(
        self,
        *,
        smoothing: float = DEFAULT_SMOOTHING,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.smoothing = smoothing
        self.steps: list[float] = []
        self.values: list[float] = []
        self.epoch_starts: list[float] = []

    def set_points(
        self,
        steps: Sequence[float],
        values: Sequence[float],
        epoch_starts: Sequence[float] = (),
    ) -> None:
        self.steps = list(steps)
        self.values = list(values)
        self.epoch_starts = list(epoch_starts)
        self.refresh()

    def render(self) -> Text:
        width, height = self.content_size
        raw = self.get_component_rich_style("loss-plot--raw", partial=True)
        smooth = self.get_component_rich_style("loss-plot--smooth", partial=True)
        axis = self.get_component_rich_style("loss-plot--axis", partial=True)
        text = Text(no_wrap=True, overflow="crop")
        text.append("▪ raw", style=raw)
        text.append(f"   ▪ EMA {self.smoothing:g}", style=smooth)
        text.append("   ┊ epoch start", style=axis)
        plot_w, plot_h = width - GUTTER, height - 2
        if len(self.values) < 2 or plot_w < 4 or plot_h < 2:
            text.append("\n" + ("no loss points yet" if not self.values else "one loss point"))
            return text
        low, high = min(self.values), max(self.values)
        x_range = (self.steps[0], self.steps[-1])
        rows = braille_rows(
            [(self.steps, self.values), (self.steps, ema(self.values, self.smoothing))],
            plot_w,
            plot_h,
            x_range,
            (low, high),
        )
        boundary_columns = self._boundary_columns(plot_w, x_range)
        labels = {0: _tick(high), plot_h // 2: _tick((low + high) / 2), plot_h - 1: _tick(low)}
        for row_index, row in enumerate(rows):
            text.append("\n" + labels.get(row_index, " " * (GUTTER - 1)) + "│", style=axis)
            for column, (bits, mask) in enumerate(row):
                if bits:
                    style: Style = smooth if mask & 2 else raw
                    text.append(chr(BRAILLE_BASE + bits), style=style)
                elif column in boundary_columns:
                    text.append("┊", style=axis)
                else:
                    text.append(" ")
        first, last = f"step {self.steps[0]:g}", f"{self.steps[-1]:g}"
        gap = max(1, plot_w - len(first) - len(last))
        text.append("\n" + " " * (GUTTER - 1) + "└" + first + " " * gap + last, style=axis)
        return text

    def _boundary_columns(self, plot_w: int, x_range: tuple[float, float]) -> set[int]:
        span = (x_range[1] - x_range[0]) or 1.0
        return {
            round((start - x_range[0]) / span * (plot_w * 2 - 1)) // 2
            for start in self.epoch_starts
            if x_range[0] < start <= x_range[1]
        }


class TrainingCharts(Widget):
    """Sparklines of loss and learning rate and the per-epoch mean loss bars, sized to fit."""

    def __init__(self, run: TrainingRun, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.run = run

    def set_run(self, run: TrainingRun) -> None:
        self.run = run
        self.refresh(layout=True)

    def render(self) -> Text:
        width = max(10, self.content_size.width - LABEL_W - 22)
        run = self.run
        losses = [p.loss for p in run.losses]
        rates = [p.lr for p in run.losses if p.lr is not None]
        text = Text(no_wrap=True, overflow="crop")
        text.append("loss".ljust(LABEL_W), style="bold")
        text.append(sparkline(losses, width), style=INFO)
        if losses:
            text.append(f" {losses[0]:.4g} → {losses[-1]:.4g}", style="dim")
        text.append("\n" + "lr".ljust(LABEL_W), style="bold")
        if rates:
            text.append(sparkline(rates, width), style=ACCENT)
            text.append(f" peak {max(rates):.2g}, last {rates[-1]:.2g}", style="dim")
        else:
            text.append("not logged", style="dim")
        means = per_epoch_mean_loss(run)
        if means:
            text.append("\nmean loss per epoch", style="bold")
            top = max(means.values()) or 1.0
            for epoch, value in means.items():
                text.append(f"\n  epoch {epoch + 1:<{LABEL_W - 8}}")
                text.append(bar(value / top, width), style=INFO)
                text.append(f" {value:.4f}")
        return text
