"""Travel over land (and air) legs, with the hazards of the way.

Each day an agent on a leg comes one day closer to its end. On reaching the end of a leg it faces
the leg's hazard once (death; a share of those lost are never found and counted missing) and its
robbery probability (robbers take ``robbery_loss`` of its resources). An agent at a node with a
route then starts its next leg the same day, paying the leg's cost: a sea leg makes it wait for a
boat (see ``sea_crossing``); a leg it cannot pay for leaves it stranded. Stranded agents earn
``stranded_earnings`` a day until they can afford a route again (route choice retries daily), and
people at their origin who could not yet afford to leave save ``origin_savings`` a day. An agent
whose next leg is closed today (``policy.closures.closed``) drops its route and chooses again the
next day, when routes through closed legs are out of reach.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

import numpy as np
from numba import njit

from flowsim.events import Event
from flowsim.network import SEA
from flowsim.population import N_STATUS, Status, lowest_bit, set_status
from flowsim.rng import Rule, uniform
from flowsim.rules import Mechanism, params_of


class HazardParams(NamedTuple):
    """``[behaviour.hazards]``."""

    robbery_loss: float  # share of resources robbers take
    missing_share_land: float  # share of those lost on land who are never found
    missing_share_sea: float  # ... at sea
    stranded_earnings: float  # USD a day
    origin_savings: float  # USD a day


class Draw(IntEnum):
    """Travel's draws per agent (``uniform(key, agent, Draw.X)``)."""

    HAZARD = 0
    MISSING = 1
    ROBBERY = 2


class Travel(Mechanism):
    LEVERS = {"closed": "policy.closures.closed"}

    def __init__(self, model) -> None:
        super().__init__(model)
        self.params = params_of(HazardParams, model.scenario.behaviour.hazards)
        self.earnings = np.zeros(N_STATUS)  # money earned or saved a day, by status
        self.earnings[Status.AT_ORIGIN] = self.params.origin_savings
        self.earnings[Status.STRANDED] = self.params.stranded_earnings

    def step(self, model, day: int) -> None:
        perceived = model.route_choice.perceive(model, day)
        travel(day, model.keys(Rule.TRAVEL, day), model.pop.agents(), model.net.arrays(),
               perceived.edge_cost, perceived.edge_robbery, model.levers["closed"][day],
               self.params, self.earnings, model.tally)  # fmt: skip


@njit(cache=True)
def reach_node(i, day, e, agents, net, tally):
    """Agent ``i`` has completed leg ``e`` and stands at its end node."""
    a = agents
    n = net.edge_dst[e]
    a.node[i] = n
    a.edge[i] = -1
    a.route_pos[i] += 1
    if a.legs[i] < 255:
        a.legs[i] += 1
    r = a.route[i]
    if a.route_pos[i] >= net.route_edge_ptr[r + 1] - net.route_edge_ptr[r]:
        set_status(a, i, Status.ARRIVED, day)  # the route stays until registration reads it
        if a.first_arrival_node[i] < 0:
            a.first_arrival_node[i] = n
        tally.arrivals[n] += 1
        tally.events[Event.ARRIVALS] += 1
    elif a.status[i] != Status.IN_TRANSIT:
        set_status(a, i, Status.IN_TRANSIT, day)


@njit(cache=True)
def lose(i, day, u, missing_share, agents, events, ev_dead, ev_missing):
    """Agent ``i`` is lost on the way: missing with probability ``missing_share``, else dead.

    It leaves its leg and route; ``node`` keeps the start node of the leg where it was lost."""
    a = agents
    a.edge[i] = -1
    a.days_left[i] = 0
    a.route[i] = -1
    if u < missing_share:
        set_status(a, i, Status.MISSING, day)
        events[ev_missing] += 1
    else:
        set_status(a, i, Status.DEAD, day)
        events[ev_dead] += 1


@njit(cache=True)
def travel(day, key, agents, net, edge_cost, edge_robbery, closed, params, earnings, tally):
    """People in transit travel; ``earnings[status]`` is what one at its origin or stranded
    earns or saves a day."""
    a, p, events, m = agents, params, tally.events, agents.members
    for w in range(a.changed.shape[0]):
        bits = m[Status.AT_ORIGIN, w] | m[Status.STRANDED, w] | m[Status.IN_TRANSIT, w]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            s = a.status[i]
            a.resources[i] += earnings[s]
            if s != Status.IN_TRANSIT:
                continue
            e = a.edge[i]
            if e >= 0:
                a.days_left[i] -= 1
                if a.days_left[i] > 0:
                    continue
                if uniform(key, i, Draw.HAZARD) < net.edge_hazard[e]:
                    lose(i, day, uniform(key, i, Draw.MISSING), p.missing_share_land, a, events,
                         Event.DEAD_LAND, Event.MISSING_LAND)  # fmt: skip
                    continue
                if uniform(key, i, Draw.ROBBERY) < edge_robbery[e]:
                    a.resources[i] = float(a.resources[i]) * (1.0 - p.robbery_loss)
                    events[Event.ROBBERIES] += 1
                reach_node(i, day, e, a, net, tally)
                if a.status[i] != Status.IN_TRANSIT:
                    continue
            r = a.route[i]
            if r < 0:
                continue  # route choice decides tomorrow
            nxt = net.route_edges[net.route_edge_ptr[r] + a.route_pos[i]]
            if closed[nxt]:
                a.route[i] = -1  # the way ahead is closed today: choose again tomorrow
            elif net.edge_mode[nxt] == SEA:
                set_status(a, i, Status.WAITING_TO_CROSS, day)
            elif a.resources[i] < edge_cost[nxt]:
                set_status(a, i, Status.STRANDED, day)
                a.route[i] = -1
                events[Event.STRANDINGS] += 1
            else:
                a.resources[i] -= edge_cost[nxt]
                a.edge[i] = nxt
                a.days_left[i] = net.edge_days[nxt]
                tally.edge_flow[nxt] += 1
