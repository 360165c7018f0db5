"""Each numba kernel against an independent plain-Python version of the same rule.

The references are written from the rules as documented (module docstrings, docs/MODEL.md), as one
loop over agents, using ``flowsim.rng.uniform`` / ``gumbel`` for the same draws. Their inputs are
the exact arguments a busy two_routes model passed to each kernel (every status present), recorded
by name: route choice and travel on a few days, the sea kernels and the arrival and protection
kernels on every day (so that every fate of a boat and every branch of the protection chain is
seen). A second run of the same scenario with a second destination country and every lever of
solutions, returns and legal channels switched on gives the inputs of legal channels,
registration with readmission, secondary movement, solutions and returns, on every day. They are
replayed with the model's own day key and with other keys (kernels that draw nothing: once), and
some also with a lever changed (more places, camps, every appeal decided, unknown origins, ...) to
reach branches the model's own day rarely takes; every branch is seen on the model's own days.
The small rule helpers are checked against the documented rules with hypothesis,
``asylum.cutoffs`` against a claim-by-claim queue, ``network.irregular_routes`` against a loop over
routes, and the carry-over of places (``model._keep_fraction``) day by day.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowsim import Model
from flowsim.boats import BoatState, Fate
from flowsim.model import _keep_fraction
from flowsim.network import SEA, irregular_routes
from flowsim.output import summarise
from flowsim.population import (
    AWARE_BITS,
    DETERRED,
    HOUSED,
    LEGAL,
    N_STATUS,
    PROFILED,
    PROTECTED,
    PROTECTION_KNOWN,
    REACHED,
    REGISTERED,
    Claim,
    Referral,
    Status,
    count_node_status,
)
from flowsim.rng import gumbel, uniform
from flowsim.rules import (
    EV_ABANDONED,
    EV_ACCELERATED_DECISIONS,
    EV_ALTERNATIVES,
    EV_APPEALS,
    EV_APPEALS_GRANTED,
    EV_ARRIVALS,
    EV_BOARDED,
    EV_BOATS,
    EV_CAMPAIGN_REACH,
    EV_CHILDREN_IDENTIFIED,
    EV_CHILDREN_MISSED,
    EV_CLAIMS,
    EV_CONVERSATIONS,
    EV_COUNSELLED,
    EV_DEAD_LAND,
    EV_DEAD_SEA,
    EV_DEATHS_NOTICED,
    EV_DECISIONS,
    EV_DEPARTURES,
    EV_DESTITUTE,
    EV_DETAINED,
    EV_DETAINED_CHILDREN,
    EV_DETAINED_TRAFFICKED,
    EV_DETERRED,
    EV_FORCED_OVERBOARD,
    EV_INTEGRATED,
    EV_INTERCEPTED,
    EV_IRREGULAR_STAY,
    EV_LANDED,
    EV_LEGAL_FAMILY,
    EV_LEGAL_HUMANITARIAN,
    EV_LEGAL_LABOUR,
    EV_MISSING_LAND,
    EV_MISSING_SEA,
    EV_NEW_AGENTS,
    EV_ONWARD,
    EV_PRIMA_FACIE,
    EV_PROFILED,
    EV_PULLED_BACK,
    EV_READMITTED,
    EV_RECEIVED,
    EV_RECOGNIZED,
    EV_RECOGNIZED_FIRST,
    EV_REFOULED,
    EV_REGISTERED,
    EV_REGULARIZED,
    EV_REJECTED,
    EV_RELEASED,
    EV_REMIGRATIONS,
    EV_REPATRIATED,
    EV_RESCUED,
    EV_RESETTLED,
    EV_RETURNED_TO_TRANSIT,
    EV_RETURNS_FORCED,
    EV_RETURNS_VOLUNTARY,
    EV_ROBBED,
    EV_SCREENED_IN,
    EV_SECONDARY,
    EV_SMUGGLED_ARRIVALS,
    EV_STRANDED,
    EV_TRAFFICKING_IDENTIFIED,
    EV_TRAFFICKING_MISSED,
    EV_WRONGFUL_RECOGNITIONS,
    EV_WRONGFUL_REJECTIONS,
    EV_WRONGFUL_REJECTIONS_FINAL,
    EVENT_NAMES,
    N_EVENTS,
    information,
)
from flowsim.rules.asylum import (
    applies,
    count_backlog,
    count_queue,
    cutoffs,
    decide,
    decide_appeals,
    first_instance,
    procedure,
)
from flowsim.rules.detention import detains, release
from flowsim.rules.legal_channels import CHANNELS, pick, qualifies, use_channels
from flowsim.rules.profiling import refer
from flowsim.rules.reception import count_housed, place, register
from flowsim.rules.returns import forced_returns, leave, remigrate, voluntary_returns
from flowsim.rules.route_choice import choose_routes
from flowsim.rules.sea_crossing import passengers
from flowsim.rules.secondary_movement import move_on, push
from flowsim.rules.smuggling import board, count_waiting
from flowsim.rules.solutions import resettle, settle_refugees
from flowsim.rules.travel import travel

# statuses (flowsim.population.Status), as plain ints for the references
AT_ORIGIN = int(Status.AT_ORIGIN)
IN_TRANSIT = int(Status.IN_TRANSIT)
WAITING = int(Status.WAITING_TO_CROSS)
AT_SEA = int(Status.AT_SEA)
STRANDED = int(Status.STRANDED)
ARRIVED = int(Status.ARRIVED)
IN_RECEPTION = int(Status.IN_RECEPTION)
DEAD = int(Status.DEAD)
MISSING = int(Status.MISSING)
IN_PROCEDURE = int(Status.IN_PROCEDURE)
DESTITUTE = int(Status.DESTITUTE)
DETAINED = int(Status.DETAINED)
RECOGNIZED = int(Status.RECOGNIZED)
REJECTED = int(Status.REJECTED)
IN_TRAFFICKING = int(Status.IN_TRAFFICKING_PROTECTION)
IN_CHILD = int(Status.IN_CHILD_PROTECTION)
# the statuses of the journey and of the protection chain (all of them occur in the model below)
CHAIN_STATUSES = (
    AT_ORIGIN, IN_TRANSIT, WAITING, AT_SEA, STRANDED, ARRIVED, IN_RECEPTION, DEAD, MISSING,
    IN_PROCEDURE, DESTITUTE, DETAINED, RECOGNIZED, REJECTED, IN_TRAFFICKING, IN_CHILD,
)  # fmt: skip
assert list(CHAIN_STATUSES) == list(range(16))
# the statuses after the protection chain: solutions, returns, legal entry
INTEGRATED = int(Status.INTEGRATED)
RESETTLED = int(Status.RESETTLED)
RETURNED_VOLUNTARY = int(Status.RETURNED_VOLUNTARY)
RETURNED_FORCED = int(Status.RETURNED_FORCED)
IRREGULAR_STAY = int(Status.IRREGULAR_STAY)
LEGAL_MIGRANT = int(Status.LEGAL_MIGRANT)
REGULARIZED = int(Status.REGULARIZED)
assert [INTEGRATED, RESETTLED, RETURNED_VOLUNTARY, RETURNED_FORCED, IRREGULAR_STAY,
        LEGAL_MIGRANT, REGULARIZED] == list(range(16, N_STATUS))  # fmt: skip
# claims and referrals (flowsim.population.Claim, Referral)
C_NONE, C_FULL, C_ACCELERATED = int(Claim.NONE), int(Claim.FULL), int(Claim.ACCELERATED)
C_APPEAL, C_RECOGNIZED, C_REJECTED = int(Claim.APPEAL), int(Claim.RECOGNIZED), int(Claim.REJECTED)
PENDING = (C_FULL, C_ACCELERATED, C_APPEAL)
TRACK_FULL, TRACK_ACCELERATED = 0, 1  # asylum queue tracks, as documented in flowsim.rules.asylum
R_NONE, R_ASYLUM, R_CHILD = int(Referral.NONE), int(Referral.ASYLUM), int(Referral.CHILD)
R_TRAFFICKING, R_COUNSELLING = int(Referral.TRAFFICKING), int(Referral.COUNSELLING)
# legal channels in the order people look at them (flowsim.rules.legal_channels), the bit of
# ``aware`` that says a person knows of each, and the event each entry counts
FAMILY, HUMANITARIAN, LABOUR = range(3)
assert CHANNELS == ("family_reunification", "humanitarian_visas", "labour_quota")
AWARE = tuple(AWARE_BITS[c] for c in CHANNELS)
CHANNEL_EVENT = (EV_LEGAL_FAMILY, EV_LEGAL_HUMANITARIAN, EV_LEGAL_LABOUR)
# detention outcomes and modes, as documented in flowsim.rules.detention
NOT_DETAINED, DETAINED_NOW, ALTERNATIVE = 0, 1, 2
MODES = ("none", "irregular", "all")  # policy.detention.mode, stored as its code 0, 1, 2
# boat fates and states, as documented in flowsim.boats
NONE, LOST, RESCUED, INTERCEPTED, LANDED, FORCED, DISEMBARKED, STANDOFF = range(8)
assert [NONE, LOST, RESCUED, INTERCEPTED, LANDED, FORCED, DISEMBARKED, STANDOFF] == [
    int(f) for f in Fate
]
SAILING = 0
assert SAILING == BoatState.SAILING

# a busy two_routes: poor and rich agents, robbery, hazards, a small destination, onward moves
BUSY = {
    "nodes.home.departures.people": 30,
    "profiles.people.resources": {"mean": 700, "sd": 400},
    "edges.home-coast.robbery": 0.3,
    "edges.home-inland.robbery": 0.3,
    "edges.home-inland.hazard": 0.05,
    "edges.coast-haven.hazard": 0.1,
    "nodes.haven.capacity": 25,  # reception places (policy.reception.capacity's default)
    "behaviour.arrival.onward_probability": 0.3,
    # the sea: two boat types, a cheaper two-day crossing with forced overboard, and every policy
    # lever on, so that boats are lost, rescued (and stand off), intercepted, landed and forced
    "boat_types": [
        {"id": "dinghy", "capacity": 8, "distress": 0.5, "survival_days": 1.0, "price_factor": 0.8},
        {
            "id": "wooden",
            "capacity": 20,
            "distress": 0.1,
            "survival_days": 3.0,
            "price_factor": 1.5,
        },
    ],
    "edges.coast-haven.days": 2,
    "edges.coast-haven.cost": 300,
    "edges.coast-haven.boat_types": {"dinghy": 0.6, "wooden": 0.4},
    "edges.coast-haven.forced_overboard": 0.3,
    "behaviour.sea.launch_probability": 0.7,
    "behaviour.sea.standoff_daily_hazard": 0.05,
    "behaviour.sea.loss_if_rescued": 0.05,
    "behaviour.sea.loss_if_intercepted": 0.05,
    "policy.rescue.capacity": 0.6,
    "policy.interception.rate": 0.3,
    "policy.interception.screening": 1,
    "policy.disembarkation.delay_days": 2,
    # a land leg closed over snapshot day 20: agents reaching inland then drop their route
    "policy.closures.closed": {"inland-haven": [[0, 0], [17, 1], [23, 0]]},
    # the protection chain. Nodes have no country, so each is its own (lever key = node id):
    # arrivals register at haven (the sea route is irregular, the inland one is not) and the
    # screened in at coast. Few places (many destitute, some placed later), poor conditions,
    # detention of irregular arrivals at haven and of everyone at coast, released after a few
    # days; profiling; a small asylum capacity (a queue, fractional at coast), accelerated and
    # prima facie procedures, accuracy by need and quick appeals.
    "profiles.people.vulnerabilities": {"child": 0.2, "trafficking": 0.2},
    "policy.reception.capacity": {"coast": 3},
    "policy.reception.conditions": {"haven": 0.5, "coast": 0.2},
    "policy.detention.mode": {"haven": "irregular", "coast": "all"},
    "policy.detention.alternatives": 0.3,
    "policy.detention.max_days": {"haven": 3, "coast": 5},
    "policy.profiling.coverage": 0.6,
    "policy.asylum.capacity": {"haven": 2, "coast": 1.5},
    "policy.asylum.accelerated": 0.5,
    "policy.asylum.prima_facie": {"people@haven": 0.3},
    "policy.asylum.accuracy": {"in_need": 0.8, "not_in_need": 0.7},
    "policy.asylum.appeals": 0.5,
    "behaviour.protection.appeal_days": 5,
}
SNAPSHOT_DAYS = (3, 8, 20, 39)
DAYS = 40
SEA_KERNELS = ("count_waiting", "board", "passengers")  # recorded on every day
PROTECTION_KERNELS = ("release", "register", "place", "move_on", "decide_appeals", "decide")
KEYS = (1, 987654321987654321, 2**63 - 2)


@pytest.fixture(scope="module")
def recorded(two_routes_data, make_scenario, record_calls):
    """The inputs of every kernel call the model made on SNAPSHOT_DAYS (the sea and protection
    kernels: on every day), by kernel name, in the order of the days."""
    model = Model(make_scenario(two_routes_data(), BUSY), seed=1, days=DAYS)
    keep = {name: set(SNAPSHOT_DAYS) for name in ("choose_routes", "travel")}
    keep.update({name: set(range(DAYS)) for name in SEA_KERNELS + PROTECTION_KERNELS})
    calls = record_calls(model, DAYS, keep_days=keep)
    by_kernel: dict[str, list[dict]] = {}
    for name, inputs in calls:
        by_kernel.setdefault(name, []).append(inputs)
    counts = {k: len(v) for k, v in by_kernel.items()}
    # board runs only on days when boats are launched
    assert 5 <= counts.pop("board") < DAYS
    assert counts == {
        "choose_routes": 4, "travel": 4, "count_waiting": DAYS, "passengers": DAYS,
        **{name: DAYS for name in PROTECTION_KERNELS},
    }  # fmt: skip
    for name in PROTECTION_KERNELS:
        assert [inputs["day"] for inputs in by_kernel[name]] == list(range(DAYS))
    seen = set()
    for inputs in by_kernel["choose_routes"]:
        seen |= set(np.unique(inputs["status"]).tolist())
    # nobody is left arrived between days: arrivals are registered the day they arrive
    assert ARRIVED not in seen
    for inputs in by_kernel["register"]:
        seen |= set(np.unique(inputs["status"]).tolist())
    assert set(CHAIN_STATUSES) <= seen  # every status is present in some snapshot
    fates = set()
    for inputs in by_kernel["passengers"]:
        aboard = inputs["boat"][inputs["status"] == AT_SEA]
        fates |= set(np.unique(inputs["boat_fate"][aboard]).tolist())
    assert fates == set(range(len(Fate)))  # every fate of a boat happens to people aboard
    return model, by_kernel


def fresh(inputs: dict, key: int | None) -> dict:
    """Copies of the recorded inputs (kernels write in place) with another day key."""
    out = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in inputs.items()}
    if "key" in inputs:
        out["key"] = key
    return out


def keys_for(inputs: dict) -> tuple:
    """The model's own key and a few others; a kernel that draws nothing is run once."""
    return (inputs["key"], *KEYS) if "key" in inputs else (None,)


def compare(kernel, reference, inputs: dict) -> dict:
    a, b = fresh(inputs, inputs.get("key")), fresh(inputs, inputs.get("key"))
    kernel(**a)
    reference(**b)
    for name, value in a.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, b[name], err_msg=name)
    return a


# -- plain-Python references -------------------------------------------------------------------


def f32(x: float) -> np.float32:
    """Store a float64 result in a float32 array slot (round to nearest)."""
    return np.float32(x)


def ref_share(lost, kept) -> np.float32:
    """Believed share of a float32 pseudo-count pair: lost / (lost + kept), in float32, 0 when
    the pair holds no confidence at all."""
    total = np.float32(lost + kept)
    return np.float32(lost / max(total, np.float32(1e-12)))


def ref_believed_risk(i, r, route_land_risk, route_hub, route_sea_factor, alpha, beta) -> float:
    """Agent i's believed risk of route r: land risk (common knowledge) combined with its own
    belief about the sea leg's hub, scaled by the leg's factor (at most 1)."""
    land = float(route_land_risk[r])
    h = int(route_hub[r])
    if h < 0:
        return land  # no sea leg
    sea = min(1.0, float(ref_share(alpha[i, h], beta[i, h])) * float(route_sea_factor[r]))
    return 1.0 - (1.0 - land) * (1.0 - sea)


def ref_choose_routes(
    day, key, status, status_day, node, edge, route, route_pos, destination, departure_day,
    motive, tie, resources, risk_tolerance, flags, aware, route_ptr, route_dest, route_days,
    route_cost, route_land_risk, route_hub, route_sea_factor, alpha, beta, node_attract,
    node_is_destination, node_is_asylum, protection_unknown_discount, good, bad, dest_of_node,
    w_welcome, stay_utility, w_attr, w_risk, w_cost, w_days, tie_bonus, noise, events, **_,
):  # fmt: skip
    for i in range(len(status)):
        s = int(status[i])
        at_node_without_route = s == IN_TRANSIT and edge[i] == -1 and route[i] == -1
        if s not in (AT_ORIGIN, STRANDED) and not at_node_without_route:
            continue
        here = int(node[i])
        money = float(resources[i])
        tolerance = float(risk_tolerance[i])
        best, best_u = -1, -math.inf
        for r in range(int(route_ptr[here]), int(route_ptr[here + 1])):
            if float(route_cost[r]) > money:
                continue  # never take a route one cannot pay for
            dest = int(route_dest[r])
            risk = ref_believed_risk(i, r, route_land_risk, route_hub, route_sea_factor, alpha,
                                     beta)  # fmt: skip
            # a destination believed unwelcoming is worth less, and first asylum is worth less
            # to someone who does not know of the protection there
            k = dest_of_node[dest]
            factor = 1.0 - w_welcome * (1.0 - float(ref_share(good[i, k], bad[i, k])))
            if node_is_asylum[dest] and not int(aware[i]) & PROTECTION_KNOWN:
                factor *= 1.0 - protection_unknown_discount
            u = w_attr * factor * float(node_attract[dest, motive[i]])
            if dest == tie[i]:
                u += tie_bonus
            u -= w_risk * (1.0 - tolerance) * risk
            u -= w_cost * float(route_cost[r]) / max(money, 1.0)
            u -= w_days * float(route_days[r])
            if noise > 0:
                u += noise * gumbel(key, i, r)
            if u > best_u:
                best, best_u = r, u
        if best != -1 and s == AT_ORIGIN and best_u < stay_utility:
            if not int(flags[i]) & DETERRED:  # staying home is worth more: deterred, today
                flags[i] |= DETERRED
                events[EV_DETERRED] += 1
            continue
        if best == -1:
            if s == IN_TRANSIT:
                if node_is_destination[here]:
                    status[i], status_day[i] = ARRIVED, day  # wait there for a place again
                else:
                    status[i], status_day[i] = STRANDED, day
                    events[EV_STRANDED] += 1
            continue
        route[i], route_pos[i], destination[i] = best, 0, route_dest[best]
        if s == AT_ORIGIN:
            departure_day[i] = day
            events[EV_DEPARTURES] += 1
        if s != IN_TRANSIT:
            status[i], status_day[i] = IN_TRANSIT, day


def _lost(
    i, day, u, missing_share, status, status_day, edge, days_left, route, events, ev_dead,
    ev_missing,
):  # fmt: skip
    edge[i], days_left[i], route[i] = -1, 0, -1  # off the leg and the route
    if u < missing_share:
        status[i] = MISSING
        events[ev_missing] += 1
    else:
        status[i] = DEAD
        events[ev_dead] += 1
    status_day[i] = day


def _end_of_leg(
    i, day, e, status, status_day, node, edge, route, route_pos, legs, first_arrival_node,
    edge_dst, route_edge_ptr, node_arrivals, events,
):  # fmt: skip
    there = int(edge_dst[e])
    node[i], edge[i] = there, -1
    route_pos[i] += 1
    legs[i] = min(int(legs[i]) + 1, 255)
    r = int(route[i])
    if route_pos[i] == route_edge_ptr[r + 1] - route_edge_ptr[r]:  # the route's last leg
        status[i], status_day[i] = ARRIVED, day  # the route stays until registration
        if first_arrival_node[i] == -1:
            first_arrival_node[i] = there
        node_arrivals[there] += 1
        events[EV_ARRIVALS] += 1
    elif status[i] != IN_TRANSIT:
        status[i], status_day[i] = IN_TRANSIT, day


def ref_travel(
    day, key, status, status_day, node, edge, days_left, route, route_pos, legs,
    first_arrival_node, resources, edge_dst, edge_mode, edge_days, edge_cost, edge_hazard,
    edge_robbery, route_edge_ptr, route_edges, edge_closed, robbery_loss, missing_share, earnings,
    edge_flow, node_arrivals, events, **_,
):  # fmt: skip
    for i in range(len(status)):
        s = int(status[i])
        # a day's earnings or savings by status (stranded, at origin; see the test below)
        if earnings[s] != 0.0:
            resources[i] = f32(float(resources[i]) + float(earnings[s]))
        if s != IN_TRANSIT:
            continue
        e = int(edge[i])
        if e != -1:  # on a leg: one day closer
            days_left[i] -= 1
            if days_left[i] > 0:
                continue
            if uniform(key, i, 0) < edge_hazard[e]:
                _lost(i, day, uniform(key, i, 1), missing_share, status, status_day, edge,
                      days_left, route, events, EV_DEAD_LAND, EV_MISSING_LAND)  # fmt: skip
                continue
            if uniform(key, i, 2) < edge_robbery[e]:
                resources[i] = f32(float(resources[i]) * (1.0 - robbery_loss))
                events[EV_ROBBED] += 1
            _end_of_leg(i, day, e, status, status_day, node, edge, route, route_pos, legs,
                        first_arrival_node, edge_dst, route_edge_ptr, node_arrivals, events)  # fmt: skip
            if status[i] != IN_TRANSIT:
                continue
        if route[i] == -1:
            continue
        nxt = int(route_edges[route_edge_ptr[route[i]] + route_pos[i]])
        if edge_closed[nxt]:  # the next leg is closed today: drop the route, choose again
            route[i] = -1
        elif edge_mode[nxt] == SEA:
            status[i], status_day[i] = WAITING, day
        elif float(resources[i]) < float(edge_cost[nxt]):
            status[i], status_day[i], route[i] = STRANDED, day, -1
            events[EV_STRANDED] += 1
        else:
            resources[i] = f32(float(resources[i]) - float(edge_cost[nxt]))
            edge[i], days_left[i] = nxt, edge_days[nxt]
            edge_flow[nxt] += 1


def ref_count_waiting(
    day, status, status_day, route, route_pos, route_edge_ptr, route_edges, waiting, longest_wait,
):  # fmt: skip
    """People waiting for each sea leg and the longest wait (days), over all waiting agents."""
    waiting[:] = 0
    longest_wait[:] = 0
    for i in range(len(status)):
        if status[i] != WAITING:
            continue
        e = int(route_edges[route_edge_ptr[route[i]] + route_pos[i]])
        waiting[e] += 1
        longest_wait[e] = max(int(longest_wait[e]), int(day) - int(status_day[i]))


def ref_board(
    day, status, status_day, edge, days_left, route, route_pos, boat, resources, route_edge_ptr,
    route_edges, edge_days, first, last, room, passengers, fare, edge_flow, revenue, events,
):  # fmt: skip
    """Waiting agents, in agent order, take the first boat of their leg launched today that has
    room and whose fare they can pay; one who can pay for none of those boats is stranded (and
    takes no place). With no boat (or no place) for the leg today, they keep waiting."""
    for i in range(len(status)):
        if status[i] != WAITING:
            continue
        e = int(route_edges[route_edge_ptr[route[i]] + route_pos[i]])
        todays = range(int(first[e]), int(last[e])) if first[e] >= 0 else range(0)
        free = [b for b in todays if room[b] > 0]
        if not free:
            continue
        affordable = [b for b in free if float(fare[b]) <= float(resources[i])]
        if not affordable:
            status[i], status_day[i], route[i] = STRANDED, day, -1
            events[EV_STRANDED] += 1
            continue
        b = affordable[0]
        resources[i] = f32(float(resources[i]) - float(fare[b]))
        revenue[0] += fare[b]
        room[b] -= 1
        passengers[b] += 1
        status[i], status_day[i], edge[i], boat[i] = AT_SEA, day, e, b
        days_left[i] = edge_days[e]
        edge_flow[e] += 1
        events[EV_BOARDED] += 1


def ref_passengers(
    day, key, status, status_day, node, edge, days_left, route, route_pos, legs,
    first_arrival_node, boat, resources, protection_need, boat_fate, boat_state, boat_days_left,
    boat_standoff_left, boat_hub, boat_zone, edge_dst, route_edge_ptr, screening, node_arrivals,
    events, missing_share, loss_if_sunk, loss_if_rescued, loss_if_intercepted, standoff_hazard,
    forced_loss, sensitivity, pullback_loss,
):  # fmt: skip
    """Each person aboard a boat meets the boat's fate of the day (sea_crossing, interception,
    disembarkation docstrings): lost with the fate's loss share; else pulled back or screened in
    (intercepted), ashore at the leg's end (landed, forced overboard, sunk, disembarked), or
    still aboard with days to go (the boat's sailing days, or its stand-off plus the day ashore)."""
    loss = {
        LOST: loss_if_sunk, RESCUED: loss_if_rescued, STANDOFF: standoff_hazard,
        INTERCEPTED: loss_if_intercepted, FORCED: forced_loss,
    }  # fmt: skip
    counted = {RESCUED: EV_RESCUED, INTERCEPTED: EV_INTERCEPTED, FORCED: EV_FORCED_OVERBOARD}
    for i in range(len(status)):
        if status[i] != AT_SEA:
            continue
        b = int(boat[i])
        f = int(boat_fate[b])
        if f in counted:
            events[counted[f]] += 1
        if uniform(key, i, 0) < loss.get(f, 0.0):
            boat[i] = -1
            _lost(i, day, uniform(key, i, 1), missing_share, status, status_day, edge,
                  days_left, route, events, EV_DEAD_SEA, EV_MISSING_SEA)  # fmt: skip
        elif f == INTERCEPTED:
            node[i], edge[i], days_left[i], route[i], boat[i] = boat_hub[b], -1, 0, -1, -1
            status_day[i] = day
            screened = screening[boat_zone[b]] > 0.5
            if screened and protection_need[i] and uniform(key, i, 2) < sensitivity:
                status[i] = IN_PROCEDURE
                events[EV_SCREENED_IN] += 1
            else:
                status[i] = IN_TRANSIT
                resources[i] = f32(float(resources[i]) * (1.0 - pullback_loss))
                events[EV_PULLED_BACK] += 1
                if protection_need[i]:
                    events[EV_REFOULED] += 1
        elif f in (LOST, LANDED, FORCED, DISEMBARKED):
            boat[i] = -1
            events[EV_LANDED] += 1
            _end_of_leg(i, day, int(edge[i]), status, status_day, node, edge, route, route_pos,
                        legs, first_arrival_node, edge_dst, route_edge_ptr, node_arrivals,
                        events)  # fmt: skip
        elif boat_state[b] == SAILING:
            days_left[i] = max(int(boat_days_left[b]), 1)
        else:
            days_left[i] = int(boat_standoff_left[b]) + 1


# -- arrival and protection: the documented rules, one person at a time ----------------------


def py_refer(u_cover, u_trafficking, u_child, u_need, trafficked, child, need, coverage, accuracy,
             false_alarm_scale):  # fmt: skip
    """Profiling (profiling docstring): a share ``coverage`` is screened. A trafficking victim or
    a child is spotted with probability ``accuracy``, anyone else wrongly flagged with
    ``(1 - accuracy) * false_alarm_scale``; need is estimated right with ``accuracy``. The
    estimate routes the person, in this order: trafficking protection, child protection, asylum
    (estimated in need), return counselling (estimated not in need)."""
    if not u_cover < coverage:
        return R_NONE  # not screened
    false_alarm = (1.0 - accuracy) * false_alarm_scale
    if u_trafficking < (accuracy if trafficked else false_alarm):
        return R_TRAFFICKING
    if u_child < (accuracy if child else false_alarm):
        return R_CHILD
    need_estimated_right = u_need < accuracy
    estimated_in_need = need if need_estimated_right else not need
    return R_ASYLUM if estimated_in_need else R_COUNSELLING


def py_applies(u, need, referral, apply_in_need, apply_not_in_need, counselled_factor):
    """Who applies (asylum docstring): everyone referred to asylum; the others with
    apply_in_need / apply_not_in_need by need, times counselled_factor after counselling."""
    if referral == R_ASYLUM:
        return True
    p = apply_in_need if need else apply_not_in_need
    if referral == R_COUNSELLING:
        p = p * counselled_factor
    return u < p


def py_procedure(u_clear, u_accelerated, profiled, clear_share, accelerated):
    """A profiled claim that is a clear case goes to the accelerated procedure with probability
    ``accelerated``; every other claim to the full procedure."""
    clear_case = u_clear < clear_share
    if profiled and clear_case and u_accelerated < accelerated:
        return C_ACCELERATED
    return C_FULL


def py_first_instance(u, need, accelerated, accuracy_in_need, accuracy_not_in_need,
                      accuracy_loss):  # fmt: skip
    """A first-instance decision (True: recognized), right with the accuracy for the person's
    true need, ``accuracy_loss`` lower (not below 0) in the accelerated procedure."""
    accuracy = accuracy_in_need if need else accuracy_not_in_need
    if accelerated:
        accuracy = max(accuracy - accuracy_loss, 0.0)
    right = u < accuracy
    return bool(need) if right else not need


def py_detains(u_alternative, irregular, mode, alternatives):
    """Detention (detention docstring): nobody, irregular arrivals or everyone, by mode; a share
    ``alternatives`` of those is given an alternative to detention instead."""
    name = MODES[int(round(mode))]
    if name == "all" or (name == "irregular" and irregular):
        return ALTERNATIVE if u_alternative < alternatives else DETAINED_NOW
    return NOT_DETAINED


def _finalize(i, recognized, day, status, status_day, flags, claim, claim_day, node, need,
              node_is_camp, final_wait, events):  # fmt: skip
    """A final decision (asylum docstring). Recognized: protected for good (flag PROTECTED), out
    of reception (but a camp place is kept) and out of detention. Rejected: out of reception; a
    detainee stays until release. Trafficking and child protection keep their status; only the
    claim changes."""
    s = int(status[i])
    if recognized:
        claim[i] = C_RECOGNIZED
        flags[i] = int(flags[i]) | PROTECTED
        events[EV_RECOGNIZED] += 1
        if s in (ARRIVED, IN_PROCEDURE, DESTITUTE, DETAINED):
            status[i], status_day[i] = RECOGNIZED, day
            if not node_is_camp[node[i]]:
                flags[i] = int(flags[i]) & ~HOUSED
    else:
        claim[i] = C_REJECTED
        events[EV_REJECTED] += 1
        if need[i]:
            events[EV_WRONGFUL_REJECTIONS_FINAL] += 1
        if s in (IN_PROCEDURE, DESTITUTE):
            status[i], status_day[i] = REJECTED, day
            flags[i] = int(flags[i]) & ~HOUSED
    final_wait[int(need[i]), day - int(claim_day[i])] += 1  # days from lodging


def ref_release(day, status, status_day, claim, node, node_country, max_days, events):
    """After max_days (of the country) in detention people are released to arrived (they get a
    place or not the same day); the finally rejected leave as rejected."""
    for i in range(len(status)):
        if status[i] != DETAINED:
            continue
        if day - int(status_day[i]) < max_days[node_country[node[i]]]:
            continue
        status[i] = REJECTED if claim[i] == C_REJECTED else ARRIVED
        status_day[i] = day
        events[EV_RELEASED] += 1


def ref_register(
    day, key, status, status_day, flags, referral, claim, claim_day, node, route, profile, need,
    vulnerability, child_bit, trafficking_bit, first_protection_node, entry_from, node_country,
    node_is_camp, route_irregular, route_entry_node, agreements, coverage, accuracy,
    false_alarm_scale, apply_in_need, apply_not_in_need, counselled_factor, prima_facie,
    clear_share, accelerated, detention_mode, alternatives, final_wait, events,
):  # fmt: skip
    """Registration (reception docstring) of everyone who arrived and is not registered yet, and
    of the screened in and humanitarian-visa holders (in procedure without a claim). The route
    just completed (none for the screened in and visa holders) counts a smuggled arrival if
    irregular and gives the node the person entered from. The first registration fixes the
    first node of protection; registering in another country, a secondary mover is readmitted by
    the first country with its ``agreements`` share (draw 9), to its first node. Then profiling
    and referral (draws 0-3), the claim (4: applies, 5: prima facie, 6-7: procedure), detention
    (8), in the country where the person now is."""
    for i in range(len(status)):
        s = int(status[i])
        screened_in = s == IN_PROCEDURE and claim[i] == C_NONE
        newly_arrived = s == ARRIVED and not flags[i] & REGISTERED
        if not (screened_in or newly_arrived):
            continue
        r = int(route[i])
        irregular = r >= 0 and bool(route_irregular[r])  # the route just completed
        if irregular:
            events[EV_SMUGGLED_ARRIVALS] += 1
        if r >= 0:
            entry_from[i] = route_entry_node[r]
        first = int(first_protection_node[i])
        if first == -1:
            first_protection_node[i] = node[i]
        elif node_country[first] != node_country[node[i]]:
            if uniform(key, i, 9) < agreements[node_country[first]]:
                node[i] = first
                events[EV_READMITTED] += 1
        flags[i] = int(flags[i]) | REGISTERED | REACHED
        status[i], status_day[i], route[i] = ARRIVED, day, -1
        events[EV_REGISTERED] += 1
        c = int(node_country[node[i]])
        trafficked = bool(vulnerability[i] & trafficking_bit)
        child = bool(vulnerability[i] & child_bit)
        u = [uniform(key, i, k) for k in range(9)]

        if screened_in:
            ref = R_ASYLUM  # identified as in need at the interception; not profiled
        else:
            ref = py_refer(u[0], u[1], u[2], u[3], trafficked, child, bool(need[i]),
                           coverage[c], accuracy[c], false_alarm_scale)  # fmt: skip
            if ref != R_NONE:
                flags[i] = int(flags[i]) | PROFILED
                events[EV_PROFILED] += 1
        referral[i] = ref
        if trafficked:
            events[
                EV_TRAFFICKING_IDENTIFIED if ref == R_TRAFFICKING else EV_TRAFFICKING_MISSED
            ] += 1
        if child:
            events[EV_CHILDREN_IDENTIFIED if ref == R_CHILD else EV_CHILDREN_MISSED] += 1
        if ref == R_COUNSELLING:
            events[EV_COUNSELLED] += 1
        if ref == R_TRAFFICKING:
            status[i] = IN_TRAFFICKING
        if ref == R_CHILD:
            status[i] = IN_CHILD

        if py_applies(u[4], bool(need[i]), ref, apply_in_need, apply_not_in_need,
                      counselled_factor):  # fmt: skip
            events[EV_CLAIMS] += 1
            claim_day[i] = day
            if u[5] < prima_facie[profile[i], c]:  # granted on lodging
                events[EV_PRIMA_FACIE] += 1
                _finalize(i, True, day, status, status_day, flags, claim, claim_day, node, need,
                          node_is_camp, final_wait, events)  # fmt: skip
            else:  # only a profiled claim can be a clear case (not the screened in)
                profiled = ref != R_NONE and not screened_in
                claim[i] = py_procedure(u[6], u[7], profiled, clear_share, accelerated[c])

        if status[i] != ARRIVED:  # referred to a protection process, or recognized at once
            continue
        held = py_detains(u[8], irregular, detention_mode[c], alternatives[c])
        if held == ALTERNATIVE:
            events[EV_ALTERNATIVES] += 1
        elif held == DETAINED_NOW:
            status[i] = DETAINED
            events[EV_DETAINED] += 1
            if child:
                events[EV_DETAINED_CHILDREN] += 1
            if trafficked:
                events[EV_DETAINED_TRAFFICKED] += 1


def ref_count_housed(flags, node, out):
    out[:] = 0.0
    for i in range(len(flags)):
        if flags[i] & HOUSED:
            out[node[i]] += 1.0


def ref_place(day, status, status_day, flags, claim, node, occupancy, capacity, node_is_camp,
              events):  # fmt: skip
    """Places (reception docstring), in agent order while they last, for the arrived (and
    released), the destitute, and recognized refugees at a camp without a place: in procedure
    with a claim pending, else in reception (a refugee keeps its status). An arrival who finds
    none is destitute. ``occupancy`` is first recounted from the places held."""
    ref_count_housed(flags, node, occupancy)
    for i in range(len(status)):
        s = int(status[i])
        n = int(node[i])
        housed = bool(flags[i] & HOUSED)
        refugee_waiting = s == RECOGNIZED and node_is_camp[n] and not housed
        if s not in (ARRIVED, DESTITUTE) and not refugee_waiting:
            continue
        if occupancy[n] + 1.0 > capacity[n]:  # no place free
            if s == ARRIVED:
                status[i], status_day[i] = DESTITUTE, day
                events[EV_DESTITUTE] += 1
            continue
        occupancy[n] += 1.0
        flags[i] = int(flags[i]) | HOUSED
        events[EV_RECEIVED] += 1
        if s != RECOGNIZED:
            status[i] = IN_PROCEDURE if claim[i] in PENDING else IN_RECEPTION
            status_day[i] = day


def py_push(status, days_waiting, conditions, quality, wait_push, recognized_push):
    """How hard a person's situation pushes it on (secondary_movement docstring): 1 without a
    place; 1 - conditions with one, plus wait_push x (years waiting, at most 1) while in
    procedure; recognized_push x (1 - quality of protection) for recognized refugees; else 0."""
    if status == DESTITUTE:
        return 1.0
    if status in (IN_RECEPTION, IN_PROCEDURE):
        waited = min(days_waiting / 365.0, 1.0) if status == IN_PROCEDURE else 0.0
        return 1.0 - conditions + wait_push * waited
    if status == RECOGNIZED:
        return recognized_push * (1.0 - quality)
    return 0.0


def ref_move_on(day, key, status, status_day, flags, claim, claim_day, node, route, tie,
                onward_moves, onward_probability, conditions, quality, wait_push,
                recognized_push, tie_push, events):  # fmt: skip
    """Secondary movement (secondary_movement docstring): the destitute, people with a place and
    recognized refugees move on with onward_probability x their push (draw 0), that times
    1 + tie_push with family or diaspora at another node. Moving on abandons a pending claim and
    leaves a recognition behind, frees the place and unregisters them: back to route choice. An
    onward move of someone who had reached a protection system is a secondary movement."""
    for i in range(len(status)):
        s = int(status[i])
        if s not in (DESTITUTE, IN_RECEPTION, IN_PROCEDURE, RECOGNIZED):
            continue
        n = int(node[i])
        waiting = day - int(claim_day[i]) if s == IN_PROCEDURE else 0
        p = onward_probability * py_push(s, waiting, conditions[n], quality[n], wait_push,
                                         recognized_push)  # fmt: skip
        if tie[i] != -1 and tie[i] != n:
            p *= 1.0 + tie_push
        if not uniform(key, i, 0) < p:
            continue
        if claim[i] in PENDING:
            events[EV_ABANDONED] += 1
        claim[i], claim_day[i] = C_NONE, -1
        if flags[i] & REACHED:
            events[EV_SECONDARY] += 1
        flags[i] = int(flags[i]) & ~(REGISTERED | HOUSED)  # REACHED, PROFILED, PROTECTED stay
        status[i], status_day[i], route[i] = IN_TRANSIT, day, -1
        onward_moves[i] = min(int(onward_moves[i]) + 1, 255)
        events[EV_ONWARD] += 1


def ref_decide_appeals(day, key, status, status_day, flags, claim, claim_day, node, need,
                       node_is_camp, appeal_days, corrects, overturns_right, final_wait,
                       events):  # fmt: skip
    """Each pending appeal is decided today with probability 1 / appeal_days (draw 2); it
    recognizes with ``corrects`` a person in need, with ``overturns_right`` one not (draw 3)."""
    for i in range(len(status)):
        if claim[i] != C_APPEAL:
            continue
        if not uniform(key, i, 2) < 1.0 / appeal_days:
            continue
        recognized = uniform(key, i, 3) < (corrects if need[i] else overturns_right)
        if recognized:
            events[EV_APPEALS_GRANTED] += 1
        _finalize(i, recognized, day, status, status_day, flags, claim, claim_day, node, need,
                  node_is_camp, final_wait, events)  # fmt: skip


def ref_decide(
    day, key, status, status_day, flags, claim, claim_day, node, need, node_country, node_is_camp,
    cut_day, take_at_cut, accuracy_in_need, accuracy_not_in_need, accuracy_loss, appeals,
    first_wait, final_wait, events,
):  # fmt: skip
    """First-instance decisions on the claims cutoffs selected: per country and track, the
    pending claims lodged before today and before cut_day, and the first take_at_cut (in agent
    order) of those lodged on cut_day. Right or wrong (draw 0); a rejected person appeals with
    the country's ``appeals`` (draw 1), else the rejection is final."""
    taken = np.zeros_like(take_at_cut)
    for i in range(len(status)):
        c = int(claim[i])
        lodged = int(claim_day[i])
        if c not in (C_FULL, C_ACCELERATED) or lodged >= day:  # queued the day after lodging
            continue
        country = int(node_country[node[i]])
        track = TRACK_ACCELERATED if c == C_ACCELERATED else TRACK_FULL
        cut = cut_day[country, track]
        if lodged > cut:
            continue
        if lodged == cut:
            if taken[country, track] == take_at_cut[country, track]:
                continue
            taken[country, track] += 1
        events[EV_DECISIONS] += 1
        accelerated = c == C_ACCELERATED
        if accelerated:
            events[EV_ACCELERATED_DECISIONS] += 1
        first_wait[int(need[i]), day - lodged] += 1
        recognized = py_first_instance(uniform(key, i, 0), bool(need[i]), accelerated,
                                       accuracy_in_need, accuracy_not_in_need,
                                       accuracy_loss)  # fmt: skip
        if recognized:
            events[EV_RECOGNIZED_FIRST] += 1
            if not need[i]:
                events[EV_WRONGFUL_RECOGNITIONS] += 1
        elif need[i]:
            events[EV_WRONGFUL_REJECTIONS] += 1
        if not recognized and uniform(key, i, 1) < appeals[country]:
            claim[i] = C_APPEAL
            events[EV_APPEALS] += 1
            continue
        _finalize(i, recognized, day, status, status_day, flags, claim, claim_day, node, need,
                  node_is_camp, final_wait, events)  # fmt: skip


# -- legal channels, solutions and returns: the documented rules, one person at a time ---------


def py_qualifies(channel, dest, motive, tie, need, livelihood):
    """Family reunification: family at the destination; humanitarian visas: in need; labour
    visas: moving for a livelihood."""
    if channel == FAMILY:
        return int(tie) == int(dest)
    if channel == HUMANITARIAN:
        return bool(need)
    return int(motive) == int(livelihood)


def py_pick(channel, motive, tie, need, resources, aware, slots, costs, node_attract,
            livelihood):  # fmt: skip
    """A person who knows of the channel and can pay its cost takes, among the destinations with
    a whole place left today that it qualifies for, the most attractive for its motive (the first
    in node order on a tie); -1 if there is none."""
    if not int(aware) & AWARE[channel] or float(resources) < float(costs[channel]):
        return -1
    open_ = [
        d for d in range(slots.shape[1])
        if slots[channel, d] >= 1.0 and py_qualifies(channel, d, motive, tie, need, livelihood)
    ]  # fmt: skip
    if not open_:
        return -1
    best = max(float(node_attract[d, motive]) for d in open_)
    return next(d for d in open_ if float(node_attract[d, motive]) == best)


def ref_use_channels(
    day, status, status_day, flags, node, departure_day, first_arrival_node, motive, tie, need,
    resources, aware, slots, costs, node_attract, livelihood, events,
):  # fmt: skip
    """Legal channels (legal_channels docstring): people at their origin, in agent order, look at
    family reunification, humanitarian visas and labour visas in this order and take the first
    they can use (see :func:`py_pick`). They pay, use a place and reach the destination today:
    a visa holder in procedure (to be registered), the others legal migrants; they departed
    today, legally."""
    for i in range(len(status)):
        if status[i] != AT_ORIGIN:
            continue
        for channel in (FAMILY, HUMANITARIAN, LABOUR):
            dest = py_pick(channel, motive[i], tie[i], need[i], resources[i], aware[i], slots,
                           costs, node_attract, livelihood)  # fmt: skip
            if dest == -1:
                continue
            slots[channel, dest] -= 1.0
            resources[i] = f32(float(resources[i]) - float(costs[channel]))
            node[i] = dest
            status[i] = IN_PROCEDURE if channel == HUMANITARIAN else LEGAL_MIGRANT
            status_day[i] = departure_day[i] = day
            flags[i] = int(flags[i]) | LEGAL
            if first_arrival_node[i] == -1:
                first_arrival_node[i] = dest
            events[EV_DEPARTURES] += 1
            events[CHANNEL_EVENT[channel]] += 1
            break


OUT_OF_SYSTEM = HOUSED | REGISTERED  # the flags cleared by leaving a protection system


def ref_settle_refugees(day, key, status, status_day, flags, claim, claim_day, node, origin,
                        repatriation_rate, safety, integration_rate, quality,
                        events):  # fmt: skip
    """Solutions (solutions docstring): a recognized refugee repatriates with repatriation_rate
    x the safety of its (known) origin (draw 0): back there, returned_voluntary, its claim
    closed; otherwise it integrates with integration_rate x the quality of protection where it
    is (draw 1), keeping its recognition. Either way it leaves reception."""
    for i in range(len(status)):
        if status[i] != RECOGNIZED:
            continue
        o = int(origin[i])
        if o != -1 and uniform(key, i, 0) < repatriation_rate * safety[o]:
            node[i], status[i], status_day[i] = o, RETURNED_VOLUNTARY, day
            claim[i], claim_day[i] = C_NONE, -1
            events[EV_REPATRIATED] += 1
        elif uniform(key, i, 1) < integration_rate * quality[node[i]]:
            status[i], status_day[i] = INTEGRATED, day
            events[EV_INTEGRATED] += 1
        else:
            continue
        flags[i] = int(flags[i]) & ~OUT_OF_SYSTEM


def ref_resettle(day, status, status_day, flags, node, vulnerability, places, priority, events):
    """Resettlement (solutions docstring): at each node, the whole places of ``places`` (an
    unlimited quota: everyone). First the ``priority`` share of today's places, fraction
    included, rounded down (0.6 of 3.9 places: 2) goes to recognized refugees with any
    vulnerability, in agent order; then the places left go to the recognized refugees still
    there, in agent order. They leave the network (resettled)."""
    today = [math.inf if math.isinf(p) else math.floor(p) for p in places.tolist()]
    vulnerable_first = [
        math.inf if math.isinf(p) else math.floor(p * q)
        for p, q in zip(places.tolist(), priority.tolist(), strict=True)
    ]
    for vulnerable_pass in (True, False):
        for i in range(len(status)):
            n = int(node[i])
            if status[i] != RECOGNIZED or today[n] < 1:
                continue
            if vulnerable_pass:
                if vulnerable_first[n] < 1 or vulnerability[i] == 0:
                    continue
                vulnerable_first[n] -= 1
            today[n] -= 1
            places[n] -= 1.0
            status[i], status_day[i] = RESETTLED, day
            flags[i] = int(flags[i]) & ~OUT_OF_SYSTEM
            events[EV_RESETTLED] += 1


def py_leave(i, day, new_status, where, status, status_day, flags, claim, claim_day, node,
             returns):  # fmt: skip
    """Leaving a country's protection system (returns docstring) for ``where``: no place, not
    registered, no claim; one more return (saturating at 255)."""
    node[i], status[i], status_day[i] = where, new_status, day
    flags[i] = int(flags[i]) & ~OUT_OF_SYSTEM
    claim[i], claim_day[i] = C_NONE, -1
    returns[i] = min(int(returns[i]) + 1, 255)


def ref_forced_returns(day, key, status, status_day, flags, claim, claim_day, node, origin,
                       entry_from, returns, node_country, places, cooperation, agreements,
                       events):  # fmt: skip
    """Forced return (returns docstring): each country returns people into its whole places of
    today, finally rejected detainees first, then the other finally rejected, then people in
    irregular stay, in agent order. A return to a known origin goes ahead with the origin's
    cooperation (draw 0); else a person who entered from another country is deported there with
    that country's agreements share (draw 1), in transit with no route. A return that cannot go
    ahead uses no place."""
    stages = (
        lambda i: status[i] == DETAINED and claim[i] == C_REJECTED,
        lambda i: status[i] == REJECTED,
        lambda i: status[i] == IRREGULAR_STAY,
    )
    for in_stage in stages:
        for i in range(len(status)):
            if not in_stage(i):
                continue
            c = int(node_country[node[i]])
            if places[c] < 1.0:
                continue
            o, t = int(origin[i]), int(entry_from[i])
            if o != -1 and uniform(key, i, 0) < cooperation[o]:
                py_leave(i, day, RETURNED_FORCED, o, status, status_day, flags, claim,
                         claim_day, node, returns)  # fmt: skip
                events[EV_RETURNS_FORCED] += 1
            elif (
                t != -1
                and node_country[t] != c
                and uniform(key, i, 1) < agreements[node_country[t]]
            ):
                py_leave(i, day, IN_TRANSIT, t, status, status_day, flags, claim, claim_day,
                         node, returns)  # fmt: skip
                events[EV_RETURNED_TO_TRANSIT] += 1
            else:
                continue
            places[c] -= 1.0


def ref_voluntary_returns(day, key, status, status_day, flags, claim, claim_day, node, origin,
                          referral, returns, node_country, avr_rate, avr_support,
                          counselled_factor, abscond_rate, regularization, events):  # fmt: skip
    """The finally rejected out of detention take assisted voluntary return to a known origin
    with avr_rate x the country's avr_support, x counselled_factor after return counselling
    (draw 2); those who do not abscond into irregular stay at the same node with abscond_rate
    (draw 3). People in irregular stay (since before today) are regularized with the daily
    equivalent of the country's yearly regularization share (draw 4)."""
    for i in range(len(status)):
        s = int(status[i])
        c = int(node_country[node[i]])
        if s == REJECTED:
            p = avr_rate * avr_support[c]
            if referral[i] == R_COUNSELLING:
                p *= counselled_factor
            if origin[i] != -1 and uniform(key, i, 2) < p:
                py_leave(i, day, RETURNED_VOLUNTARY, int(origin[i]), status, status_day, flags,
                         claim, claim_day, node, returns)  # fmt: skip
                events[EV_RETURNS_VOLUNTARY] += 1
            elif uniform(key, i, 3) < abscond_rate:
                status[i], status_day[i] = IRREGULAR_STAY, day
                flags[i] = int(flags[i]) & ~OUT_OF_SYSTEM
                claim[i], claim_day[i] = C_NONE, -1
                events[EV_IRREGULAR_STAY] += 1
        elif s == IRREGULAR_STAY:
            daily = 1.0 - (1.0 - regularization[c]) ** (1.0 / 365.0)
            if uniform(key, i, 4) < daily:
                status[i], status_day[i] = REGULARIZED, day
                events[EV_REGULARIZED] += 1


def ref_remigrate(day, key, status, status_day, route, remigration_rate, reintegration, safety,
                  node, events):  # fmt: skip
    """Returned people (voluntarily or by force) leave their origin again with remigration_rate
    x (1 - reintegration) x (1 - safety / 2) there (draw 5): in transit, no route."""
    for i in range(len(status)):
        if status[i] not in (RETURNED_VOLUNTARY, RETURNED_FORCED):
            continue
        n = int(node[i])
        p = remigration_rate * (1.0 - reintegration[n]) * (1.0 - safety[n] / 2.0)
        if uniform(key, i, 5) < p:
            status[i], status_day[i], route[i] = IN_TRANSIT, day, -1
            events[EV_REMIGRATIONS] += 1


def ref_count_queue(day, claim, claim_day, node, node_country, counts):
    """Pending first-instance claims lodged before ``day``: [country, track, lodging day]."""
    counts[:] = 0
    for i in range(len(claim)):
        if claim[i] in (C_FULL, C_ACCELERATED) and claim_day[i] < day:
            track = TRACK_ACCELERATED if claim[i] == C_ACCELERATED else TRACK_FULL
            counts[node_country[node[i]], track, claim_day[i]] += 1


def ref_count_backlog(claim, node, node_country, out):
    """Pending claims (first instance and appeal) per country."""
    out[:] = 0
    for i in range(len(claim)):
        if claim[i] in PENDING:
            out[node_country[node[i]]] += 1


def decided_claims(claims, credit, capacity, effort):
    """One country's first-instance decisions of a day, claim by claim (asylum docstring).

    ``claims`` are the queued claims as (track, lodging day, agent); ``credit`` (decisions of
    capacity carried over) and ``capacity`` are exact fractions, or capacity is ``math.inf``.
    Accelerated claims come first, then full ones, each oldest first, ties in agent order; the
    claims are taken while the credit covers their cost (``effort`` for an accelerated one, 1 for
    a full one). Credit left when every queued claim was taken is dropped. Returns (the decided
    claims, the credit carried to tomorrow)."""
    order = sorted(claims, key=lambda c: (c[0] != TRACK_ACCELERATED, c[1], c[2]))
    if capacity == math.inf:
        return order, Fraction(0)
    credit += capacity
    decided = []
    for claim in order:
        cost = effort if claim[0] == TRACK_ACCELERATED else 1
        if credit < cost:
            break
        credit -= cost
        decided.append(claim)
    if len(decided) == len(order):
        credit = Fraction(0)  # capacity left idle is not saved up
    return decided, credit


def exact(x: float) -> Fraction | float:
    """A lever value as the fraction it stands for (0.1 -> 1/10); infinity as it is."""
    return x if math.isinf(x) else Fraction(x).limit_denominator(1000)


def run_queues(capacity: list[float], effort: float, lodged: list[list[tuple[int, int]]]):
    """Run ``cutoffs`` day by day against :func:`decided_claims`.

    ``lodged[day][country]`` is (full, accelerated) claims lodged that day; they queue from the
    next day. Each day the claims ``cutoffs`` selects (every claim lodged before the cut day, and
    the first ``take`` of the cut day) must be the claims decided claim by claim, and the credit
    the same. Returns the decisions per day and country, and the credit after each day.
    """
    n_c = len(capacity)
    cap = np.array(capacity, float)
    credit = np.zeros(n_c)
    credit_exact = [Fraction(0)] * n_c
    queue: list[list[tuple[int, int, int]]] = [[] for _ in range(n_c)]
    agent = 0
    decisions, credits = [], []
    for day in range(len(lodged) + 1):
        counts = np.zeros((n_c, 2, day + 1), np.int64)
        for c in range(n_c):
            for track, lodging_day, _ in queue[c]:
                counts[c, track, lodging_day] += 1
        cut, take = cutoffs(counts, credit, cap, effort)
        decided_today = []
        for c in range(n_c):
            selected = np.zeros((2, day + 1), np.int64)
            for t in (TRACK_FULL, TRACK_ACCELERATED):
                k = int(cut[c, t])
                selected[t, :k] = counts[c, t, :k]
                if k <= day:
                    selected[t, k] = take[c, t]
            decided, credit_exact[c] = decided_claims(
                queue[c], credit_exact[c], exact(capacity[c]), exact(effort)
            )
            expected = np.zeros((2, day + 1), np.int64)
            for track, lodging_day, _ in decided:
                expected[track, lodging_day] += 1
            np.testing.assert_array_equal(selected, expected, err_msg=f"day {day}, country {c}")
            assert credit[c] == pytest.approx(float(credit_exact[c]), abs=1e-9)
            queue[c] = [claim for claim in queue[c] if claim not in decided]
            decided_today.append(len(decided))
        decisions.append(decided_today)
        credits.append(credit.tolist())
        if day < len(lodged):
            for c, (full, accelerated) in enumerate(lodged[day]):
                for track, n in ((TRACK_FULL, full), (TRACK_ACCELERATED, accelerated)):
                    for _ in range(n):
                        queue[c].append((track, day, agent))
                        agent += 1
    return np.array(decisions), np.array(credits)


# -- the comparisons ---------------------------------------------------------------------------

CASES = {
    "choose_routes": (choose_routes, ref_choose_routes),
    "travel": (travel, ref_travel),
    "count_waiting": (count_waiting, ref_count_waiting),
    "board": (board, ref_board),
    "passengers": (passengers, ref_passengers),
    "release": (release, ref_release),
    "register": (register, ref_register),
    "place": (place, ref_place),
    "move_on": (move_on, ref_move_on),
    "decide_appeals": (decide_appeals, ref_decide_appeals),
    "decide": (decide, ref_decide),
}


def variants(name: str, inputs: dict):
    """The recorded inputs and, for the protection kernels, the same day with a lever changed so
    that branches the model's own days rarely take are compared as well."""
    yield inputs
    camps = np.ones_like(inputs.get("node_is_camp", np.zeros(0, bool)))
    if name == "release":  # everyone detained is released (the finally rejected as rejected)
        yield dict(inputs, max_days=np.zeros_like(inputs["max_days"]))
    elif name == "register":
        # everyone profiled, everyone not referred detained, and unequal shares of clear cases
        # and of accelerated ones (so that their two draws cannot be swapped unnoticed); every
        # secondary mover (from coast, where the screened in register) readmitted
        yield dict(
            inputs,
            agreements=np.ones_like(inputs["agreements"]),
            coverage=np.ones_like(inputs["coverage"]),
            detention_mode=np.full_like(inputs["detention_mode"], 2.0),
            alternatives=np.zeros_like(inputs["alternatives"]),
            clear_share=0.3,
            accelerated=np.full_like(inputs["accelerated"], 0.9),
        )
    elif name == "place":  # 15 more places at every node; every node a camp (refugees wait)
        yield dict(inputs, capacity=inputs["capacity"] + 15.0)
        yield dict(inputs, node_is_camp=camps)
    elif name == "move_on":  # people with a place move on like the destitute
        yield dict(inputs, conditions=np.zeros_like(inputs["conditions"]))
    elif name == "decide_appeals":  # every pending appeal decided today, at camps
        yield dict(inputs, appeal_days=1.0, node_is_camp=camps)
    elif name == "decide":  # every queued claim decided (as with unlimited capacity), at camps
        everything = np.full_like(inputs["cut_day"], inputs["day"])
        yield dict(inputs, cut_day=everything, node_is_camp=camps)


def agents_changed(before: dict, after: dict) -> int:
    """Agents for whom the kernel changed some field."""
    n = before["status"].shape[0]
    changed = np.zeros(n, bool)
    for name, value in after.items():
        if isinstance(value, np.ndarray) and value.shape == (n,):
            changed |= value != before[name]
    return int(changed.sum())


@pytest.mark.parametrize("name", list(CASES))
def test_kernel_matches_python_reference(name, recorded):
    kernel, reference = CASES[name]
    _, by_kernel = recorded
    totals = np.zeros(N_EVENTS, np.int64)
    changed = 0
    for recorded_inputs in by_kernel[name]:
        for inputs in variants(name, recorded_inputs):
            for key in keys_for(inputs):
                out = compare(kernel, reference, fresh(inputs, key))
                if name == "count_waiting":  # counts only: it changes no agent
                    totals[0] += out["waiting"].sum()
                    changed += int((out["longest_wait"] > 0).sum())
                    continue
                totals += out["events"]
                changed += agents_changed(inputs, out)
    # the comparison is not vacuous: the kernel changed something and counted events
    assert changed > 0
    assert totals.sum() > 0


def count_cases(by_kernel: dict):
    """Inputs for the counting kernels, from the states the model passed to decide and place
    (outputs filled with junk first: the kernels must clear them)."""
    for inputs in by_kernel["decide"]:
        n_c = inputs["cut_day"].shape[0]
        claims = {k: inputs[k] for k in ("claim", "node", "node_country")}
        queue = np.full((n_c, 2, inputs["day"] + 1), 7, np.int64)
        yield "count_queue", dict(claims, day=inputs["day"], claim_day=inputs["claim_day"],
                                  counts=queue)  # fmt: skip
        yield "count_backlog", dict(claims, out=np.full(n_c, 7, np.int64))
    for inputs in by_kernel["place"]:
        out = np.full(inputs["capacity"].shape[0], 7.0)
        yield "count_housed", dict(flags=inputs["flags"], node=inputs["node"], out=out)


COUNTERS = {
    "count_queue": (count_queue, ref_count_queue, "counts"),
    "count_backlog": (count_backlog, ref_count_backlog, "out"),
    "count_housed": (count_housed, ref_count_housed, "out"),
}


def test_counting_kernels_match_python_references(recorded):
    _, by_kernel = recorded
    counted = dict.fromkeys(COUNTERS, 0)
    for name, inputs in count_cases(by_kernel):
        kernel, reference, out = COUNTERS[name]
        counted[name] += compare(kernel, reference, inputs)[out].sum()
    assert all(total > 0 for total in counted.values()), counted


# the events the kernels compared on the busy model's days produce (beside deaths and missing)
BUSY_EVENTS = (
    EV_DEPARTURES, EV_ARRIVALS, EV_RECEIVED, EV_ROBBED, EV_STRANDED, EV_BOARDED, EV_LANDED,
    EV_ONWARD, EV_RESCUED, EV_INTERCEPTED, EV_PULLED_BACK, EV_REFOULED, EV_SCREENED_IN,
    EV_FORCED_OVERBOARD,
    EV_REGISTERED, EV_DESTITUTE, EV_DETAINED, EV_DETAINED_CHILDREN, EV_DETAINED_TRAFFICKED,
    EV_ALTERNATIVES, EV_RELEASED, EV_PROFILED, EV_TRAFFICKING_IDENTIFIED, EV_TRAFFICKING_MISSED,
    EV_CHILDREN_IDENTIFIED, EV_CHILDREN_MISSED, EV_COUNSELLED, EV_CLAIMS, EV_PRIMA_FACIE,
    EV_DECISIONS, EV_ACCELERATED_DECISIONS, EV_RECOGNIZED_FIRST, EV_WRONGFUL_REJECTIONS,
    EV_WRONGFUL_RECOGNITIONS, EV_APPEALS, EV_APPEALS_GRANTED, EV_RECOGNIZED, EV_REJECTED,
    EV_WRONGFUL_REJECTIONS_FINAL, EV_ABANDONED, EV_SMUGGLED_ARRIVALS, EV_SECONDARY,
)  # fmt: skip
LOSSES = ((EV_DEAD_LAND, EV_MISSING_LAND), (EV_DEAD_SEA, EV_MISSING_SEA))  # either of each pair


def test_kernels_see_every_event(recorded):
    """Across the recorded calls and keys, the kernels produce every kind of agent event."""
    _, by_kernel = recorded
    totals = np.zeros(N_EVENTS, np.int64)
    for name, (kernel, _) in CASES.items():
        if "events" not in by_kernel[name][0]:
            continue
        for inputs in by_kernel[name]:
            for key in keys_for(inputs)[-len(KEYS) :]:
                args = fresh(inputs, key)
                kernel(**args)
                totals += args["events"]
    for ev in BUSY_EVENTS:
        assert totals[ev] > 0, EVENT_NAMES[ev]
    for dead, missing in LOSSES:
        assert totals[dead] + totals[missing] > 0


# branches of the protection kernels, as (kernel, what happens to whom)
BRANCHES = (
    ("release", "released to reception"),
    ("release", "released as rejected"),
    ("release", "kept in detention"),
    ("register", "arrival registered"),
    ("register", "screened in registered"),
    ("register", "registered again after moving on"),
    ("register", "irregular arrival detained"),
    ("register", "irregular arrival given an alternative"),
    ("register", "regular arrival not detained"),
    ("register", "screened in detained"),
    ("register", "referred to trafficking protection"),
    ("register", "referred to child protection"),
    ("register", "referred to counselling"),
    ("register", "recognized prima facie"),
    ("register", "claim in the accelerated procedure"),
    ("register", "claim in the full procedure"),
    ("register", "no claim"),
    ("place", "placed on arrival, no claim"),
    ("place", "placed on arrival, claim pending"),
    ("place", "destitute on arrival"),
    ("place", "destitute placed"),
    ("place", "destitute still waiting"),
    ("move_on", "destitute moved on"),
    ("move_on", "moved on from a place"),
    ("move_on", "claim abandoned"),
    ("move_on", "recognized refugee moved on"),
    ("move_on", "secondary movement"),
    ("move_on", "stayed"),
    ("decide_appeals", "appeal granted"),
    ("decide_appeals", "appeal rejected"),
    ("decide_appeals", "appeal still pending"),
    ("decide", "full claim decided"),
    ("decide", "accelerated claim decided"),
    ("decide", "left in the queue"),
    ("decide", "recognized"),
    ("decide", "rejected, appealed"),
    ("decide", "rejected, final"),
    ("decide", "detainee recognized, out of detention"),
    ("decide", "recognized, protected for good"),
    ("decide", "decided in trafficking or child protection, status kept"),
)


def branch_counts(name: str, inputs: dict, out: dict) -> dict[str, int]:
    """How often each branch of BRANCHES was taken in one call (``out``: after the kernel)."""
    s0, s1 = inputs["status"], out["status"]
    b: dict[str, np.ndarray] = {}
    if name == "release":
        was = s0 == DETAINED
        b["released to reception"] = was & (s1 == ARRIVED)
        b["released as rejected"] = was & (s1 == REJECTED)
        b["kept in detention"] = was & (s1 == DETAINED)
    elif name == "register":
        new = ((out["flags"] & REGISTERED) > 0) & ((inputs["flags"] & REGISTERED) == 0)
        screened = new & (s0 == IN_PROCEDURE)
        route = inputs["route"]
        irregular = (route >= 0) & inputs["route_irregular"][np.maximum(route, 0)]
        b["arrival registered"] = new & (s0 == ARRIVED)
        b["screened in registered"] = screened
        b["registered again after moving on"] = new & ((inputs["flags"] & REACHED) > 0)
        b["irregular arrival detained"] = new & irregular & (s1 == DETAINED)
        b["irregular arrival given an alternative"] = new & irregular & (s1 == ARRIVED)
        haven_mode = inputs["detention_mode"][inputs["node_country"][inputs["node"]]] == 1
        b["regular arrival not detained"] = new & ~irregular & haven_mode & (s1 == ARRIVED)
        b["screened in detained"] = screened & (s1 == DETAINED)
        b["referred to trafficking protection"] = new & (s1 == IN_TRAFFICKING)
        b["referred to child protection"] = new & (s1 == IN_CHILD)
        b["referred to counselling"] = new & (out["referral"] == R_COUNSELLING)
        b["recognized prima facie"] = new & (out["claim"] == C_RECOGNIZED)
        b["claim in the accelerated procedure"] = new & (out["claim"] == C_ACCELERATED)
        b["claim in the full procedure"] = new & (out["claim"] == C_FULL)
        b["no claim"] = new & (out["claim"] == C_NONE)
    elif name == "place":
        placed = np.isin(s1, [IN_RECEPTION, IN_PROCEDURE])
        b["placed on arrival, no claim"] = (s0 == ARRIVED) & (s1 == IN_RECEPTION)
        b["placed on arrival, claim pending"] = (s0 == ARRIVED) & (s1 == IN_PROCEDURE)
        b["destitute on arrival"] = (s0 == ARRIVED) & (s1 == DESTITUTE)
        b["destitute placed"] = (s0 == DESTITUTE) & placed
        b["destitute still waiting"] = (s0 == DESTITUTE) & (s1 == DESTITUTE)
    elif name == "move_on":
        left = (s0 != IN_TRANSIT) & (s1 == IN_TRANSIT)
        b["destitute moved on"] = left & (s0 == DESTITUTE)
        b["moved on from a place"] = left & np.isin(s0, [IN_RECEPTION, IN_PROCEDURE])
        b["claim abandoned"] = np.isin(inputs["claim"], PENDING) & (out["claim"] == C_NONE)
        b["recognized refugee moved on"] = left & (s0 == RECOGNIZED)
        b["secondary movement"] = left & ((inputs["flags"] & REACHED) > 0)
        b["stayed"] = np.isin(s0, [DESTITUTE, IN_RECEPTION, IN_PROCEDURE, RECOGNIZED]) & ~left
    elif name == "decide_appeals":
        appeal = inputs["claim"] == C_APPEAL
        b["appeal granted"] = appeal & (out["claim"] == C_RECOGNIZED)
        b["appeal rejected"] = appeal & (out["claim"] == C_REJECTED)
        b["appeal still pending"] = appeal & (out["claim"] == C_APPEAL)
    elif name == "decide":
        c0, c1 = inputs["claim"], out["claim"]
        queued = np.isin(c0, [C_FULL, C_ACCELERATED]) & (inputs["claim_day"] < inputs["day"])
        decided = queued & (c1 != c0)
        b["full claim decided"] = decided & (c0 == C_FULL)
        b["accelerated claim decided"] = decided & (c0 == C_ACCELERATED)
        b["left in the queue"] = queued & (c1 == c0)
        b["recognized"] = decided & (c1 == C_RECOGNIZED)
        b["rejected, appealed"] = decided & (c1 == C_APPEAL)
        b["rejected, final"] = decided & (c1 == C_REJECTED)
        b["detainee recognized, out of detention"] = decided & (s0 == DETAINED) & (s1 == RECOGNIZED)
        b["recognized, protected for good"] = (
            decided & (c1 == C_RECOGNIZED) & ((out["flags"] & PROTECTED) > 0)
        )
        b["decided in trafficking or child protection, status kept"] = (
            decided & np.isin(s0, [IN_TRAFFICKING, IN_CHILD]) & (s1 == s0)
        )
    return {k: int(v.sum()) for k, v in b.items()}


def test_protection_kernels_take_every_branch(recorded):
    """On the model's own days (its keys and levers), the protection kernels take every branch
    the references above are compared on, so those comparisons are not vacuous."""
    _, by_kernel = recorded
    seen = dict.fromkeys(BRANCHES, 0)
    for name in PROTECTION_KERNELS:
        kernel = CASES[name][0]
        for inputs in by_kernel[name]:
            out = fresh(inputs, inputs.get("key"))
            kernel(**out)
            for branch, n in branch_counts(name, inputs, out).items():
                seen[name, branch] += n
    missing = [branch for branch, n in seen.items() if n == 0]
    assert not missing, seen


def test_place_is_first_come_first_served(recorded):
    """With fewer free places at a node than people waiting there (arrived, released or
    destitute), the lowest agent ids get them; the others who just arrived are destitute."""
    model, by_kernel = recorded
    haven = model.net.index["haven"]

    def waiting(inputs):
        here = inputs["node"] == haven
        return np.flatnonzero(here & np.isin(inputs["status"], [ARRIVED, DESTITUTE]))

    inputs = max(by_kernel["place"], key=lambda x: waiting(x).size)  # the longest wait
    queue = waiting(inputs)
    assert (inputs["status"][queue] == ARRIVED).any() and (
        inputs["status"][queue] == DESTITUTE
    ).any()
    housed_before = (inputs["flags"] & HOUSED) > 0
    held = int((housed_before & (inputs["node"] == haven)).sum())
    free = queue.size // 2
    capacity = inputs["capacity"].copy()
    capacity[haven] = held + free + 0.5  # half a place is no place
    args = fresh(dict(inputs, capacity=capacity), None)
    place(**args)
    placed = ((args["flags"] & HOUSED) > 0) & ~housed_before & (inputs["node"] == haven)
    np.testing.assert_array_equal(np.flatnonzero(placed), queue[:free])
    assert (args["status"][queue[free:]] == DESTITUTE).all()
    assert args["occupancy"][haven] == held + free


def test_model_decides_the_claims_a_claim_by_claim_queue_selects(recorded):
    """The model's count_queue -> cutoffs -> decide chain, day by day from day 0, decides the
    same claims as :func:`decided_claims` with the asylum capacity lever (2 a day at haven, 1.5 at
    coast) and the credit carried over; capacity leaves claims waiting on some days."""
    model, by_kernel = recorded
    net = model.net
    effort = exact(model.scenario.behaviour.protection.accelerated_effort)
    credit = [Fraction(0)] * len(net.country_ids)
    decided_total, waiting_days = 0, 0
    for inputs in by_kernel["decide"]:
        day = inputs["day"]
        claim, claim_day = inputs["claim"], inputs["claim_day"]
        capacity = model.levers["asylum_capacity"][day]
        np.testing.assert_array_equal(capacity, [math.inf, 1.5, math.inf, 2.0])
        country = net.node_country[inputs["node"]]
        queued = np.flatnonzero(np.isin(claim, [C_FULL, C_ACCELERATED]) & (claim_day < day))
        expected = set()
        for c in range(len(net.country_ids)):
            claims = [
                (TRACK_ACCELERATED if claim[i] == C_ACCELERATED else TRACK_FULL, claim_day[i], i)
                for i in queued
                if country[i] == c
            ]
            decided, credit[c] = decided_claims(claims, credit[c], exact(capacity[c]), effort)
            expected |= {int(i) for _, _, i in decided}
            waiting_days += len(decided) < len(claims)
        out = fresh(inputs, inputs["key"])
        decide(**out)
        actual = {int(i) for i in queued if out["claim"][i] != claim[i]}
        assert actual == expected, day
        decided_total += len(actual)
    assert decided_total > 0
    assert waiting_days > 0


def test_model_passes_the_protection_levers(recorded):
    """The levers reach the kernels keyed as documented: by country (here each node is its own
    country, named by its id), by node, by true need, by profile@country."""
    model, by_kernel = recorded
    net, pr = model.net, model.scenario.behaviour.protection
    assert net.country_ids == net.node_ids == ["home", "coast", "inland", "haven"]
    inf = math.inf
    # an irregular route has a sea leg or a smuggled leg: here, the routes over coast-haven
    sea_leg = net.edge_ids.index("coast-haven")
    irregular = [
        sea_leg in net.route_edges[net.route_edge_ptr[r] : net.route_edge_ptr[r + 1]]
        for r in range(len(net.route_dest))
    ]
    for inputs in by_kernel["release"]:
        np.testing.assert_array_equal(inputs["max_days"], [30, 5, 30, 3])
    for inputs in by_kernel["register"]:
        np.testing.assert_array_equal(inputs["route_irregular"], irregular)
        np.testing.assert_array_equal(inputs["coverage"], [0.6] * 4)
        np.testing.assert_array_equal(inputs["accuracy"], [0.8] * 4)  # the default
        np.testing.assert_array_equal(inputs["detention_mode"], [0, 2, 0, 1])  # codes of MODES
        np.testing.assert_array_equal(inputs["alternatives"], [0.3] * 4)
        np.testing.assert_array_equal(inputs["accelerated"], [0.5] * 4)
        np.testing.assert_array_equal(inputs["prima_facie"], [[0, 0, 0, 0.3]])  # people@haven
        assert (inputs["false_alarm_scale"], inputs["apply_in_need"]) == (
            pr.false_alarm_scale,
            pr.apply_in_need,
        )
        assert (inputs["apply_not_in_need"], inputs["counselled_factor"]) == (
            pr.apply_not_in_need,
            pr.counselled_apply_factor,
        )
        assert inputs["clear_share"] == pr.clear_share
    for inputs in by_kernel["place"]:  # haven: its node capacity; nodes without one: unlimited
        np.testing.assert_array_equal(inputs["capacity"], [inf, 3, inf, 25])
    ar = model.scenario.behaviour.arrival
    for inputs in by_kernel["register"]:
        np.testing.assert_array_equal(inputs["agreements"], [0] * 4)  # the default: none
    for inputs in by_kernel["move_on"]:
        np.testing.assert_array_equal(inputs["conditions"], [1, 0.2, 1, 0.5])
        # quality of protection: work rights and freedom of movement (0.5 by default) and
        # conditions, averaged
        np.testing.assert_allclose(inputs["quality"], [2 / 3, 1.2 / 3, 2 / 3, 1.5 / 3])
        assert inputs["onward_probability"] == 0.3
        assert (inputs["wait_push"], inputs["recognized_push"], inputs["tie_push"]) == (
            ar.wait_push,
            ar.recognized_push,
            ar.tie_push,
        )
    for inputs in by_kernel["decide_appeals"]:
        assert inputs["appeal_days"] == 5
        assert (inputs["corrects"], inputs["overturns_right"]) == (
            pr.appeal_corrects,
            pr.appeal_overturns_right,
        )
    for inputs in by_kernel["decide"]:
        assert (inputs["accuracy_in_need"], inputs["accuracy_not_in_need"]) == (0.8, 0.7)
        assert inputs["accuracy_loss"] == pr.accelerated_accuracy_loss
        np.testing.assert_array_equal(inputs["appeals"], [0.5] * 4)


# -- solutions, secondary movement, returns and legal channels ---------------------------------

# two_routes with a second destination country: refuge (country Refuge Land, lever key
# refuge_land) a smuggled day's walk from haven and back; the way back is a free-movement leg
REFUGE = {
    "id": "refuge", "country": "Refuge Land", "lat": 15.0, "lon": 18.0, "roles": ["destination"],
    "attractiveness": {"safety": 0.9, "livelihood": 1.2, "family": 1.0},
}  # fmt: skip
REFUGE_EDGES = [
    {"from": "haven", "to": "refuge", "days": 1, "cost": 50, "smuggler": True},
    {"from": "refuge", "to": "haven", "days": 1, "cost": 50, "smuggler": True},
]
YEAR = 365.0
# the busy two_routes, and after the protection chain every solution, return and legal channel:
# richer people (some can pay a labour visa) with family at either destination; quotas a year
# (per node) of about one place a day; a safe enough origin; return capacity a day per country
# (fractions carry over; none at coast, where absconders are all regularized the next day)
SOLUTIONS = {
    **BUSY,
    "profiles.people.resources": {"mean": 1200, "sd": 600},
    "profiles.people.ties": {"haven": 0.3, "refuge": 0.3},
    "behaviour.legal.awareness": 0.5,
    "policy.legal.labour_quota": {"haven": YEAR, "refuge": YEAR},
    "policy.legal.humanitarian_visas": {"haven": 1.5 * YEAR},
    "policy.legal.family_reunification": {"haven": 0.5 * YEAR, "refuge": YEAR},
    "policy.legal.free_movement": {"refuge-haven": 1},
    "policy.resettlement.quota": {"haven": 1.5 * YEAR, "refuge": YEAR},
    "policy.resettlement.priority": 0.5,
    "policy.origin.safety": {"home": 0.5},
    "policy.integration.work_rights": {"haven": 0.3, "refuge_land": 0.8},
    "policy.integration.freedom_of_movement": {"haven": 0.5, "refuge_land": 0.9},
    "policy.return.forced_capacity": {"haven": 1.5, "refuge_land": 0.5},
    "policy.return.origin_cooperation": {"home": 0.5},
    "policy.readmission.agreements": {
        "coast": 0.6,
        "inland": 0.6,
        "haven": 0.7,
        "refuge_land": 0.5,
    },
    "policy.return.avr_support": {"haven": 0.8},
    "policy.return.reintegration": {"home": 0.3},
    "policy.legal.regularization": {"coast": 1.0, "haven": 0.999, "refuge_land": 0.5},
    "policy.asylum.capacity": {"haven": 3, "coast": 1.5, "refuge_land": 2},
    "behaviour.arrival.onward_probability": 0.1,
    # daily rates high enough for a short run
    "behaviour.solutions.repatriation_rate": 0.02,
    "behaviour.solutions.integration_rate": 0.02,
    "behaviour.returns.avr_rate": 0.08,
    # counselled people claim as often as others: some are rejected and take return after
    # counselling
    "behaviour.protection.counselled_apply_factor": 1.0,
    "behaviour.returns.abscond_rate": 0.1,
    "behaviour.returns.remigration_rate": 0.05,
}
SOLUTION_DAYS = 60
SOLUTION_KERNELS = ("use_channels", "register", "move_on", "settle_refugees", "resettle",
                    "forced_returns", "voluntary_returns", "remigrate")  # fmt: skip
SOLUTION_SNAPSHOTS = (30, 59)  # route choice: re-migrants and deportees choose again


@pytest.fixture(scope="module")
def solutions_recorded(two_routes_data, make_scenario, record_calls):
    """The inputs of every call of SOLUTION_KERNELS (and of route choice on SOLUTION_SNAPSHOTS)
    in a SOLUTIONS run, by kernel name, in the order of the days."""
    data = two_routes_data()
    data["nodes"].append(REFUGE)
    data["edges"] += REFUGE_EDGES
    model = Model(make_scenario(data, SOLUTIONS), seed=1, days=SOLUTION_DAYS)
    assert model.net.country_ids == ["home", "coast", "inland", "haven", "refuge_land"]
    keep = {name: set(range(SOLUTION_DAYS)) for name in SOLUTION_KERNELS}
    keep["choose_routes"] = set(SOLUTION_SNAPSHOTS)
    by_kernel: dict[str, list[dict]] = {}
    for name, inputs in record_calls(model, SOLUTION_DAYS, keep_days=keep):
        by_kernel.setdefault(name, []).append(inputs)
    assert {k: len(v) for k, v in by_kernel.items()} == {
        **dict.fromkeys(SOLUTION_KERNELS, SOLUTION_DAYS),
        "choose_routes": len(SOLUTION_SNAPSHOTS),
    }
    # route choice sees people choosing again without a route: re-migrants at the origin and
    # people deported into a transit country (or moving on) elsewhere
    choosing = set()
    for inputs in by_kernel["choose_routes"]:
        again = (inputs["status"] == IN_TRANSIT) & (inputs["edge"] == -1) & (inputs["route"] == -1)
        choosing |= set(np.unique(inputs["node"][again]).tolist())
    assert choosing >= {model.net.index["home"], model.net.index["coast"]}
    return model, by_kernel


SOLUTION_CASES = {
    "use_channels": (use_channels, ref_use_channels),
    "register": (register, ref_register),
    "move_on": (move_on, ref_move_on),
    "settle_refugees": (settle_refugees, ref_settle_refugees),
    "resettle": (resettle, ref_resettle),
    "forced_returns": (forced_returns, ref_forced_returns),
    "voluntary_returns": (voluntary_returns, ref_voluntary_returns),
    "remigrate": (remigrate, ref_remigrate),
    "choose_routes": (choose_routes, ref_choose_routes),
}


def half_unknown(origin: np.ndarray) -> np.ndarray:
    """Every second agent's origin unknown (as for people met on the way at the start)."""
    out = origin.copy()
    out[::2] = -1
    return out


def solution_variants(name: str, inputs: dict):
    """The recorded inputs and the same day with levers changed, for the rare branches."""
    yield inputs
    ones = {k: np.ones_like(v) for k, v in inputs.items() if isinstance(v, np.ndarray)}
    zeros = {k: np.zeros_like(v) for k, v in inputs.items() if isinstance(v, np.ndarray)}
    if name == "use_channels":
        # everyone knows every channel, with three more places of each at every node: people
        # choose among destinations; then the channels cost nothing
        yield dict(inputs, aware=np.full_like(inputs["aware"], sum(AWARE)),
                   slots=inputs["slots"] + 3.0)  # fmt: skip
        yield dict(inputs, aware=np.full_like(inputs["aware"], sum(AWARE)),
                   costs=zeros["costs"])  # fmt: skip
    elif name == "register":  # every secondary mover readmitted
        yield dict(inputs, agreements=ones["agreements"])
    elif name == "move_on":  # poor protection everywhere, long waits push twice, no tie push
        yield dict(inputs, conditions=zeros["conditions"], quality=zeros["quality"],
                   wait_push=2.0, tie_push=0.0)  # fmt: skip
    elif name == "settle_refugees":  # half the origins unknown, the others safe; high rates
        yield dict(inputs, origin=half_unknown(inputs["origin"]), safety=ones["safety"],
                   repatriation_rate=0.5, integration_rate=0.5)  # fmt: skip
    elif name == "resettle":
        # more places: none, all or a share of them first for the vulnerable (a share of the
        # places with their fraction: 0.6 x 4.4 gives 2, where 0.6 x 4 whole places is 2.4 and
        # 0.6 x 3.9 gives 2 where 0.6 x 3 is 1.8); unlimited places
        for extra, priority in ((3.5, 0.0), (3.5, 1.0), (3.4, 0.6), (2.9, 0.6)):
            yield dict(inputs, places=inputs["places"] + extra,
                       priority=np.full_like(inputs["priority"], priority))  # fmt: skip
        yield dict(inputs, places=np.full_like(inputs["places"], math.inf))
    elif name == "forced_returns":
        # more places; no origin cooperates and every transit country readmits; unlimited
        # places with half the origins unknown
        yield dict(inputs, places=inputs["places"] + 5.0, cooperation=zeros["cooperation"],
                   agreements=ones["agreements"])  # fmt: skip
        yield dict(inputs, places=np.full_like(inputs["places"], math.inf),
                   origin=half_unknown(inputs["origin"]))  # fmt: skip
    elif name == "voluntary_returns":  # full support, half the origins unknown; regularized
        yield dict(inputs, avr_support=ones["avr_support"], origin=half_unknown(inputs["origin"]),
                   regularization=np.full_like(inputs["regularization"], 0.5))  # fmt: skip
    elif name == "remigrate":  # everyone returned leaves again
        yield dict(inputs, remigration_rate=1.0, reintegration=zeros["reintegration"],
                   safety=zeros["safety"])  # fmt: skip


@pytest.mark.parametrize("name", list(SOLUTION_CASES))
def test_kernel_matches_python_reference_with_solutions(name, solutions_recorded):
    kernel, reference = SOLUTION_CASES[name]
    _, by_kernel = solutions_recorded
    totals = np.zeros(N_EVENTS, np.int64)
    changed = 0
    for recorded_inputs in by_kernel[name]:
        for inputs in solution_variants(name, recorded_inputs):
            for key in keys_for(inputs):
                out = compare(kernel, reference, fresh(inputs, key))
                totals += out["events"]
                changed += agents_changed(inputs, out)
    assert changed > 0
    assert totals.sum() > 0


# branches of the kernels of solutions, secondary movement, returns and legal channels
SOLUTION_BRANCHES = (
    ("use_channels", "family reunification"),
    ("use_channels", "humanitarian visa"),
    ("use_channels", "labour visa"),
    ("use_channels", "labour visa to the most attractive destination"),
    ("use_channels", "labour visa elsewhere: the most attractive had no place left"),
    ("use_channels", "knows of a channel, qualifies, cannot pay"),
    ("use_channels", "knows of a channel, qualifies, can pay: places ran out"),
    ("register", "first registration: first node of protection"),
    ("register", "smuggled arrival"),
    ("register", "regular arrival"),
    ("register", "humanitarian visa holder registered"),
    ("register", "secondary mover readmitted by the first country"),
    ("register", "secondary mover not readmitted"),
    ("register", "registered again in the same country"),
    ("move_on", "destitute moved on"),
    ("move_on", "moved on from reception"),
    ("move_on", "moved on in procedure, claim abandoned"),
    ("move_on", "recognized refugee moved on, recognition left behind"),
    ("move_on", "secondary movement"),
    ("move_on", "stayed"),
    ("settle_refugees", "repatriated"),
    ("settle_refugees", "integrated"),
    ("settle_refugees", "still recognized"),
    ("resettle", "vulnerable refugee resettled"),
    ("resettle", "refugee without a vulnerability resettled"),
    ("resettle", "vulnerable resettled ahead of a refugee with a lower id"),
    ("resettle", "refugee left waiting"),
    ("forced_returns", "detained rejected returned to the origin"),
    ("forced_returns", "rejected returned to the origin"),
    ("forced_returns", "irregular stay returned to the origin"),
    ("forced_returns", "deported into a transit country"),
    ("forced_returns", "return blocked, no place used"),
    ("forced_returns", "waiting for a place"),
    ("voluntary_returns", "assisted voluntary return"),
    ("voluntary_returns", "assisted voluntary return after counselling"),
    ("voluntary_returns", "absconded"),
    ("voluntary_returns", "rejected stayed"),
    ("voluntary_returns", "regularized"),
    ("voluntary_returns", "irregular stay continued"),
    ("remigrate", "re-migrated after a voluntary return"),
    ("remigrate", "re-migrated after a forced return"),
    ("remigrate", "stayed at the origin"),
)


def solution_branch_counts(name: str, inputs: dict, out: dict) -> dict[str, int]:
    """How often each branch of SOLUTION_BRANCHES was taken in one call."""
    s0, s1 = inputs["status"], out["status"]
    b: dict[str, np.ndarray] = {}
    if name == "use_channels":
        paid = inputs["resources"].astype(float) - out["resources"].astype(float)
        used = (s0 == AT_ORIGIN) & (s1 != AT_ORIGIN)
        costs, slots = inputs["costs"], inputs["slots"]
        via = [used & np.isclose(paid, costs[ch], atol=0.01) for ch in range(3)]
        b["family reunification"] = via[FAMILY] & (out["node"] == inputs["tie"])
        b["humanitarian visa"] = via[HUMANITARIAN] & (s1 == IN_PROCEDURE)
        b["labour visa"] = via[LABOUR] & (s1 == LEGAL_MIGRANT)
        offered = np.flatnonzero(slots[LABOUR] > 0)  # nodes with a labour quota
        livelihood = inputs["livelihood"]
        best = offered[np.argmax(inputs["node_attract"][offered, livelihood])]
        b["labour visa to the most attractive destination"] = b["labour visa"] & (
            out["node"] == best
        )
        b["labour visa elsewhere: the most attractive had no place left"] = b["labour visa"] & (
            out["node"] != best
        )
        stayed = (s0 == AT_ORIGIN) & (s1 == AT_ORIGIN)
        open_ = slots >= 1.0
        qualified = [
            (inputs["tie"] >= 0) & open_[FAMILY][np.maximum(inputs["tie"], 0)],
            inputs["need"] & open_[HUMANITARIAN].any(),
            (inputs["motive"] == livelihood) & open_[LABOUR].any(),
        ]
        b["knows of a channel, qualifies, cannot pay"] = np.zeros_like(stayed)
        b["knows of a channel, qualifies, can pay: places ran out"] = np.zeros_like(stayed)
        for ch in range(3):
            able = stayed & ((inputs["aware"] & AWARE[ch]) > 0) & qualified[ch]
            pays = inputs["resources"] >= costs[ch]
            b["knows of a channel, qualifies, cannot pay"] |= able & ~pays
            b["knows of a channel, qualifies, can pay: places ran out"] |= able & pays
    elif name == "register":
        new = ((out["flags"] & REGISTERED) > 0) & ((inputs["flags"] & REGISTERED) == 0)
        route = inputs["route"]
        irregular = (route >= 0) & inputs["route_irregular"][np.maximum(route, 0)]
        first = inputs["first_protection_node"]
        country = inputs["node_country"]
        moved = new & (first >= 0) & (country[np.maximum(first, 0)] != country[inputs["node"]])
        b["first registration: first node of protection"] = new & (first == -1)
        b["smuggled arrival"] = new & irregular
        b["regular arrival"] = new & (route >= 0) & ~irregular
        b["humanitarian visa holder registered"] = new & ((inputs["flags"] & LEGAL) > 0)
        b["secondary mover readmitted by the first country"] = moved & (out["node"] == first)
        b["secondary mover not readmitted"] = moved & (out["node"] == inputs["node"])
        b["registered again in the same country"] = new & (first >= 0) & ~moved
    elif name == "move_on":
        left = (s0 != IN_TRANSIT) & (s1 == IN_TRANSIT)
        b["destitute moved on"] = left & (s0 == DESTITUTE)
        b["moved on from reception"] = left & (s0 == IN_RECEPTION)
        b["moved on in procedure, claim abandoned"] = (
            left & (s0 == IN_PROCEDURE) & (out["claim"] == C_NONE)
        )
        b["recognized refugee moved on, recognition left behind"] = (
            left & (s0 == RECOGNIZED) & (inputs["claim"] == C_RECOGNIZED) & (out["claim"] == C_NONE)
        )
        b["secondary movement"] = left & ((inputs["flags"] & REACHED) > 0)
        b["stayed"] = np.isin(s0, [DESTITUTE, IN_RECEPTION, IN_PROCEDURE, RECOGNIZED]) & ~left
    elif name == "settle_refugees":
        b["repatriated"] = (s0 == RECOGNIZED) & (s1 == RETURNED_VOLUNTARY)
        b["integrated"] = (s0 == RECOGNIZED) & (s1 == INTEGRATED)
        b["still recognized"] = (s0 == RECOGNIZED) & (s1 == RECOGNIZED)
    elif name == "resettle":
        resettled = (s0 == RECOGNIZED) & (s1 == RESETTLED)
        vulnerable = inputs["vulnerability"] > 0
        waiting = (s0 == RECOGNIZED) & (s1 == RECOGNIZED)
        b["vulnerable refugee resettled"] = resettled & vulnerable
        b["refugee without a vulnerability resettled"] = resettled & ~vulnerable
        ahead = np.zeros_like(resettled)
        for i in np.flatnonzero(resettled & vulnerable):
            behind = waiting & ~vulnerable & (inputs["node"] == inputs["node"][i])
            ahead[i] = behind[:i].any()
        b["vulnerable resettled ahead of a refugee with a lower id"] = ahead
        b["refugee left waiting"] = waiting
    elif name == "forced_returns":
        c = inputs["node_country"][inputs["node"]]
        detained = (s0 == DETAINED) & (inputs["claim"] == C_REJECTED)
        to_origin = s1 == RETURNED_FORCED
        b["detained rejected returned to the origin"] = detained & to_origin
        b["rejected returned to the origin"] = (s0 == REJECTED) & to_origin
        b["irregular stay returned to the origin"] = (s0 == IRREGULAR_STAY) & to_origin
        b["deported into a transit country"] = (s0 != IN_TRANSIT) & (s1 == IN_TRANSIT)
        due = (detained | np.isin(s0, [REJECTED, IRREGULAR_STAY])) & (s1 == s0)
        b["return blocked, no place used"] = due & (out["places"][c] >= 1.0)
        b["waiting for a place"] = due & (out["places"][c] < 1.0)
    elif name == "voluntary_returns":
        avr = (s0 == REJECTED) & (s1 == RETURNED_VOLUNTARY)
        b["assisted voluntary return"] = avr
        b["assisted voluntary return after counselling"] = avr & (
            inputs["referral"] == R_COUNSELLING
        )
        b["absconded"] = (s0 == REJECTED) & (s1 == IRREGULAR_STAY)
        b["rejected stayed"] = (s0 == REJECTED) & (s1 == REJECTED)
        b["regularized"] = (s0 == IRREGULAR_STAY) & (s1 == REGULARIZED)
        b["irregular stay continued"] = (s0 == IRREGULAR_STAY) & (s1 == IRREGULAR_STAY)
    elif name == "remigrate":
        left = s1 == IN_TRANSIT
        b["re-migrated after a voluntary return"] = left & (s0 == RETURNED_VOLUNTARY)
        b["re-migrated after a forced return"] = left & (s0 == RETURNED_FORCED)
        b["stayed at the origin"] = np.isin(s0, [RETURNED_VOLUNTARY, RETURNED_FORCED]) & ~left
    return {k: int(v.sum()) for k, v in b.items()}


def test_solution_kernels_take_every_branch(solutions_recorded):
    """On the model's own days, the kernels of solutions, secondary movement, returns and legal
    channels take every branch the references are compared on."""
    _, by_kernel = solutions_recorded
    seen = dict.fromkeys(SOLUTION_BRANCHES, 0)
    for name in SOLUTION_KERNELS:
        kernel = SOLUTION_CASES[name][0]
        for inputs in by_kernel[name]:
            out = fresh(inputs, inputs.get("key"))
            kernel(**out)
            for branch, n in solution_branch_counts(name, inputs, out).items():
                seen[name, branch] += n
    missing = [branch for branch, n in seen.items() if n == 0]
    assert not missing, seen


def test_model_passes_the_solution_levers(solutions_recorded):
    """The levers of solutions, returns and legal channels reach the kernels keyed as documented:
    by node (legal quotas, resettlement, origin, cooperation, reintegration) or by country
    (integration, readmission, AVR, forced capacity, regularization)."""
    model, by_kernel = solutions_recorded
    net, b = model.net, model.scenario.behaviour
    pull = np.array([0, 0, 0, 1.5 * YEAR, YEAR])  # resettlement quotas by node
    pull = b.solutions.resettlement_pull * pull / (pull + b.solutions.resettlement_half_quota)
    conditions = np.array([1, 0.2, 1, 0.5, 1])  # policy.reception.conditions by node
    quality = (np.array([0.5, 0.5, 0.5, 0.3, 0.8]) + [0.5, 0.5, 0.5, 0.5, 0.9] + conditions) / 3
    safety = [0.5, 0, 0, 0, 0]  # by node: home
    for inputs in by_kernel["use_channels"]:
        np.testing.assert_array_equal(inputs["costs"], [b.legal.cost_family_reunification,
                                      b.legal.cost_humanitarian_visas, b.legal.cost_labour_quota])  # fmt: skip
        assert inputs["livelihood"] == 1  # flowsim.scenario.MOTIVES
        np.testing.assert_allclose(inputs["node_attract"], net.node_attract + pull[:, None])
    for inputs in by_kernel["register"]:
        np.testing.assert_array_equal(inputs["agreements"], [0, 0.6, 0.6, 0.7, 0.5])
    for inputs in by_kernel["move_on"]:
        np.testing.assert_allclose(inputs["quality"], quality)
        assert inputs["onward_probability"] == 0.1
    for inputs in by_kernel["settle_refugees"]:
        np.testing.assert_array_equal(inputs["safety"], safety)
        np.testing.assert_allclose(inputs["quality"], quality)
        assert (inputs["repatriation_rate"], inputs["integration_rate"]) == (0.02, 0.02)
    for inputs in by_kernel["resettle"]:
        np.testing.assert_array_equal(inputs["priority"], [0.5] * 5)
    for inputs in by_kernel["forced_returns"]:
        np.testing.assert_array_equal(inputs["cooperation"], [0.5] * 5)
        np.testing.assert_array_equal(inputs["agreements"], [0, 0.6, 0.6, 0.7, 0.5])
    for inputs in by_kernel["voluntary_returns"]:
        np.testing.assert_array_equal(inputs["avr_support"], [0.5, 0.5, 0.5, 0.8, 0.5])
        np.testing.assert_array_equal(inputs["regularization"], [0, 1, 0, 0.999, 0.5])
        assert (inputs["avr_rate"], inputs["abscond_rate"]) == (0.08, 0.1)
        assert inputs["counselled_factor"] == b.returns.counselled_factor
    for inputs in by_kernel["remigrate"]:
        np.testing.assert_array_equal(inputs["reintegration"], [0.3, 0, 0, 0, 0])
        np.testing.assert_array_equal(inputs["safety"], safety)
        assert inputs["remigration_rate"] == 0.05


def test_places_carry_over_as_fractions(solutions_recorded):
    """Legal channel, resettlement and forced return places: each day the kernel is handed the
    fraction of a place left unused yesterday plus today's share of the quota (a yearly quota /
    365; forced capacity: a day's), and whole places not used are not saved up."""
    model, by_kernel = solutions_recorded
    levers = model.levers
    daily = {
        ("use_channels", "slots"): levers["legal_quota"] / YEAR,  # [day, channel, node]
        ("resettle", "places"): levers["resettlement_quota"] / YEAR,
        ("forced_returns", "places"): levers["forced_capacity"],  # [day, country]
    }
    np.testing.assert_array_equal(levers["legal_quota"][0], [[0, 0, 0, 0.5 * YEAR, YEAR],
                                  [0, 0, 0, 1.5 * YEAR, 0], [0, 0, 0, YEAR, YEAR]])  # fmt: skip
    np.testing.assert_array_equal(levers["forced_capacity"][0], [0, 0, 0, 1.5, 0.5])
    for (name, field), share in daily.items():
        kernel = SOLUTION_CASES[name][0]
        credit = np.zeros_like(share[0])
        unused = 0
        for day, inputs in enumerate(by_kernel[name]):
            assert inputs["day"] == day
            np.testing.assert_array_equal(inputs[field], credit + share[day], err_msg=name)
            out = fresh(inputs, inputs.get("key"))
            kernel(**out)
            credit = out[field].copy()
            unused += int((credit >= 1.0).sum())
            credit -= np.floor(credit)
        assert unused > 0, name  # some days leave whole places unused: they are dropped


SOLUTION_EVENTS = (
    EV_SMUGGLED_ARRIVALS, EV_SECONDARY, EV_READMITTED, EV_INTEGRATED, EV_RESETTLED,
    EV_REPATRIATED, EV_RETURNS_VOLUNTARY, EV_RETURNS_FORCED, EV_RETURNED_TO_TRANSIT,
    EV_IRREGULAR_STAY, EV_REGULARIZED, EV_REMIGRATIONS, EV_LEGAL_FAMILY, EV_LEGAL_HUMANITARIAN,
    EV_LEGAL_LABOUR,
)  # fmt: skip


def test_solution_kernels_see_every_event(solutions_recorded):
    """Over the recorded calls and keys, every event of solutions, secondary movement, returns
    and legal channels happens."""
    _, by_kernel = solutions_recorded
    totals = np.zeros(N_EVENTS, np.int64)
    for name in SOLUTION_KERNELS:
        kernel = SOLUTION_CASES[name][0]
        for inputs in by_kernel[name]:
            for key in keys_for(inputs):
                args = fresh(inputs, key)
                kernel(**args)
                totals += args["events"]
    for ev in SOLUTION_EVENTS:
        assert totals[ev] > 0, EVENT_NAMES[ev]


def test_every_event_is_checked():
    """The two checks above cover every event but those the model counts itself."""
    by_model = {EV_NEW_AGENTS, EV_BOATS}
    checked = {*BUSY_EVENTS, *SOLUTION_EVENTS, *INFO_EVENTS, *(e for pair in LOSSES for e in pair)}
    assert checked | by_model == set(range(N_EVENTS))


def brute_irregular(net, free) -> list[bool]:
    """Route by route: a sea leg, or a smuggled leg outside free movement, makes it irregular."""
    out = []
    for r in range(len(net.route_dest)):
        legs = net.route_edges[net.route_edge_ptr[r] : net.route_edge_ptr[r + 1]]
        out.append(
            any(net.edge_mode[e] == SEA or (net.edge_smuggler[e] and not free[e]) for e in legs)
        )
    return out


def test_irregular_routes_and_entry_nodes_route_by_route(solutions_recorded):
    """``network.irregular_routes`` against a loop over routes, for every free-movement set of
    the network's legs; the route irregularity the model hands to registration (free movement
    on refuge-haven) and each route's entry node (the start of its last sea leg, else of its
    last leg)."""
    model, by_kernel = solutions_recorded
    net = model.net
    n_e = net.n_edges
    assert net.edge_smuggler.sum() == 3 and (net.edge_mode == SEA).sum() == 1
    for bits in range(2**n_e):
        free = np.array([(bits >> e) & 1 for e in range(n_e)], bool)
        np.testing.assert_array_equal(irregular_routes(net, free), brute_irregular(net, free))
    free = np.array([e == "refuge-haven" for e in net.edge_ids])
    expected = brute_irregular(net, free)
    assert not all(expected) and any(expected)
    over_free_leg = [
        net.edge_ids.index("refuge-haven") in net.route_edges[a:b] and not irregular
        for a, b, irregular in zip(net.route_edge_ptr[:-1], net.route_edge_ptr[1:], expected,
                                   strict=True)
    ]  # fmt: skip
    assert any(over_free_leg)  # a smuggled leg made regular
    for inputs in by_kernel["register"]:
        np.testing.assert_array_equal(inputs["route_irregular"], expected)
    for r in range(net.n_routes):
        legs = list(net.route_edges[net.route_edge_ptr[r] : net.route_edge_ptr[r + 1]])
        sea = [e for e in legs if net.edge_mode[e] == SEA]
        assert by_kernel["register"][0]["route_entry_node"][r] == net.edge_src[(sea or legs)[-1]]
    # no routes: nothing irregular
    empty = type("Net", (), {"n_routes": 0})()
    assert irregular_routes(empty, free).shape == (0,)


def test_keep_fraction():
    """Whole places not used today are dropped, the fraction kept; an unlimited credit starts
    again from nothing."""
    almost = 3.0 - 1e-12
    credit = np.array([0.0, 0.25, 1.0, 2.75, 1e9 + 0.5, math.inf, almost])
    _keep_fraction(credit)
    np.testing.assert_array_equal(credit, [0.0, 0.25, 0.0, 0.75, 0.5, 0.0, almost - 2.0])
    empty = np.zeros(0)
    _keep_fraction(empty)
    assert empty.shape == (0,)


# -- the small rule helpers against the documented rules ---------------------------------------

# draws in [0, 1) and shares in [0, 1), with round values often so that draws hit thresholds
ROUND = (0.0, 0.1, 0.5, 0.8, 0.9)
draws = st.one_of(st.sampled_from(ROUND), st.floats(0.0, 1.0, exclude_max=True))
shares = st.one_of(st.sampled_from((*ROUND, 1.0)), st.floats(0.0, 1.0))


@settings(max_examples=300, deadline=None)
@given(u=st.tuples(draws, draws, draws, draws), trafficked=st.booleans(), child=st.booleans(),
       need=st.booleans(), coverage=shares, accuracy=shares, scale=shares)  # fmt: skip
def test_refer_is_the_documented_rule(u, trafficked, child, need, coverage, accuracy, scale):
    args = (*u, trafficked, child, need, coverage, accuracy, scale)
    assert refer(*args) == py_refer(*args)


@settings(max_examples=200, deadline=None)
@given(u=draws, need=st.booleans(), referral=st.sampled_from([int(r) for r in Referral]),
       in_need=shares, not_in_need=shares, factor=shares)  # fmt: skip
def test_applies_is_the_documented_rule(u, need, referral, in_need, not_in_need, factor):
    args = (u, need, referral, in_need, not_in_need, factor)
    assert applies(*args) == py_applies(*args)


@settings(max_examples=200, deadline=None)
@given(u_clear=draws, u_accelerated=draws, profiled=st.booleans(), clear=shares, share=shares)
def test_procedure_is_the_documented_rule(u_clear, u_accelerated, profiled, clear, share):
    args = (u_clear, u_accelerated, profiled, clear, share)
    assert procedure(*args) == py_procedure(*args)


@settings(max_examples=200, deadline=None)
@given(u=draws, need=st.booleans(), accelerated=st.booleans(), in_need=shares,
       not_in_need=shares, loss=shares)  # fmt: skip
def test_first_instance_is_the_documented_rule(u, need, accelerated, in_need, not_in_need, loss):
    args = (u, need, accelerated, in_need, not_in_need, loss)
    assert first_instance(*args) == py_first_instance(*args)


@settings(max_examples=200, deadline=None)
@given(u=draws, irregular=st.booleans(), mode=st.sampled_from([0.0, 1.0, 2.0]), share=shares)
def test_detains_is_the_documented_rule(u, irregular, mode, share):
    assert detains(u, irregular, mode, share) == py_detains(u, irregular, mode, share)


@settings(max_examples=300, deadline=None)
@given(status=st.sampled_from(range(N_STATUS)), days=st.integers(0, 800), conditions=shares,
       quality=shares, wait_push=st.sampled_from((0.0, 0.5, 1.0, 2.0)),
       recognized_push=st.sampled_from((0.0, 0.5, 1.0)))  # fmt: skip
def test_push_is_the_documented_rule(status, days, conditions, quality, wait_push,
                                     recognized_push):  # fmt: skip
    args = (status, days, conditions, quality, wait_push, recognized_push)
    assert push(*args) == py_push(*args)


@settings(max_examples=200, deadline=None)
@given(channel=st.sampled_from((FAMILY, HUMANITARIAN, LABOUR)), dest=st.integers(0, 3),
       motive=st.integers(0, 2), tie=st.integers(-1, 3), need=st.booleans(),
       livelihood=st.integers(0, 2))  # fmt: skip
def test_qualifies_is_the_documented_rule(channel, dest, motive, tie, need, livelihood):
    args = (channel, dest, motive, tie, need, livelihood)
    assert qualifies(*args) == py_qualifies(*args)


LEGAL_COSTS = np.array([600.0, 400.0, 1500.0])  # family, humanitarian, labour


@settings(max_examples=400, deadline=None)
@given(channel=st.sampled_from((FAMILY, HUMANITARIAN, LABOUR)), motive=st.integers(0, 2),
       tie=st.integers(-1, 3), need=st.booleans(),
       resources=st.sampled_from((0.0, 399.5, 400.0, 600.0, 1499.0, 1500.0, 5000.0)),
       aware=st.integers(0, 7),
       slots=st.lists(st.sampled_from((0.0, 0.5, 0.999, 1.0, 2.5)), min_size=12, max_size=12),
       attract=st.lists(st.sampled_from((0.0, 0.5, 1.0, 1.2)), min_size=12, max_size=12))  # fmt: skip
def test_pick_is_the_documented_rule(channel, motive, tie, need, resources, aware, slots,
                                     attract):  # fmt: skip
    """Several destinations often have the same attractiveness: the first in node order wins."""
    args = (channel, motive, tie, need, np.float32(resources), np.uint8(aware),
            np.array(slots).reshape(3, 4), LEGAL_COSTS, np.array(attract).reshape(4, 3), 1)  # fmt: skip
    assert pick(*args) == py_pick(*args)


def test_leave_is_the_documented_rule():
    """Leaving a protection system: only agent ``i`` changes; the flags other than a place and
    registration stay; returns saturate at 255."""
    for returns_before in (0, 7, 254, 255):
        arrays = {
            "status": np.full(3, REJECTED, np.uint8),
            "status_day": np.full(3, 5, np.int16),
            "flags": np.full(3, 63, np.uint8),
            "claim": np.full(3, C_REJECTED, np.uint8),
            "claim_day": np.full(3, 4, np.int16),
            "node": np.full(3, 3, np.int16),
            "returns": np.full(3, returns_before, np.uint8),
        }
        a = {k: v.copy() for k, v in arrays.items()}
        b = {k: v.copy() for k, v in arrays.items()}
        leave(1, 9, RETURNED_FORCED, 0, **a)
        py_leave(1, 9, RETURNED_FORCED, 0, **b)
        for name in arrays:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)
            np.testing.assert_array_equal(a[name][[0, 2]], arrays[name][[0, 2]], err_msg=name)
        assert a["flags"][1] == 63 & ~(HOUSED | REGISTERED)
        assert a["returns"][1] == min(returns_before + 1, 255)
        assert (a["status"][1], a["node"][1], a["claim"][1], a["claim_day"][1]) == (
            RETURNED_FORCED, 0, C_NONE, -1,
        )  # fmt: skip


# -- asylum.cutoffs against a claim-by-claim queue ---------------------------------------------

CAPACITIES = (0.0, 0.1, 0.25, 1 / 3, 0.5, 1.0, 1.5, 2.0, 2.75, 5.0, math.inf)
EFFORTS = (0.2, 0.25, 1 / 3, 0.5, 1.0)


@settings(max_examples=150, deadline=None)
@given(capacity=st.lists(st.sampled_from(CAPACITIES), min_size=1, max_size=3),
       effort=st.sampled_from(EFFORTS),
       lodged=st.lists(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=3,
                                max_size=3), min_size=1, max_size=12))  # fmt: skip
def test_cutoffs_match_a_claim_by_claim_queue(capacity, effort, lodged):
    """``run_queues`` checks each day's selection and credit against the claim-by-claim queue;
    over the whole run no country decides more claims than were lodged there, an unlimited
    country decides every claim the day after it is lodged, a country with no capacity none,
    and the credit is never negative (beyond the 1e-9 by which ``cutoffs`` rounds a decision
    up: 3 x 1/3 of capacity pays for 5 claims at effort 0.2)."""
    lodged = [day[: len(capacity)] for day in lodged]
    decisions, credit = run_queues(capacity, effort, lodged)
    claims = np.array([[full + accelerated for full, accelerated in day] for day in lodged])
    assert decisions.shape == (len(lodged) + 1, len(capacity))
    assert (decisions.sum(axis=0) <= claims.sum(axis=0)).all()
    assert (credit >= -1e-9).all()
    for c, cap in enumerate(capacity):
        if cap == math.inf:
            np.testing.assert_array_equal(decisions[1:, c], claims[:, c])
        elif cap == 0:
            assert decisions[:, c].sum() == 0


@pytest.mark.parametrize(
    "capacity, effort, lodged, decisions, credit",
    [
        # unlimited: every claim is decided the day after lodging; nothing is saved up
        (math.inf, 0.25, [(3, 2), (0, 0), (5, 0)], [0, 5, 0, 5], [0, 0, 0, 0]),
        # none: nothing is ever decided, and no credit builds up
        (0.0, 0.25, [(3, 2), (1, 1)], [0, 0, 0], [0, 0, 0]),
        # half a decision a day, carried over: one full claim every second day
        (0.5, 0.25, [(5, 0)], [0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], None),
        # a day that empties the queue drops the credit left: 1.5 a day decides 1, 1, 1 of
        # 1, 2, 1 claims (with credit saved up it would be 1, 2, 0)
        (1.5, 0.25, [(1, 0), (2, 0), (0, 0), (0, 0)], [0, 1, 1, 1, 0], [0, 0, 0.5, 0, 0]),
        # accelerated claims first (a quarter of a decision each), then the full queue
        (1.0, 0.25, [(1, 5), (0, 0), (0, 0)], [0, 4, 1, 1], [0, 0, 0.75, 0]),
    ],
)
def test_cutoffs_cases(capacity, effort, lodged, decisions, credit):
    days = [[claims] for claims in lodged] + [[(0, 0)]] * (len(decisions) - len(lodged) - 1)
    got, left = run_queues([capacity], effort, days)
    np.testing.assert_array_equal(got[:, 0], decisions)
    if credit is not None:
        np.testing.assert_allclose(left[:, 0], credit)


def test_count_node_status_matches_numpy():
    rng = np.random.default_rng(3)
    n_nodes = 7
    for n in (0, 1, 1000):
        status = rng.integers(0, N_STATUS, n).astype(np.uint8)
        node = rng.integers(0, n_nodes, n).astype(np.int16)
        out = np.full((n_nodes, N_STATUS), 99, np.int64)  # stale values must be cleared
        count_node_status(status, node, out)
        expected = np.bincount(
            node.astype(np.int64) * N_STATUS + status, minlength=n_nodes * N_STATUS
        ).reshape(n_nodes, N_STATUS)
        np.testing.assert_array_equal(out, expected)
        assert out.sum() == n


# -- information: news, smugglers' promises, campaigns, exchange ----------------------------------

# campaign content bits and aware bits, as documented in flowsim.rules.information
RISKS, LEGAL_OPTIONS, PROTECTION = 1, 2, 4
assert (information.RISKS, information.LEGAL_OPTIONS, information.PROTECTION) == (1, 2, 4)
ALL_CHANNELS = sum(AWARE)


def ref_present(s: int) -> bool:
    """Alive and in the network (the dead, the missing and the resettled hear nothing)."""
    return s not in (DEAD, MISSING, RESETTLED)


def add_crossings(alpha, beta, i, h, weight: float, risk: float) -> None:
    """``weight`` pseudo-crossings at ``risk``: a share ``risk`` of them lost (float32 slots)."""
    alpha[i, h] = f32(float(alpha[i, h]) + weight * risk)
    beta[i, h] = f32(float(beta[i, h]) + weight * (1.0 - risk))


def ref_hear_news(key, who, hub, missing, landed, contacts, status, alpha, beta, notice_dead,
                  notice_missing, news_weight, events):  # fmt: skip
    """Everyone present linked to a person landed today counts ``news_weight`` safe crossings
    from its hub; linked to a person lost today, it hears of it with notice_dead (notice_missing)
    and then counts ``news_weight`` deaths. First the person's own contacts (draw 2 + j for its
    slot j), then, in row order, everyone who holds the person in its own slot j (draw
    NEWS_BACK + j)."""
    listeners = []  # (listener, draw, event), in the order the kernel visits them
    for k in range(len(who)):
        listeners += [(int(c), 2 + j, k) for j, c in enumerate(contacts[int(who[k])])]
    if len(who):
        event_of = {int(i): k for k, i in enumerate(who)}
        for c in range(len(status)):
            for j, i in enumerate(contacts[c]):
                if int(i) in event_of:
                    listeners.append((c, information.NEWS_BACK + j, event_of[int(i)]))
    for c, draw, k in listeners:
        if c == -1 or not ref_present(int(status[c])):
            continue
        h = int(hub[k])
        if landed[k]:
            beta[c, h] = f32(float(beta[c, h]) + news_weight)
            continue
        notice = notice_missing if missing[k] else notice_dead
        if uniform(key, c, draw) < notice:
            alpha[c, h] = f32(float(alpha[c, h]) + news_weight)
            events[EV_DEATHS_NOTICED] += 1


def ref_hear_smugglers(status, node, hub_of_node, alpha, beta, true_risk, claim, trust, weight):
    """Each person waiting at a hub counts weight x trust crossings at claim x the true risk."""
    for i in range(len(status)):
        h = int(hub_of_node[node[i]])
        if int(status[i]) != WAITING or h == -1:
            continue
        w = weight * float(trust[node[i]])
        add_crossings(alpha, beta, i, h, w, claim * float(true_risk[h]))


def ref_reach_campaign(key, slot, status, node, at_node, reach, credibility, content, trust,
                       weight, true_risk, alpha, beta, aware, events):  # fmt: skip
    """Each person present at the campaign's nodes is reached with ``reach`` (draw 15 + 3 slot);
    c = credibility x trust in officials at its node; risks: c x weight crossings at the true
    risk of every hub; legal options: aware of every channel with c (next draw); protection:
    aware of the protection in first asylum with c (the draw after)."""
    for i in range(len(status)):
        if not ref_present(int(status[i])) or not at_node[node[i]]:
            continue
        if uniform(key, i, 15 + 3 * slot) >= reach:
            continue
        events[EV_CAMPAIGN_REACH] += 1
        c = credibility * float(trust[node[i]])
        if content & RISKS:
            for h in range(len(true_risk)):
                add_crossings(alpha, beta, i, h, c * weight, float(true_risk[h]))
        if content & LEGAL_OPTIONS and uniform(key, i, 16 + 3 * slot) < c:
            aware[i] |= ALL_CHANNELS
        if content & PROTECTION and uniform(key, i, 17 + 3 * slot) < c:
            aware[i] |= PROTECTION_KNOWN


def ref_exchange(key, status, node, contacts, alpha, beta, good, bad, probability, trust, weight,
                 events):  # fmt: skip
    """Each person present talks with probability (at its node; draw 0) to one contact slot
    (draw 1), if it holds someone present, and counts weight x trust crossings at that
    contact's believed risk, hub by hub, and as many outcomes at its believed welcome,
    destination by destination (beliefs as they stand, people in row order)."""
    k = contacts.shape[1]
    for i in range(len(status) if k else 0):
        if not ref_present(int(status[i])) or uniform(key, i, 0) >= probability[node[i]]:
            continue
        c = int(contacts[i, min(k - 1, int(uniform(key, i, 1) * k))])
        if c == -1 or not ref_present(int(status[c])):
            continue
        events[EV_CONVERSATIONS] += 1
        w = weight * float(trust[node[i]])
        for h in range(alpha.shape[1]):
            confidence = float(alpha[c, h] + beta[c, h])  # a float32 sum, as the kernel's
            add_crossings(alpha, beta, i, h, w, float(alpha[c, h]) / max(confidence, 1e-12))
        for n in range(good.shape[1]):
            outcomes = float(good[c, n] + bad[c, n])
            add_crossings(good, bad, i, n, w, float(good[c, n]) / max(outcomes, 1e-12))


GOOD = (IN_RECEPTION, IN_PROCEDURE, RECOGNIZED, Status.IN_TRAFFICKING_PROTECTION,
        Status.IN_CHILD_PROTECTION, Status.INTEGRATED, Status.LEGAL_MIGRANT, Status.REGULARIZED)  # fmt: skip
BAD = (DESTITUTE, DETAINED, REJECTED, Status.IRREGULAR_STAY)


def ref_hear_outcomes(day, status, status_day, node, dest_of_node, outcome, contacts, good, bad,
                      weight, seen_good, seen):  # fmt: skip
    """Whoever took a good status (a place, protection, a legal stay, integration) or a bad one
    (destitute, detained, rejected, irregular stay) today at a destination-role node: it, each
    present contact of it and then, in row order, everyone present who holds it as a contact
    count ``weight`` good (bad) outcomes there; the node's tallies grow."""
    reports = {}  # reporter -> (destination, good)
    for i in range(len(status)):
        k = int(dest_of_node[node[i]])
        s = int(status[i])
        if int(status_day[i]) != day or k == -1 or s not in GOOD + BAD:
            continue
        is_good = s in GOOD
        seen[k] += 1.0
        seen_good[k] += float(is_good)
        reports[i] = (k, is_good)
        for c in (i, *(int(c) for c in contacts[i])):
            if c == -1 or not ref_present(int(status[c])):
                continue
            target = good if is_good else bad
            target[c, k] = f32(float(target[c, k]) + weight)
    for c in range(len(status)):
        if not ref_present(int(status[c])):
            continue
        for i in contacts[c]:
            if int(i) in reports:
                k, is_good = reports[int(i)]
                target = good if is_good else bad
                target[c, k] = f32(float(target[c, k]) + weight)


def ref_fade(lost, kept, keep, floor):
    """Both pseudo-counts of every pair x ``keep``; a pair whose sum falls under ``floor`` is
    scaled up to sum to ``floor`` (float32 arithmetic, as the kernel's)."""
    for i, h in np.ndindex(lost.shape):
        a, b = f32(lost[i, h] * keep), f32(kept[i, h] * keep)
        total = f32(a + b)
        if 0 < total < floor:
            a, b = f32(a * f32(floor / total)), f32(b * f32(floor / total))
        lost[i, h], kept[i, h] = a, b


INFO_KERNELS = ("hear_news", "hear_smugglers", "reach_campaign", "exchange", "hear_outcomes",
                "fade")  # fmt: skip
INFO_CASES = {
    "hear_news": (information.hear_news, ref_hear_news),
    "hear_smugglers": (information.hear_smugglers, ref_hear_smugglers),
    "reach_campaign": (information.reach_campaign, ref_reach_campaign),
    "exchange": (information.exchange, ref_exchange),
    "hear_outcomes": (information.hear_outcomes, ref_hear_outcomes),
    "fade": (information.fade, ref_fade),
    "choose_routes": (choose_routes, ref_choose_routes),
}
INFO_DAYS = 40
# BUSY (deaths, landings, waiting at the coast) with beliefs that start half at a rumour, two
# campaigns (risks alone at home; every content at coast and haven, from day 5 to 30), smugglers
# trusted more at the coast, talk more at home, and a stay option that holds some people back
INFO = {
    **BUSY,
    "behaviour.information.prior_knowledge": 0.5,
    "behaviour.information.protection_unknown_discount": 0.4,
    "behaviour.route_choice.stay_utility": -0.5,
    "behaviour.route_choice.w_welcome": 0.5,
    "behaviour.information.prior_welcome": 0.6,
    "policy.information.trust_smugglers": {"coast": 0.9, "default": 0.2},
    "policy.information.contact_probability": {"home": 0.5, "default": 0.2},
    "policy.information.campaigns": [
        {"name": "risks", "nodes": ["home"], "reach": 0.3, "credibility": 0.8,
         "content": ["risks"]},
        {"name": "everything", "nodes": ["coast", "haven"], "start": 5, "end": 30, "reach": 0.5,
         "credibility": 0.7, "content": ["risks", "legal_options", "protection"]},
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def info_recorded(two_routes_data, make_scenario, record_calls):
    """The inputs of every call of INFO_KERNELS and of route choice in an INFO run."""
    model = Model(make_scenario(two_routes_data(), INFO), seed=1, days=INFO_DAYS)
    keep = dict.fromkeys((*INFO_KERNELS, "choose_routes"), set(range(INFO_DAYS)))
    by_kernel: dict[str, list[dict]] = {}
    for name, inputs in record_calls(model, INFO_DAYS, keep_days=keep):
        by_kernel.setdefault(name, []).append(inputs)
    counts = {k: len(v) for k, v in by_kernel.items()}
    assert counts == {
        "hear_news": INFO_DAYS, "hear_smugglers": INFO_DAYS, "exchange": INFO_DAYS,
        "hear_outcomes": INFO_DAYS, "choose_routes": INFO_DAYS, "fade": 2 * INFO_DAYS,
        "reach_campaign": INFO_DAYS + 26,  # two campaigns 26 days
    }  # fmt: skip
    return model, by_kernel


def info_variants(name: str, inputs: dict):
    """The recorded inputs and the same day with levers changed, for the rare branches."""
    yield inputs
    if name == "hear_news":  # everyone notices every loss
        yield dict(inputs, notice_dead=1.0, notice_missing=1.0)
    elif name == "reach_campaign":  # everyone present anywhere, every content, full credibility
        yield dict(inputs, at_node=np.ones_like(inputs["at_node"]), reach=1.0,
                   credibility=1.0, content=RISKS | LEGAL_OPTIONS | PROTECTION)  # fmt: skip
    elif name == "fade":  # beliefs all but forgotten in a day: the floor holds them
        yield dict(inputs, keep=np.float32(1e-4))
    elif name == "exchange":  # everyone talks today
        yield dict(inputs, probability=np.ones_like(inputs["probability"]))
    elif name == "choose_routes":
        # first asylum everywhere, unknown to some; staying home worth more or less
        for stay in (-np.inf, 0.0):
            yield dict(inputs, node_is_asylum=np.ones_like(inputs["node_is_asylum"]),
                       stay_utility=stay)  # fmt: skip
        yield dict(inputs, w_welcome=1.0)  # attractiveness rests wholly on the welcome


@pytest.mark.parametrize("name", list(INFO_CASES))
def test_kernel_matches_python_reference_with_information(name, info_recorded):
    kernel, reference = INFO_CASES[name]
    _, by_kernel = info_recorded
    totals = np.zeros(N_EVENTS, np.int64)
    changed = 0
    for recorded_inputs in by_kernel[name]:
        for inputs in info_variants(name, recorded_inputs):
            for key in keys_for(inputs):
                out = compare(kernel, reference, fresh(inputs, key))
                if "events" in out:
                    totals += out["events"]
                for field in ("alpha", "beta", "good", "bad", "lost", "kept", "aware", "status",
                              "flags"):  # fmt: skip
                    if field in out:
                        changed += int((out[field] != inputs[field]).sum())
    assert changed > 0
    if name not in ("hear_smugglers", "hear_outcomes", "fade"):  # they count no event
        assert totals.sum() > 0


INFO_EVENTS = (EV_DETERRED, EV_CAMPAIGN_REACH, EV_DEATHS_NOTICED, EV_CONVERSATIONS)


def test_information_kernels_take_every_branch(info_recorded):
    """On the model's own days (own keys): deaths are noticed and missed and landings heard of;
    smugglers' promises lower the believed risk of people waiting; both campaigns reach people,
    and the second makes people aware of legal channels and of protection; people talk; route
    choice holds some people back (deterred) while others depart, and some know of protection
    while others do not."""
    model, by_kernel = info_recorded
    totals = np.zeros(N_EVENTS, np.int64)
    lost = landed = 0
    for inputs in by_kernel["hear_news"]:
        lost += int((~inputs["landed"]).sum())
        landed += int(inputs["landed"].sum())
    assert lost > 0 and landed > 0
    lowered = 0
    for inputs in by_kernel["hear_smugglers"]:
        out = fresh(inputs, None)
        information.hear_smugglers(**out)
        risk = lambda a: a["alpha"] / (a["alpha"] + a["beta"])  # noqa: E731
        lowered += int((risk(out) < risk(inputs)).sum())
    assert lowered > 0
    became = {"legal": 0, "protection": 0}
    for inputs in by_kernel["reach_campaign"]:
        out = fresh(inputs, inputs["key"])
        information.reach_campaign(**out)
        totals += out["events"]
        new = out["aware"] & ~inputs["aware"]
        became["legal"] += int(((new & ALL_CHANNELS) > 0).sum())
        became["protection"] += int(((new & PROTECTION_KNOWN) > 0).sum())
    assert became["legal"] > 0 and became["protection"] > 0, became
    # good and bad outcomes are reported, to the people themselves and their contacts
    grew = {"good": 0, "bad": 0}
    for inputs in by_kernel["hear_outcomes"]:
        out = fresh(inputs, None)
        information.hear_outcomes(**out)
        for field in grew:
            grew[field] += int((out[field] > inputs[field]).sum())
    assert grew["good"] > 0 and grew["bad"] > 0, grew
    for name in ("hear_news", "exchange", "choose_routes"):
        for inputs in by_kernel[name]:
            out = fresh(inputs, inputs["key"])
            INFO_CASES[name][0](**out)
            totals += out["events"]
    for ev in INFO_EVENTS:
        assert totals[ev] > 0, EVENT_NAMES[ev]
    assert totals[EV_DEPARTURES] > 0
    knows = np.concatenate(
        [(i["aware"] & PROTECTION_KNOWN) > 0 for i in by_kernel["choose_routes"]]
    )
    assert knows.any() and not knows.all()
    # the summary counts each campaign's reach: the events of its own calls
    reach = summarise(model)["information"]["campaign_reach"]
    assert reach == {"risks": sum(reached(by_kernel, 1)), "everything": sum(reached(by_kernel, 2))}
    assert reach["risks"] > 0 and reach["everything"] > 0


def test_news_and_reports_travel_both_ways_along_a_contact():
    """Row 1 holds row 0 as its contact and row 0 holds nobody: when row 0 is lost, row 1
    hears (notice 1); when row 1 is lost, row 0 hears too. The same for a report of a bad
    outcome at a destination: both rows count it, whichever of the two reports."""
    status = np.full(3, IN_TRANSIT, np.int8)
    contacts = np.array([[-1], [0], [-1]], np.int32)  # row 2 is linked to nobody
    for lost in (0, 1):
        alpha, beta = np.ones((3, 1), np.float32), np.ones((3, 1), np.float32)
        events = np.zeros(N_EVENTS, np.int64)
        information.hear_news(7, np.array([lost], np.int32), np.zeros(1, np.int16),
                              np.zeros(1, np.bool_), np.zeros(1, np.bool_), contacts, status,
                              alpha, beta, 1.0, 1.0, 20.0, events)  # fmt: skip
        assert alpha[:, 0].tolist() == [1.0 + 20.0 * (lost == 1), 1.0 + 20.0 * (lost == 0), 1.0]
        assert beta[:, 0].tolist() == [1.0, 1.0, 1.0] and events[EV_DEATHS_NOTICED] == 1
    outcome = information.outcome_table()
    for reporter in (0, 1):
        st = status.copy()
        st[reporter] = DESTITUTE
        day = np.where(np.arange(3) == reporter, 5, 0).astype(np.int32)
        good, bad = np.zeros((3, 1), np.float32), np.zeros((3, 1), np.float32)
        seen_good, seen = np.zeros(1), np.zeros(1)
        information.hear_outcomes(5, st, day, np.zeros(3, np.int32), np.zeros(1, np.int32),
                                  outcome, contacts, good, bad, 10.0, seen_good, seen)  # fmt: skip
        assert bad[:, 0].tolist() == [10.0, 10.0, 0.0] and not good.any()
        assert (seen_good[0], seen[0]) == (0.0, 1.0)


def test_belief_gap_matches_the_mean_over_the_counted_agents():
    """The daily belief records read the pseudo-counts directly: over the agents whose status
    is counted, the sum of |believed - truth| over every column equals the numpy mean times
    their number and columns, and the believed shares add up per column (rows with no
    confidence at all believe 0)."""
    rng = np.random.default_rng(5)
    n, h = 500, 3
    status = rng.integers(0, len(Status), n).astype(np.int8)
    counted = np.isin(np.arange(len(Status)), [Status.AT_ORIGIN, Status.STRANDED])
    lost = rng.uniform(0, 3, (n, h)).astype(np.float32)
    kept = rng.uniform(0, 30, (n, h)).astype(np.float32)
    lost[:5], kept[:5] = 0, 0  # no confidence
    truth = rng.uniform(0, 0.2, h)
    believed_sum = np.zeros(h)
    gap, count = information.belief_gap(status, counted, lost, kept, truth, believed_sum)
    rows = counted[status]
    share = np.array([[ref_share(a, b) for a, b in zip(la, ka, strict=True)]
                      for la, ka in zip(lost[rows], kept[rows], strict=True)], float)  # fmt: skip
    assert count == rows.sum() > 50
    np.testing.assert_allclose(gap, np.abs(share - truth).sum(), rtol=1e-12)
    np.testing.assert_allclose(believed_sum, share.sum(axis=0), rtol=1e-12)
    assert gap / (count * h) == pytest.approx(np.abs(share - truth).mean(), rel=1e-12)


def reached(by_kernel: dict, slot: int) -> list[int]:
    """People reached by campaign ``slot`` on each of its days, replayed with the day's key."""
    out = []
    for inputs in by_kernel["reach_campaign"]:
        if inputs["slot"] == slot:
            args = fresh(inputs, inputs["key"])
            information.reach_campaign(**args)
            out.append(int(args["events"][EV_CAMPAIGN_REACH] - inputs["events"][EV_CAMPAIGN_REACH]))
    return out


def test_contacts_are_drawn_from_ones_origin_community(info_recorded):
    """Contacts (``information.draw_contacts``): each filled slot holds someone else from the
    same origin who set out no later (the same day included) and is among the last
    ``community_size`` from that origin at the time; the networkx export has one edge per
    distinct pair, and ``Model.agent`` names the contacts and believed risks."""
    model, _ = info_recorded
    pop, info = model.pop, model.scenario.behaviour.information
    contacts = model.beliefs.view("contacts")
    origin, born = pop.view("origin"), pop.view("born_day")
    rows, slots = np.nonzero(contacts >= 0)
    others = contacts[rows, slots]
    assert rows.size > 0.9 * contacts.size  # few empty slots (drawing oneself)
    assert (origin[others] == origin[rows]).all()
    assert (born[others] <= born[rows]).all()
    for i, c in zip(rows.tolist(), others.tolist(), strict=True):
        # people from i's origin added after c and up to i's own day: fewer than the window
        same = origin == origin[i]
        later = same[c + 1 :].copy()
        later[born[c + 1 :] > born[i]] = False
        assert later.sum() < info.community_size
    graph = model.contact_graph()
    assert graph.number_of_nodes() == pop.n
    pairs = {tuple(sorted(p)) for p in zip(rows.tolist(), others.tolist(), strict=True)}
    assert set(map(tuple, map(sorted, graph.edges()))) == pairs
    row = model.agent(int(rows[0]))
    assert row["contacts"] == [int(c) for c in contacts[rows[0]] if c >= 0]
    assert set(row["believed_sea_risk"]) == {model.net.node_ids[h] for h in model.net.hub_nodes}
