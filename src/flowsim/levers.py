"""Policy levers: the ``[policy]`` table of a scenario.

Every lever takes one value, a table keyed by id (``{zuwara = 0.8, default = 0.1}``; ``default``
covers ids not named), or a step timeline ``[[day or date, value], ...]``; a table entry may itself
be a timeline. Each lever's meaning, unit, default, what its tables are keyed by and its source
are declared once, on its field; ``flowsim levers`` lists them from there.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from flowsim.timeline import Timeline, expand

Value = StrictBool | float | Timeline
Lever = Value | dict[str, Value]


def _check_range(lo: float, hi: float):
    def check(value: Lever) -> Lever:
        timelines = [value] if isinstance(value, list) else []
        if isinstance(value, dict):
            timelines = [v for v in value.values() if isinstance(v, list)]
        if any(not t for t in timelines):
            raise ValueError("a timeline needs at least one [day, value] point")
        for v in _numbers(value):
            if not (math.isfinite(v) and lo <= v <= hi):
                allowed = (
                    f"finite and >= {lo:g}" if hi == float("inf") else f"between {lo:g} and {hi:g}"
                )
                raise ValueError(f"must be {allowed}, got {v:g}")
        return value

    return check


def _numbers(value: Lever):
    if isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for _, v in value:
            yield float(v)
    else:
        yield float(value)


def lever(default: Any, *, lo: float, hi: float, unit: str, keyed_by: str, meaning: str,
          source: str) -> Any:  # fmt: skip
    """A lever field: its range check and the metadata ``flowsim levers`` prints."""
    extra = {"unit": unit, "keyed_by": keyed_by, "source": source, "range": (lo, hi)}
    return Annotated[Lever, AfterValidator(_check_range(lo, hi)),
                     Field(default=default, description=meaning, json_schema_extra=extra)]  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rescue(_Strict):
    capacity: lever(
        0.0, lo=0, hi=float("inf"), unit="boats in distress answered per day", keyed_by="sea zone",
        meaning="search-and-rescue capacity of a sea zone: boats in distress it can answer a day",
        source="seeds/001:754-757 (duty to rescue; SAR regions); level is an assumption",
    )  # fmt: skip
    response_days: lever(
        0.5, lo=0, hi=30, unit="days", keyed_by="sea zone",
        meaning="time for an answering rescue unit to reach a boat in distress",
        source="assumption (no seed gives response times)",
    )  # fmt: skip


class Interception(_Strict):
    rate: lever(
        0.0, lo=0, hi=1, unit="share of crossings", keyed_by="sea zone",
        meaning="probability that a crossing is intercepted by the departure state's coast guard "
        "and pulled back to the embarkation hub",
        source="seeds/000:154, seeds/002:1367 (interception); level is an assumption",
    )  # fmt: skip
    screening: lever(
        0.0, lo=0, hi=1, unit="share of intercepted people screened (true = 1, false = 0)",
        keyed_by="sea zone",
        meaning="protection screening of intercepted people: those screened and identified as in "
        "need get access to asylum in the departure state instead of being pulled back",
        source="seeds/001:632, seeds/002:1367 (protection-sensitive entry systems)",
    )  # fmt: skip


class Disembarkation(_Strict):
    delay_days: lever(
        0.0, lo=0, hi=60, unit="days", keyed_by="sea zone",
        meaning="stand-off before rescued people are disembarked at a place of safety; each day "
        "aboard adds hazard",
        source="seeds/001:788 (delays endanger lives); level is an assumption",
    )  # fmt: skip


class Enforcement(_Strict):
    level: lever(
        0.0, lo=0, hi=1, unit="0 (none) to 1 (maximum)", keyed_by="embarkation node",
        meaning="anti-smuggling enforcement at an embarkation hub: raises the price, lowers "
        "launches, raises perceived risk, and (if smugglers adapt) worsens boats",
        source="seeds/002:90 (action against smugglers in Djibouti moved departures to Bosasso)",
    )  # fmt: skip


class Closures(_Strict):
    closed: lever(
        0.0, lo=0, hi=1, unit="1 closed, 0 open", keyed_by="edge",
        meaning="a leg closed to travel (a border or road closure): routes using it are not "
        "chosen, and people about to take it choose again",
        source="Flee's closures.csv (border closures); seeds/002:90 (closing a route)",
    )  # fmt: skip


class Policy(_Strict):
    """The levers implemented so far: closures, and point 3 of the 10-Point Plan at sea."""

    closures: Closures = Field(default_factory=Closures)
    rescue: Rescue = Field(default_factory=Rescue)
    interception: Interception = Field(default_factory=Interception)
    disembarkation: Disembarkation = Field(default_factory=Disembarkation)
    enforcement: Enforcement = Field(default_factory=Enforcement)


def lever_specs(model: type[BaseModel] = Policy, prefix: str = "policy") -> list[dict[str, Any]]:
    """Every lever with its path, meaning, unit, default, key and source (for ``flowsim levers``)."""
    out = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.extend(lever_specs(ann, f"{prefix}.{name}"))
            continue
        extra = field.json_schema_extra or {}
        out.append(
            {
                "path": f"{prefix}.{name}",
                "meaning": field.description,
                "unit": extra["unit"],
                "default": field.default,
                "keyed_by": extra["keyed_by"],
                "range": extra["range"],
                "source": extra["source"],
            }
        )
    return out


def lever_timelines(policy: Policy) -> list[tuple[str, Timeline]]:
    """(path, timeline) for every timeline in the levers, for checking their days."""
    out = []
    for spec in lever_specs():
        value = _get(policy, spec["path"])
        entries = value.items() if isinstance(value, dict) else [("", value)]
        for key, v in entries:
            if isinstance(v, list):
                out.append((spec["path"] + (f".{key}" if key else ""), v))
    return out


def lever_table_keys(policy: Policy) -> list[tuple[str, str, list[str]]]:
    """(path, keyed_by, keys) for every lever given as a table, for checking the keys."""
    out = []
    for spec in lever_specs():
        value = _get(policy, spec["path"])
        if isinstance(value, dict):
            out.append((spec["path"], spec["keyed_by"], [k for k in value if k != "default"]))
    return out


def _get(policy: Policy, path: str) -> Lever:
    obj: Any = policy
    for part in path.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def resolve(policy: Policy, path: str, ids: list[str], start: dt.date, days: int) -> np.ndarray:
    """The lever at ``path`` as a [day, id] array of floats over the run."""
    value = _get(policy, path)
    default = _default(path)
    out = np.empty((days, len(ids)))
    if isinstance(value, dict):
        fallback = value.get("default", default)
        for k, ident in enumerate(ids):
            out[:, k] = expand(value.get(ident, fallback), start, days)
    else:
        out[:, :] = expand(value, start, days)[:, None]
    return out


def _default(path: str) -> Value:
    return next(s["default"] for s in lever_specs() if s["path"] == path)
