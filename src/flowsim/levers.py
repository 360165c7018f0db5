"""Policy levers: the ``[policy]`` table of a scenario.

Every lever takes one value, a table keyed by id (``{zuwara = 0.8, default = 0.1}``; ``default``
covers ids not named), or a step timeline ``[[day or date, value], ...]``; a table entry may itself
be a timeline. Each lever's meaning, unit, default, what its tables are keyed by and its source
are declared once, on its field; ``flowsim levers`` lists them from there.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    model_validator,
)

from flowsim.timeline import Timeline, expand

Value = StrictBool | float | Timeline
Lever = Value | dict[str, Value]


def _check_range(lo: float, hi: float, allow_inf: bool):
    def check(value: Lever) -> Lever:
        timelines = [value] if isinstance(value, list) else []
        if isinstance(value, dict):
            timelines = [v for v in value.values() if isinstance(v, list)]
        if any(not t for t in timelines):
            raise ValueError("a timeline needs at least one [day, value] point")
        for v in _numbers(value):
            if math.isnan(v) or not lo <= v <= hi or (math.isinf(v) and not allow_inf):
                if hi != float("inf"):
                    allowed = f"between {lo:g} and {hi:g}"
                else:
                    allowed = f">= {lo:g}" + (" (inf = unlimited)" if allow_inf else ", finite")
                raise ValueError(f"must be {allowed}, got {v:g}")
        return value

    return check


def _choice_codes(choices: tuple[str, ...]):
    """Turn the names of a choice lever into their codes (0, 1, ...) wherever they appear."""

    def code(v: Any) -> Any:
        if isinstance(v, str):
            if v not in choices:
                raise ValueError(f"must be one of {', '.join(choices)}, got '{v}'")
            return float(choices.index(v))
        if isinstance(v, dict):
            return {k: code(x) for k, x in v.items()}
        if isinstance(v, list):
            return [
                [p[0], code(p[1])] if isinstance(p, list | tuple) and len(p) == 2 else p for p in v
            ]
        return v

    return code


def _numbers(value: Lever):
    if isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for _, v in value:
            yield float(v)
    else:
        yield float(value)


def lever(
    default: Any,
    *,
    lo: float,
    hi: float,
    unit: str,
    keyed_by: str,
    meaning: str,
    source: str,
    choices: tuple[str, ...] = (),
    default_text: str = "",
    allow_inf: bool = False,
    in_persons: bool = False,
    switch: bool = False,
) -> Any:
    """A lever field: its range check and the metadata ``flowsim levers`` prints.

    A lever with ``choices`` takes their names (``"none"``, ...) and stores their codes 0, 1, ...
    A ``default`` of None means a per-id default given by the model (``default_text`` says which).
    ``allow_inf``: ``inf`` is allowed and means unlimited (capacities and quotas).
    ``in_persons``: the value counts persons (places, decisions, quotas); the model divides it by
    ``persons_per_agent``. ``switch``: on (> 0.5) or off; the model reads it as a boolean.
    """
    extra = {
        "unit": unit,
        "keyed_by": keyed_by,
        "source": source,
        "range": (lo, hi),
        "choices": choices,
        "default_text": default_text,
        "allow_inf": allow_inf,
        "in_persons": in_persons,
        "switch": switch,
    }
    checks: list[Any] = [AfterValidator(_check_range(lo, hi, allow_inf))]
    if choices:
        checks.insert(0, BeforeValidator(_choice_codes(choices)))
    kind = Lever if default is not None else Lever | None
    return Annotated[
        kind, *checks, Field(default=default, description=meaning, json_schema_extra=extra)
    ]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rescue(_Strict):
    capacity: lever(
        0.0,
        lo=0,
        hi=float("inf"),
        unit="boats in distress answered per day",
        keyed_by="sea zone",
        meaning="search-and-rescue capacity of a sea zone: boats in distress it can answer a day",
        source="seeds/001:754-757 (duty to rescue; SAR regions); level is an assumption",
    )
    response_days: lever(
        0.5,
        lo=0,
        hi=30,
        unit="days",
        keyed_by="sea zone",
        meaning="time for an answering rescue unit to reach a boat in distress",
        source="assumption (no seed gives response times)",
    )


class Interception(_Strict):
    rate: lever(
        0.0,
        lo=0,
        hi=1,
        unit="share of crossings",
        keyed_by="sea zone",
        meaning="probability that a crossing is intercepted by the departure state's coast guard "
        "and pulled back to the embarkation hub",
        source="seeds/000:154, seeds/002:1367 (interception); level is an assumption",
    )
    screening: lever(
        0.0,
        lo=0,
        hi=1,
        unit="share of intercepted people screened (true = 1, false = 0)",
        keyed_by="sea zone",
        meaning="protection screening of intercepted people: those screened and identified as in "
        "need get access to asylum in the departure state instead of being pulled back",
        source="seeds/001:632, seeds/002:1367 (protection-sensitive entry systems)",
    )


class Pullback(_Strict):
    detention: lever(
        0.0,
        lo=0,
        hi=1,
        unit="share of pulled-back people",
        keyed_by="embarkation node",
        meaning="share of the people pulled back to a hub who are taken to detention in the "
        "departure country (the others choose a route again at once)",
        source="seeds/002:1224 (control without safeguards: prolonged detention), seeds/000:154, "
        "seeds/002:1367; level is an assumption",
    )
    days: lever(
        90.0,
        lo=1,
        hi=3650,
        unit="days",
        keyed_by="embarkation node",
        meaning="mean stay in detention after a pull-back (each day a detainee is released with "
        "probability 1 / days)",
        source="seeds/002:1381 (detention for irregular entry up to two years); default is an "
        "assumption",
    )
    conditions: lever(
        0.0,
        lo=0,
        hi=1,
        unit="0 (abusive) to 1 (humane)",
        keyed_by="embarkation node",
        meaning="conditions of detention after a pull-back: the daily hazard of death and the "
        "daily extortion of behaviour.pullback are multiplied by 1 - conditions",
        source="seeds/000:156 (safe and humane treatment of intercepted persons), seeds/001:699 "
        "(monitor conditions of detention); level is an assumption",
    )
    release_home: lever(
        0.0,
        lo=0,
        hi=1,
        unit="share of those released",
        keyed_by="embarkation node",
        meaning="share of the people released from detention after a pull-back who are "
        "returned home, to their origin (assisted return from detention)",
        source="seeds/002:2065 (return and re-integration), seeds/001:707-714; level is an "
        "assumption",
    )
    release_transit: lever(
        0.0,
        lo=0,
        hi=1,
        unit="share of those released",
        keyed_by="embarkation node",
        meaning="share of the people released from detention after a pull-back who are moved "
        "back to a transit country (the start of a land leg into the hub, another country's if "
        "there is one); the rest are released at the hub, to save again and try again",
        source="seeds/002:2065 (deported into transit countries, they re-cross with smugglers)",
    )


class Disembarkation(_Strict):
    delay_days: lever(
        0.0,
        lo=0,
        hi=60,
        unit="days",
        keyed_by="sea zone",
        meaning="stand-off before rescued people are disembarked at a place of safety; each day "
        "aboard adds hazard",
        source="seeds/001:788 (delays endanger lives); level is an assumption",
    )
    shares: lever(
        0.0,
        lo=0,
        hi=1,
        unit="share of the people rescued in the zone",
        keyed_by="sea zone>country",
        meaning="disembarkation sharing (key 'zone>country'): the agreed share of the people "
        "rescued in a sea zone who are brought ashore in that country; a zone's shares add up "
        "to at most 1, the rest land where they do without sharing",
        source="seeds/001:786-792 (a duty to cooperate in finding a place of safety), "
        "seeds/002:3272 (disembarkation agreements), seeds/001:580-600; levels are assumptions",
    )


class Enforcement(_Strict):
    level: lever(
        0.0,
        lo=0,
        hi=1,
        unit="0 (none) to 1 (maximum)",
        keyed_by="embarkation node",
        meaning="anti-smuggling enforcement at an embarkation hub: raises the price, lowers "
        "launches, raises perceived risk, and (if smugglers adapt) worsens boats",
        source="seeds/002:90 (action against smugglers in Djibouti moved departures to Bosasso)",
    )


class Closures(_Strict):
    closed: lever(
        0.0,
        lo=0,
        hi=1,
        unit="1 closed, 0 open",
        keyed_by="edge",
        switch=True,
        meaning="a leg closed to travel (a border or road closure): routes using it are not "
        "chosen, and people about to take it choose again",
        source="Flee's closures.csv (border closures); seeds/002:90 (closing a route)",
    )


class Reception(_Strict):
    capacity: lever(
        None,
        lo=0,
        hi=float("inf"),
        allow_inf=True,
        in_persons=True,
        unit="persons (places)",
        keyed_by="node",
        meaning="reception places at a node (camp places at a camp); arrivals beyond them are "
        "destitute until a place frees up",
        source="seeds/001:636-638 (reception arrangements); levels are assumptions",
        default_text="the node's capacity (unlimited where it has none)",
    )
    conditions: lever(
        1.0,
        lo=0,
        hi=1,
        unit="0 (none) to 1 (adequate)",
        keyed_by="node",
        meaning="quality of reception: it pushes people with a place to move on (see "
        "behaviour.arrival and docs/MODEL.md, secondary movement) and is part of the quality "
        "of protection of recognized refugees",
        source="seeds/001:209-219, seeds/002:1939 (poor conditions drive onward movement)",
    )


DETENTION_MODES = ("none", "irregular", "all")


class Detention(_Strict):
    mode: lever(
        0.0,
        lo=0,
        hi=2,
        unit="none, irregular (arrived by a smuggled or sea leg) or all",
        keyed_by="country",
        choices=DETENTION_MODES,
        meaning="who is detained on arrival: nobody, irregular arrivals, or everyone; identified "
        "trafficking victims and children are referred instead",
        source="seeds/002:1379, seeds/002:1381 (refugees detained on irregular entry)",
    )
    max_days: lever(
        30.0,
        lo=0,
        hi=3650,
        unit="days",
        keyed_by="country",
        meaning="longest stay in detention; people are then released to reception",
        source="seeds/002:1381 (up to two years in the Americas); default is an assumption",
    )
    alternatives: lever(
        0.0,
        lo=0,
        hi=1,
        unit="share of those who would be detained",
        keyed_by="country",
        meaning="share given an alternative to detention (reception with reporting) instead",
        source="seeds/001:699 (monitoring detention); level is an assumption",
    )


class Profiling(_Strict):
    coverage: lever(
        0.0,
        lo=0,
        hi=1,
        unit="share of arrivals",
        keyed_by="country",
        meaning="share of arrivals screened at registration and referred: to asylum, to a "
        "trafficking or child protection process, or to return counselling (not a status "
        "decision)",
        source="seeds/001:640-642 (profiling and referral, Annex II)",
    )
    accuracy: lever(
        0.8,
        lo=0,
        hi=1,
        unit="probability",
        keyed_by="country",
        meaning="probability that profiling estimates protection need right, and that it spots "
        "a trafficking victim or a child (false alarms: (1 - accuracy) * "
        "behaviour.protection.false_alarm_scale)",
        source="assumption (no seed gives a figure)",
    )


class Asylum(_Strict):
    capacity: lever(
        float("inf"),
        lo=0,
        hi=float("inf"),
        allow_inf=True,
        in_persons=True,
        unit="first-instance decisions per day",
        keyed_by="country",
        meaning="decision capacity of a country's asylum authority; an accelerated decision costs "
        "behaviour.protection.accelerated_effort of a full one",
        source="seeds/001:646, seeds/002:1933, seeds/002:1958 (RSD delays); levels are assumptions",
    )
    accelerated: lever(
        0.0,
        lo=0,
        hi=1,
        unit="share of clear cases",
        keyed_by="country",
        meaning="share of clear cases (well founded or manifestly unfounded, as profiled) "
        "decided in the accelerated procedure, ahead of the full queue",
        source="seeds/001:646 (expedited procedure for simple claims)",
    )
    prima_facie: lever(
        0.0,
        lo=0,
        hi=1,
        unit="share of the group's claims",
        keyed_by="profile or profile@country",
        meaning="recognition on a prima facie (group) basis for listed groups: their claims are "
        "granted on lodging, without an individual decision",
        source="seeds/001:205, seeds/002:1933, seeds/002:1958 (prima facie status shortens "
        "delays); which groups is a scenario choice",
    )
    accuracy: lever(
        0.9,
        lo=0,
        hi=1,
        unit="probability",
        keyed_by="true need",
        meaning="probability that a first-instance decision is right; split by true need with "
        "{in_need = ..., not_in_need = ...}",
        source="assumption (no seed gives a figure)",
    )
    appeals: lever(
        0.5,
        lo=0,
        hi=1,
        unit="share of rejected applicants",
        keyed_by="country",
        meaning="share of first-instance rejections appealed; an appeal takes "
        "behaviour.protection.appeal_days on average and corrects some errors",
        source="seeds/001:650 (NGOs and lawyers in procedures); level is an assumption",
    )


class Integration(_Strict):
    work_rights: lever(
        0.5,
        lo=0,
        hi=1,
        unit="0 (none) to 1 (full right to work)",
        keyed_by="country",
        meaning="refugees' right to work: with freedom of movement and reception conditions it "
        "sets the quality of protection, which speeds local integration and keeps recognized "
        "refugees from moving on",
        source="seeds/002:1939 (without employment and freedom of movement many move on)",
    )
    freedom_of_movement: lever(
        0.5,
        lo=0,
        hi=1,
        unit="0 (encampment) to 1 (free movement)",
        keyed_by="country",
        meaning="refugees' freedom of movement inside the country (see work_rights)",
        source="seeds/002:1939, seeds/002:1941 (reservations restricting movement)",
    )


class Resettlement(_Strict):
    quota: lever(
        0.0,
        lo=0,
        hi=float("inf"),
        allow_inf=True,
        in_persons=True,
        unit="persons per year",
        keyed_by="node",
        meaning="resettlement places a year for recognized refugees waiting at a node (a "
        "first-asylum country); resettled people leave the network; a quota also draws people "
        "toward the node (behaviour.solutions.resettlement_pull)",
        source="seeds/001:652-660 (solutions), seeds/002:3166, seeds/002:3173 (pull factor)",
    )
    priority: lever(
        1.0,
        lo=0,
        hi=1,
        unit="share of places",
        keyed_by="node",
        meaning="share of resettlement places given first to the vulnerable (any vulnerability: "
        "child, survivor of violence, trafficking victim, stateless); the rest go in agent order",
        source="seeds/002:3173 (targeted, well-defined groups)",
    )


class Origin(_Strict):
    safety: lever(
        0.0,
        lo=0,
        hi=1,
        unit="0 (unsafe) to 1 (safe)",
        keyed_by="node",
        meaning="conditions at an origin: refugees repatriate voluntarily at a rate that grows "
        "with safety, and people returned there re-migrate less",
        source="seeds/001:652-658 (voluntary repatriation), seeds/002:1568 (re-migration)",
    )


class Readmission(_Strict):
    agreements: lever(
        0.0,
        lo=0,
        hi=1,
        unit="share of requests accepted",
        keyed_by="country",
        meaning="a country's readmission of people who passed through it: secondary movers are "
        "sent back to it when they register elsewhere, and rejected people whose origin will "
        "not take them back are deported into it (where they may cross again)",
        source="seeds/003:257 (Spain-Mauritania readmission), seeds/002:2065 (re-crossing)",
    )


class Return(_Strict):
    avr_support: lever(
        0.5,
        lo=0,
        hi=1,
        unit="0 (none) to 1 (full package)",
        keyed_by="country",
        meaning="assisted voluntary return: counselling, transport and a reintegration package; "
        "raises the daily uptake among rejected people",
        source="seeds/002:1063-1065 (comprehensive AVRR), seeds/003:219",
    )
    forced_capacity: lever(
        0.0,
        lo=0,
        hi=float("inf"),
        allow_inf=True,
        in_persons=True,
        unit="persons per day",
        keyed_by="country",
        meaning="forced returns a country can carry out a day (detained rejected people first)",
        source="seeds/001:707-714 (return of non-refugees); level is an assumption",
    )
    origin_cooperation: lever(
        0.5,
        lo=0,
        hi=1,
        unit="share of returns accepted",
        keyed_by="node",
        meaning="an origin state's cooperation on readmitting its nationals: the probability "
        "that a forced return there can go ahead",
        source="seeds/002:1566 (return blocked by lack of travel documents)",
    )
    reintegration: lever(
        0.0,
        lo=0,
        hi=1,
        unit="0 (none) to 1 (full support)",
        keyed_by="node",
        meaning="reintegration support at an origin: lowers re-migration after return",
        source="seeds/001:807 (reintegration prevents recycling), seeds/003:219, seeds/002:1568",
    )


class Legal(_Strict):
    labour_quota: lever(
        0.0,
        lo=0,
        hi=float("inf"),
        allow_inf=True,
        in_persons=True,
        unit="persons per year",
        keyed_by="node",
        meaning="labour migration visas a year to a destination node, for people moving for "
        "work who know of the channel and can pay its cost",
        source="seeds/002:1879, seeds/002:1917 (legal channels lower unfounded claims)",
    )
    humanitarian_visas: lever(
        0.0,
        lo=0,
        hi=float("inf"),
        allow_inf=True,
        in_persons=True,
        unit="persons per year",
        keyed_by="node",
        meaning="humanitarian visas or in-country processing a year to a destination node, for "
        "people in need: they travel legally and claim asylum on arrival",
        source="seeds/002:1917 (legal entry for people forced to flee)",
    )
    family_reunification: lever(
        0.0,
        lo=0,
        hi=float("inf"),
        allow_inf=True,
        in_persons=True,
        unit="persons per year",
        keyed_by="node",
        meaning="family reunification visas a year to a node, for people with family there",
        source="seeds/002:1879 (family reunification)",
    )
    free_movement: lever(
        0.0,
        lo=0,
        hi=1,
        unit="1 free movement, 0 none",
        keyed_by="edge",
        switch=True,
        meaning="a leg inside a regional free-movement area: travellers cross it legally, "
        "without smugglers (no smuggler's markup, no robbery, not irregular)",
        source="seeds/002:645-647 (ECOWAS free movement), seeds/003:30",
    )
    regularization: lever(
        0.0,
        lo=0,
        hi=1,
        unit="share a year",
        keyed_by="country",
        meaning="regularization programme: the share of people in irregular stay regularized "
        "over a year",
        source="seeds/002:1568 (Patria Grande and other programmes), seeds/003:104",
    )


CONTENTS = ("risks", "legal_options", "protection")


class Campaign(_Strict):
    """One information campaign (policy.information.campaigns is a list of these)."""

    name: str = ""
    nodes: list[str] = Field(min_length=1)  # node ids where the campaign reaches people
    start: int | dt.date = 0  # first day (number from the start, or a date)
    end: int | dt.date | None = None  # last day (inclusive); None = to the end of the run
    reach: float = Field(ge=0, le=1)  # share of the people present reached each day
    credibility: float = Field(ge=0, le=1)
    content: list[Literal["risks", "legal_options", "protection"]] = Field(min_length=1)


def _distinct_names(campaigns: list[Campaign]) -> list[Campaign]:
    """Each campaign's outcomes are keyed by its name (``campaign k`` when unnamed)."""
    seen: set[str] = set()
    for k, c in enumerate(campaigns):
        name = c.name or f"campaign {k + 1}"
        if name in seen:
            raise ValueError(
                f"campaign {k + 1} is named '{name}' like an earlier one: names "
                "must differ (an unnamed campaign k is called 'campaign k')"
            )
        seen.add(name)
    return campaigns


class Information(_Strict):
    campaigns: Annotated[list[Campaign], AfterValidator(_distinct_names)] = Field(
        default_factory=list,
        description="information campaigns: each a table with nodes, start, end, reach, "
        "credibility and content (risks, legal_options, protection); a deterrence-only campaign "
        "(risks alone) is believed less, a balanced one more "
        "(behaviour.information.deterrence_only_credibility, balanced_credibility)",
        json_schema_extra={
            "unit": "list of tables",
            "keyed_by": "(a list)",
            "range": (0, 1),
            "allow_inf": False,
            "choices": (),
            "default_text": "no campaign",
            "source": "seeds/001:674-676 (information strategy), seeds/000:118-125 (balanced "
            "content keeps credibility)",
            "kind": "campaigns",
        },
    )
    contact_probability: lever(
        0.1,
        lo=0,
        hi=1,
        unit="probability a day",
        keyed_by="node",
        meaning="chance that a person talks to one of its contacts (family, community, fellow "
        "travellers) today and takes in what it believes about the sea crossings",
        source="assumption (Routes and Rumours: daily contact with a share of one's network)",
    )
    trust_contacts: lever(
        0.5,
        lo=0,
        hi=1,
        unit="0 (ignored) to 1 (fully believed)",
        keyed_by="node",
        meaning="weight a person gives to what contacts tell it",
        source="assumption",
    )
    trust_officials: lever(
        0.3,
        lo=0,
        hi=1,
        unit="0 (ignored) to 1 (fully believed)",
        keyed_by="node",
        meaning="weight a person gives to official information (campaigns), before the "
        "campaign's own credibility",
        source="seeds/000:118-125 (distorted perceptions; credibility of campaigns)",
    )
    trust_smugglers: lever(
        0.5,
        lo=0,
        hi=1,
        unit="0 (ignored) to 1 (fully believed)",
        keyed_by="node",
        meaning="weight a person waiting at an embarkation hub gives to smugglers' promises "
        "that the crossing is safe",
        source="seeds/002:1541 (smugglers' promises), seeds/002:1359 (migrants unaware of risks)",
    )


class Relocation(_Strict):
    quota: lever(
        0.0,
        lo=0,
        hi=float("inf"),
        unit="persons per year",
        keyed_by="country pair",
        meaning="relocation pledge from one country to another (key 'from>to'): asylum seekers "
        "with a pending claim and recognized refugees moved a year; places not used carry over",
        source="seeds/001:580-600 (cooperation, burden and responsibility sharing), seeds/001:652 "
        "(solutions); levels are assumptions",
        in_persons=True,
    )
    eligible: lever(
        1.0,
        lo=0,
        hi=1,
        unit="1 eligible, 0 not",
        keyed_by="profile or profile@country",
        meaning="which groups (profiles, in the sending country) may be relocated; on when > 0.5",
        source="eligibility of nationalities for relocation is a scenario choice",
        switch=True,
    )
    min_recognition: lever(
        0.0,
        lo=0,
        hi=1,
        unit="share",
        keyed_by="country",
        meaning="in the sending country, only profiles whose expected recognition rate (the share "
        "of the profile in need of protection) is at least this are relocated",
        source="assumption (relocation schemes limited to nationalities with high recognition "
        "rates); seeds/001:580-600",
    )


class Processing(_Strict):
    share: lever(
        0.0,
        lo=0,
        hi=1,
        unit="share of the partner's decision capacity",
        keyed_by="country pair",
        meaning="shared or regional processing (key 'from>to'): the share of country to's daily "
        "asylum decision capacity that decides claims lodged in country from",
        source="seeds/001:580-600 (cooperation among key partners), regional processing in "
        "seeds/002; levels are assumptions",
    )


# -- point 2 (data collection and analysis): what authorities record, and point 3 of issue 16
# (adaptive policy): rules that set levers on what is recorded --------------------------------


class Observation(_Strict):
    arrivals_coverage: lever(
        1.0,
        lo=0,
        hi=1,
        unit="share of arrivals",
        keyed_by="country",
        meaning="share of the people whose route ends at a node of the country who are recorded "
        "as registered arrivals (the rest are never counted)",
        source="seeds/001:624-626, 001:695 (data collection and analysis); level is an assumption",
    )
    registration_delay: lever(
        0.0,
        lo=0,
        hi=365,
        unit="days",
        keyed_by="country",
        meaning="days from an arrival to its record in the country's statistics",
        source="assumption (no seed gives a figure)",
    )
    dead_reported: lever(
        1.0,
        lo=0,
        hi=1,
        unit="share of deaths",
        keyed_by="sea zone",
        meaning="share of the people who died at sea in a zone, their bodies found, whose death "
        "is ever reported",
        source="seeds/002:1232 (reported deaths are those found in rescue operations)",
    )
    missing_reported: lever(
        0.5,
        lo=0,
        hi=1,
        unit="share of the missing",
        keyed_by="sea zone",
        meaning="share of the people missing at sea in a zone whose disappearance is ever "
        "reported (by survivors, families or coast guards)",
        source="seeds/002:1232 (the total number of deaths on the high seas remains unknown); "
        "0.5 is a placeholder",
    )
    interceptions_reported: lever(
        1.0,
        lo=0,
        hi=1,
        unit="share of people intercepted",
        keyed_by="sea zone",
        meaning="share of the people intercepted in a zone who appear in the published "
        "interception figures",
        source="assumption (no seed gives a figure)",
    )
    sea_report_delay: lever(
        0.0,
        lo=0,
        hi=365,
        unit="days",
        keyed_by="sea zone",
        meaning="days from a death, disappearance or interception at sea to its report",
        source="assumption (no seed gives a figure)",
    )
    land_dead_reported: lever(
        1.0,
        lo=0,
        hi=1,
        unit="share of deaths",
        keyed_by="country",
        meaning="share of the people who died on a land leg from a node of the country, their "
        "bodies found, whose death is ever reported",
        source="seeds/002:1232 (reported deaths are a lower bound); level is an assumption",
    )
    land_missing_reported: lever(
        0.5,
        lo=0,
        hi=1,
        unit="share of the missing",
        keyed_by="country",
        meaning="share of the people missing on a land leg from a node of the country whose "
        "disappearance is ever reported",
        source="seeds/002:1232 (reported deaths are a lower bound); 0.5 is a placeholder",
    )
    land_report_delay: lever(
        0.0,
        lo=0,
        hi=365,
        unit="days",
        keyed_by="country",
        meaning="days from a death or disappearance on land to its report",
        source="assumption (no seed gives a figure)",
    )
    asylum_delay: lever(
        0.0,
        lo=0,
        hi=365,
        unit="days",
        keyed_by="country",
        meaning="days from the end of a day to the publication of the country's asylum "
        "statistics for it (claims pending, recognitions)",
        source="assumption (no seed gives a figure)",
    )


INDICATORS = {
    "arrivals_at_node": "node",
    "arrivals_in_country": "country",
    "deaths_at_sea": "sea zone",
    "deaths_on_land": "country",
    "interceptions": "sea zone",
    "asylum_backlog": "country",
}  # indicator -> what its ids (``at``) are


class PolicyRule(_Strict):
    """One adaptive rule (policy.rules is a list of these): data, never an expression."""

    name: str = ""
    indicator: Literal[
        "arrivals_at_node",
        "arrivals_in_country",
        "deaths_at_sea",
        "deaths_on_land",
        "interceptions",
        "asylum_backlog",
    ]
    at: list[str] = Field(default_factory=list)  # the indicator's ids, summed; [] = all
    window: int = Field(default=30, ge=1, le=3650)  # days the observed figure is summed over
    threshold: float = Field(ge=0, allow_inf_nan=False)  # persons: activate at or above
    release: float | None = Field(default=None, ge=0, allow_inf_nan=False)  # back below it
    delay: int = Field(default=1, ge=1, le=3650)  # days from the observation to the change
    lever: str  # the lever path it sets (policy.interception.rate)
    ids: list[str] = Field(default_factory=list)  # the lever's ids it sets; [] = all
    value: StrictBool | float | str

    @model_validator(mode="after")
    def _release_below_threshold(self) -> PolicyRule:
        if self.release is not None and self.release > self.threshold:
            raise ValueError(
                f"release = {self.release:g} is above threshold = {self.threshold:g}: the "
                "release threshold must be at or below the activation threshold (hysteresis)"
            )
        return self


def _rule_names(rules: list[PolicyRule]) -> list[PolicyRule]:
    """Each rule is named in its events (``rule k`` when unnamed)."""
    seen: set[str] = set()
    for k, r in enumerate(rules):
        name = r.name or f"rule {k + 1}"
        if name in seen:
            raise ValueError(
                f"rule {k + 1} is named '{name}' like an earlier one: names must differ (an "
                "unnamed rule k is called 'rule k')"
            )
        seen.add(name)
    return rules


class Policy(_Strict):
    """The levers implemented so far: closures; points 3 to 9 of the 10-Point Plan."""

    closures: Closures = Field(default_factory=Closures)
    rescue: Rescue = Field(default_factory=Rescue)
    interception: Interception = Field(default_factory=Interception)
    pullback: Pullback = Field(default_factory=Pullback)
    relocation: Relocation = Field(default_factory=Relocation)
    processing: Processing = Field(default_factory=Processing)
    disembarkation: Disembarkation = Field(default_factory=Disembarkation)
    enforcement: Enforcement = Field(default_factory=Enforcement)
    reception: Reception = Field(default_factory=Reception)
    detention: Detention = Field(default_factory=Detention)
    profiling: Profiling = Field(default_factory=Profiling)
    asylum: Asylum = Field(default_factory=Asylum)
    integration: Integration = Field(default_factory=Integration)
    resettlement: Resettlement = Field(default_factory=Resettlement)
    origin: Origin = Field(default_factory=Origin)
    readmission: Readmission = Field(default_factory=Readmission)
    # "return" is a Python keyword: the field is return_ and the scenario key is "return"
    return_: Return = Field(default_factory=Return, alias="return")
    legal: Legal = Field(default_factory=Legal)
    information: Information = Field(default_factory=Information)
    observation: Observation = Field(default_factory=Observation)
    rules: Annotated[list[PolicyRule], AfterValidator(_rule_names)] = Field(
        default_factory=list,
        description="adaptive rules: each reads an observed figure (policy.observation) over a "
        "window of days and, at or above its threshold, sets a lever to a value for some ids "
        "after a reaction delay, and sets it back when the figure falls below its release "
        "threshold (hysteresis)",
        json_schema_extra={
            "unit": "list of tables",
            "keyed_by": "(a list)",
            "range": (0, float("inf")),
            "allow_inf": False,
            "choices": (),
            "default_text": "no rule",
            "source": "issue 16, point 3: policy that reacts, with delay, to observed flows",
            "kind": "rules",
        },
    )


def lever_specs(model: type[BaseModel] = Policy, prefix: str = "policy") -> list[dict[str, Any]]:
    """Every lever with its path, meaning, unit, default, key and source (for ``flowsim levers``)."""
    out = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        name = field.alias or name  # noqa: PLW2901 (return_ is "return" in a scenario)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.extend(lever_specs(ann, f"{prefix}.{name}"))
            continue
        extra = field.json_schema_extra or {}
        if extra.get("kind") in ("campaigns", "rules"):
            out.append(
                {"path": f"{prefix}.{name}", "meaning": field.description, "default": [], **extra}
            )
            continue
        out.append(
            {
                "path": f"{prefix}.{name}",
                "meaning": field.description,
                "unit": extra["unit"],
                "default": field.default,
                "keyed_by": extra["keyed_by"],
                "range": extra["range"],
                "allow_inf": extra["allow_inf"],
                "choices": extra["choices"],
                "default_text": extra["default_text"],
                "source": extra["source"],
                "in_persons": extra["in_persons"],
                "switch": extra["switch"],
            }
        )
    return out


def lever_timelines(policy: Policy) -> list[tuple[str, Timeline]]:
    """(path, timeline) for every timeline in the levers, for checking their days."""
    out = []
    for spec in lever_specs():
        if spec.get("kind") in ("campaigns", "rules"):
            continue
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
        if spec.get("kind") in ("campaigns", "rules"):
            continue
        value = _get(policy, spec["path"])
        if isinstance(value, dict):
            out.append((spec["path"], spec["keyed_by"], [k for k in value if k != "default"]))
    return out


def _get(policy: Policy, path: str) -> Lever:
    obj: Any = policy
    for part in path.split(".")[1:]:
        obj = getattr(obj, f"{part}_" if part == "return" else part)
    return obj


def resolve(
    policy: Policy,
    path: str,
    ids: list[str],
    start: dt.date,
    days: int,
    fallback: np.ndarray | None = None,
    keys: list[list[str]] | None = None,
) -> np.ndarray:
    """The lever at ``path`` as a [day, id] array of floats over the run.

    ``fallback`` holds per-id defaults for a lever whose default is None. ``keys`` lists, for
    each id, the table keys to try in order (default: the id itself), then ``default``. Before
    the first point of a timeline, the value the lever would have without it applies: the
    table's ``default``, else the lever's own default.
    """
    value = _get(policy, path)
    out = np.empty((days, len(ids)))

    def base(k: int) -> np.ndarray:
        """Id k's value when nothing names it: the lever's default (or the per-id fallback)."""
        default = _default(path)
        if default is None:
            if fallback is None:
                raise ValueError(f"{path} has no default: pass per-id fallbacks")
            return np.full(days, float(np.asarray(fallback, float)[k]))
        return expand(default, start, days)

    if value is None:
        for k in range(len(ids)):
            out[:, k] = base(k)
        return out
    if not isinstance(value, dict):
        for k in range(len(ids)):
            out[:, k] = expand(value, start, days, before=base(k))
        return out
    for k, ident in enumerate(ids):
        below = base(k)
        if "default" in value:
            below = expand(value["default"], start, days, before=below)
        for key in keys[k] if keys is not None else [ident]:
            if key in value:
                out[:, k] = expand(value[key], start, days, before=below)
                break
        else:
            out[:, k] = below
    return out


@functools.cache
def lever_spec(path: str) -> dict[str, Any]:
    """The metadata of the lever at ``path`` (see :func:`lever_specs`)."""
    for spec in lever_specs():
        if spec["path"] == path:
            return spec
    raise KeyError(f"no lever {path}")


def _default(path: str) -> Value:
    return lever_spec(path)["default"]


def lever_ids(keyed_by: str, net, profiles: list[str]) -> tuple[list[str], list[list[str]] | None]:
    """The ids a lever keyed by ``keyed_by`` takes one value for, in the order of the model's
    arrays, and (for a lever keyed by profile or profile@country) the table keys to try for
    each id in turn."""
    if keyed_by in ("node", "embarkation node"):
        return net.node_ids, None
    if keyed_by == "edge":
        return net.edge_ids, None
    if keyed_by == "sea zone":
        return net.zone_ids, None
    if keyed_by == "country":
        return net.country_ids, None
    if keyed_by == "true need":
        return ["in_need", "not_in_need"], None
    if keyed_by == "country pair":
        return [f"{a}>{b}" for a in net.country_ids for b in net.country_ids], None
    if keyed_by == "sea zone>country":
        return [f"{z}>{c}" for z in net.zone_ids for c in net.country_ids], None
    if keyed_by == "profile or profile@country":
        pairs = [(pf, c) for pf in profiles for c in net.country_ids]
        return [f"{pf}@{c}" for pf, c in pairs], [[f"{pf}@{c}", pf] for pf, c in pairs]
    raise KeyError(f"no ids for levers keyed by {keyed_by}")


def resolve_lever(path: str, scenario, net, days: int, fallback: np.ndarray | None = None):
    """The lever at ``path`` over the run, as the model reads it: [day, id] floats (a lever keyed
    by profile or profile@country: [day, profile, country]); a lever counted in persons divided by
    ``persons_per_agent`` (agents); a switch as booleans. The ids come from its ``keyed_by``
    (:func:`lever_ids`); ``fallback`` gives per-id defaults, in persons, for a lever whose default
    is None."""
    spec = lever_spec(path)
    sim = scenario.simulation
    profiles = [p.id for p in scenario.profiles]
    ids, keys = lever_ids(spec["keyed_by"], net, profiles)
    out = resolve(scenario.policy, path, ids, sim.start_date, days, fallback=fallback, keys=keys)
    if spec["keyed_by"] == "profile or profile@country":
        out = out.reshape(days, len(profiles), len(net.country_ids))
    if spec["in_persons"]:
        out = out / sim.persons_per_agent
    if spec["switch"]:
        out = out > 0.5
    return out
