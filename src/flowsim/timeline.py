"""Step timelines: a value that changes on given days, as used by departures and policy levers.

A timeline is a list of ``[day, value]`` points, the day a number from the start (0-based) or a
date. A point holds from its day until the next point. Before the first point the value it would
have without the timeline applies (``before``: a lever's default, 0 departures); a timeline that
starts on day 0 or earlier never uses it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

DayLike = int | dt.date
Timeline = list[tuple[DayLike, float]]


def day_number(day: DayLike, start: dt.date) -> int:
    return (day - start).days if isinstance(day, dt.date) else int(day)


def expand(value: float | bool | Timeline, start: dt.date, days: int,
           before: float | np.ndarray = 0.0) -> np.ndarray:  # fmt: skip
    """One value per day of the run; ``before``: the value (or per-day values) before a
    timeline's first point."""
    if not isinstance(value, list):
        return np.full(days, float(value))
    points = sorted((day_number(d, start), float(v)) for d, v in value)
    out = np.array(np.broadcast_to(np.asarray(before, float), (days,)))
    for day, v in points:
        out[max(day, 0) :] = v
    return out
