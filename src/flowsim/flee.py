"""Flee input folders: import them as flowsim scenarios, and read their validation data.

Flee (djgroen/flee) describes a case with CSV files in one folder (``input/`` or FabFlee's
``input_csv/``): ``locations.csv``, ``routes.csv``, ``closures.csv``, ``conflicts.csv``,
``sim_period.csv`` and ``registration_corrections.csv``; UNHCR camp counts sit in a validation
folder (``validation/`` or FabFlee's ``source_data/``) with ``data_layout.csv``. Every file is
checked as it is read: a problem is one line naming the file, line, column and value
(``ScenarioError``); what flowsim reads differently from Flee, or leaves out, is a warning line on
stderr (``flowsim: warning: ...``). The mapping (docs/MODEL.md §10):

- locations become nodes, by Flee's own reading of ``location_type`` (``Location.__init__``: the
  words are matched case-insensitively inside the type, in this order): ``camp`` (``idpcamp``
  too) → role camp with ``capacity`` = population × ``capacity_scaling``; ``conflict`` → role
  origin; ``forward``, ``marker``, ``flood_zone``, ``town`` and ``default`` → transit. Any other
  type is an error. Ids are the names lower-cased, accents dropped, other characters ``_``;
- routes become two-way land legs with their distance, and ``days`` = ceil(distance / speed);
- closures of every kind Flee enacts (``Ecosystem.enact_border_closures``): ``country``,
  ``location`` and ``link`` close legs both ways, ``camp`` and ``idpcamp`` close the legs into the
  camp, from the start day until the end day (when Flee reopens them);
  ``remove_forced_redirection`` changes nothing here (flowsim has no forced redirection);
- conflicts as Flee reads them (``InputGeography.AddNewConflictZones``): a location is in conflict
  from the day its ``conflicts.csv`` value rises above 0, at that day's intensity, until the
  value falls to 0; ``conflict_zone`` locations with ``conflict_date`` ≤ 0 are in conflict from
  the start; without ``conflicts.csv``, from their ``conflict_date``;
- movement as Flee moves people and as calibrated on Mali 2012 (docs/MODEL.md §10.9): legs
  travelled by distance at the import speed, chained within a day (``behaviour.travel.day_km``),
  ``behaviour.arrival.onward_probability`` 0.92 a day, ``behaviour.travel.transit_move_chance``
  0.92, and ``behaviour.route_choice`` ``w_days`` 0.013, ``noise`` 1.2,
  ``routes_per_destination`` 1 (``FLEE_BEHAVIOUR``);
- Flee has no asylum procedures: nobody lodges a claim (``behaviour.protection.apply_*`` = 0), so
  people at a camp have a place (in_reception) or wait without one (destitute) and move on;
  nobody knows of a legal channel (``behaviour.legal.awareness`` = 0);
- people enter in **forced-inflow** mode (Flee's validation protocol): each day, as many new agents
  as the summed observed camp counts rose that day (a fall is carried as a debt against later
  rises, as Flee does), or as an ``--inflow`` file says, placed at locations in conflict with
  weight population × conflict intensity × Flee's conflict spawn decay; camps start with their
  day-0 observed population. A folder with neither validation data nor an inflow is an error:
  it would simulate nobody.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from flowsim.errors import ScenarioError
from flowsim.scenario import MAX_DAYS, Scenario, validate

# Flee 3 validation settings (flee3_validation_simsetting.yml: move_rules.max_move_speed,
# spawn_rules.conflict_spawn_decay and its 30-day interval)
FLEE_SPEED_KM_PER_DAY = 200.0
FLEE_SPAWN_DECAY = (1.0, 1.0, 1.0, 0.5, 0.1)
FLEE_DECAY_INTERVAL_DAYS = 30
PROFILE = "displaced"
# Calibrated on Mali 2012 only (docs/MODEL.md §10.9: `flowsim calibrate` with
# experiments/specs/flee_movement.toml, Optuna TPE, 60 trials x 3 seeds, rescaled ARD 0.186; the
# optimum is flat, so the best point is rounded). Flee cases only: the other scenarios keep
# flowsim's defaults. People who reach a full camp move on within about a day (in Flee a camp
# over capacity stops drawing people at once); 8% a day stop over at a town on the way (Flee's
# default_movechance is the same rule); each route's shortest path only, with a larger random
# term than the default.
FLEE_ONWARD_PROBABILITY = 0.92
FLEE_BEHAVIOUR = {
    "travel": {"transit_move_chance": 0.92},
    "route_choice": {"w_days": 0.013, "noise": 1.2, "routes_per_destination": 1},
}

# The location types Flee 3 knows (flee/flee.py, Location.__init__): a word matched
# case-insensitively inside location_type, tried in this order; the kind it gives; flowsim roles.
LOCATION_WORDS = (
    ("camp", "camp"),  # "idp" in it as well: an IDP camp
    ("conflict", "conflict_zone"),
    ("forward", "forward"),
    ("marker", "marker"),
    ("flood_zone", "flood_zone"),  # DFlee
    ("default", "town"),
    ("town", "town"),
)
LOCATION_ROLES = {
    "camp": ["camp"], "idpcamp": ["camp"], "conflict_zone": ["origin"], "forward": ["transit"],
    "marker": ["transit"], "flood_zone": ["transit"], "town": ["transit"],
}  # fmt: skip
ALLOWED_TYPES = "conflict_zone, town, camp, idpcamp, forward, marker, flood_zone or default"
# closures.csv kinds Flee enacts (flee/flee.py, Ecosystem.enact_border_closures)
CLOSURE_KINDS = ("country", "location", "link", "camp", "idpcamp", "remove_forced_redirection")
# Flee's conflict threshold (InputGeography.AddNewConflictZones)
CONFLICT_EPS = 0.000001
MAX_COUNT = 1e9  # persons in one observation or one day's inflow
MAX_LEG_DAYS = 365  # the longest leg a scenario allows (scenario.Edge.days)
# Flee files flowsim does not read (named in a warning when a folder has them)
UNREAD = ("location_changes.csv", "flood_level.csv", "agents.csv", "major_routes.csv")
UNREAD_PREFIXES = ("demographics_", "region_attributes_", "location_attributes_")
INFLOW_DAILY = ("new_arrivals", "new", "arrivals")
INFLOW_TOTAL = ("total", "refugees", "refugee_numbers")


def warn(message: str) -> None:
    """One warning line on stderr."""
    print(f"flowsim: warning: {message}", file=sys.stderr, flush=True)


def slug(name: str) -> str:
    """A node id from a Flee name: lower case, accents dropped, runs of other characters '_'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_") or "node"


def _show(value: str, limit: int = 40) -> str:
    """A cell's text for a one-line message: control characters escaped, long text cut."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- CSV files, checked ----------------------------------------------------------------------


@dataclass
class CsvFile:
    """The non-blank rows of a CSV file with their line numbers; cells stripped."""

    path: Path
    rows: list[tuple[int, list[str]]]

    def fail(self, line: int, col: int | None, name: str, value: str | None, allowed: str):
        where = f"line {line}" + (f", column {col} ({name})" if col is not None else "")
        shown = f": value '{_show(value)}'" if value is not None else ""
        return ScenarioError(f"{self.path}: {where}{shown}: {allowed}")

    def data(self, header_words: tuple[str, ...] = ()) -> list[tuple[int, list[str]]]:
        """Rows that are not comments ('#' first, as Flee skips them) nor a header line whose
        first cell is one of ``header_words``."""
        out = []
        for k, (line, cells) in enumerate(self.rows):
            if cells[0].startswith("#"):
                continue
            if k == 0 and cells[0].lower() in header_words:
                continue
            out.append((line, cells))
        return out


def read_csv(path: Path, what: str) -> CsvFile:
    """Read a CSV file as UTF-8 (a BOM is allowed); a missing, binary or undecodable file is one
    line naming it (``what`` says what the file should hold)."""
    if not path.is_file():
        raise ScenarioError(f"{path}: missing; {what}")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ScenarioError(f"{path}: cannot be read ({e.strerror or e})") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError(f"{path}: UTF-16 text; save the file as UTF-8")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise ScenarioError(f"{path}: line {line}: binary content (a NUL byte), not CSV text"
                            + (f"; {what}" if what else ""))  # fmt: skip
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
        pos = e.start  # counted after the BOM, if any
        line = body.count(b"\n", 0, pos) + 1
        col = pos - (body.rfind(b"\n", 0, pos) + 1) + 1
        raise ScenarioError(
            f"{path}: line {line}, column {col} (byte): value '0x{body[pos]:02x}': not UTF-8 "
            "text; save the file as UTF-8"
        ) from None
    rows, last = [], 0
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        for cells in reader:
            line, last = last + 1, reader.line_num
            cells = [c.strip() for c in cells]
            while cells and cells[-1] == "" and len(cells) > 1:
                cells.pop()  # trailing empty cells (a trailing comma) carry nothing
            if cells and any(cells):
                rows.append((line, cells))
    except csv.Error as e:
        raise ScenarioError(f"{path}: line {last + 1}: not valid CSV ({e})") from None
    return CsvFile(path, rows)


def _columns(cells: list[str], expected: str) -> str:
    """'N columns; expected ...', with a hint when the row looks split by another separator."""
    text = f"{len(cells)} column{'s' * (len(cells) != 1)}; expected {expected}"
    if len(cells) == 1 and any(sep in cells[0] for sep in ";\t|"):
        text += " (separated by ';', tab or '|'? Flee files use commas)"
    return text


def _number(
    f: CsvFile, line: int, cells: list[str], col: int, name: str, *, allowed: str,
    minimum: float | None = 0.0, maximum: float | None = None, whole: bool = False,
    empty: float | None = None,
) -> float:  # fmt: skip
    """The number in column ``col`` (0-based) of a row, checked; ``empty`` stands for a missing
    or empty cell if given, else that is an error too."""
    text = cells[col] if col < len(cells) else ""
    if text == "" and empty is not None:
        return empty
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    ok = (
        math.isfinite(value)
        and (minimum is None or value >= minimum)
        and (maximum is None or value <= maximum)
        and (not whole or value == int(value))
    )
    if not ok:
        raise f.fail(line, col + 1, name, text, allowed)
    return value


def parse_date(text: str) -> dt.date | None:
    """A date as Flee writes it (YYYY-MM-DD, zero-padding optional), else None."""
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        return None


# -- the case ----------------------------------------------------------------------------------


@dataclass
class Location:
    line: int
    name: str
    ident: str
    kind: str
    country: str
    lat: float
    lon: float
    population: float
    conflict_date: int | None


@dataclass
class FleeCase:
    """A Flee case as scenario data, with the observed counts of the camps it is compared on."""

    data: dict[str, Any]
    camps: list[str] = field(default_factory=list)  # layout camps that are camps here
    observed: np.ndarray | None = None  # [day, camp] counts of those camps


def read_flee(
    input_dir: str | Path,
    validation_dir: str | Path | None = None,
    *,
    inflow: str | Path | None = None,
    speed_km_per_day: float = FLEE_SPEED_KM_PER_DAY,
    capacity_scaling: float = 1.0,
    onward_probability: float = FLEE_ONWARD_PROBABILITY,
) -> dict[str, Any]:
    """A Flee case as TOML-shaped scenario data (see the module docstring)."""
    return read_flee_case(input_dir, validation_dir, inflow=inflow,
                          speed_km_per_day=speed_km_per_day, capacity_scaling=capacity_scaling,
                          onward_probability=onward_probability).data  # fmt: skip


def read_flee_case(
    input_dir: str | Path,
    validation_dir: str | Path | None = None,
    *,
    inflow: str | Path | None = None,
    speed_km_per_day: float = FLEE_SPEED_KM_PER_DAY,
    capacity_scaling: float = 1.0,
    onward_probability: float = FLEE_ONWARD_PROBABILITY,
) -> FleeCase:
    """Read and check every file of a Flee case; the scenario data and the compared camps."""
    src = Path(input_dir)
    if not src.is_dir():
        raise ScenarioError(f"{src}: not a folder; give a Flee input folder (locations.csv, ...)")
    if validation_dir is None and inflow is None:
        raise ScenarioError(
            f"{src}: no validation folder (data_layout.csv in a sibling 'validation' or "
            "'source_data' folder) and no --inflow: nobody would be simulated; give the "
            "validation folder, or --inflow FILE with the new arrivals a day (day,new_arrivals) "
            "or a cumulative count (date,total) (docs/MODEL.md, 'Flee cases')"
        )
    start, days = _sim_period(src)
    locations = _locations(src)
    by_name = {loc.name: loc for loc in locations}
    edges = _routes(src, by_name, speed_km_per_day)
    _unread_files(src)

    nodes = []
    for loc in locations:
        node: dict[str, Any] = {
            "id": loc.ident, "name": loc.name, "country": loc.country, "lat": loc.lat,
            "lon": loc.lon, "roles": list(LOCATION_ROLES[loc.kind]),
            "population": loc.population,
        }  # fmt: skip
        if loc.kind in ("camp", "idpcamp"):
            node["capacity"] = loc.population * capacity_scaling
            node["attractiveness"] = {"safety": 1.0, "livelihood": 1.0, "family": 1.0}
        nodes.append(node)
    camps_here = [loc.name for loc in locations if loc.kind in ("camp", "idpcamp")]
    if not camps_here:
        raise ScenarioError(f"{src / 'locations.csv'}: no camp (no location_type with 'camp' in "
                            "it): the people would have nowhere to go")  # fmt: skip

    data: dict[str, Any] = {
        "simulation": {
            "name": case_name(src),
            "description": f"Flee case imported from {src}",
            "start_date": start,
            "days": days,
            "seed": 1,
        },
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
            "travel": {"day_km": speed_km_per_day, **FLEE_BEHAVIOUR["travel"]},
            "route_choice": dict(FLEE_BEHAVIOUR["route_choice"]),
            "protection": {"apply_in_need": 0.0, "apply_not_in_need": 0.0},
            "legal": {"awareness": 0.0},
        },
        "policy": {},
    }
    closed = _closures(src, by_name, edges, days)
    if closed:
        data["policy"]["closures"] = {"closed": closed}
    intensity, onset = _conflicts(src, locations, days)
    for k in range(len(locations)):
        if intensity[:, k].any() and "origin" not in nodes[k]["roles"]:
            nodes[k]["roles"].append("origin")  # as in Flee: a location in conflict spawns

    case = FleeCase(data)
    daily, initial = _people(case, src, validation_dir, inflow, start, days, by_name)
    origins = [k for k, loc in enumerate(locations) if intensity[:, k].any()]
    if sum(daily) > 0 and not origins:
        raise ScenarioError(
            f"{src}: no location is ever in conflict (a conflict_zone in locations.csv, or a "
            "value > 0 in conflicts.csv): the new people would have nowhere to start"
        )
    weights = {}
    for k in origins:
        decay = np.asarray(FLEE_SPAWN_DECAY)[
            np.minimum(
                (np.arange(days) - onset[:, k]) // FLEE_DECAY_INTERVAL_DAYS,
                len(FLEE_SPAWN_DECAY) - 1,
            ).clip(0)
        ]
        weights[locations[k].ident] = _as_timeline(
            locations[k].population * intensity[:, k] * decay
        )
    data["forced_inflow"] = {"profile": PROFILE, "daily": list(daily), "weights": weights}
    for node in nodes:
        if node["name"] in initial:
            node["initial_population"] = {PROFILE: initial[node["name"]]}
    return case


def _people(case: FleeCase, src: Path, validation_dir, inflow, start, days: int, by_name):
    """New persons a day and the day-0 camp counts: from the validation folder (the rises of
    the summed camp counts), or from the inflow file; records the compared camps in ``case``."""
    daily: list[float] = [0.0] * days
    initial: dict[str, float] = {}
    if validation_dir is not None:
        vdir = Path(validation_dir)
        obs = read_validation(vdir, start, days, src / "registration_corrections.csv")
        if not obs.names and inflow is None:
            raise ScenarioError(
                f"{vdir / 'data_layout.csv'}: names no camp (only 'total'): the camp counts "
                f"give no inflow; give --inflow {vdir / 'refugees.csv'} (Flee's total) or "
                "another inflow file"
            )
        if obs.names:
            daily = debt_rule(obs.counts.sum(axis=1))
        case.camps = _compared_camps(vdir, obs.names, by_name)
        case.observed = obs.counts[:, [obs.names.index(n) for n in case.camps]]
        for k, name in enumerate(case.camps):
            if case.observed[0, k] > 0:
                initial[name] = float(case.observed[0, k])
    if inflow is not None:
        daily = read_inflow(Path(inflow), start, days)
    if sum(daily) <= 0 and not initial:
        what = (
            f"{inflow}: the inflow adds no one"
            if inflow is not None
            else (f"{validation_dir}: the camp counts never rise")
        )
        raise ScenarioError(f"{what} and no one is in a camp on day 0: nobody would be simulated")
    return daily, initial


def load_flee(
    input_dir: str | Path,
    validation_dir: str | Path | None = None,
    overrides=None,
    **options,
) -> Scenario:
    """A Flee case as a validated scenario (see ``read_flee`` for the options)."""
    return load_flee_case(input_dir, validation_dir, overrides, **options)[0]


def load_flee_case(
    input_dir: str | Path, validation_dir: str | Path | None = None, overrides=None, **options
) -> tuple[Scenario, FleeCase]:
    """A Flee case as a validated scenario, and the case (compared camps and their counts)."""
    case = read_flee_case(input_dir, validation_dir, **options)
    scenario = validate(case.data, source=str(input_dir), overrides=overrides)
    return scenario, case


def case_name(input_dir: Path) -> str:
    """The case's name: its folder's, or the parent's for ``input``/``input_csv``."""
    src = Path(input_dir)
    named = src.resolve().parent if src.name in ("input", "input_csv") else src.resolve()
    return slug(named.name)


def sibling_validation(input_dir: Path) -> Path | None:
    """The validation folder of a Flee input folder: ``validation`` or FabFlee's ``source_data``
    next to it (``<case>/validation``) or inside it, if one holds ``data_layout.csv``."""
    input_dir = Path(input_dir)
    for base in (input_dir.parent, input_dir):
        for name in ("validation", "source_data"):
            if (base / name / "data_layout.csv").is_file():
                return base / name
    return None


def is_flee_folder(path: str | Path) -> bool:
    p = Path(path)
    return p.is_dir() and (p / "locations.csv").is_file()


def load_flee_folder(path: str | Path, *, inflow: str | Path | None = None, overrides=None):
    """``flowsim run FOLDER --inflow FILE``: a Flee input folder with its sibling validation
    folder, if any, and the inflow file."""
    p = Path(path)
    if not is_flee_folder(p):
        raise ScenarioError(f"{p}: --inflow goes with a Flee input folder (one with "
                            "locations.csv), not a scenario file")  # fmt: skip
    return load_flee(p, sibling_validation(p), overrides, inflow=inflow)


# -- input files ---------------------------------------------------------------------------------


def _sim_period(src: Path) -> tuple[dt.date, int]:
    path = src / "sim_period.csv"
    if not path.is_file() and (src / "conflict_period.csv").is_file():
        path = src / "conflict_period.csv"  # the name older Flee cases use
    f = read_csv(path, "a Flee input folder needs sim_period.csv with rows StartDate,YYYY-MM-DD "
                       "and Length,N (days)")  # fmt: skip
    start = length = None
    length_line = 0
    for line, cells in f.data():
        key = cells[0].lower()
        if key not in ("startdate", "length"):
            continue
        if len(cells) < 2:
            raise f.fail(line, None, "", None, f"{cells[0]} needs a value in column 2")
        if key == "startdate":
            start = parse_date(cells[1])
            if start is None:
                raise f.fail(line, 2, "StartDate", cells[1], "a date YYYY-MM-DD")
        else:
            length = int(_number(f, line, cells, 1, "Length", minimum=1, maximum=MAX_DAYS,
                                 whole=True, allowed=f"a whole number of days, 1 to {MAX_DAYS}"))  # fmt: skip
            length_line = line
    if start is None or length is None:
        missing = "StartDate,YYYY-MM-DD" if start is None else "Length,N"
        raise ScenarioError(f"{path}: no row {missing}; expected rows StartDate,YYYY-MM-DD and "
                            "Length,N (days)")  # fmt: skip
    if (dt.date.max - start).days < length:
        raise f.fail(length_line, 2, "Length", str(length),
                     f"the period must end by {dt.date.max} (it starts on {start})")  # fmt: skip
    return start, length


def _locations(src: Path) -> list[Location]:
    f = read_csv(src / "locations.csv", "a Flee input folder needs locations.csv (name, region, "
                 "country, latitude, longitude, location_type, conflict_date, population)")  # fmt: skip
    rows = f.data(header_words=("name",))
    if not rows:
        raise ScenarioError(f"{f.path}: no locations (the file is empty or holds only comment "
                            "lines); expected rows name,region,country,latitude,longitude,"
                            "location_type,conflict_date,population")  # fmt: skip
    # Flee names the coordinate columns gps_x, gps_y; cases put the latitude first (Mali) or the
    # longitude: read a file whose first column goes beyond +-90 and whose second never does as
    # (longitude, latitude)
    swap = False
    coords = [(_float_or_none(c[3]), _float_or_none(c[4])) for _, c in rows if len(c) > 4]
    if any(a is not None and abs(a) > 90 for a, _ in coords) and all(
        b is None or abs(b) <= 90 for _, b in coords
    ):
        swap = True
        warn(f"{f.path}: column 4 goes beyond 90 and column 5 never does: read as longitude, "
             "latitude")  # fmt: skip
    out: list[Location] = []
    seen: dict[str, int] = {}
    ids: set[str] = set()
    for line, cells in rows:
        if len(cells) < 6:
            raise f.fail(line, None, "", None, _columns(cells, "at least 6: name,region,country,"
                         "latitude,longitude,location_type[,conflict_date,population]"))  # fmt: skip
        name = cells[0]
        if name == "":
            raise f.fail(line, 1, "name", name, "a location name")
        if name in seen:
            raise f.fail(line, 1, "name", name, f"a duplicate location (first on line "
                         f"{seen[name]}); each location once")  # fmt: skip
        seen[name] = line
        kind = location_kind(cells[5])
        if kind is None:
            raise f.fail(line, 6, "location_type", cells[5], f"one of {ALLOWED_TYPES} (Flee "
                         "matches these words inside the type, in any case)")  # fmt: skip
        lat_col, lon_col = (4, 3) if swap else (3, 4)
        lat = _number(f, line, cells, lat_col, "latitude", minimum=-90, maximum=90, empty=0.0,
                      allowed="a latitude, -90 to 90 (empty: 0, as in Flee)")  # fmt: skip
        lon = _number(f, line, cells, lon_col, "longitude", minimum=-180, maximum=180,
                      empty=0.0, allowed="a longitude, -180 to 180 (empty: 0, as in Flee)")  # fmt: skip
        conflict_date = None
        if kind == "conflict_zone":
            conflict_date = int(_number(f, line, cells, 6, "conflict_date", minimum=-10 * MAX_DAYS,
                                        whole=True, empty=0.0, maximum=10 * MAX_DAYS,
                                        allowed="a whole day number (empty: 0)"))  # fmt: skip
        population = _number(f, line, cells, 7, "population", empty=0.0, maximum=1e12,
                             allowed="a number of people >= 0 (empty: 0)")  # fmt: skip
        ident = slug(name)
        while ident in ids:
            ident += "_"
        ids.add(ident)
        out.append(Location(line, name, ident, kind, cells[2] or "unknown", lat, lon,
                            population, conflict_date))  # fmt: skip
    if len(out) < 2:
        raise ScenarioError(f"{f.path}: one location; a case needs at least two, and a route")
    empty = [loc.name for loc in out if loc.kind in ("camp", "idpcamp") and loc.population <= 0]
    if empty:
        warn(f"{f.path}: camps with no population, so no places (capacity 0, as in Flee): "
             + ", ".join(empty))  # fmt: skip
    return out


def location_kind(text: str) -> str | None:
    """Flee's kind of a location_type (flee/flee.py, Location.__init__), or None."""
    low = text.lower()
    for word, kind in LOCATION_WORDS:
        if word in low:
            return "idpcamp" if kind == "camp" and "idp" in low else kind
    return None


def _float_or_none(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _routes(src: Path, by_name: dict[str, Location], speed: float) -> list[dict[str, Any]]:
    f = read_csv(src / "routes.csv", "a Flee input folder needs routes.csv (name1, name2, "
                 "distance[, forced_redirection])")  # fmt: skip
    longest = speed * MAX_LEG_DAYS
    edges, seen, forced, repeated = [], {}, [], []
    for line, cells in f.data(header_words=("name1",)):
        if len(cells) < 3:
            raise f.fail(line, None, "", None, _columns(cells, "name1,name2,distance"
                         "[,forced_redirection]"))  # fmt: skip
        for col in (0, 1):
            if cells[col] not in by_name:
                raise f.fail(line, col + 1, f"name{col + 1}", cells[col],
                             "not a location in locations.csv")  # fmt: skip
        a, b = by_name[cells[0]], by_name[cells[1]]
        if a is b:
            raise f.fail(line, 2, "name2", cells[1], "a route joins two different locations")
        distance = _number(f, line, cells, 2, "distance", maximum=longest,
                           allowed=f"a distance in km, 0 to {longest:,.0f} (a leg takes at most "
                           f"{MAX_LEG_DAYS} days at {speed:g} km a day)")  # fmt: skip
        redirect = cells[3] if len(cells) > 3 else ""
        if redirect not in ("", "0", "1", "2"):
            raise f.fail(line, 4, "forced_redirection", redirect, "0, 1 or 2 (or empty)")
        if redirect in ("1", "2"):
            forced.append(line)
        pair = frozenset((a.ident, b.ident))
        if pair in seen:
            repeated.append(f"line {line} ({a.name}-{b.name}, first on line {seen[pair]})")
            continue
        seen[pair] = line
        edges.append({
            "from": a.ident, "to": b.ident, "mode": "land", "distance_km": distance,
            "days": max(1, math.ceil(distance / speed)), "both_ways": True,
        })  # fmt: skip
    if not edges:
        raise ScenarioError(f"{f.path}: no routes (the file is empty or holds only comment lines)"
                            "; expected rows name1,name2,distance")  # fmt: skip
    if repeated:
        warn(f"{f.path}: routes repeat a pair of locations, the first is kept: "
             + "; ".join(repeated))  # fmt: skip
    if forced:
        warn(f"{f.path}: forced_redirection 1 or 2 on {_lines(forced)}: flowsim has no "
             "forced redirection; these are two-way legs like any other")  # fmt: skip
    return edges


def _lines(lines: list[int]) -> str:
    """'line 5' or 'lines 5, 7' (the first ten, and how many more)."""
    more = f" and {len(lines) - 10} more" if len(lines) > 10 else ""
    return f"line{'s' * (len(lines) > 1)} " + ", ".join(map(str, lines[:10])) + more


def _closures(src: Path, by_name, edges, days: int) -> dict[str, list]:
    """Closed legs as timelines: closed from the closure's start day until its end day, when
    Flee reopens it; overlapping closures of one leg add up to one closed stretch."""
    path = src / "closures.csv"
    if not path.is_file():
        return {}
    f = read_csv(path, "")
    countries = {loc.country for loc in by_name.values()}
    ident = {name: loc.ident for name, loc in by_name.items()}
    country_of = {loc.ident: loc.country for loc in by_name.values()}
    closed: dict[str, np.ndarray] = {}
    ignored = []
    for line, cells in f.data(header_words=("closure_type",)):
        if len(cells) < 5:
            raise f.fail(line, None, "", None, _columns(cells, "closure_type,name1,name2,"
                         "closure_start,closure_end"))  # fmt: skip
        kind, a, b = cells[0], cells[1], cells[2]
        if kind not in CLOSURE_KINDS:
            raise f.fail(line, 1, "closure_type", kind, "one of " + ", ".join(CLOSURE_KINDS))
        first, last = (
            int(_number(f, line, cells, col, name, whole=True, maximum=10 * MAX_DAYS,
                        allowed="a whole day number >= 0"))
            for col, name in ((3, "closure_start"), (4, "closure_end"))
        )  # fmt: skip
        if kind == "country":
            for col, name in ((1, a), (2, b)):
                if name not in countries:
                    raise f.fail(line, col + 1, f"name{col}", name,
                                 "a country of locations.csv: " + ", ".join(sorted(countries)))  # fmt: skip
        else:
            names = (a, b) if kind in ("link", "remove_forced_redirection") else (a,)
            for col, name in enumerate(names, start=1):
                if name not in by_name:
                    raise f.fail(line, col + 1, f"name{col}", name,
                                 "a location in locations.csv")  # fmt: skip
        if kind == "remove_forced_redirection":
            ignored.append(line)
            continue
        if kind in ("camp", "idpcamp") and by_name[a].kind not in ("camp", "idpcamp"):
            warn(f"{f.path}: line {line}: '{_show(a)}' is not a camp (its type is "
                 f"{by_name[a].kind}); Flee would make it a camp on day {last}, flowsim keeps its"
                 " type: ignored")  # fmt: skip
            continue
        # Flee closes when day == start and reopens when day == end (both checked each day,
        # closing first): closed on days start..end-1; never reopened if end < start
        stop = days if last < first else min(last, days)
        if first >= min(stop, days):
            continue
        hits = 0
        for e in edges:
            x, y = e["from"], e["to"]
            for s, t in ((x, y), (y, x)):
                if kind == "country":  # Ecosystem.close_border, both ways
                    hit = (country_of[s], country_of[t]) in ((a, b), (b, a))
                elif kind == "location":
                    hit = ident[a] in (s, t)
                elif kind == "link":
                    hit = {ident[a], ident[b]} == {s, t}
                else:  # camp, idpcamp: the legs into the camp
                    hit = t == ident[a]
                if hit:
                    hits += 1
                    closed.setdefault(f"{s}-{t}", np.zeros(days))[first:stop] = 1.0
        if not hits:
            warn(f"{f.path}: line {line}: closes no route ({kind} {_show(a)} {_show(b)})")
    if ignored:
        warn(f"{f.path}: remove_forced_redirection on {_lines(ignored)}: flowsim has no "
             "forced redirection; ignored")  # fmt: skip
    return {k: _as_timeline(v) for k, v in closed.items() if v.any()}


def _conflicts(src: Path, locations: list[Location], days: int) -> tuple[np.ndarray, np.ndarray]:
    """Conflict intensity [day, location] and the day the conflict there began [day, location],
    as Flee sets them (InputGeography.AddNewConflictZones, Ecosystem.add_conflict_zone)."""
    n = len(locations)
    intensity = np.zeros((days, n))
    onset = np.zeros((days, n), dtype=np.int64)
    index = {loc.name: k for k, loc in enumerate(locations)}
    path = src / "conflicts.csv"
    if not path.is_file():
        for k, loc in enumerate(locations):
            if loc.conflict_date is not None and loc.conflict_date < days:
                begin = max(loc.conflict_date, 0)
                intensity[begin:, k] = 1.0
                onset[:, k] = begin
        return intensity, onset
    # with conflicts.csv, conflict zones dated <= 0 are in conflict from the start (Flee's
    # Location sets conflict 1; the others are towns until conflicts.csv says otherwise)
    state = np.zeros(n)
    since = np.zeros(n, dtype=np.int64)
    for k, loc in enumerate(locations):
        if loc.conflict_date is not None and loc.conflict_date <= 0:
            state[k] = 1.0
    table, columns = _conflict_table(path, index, days)
    previous = np.zeros(len(columns))
    for d in range(days):
        row = table[min(d, len(table) - 1)]
        for j, k in enumerate(columns):
            v = row[j]
            if v > CONFLICT_EPS and (d == 0 or previous[j] < CONFLICT_EPS):
                state[k], since[k] = v, d
            elif v < CONFLICT_EPS and d > 0 and previous[j] >= CONFLICT_EPS:
                state[k] = 0.0
        previous = row
        intensity[d] = state
        onset[d] = since
    return intensity, onset


def _conflict_table(path: Path, index: dict[str, int], days: int) -> tuple[np.ndarray, list]:
    """conflicts.csv as [row, column] values and the location of each column. Row k is day k, as
    Flee reads it; the last row holds to the end of the period."""
    f = read_csv(path, "")
    if not f.rows:
        raise ScenarioError(f"{path}: empty; expected a header '#Day,<location>,...' and a row "
                            "per day")  # fmt: skip
    line, header = f.rows[0]
    names = header[1:]
    if not names:
        raise f.fail(line, None, "", None, "a header '#Day,<location>,...' naming the locations"
                     " of the columns")  # fmt: skip
    if all(_float_or_none(x) is not None for x in header):
        raise f.fail(line, None, "", ",".join(header), "a header '#Day,<location>,...' naming "
                     "locations first; this line holds only numbers (no header?)")  # fmt: skip
    seen: dict[str, int] = {}
    unknown = []
    for col, name in enumerate(names, start=2):
        if name == "":
            raise f.fail(line, col, "header", name, "a location name")
        if name in seen:
            raise f.fail(line, col, "header", name, f"a location named once (also column "
                         f"{seen[name]})")  # fmt: skip
        seen[name] = col
        if name not in index:
            unknown.append(name)
    if unknown:
        warn(f"{path}: columns for locations not in locations.csv (ignored, as in Flee): "
             + ", ".join(_show(x) for x in unknown))  # fmt: skip
    rows, odd_day = [], None
    for line, cells in f.rows[1:]:
        if cells[0].startswith("#"):
            continue
        if len(cells) != len(header):
            few = len(cells) < len(header)
            raise f.fail(line, None, "", None, f"{len(cells)} columns; the header has "
                         f"{len(header)} ({'a short row' if few else 'more values than names'})")  # fmt: skip
        day = _number(f, line, cells, 0, header[0] or "#Day", minimum=None, whole=True,
                      maximum=10 * MAX_DAYS, allowed="a whole day number")  # fmt: skip
        if day != len(rows) and odd_day is None:
            odd_day = (line, cells[0], len(rows))
        rows.append([
            _number(f, line, cells, col, names[col - 1], allowed="a conflict intensity >= 0")
            for col in range(1, len(header))
        ])  # fmt: skip
    if not rows:
        raise ScenarioError(f"{path}: a header and no rows; expected a row per day "
                            "(day,<intensity>,...)")  # fmt: skip
    if odd_day is not None:
        warn(f"{path}: line {odd_day[0]}: day '{_show(odd_day[1])}' where {odd_day[2]} comes in "
             "order; as Flee does, rows are read in order as days 0, 1, 2, ...")  # fmt: skip
    if len(rows) < days:
        warn(f"{path}: rows for days 0-{len(rows) - 1} only; the last row holds to day "
             f"{days - 1}")  # fmt: skip
    keep = [j for j, name in enumerate(names) if name in index]
    table = np.array(rows, dtype=float).reshape(len(rows), len(names))[:, keep]
    return table, [index[names[j]] for j in keep]


def _unread_files(src: Path) -> None:
    found = sorted(
        p.name
        for p in src.iterdir()
        if p.name in UNREAD or (p.name.startswith(UNREAD_PREFIXES) and p.suffix == ".csv")
    )
    if found:
        warn(f"{src}: Flee files flowsim does not read (location type changes, flood levels, "
             "demographics, attributes, agents, major routes): " + ", ".join(found))  # fmt: skip


def _as_timeline(values: np.ndarray) -> list[list[float]]:
    """A daily series as a step timeline: a point wherever the value changes."""
    points = [[0, float(values[0])]]
    for d in np.flatnonzero(np.diff(values)) + 1:
        points.append([int(d), float(values[d])])
    return points


def debt_rule(total: np.ndarray) -> list[float]:
    """Flee's new people a day from a cumulative count (spawning.spawn_daily_displaced): day 0
    adds none; later days the rise, a fall carried as a debt against later rises."""
    daily, debt = [0.0], 0.0
    for d in range(1, len(total)):
        new = total[d] - total[d - 1] - debt
        debt = -new if new < 0 else 0.0
        daily.append(max(0.0, float(new)))
    return daily


# -- validation data ------------------------------------------------------------------------------


@dataclass
class Observed:
    names: list[str]  # the camps of data_layout.csv, in its order ('total' left out)
    counts: np.ndarray  # [day, camp], interpolated by day and floored


def read_validation(
    vdir: str | Path, start: dt.date, days: int, corrections: str | Path | None = None
) -> Observed:
    """The camps of a validation folder and their counts by day (see ``observed_camps``)."""
    vdir = Path(vdir)
    f = read_csv(vdir / "data_layout.csv", "a Flee validation folder needs data_layout.csv "
                 "(rows camp,file.csv[,file2.csv,...])")  # fmt: skip
    tables: dict[str, list[tuple[int, float]]] = {}
    seen: dict[str, int] = {}
    for line, cells in f.data():
        name = cells[0]
        if len(cells) < 2:
            raise f.fail(line, 1, "name", name, "a camp name and its counts file(s): "
                         "camp,file.csv[,file2.csv,...]")  # fmt: skip
        if name in seen:
            raise f.fail(line, 1, "name", name, f"a camp named once (first on line {seen[name]})")
        seen[name] = line
        series = []
        for col, file in enumerate(cells[1:], start=2):
            if not (vdir / file).is_file():
                raise f.fail(line, col, "file", file, f"no such file in {vdir}")
            series.append(_count_file(vdir / file, start))
        if name.lower() != "total":
            tables[name] = _sum_series(series)
    if corrections is not None and Path(corrections).is_file():
        _correct(Path(corrections), tables, start)
    names = list(tables)
    out = np.zeros((days, len(names)))
    grid = np.arange(days)
    for k, name in enumerate(names):
        out[:, k] = np.floor(interpolate(tables[name], grid))
    return Observed(names, out)


def observed_camps(
    vdir: str | Path, start: dt.date, days: int, corrections: str | Path | None = None
) -> tuple[list[str], np.ndarray]:
    """Camp names and their observed counts per day [day, camp], interpolated linearly by day.

    Before a camp's first observation its first value holds, after its last the last one, as in
    Flee. A camp whose counts are split over several files (``data_layout.csv``: camp,a.csv,b.csv)
    counts their sum. A registration correction ("normalize" at a date) scales all of that camp's
    earlier observations by (value at the date) / (the value before it), as Flee does.
    """
    obs = read_validation(vdir, start, days, corrections)
    return obs.names, obs.counts


def _count_file(path: Path, start: dt.date) -> list[tuple[int, float]]:
    """(day, count) points of one counts file (date,count rows; a first header line, '#' comment
    lines and empty counts skipped, as Flee does), sorted by day (a date given twice keeps both
    counts, in the file's order: see ``interpolate``)."""
    f = read_csv(path, "")
    points: list[tuple[int, float, int]] = []
    for k, (line, cells) in enumerate(f.data()):
        day = parse_date(cells[0])
        if day is None:
            if k == 0 and not any(ch.isdigit() for ch in cells[0][:4]):
                continue  # a header line (DateTime,count)
            raise f.fail(line, 1, "date", cells[0], "a date YYYY-MM-DD")
        if len(cells) < 2 or cells[1] == "":
            continue  # no count that day (Flee skips the row)
        count = _number(f, line, cells, 1, "count", maximum=MAX_COUNT,
                        allowed=f"a number of people, 0 to {MAX_COUNT:,.0f}")  # fmt: skip
        points.append(((day - start).days, count, line))
    if not points:
        raise ScenarioError(f"{path}: no dated counts (rows 'YYYY-MM-DD,count')")
    notes = []
    back = [i for i in range(1, len(points)) if points[i][0] < points[i - 1][0]]
    if back:
        notes.append(f"dates out of order ({_lines([points[i][2] for i in back])}), sorted")
    points.sort(key=lambda p: p[0])  # stable: a repeated date keeps the file's order
    repeats = [points[i][2] for i in range(1, len(points)) if points[i][0] == points[i - 1][0]]
    if repeats:
        notes.append(f"repeated dates ({_lines(repeats)}), read as Flee reads them: the count "
                     "leads to the first up to that date, the later holds from it on")  # fmt: skip
    if notes:
        warn(f"{path}: " + "; ".join(notes))
    return [(d, c) for d, c, _ in points]


def interpolate(points: list[tuple[int, float]], days) -> np.ndarray:
    """The value of a series of (day, count) points on the given days, as Flee's
    ``DataTable.get_interpolated_data`` gives it: the first count up to the first day, the last
    after the last, linear in between; of a day given twice, the first is the end of the line
    before it and the last the start of the line after it."""
    t = np.array([d for d, _ in points], dtype=float)
    v = np.array([c for _, c in points], dtype=float)
    g = np.asarray(days, dtype=float)
    if len(t) == 1:
        return np.full(g.shape, v[0])
    i = np.clip(np.searchsorted(t, g, side="right"), 1, len(t) - 1)
    t0, t1, v0, v1 = t[i - 1], t[i], v[i - 1], v[i]
    slope = (v1 - v0) / np.where(t1 > t0, t1 - t0, 1.0)
    out = slope * (g - t0) + v0  # numpy's interp, to the last bit
    out = np.where(g <= t[0], v[0], out)
    return np.where(g >= t[-1], v[-1], out)


def _sum_series(series: list[list[tuple[int, float]]]) -> list[tuple[int, float]]:
    """Several files of one camp as one series: at each date of any file, the sum of each file's
    count interpolated at that date (the plain sum when the files share their dates, as Flee's
    AddCSVTables gives)."""
    if len(series) == 1:
        return series[0]
    grid = sorted({d for s in series for d, _ in s})
    total = sum(interpolate(s, grid) for s in series)
    return list(zip(grid, np.asarray(total).tolist(), strict=True))


def _correct(path: Path, tables: dict[str, list[tuple[int, float]]], start: dt.date) -> None:
    """Flee's registration corrections (RefugeeTable.correctLevel1Registrations)."""
    f = read_csv(path, "")
    unknown, unmatched = [], []
    for line, cells in f.data():
        if len(cells) < 2:
            raise f.fail(line, None, "", None, "expected camp,YYYY-MM-DD[,normalize]")
        name = cells[0]
        date = parse_date(cells[1])
        if date is None:
            raise f.fail(line, 2, "date", cells[1], "a date YYYY-MM-DD")
        points = tables.get(name)
        if points is None:
            unknown.append(f"line {line} ({_show(name)})")
            continue
        day = (date - start).days
        i = next((i for i, (d, _) in enumerate(points) if d == day), None)
        if i is None:
            unmatched.append(f"line {line} ({_show(name)} {cells[1]})")
            continue
        if i > 0 and points[i - 1][1] > 0:
            factor = points[i][1] / points[i - 1][1]
            points[:i] = [(dd, vv * factor) for dd, vv in points[:i]]
    if unknown:
        warn(f"{path}: corrections for camps not in data_layout.csv, ignored: "
             + ", ".join(unknown))  # fmt: skip
    if unmatched:
        warn(f"{path}: corrections on a date with no count of that camp, ignored: "
             + ", ".join(unmatched))  # fmt: skip


def _compared_camps(vdir: Path, names: list[str], by_name: dict[str, Location]) -> list[str]:
    """The layout's camps that are camps in locations.csv; the others are left out of the
    comparison and the day-0 camps, as in Flee (which compares the camps of its locations)."""
    missing = [n for n in names if n not in by_name]
    not_camps = [n for n in names if n in by_name and by_name[n].kind not in ("camp", "idpcamp")]
    camps = [n for n in names if n in by_name and n not in not_camps]
    if missing:
        warn(f"{vdir / 'data_layout.csv'}: camps not in locations.csv, left out of the comparison "
             "and the day-0 camps (their counts still add to the inflow, as in Flee): "
             + ", ".join(_show(n) for n in missing))  # fmt: skip
    if not_camps:
        warn(f"{vdir / 'data_layout.csv'}: names locations that are not camps, left out of the "
             "comparison and the day-0 camps (their counts still add to the inflow, as in Flee): "
             + ", ".join(_show(n) for n in not_camps))  # fmt: skip
    unobserved = [
        loc.name for loc in by_name.values()
        if loc.kind in ("camp", "idpcamp") and loc.name not in names
    ]  # fmt: skip
    if unobserved:
        warn(f"{vdir / 'data_layout.csv'}: camps of locations.csv with no counts, not compared "
             "(they start empty): " + ", ".join(_show(n) for n in unobserved))  # fmt: skip
    return camps


# -- an inflow file ---------------------------------------------------------------------------


def read_inflow(path: Path, start: dt.date, days: int) -> list[float]:
    """New persons a day from an inflow file (``--inflow``), one of two kinds by its header:

    - ``day,new_arrivals`` or ``date,new_arrivals``: the people who arrive that day (days not
      listed: none); ``new`` and ``arrivals`` name the column too;
    - ``date,total`` (or ``refugees``, ``refugee_numbers``), or a file with no header or a '#'
      comment line first, as Flee's refugees.csv: a cumulative count, interpolated by day as the
      camp counts are; each day adds its rise, a fall carried as a debt (Flee's protocol with
      ``sum_from_camps`` off).
    """
    f = read_csv(path, "an inflow file: rows day,new_arrivals or date,new_arrivals (people "
                 "arriving that day) or date,total (a cumulative count, like refugees.csv)")  # fmt: skip
    rows = f.data()
    if not rows:
        raise ScenarioError(f"{path}: no rows; expected a header day,new_arrivals or "
                            "date,total and a row per day or date")  # fmt: skip
    line, first = rows[0]
    header = parse_date(first[0]) is None and _float_or_none(first[0]) is None
    if not header:
        return debt_rule(_total_series(path, start, days))
    if len(first) < 2:
        raise f.fail(line, None, "", None, "a header of two columns: day or date, then "
                     "new_arrivals or total")  # fmt: skip
    key, kind = first[0].lower().lstrip("#"), first[1].lower()
    if kind in INFLOW_TOTAL:
        if key not in ("date", "datetime"):
            raise f.fail(line, 1, "header", first[0], "'date' (a cumulative total is dated)")
        return debt_rule(_total_series(path, start, days))
    if kind not in INFLOW_DAILY:
        raise f.fail(line, 2, "header", first[1], "'new_arrivals' (people arriving that day) "
                     "or 'total' (a cumulative count, like Flee's refugees.csv)")  # fmt: skip
    if key not in ("day", "date"):
        raise f.fail(line, 1, "header", first[0], "'day' (0 is the start date) or 'date'")
    daily = [0.0] * days
    seen: dict[int, int] = {}
    outside = []
    for line, cells in rows[1:]:
        if len(cells) < 2:
            raise f.fail(line, None, "", None, f"{len(cells)} column; expected {key},new_arrivals")
        if key == "date":
            date = parse_date(cells[0])
            if date is None:
                raise f.fail(line, 1, "date", cells[0], "a date YYYY-MM-DD")
            day = (date - start).days
        else:
            day = int(_number(f, line, cells, 0, "day", whole=True, minimum=None,
                              maximum=10 * MAX_DAYS, allowed="a whole day number"))  # fmt: skip
        value = _number(f, line, cells, 1, "new_arrivals", maximum=MAX_COUNT,
                        allowed=f"a number of people, 0 to {MAX_COUNT:,.0f}")  # fmt: skip
        if day in seen:
            raise f.fail(line, 1, key, cells[0], f"each {key} once (also on line {seen[day]})")
        seen[day] = line
        if 0 <= day < days:
            daily[day] = value
        else:
            outside.append(line)
    if outside:
        verb = "are" if len(outside) > 1 else "is"
        warn(f"{path}: {_lines(outside)} {verb} outside the period (days 0-{days - 1}), ignored")
    return daily


def _total_series(path: Path, start: dt.date, days: int) -> np.ndarray:
    return np.floor(interpolate(_count_file(path, start), np.arange(days)))
