"""Smugglers and boats: when boats leave an embarkation hub, what boats, how full, at what price.

Each day, for each sea leg with people waiting at its hub (seeds/002:90, 001:433):

- **Launch**: smugglers launch only when the waiting fill ``min_load`` of a typical boat, or someone
  has waited ``max_wait_days``; then with probability
  ``launch_probability * (1 - launch_enforcement * enforcement) / weather[month]`` (rough seas keep
  boats ashore; a month with weather <= 1 leaves it as it is) they launch as many boats as it
  takes to carry everyone waiting.
- **Boats**: each boat's type is drawn from the leg's ``boat_types`` mix. Smugglers adapt
  (``smugglers.adapt``, a switch): with s = ``adapt_strength * max(enforcement, rescue expected)``,
  where rescue expected = capacity / (capacity + 1) in the leg's sea zone, a share s of boats are of
  the leg's flimsiest type (highest distress) and boats are loaded s/2 fuller. Load is
  ``capacity * overload * (1 + s/2)`` people (in agents: capacity / persons_per_agent).
- **Price**: the fare is ``cost * price_factor(type) * (1 + price_enforcement * enforcement)``,
  paid on boarding; smugglers' revenue is the sum of fares.
- **Boarding** (kernel): waiting agents take places on their leg's boats in agent order; one who
  cannot pay for the next boat with room takes a cheaper one of that leg with room, if any, and
  is stranded at the hub if there is none. Smugglers do not launch a last boat that would be
  less than ``min_load`` full: those people wait for the next launch.

Route choice sees enforcement too: :func:`perceived_edges` raises the cost of sea legs from a hub
by the price multiplier and their perceived risk by ``1 + risk_enforcement * enforcement``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from flowsim.boats import Boats, BoatState
from flowsim.population import Status
from flowsim.rules import EV_BOARDED, EV_STRANDED

WAITING_TO_CROSS = int(Status.WAITING_TO_CROSS)
AT_SEA = int(Status.AT_SEA)
STRANDED = int(Status.STRANDED)


@njit(cache=True)
def count_waiting(day, status, status_day, route, route_pos, route_edge_ptr, route_edges,
                  waiting, longest_wait):  # fmt: skip
    """People waiting for each sea leg, and the longest any of them has waited (days)."""
    waiting[:] = 0
    longest_wait[:] = 0
    for i in range(status.shape[0]):
        if status[i] != WAITING_TO_CROSS:
            continue
        e = route_edges[route_edge_ptr[route[i]] + route_pos[i]]
        waiting[e] += 1
        wait = day - status_day[i]
        if wait > longest_wait[e]:
            longest_wait[e] = wait


def adaptation(sm, enforcement: float, rescue_capacity: float) -> float:
    """Share s by which smugglers shift to flimsier, fuller boats (0 when adaptation is off)."""
    if not sm.adapt:
        return 0.0
    rescue_expected = rescue_capacity / (rescue_capacity + 1.0)
    return sm.adapt_strength * max(enforcement, rescue_expected)


def fare_multiplier(sm, enforcement: np.ndarray | float):
    return 1.0 + sm.price_enforcement * enforcement


def launch(
    boats: Boats, net, sea, sm, day: int, month: int, waiting: np.ndarray,
    longest_wait: np.ndarray, enforcement: np.ndarray, rescue_capacity: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Launch today's boats; returns, per edge, the first and one-past-last boat launched."""
    first = np.full(net.n_edges, -1, np.int64)
    last = np.full(net.n_edges, -1, np.int64)
    weather = sea.weather[month]
    for e in net.sea_edges:
        n_wait = int(waiting[e])
        if n_wait == 0:
            continue
        hub, zone = int(net.edge_src[e]), int(net.edge_zone[e])
        mix = net.edge_boat_mix[e]
        typical = float(mix @ net.type_capacity) * sea.overload
        if n_wait < sea.min_load * typical and longest_wait[e] < sea.max_wait_days:
            continue
        p = sea.launch_probability * (1.0 - sm.launch_enforcement * enforcement[hub])
        if weather > 1.0:
            p /= weather  # rough seas keep boats ashore; calm ones add nothing
        if rng.random() >= p:
            continue
        s = adaptation(sm, enforcement[hub], rescue_capacity[zone])
        flimsiest = int(np.argmax(np.where(mix > 0, net.type_distress, -1.0)))
        weights = (1.0 - s) * mix
        weights[flimsiest] += s
        rooms_by_type = np.maximum(
            1, np.round(net.type_capacity * sea.overload * (1.0 + s / 2)).astype(np.int64)
        )
        # enough boats for everyone even if all were the smallest allowed type; keep what is needed
        enough = -(-n_wait // int(rooms_by_type[weights > 0].min()))
        types = rng.choice(len(weights), size=enough, p=weights / weights.sum())
        rooms = rooms_by_type[types]
        keep = int(np.searchsorted(np.cumsum(rooms), n_wait)) + 1
        left_for_last = n_wait - int(rooms[: keep - 1].sum())
        if keep > 1 and left_for_last < sea.min_load * rooms[keep - 1]:
            keep -= 1  # too few for one more boat: they wait for the next launch
        types, rooms = types[:keep], rooms[:keep]
        fare = (
            net.edge_cost[e] * net.type_price_factor[types] * fare_multiplier(sm, enforcement[hub])
        )
        rows = boats.add(
            len(types), edge=e, hub=hub, zone=zone, type=types, room=rooms, passengers=0,
            depart_day=day, days_left=net.edge_days[e], state=int(BoatState.SAILING),
            fare=fare,
        )  # fmt: skip
        first[e], last[e] = rows.start, rows.stop
    return first, last


@njit(cache=True)
def board(
    day, status, status_day, edge, days_left, route, route_pos, boat, resources,
    route_edge_ptr, route_edges, edge_days, first, last, room, passengers, fare,
    edge_flow, revenue, events,
):  # fmt: skip
    """Waiting agents take places on today's boats of their leg, in agent order, and pay."""
    nxt = first.copy()
    cheapest = np.full(first.shape[0], np.inf)  # lowest fare of each leg's boats today
    for e in range(first.shape[0]):
        for b in range(max(first[e], 0), last[e]):
            cheapest[e] = min(cheapest[e], fare[b])
    for i in range(status.shape[0]):
        if status[i] != WAITING_TO_CROSS:
            continue
        e = route_edges[route_edge_ptr[route[i]] + route_pos[i]]
        b = nxt[e]
        while b >= 0 and b < last[e] and room[b] == 0:
            b += 1
        nxt[e] = b
        if b < 0 or b >= last[e]:
            continue  # no boat for this leg today
        if fare[b] > resources[i] >= cheapest[e]:
            # a cheaper boat of the same leg with room today, if there is one
            for c in range(b + 1, last[e]):
                if room[c] > 0 and fare[c] <= resources[i]:
                    b = c
                    break
        if resources[i] < fare[b]:
            status[i] = STRANDED
            status_day[i] = day
            route[i] = -1
            events[EV_STRANDED] += 1
            continue
        resources[i] -= fare[b]
        revenue[0] += fare[b]
        room[b] -= 1
        passengers[b] += 1
        status[i] = AT_SEA
        status_day[i] = day
        edge[i] = e
        boat[i] = b
        days_left[i] = edge_days[e]
        edge_flow[e] += 1
        events[EV_BOARDED] += 1


def perceived_edges(net, sm, enforcement: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edge cost and perceived hazard as route choice sees them under today's enforcement."""
    cost = net.edge_cost.copy()
    hazard = net.edge_hazard.copy()
    sea = net.sea_edges
    level = enforcement[net.edge_src[sea]]
    mean_price = net.edge_boat_mix[sea] @ net.type_price_factor
    cost[sea] = net.edge_cost[sea] * mean_price * fare_multiplier(sm, level)
    hazard[sea] = np.minimum(1.0, net.edge_hazard[sea] * (1.0 + sm.risk_enforcement * level))
    return cost, hazard
