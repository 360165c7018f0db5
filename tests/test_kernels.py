"""Each numba kernel against an independent plain-Python version of the same rule.

The references are written from the rules as documented (module docstrings, docs/MODEL.md), as one
loop over agents, using ``flowsim.rng.uniform`` / ``gumbel`` for the same draws. Their inputs are
the exact arguments a busy two_routes model passed to each kernel on a few days (every status
present; the sea kernels on every day, so that every fate of a boat is seen), recorded by name,
replayed with the model's own day key and with other keys (kernels that draw nothing: once).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from flowsim.rules.arrival import settle

from flowsim import Model
from flowsim.boats import BoatState, Fate
from flowsim.network import SEA
from flowsim.population import N_STATUS, Status, count_node_status
from flowsim.rng import gumbel, uniform
from flowsim.rules import (
    EV_ARRIVALS,
    EV_BOARDED,
    EV_DEAD_LAND,
    EV_DEAD_SEA,
    EV_DEPARTURES,
    EV_FORCED_OVERBOARD,
    EV_INTERCEPTED,
    EV_LANDED,
    EV_MISSING_LAND,
    EV_MISSING_SEA,
    EV_ONWARD,
    EV_PULLED_BACK,
    EV_REFOULED,
    EV_RESCUED,
    EV_ROBBED,
    EV_SCREENED_IN,
    EV_SETTLED,
    EV_STRANDED,
    N_EVENTS,
)
from flowsim.rules.route_choice import choose_routes
from flowsim.rules.sea_crossing import passengers
from flowsim.rules.smuggling import board, count_waiting
from flowsim.rules.travel import travel

AT_ORIGIN, IN_TRANSIT, WAITING, AT_SEA = 0, 1, 2, 3
STRANDED, ARRIVED, SETTLED, DEAD, MISSING, IN_PROCEDURE = 4, 5, 6, 7, 8, 9
assert [
    AT_ORIGIN, IN_TRANSIT, WAITING, AT_SEA, STRANDED, ARRIVED, SETTLED, DEAD, MISSING, IN_PROCEDURE
] == [int(s) for s in Status]  # fmt: skip
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
    "nodes.haven.capacity": 40,
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
}
SNAPSHOT_DAYS = (3, 8, 20, 39)
DAYS = 40
SEA_KERNELS = ("count_waiting", "board", "passengers")  # recorded on every day
KEYS = (1, 987654321987654321, 2**63 - 2)


@pytest.fixture(scope="module")
def recorded(two_routes_data, make_scenario, record_calls):
    """The inputs of every kernel call the model made on SNAPSHOT_DAYS, by kernel name.

    For settle each call appears twice: as made, and with 15 places freed at every node, so that
    waiting agents (status arrived, which only remain where a node is full) get places.
    """
    model = Model(make_scenario(two_routes_data(), BUSY), seed=4, days=DAYS)
    keep = {name: set(SNAPSHOT_DAYS) for name in ("choose_routes", "travel", "settle")}
    keep.update({name: set(range(DAYS)) for name in SEA_KERNELS})
    calls = record_calls(model, DAYS, keep_days=keep)
    by_kernel: dict[str, list[dict]] = {}
    for name, inputs in calls:
        by_kernel.setdefault(name, []).append(inputs)
        if name == "settle":
            freed = np.maximum(inputs["occupancy"] - 15.0, 0.0)
            by_kernel[name].append(dict(inputs, occupancy=freed))
    counts = {k: len(v) for k, v in by_kernel.items()}
    # board runs only on days when boats are launched
    assert 5 <= counts.pop("board") < DAYS
    assert counts == {
        "choose_routes": 4, "travel": 4, "count_waiting": DAYS, "passengers": DAYS, "settle": 8
    }  # fmt: skip
    seen = set()
    for inputs in by_kernel["choose_routes"]:
        seen |= set(np.unique(inputs["status"]).tolist())
    assert seen == set(range(N_STATUS))  # every status is present in some snapshot
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


def ref_choose_routes(
    day, key, status, status_day, node, edge, route, route_pos, destination, departure_day,
    motive, tie, resources, risk_tolerance, route_ptr, route_dest, route_days, route_cost,
    route_risk, node_attract, node_is_destination, w_attr, w_risk, w_cost, w_days, tie_bonus,
    noise, events, **_,
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
            u = w_attr * float(node_attract[dest, motive[i]])
            if dest == tie[i]:
                u += tie_bonus
            u -= w_risk * (1.0 - tolerance) * float(route_risk[r])
            u -= w_cost * float(route_cost[r]) / max(money, 1.0)
            u -= w_days * float(route_days[r])
            if noise > 0:
                u += noise * gumbel(key, i, r)
            if u > best_u:
                best, best_u = r, u
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


def ref_settle(
    day, key, status, status_day, node, route, onward_moves, occupancy, capacity,
    onward_probability, events, **_,
):  # fmt: skip
    for i in range(len(status)):
        if status[i] != ARRIVED:
            continue
        n = int(node[i])
        if occupancy[n] + 1.0 <= capacity[n]:  # a place is free: first come, first served
            occupancy[n] += 1.0
            status[i], status_day[i] = SETTLED, day
            events[EV_SETTLED] += 1
        elif uniform(key, i, 0) < onward_probability:
            status[i], status_day[i], route[i] = IN_TRANSIT, day, -1
            onward_moves[i] = min(int(onward_moves[i]) + 1, 255)
            events[EV_ONWARD] += 1


# -- the comparisons ---------------------------------------------------------------------------

CASES = {
    "choose_routes": (choose_routes, ref_choose_routes),
    "travel": (travel, ref_travel),
    "count_waiting": (count_waiting, ref_count_waiting),
    "board": (board, ref_board),
    "passengers": (passengers, ref_passengers),
    "settle": (settle, ref_settle),
}


@pytest.mark.parametrize("name", list(CASES))
def test_kernel_matches_python_reference(name, recorded):
    kernel, reference = CASES[name]
    _, by_kernel = recorded
    totals = np.zeros(N_EVENTS, np.int64)
    changed = 0
    for inputs in by_kernel[name]:
        for key in keys_for(inputs):
            out = compare(kernel, reference, fresh(inputs, key))
            if name == "count_waiting":  # counts only: it changes no agent
                totals[0] += out["waiting"].sum()
                changed += int((out["longest_wait"] > 0).sum())
                continue
            totals += out["events"]
            changed += int((out["status"] != inputs["status"]).sum())
    # the comparison is not vacuous: the kernel changed something and counted events
    assert changed > 0
    assert totals.sum() > 0


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
    for ev in (EV_DEPARTURES, EV_ARRIVALS, EV_SETTLED, EV_ROBBED, EV_STRANDED, EV_BOARDED,
               EV_LANDED, EV_ONWARD, EV_RESCUED, EV_INTERCEPTED, EV_PULLED_BACK, EV_REFOULED,
               EV_SCREENED_IN, EV_FORCED_OVERBOARD):  # fmt: skip
        assert totals[ev] > 0, ev
    assert totals[EV_DEAD_LAND] + totals[EV_MISSING_LAND] > 0
    assert totals[EV_DEAD_SEA] + totals[EV_MISSING_SEA] > 0


def test_travel_sees_a_closed_leg(recorded):
    """The model passes the day's closures, and agents whose next leg is closed drop their route
    (the branch the reference compares is exercised, not only present)."""
    model, by_kernel = recorded
    inland_haven = model.net.edge_ids.index("inland-haven")
    dropped = 0
    for inputs in by_kernel["travel"]:
        closed = inputs["edge_closed"]
        np.testing.assert_array_equal(closed, model.levers["closed"][inputs["day"]])
        assert closed[inland_haven] == (17 <= inputs["day"] < 23)
        assert closed.sum() == closed[inland_haven]  # no other leg is closed
        out = fresh(inputs, inputs["key"])
        travel(**out)
        dropped += int(
            ((inputs["route"] >= 0) & (out["route"] == -1) & (out["status"] == IN_TRANSIT)).sum()
        )
    assert dropped > 0


def test_model_passes_the_documented_daily_earnings(recorded):
    """travel's ``earnings[status]``: origin_savings at origin, stranded_earnings when stranded."""
    model, by_kernel = recorded
    hz = model.scenario.behaviour.hazards
    expected = np.zeros(N_STATUS)
    expected[AT_ORIGIN] = hz.origin_savings
    expected[STRANDED] = hz.stranded_earnings
    for inputs in by_kernel["travel"]:
        np.testing.assert_array_equal(inputs["earnings"], expected)
        assert inputs["missing_share"] == hz.missing_share_land
    sea = model.scenario.behaviour.sea
    for inputs in by_kernel["passengers"]:
        assert inputs["missing_share"] == hz.missing_share_sea
        assert inputs["loss_if_sunk"] == sea.loss_if_sunk
        assert inputs["loss_if_rescued"] == sea.loss_if_rescued
        assert inputs["loss_if_intercepted"] == sea.loss_if_intercepted
        assert inputs["standoff_hazard"] == sea.standoff_daily_hazard
        assert inputs["forced_loss"] == sea.forced_overboard_loss
        assert inputs["sensitivity"] == sea.screening_sensitivity
        assert inputs["pullback_loss"] == sea.pullback_resource_loss
        np.testing.assert_array_equal(inputs["screening"], [1.0])  # one zone, screening on


def test_settle_is_first_come_first_served(recorded):
    """With fewer free places than waiting agents, the lowest agent ids get the places."""
    model, by_kernel = recorded
    inputs = by_kernel["settle"][-1]  # the last day, with places freed
    haven = model.net.index["haven"]
    waiting = np.flatnonzero((inputs["status"] == ARRIVED) & (inputs["node"] == haven))
    free = int(inputs["capacity"][haven] - inputs["occupancy"][haven])
    assert 0 < free < waiting.size
    args = fresh(inputs, inputs["key"])
    settle(**args)
    settled_now = np.flatnonzero((args["status"] == SETTLED) & (inputs["status"] == ARRIVED))
    np.testing.assert_array_equal(settled_now, waiting[:free])
    assert args["occupancy"][haven] == inputs["capacity"][haven]


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
