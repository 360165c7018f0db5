"""Shared fixtures and helpers for the flowsim tests.

Plain helper functions live here and are handed to tests through session-scoped fixtures, so
hypothesis tests can use them without function-scoped fixture warnings.
"""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flowsim.beliefs import MIN_CONFIDENCE, REBASE_BELOW
from flowsim.boats import BoatState, Fate
from flowsim.events import Event
from flowsim.population import N_STATUS, PROTECTION_STATUSES, Claim, Flag, Status
from flowsim.scenario import Scenario, bundled_scenarios, validate

TESTS_DIR = Path(__file__).resolve().parent
TWO_ROUTES = TESTS_DIR / "two_routes.toml"
REPO_ROOT = TESTS_DIR.parent


def load_two_routes() -> dict[str, Any]:
    """The two_routes scenario as plain TOML-shaped data (a fresh copy each call)."""
    return tomllib.loads(TWO_ROUTES.read_text(encoding="utf-8"))


def scenario_dict(
    nodes: list[dict],
    edges: list[dict],
    profiles: list[dict],
    *,
    name: str = "test",
    days: int = 30,
    seed: int = 0,
    start_date: dt.date = dt.date(2020, 1, 1),
    persons_per_agent: float = 1.0,
    behaviour: dict | None = None,
) -> dict[str, Any]:
    """A scenario as TOML-shaped data, built in Python."""
    data: dict[str, Any] = {
        "simulation": {
            "name": name,
            "start_date": start_date,
            "days": days,
            "seed": seed,
            "persons_per_agent": persons_per_agent,
        },
        "nodes": copy.deepcopy(nodes),
        "edges": copy.deepcopy(edges),
        "profiles": copy.deepcopy(profiles),
    }
    if behaviour:
        data["behaviour"] = copy.deepcopy(behaviour)
    return data


def build_scenario(
    data: dict[str, Any] | None = None,
    overrides: dict[str, Any] | list[str] | None = None,
    **kwargs: Any,
) -> Scenario:
    """Validate ``data`` (or ``scenario_dict(**kwargs)``) with ``flowsim.scenario.validate``."""
    if data is None:
        data = scenario_dict(**kwargs)
    return validate(data, source="<test>", overrides=overrides)


def profile(
    pid: str = "people",
    *,
    resources: float = 2000.0,
    resources_sd: float = 0.0,
    risk: float = 0.5,
    risk_sd: float = 0.0,
    **extra: Any,
) -> dict[str, Any]:
    """A profile table with the given resources and risk tolerance."""
    return {
        "id": pid,
        "protection_need": 0.5,
        "motives": {"safety": 1.0},
        "resources": {"mean": resources, "sd": resources_sd},
        "risk_tolerance": {"mean": risk, "sd": risk_sd},
        **extra,
    }


def check_model_state(model) -> None:
    """Assert the invariants that hold between days for a :class:`flowsim.Model`.

    Called after each ``step``; ``model.day - 1`` is the day just simulated.
    """
    d = model.day - 1
    pop, net = model.pop, model.net
    status = pop.view("status").astype(np.int64)
    node = pop.view("node").astype(np.int64)
    edge = pop.view("edge").astype(np.int64)
    days_left = pop.view("days_left")
    route = pop.view("route")
    n = pop.n

    # statuses are valid codes, and the members of each status are exactly those in it
    assert ((status >= 0) & (status < N_STATUS)).all()
    members = np.ascontiguousarray(pop.agents().members.T)  # [status, word]
    bits = np.unpackbits(members.view(np.uint8), axis=1, bitorder="little")[:, :n]
    np.testing.assert_array_equal(bits, status[None, :] == np.arange(N_STATUS)[:, None])
    # the day's stock table counts every agent that existed at the end of the day, once
    ns = model.node_status_by_day[d]
    assert (ns >= 0).all()
    assert ns.sum() == int((pop.view("born_day") <= d).sum()) == n
    expected = np.zeros((net.n_nodes, N_STATUS), np.int64)
    np.add.at(expected, (node, status), 1)
    np.testing.assert_array_equal(ns, expected)

    # every agent has beliefs: a belief per hub and per destination, with a confidence of at
    # least the floor as of today, and contacts among the others
    bl = model.beliefs
    assert bl.n == n
    contacts = bl.view("contacts")
    assert ((contacts >= -1) & (contacts < n)).all()
    assert (contacts != np.arange(n)[:, None]).all()
    n_dest = int(net.node_is_destination.sum())
    assert bl.view("risk_mean").shape == bl.view("risk_n").shape == (n, net.hub_nodes.size)
    assert bl.view("welcome_mean").shape == bl.view("welcome_n").shape == (n, n_dest)
    assert bl.base_day <= model.day and bl.scale(model.day) >= REBASE_BELOW * bl.keep
    for kind in ("risk", "welcome"):
        confidence = bl.confidence(kind, model.day)
        assert np.isfinite(confidence).all() and (confidence >= MIN_CONFIDENCE).all()
    assert ((model.true_welcome > 0) & (model.true_welcome < 1)).all()
    if n and net.hub_nodes.size:
        assert model.true_risk.shape == (net.hub_nodes.size,)
        assert ((model.true_risk >= 0) & (model.true_risk <= 1)).all()

    # cumulative events against stocks
    ev = model.events_by_day[: d + 1].sum(axis=0)
    by_status = np.bincount(status, minlength=N_STATUS)
    assert ev[Event.NEW_AGENTS] == n
    assert ev[Event.DEAD_LAND] + ev[Event.DEAD_SEA] == by_status[Status.DEAD]
    assert ev[Event.MISSING_LAND] + ev[Event.MISSING_SEA] == by_status[Status.MISSING]
    assert ev[Event.DEPARTURES] == int((pop.view("departure_day") >= 0).sum())
    assert model.arrivals_by_day[d].sum() == model.events_by_day[d, Event.ARRIVALS]
    sea_edges = net.edge_mode == 1
    assert model.edge_flow_by_day[d, sea_edges].sum() == model.events_by_day[d, Event.SEA_ATTEMPTS]
    # reception: occupancy is the number of people holding a place at each node, within the
    # largest capacity so far (a capacity cut evicts nobody)
    flags = pop.view("flags")
    housed = (flags & Flag.HOUSED) > 0
    np.testing.assert_array_equal(
        model.occupancy, np.bincount(node[housed], minlength=net.n_nodes).astype(float)
    )
    cap = model.levers["reception_capacity"][: d + 1].max(axis=0)
    assert (model.occupancy <= cap + 1e-9).all()

    # resources never go negative
    assert (pop.view("resources") >= 0).all()

    # agents on a leg are in transit or at sea, with at least one day to go (the lost leave it)
    on_edge = edge >= 0
    assert np.isin(status[on_edge], [Status.IN_TRANSIT, Status.AT_SEA]).all()
    assert (days_left[on_edge] >= 1).all()
    # an agent on a leg is counted at the leg's start node
    assert (node[on_edge] == net.edge_src[edge[on_edge]]).all()
    # at sea means on a sea leg
    at_sea = status == Status.AT_SEA
    assert (edge[at_sea] >= 0).all()
    assert (net.edge_mode[edge[at_sea]] == 1).all()
    # waiting to cross means at a node, with a sea leg next on the route, starting there
    waiting = np.flatnonzero(status == Status.WAITING_TO_CROSS)
    assert (edge[waiting] == -1).all()
    for i in waiting:
        r = route[i]
        assert r >= 0
        nxt = net.route_edges[net.route_edge_ptr[r] + pop.route_pos[i]]
        assert net.edge_mode[nxt] == 1
        assert net.edge_src[nxt] == node[i]
    # agents still at their origin are at their origin node and have not departed
    at_origin = status == Status.AT_ORIGIN
    assert (node[at_origin] == pop.view("origin")[at_origin]).all()
    assert (pop.view("departure_day")[at_origin] == -1).all()
    check_sea_state(model, status, node, edge, days_left, route, ev)
    check_protection_state(model, status, node, edge, ev)


def check_protection_state(model, status, node, edge, ev) -> None:
    """The arrival and protection part of :func:`check_model_state`."""
    d = model.day - 1
    pop, net = model.pop, model.net
    flags = pop.view("flags")
    claim = pop.view("claim").astype(np.int64)
    claim_day = pop.view("claim_day")
    housed = (flags & Flag.HOUSED) > 0
    registered = (flags & Flag.REGISTERED) > 0
    protection = np.isin(status, PROTECTION_STATUSES)
    pending = np.isin(claim, [Claim.FULL, Claim.ACCELERATED, Claim.APPEAL])

    # everyone who arrived today was registered and received the same day
    assert not (status == Status.ARRIVED).any()
    # people in the protection system are at a node, off any leg and route step
    assert (edge[protection] == -1).all()
    # registered = in the protection system, except the initial population of destinations
    # (placed before day 0, never registered): they have a place or wait for one
    assert protection[registered].all()
    initial = protection & ~registered
    assert np.isin(status[initial], [Status.IN_RECEPTION, Status.DESTITUTE]).all()
    assert (pop.view("born_day")[initial] == -1).all()
    assert ((flags[registered] & Flag.REACHED) > 0).all()
    # places: people with a place are in reception, in procedure, or recognized at a camp
    assert housed[np.isin(status, [Status.IN_RECEPTION, Status.IN_PROCEDURE])].all()
    housed_status = status[housed]
    assert np.isin(
        housed_status, [Status.IN_RECEPTION, Status.IN_PROCEDURE, Status.RECOGNIZED]
    ).all()
    assert net.node_is_camp[node[housed & (status == Status.RECOGNIZED)]].all()
    # claims follow the status
    assert pending[status == Status.IN_PROCEDURE].all()
    assert (claim[status == Status.IN_RECEPTION] == Claim.NONE).all()
    assert (claim[status == Status.RECOGNIZED] == Claim.RECOGNIZED).all()
    assert (claim[status == Status.REJECTED] == Claim.REJECTED).all()
    assert np.isin(
        claim[status == Status.DESTITUTE], [Claim.NONE, Claim.FULL, Claim.ACCELERATED, Claim.APPEAL]
    ).all()
    # a solution keeps the recognition; moving on or returning leaves any claim behind
    solved = np.isin(status, [Status.INTEGRATED, Status.RESETTLED])
    assert (claim[solved] == Claim.RECOGNIZED).all()
    assert (claim[~protection & ~solved] == Claim.NONE).all()
    assert ((claim_day >= 0) == (claim != Claim.NONE)).all()
    assert (claim_day <= d).all()
    # the backlog is the pending claims, by country
    np.testing.assert_array_equal(
        model.backlog_by_day[d],
        np.bincount(net.node_country[node[pending]], minlength=len(net.country_ids)),
    )
    # every claim lodged is recognized, rejected, still pending or abandoned
    from flowsim.rules import EVENT_NAMES

    e = dict(zip(EVENT_NAMES, ev.tolist(), strict=True))
    assert (
        e["claims"] == e["recognitions"] + e["rejections"] + pending.sum() + e["claims_abandoned"]
    )
    assert e["recognitions"] == (
        e["prima_facie"] + e["recognized_first_instance"] + e["appeals_granted"]
    )
    assert e["wrongful_rejections_final"] <= e["wrongful_rejections"]
    # registered: everyone who reached the end of a route, everyone screened in at sea, and
    # people left at a destination with no route (deported there, or whose routes closed
    # overnight after they moved on) who register where they are (not arrivals)
    assert e["registrations"] >= e["arrivals"] + e["screened_in"]
    # solutions and returns: people who left the protection system hold no place and are no
    # longer registered; the returned stand at their origin; legal migrants came legally
    left = np.isin(
        status,
        [
            Status.INTEGRATED,
            Status.RESETTLED,
            Status.RETURNED_VOLUNTARY,
            Status.RETURNED_FORCED,
            Status.IRREGULAR_STAY,
            Status.LEGAL_MIGRANT,
            Status.REGULARIZED,
        ],
    )
    assert not (housed | registered)[left].any()
    returned = np.isin(status, [Status.RETURNED_VOLUNTARY, Status.RETURNED_FORCED])
    np.testing.assert_array_equal(node[returned], pop.view("origin")[returned])
    assert (pop.view("returns")[status == Status.RETURNED_FORCED] > 0).all()
    legal = (flags & Flag.LEGAL) > 0
    assert (
        legal.sum()
        == e["legal_family_reunification"] + e["legal_labour"] + e["legal_humanitarian_visas"]
    )
    assert legal[status == Status.LEGAL_MIGRANT].all()
    assert ((flags & Flag.PROTECTED) > 0).sum() <= e["recognitions"]
    assert ((flags & Flag.PROTECTED) > 0)[status == Status.RECOGNIZED].all()
    assert e["secondary_movements"] <= e["onward_moves"]
    assert e["smuggled_arrivals"] <= e["arrivals"]
    # waits recorded: one first-instance wait per decision, one final wait per final decision
    assert model.first_wait.sum() == e["decisions"]
    assert model.final_wait.sum() == e["recognitions"] + e["rejections"]


def check_sea_state(model, status, node, edge, days_left, route, ev) -> None:
    """The sea part of :func:`check_model_state`: agents aboard boats, boats, sea events."""
    d = model.day - 1
    net, boats = model.net, model.boats
    at_sea = status == Status.AT_SEA
    nb = boats.n
    b_state = boats.view("state")
    b_passengers = boats.view("passengers").astype(np.int64)
    b_depart = boats.view("depart_day").astype(np.int64)

    # an agent at sea is on the manifest of one boat still at sea (and once)
    agents, boat_of = boats.aboard(status)
    np.testing.assert_array_equal(agents, np.flatnonzero(at_sea))
    assert ((boat_of >= 0) & (boat_of < nb)).all()
    aboard = boat_of
    assert (b_state[aboard] != BoatState.DONE).all()
    # ... on the boat's leg, counted at the boat's hub
    np.testing.assert_array_equal(edge[at_sea], boats.view("edge")[aboard])
    np.testing.assert_array_equal(node[at_sea], boats.view("hub")[aboard])
    # ... and its days to go follow the boat: the crossing left, or the stand-off after a rescue
    sailing = b_state[aboard] == BoatState.SAILING
    np.testing.assert_array_equal(
        days_left[at_sea][sailing], np.maximum(boats.view("days_left")[aboard[sailing]], 1)
    )
    np.testing.assert_array_equal(
        days_left[at_sea][~sailing], boats.view("standoff_left")[aboard[~sailing]] + 1
    )

    # passengers of a boat = agents aboard it while it is at sea (people lost after a rescue
    # leave the boat; nobody is lost from a boat still sailing); a finished boat has nobody aboard
    count = np.bincount(aboard, minlength=nb)
    still_sailing = b_state == BoatState.SAILING
    np.testing.assert_array_equal(count[still_sailing], b_passengers[still_sailing])
    assert (count <= b_passengers).all()
    assert (count[b_state == BoatState.DONE] == 0).all()
    # boats launched are on the boat's leg from its hub, within the run so far
    assert (b_depart <= d).all()
    np.testing.assert_array_equal(net.edge_src[boats.view("edge")], boats.view("hub"))
    np.testing.assert_array_equal(net.edge_zone[boats.view("edge")], boats.view("zone"))
    assert (net.edge_mode[boats.view("edge")] == 1).all()
    # a boat nobody could pay for never left; every other finished boat has an outcome
    empty = b_passengers == 0
    assert (b_state[empty] == BoatState.DONE).all()
    assert (boats.view("outcome")[empty] == Fate.NONE).all()
    done = (b_state == BoatState.DONE) & ~empty
    assert (boats.view("outcome")[done] != Fate.NONE).all()
    assert (boats.view("outcome")[b_state != BoatState.DONE] == Fate.NONE).all()

    # boats and boardings: today's boats carry today's boarders; boats counted if not empty
    today = b_depart == d
    assert b_passengers[today].sum() == model.events_by_day[d, Event.SEA_ATTEMPTS]
    assert (today & ~empty).sum() == model.events_by_day[d, Event.BOATS]
    assert b_passengers.sum() == ev[Event.SEA_ATTEMPTS]
    # smugglers' revenue is the fares paid: fare times passengers of today's boats
    fares = boats.view("fare")
    assert model.revenue_by_day[d] == pytest.approx(
        float((fares[today] * b_passengers[today]).sum()), rel=1e-9, abs=1e-6
    )

    # everyone who boarded is still at sea, landed, lost at sea, pulled back or screened in
    assert ev[Event.SEA_ATTEMPTS] == (
        at_sea.sum()
        + ev[Event.SEA_ARRIVALS]
        + ev[Event.DEAD_SEA]
        + ev[Event.MISSING_SEA]
        + ev[Event.PULLED_BACK]
        + ev[Event.SCREENED_IN]
    )
    assert ev[Event.PULLED_BACK] + ev[Event.SCREENED_IN] <= ev[Event.INTERCEPTED]
    assert ev[Event.REFOULED] <= ev[Event.PULLED_BACK]


# (module the model calls it through, name): the rule kernels the model calls each day
KERNELS = (
    ("flowsim.rules.route_choice", "choose_routes"),
    ("flowsim.rules.travel", "travel"),
    ("flowsim.rules.smuggling", "count_waiting"),
    ("flowsim.rules.smuggling", "board"),
    ("flowsim.rules.sea_crossing", "passengers"),
    ("flowsim.rules.detention", "release"),
    ("flowsim.rules.reception", "register"),
    ("flowsim.rules.reception", "place"),
    ("flowsim.rules.secondary_movement", "move_on"),
    ("flowsim.rules.asylum", "decide_appeals"),
    ("flowsim.rules.asylum", "decide"),
    ("flowsim.rules.legal_channels", "use_channels"),
    ("flowsim.rules.solutions", "settle_refugees"),
    ("flowsim.rules.solutions", "resettle"),
    ("flowsim.rules.returns", "forced_returns"),
    ("flowsim.rules.returns", "voluntary_returns"),
    ("flowsim.rules.returns", "remigrate"),
    ("flowsim.rules.information", "find_reports"),
    ("flowsim.rules.information", "tell_contacts"),
    ("flowsim.rules.information", "hear"),
    ("flowsim.rules.information", "listen"),
    ("flowsim.rules.information", "take_in"),
)


def copy_arg(value: Any) -> Any:
    """A copy of a kernel argument: arrays, and named tuples of arrays, copied; the rest as is."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(copy_arg(v) for v in value))
    return value


def record_kernel_calls(model, steps: int, keep_days=None) -> list[tuple[str, dict[str, Any]]]:
    """Step ``model`` ``steps`` days, recording every call the model makes to a rule kernel.

    Each record is ``(kernel name, {parameter name: value})`` with arrays copied *before* the call,
    so it holds exactly the inputs the kernel saw. Only calls whose ``day`` is in ``keep_days``
    are kept (all when None; a dict maps a kernel name to its days, kernels not named: none).
    The kernels still run, so the model steps as usual.
    """
    import importlib

    calls: list[tuple[str, dict[str, Any]]] = []

    def keep(name: str, day: int) -> bool:
        if keep_days is None:
            return True
        if isinstance(keep_days, dict):
            return day in keep_days.get(name, ())
        return day in keep_days

    with pytest.MonkeyPatch.context() as mp:
        for module_name, name in KERNELS:
            module = importlib.import_module(module_name)
            real = getattr(module, name)
            sig = inspect.signature(real.py_func)  # chunk kernels: called (first, last, ...)

            def wrapper(*args, _real=real, _name=name, _sig=sig, **kwargs):
                bound = _sig.bind(*args, **kwargs).arguments
                if keep(_name, model.day):
                    inputs = {k: copy_arg(v) for k, v in bound.items()}
                    calls.append((_name, inputs))
                return _real(*args, **kwargs)

            mp.setattr(module, name, wrapper)
        for _ in range(steps):
            model.step()
    return calls


@pytest.fixture(scope="session")
def record_calls():
    """``record_calls(model, steps, keep_days=None)``: see :func:`record_kernel_calls`."""
    return record_kernel_calls


@pytest.fixture(scope="session")
def two_routes_path() -> Path:
    return TWO_ROUTES


@pytest.fixture(scope="session")
def two_routes_data():
    """``two_routes_data() -> dict``: a fresh copy of two_routes.toml as TOML-shaped data."""
    return load_two_routes


@pytest.fixture(scope="session")
def make_scenario():
    """``make_scenario(data=None, overrides=None, **scenario_dict_kwargs) -> Scenario``."""
    return build_scenario


@pytest.fixture(scope="session")
def check_state():
    return check_model_state


@pytest.fixture(scope="session")
def bundled() -> dict[str, Path]:
    return bundled_scenarios()
