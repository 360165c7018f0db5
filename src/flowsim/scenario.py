"""Scenario files: TOML validated into typed objects before anything runs.

A scenario has these parts: ``[simulation]``, ``[[nodes]]``, ``[[edges]]``, ``[[profiles]]``,
``[[boat_types]]``, ``[behaviour]`` (behavioural parameters with documented defaults) and
``[policy]`` (the levers, see ``levers.py``). Every number may be overridden with ``path=value`` strings
(``nodes.tripoli.capacity=500``); lists of tables with ids are addressed by id.

Any problem raises :class:`ScenarioError` with one line naming file, field, value and what is
allowed.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import math
import re
import tomllib
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from flowsim.errors import ScenarioError
from flowsim.levers import Policy
from flowsim.timeline import Timeline, day_number, expand


def _number(v: Any) -> Any:
    """A number is a number: true/false is not 1/0, and nan and inf are not numbers here."""
    if isinstance(v, bool):
        raise ValueError(f"expected a number, not {str(v).lower()}")
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError(f"expected a finite number, got {v}")
    return v


def _integer(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError(f"expected a whole number, not {str(v).lower()}")
    if isinstance(v, float) and not (math.isfinite(v) and v.is_integer()):
        raise ValueError(f"expected a whole number, got {v}")
    return v


Float = Annotated[float, BeforeValidator(_number)]
Int = Annotated[int, BeforeValidator(_integer)]
ID_PATTERN = r"^[a-z0-9_]+$"
Id = Annotated[str, Field(pattern=ID_PATTERN)]
Share = Annotated[float, BeforeValidator(_number), Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, BeforeValidator(_number), Field(ge=0.0)]

MAX_DAYS = 30_000
ROLES = ("origin", "transit", "embarkation", "first_asylum", "destination", "camp")
DESTINATION_ROLES = ("destination", "first_asylum", "camp")
MOTIVES = ("safety", "livelihood", "family")
VULNERABILITIES = ("child", "violence_survivor", "trafficking", "stateless")
MODES = ("land", "sea", "air")

Role = Literal["origin", "transit", "embarkation", "first_asylum", "destination", "camp"]
Motive = Literal["safety", "livelihood", "family"]
Vulnerability = Literal["child", "violence_survivor", "trafficking", "stateless"]
Mode = Literal["land", "sea", "air"]

Schedule = Float | Timeline


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=False)


def schedule_values(schedule: Schedule, start: dt.date, days: int) -> list[float]:
    """Expand a number or a step timeline ``[[day, value], ...]`` to one value per day."""
    return expand(schedule, start, days).tolist()


def _check_schedule(value: Schedule) -> Schedule:
    if isinstance(value, list):
        if not value:
            raise ValueError("a timeline needs at least one [day, value] point")
        for _, v in value:
            _number(v)
            if v < 0:
                raise ValueError(f"timeline values must be >= 0, got {v}")
    elif value < 0:
        raise ValueError(f"must be >= 0, got {value}")
    return value


NonNegSchedule = Annotated[Schedule, AfterValidator(_check_schedule)]


# The calendar of the result tables (pandas timestamps) and of the scenario's own dates.
FIRST_DATE, LAST_DATE = dt.date(1800, 1, 1), dt.date(2262, 4, 10)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")


class Simulation(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    region: str = ""  # where the scenario is set, for `flowsim list`
    period: str = ""  # the time it represents, in words, for `flowsim list`
    start_date: dt.date
    days: Int = Field(ge=1, le=MAX_DAYS)  # day numbers are int16 in the population
    seed: Int = Field(default=0, ge=0, le=2**63 - 1)
    persons_per_agent: Float = Field(default=1.0, gt=0)

    @field_validator("name")
    @classmethod
    def _safe_name(cls, v: str) -> str:
        if not NAME_PATTERN.match(v) or ".." in v:
            raise ValueError(
                "must be a plain name of up to 100 letters, digits, '_', '-' or '.' (no '/', "
                "spaces or '..'): it names the results folder"
            )
        return v

    @model_validator(mode="after")
    def _calendar(self) -> Simulation:
        end = _plus_days(self.start_date, self.days - 1)
        if self.start_date < FIRST_DATE or end is None or end > LAST_DATE:
            raise ValueError(
                f"start_date = {self.start_date} with days = {self.days} ends "
                f"{'past the calendar' if end is None else f'on {end}'}; allowed: dates from "
                f"{FIRST_DATE} to {LAST_DATE}"
            )
        return self


def _plus_days(start: dt.date, days: int) -> dt.date | None:
    try:
        return start + dt.timedelta(days=days)
    except OverflowError:
        return None


class Node(_Strict):
    id: Id
    name: str = ""
    country: str = ""
    lat: Float = Field(ge=-90, le=90)
    lon: Float = Field(ge=-180, le=180)
    roles: list[Role] = Field(min_length=1)
    population: NonNeg = 0.0
    departures: dict[Id, NonNegSchedule] = Field(default_factory=dict)
    attractiveness: dict[Motive, NonNeg] = Field(default_factory=dict)
    capacity: NonNeg | None = None
    initial_population: dict[Id, NonNeg] = Field(default_factory=dict)

    @field_validator("roles")
    @classmethod
    def _roles_unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("roles must not repeat")
        return v


class Edge(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_\-]+$")] | None = None
    source: Id = Field(alias="from")
    target: Id = Field(alias="to")
    mode: Mode = "land"
    distance_km: NonNeg = 0.0
    days: Int = Field(ge=1, le=365)
    cost: NonNeg = 0.0
    hazard: Share = 0.0
    robbery: Share = 0.0
    smuggler: bool = False
    both_ways: bool = False
    # sea legs only
    zone: Annotated[str, Field(pattern=ID_PATTERN)] | None = None
    boat_types: dict[Id, NonNeg] = Field(default_factory=dict)
    forced_overboard: Share = 0.0

    @model_validator(mode="after")
    def _default_id(self) -> Edge:
        if self.id is None:
            self.id = f"{self.source}-{self.target}"
        return self


class BoatType(_Strict):
    """A kind of boat smugglers use; its load and the sea state set its distress hazard."""

    id: Id
    name: str = ""
    capacity: Int = Field(ge=1, le=5000)  # persons it is built or rated for
    distress: Share  # probability of distress on one crossing at its capacity, calm sea
    survival_days: Float = Field(gt=0, le=60)  # mean time afloat once in distress
    price_factor: NonNeg = 1.0  # multiplies the leg's cost (the fare)


DEFAULT_BOAT_TYPES = [
    {"id": "boat", "name": "generic smugglers' boat (assumption)", "capacity": 50,
     "distress": 0.03, "survival_days": 1.0},
]  # fmt: skip


class Spread(_Strict):
    mean: NonNeg
    sd: NonNeg = 0.0


class Profile(_Strict):
    id: Id
    name: str = ""
    protection_need: Share
    motives: dict[Motive, NonNeg]
    vulnerabilities: dict[Vulnerability, Share] = Field(default_factory=dict)
    resources: Spread
    risk_tolerance: Spread
    ties: dict[Id, Share] = Field(default_factory=dict)

    @field_validator("motives")
    @classmethod
    def _motives_sum(cls, v: dict[str, float]) -> dict[str, float]:
        total = sum(v.values())
        if not math.isclose(total, 1.0, abs_tol=1e-3):
            raise ValueError(
                f"motive shares add up to {total:g}; they are the shares of the profile's people "
                "by main motive and must add up to 1"
            )
        return v

    @field_validator("risk_tolerance")
    @classmethod
    def _risk_in_unit(cls, v: Spread) -> Spread:
        if not 0.0 < v.mean < 1.0:
            raise ValueError(f"risk_tolerance.mean must lie strictly between 0 and 1, got {v.mean}")
        if v.sd >= math.sqrt(v.mean * (1 - v.mean)):
            raise ValueError(
                "risk_tolerance.sd is too large for a beta distribution with that mean"
            )
        return v

    @field_validator("ties")
    @classmethod
    def _ties_sum(cls, v: dict[str, float]) -> dict[str, float]:
        if sum(v.values()) > 1.0 + 1e-9:
            raise ValueError("tie shares must add up to at most 1")
        return v


class RouteChoice(_Strict):
    """Weights of the route utility (assumptions; see docs/MODEL.md)."""

    w_attractiveness: NonNeg = 1.0
    w_risk: NonNeg = 20.0
    w_cost: NonNeg = 1.0
    w_days: NonNeg = 0.02
    tie_bonus: NonNeg = 1.0
    noise: NonNeg = 0.3
    stay_utility: Float | None = None  # staying home beats a route worth less; None: never stays
    w_welcome: Share = 0.0  # share of a destination's attractiveness that rests on its welcome
    routes_per_destination: Int = Field(default=3, ge=1, le=20)
    max_legs: Int = Field(default=8, ge=1, le=30)


class TravelBehaviour(_Strict):
    """How fast people cover land legs and how long they stop on the way (see docs/MODEL.md)."""

    transit_move_chance: Share = 1.0  # daily chance of setting off again from a node on the way
    day_km: Float | None = Field(default=None, gt=0, le=5000)  # km a day, legs chained; None: days


class Hazards(_Strict):
    robbery_loss: Share = 0.5
    missing_share_land: Share = 0.5
    missing_share_sea: Share = 0.5
    stranded_earnings: NonNeg = 5.0
    origin_savings: NonNeg = 1.0


class SeaBehaviour(_Strict):
    """Boats, the sea and what happens aboard (assumptions; see docs/MODEL.md)."""

    launch_probability: Share = 0.5  # daily chance smugglers at a hub launch for a leg
    min_load: Share = 0.5  # launch only when the waiting fill this share of a boat ...
    max_wait_days: Int = Field(default=14, ge=0)  # ... or someone has waited this long
    overload: Float = Field(default=1.2, ge=0.1, le=5)  # persons loaded / boat capacity
    overload_exponent: NonNeg = 2.0  # distress grows with (load / capacity) ** exponent
    weather: list[NonNeg] = Field(default_factory=lambda: [1.0] * 12, min_length=12, max_length=12)
    loss_if_sunk: Share = 0.7  # a boat in distress not rescued in time: share of people lost
    loss_if_rescued: Share = 0.01  # share lost during a rescue
    loss_if_intercepted: Share = 0.005  # share lost during an interception
    standoff_daily_hazard: Share = 0.0005  # per person and day aboard awaiting disembarkation
    forced_overboard_loss: Share = 0.3  # share lost when smugglers force people into the sea
    screening_sensitivity: Share = 0.8  # share of people in need whom screening identifies
    pullback_resource_loss: Share = 0.3  # share of resources lost to detention and extortion


class PullbackBehaviour(_Strict):
    """Detention after a pull-back at sea (assumptions; see docs/MODEL.md)."""

    daily_hazard: Share = 0.0002  # daily death probability in detention at conditions 0
    daily_extortion: Share = 0.01  # share of resources extorted a day at conditions 0


class RelocationBehaviour(_Strict):
    """The people's own preference about relocation (assumptions; see docs/MODEL.md)."""

    refuse: Share = 0.1  # share of the people offered relocation who refuse it
    move_on: Share = 0.1  # share of the relocated who move on again at once


class SmugglerBehaviour(_Strict):
    """How smugglers answer enforcement and rescue (assumptions; see docs/MODEL.md)."""

    adapt: bool = True  # switch: cheaper, flimsier, fuller boats under enforcement or rescue
    adapt_strength: Share = 0.5
    price_enforcement: NonNeg = 1.0  # fare multiplier is 1 + this * enforcement level
    launch_enforcement: Share = 0.8  # launch probability multiplier is 1 - this * level
    risk_enforcement: NonNeg = 1.0  # perceived risk multiplier is 1 + this * level


class ArrivalBehaviour(_Strict):
    """Onward (secondary) movement from a node (assumptions; see docs/MODEL.md)."""

    onward_probability: Share = 0.02  # daily, for people without a place (see reception)
    wait_push: NonNeg = 1.0  # extra push of a year's wait for a decision
    recognized_push: NonNeg = 0.5  # push on recognized refugees per unit of missing quality
    tie_push: NonNeg = 1.0  # extra push when family or diaspora is at another node


class ProtectionBehaviour(_Strict):
    """Who applies for asylum and how procedures work (assumptions; see docs/MODEL.md)."""

    apply_in_need: Share = 0.95  # people in need who lodge a claim when nobody refers them
    apply_not_in_need: Share = 0.6  # people not in need who apply anyway (no other way to stay)
    counselled_apply_factor: Share = 0.5  # application probability after return counselling
    false_alarm_scale: Share = 0.1  # profiling false alarms for trafficking and children
    clear_share: Share = 0.5  # claims that are clear cases (well founded or manifestly unfounded)
    accelerated_effort: Float = Field(default=0.25, gt=0, le=1)  # of a full decision
    accelerated_accuracy_loss: Share = 0.05  # lower accuracy of accelerated decisions
    appeal_days: Float = Field(default=180.0, ge=1, le=3650)  # mean time to an appeal decision
    appeal_corrects: Share = 0.5  # share of wrongful rejections overturned on appeal
    appeal_overturns_right: Share = 0.05  # share of right rejections overturned on appeal


class SolutionsBehaviour(_Strict):
    """Integration, repatriation and resettlement (assumptions; see docs/MODEL.md)."""

    integration_rate: Share = 1 / 365  # daily, at full quality of protection
    repatriation_rate: Share = 1 / 365  # daily, when the origin is fully safe
    resettlement_pull: NonNeg = 1.0  # attractiveness added by a large resettlement quota
    resettlement_half_quota: Float = Field(default=1000.0, gt=0)  # quota giving half the pull


class ReturnsBehaviour(_Strict):
    """Return, absconding and re-migration (assumptions; see docs/MODEL.md)."""

    avr_rate: Share = 1 / 120  # daily uptake of assisted voluntary return at full support
    counselled_factor: Float = Field(default=2.0, ge=0, le=10)  # uptake x this after counselling
    abscond_rate: Share = 1 / 90  # daily, rejected people who leave for irregular stay
    remigration_rate: Share = 1 / 180  # daily, returned people without reintegration support


class LegalBehaviour(_Strict):
    """Legal channels as people see them (assumptions; see docs/MODEL.md)."""

    awareness: Share = 0.3  # share of new agents who know of each legal channel
    cost_family_reunification: NonNeg = 600.0  # USD: visa, documents and flight
    cost_humanitarian_visas: NonNeg = 400.0  # USD
    cost_labour_quota: NonNeg = 1500.0  # USD: recruitment fees, visa, flight
    smuggler_markup: Share = 0.5  # share of a smuggled leg's cost that is the smuggler's fee


class InformationBehaviour(_Strict):
    """Beliefs about the sea crossings and the welcome at destinations, and how they change
    (assumptions; see docs/MODEL.md).

    A belief is a Beta distribution per embarkation hub over the chance of dying on a crossing
    from there (per destination-role node over the chance of being received well there): its
    mean is the believed risk (welcome), the sum of its pseudo-counts its confidence.
    """

    prior_knowledge: Share = 1.0  # 1: new agents start at the true risk; 0: at a rumour
    prior_risk: Share = 0.02  # the rumour: risk believed without objective information
    prior_spread: NonNeg = 1.0  # sd of log(believed risk) between people for the rumour part
    prior_confidence: Float = Field(default=10.0, gt=0)  # pseudo-crossings behind a new belief
    contacts: Int = Field(default=4, ge=0, le=16)  # contact slots per person
    community_size: Int = Field(default=200, ge=1)  # recent people from one origin to draw from
    exchange_weight: NonNeg = 2.0  # pseudo-crossings one conversation is worth at full trust
    news_weight: NonNeg = 20.0  # pseudo-crossings a contact's death or arrival is worth
    notice_dead: Share = 0.9  # chance contacts hear of a death whose body is found
    notice_missing: Share = 0.5  # ... of someone missing (reported deaths are a lower bound)
    witness_weight: NonNeg = 20.0  # for survivors on a boat where people died
    campaign_weight: NonNeg = 50.0  # pseudo-crossings of a campaign message at full credibility
    smuggler_weight: NonNeg = 5.0  # of a smuggler's daily promise at full trust
    smuggler_claim: Share = 0.2  # smugglers claim the risk is this share of the true risk
    forgetting: Float = Field(default=1 / 180, ge=0, lt=1)  # daily decay of pseudo-counts
    deterrence_only_credibility: Share = 0.5  # credibility multiplier of a risks-only campaign
    balanced_credibility: Float = Field(default=1.3, ge=0, le=5)  # ... of a balanced campaign
    protection_unknown_discount: Share = 0.0  # safety value of first asylum unknown to people
    prior_welcome: Share = 0.8  # the rumour: chance of a good reception believed without news
    report_weight: NonNeg = 10.0  # outcomes one report of a reception or decision is worth


class Behaviour(_Strict):
    route_choice: RouteChoice = Field(default_factory=RouteChoice)
    travel: TravelBehaviour = Field(default_factory=TravelBehaviour)
    hazards: Hazards = Field(default_factory=Hazards)
    sea: SeaBehaviour = Field(default_factory=SeaBehaviour)
    pullback: PullbackBehaviour = Field(default_factory=PullbackBehaviour)
    relocation: RelocationBehaviour = Field(default_factory=RelocationBehaviour)
    smugglers: SmugglerBehaviour = Field(default_factory=SmugglerBehaviour)
    arrival: ArrivalBehaviour = Field(default_factory=ArrivalBehaviour)
    protection: ProtectionBehaviour = Field(default_factory=ProtectionBehaviour)
    solutions: SolutionsBehaviour = Field(default_factory=SolutionsBehaviour)
    returns: ReturnsBehaviour = Field(default_factory=ReturnsBehaviour)
    legal: LegalBehaviour = Field(default_factory=LegalBehaviour)
    information: InformationBehaviour = Field(default_factory=InformationBehaviour)


class ForcedInflow(_Strict):
    """Validation mode: a set number of new agents a day, placed at origins by weight."""

    profile: Id
    daily: list[NonNeg]  # new persons on day 0, 1, ... (0 after the list ends)
    weights: dict[Id, NonNegSchedule]  # origin node -> placement weight, number or timeline


class Scenario(_Strict):
    simulation: Simulation
    nodes: list[Node] = Field(min_length=2)
    edges: list[Edge] = Field(min_length=1)
    profiles: list[Profile] = Field(min_length=1)
    boat_types: list[BoatType] = Field(
        default_factory=lambda: [BoatType(**b) for b in DEFAULT_BOAT_TYPES]
    )
    behaviour: Behaviour = Field(default_factory=Behaviour)
    policy: Policy = Field(default_factory=Policy)
    forced_inflow: ForcedInflow | None = None
    # where the scenario came from, for messages and summary.json (not a TOML field)
    source: str = Field(default="<python>", exclude=True)
    _warnings: list[str] = PrivateAttr(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """What validation noticed but let pass (printed as one line each by the CLI)."""
        return list(self._warnings)

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain TOML-shaped data (aliases such as ``from``/``to`` restored)."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="python")


# ----------------------------------------------------------------------------------------------
# Loading, overrides, cross-checks


def bundled_dir() -> Path:
    """The folder of bundled scenarios: inside the installed package, else the source tree's."""
    packaged = Path(str(resources.files("flowsim"))) / "scenarios"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "scenarios"


def bundled_scenarios() -> dict[str, Path]:
    d = bundled_dir()
    return {p.stem: p for p in sorted(d.glob("*.toml"))} if d.is_dir() else {}


DEFAULT_SCENARIO = "central_mediterranean"


def resolve_path(name_or_path: str | Path) -> Path:
    p = Path(name_or_path)
    if p.is_file() or (p / "locations.csv").is_file():
        return p
    bundled = bundled_scenarios()
    if str(name_or_path) in bundled:
        return bundled[str(name_or_path)]
    raise ScenarioError(
        f"{name_or_path}: scenario file not found; give a path to a .toml file, a Flee input "
        f"folder, or one of the bundled names ({', '.join(bundled) or 'none'})"
    )


def load_scenario(
    path: str | Path, overrides: dict[str, Any] | list[str] | None = None
) -> Scenario:
    """Read, override and validate a scenario: a .toml path, a bundled name, or a Flee input folder
    (with its sibling ``validation`` folder, if there is one, in forced-inflow mode)."""
    p = resolve_path(path)
    if p.is_dir():
        from flowsim.flee import load_flee, sibling_validation

        return load_flee(p, sibling_validation(p), overrides=overrides)
    return validate(read_toml(p), source=str(p), overrides=overrides)


def read_toml(path: str | Path) -> dict[str, Any]:
    """A TOML file as data: UTF-8 (a byte-order mark is accepted); a missing, binary, wrongly
    encoded or malformed file is one line saying which and where."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{p}: is a folder, not a .toml file") from None
    except OSError as e:
        raise ScenarioError(f"{p}: cannot be read: {e.strerror or e}") from None
    if b"\x00" in raw:
        raise ScenarioError(f"{p}: not a text file (it holds NUL bytes); expected TOML text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ScenarioError(
            f"{p}: not UTF-8 text (byte 0x{raw[e.start]:02x} on line {line}); save the file as "
            "UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"{p}: not valid TOML: {e}") from None


def with_overrides(scenario: Scenario, overrides: dict[str, Any] | list[str] | None) -> Scenario:
    """A new scenario with ``overrides`` applied and validated again."""
    if not overrides:
        return scenario
    return validate(scenario.to_dict(), source=scenario.source, overrides=overrides)


def validate(
    data: dict[str, Any], *, source: str = "<python>", overrides: dict | list | None = None,
    label: str = "--set",
) -> Scenario:  # fmt: skip
    """Apply ``overrides`` to the TOML-shaped ``data`` and validate it.

    Errors name ``source`` and the field; an error an override causes names the override instead
    (``--set policy.rescue.capacity=-5: ...``), with did-you-mean for an unknown path. Warnings
    (an override that replaces a whole table, places no route reaches) are kept on the scenario
    (``Scenario.warnings``).
    """
    data = copy.deepcopy(data)
    pairs = _normalise_overrides(overrides, source, label)
    notes: list[str] = []
    base = _validated(data, source) if pairs else None
    if base is not None:
        known = known_paths(base)
        for path, _, raw in pairs:
            check_path(path, known, f"{label} {path}={raw}" if label else source, field=None
                       if label else path)  # fmt: skip
    for path, value, raw in pairs:
        _apply_override(data, path, value, source, label, notes, raw)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as e:
        line = _format_validation_error(e, data, source)
        locs = [_readable_loc(err["loc"], data) for err in e.errors()]
        raise ScenarioError(_blame(line, locs, pairs, source, label)) from None
    scenario.source = source
    try:
        _cross_check(scenario, notes)
    except ScenarioError as e:
        loc = str(e).removeprefix(f"{source}: ").split(" ")[0].split(":")[0]
        raise ScenarioError(_blame(str(e), [loc], pairs, source, label)) from None
    scenario._warnings = notes
    return scenario


def _validated(data: dict, source: str) -> Scenario:
    """The scenario without overrides (its own errors name its file)."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as e:
        raise ScenarioError(_format_validation_error(e, data, source)) from None
    scenario.source = source
    _cross_check(scenario, [])
    return scenario


def _blame(line: str, locs: list[str], pairs: list, source: str, label: str) -> str:
    """Name the override behind an error at one of ``locs`` instead of the scenario file."""
    if not pairs or not label:
        return line
    for loc in locs:
        for path, _, raw in pairs:
            if loc == path or loc.startswith(path + ".") or loc.startswith(path + "[") or \
                    path.startswith(loc + "."):  # fmt: skip
                body = line.removeprefix(f"{source}: ")
                return f"{label} {path}={raw}: {body}"
    return line


def _normalise_overrides(overrides: dict | list | None, source: str,
                         label: str = "--set") -> list[tuple[str, Any, str]]:  # fmt: skip
    """(path, value, how it was written) of each override."""
    if not overrides:
        return []
    if isinstance(overrides, dict):
        return [(p, v, _show(v)) for p, v in overrides.items()]
    out = []
    for item in overrides:
        if "=" not in item:
            raise ScenarioError(f"{label} {item}: expected path=value, e.g. simulation.days=30")
        path, raw = item.split("=", 1)
        out.append((path.strip(), parse_value(raw.strip(), f"{label} {item}"), raw.strip()))
    return out


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def parse_value(raw: str, where: str = "--set") -> Any:
    """Parse a command-line value as a TOML value (number, bool, date, array, table); a bare
    word is text. Something that starts like an array, a table or a quoted string must be valid
    TOML: its syntax error is reported."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError as e:
        if raw[:1] in "[{\"'" or not raw:
            reason = str(e).replace("(at line 1, ", "(at ").replace("column", "character")
            raise ScenarioError(f"{where}: not a valid TOML value: {reason}") from None
        return raw


def check_path(path: str, known: list[str], where: str, field: str | None = None) -> None:
    """An unknown scenario path is an error with the nearest known ones; a lever path may go on
    with an id (``policy.enforcement.level.zuwara``), a table with a key."""
    top = {p.split(".")[0] for p in known} | set(Scenario.model_fields) - {"source"}
    if path in known or path in top or any(path.startswith(k + ".") for k in known):
        return
    head, _, rest = path.partition(".")
    shown = f"{where}: {field}" if field else where
    if head in ("nodes", "edges", "profiles", "boat_types"):
        ident = rest.split(".")[0]
        ids = list(dict.fromkeys(k.split(".")[1] for k in known if k.startswith(head + ".")))
        if ident not in ids:
            close = difflib.get_close_matches(ident, ids, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            listed = ", ".join(ids[:30]) + (", ..." if len(ids) > 30 else "")
            raise ScenarioError(f"{shown}: no {head} with id '{ident}'; {hint}known: {listed}")
    close = difflib.get_close_matches(path, known, n=3, cutoff=0.75)
    if not close:  # the misspelt part may be followed by an id: compare the parents
        parent = path.rsplit(".", 1)[0]
        close = [c + path[len(parent):] for c in
                 difflib.get_close_matches(parent, known, n=3, cutoff=0.75)]  # fmt: skip
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise ScenarioError(
        f"{shown}: not a scenario value{hint} (`flowsim levers` lists the levers; behaviour "
        "parameters are in docs/MODEL.md §6.5)"
    )


def _apply_override(data: dict, path: str, value: Any, source: str, label: str = "--set",
                    notes: list[str] | None = None, raw: str | None = None) -> None:  # fmt: skip
    parts = path.split(".")
    where = f"{label} {path}" if label else path
    if not path or any(not p for p in parts):
        raise ScenarioError(f"{where}: empty path segment; write e.g. simulation.days=30")
    cur: Any = data
    for i, key in enumerate(parts[:-1]):
        if isinstance(cur, list):
            cur = _by_id(cur, key, parts[i - 1], source, where)
            continue
        if not isinstance(cur, dict):
            raise ScenarioError(f"{source}: {where}: {'.'.join(parts[:i])} is a value, not a table")
        nxt = cur.get(key)
        if parts[0] == "policy" and i == len(parts) - 2 and not isinstance(nxt, dict | type(None)):
            nxt = cur[key] = {"default": nxt}  # a lever set for one id keeps its value elsewhere
        if nxt is None:
            nxt = cur[key] = {}
        cur = nxt
    last = parts[-1]
    if isinstance(cur, list):
        raise ScenarioError(
            f"{source}: {where}: {parts[-2]} is a list; name an id and a field, "
            f"e.g. {parts[-2]}.{last}.<field>=value"
        )
    if not isinstance(cur, dict):
        raise ScenarioError(f"{source}: {where}: {'.'.join(parts[:-1])} is a value, not a table")
    old = cur.get(last)
    if (notes is not None and parts[0] == "policy" and isinstance(old, dict) and len(old) > 1
            and not isinstance(value, dict)):  # fmt: skip
        table = ", ".join(f"{k} = {_show(v)}" for k, v in old.items())
        notes.append(
            f"{where}={raw if raw is not None else _show(value)} replaces the table {{{table}}}: "
            f"the lever is now {_show(value)} everywhere; to change one id only, write "
            f"{path}.<id>=..."
        )
    cur[last] = value


def _by_id(items: list, key: str, list_name: str, source: str, where: str) -> dict:
    if not all(isinstance(item, dict) for item in items):
        raise ScenarioError(f"{source}: {where}: {list_name} is a list of values, not of tables")
    for item in items:
        ident = item.get("id")
        if ident is None and list_name == "edges":
            ident = f"{item.get('from')}-{item.get('to')}"
        if ident == key:
            return item
    known = ", ".join(str(it.get("id", f"{it.get('from')}-{it.get('to')}")) for it in items[:12])
    raise ScenarioError(f"{source}: {where}: no {list_name} with id '{key}' (known: {known})")


TYPE_ERRORS = {"bool_type", "bool_parsing", "float_type", "float_parsing", "int_type",
               "int_parsing", "list_type", "dict_type", "tuple_type", "date_type",
               "date_parsing", "date_from_datetime_parsing", "string_type", "union_tag_invalid"}  # fmt: skip


def _format_validation_error(e: ValidationError, data: dict, source: str) -> str:
    """One line for the first problem (file, field, value, what is allowed), with a count of the
    others; missing fields are named together."""
    lines, missing = [], []
    for err in e.errors():
        loc = _readable_loc(err["loc"], data)
        msg = err["msg"]
        if err["type"] == "missing":
            missing.append(loc)
            continue
        if err["type"] == "extra_forbidden":
            allowed = _allowed_fields(err["loc"])
            key = str(err["loc"][-1])
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            msg = "unknown field" + (f"; did you mean {close[0]}?" if close else "")
            if allowed:
                msg += f" (allowed here: {', '.join(allowed)})"
            lines.append(f"{source}: {loc} = {_show(err.get('input'))}: {msg}")
            continue
        msg = msg.removeprefix("Value error, ")
        if err["type"] == "literal_error":
            msg = "allowed: " + msg.removeprefix("Input should be ").replace("'", "")
        elif err["type"] in TYPE_ERRORS and _is_lever(loc):
            msg = LEVER_FORMS  # the union's first alternative would name only one of the forms
        if isinstance(err.get("input"), dict) and len(err["loc"]) == 1:  # a whole section
            lines.append(f"{source}: {loc}: {msg}")
            continue
        shown = repr(err.get("input"))
        if len(shown) > 80:
            shown = shown[:77] + "..."
        lines.append(f"{source}: {loc} = {shown}: {msg}")
    # Union types report one line per alternative, some deeper inside the same value: keep the
    # first line for a location and drop lines about places inside it.
    seen: list[str] = []
    unique = []
    for line in lines:
        key = line.split(" = ")[0]
        if not any(key == s or key.startswith((s + ".", s + "[")) for s in seen):
            seen.append(key)
            unique.append(line)
    if missing:
        top = [m for m in missing if "." not in m and "[" not in m]
        if not data or (top and len(top) == len(missing) and len(top) >= 3):
            head = (f"{source}: empty or not a scenario: a scenario needs [simulation], "
                    "[[nodes]], [[edges]] and [[profiles]] (see the bundled "
                    f"{DEFAULT_SCENARIO}.toml); missing: {', '.join(missing)}")  # fmt: skip
        else:
            head = f"{source}: required field missing: {', '.join(missing)}"
        unique.insert(0, head)
    if len(unique) > 1:
        return f"{unique[0]} (and {len(unique) - 1} more problem{'s' if len(unique) > 2 else ''})"
    return unique[0] if unique else f"{source}: not a valid scenario"


def _is_lever(loc: str) -> bool:
    """Whether a readable location is a lever's value (``policy.rescue.capacity`` or one of its
    table entries), where a value can take several forms."""
    from flowsim.levers import lever_specs

    if not loc.startswith("policy.") or "campaigns" in loc or loc.startswith("policy.rules"):
        return False
    paths = {spec["path"] for spec in lever_specs()}
    return any(loc == p or loc.startswith(p + ".") for p in paths)


LEVER_FORMS = (
    "allowed: a number, true/false, a timeline [[day or date, value], ...] or a table "
    "{id = value, default = value}"
)


def _readable_loc(loc: tuple, data: dict) -> str:
    parts: list[str] = []
    cur: Any = data
    for item in loc:
        if isinstance(item, int) and isinstance(cur, list) and item < len(cur):
            entry = cur[item]
            ident = entry.get("id") if isinstance(entry, dict) else None
            if ident is None and isinstance(entry, dict) and "from" in entry:
                ident = f"{entry.get('from')}-{entry.get('to')}"
            if ident is not None:
                parts.append(str(ident))
            else:
                parts[-1] += f"[{item}]"
            cur = entry
            continue
        if isinstance(item, str) and _is_type_tag(item, cur):
            continue
        parts.append(str(item))
        cur = cur.get(item) if isinstance(cur, dict) else None
    return ".".join(parts)


def _is_type_tag(item: str, cur: Any) -> bool:
    """Pydantic names the alternative of a union it tried ("float", "list[...]") in error locations."""
    if isinstance(cur, dict) and item in cur:
        return False
    return "[" in item or item in {"float", "int", "date", "str", "bool"}


def _allowed_fields(loc: tuple) -> list[str]:
    model: Any = Scenario
    for item in loc[:-1]:
        if isinstance(item, int):
            continue
        field = model.model_fields.get(item) if hasattr(model, "model_fields") else None
        if field is None:
            return []
        ann = field.annotation
        args = getattr(ann, "__args__", None)
        if args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            ann = args[0]
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        else:
            return []
    if not hasattr(model, "model_fields"):
        return []
    return [f.alias or name for name, f in model.model_fields.items() if name != "source"]


def _cross_check(s: Scenario, notes: list[str]) -> None:
    src = s.source
    node_ids = [n.id for n in s.nodes]
    profile_ids = {p.id for p in s.profiles}
    _unique(node_ids, "nodes", src)
    _unique([p.id for p in s.profiles], "profiles", src)
    _unique([e.id for e in s.edges], "edges", src)
    known = set(node_ids)
    allowed_nodes = ", ".join(node_ids[:15]) + (" ..." if len(node_ids) > 15 else "")
    for e in s.edges:
        for field, ref in (("from", e.source), ("to", e.target)):
            if ref not in known:
                raise ScenarioError(
                    f"{src}: edges.{e.id}.{field} = '{ref}': unknown node; allowed: {allowed_nodes}"
                )
        if e.source == e.target:
            raise ScenarioError(
                f"{src}: edges.{e.id}: from and to must differ, both are '{e.source}'"
            )
    destinations = {n.id for n in s.nodes if set(n.roles) & set(DESTINATION_ROLES)}
    if not destinations:
        raise ScenarioError(
            f"{src}: nodes: no node has a destination role; give at least one node one of "
            f"{', '.join(DESTINATION_ROLES)}"
        )
    for n in s.nodes:
        for field in ("departures", "initial_population"):
            for pid in getattr(n, field):
                if pid not in profile_ids:
                    raise ScenarioError(
                        f"{src}: nodes.{n.id}.{field}.{pid}: unknown profile; allowed: "
                        f"{', '.join(sorted(profile_ids))}"
                    )
        if n.departures and "origin" not in n.roles:
            raise ScenarioError(
                f"{src}: nodes.{n.id}.departures: only nodes with the role 'origin' have departures"
                f" (roles are {n.roles})"
            )
        for field, sched in n.departures.items():
            if isinstance(sched, list):
                for day, _ in sched:
                    d = day_number(day, s.simulation.start_date)
                    if d < 0:
                        raise ScenarioError(
                            f"{src}: nodes.{n.id}.departures.{field}: timeline day {day} is before "
                            f"the start date {s.simulation.start_date}"
                        )
    _check_sea(s, node_ids)
    _people(s, notes)
    if s.forced_inflow is not None:
        fi = s.forced_inflow
        if fi.profile not in profile_ids:
            raise ScenarioError(f"{src}: forced_inflow.profile = '{fi.profile}': unknown profile; "
                                f"allowed: {', '.join(sorted(profile_ids))}")  # fmt: skip
        origins = [n.id for n in s.nodes if "origin" in n.roles]
        for o, sched in fi.weights.items():
            for day, _ in sched if isinstance(sched, list) else []:
                if day_number(day, s.simulation.start_date) < 0:
                    raise ScenarioError(f"{src}: forced_inflow.weights.{o}: timeline day {day} is "
                                        f"before the start date {s.simulation.start_date}")  # fmt: skip
            if o not in origins:
                raise ScenarioError(f"{src}: forced_inflow.weights.{o}: not a node with the role "
                                    f"'origin'; allowed: {', '.join(origins)}")  # fmt: skip
    for p in s.profiles:
        for dest in p.ties:
            if dest not in destinations:
                raise ScenarioError(
                    f"{src}: profiles.{p.id}.ties.{dest}: not a node with a destination role; "
                    f"allowed: {', '.join(sorted(destinations))}"
                )


def _people(s: Scenario, notes: list[str]) -> None:
    """Somebody must be simulated, and every place should be reachable from where people are."""

    def positive(sched) -> bool:
        return any(v > 0 for _, v in sched) if isinstance(sched, list) else sched > 0

    starts = {n.id for n in s.nodes
              if any(positive(x) for x in n.departures.values())
              or sum(n.initial_population.values()) > 0}  # fmt: skip
    if s.forced_inflow is not None and any(x > 0 for x in s.forced_inflow.daily):
        starts |= set(s.forced_inflow.weights)
    if not starts:
        raise ScenarioError(
            f"{s.source}: nodes: nobody would be simulated: no origin has departures above 0, no "
            "node has an initial_population and there is no forced_inflow; give an origin "
            "departures = { <profile> = <persons a day> }"
        )
    nxt: dict[str, set[str]] = {n.id: set() for n in s.nodes}
    for e in s.edges:
        nxt[e.source].add(e.target)
        if e.both_ways:
            nxt[e.target].add(e.source)
    seen, todo = set(starts), list(starts)
    while todo:
        for m in nxt[todo.pop()] - seen:
            seen.add(m)
            todo.append(m)
    unreached = [n.id for n in s.nodes if n.id not in seen]
    if unreached:
        notes.append(
            f"{s.source}: nodes {', '.join(unreached)}: no leg leads there from an origin or a "
            "node with people, so they stay empty"
        )


def sea_zones(s: Scenario) -> list[str]:
    """Sea zones in order of first appearance; a sea leg without a zone is its own zone."""
    zones: list[str] = []
    for e in s.edges:
        if e.mode == "sea":
            z = e.zone or e.id
            if z not in zones:
                zones.append(z)
    return zones


def country_id(node: Node) -> str:
    """The id of a node's country as lever tables name it: 'Côte d'Ivoire' -> 'cote_d_ivoire'.

    A node without a country is a country of its own, named by the node id.
    """
    if not node.country:
        return node.id
    plain = unicodedata.normalize("NFKD", node.country).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_") or node.id


def country_ids(s: Scenario) -> list[str]:
    """The countries of the network in node order, each once."""
    return list(dict.fromkeys(country_id(n) for n in s.nodes))


def _check_sea(s: Scenario, node_ids: list[str]) -> None:
    from flowsim.levers import lever_table_keys, lever_timelines

    src = s.source
    _unique([b.id for b in s.boat_types], "boat_types", src)
    types = {b.id for b in s.boat_types}
    for e in s.edges:
        if e.mode != "sea":
            if e.zone or e.boat_types or e.forced_overboard:
                raise ScenarioError(
                    f"{src}: edges.{e.id}: zone, boat_types and forced_overboard apply to sea "
                    f"legs only (mode is '{e.mode}')"
                )
            continue
        if e.both_ways:
            raise ScenarioError(
                f"{src}: edges.{e.id}.both_ways = true: sea legs go one way, from an embarkation "
                "node; write the return leg as its own edge"
            )
        if "embarkation" not in s.node(e.source).roles:
            raise ScenarioError(
                f"{src}: edges.{e.id}.from = '{e.source}': a sea leg must start at a node with "
                f"the role 'embarkation' (roles are {s.node(e.source).roles})"
            )
        for t in e.boat_types:
            if t not in types:
                raise ScenarioError(
                    f"{src}: edges.{e.id}.boat_types.{t}: unknown boat type; allowed: "
                    f"{', '.join(sorted(types))}"
                )
        if e.boat_types and sum(e.boat_types.values()) <= 0:
            raise ScenarioError(f"{src}: edges.{e.id}.boat_types: shares must add up to > 0")
    edge_ids = [e.id for e in s.edges] + [f"{e.target}-{e.source}" for e in s.edges if e.both_ways]
    countries = country_ids(s)
    profiles = [p.id for p in s.profiles]
    allowed = {
        "edge": edge_ids,
        "sea zone": sea_zones(s),
        "embarkation node": [n.id for n in s.nodes if "embarkation" in n.roles],
        "node": [n.id for n in s.nodes],
        "country": countries,
        "true need": ["in_need", "not_in_need"],
        "profile or profile@country": profiles + [f"{p}@{c}" for p in profiles for c in countries],
        "country pair": [f"{a}>{b}" for a in countries for b in countries if a != b],
        "sea zone>country": [f"{z}>{c}" for z in sea_zones(s) for c in countries],
    }
    for path, timeline in lever_timelines(s.policy):
        for day, _ in timeline:
            if day_number(day, s.simulation.start_date) < 0:
                raise ScenarioError(
                    f"{src}: {path}: timeline day {day} is before the start date "
                    f"{s.simulation.start_date}"
                )
    for k, c in enumerate(s.policy.information.campaigns):
        where = f"{src}: policy.information.campaigns[{k}]"
        for n in c.nodes:
            if n not in node_ids:
                shown = ", ".join(node_ids[:40]) + (", ..." if len(node_ids) > 40 else "")
                raise ScenarioError(f"{where}.nodes: unknown node '{n}'; allowed: {shown}")
        first = day_number(c.start, s.simulation.start_date)
        if first < 0:
            raise ScenarioError(f"{where}.start = {c.start}: before the start date")
        if c.end is not None and day_number(c.end, s.simulation.start_date) < first:
            raise ScenarioError(f"{where}.end = {c.end}: before its start ({c.start})")
    for path, keyed_by, keys in lever_table_keys(s.policy):
        for k in keys:
            if k not in allowed[keyed_by]:
                known = allowed[keyed_by]
                shown = ", ".join(known[:40]) + (", ..." if len(known) > 40 else "")
                raise ScenarioError(
                    f"{src}: {path}.{k}: unknown {keyed_by}; allowed: "
                    f"{shown or 'none'} (or 'default')"
                )
    _check_disembarkation_shares(s, src, countries)
    _check_rules(s, allowed, src)


def _check_disembarkation_shares(s: Scenario, src: str, countries: list[str]) -> None:
    """A sea zone's disembarkation shares add up to at most 1 on every day."""
    from flowsim.levers import resolve

    zones, sim = sea_zones(s), s.simulation
    path = "policy.disembarkation.shares"
    if not zones or not countries:
        return
    ids = [f"{z}>{c}" for z in zones for c in countries]
    shares = resolve(s.policy, path, ids, sim.start_date, sim.days)
    total = shares.reshape(sim.days, len(zones), len(countries)).sum(axis=2)
    days, zones_over = (total > 1.0 + 1e-9).nonzero()
    if days.size:
        d, z = days[0], zones_over[0]
        raise ScenarioError(
            f"{src}: {path}: the shares of sea zone '{zones[z]}' add up to {total[d, z]:.4g} "
            f"on day {d}; they must add up to at most 1 (the rest land where they do without "
            "sharing)"
        )


def _check_rules(s: Scenario, allowed: dict[str, list[str]], src: str) -> None:
    """``policy.rules``: each names a known indicator's ids, a lever a rule can set, that
    lever's ids and a value in its range (one line naming the field, the value and what is
    allowed)."""
    from flowsim.levers import INDICATORS, lever_specs

    settable = {sp["path"]: sp for sp in lever_specs() if "kind" not in sp
                and sp["keyed_by"] != "profile or profile@country"}  # fmt: skip
    for k, r in enumerate(s.policy.rules):
        where = f"{src}: policy.rules[{k}]"

        for ident in r.at:
            _known(where, "at", ident, allowed[INDICATORS[r.indicator]], INDICATORS[r.indicator])
        _known(where, "lever", r.lever, list(settable), "lever a rule can set (levers keyed by profile "
              "and the lists campaigns and rules are not)")  # fmt: skip
        spec = settable[r.lever]
        for ident in r.ids:
            _known(where, "ids", ident, allowed[spec["keyed_by"]], spec["keyed_by"])
        value = r.value
        if isinstance(value, str):
            if not spec["choices"]:
                raise ScenarioError(f"{where}.value = '{value}': {r.lever} takes a number")
            _known(where, "value", value, list(spec["choices"]), f"choice of {r.lever}")
            continue
        v, (lo, hi) = float(value), spec["range"]
        if math.isnan(v) or not lo <= v <= hi or (math.isinf(v) and not spec["allow_inf"]):
            allowed_text = f"between {lo:g} and {hi:g}" if hi != math.inf else f">= {lo:g}"
            raise ScenarioError(f"{where}.value = {v:g}: {r.lever} must be {allowed_text}")


def _known(where: str, field: str, value: str, ids: list[str], what: str) -> None:
    """A name a rule gives must be one of ``ids`` (one line with a suggestion otherwise)."""
    if value not in ids:
        close = difflib.get_close_matches(value, ids, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        shown = ", ".join(ids[:40]) + (", ..." if len(ids) > 40 else "")
        raise ScenarioError(
            f"{where}.{field} = '{value}': unknown {what}; {hint}allowed: {shown or 'none'}"
        )


def _unique(ids: list[str], what: str, src: str) -> None:
    seen = set()
    for i in ids:
        if i in seen:
            raise ScenarioError(f"{src}: {what}.{i}: id used twice; ids must be unique")
        seen.add(i)


def known_paths(s: Scenario) -> list[str]:
    """Every value a ``--set`` path, a package or a sweep factor can name: the levers, the
    behaviour parameters, the simulation fields, and the fields of each node, edge, profile and
    boat type by id (for did-you-mean suggestions and factor checks)."""
    from flowsim.levers import lever_specs

    paths = [f"simulation.{f}" for f in Simulation.model_fields]
    paths += [spec["path"] for spec in lever_specs()]
    for section, field in Behaviour.model_fields.items():
        paths += [f"behaviour.{section}.{p}" for p in field.annotation.model_fields]
    for name, items, model in (("nodes", s.nodes, Node), ("edges", s.edges, Edge),
                               ("profiles", s.profiles, Profile),
                               ("boat_types", s.boat_types, BoatType)):  # fmt: skip
        fields = [f.alias or k for k, f in model.model_fields.items()]
        for item in items:
            paths += [f"{name}.{item.id}.{f}" for f in fields if f != "id"]
    return paths


def field_type(path: str) -> Any:
    """The annotation of a simulation or behaviour field named by ``path`` (None otherwise)."""
    parts = path.split(".")
    model: Any = {"simulation": Simulation, "behaviour": Behaviour}.get(parts[0])
    for part in parts[1:]:
        if model is None or not hasattr(model, "model_fields") or part not in model.model_fields:
            return None
        model = model.model_fields[part].annotation
    return model
