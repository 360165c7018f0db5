"""Flee input directories: import them as flowsim scenarios, and read their validation data.

Flee (djgroen/flee) describes a case with CSV files in one folder: ``locations.csv``,
``routes.csv``, ``closures.csv``, ``conflicts.csv``, ``sim_period.csv`` and
``registration_corrections.csv``; UNHCR camp counts sit in a validation folder with
``data_layout.csv``. Any such folder loads; the mapping is:

- locations become nodes: ``conflict_zone`` → role origin, ``town`` and any other type → transit,
  ``camp`` → camp with ``capacity`` = its population × ``capacity_scaling``; ids are the names
  lower-cased with other characters turned into ``_``;
- routes become two-way land legs with their distance, and ``days`` = ceil(distance / speed);
- ``behaviour.arrival.onward_probability`` is set to 0.1 a day (tuned, see docs/MODEL.md);
- Flee has no asylum procedures: nobody lodges a claim (``behaviour.protection.apply_*`` = 0), so
  people at a camp have a place (in_reception) or wait without one (destitute) and move on;
  nobody knows of a legal channel (``behaviour.legal.awareness`` = 0);
- closures (``country``, ``location`` or ``link``) become ``policy.closures.closed`` timelines on
  the legs they close, closed from the start day until the end day (when Flee reopens them);
- with a validation folder, the scenario runs in **forced-inflow** mode (Flee's validation
  protocol): each day, as many new agents as the summed observed camp counts rose that day (a fall
  is carried as a debt against later rises, as Flee does), placed at conflict locations with
  weight population × conflict intensity × Flee's conflict spawn decay; camps start with their
  day-0 observed population.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from flowsim.errors import ScenarioError
from flowsim.scenario import Scenario, validate

# Flee 3 validation settings (flee3_validation_simsetting.yml: move_rules.max_move_speed,
# spawn_rules.conflict_spawn_decay and its 30-day interval)
FLEE_SPEED_KM_PER_DAY = 200.0
FLEE_SPAWN_DECAY = (1.0, 1.0, 1.0, 0.5, 0.1)
FLEE_DECAY_INTERVAL_DAYS = 30
PROFILE = "displaced"
# Tuned (docs/MODEL.md, "Flee cases"): in Flee a camp over capacity stops drawing people at once,
# so those who reach a full camp are re-routed within days, not the default's ~50 days. A mean
# wait of 10 days before moving on stands for that; it was chosen from a sweep on Mali 2012
# (0.02, 0.03, 0.05, 0.1, 0.2 per day), not as the best point of it (0.2 scored better).
FLEE_ONWARD_PROBABILITY = 0.1


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "node"


def _rows(path: Path) -> list[list[str]]:
    """CSV rows without blank lines and without a header or comment line starting with '#'."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = [[c.strip() for c in r] for r in csv.reader(f) if r and any(c.strip() for c in r)]
    return [r for r in rows if not r[0].startswith("#")]


def _require(path: Path) -> Path:
    if not path.is_file():
        raise ScenarioError(f"{path}: missing; a Flee input folder needs locations.csv and "
                            "routes.csv (closures, conflicts, sim_period are optional)")  # fmt: skip
    return path


def read_flee(
    input_dir: str | Path,
    validation_dir: str | Path | None = None,
    *,
    speed_km_per_day: float = FLEE_SPEED_KM_PER_DAY,
    capacity_scaling: float = 1.0,
    onward_probability: float = FLEE_ONWARD_PROBABILITY,
) -> dict[str, Any]:
    """A Flee case as TOML-shaped scenario data (see the module docstring)."""
    src = Path(input_dir)
    start, days = _sim_period(src)
    locations = _rows(_require(src / "locations.csv"))
    if locations and locations[0][0].lower() in ("name", "#name"):
        locations = locations[1:]
    ids: dict[str, str] = {}
    nodes, countries = [], {}
    for row in locations:
        name, _region, country, lat, lon, kind = row[:6]
        conflict_date = row[6] if len(row) > 6 else ""
        population = float(row[7]) if len(row) > 7 and row[7] else 0.0
        ident = slug(name)
        while ident in ids.values():
            ident += "_"
        ids[name] = ident
        countries[ident] = country
        roles = {"conflict_zone": ["origin"], "camp": ["camp"]}.get(kind, ["transit"])
        node: dict[str, Any] = {
            "id": ident, "name": name, "country": country, "lat": float(lat), "lon": float(lon),
            "roles": roles, "population": population,
        }  # fmt: skip
        if kind == "camp":
            node["capacity"] = population * capacity_scaling
            node["attractiveness"] = {"safety": 1.0, "livelihood": 1.0, "family": 1.0}
        if kind == "conflict_zone" and conflict_date:
            node["_conflict_date"] = int(float(conflict_date))
        nodes.append(node)

    def known(name: str, where: str) -> str:
        if name not in ids:
            raise ScenarioError(f"{where}: unknown location '{name}'; not in locations.csv")
        return ids[name]

    edges = []
    for row in _rows(_require(src / "routes.csv")):
        a = known(row[0], f"{src / 'routes.csv'}")
        b = known(row[1], f"{src / 'routes.csv'}")
        distance = float(row[2])
        edges.append({
            "from": a, "to": b, "mode": "land", "distance_km": distance,
            "days": max(1, math.ceil(distance / speed_km_per_day)), "both_ways": True,
        })  # fmt: skip

    data: dict[str, Any] = {
        "simulation": {
            "name": slug(src.resolve().parent.name if src.name == "input" else src.name),
            "description": f"Flee case imported from {src}",
            "start_date": start,
            "days": days,
            "seed": 1,
        },  # fmt: skip
        "nodes": nodes,
        "edges": edges,
        "profiles": [
            {
                "id": PROFILE,
                "name": "people displaced by conflict",
                "protection_need": 1.0,
                "motives": {"safety": 1.0},
                "resources": {"mean": 1000.0, "sd": 0.0},
                "risk_tolerance": {"mean": 0.5, "sd": 0.1},
            }
        ],  # fmt: skip
        "behaviour": {
            "arrival": {"onward_probability": onward_probability},
            "protection": {"apply_in_need": 0.0, "apply_not_in_need": 0.0},
            "legal": {"awareness": 0.0},
        },
        "policy": {},
    }
    closed = _closures(src, ids, countries, edges, days)
    if closed:
        data["policy"]["closures"] = {"closed": closed}
    conflict = _conflicts(src, ids, nodes, days)
    for n in nodes:
        n.pop("_conflict_date", None)
    if validation_dir is not None:
        _forced_inflow(data, Path(validation_dir), src, ids, conflict, start, days)
    return data


def load_flee(
    input_dir: str | Path, validation_dir: str | Path | None = None, overrides=None, **options
) -> Scenario:
    """A Flee case as a validated scenario (forced-inflow mode when validation data is given)."""
    return validate(read_flee(input_dir, validation_dir, **options), source=str(input_dir),
                    overrides=overrides)  # fmt: skip


def sibling_validation(input_dir: Path) -> Path | None:
    """The validation folder next to a Flee input folder (``<case>/validation``), if any."""
    for candidate in (input_dir.parent / "validation", input_dir / "validation"):
        if (candidate / "data_layout.csv").is_file():
            return candidate
    return None


# -- parts --------------------------------------------------------------------------------------


def _sim_period(src: Path) -> tuple[dt.date, int]:
    path = src / "sim_period.csv"
    if not path.is_file():
        return dt.date(2000, 1, 1), 300
    values = {r[0].lower(): r[1] for r in _rows(path) if len(r) > 1}
    try:
        return dt.date.fromisoformat(values["startdate"]), int(values["length"])
    except (KeyError, ValueError) as e:
        raise ScenarioError(
            f"{path}: expected rows StartDate,YYYY-MM-DD and Length,N ({e})"
        ) from None


def _closures(src: Path, ids, countries, edges, days: int) -> dict[str, list]:
    """Closed legs as timelines: closed from the closure's start day until its end day, when
    Flee reopens it; overlapping closures of one leg add up to one closed stretch."""
    path = src / "closures.csv"
    if not path.is_file():
        return {}
    closed: dict[str, np.ndarray] = {}
    for row in _rows(path):
        kind, a, b, first, last = row[0], row[1], row[2], int(row[3]), int(row[4])
        for e in edges:
            for x, y in ((e["from"], e["to"]), (e["to"], e["from"])):
                hit = (
                    (kind == "country" and {countries[x], countries[y]} == {a, b})
                    or (kind == "location" and ids.get(a) in (x, y))
                    or (kind == "link" and {ids.get(a), ids.get(b)} == {x, y})
                )
                if hit:
                    series = closed.setdefault(f"{x}-{y}", np.zeros(days))
                    series[max(first, 0) : max(last, 0)] = 1.0
    return {k: _as_timeline(v) for k, v in closed.items() if v.any()}


def _conflicts(src: Path, ids, nodes, days: int) -> dict[str, np.ndarray]:
    """Conflict intensity per location and day: conflicts.csv if present, else 1 from
    conflict_date. As in Flee, any location named there with conflict becomes an origin too."""
    out = {n["id"]: np.zeros(days) for n in nodes if "origin" in n["roles"]}
    path = src / "conflicts.csv"
    if path.is_file():
        with open(path, encoding="utf-8", newline="") as f:
            rows = [[c.strip() for c in r] for r in csv.reader(f) if r]
        if not rows:
            raise ScenarioError(f"{path}: empty; expected a header '#Day,<location>,...' and a row "
                                "per day")  # fmt: skip
        header = [h.lstrip("#").strip() for h in rows[0]]
        for name in header[1:]:
            if name in ids:
                out.setdefault(ids[name], np.zeros(days))
        for r in rows[1:]:
            day = int(float(r[0]))
            if not 0 <= day < days:
                continue
            for name, value in zip(header[1:], r[1:], strict=False):
                if name in ids and ids[name] in out:
                    out[ids[name]][day:] = float(value)
    else:
        for n in nodes:
            if n["id"] in out and "_conflict_date" in n:
                out[n["id"]][max(0, n["_conflict_date"]) :] = 1.0
    for n in nodes:
        if n["id"] in out and out[n["id"]].any() and "origin" not in n["roles"]:
            n["roles"].append("origin")
    return {k: v for k, v in out.items() if v.any() or k in _origins(nodes)}


def _origins(nodes) -> set[str]:
    return {n["id"] for n in nodes if "origin" in n["roles"]}


def _decay(intensity: np.ndarray) -> np.ndarray:
    """Flee's conflict spawn decay, by days since the conflict began at this location."""
    started = np.flatnonzero(intensity > 0)
    out = np.zeros_like(intensity)
    if started.size:
        since = np.arange(intensity.size) - started[0]
        step = np.minimum(
            np.maximum(since, 0) // FLEE_DECAY_INTERVAL_DAYS, len(FLEE_SPAWN_DECAY) - 1
        )
        out = np.asarray(FLEE_SPAWN_DECAY)[step]
    return out


def _as_timeline(values: np.ndarray) -> list[list[float]]:
    """A daily series as a step timeline: a point wherever the value changes."""
    points = [[0, float(values[0])]]
    for d in np.flatnonzero(np.diff(values)) + 1:
        points.append([int(d), float(values[d])])
    return points


def _forced_inflow(data, vdir: Path, src: Path, ids, conflict, start, days) -> None:
    names, observed = observed_camps(vdir, start, days, src / "registration_corrections.csv")
    total = observed.sum(axis=1)
    daily, debt = [0.0], 0.0
    for d in range(1, days):
        new = total[d] - total[d - 1] - debt
        debt = -new if new < 0 else 0.0
        daily.append(max(0.0, new))
    pop = {n["id"]: n["population"] for n in data["nodes"]}
    weights = {
        o: _as_timeline(pop[o] * intensity * _decay(intensity))
        for o, intensity in conflict.items()
        if intensity.any()
    }
    data["forced_inflow"] = {"profile": PROFILE, "daily": daily, "weights": weights}
    for name, first in zip(names, observed[0], strict=True):
        node = next((n for n in data["nodes"] if n["name"] == name), None)
        if node is None:
            raise ScenarioError(
                f"{vdir / 'data_layout.csv'}: camp '{name}' is not in locations.csv"
            )
        if first > 0:
            node["initial_population"] = {PROFILE: float(first)}


def observed_camps(
    vdir: str | Path, start: dt.date, days: int, corrections: str | Path | None = None
) -> tuple[list[str], np.ndarray]:
    """Camp names and their observed counts per day [day, camp], interpolated linearly by day.

    Before a camp's first observation its first value holds, after its last the last one, as in
    Flee. A registration correction ("normalize" at a date) scales all of that camp's earlier
    observations by (value at the date) / (the value before it), as Flee does.
    """
    vdir = Path(vdir)
    layout = _rows(_require(vdir / "data_layout.csv"))
    table = {}
    for row in layout:
        if row[0].lower() == "total":
            continue
        points = []
        for r in _rows(_require(vdir / row[1])):
            try:
                points.append(((dt.date.fromisoformat(r[0]) - start).days, float(r[1])))
            except ValueError:
                continue  # a header line
        if not points:
            raise ScenarioError(f"{vdir / row[1]}: no dated counts (rows 'YYYY-MM-DD,count')")
        table[row[0]] = sorted(points)
    if corrections is not None and Path(corrections).is_file():
        for r in _rows(Path(corrections)):
            name, day = r[0], (dt.date.fromisoformat(r[1]) - start).days
            points = table.get(name, [])
            for i, (d, v) in enumerate(points):
                if d == day and i > 0 and points[i - 1][1] > 0:
                    factor = v / points[i - 1][1]
                    points[:i] = [(dd, vv * factor) for dd, vv in points[:i]]
    names = list(table)
    out = np.zeros((days, len(names)))
    grid = np.arange(days)
    for k, name in enumerate(names):
        d, v = zip(*table[name], strict=True)
        out[:, k] = np.floor(np.interp(grid, d, v))
    return names, out
