"""Ordering dates read from results.

`datetime.timestamp()` asks the local timezone about naive times and raises for the first and
last days `datetime` can hold (`datetime.min.timestamp()`: "year 0 is out of range"), and naive
and aware times do not compare at all. Dates come from hostile files, so order by arithmetic.
"""

from __future__ import annotations

from datetime import datetime


def date_order(moment: datetime) -> float:
    """Seconds since 0001-01-01: naive times as written, aware ones as UTC. Never raises."""
    seconds = (moment.replace(tzinfo=None) - datetime.min).total_seconds()
    offset = moment.utcoffset()
    return seconds - offset.total_seconds() if offset is not None else seconds
