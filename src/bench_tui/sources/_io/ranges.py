"""What a number read from results can be. Outside its range a value is impossible (a score of
-5, 1e26 steps, a task that took 1e308 seconds): readers report it as a located Problem and read
it as None, so it never reaches a figure."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    expected: str
    """What the Problem says was expected: `expected {expected} for 'key', got …`."""

    def holds(self, number: float) -> bool:
        return self.low <= number <= self.high


YEAR_S = 366 * 86400.0

SCORE = Range(0.0, 1.0, "a score from 0 to 1")
RATE = Range(0.0, 1.0, "a rate from 0 to 1")
STEP_COUNT = Range(0, 1_000_000, "a step count from 0 to 1000000")
"""Steps of one episode."""
COUNT = Range(0, 1_000_000_000, "a count from 0 to 1000000000")
"""Tasks, episodes, evaluated steps."""
SECONDS = Range(0.0, YEAR_S, "a duration from 0 to 366 days (in seconds)")
MILLISECONDS = Range(0.0, YEAR_S * 1000.0, "a duration from 0 to 366 days (in milliseconds)")
TIMESTAMP = Range(0.0, 253_402_300_799.0, "a time in seconds from 0 to the end of year 9999")
"""A Unix time, or seconds since a recording started."""
TRAINING_STEP = Range(0, 1_000_000_000_000, "a whole number from 0 to 10^12")
EPOCH = Range(0.0, 1_000_000.0, "an epoch from 0 to 1000000")
AT_LEAST_ZERO = Range(0.0, math.inf, "a number of at least 0")
