"""Text charts for Rich: horizontal bars and sparklines, eighth-cell precision."""

from __future__ import annotations

from collections.abc import Sequence

EIGHTHS = " ▏▎▍▌▋▊▉█"
SPARKS = "▁▂▃▄▅▆▇█"


def bar(fraction: float | None, width: int) -> str:
    """A bar `width` cells wide filled to `fraction` (clamped to 0..1)."""
    if fraction is None or width <= 0:
        return " " * max(0, width)
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, rest = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[rest] if rest else "")
    return text.ljust(width)


def sparkline(values: Sequence[float], width: int | None = None) -> str:
    """One character per value (or per bucket of values when `width` is smaller)."""
    if not values:
        return ""
    if width is not None and 0 < width < len(values):
        size = len(values) / width
        values = [
            sum(chunk) / len(chunk)
            for chunk in (
                values[int(i * size) : max(int(i * size) + 1, int((i + 1) * size))]
                for i in range(width)
            )
        ]
    low, high = min(values), max(values)
    span = high - low
    if span == 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[min(7, int((v - low) / span * 7.999))] for v in values)
