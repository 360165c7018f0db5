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
  less than ``min_load`` full: those people wait for the next launch. A boarding by someone
  pulled back before (flag pulled_back) is a re-attempt (event re_attempts).

Route choice sees enforcement too: :func:`perceived_edges` raises the cost of sea legs from a hub
by the price multiplier and their perceived risk by ``1 + risk_enforcement * enforcement``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from flowsim.boats import Boats, BoatState
from flowsim.events import Event
from flowsim.population import Flag, Status, lowest_bit, set_status
from flowsim.rng import Rule
from flowsim.rules import Mechanism, params_of


class SmugglerParams(NamedTuple):
    """``[behaviour.smugglers]``."""

    adapt: bool  # cheaper, flimsier, fuller boats under enforcement or rescue
    adapt_strength: float
    price_enforcement: float  # fare multiplier is 1 + this * enforcement level
    launch_enforcement: float  # launch probability multiplier is 1 - this * level
    risk_enforcement: float  # perceived risk multiplier is 1 + this * level


class Smuggling(Mechanism):
    """Smugglers launch boats from the hubs and the waiting board them."""

    LEVERS = {
        "enforcement": "policy.enforcement.level",
        "rescue_capacity": "policy.rescue.capacity",
    }

    def __init__(self, model) -> None:
        super().__init__(model)
        self.params = params_of(SmugglerParams, model.scenario.behaviour.smugglers)
        self.waiting = np.zeros(model.net.n_edges, np.int64)  # people waiting per sea leg
        self.longest_wait = np.zeros(model.net.n_edges, np.int64)  # days, per sea leg

    def step(self, model, day: int) -> None:
        net, boats, agents = model.net, model.boats, model.pop.agents()
        count_waiting(day, agents, net.arrays(), self.waiting, self.longest_wait)
        first, last = launch(
            boats,
            net,
            model.sea.params,
            self.params,
            day,
            model.sea.months[day],
            self.waiting,
            self.longest_wait,
            model.levers["enforcement"][day],
            model.levers["rescue_capacity"][day],
            np.random.default_rng(model.keys(Rule.SMUGGLING, day)),
        )
        if (last < 0).all():
            return
        boarded = np.empty((2, int(self.waiting.sum())), np.int64)  # agent, boat
        n = board(day, agents, net.arrays(), first, last, boats.fleet(), model.tally, boarded)
        boats.board(boarded[0, :n], boarded[1, :n])
        again = (agents.flags[boarded[0, :n]] & Flag.PULLED_BACK) > 0  # tried before
        model.tally.events[Event.RE_ATTEMPTS] += int(again.sum())
        today = np.arange(first[first >= 0].min(), last.max())  # launch adds them in a block
        empty = today[boats.passengers[today] == 0]
        boats.state[empty] = BoatState.DONE  # nobody could pay: the boat never leaves
        model.tally.events[Event.BOATS] += today.size - empty.size


@njit(cache=True)
def count_waiting(day, agents, net, waiting, longest_wait):
    """People waiting for each sea leg, and the longest any of them has waited (days)."""
    a = agents
    waiting[:] = 0
    longest_wait[:] = 0
    for w in range(a.changed.shape[0]):
        bits = a.members[w, Status.WAITING_TO_CROSS]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            e = net.route_edges[net.route_edge_ptr[a.route[i]] + a.route_pos[i]]
            waiting[e] += 1
            wait = day - a.status_day[i]
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
    boats: Boats,
    net,
    sea,
    sm,
    day: int,
    month: int,
    waiting: np.ndarray,
    longest_wait: np.ndarray,
    enforcement: np.ndarray,
    rescue_capacity: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
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
            len(types),
            edge=e,
            hub=hub,
            zone=zone,
            type=types,
            room=rooms,
            passengers=0,
            depart_day=day,
            days_left=net.edge_days[e],
            state=int(BoatState.SAILING),
            fare=fare,
        )
        first[e], last[e] = rows.start, rows.stop
    return first, last


@njit(cache=True)
def board(day, agents, net, first, last, fleet, tally, boarded):
    """Waiting agents take places on today's boats of their leg, in agent order, and pay; each
    who boards is written to ``boarded`` (agent, boat). Returns how many boarded."""
    a, f, events = agents, fleet, tally.events
    n = 0
    nxt = first.copy()
    cheapest = np.full(first.shape[0], np.inf)  # lowest fare of each leg's boats today
    for e in range(first.shape[0]):
        for b in range(max(first[e], 0), last[e]):
            cheapest[e] = min(cheapest[e], f.fare[b])
    for w in range(a.changed.shape[0]):
        bits = a.members[w, Status.WAITING_TO_CROSS]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            e = net.route_edges[net.route_edge_ptr[a.route[i]] + a.route_pos[i]]
            b = nxt[e]
            while b >= 0 and b < last[e] and f.room[b] == 0:
                b += 1
            nxt[e] = b
            if b < 0 or b >= last[e]:
                continue  # no boat for this leg today
            if f.fare[b] > a.resources[i] >= cheapest[e]:
                # a cheaper boat of the same leg with room today, if there is one
                for c in range(b + 1, last[e]):
                    if f.room[c] > 0 and f.fare[c] <= a.resources[i]:
                        b = c
                        break
            if a.resources[i] < f.fare[b]:
                set_status(a, i, Status.STRANDED, day)
                a.route[i] = -1
                events[Event.STRANDINGS] += 1
                continue
            a.resources[i] -= f.fare[b]
            tally.revenue[0] += f.fare[b]
            f.room[b] -= 1
            f.passengers[b] += 1
            set_status(a, i, Status.AT_SEA, day)
            a.edge[i] = e
            a.days_left[i] = net.edge_days[e]
            boarded[0, n] = i
            boarded[1, n] = b
            n += 1
            tally.edge_flow[e] += 1
            events[Event.SEA_ATTEMPTS] += 1
    return n


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
