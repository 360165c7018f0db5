"""Invariants of the model on small random scenarios (hypothesis).

Each example is a layered network: origins -> transit (some embarkation) -> destinations, with
random land/sea legs (sea legs leave embarkation nodes), costs, hazards, robbery and capacities
(unlimited, zero, small), one or two profiles, constant or step-timeline departures, and sometimes
an initial population. At sea: one to three boat types, legs in shared or their own sea zones with
random boat mixes and forced overboard, random sea and smuggler behaviour, and random policy levers
(numbers, step timelines, tables keyed by zone or hub with or without a default). The model is
stepped 10-40 days and the state is checked after every day.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from helpers import lever
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowsim import Model
from flowsim.events import Event
from flowsim.output import summarise
from flowsim.population import Status

START = dt.date(2020, 1, 1)

shares = st.floats(0.0, 1.0, allow_nan=False)
hazards = st.floats(0.0, 0.3, allow_nan=False)
# lever levels: round values as often as hypothesis's own (which favour 0, 1 and tiny numbers)
levels = st.one_of(st.sampled_from([0.0, 0.2, 0.5, 0.9, 1.0]), shares)
capacities = st.one_of(st.none(), st.integers(0, 5), st.integers(6, 60))


@st.composite
def rates(draw):
    """A constant rate or a step timeline (day numbers or dates) of persons per day."""
    kind = draw(st.sampled_from(["constant", "steps", "dates"]))
    if kind == "constant":
        return draw(st.one_of(st.just(0.0), st.floats(0.5, 8.0)))
    days = sorted(draw(st.sets(st.integers(0, 30), min_size=1, max_size=3)))
    values = draw(st.lists(st.floats(0.0, 8.0, allow_nan=False), min_size=len(days)))
    points = list(zip(days, values, strict=False))
    if kind == "dates":
        points = [(START + dt.timedelta(days=d), v) for d, v in points]
    return [list(p) for p in points]


@st.composite
def profiles(draw, n: int, destinations: list[str], rich: bool = False):
    out = []
    for k in range(n):
        # Spreads stay in sensible ranges; extreme ones have their own tests below.
        mean = draw(st.floats(0.05, 0.95))
        sd = draw(st.one_of(st.just(0.0), st.floats(0.01, 0.9))) * np.sqrt(mean * (1 - mean))
        weights = draw(
            st.dictionaries(
                st.sampled_from(["safety", "livelihood", "family"]),
                st.floats(0.1, 1.0),
                min_size=1,
            )
        )
        motives = {m: w / sum(weights.values()) for m, w in weights.items()}  # shares of 1
        ties = {}
        if draw(st.booleans()):
            ties = {draw(st.sampled_from(destinations)): draw(shares)}
        out.append(
            {
                "id": f"p{k}",
                "protection_need": draw(shares),
                "motives": motives,
                "vulnerabilities": {"child": draw(shares)},
                "resources": {
                    "mean": draw(
                        st.floats(500.0, 3000.0)
                        if rich
                        else st.one_of(st.just(0.0), st.floats(1.0, 3000.0))
                    ),
                    "sd": draw(st.floats(0.0, 1500.0)),
                },
                "risk_tolerance": {"mean": mean, "sd": float(sd)},
                "ties": ties,
            }
        )
    return out


def edge(
    draw, a: str, b: str, *, embarkation: bool = False, types=(), sea_heavy=False, **extra
) -> dict:
    """A leg from a to b; it may be a sea leg when a is an embarkation node (in a sea-heavy
    scenario: always, and a cheap one)."""
    mode = "land"
    if embarkation:
        mode = "sea" if sea_heavy else draw(st.sampled_from(["land", "sea", "sea"]))
    out = {
        "from": a,
        "to": b,
        "mode": mode,
        "days": draw(st.integers(1, 5)),
        "cost": draw(st.floats(0.0, 200.0 if mode == "sea" and sea_heavy else 800.0)),
        "hazard": draw(hazards),
        "robbery": draw(hazards),
        **extra,
    }
    if mode == "sea":
        zone = draw(st.sampled_from([None, "z0", "z1"]))  # None: the leg is its own zone
        if zone is not None:
            out["zone"] = zone
        if draw(st.booleans()):  # else every type in equal shares
            chosen = draw(st.lists(st.sampled_from(types), min_size=1, unique=True))
            out["boat_types"] = {t: draw(st.floats(0.1, 1.0)) for t in chosen}
        out["forced_overboard"] = draw(st.one_of(st.just(0.0), shares))
    return out


def _someone(node: dict) -> bool:
    """Whether a generated node puts anybody in the run."""

    def positive(rate) -> bool:
        return any(v > 0 for _, v in rate) if isinstance(rate, list) else rate > 0

    return any(positive(r) for r in node.get("departures", {}).values()) or sum(
        node.get("initial_population", {}).values()) > 0  # fmt: skip


@st.composite
def boat_types(draw) -> list[dict]:
    return [
        {
            "id": f"b{k}",
            "capacity": draw(st.integers(1, 60)),
            "distress": draw(shares),
            "survival_days": draw(st.floats(0.1, 5.0)),
            "price_factor": draw(st.floats(0.0, 2.0)),
        }
        for k in range(draw(st.integers(1, 3)))
    ]


@st.composite
def policies(draw, zones: list[str], hubs: list[str], countries: list[str] = ()) -> dict:
    """Random policy levers; each one is left at its default now and then."""
    specs = {
        "rescue": {
            "capacity": (st.one_of(st.just(0.0), st.floats(0.0, 3.0), st.floats(3.0, 30.0)), zones),
            "response_days": (st.floats(0.0, 3.0), zones),
        },
        "interception": {
            "rate": (levels, zones),
            "screening": (st.sampled_from([0.0, 1.0, True, False]), zones),
        },
        "disembarkation": {"delay_days": (st.floats(0.0, 10.0), zones)},
        "enforcement": {"level": (levels, hubs)},
        "pullback": {
            "detention": (levels, hubs),
            "days": (st.floats(1.0, 30.0), hubs),
            "conditions": (levels, hubs),
            "release_home": (st.floats(0.0, 0.5), hubs),
            "release_transit": (st.floats(0.0, 0.5), hubs),
        },
        "relocation": {
            "quota": (st.sampled_from([0.0, 100.0, 2000.0]), []),
            "min_recognition": (levels, []),
        },
        "processing": {"share": (levels, [])},
    }
    out: dict = {}
    for group, levers in specs.items():
        for name, (values, keys) in levers.items():
            if draw(st.integers(0, 3)) > 0:
                out.setdefault(group, {})[name] = draw(lever(values, keys))
    if zones and countries and draw(st.integers(0, 3)) > 0:
        # disembarkation sharing: a zone's rescued shared among up to two countries (sum <= 1)
        zone = draw(st.sampled_from(zones))
        where = draw(st.lists(st.sampled_from(countries), min_size=1, max_size=2, unique=True))
        left, table = 1.0, {}
        for c in where:
            table[f"{zone}>{c}"] = share = draw(st.floats(0.0, left))
            left -= share
        out.setdefault("disembarkation", {})["shares"] = table
    return out


def sea_behaviour(draw, sea_heavy: bool) -> tuple[dict, dict]:
    sea = {
        "launch_probability": draw(st.floats(0.3, 1.0) if sea_heavy else shares),
        "min_load": draw(shares),
        "max_wait_days": draw(st.integers(0, 20)),
        "overload": draw(st.floats(0.5, 2.0)),
        "overload_exponent": draw(st.floats(0.0, 3.0)),
        "loss_if_sunk": draw(shares),
        "loss_if_rescued": draw(shares),
        "loss_if_intercepted": draw(shares),
        "standoff_daily_hazard": draw(st.floats(0.0, 0.3)),
        "forced_overboard_loss": draw(shares),
        "screening_sensitivity": draw(shares),
        "pullback_resource_loss": draw(shares),
    }
    if draw(st.booleans()):
        sea["weather"] = draw(st.lists(st.floats(0.0, 2.0), min_size=12, max_size=12))
    smugglers = {
        "adapt": draw(st.booleans()),
        "adapt_strength": draw(shares),
        "price_enforcement": draw(st.floats(0.0, 2.0)),
        "launch_enforcement": draw(shares),
        "risk_enforcement": draw(st.floats(0.0, 2.0)),
    }
    return sea, smugglers


@st.composite
def scenarios(draw):
    # in half the examples every transit node is a hub with cheap sea legs and frequent boats,
    # and people have money to pay for them
    sea_heavy = draw(st.booleans())
    origins = [f"o{k}" for k in range(draw(st.integers(1, 2)))]
    transits = [f"t{k}" for k in range(draw(st.integers(1 if sea_heavy else 0, 2)))]
    dests = [f"d{k}" for k in range(draw(st.integers(1, 2)))]
    profs = draw(profiles(draw(st.integers(1, 2)), dests, rich=sea_heavy))
    pids = [p["id"] for p in profs]

    nodes = []
    for k, nid in enumerate(origins + transits + dests):
        if nid in origins:
            roles = ["origin"] + (["embarkation"] if draw(st.booleans()) else [])
        elif nid in transits:
            hub = sea_heavy or draw(st.integers(0, 3)) > 0
            roles = ["transit"] + (["embarkation"] if hub else [])
        else:
            roles = [draw(st.sampled_from(["destination", "first_asylum", "camp"]))]
        node = {
            "id": nid,
            "lat": float(k),
            "lon": float(k),
            "roles": roles,
            "capacity": draw(capacities),
            "attractiveness": {"safety": draw(shares), "livelihood": draw(shares)},
        }
        if nid in origins:
            chosen = draw(st.lists(st.sampled_from(pids), min_size=1, unique=True))
            node["departures"] = {pid: draw(rates()) for pid in chosen}
            node["population"] = float(draw(st.sampled_from([0, 0, 20, 60])))
        if draw(st.integers(0, 3)) == 0:
            node["initial_population"] = {draw(st.sampled_from(pids)): draw(st.integers(0, 30))}
        if node["capacity"] is None:
            del node["capacity"]
        nodes.append(node)
    if not any(_someone(n) for n in nodes):  # a scenario must simulate somebody (an error else)
        first = next(n for n in nodes if n["id"] in origins)
        first["departures"][next(iter(first["departures"]))] = 5.0

    types = draw(boat_types())
    type_ids = [t["id"] for t in types]
    hubs = [n["id"] for n in nodes if "embarkation" in n["roles"]]

    def leg(a: str, b: str, **extra) -> dict:
        return edge(draw, a, b, embarkation=a in hubs, types=type_ids, sea_heavy=sea_heavy, **extra)

    edges: dict[tuple[str, str], dict] = {}
    layers = [layer for layer in (origins, transits, dests) if layer]
    for upper, lower in zip(layers, layers[1:], strict=False):
        for a in upper:
            for b in lower:
                if draw(st.integers(0, 3)) > 0:
                    edges[(a, b)] = leg(a, b)
    if transits:  # sometimes a direct leg that skips the transit layer
        for a in origins:
            if draw(st.booleans()):
                edges[(a, dests[0])] = leg(a, dests[0])
    if len(dests) == 2 and draw(st.booleans()):  # onward moves between destinations (by land)
        edges[(dests[0], dests[1])] = edge(draw, dests[0], dests[1], both_ways=True)
    if not edges:
        edges[(origins[0], layers[1][0])] = leg(origins[0], layers[1][0])
    zones = []
    for e in edges.values():
        z = e.get("zone", f"{e['from']}-{e['to']}")
        if e["mode"] == "sea" and z not in zones:
            zones.append(z)
    sea, smugglers = sea_behaviour(draw, sea_heavy)

    behaviour = {
        "route_choice": {
            "noise": draw(st.floats(0.0, 1.0)),
            "routes_per_destination": draw(st.integers(1, 3)),
        },
        "hazards": {
            "robbery_loss": draw(shares),
            "missing_share_land": draw(shares),
            "missing_share_sea": draw(shares),
            "stranded_earnings": draw(st.floats(0.0, 50.0)),
        },
        "sea": sea,
        "smugglers": smugglers,
        "pullback": {"daily_hazard": draw(st.floats(0.0, 0.1)), "daily_extortion": draw(shares)},
        "relocation": {"refuse": draw(shares), "move_on": draw(shares)},
        "arrival": {"onward_probability": draw(st.floats(0.0, 0.5))},
    }
    return {
        "simulation": {
            "name": "random",
            "start_date": START,
            "days": 40,
            "seed": draw(st.integers(0, 2**31)),
            "persons_per_agent": draw(st.sampled_from([1.0, 1.0, 2.0])),
        },
        "nodes": nodes,
        "edges": list(edges.values()),
        "profiles": profs,
        "boat_types": types,
        "behaviour": behaviour,
        "policy": draw(policies(zones, hubs, [n["id"] for n in nodes])),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenarios(), days=st.integers(10, 40))
def test_invariants_hold_every_day(data, days, make_scenario, check_state):
    scenario = make_scenario(data)
    model = Model(scenario, days=days)
    for _ in range(days):
        model.step()
        check_state(model)
    assert model.day == days
    # afterwards, against the final population: every day's table counts the agents born by then
    born = model.pop.view("born_day")
    for d in range(days):
        assert model.node_status_by_day[d].sum() == int((born <= d).sum())

    summary = summarise(model)
    assert sum(summary["by_status"].values()) == summary["agents_total"] == model.pop.n
    dead_missing_events = sum(
        summary["totals"][k] for k in ("dead_land", "missing_land", "dead_sea", "missing_sea")
    )
    stocks = summary["by_status"]
    assert dead_missing_events == stocks["dead"] + stocks["missing"] == summary["deaths"]["total"]
    assert summary["arrivals"]["total"] == sum(summary["arrivals"]["by_node"].values())
    # an origin with a population cannot send more people than it has (in agents: / scale)
    scale = scenario.simulation.persons_per_agent
    origin_of = model.pop.view("origin")
    born = model.pop.view("born_day")
    for k, spec in enumerate(scenario.nodes):
        if spec.population > 0:
            sent = int(((origin_of == k) & (born >= 0)).sum())
            assert sent <= spec.population / scale + 1e-9


def test_dead_and_missing_agents_never_leave_those_statuses(make_scenario):
    """Dead and missing are absorbing: once an agent has one, it keeps it and its status day."""
    data = {
        "simulation": {"name": "deadly", "start_date": START, "days": 30, "seed": 5},
        "nodes": [
            {"id": "a", "lat": 0, "lon": 0, "roles": ["origin"], "departures": {"p": 30}},
            {"id": "b", "lat": 1, "lon": 1, "roles": ["transit", "embarkation"]},
            {"id": "c", "lat": 2, "lon": 2, "roles": ["destination"]},
        ],
        "edges": [
            {"from": "a", "to": "b", "days": 2, "hazard": 0.3},
            {"from": "b", "to": "c", "days": 1, "mode": "sea", "hazard": 0.3},
        ],
        # deaths at sea come from the boats: distress 0.3 at capacity, 0.43 at the default overload
        "boat_types": [{"id": "leaky", "capacity": 20, "distress": 0.3, "survival_days": 1.0}],
        "profiles": [
            {
                "id": "p",
                "protection_need": 0.5,
                "motives": {"safety": 1},
                "resources": {"mean": 1000},
                "risk_tolerance": {"mean": 0.5},
            }
        ],
    }
    model = Model(make_scenario(data))
    lost_day: dict[int, int] = {}
    for _ in range(30):
        model.step()
        status = model.pop.view("status")
        status_day = model.pop.view("status_day")
        for i, d in lost_day.items():
            assert status[i] in (Status.DEAD, Status.MISSING)
            assert status_day[i] == d
        for i in np.flatnonzero(np.isin(status, [Status.DEAD, Status.MISSING])):
            lost_day.setdefault(int(i), int(status_day[i]))
    # hazard 0.3 on land and leaky boats at sea, ~900 agents: hundreds die; zero would mean no
    # hazard applied
    assert len(lost_day) > 50
    assert model.events_by_day[:, [Event.DEAD_SEA, Event.MISSING_SEA]].sum() > 0


def test_lost_agents_are_not_left_on_a_leg(make_scenario, two_routes_data):
    """Every agent with ``edge >= 0`` should be in transit or at sea with ``days_left >= 1``."""
    # the sea leg's hazard is what route choice sees; deaths at sea come from the boats: a leaky
    # boat type with distress 0.5 at capacity (0.72 at the default overload) and no rescue
    data = two_routes_data()
    data["boat_types"] = [{"id": "leaky", "capacity": 20, "distress": 0.5, "survival_days": 1.0}]
    scenario = make_scenario(
        data, {"edges.coast-haven.hazard": 0.5, "behaviour.route_choice.w_risk": 0.0}
    )
    model = Model(scenario, days=15).run()
    pop = model.pop
    status = pop.view("status")
    lost = np.isin(status, [Status.DEAD, Status.MISSING])
    assert lost.sum() > 0  # hazard 0.5 on the sea leg: dozens are lost in 15 days
    assert model.events_by_day[:, [Event.DEAD_SEA, Event.MISSING_SEA]].sum() > 0  # ... at sea
    on_edge = pop.view("edge") >= 0
    assert np.isin(status[on_edge], [Status.IN_TRANSIT, Status.AT_SEA]).all()
    assert (pop.view("days_left")[on_edge] >= 1).all()


def test_degenerate_spreads_tiny_risk_sd(make_scenario, two_routes_data):
    scenario = make_scenario(two_routes_data(), {"profiles.people.risk_tolerance.sd": 1e-170})
    model = Model(scenario, days=1).run()
    assert model.pop.n > 0


def test_degenerate_spreads_tiny_resources_mean(make_scenario, two_routes_data):
    scenario = make_scenario(two_routes_data(), {"profiles.people.resources.mean": 1e-160})
    model = Model(scenario, days=1).run()
    assert model.pop.n > 0
