"""Step timelines: a value that changes on given days, as used by departures and policy levers.

A timeline is a list of ``[day, value]`` points, the day a number from the start (0-based) or a
date. A point holds from its day until the next point; before the first point the first value
applies.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

DayLike = int | dt.date
Timeline = list[tuple[DayLike, float]]


def day_number(day: DayLike, start: dt.date) -> int:
    return (day - start).days if isinstance(day, dt.date) else int(day)


def expand(value: float | bool | Timeline, start: dt.date, days: int) -> np.ndarray:
    """One value per day of the run."""
    if not isinstance(value, list):
        return np.full(days, float(value))
    points = sorted((day_number(d, start), float(v)) for d, v in value)
    out = np.full(days, points[0][1])
    for day, v in points:
        out[max(day, 0) :] = v
    return out
