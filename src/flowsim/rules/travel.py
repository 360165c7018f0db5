"""Travel over land (and air) legs, with the hazards of the way.

Each day an agent on a leg comes one day closer to its end. On reaching the end of a leg it faces
the leg's hazard once (death; a share of those lost are never found and counted missing) and its
robbery probability (robbers take ``robbery_loss`` of its resources). An agent at a node with a
route then starts its next leg the same day, paying the leg's cost: a sea leg makes it wait for a
boat (see ``sea_crossing``); a leg it cannot pay for leaves it stranded. Stranded agents earn
``stranded_earnings`` a day until they can afford a route again (route choice retries daily), and
people at their origin who could not yet afford to leave save ``origin_savings`` a day. An agent
whose next leg is closed today (``policy.closures.closed``) drops its route and chooses again the
next day, when routes through closed legs are out of reach. With
``behaviour.route_choice.transit_move_chance`` below 1, an agent at a node on the way (not the
start of its route) sets off on its next land leg only with that chance a day, else stays there
today (Flee's ``default_movechance`` at towns; 1, the default, sets off at once).
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

import numpy as np
from numba import njit

from flowsim import chunks
from flowsim.events import N_EVENTS, Event
from flowsim.network import SEA
from flowsim.population import CHUNK_WORDS, N_STATUS, Status, journey, lowest_bit, move, set_status
from flowsim.rng import Rule, uniform
from flowsim.rules import Mechanism, params_of


class TravelParams(NamedTuple):
    """``[behaviour.hazards]`` and ``[behaviour.travel]``."""

    robbery_loss: float  # share of resources robbers take
    missing_share_land: float  # share of those lost on land who are never found
    missing_share_sea: float  # ... at sea
    stranded_earnings: float  # USD a day
    origin_savings: float  # USD a day
    transit_move_chance: float  # daily chance of setting off from a node on the way
    day_km: float  # km a day on legs of known length, chained within a day; <= 0: leg days


class HazardFields(NamedTuple):
    """The fields of ``TravelParams`` read from ``[behaviour.hazards]``."""

    robbery_loss: float
    missing_share_land: float
    missing_share_sea: float
    stranded_earnings: float
    origin_savings: float


class Draw(IntEnum):
    """Travel's draws per agent (``uniform(key, agent, Draw.X)``)."""

    HAZARD = 0
    MISSING = 1
    ROBBERY = 2
    DWELL = 3


N_DRAWS = 4  # the draws of the k-th leg ended on one day are Draw.X + N_DRAWS * k


class Travel(Mechanism):
    LEVERS = {"closed": "policy.closures.closed"}

    def __init__(self, model) -> None:
        super().__init__(model)
        behaviour = model.scenario.behaviour
        hazards = params_of(HazardFields, behaviour.hazards)
        travel = behaviour.travel
        self.params = TravelParams(
            *hazards,
            transit_move_chance=travel.transit_move_chance,
            day_km=travel.day_km if travel.day_km is not None else 0.0,
        )
        net = model.net
        self.edge_km = np.array(  # 0 where the length is unknown: the leg takes its days
            [
                model.graph.edges[net.node_ids[a], net.node_ids[b]]["distance_km"]
                for a, b in zip(net.edge_src, net.edge_dst, strict=True)
            ],
            float,
        )
        self.earnings = np.zeros(N_STATUS)  # money earned or saved a day, by status
        self.earnings[Status.AT_ORIGIN] = self.params.origin_savings
        self.earnings[Status.STRANDED] = self.params.stranded_earnings

    def step(self, model, day: int) -> None:
        perceived = model.route_choice.perceive(model, day)
        agents, tally = model.pop.agents(), model.tally
        n = chunks.n_chunks(agents.changed.shape[0])
        counts = np.zeros((n, N_EVENTS), np.int64)
        flows = np.zeros((n, tally.edge_flow.shape[0]), np.int64)
        arrivals = np.zeros((n, tally.arrivals.shape[0]), np.int64)
        chunks.run(
            travel,
            n,
            day,
            model.keys(Rule.TRAVEL, day),
            agents,
            model.net.arrays(),
            perceived.edge_cost,
            perceived.edge_robbery,
            model.levers["closed"][day],
            self.edge_km,
            self.params,
            self.earnings,
            counts,
            flows,
            arrivals,
        )
        tally.events[:] += counts.sum(axis=0)
        tally.edge_flow[:] += flows.sum(axis=0)
        tally.arrivals[:] += arrivals.sum(axis=0)


@njit(cache=True)
def reach_node(i, day, e, journey, edge_dst, route_edge_ptr, arrivals, events):
    """Agent ``i`` has completed leg ``e`` and stands at its end node (``journey``:
    ``population.Journey``)."""
    j = journey
    n = edge_dst[e]
    j.node[i] = n
    j.edge[i] = -1
    j.days_left[i] = 0
    j.route_pos[i] += 1
    r = j.route[i]
    if j.route_pos[i] >= route_edge_ptr[r + 1] - route_edge_ptr[r]:
        set_status(j, i, Status.ARRIVED, day)  # the route stays until registration reads it
        arrivals[n] += 1
        events[Event.ARRIVALS] += 1
    elif j.status[i] != Status.IN_TRANSIT:
        set_status(j, i, Status.IN_TRANSIT, day)


@njit(cache=True)
def lose(i, day, u, missing_share, journey, events, ev_dead, ev_missing):
    """Agent ``i`` is lost on the way: missing with probability ``missing_share``, else dead.

    It leaves its leg and route; ``node`` keeps the start node of the leg where it was lost."""
    j = journey
    j.edge[i] = -1
    j.days_left[i] = 0
    j.route[i] = -1
    if u < missing_share:
        set_status(j, i, Status.MISSING, day)
        events[ev_missing] += 1
    else:
        set_status(j, i, Status.DEAD, day)
        events[ev_dead] += 1


@njit(cache=True, inline="always")
def chained(e, edge_km, day_km):
    """Leg ``e`` is travelled by distance, several a day (``day_km`` set, the length known)."""
    return day_km > 0.0 and edge_km[e] > 0.0


@njit(cache=True, inline="always")
def end_leg(i, day, key, hop, e, resources, edge_hazard, edge_robbery, edge_dst, route_edge_ptr, p,
            j, events, arrived):  # fmt: skip
    """Agent ``i`` comes to the end of land leg ``e`` (the ``hop``-th ended today): the leg's
    hazard, then its robbers; True if it stands, alive, at the end node. (It takes the arrays
    it needs, not the whole population: a call per agent must not pass dozens of arrays.)"""
    if uniform(key, i, Draw.HAZARD + N_DRAWS * hop) < edge_hazard[e]:
        lose(i, day, uniform(key, i, Draw.MISSING + N_DRAWS * hop), p.missing_share_land, j,
             events, Event.DEAD_LAND, Event.MISSING_LAND)  # fmt: skip
        return False
    if uniform(key, i, Draw.ROBBERY + N_DRAWS * hop) < edge_robbery[e]:
        resources[i] = float(resources[i]) * (1.0 - p.robbery_loss)
        events[Event.ROBBERIES] += 1
    reach_node(i, day, e, j, edge_dst, route_edge_ptr, arrived, events)
    return True


@njit(cache=True, nogil=True)
def travel(
    first,
    last,
    step,
    day,
    key,
    agents,
    net,
    edge_cost,
    edge_robbery,
    closed,
    edge_km,
    params,
    earnings,
    counts,
    flows,
    arrivals,
):
    """People in transit travel (chunks ``first, first + step, ...`` below ``last`` of the agents, see
    ``flowsim.chunks``); ``earnings[status]`` is what one at its origin or stranded earns or
    saves a day. Events, flows on legs and arrivals at nodes are counted by chunk."""
    status, status_day, members, changed = (
        agents.status,
        agents.status_day,
        agents.members,
        (agents.changed),
    )
    edge, days_left, route, route_pos = (
        agents.edge,
        agents.days_left,
        agents.route,
        (agents.route_pos),
    )
    resources = agents.resources
    route_edges, route_edge_ptr = net.route_edges, net.route_edge_ptr
    edge_hazard, edge_dst = net.edge_hazard, net.edge_dst
    edge_mode, edge_days = net.edge_mode, net.edge_days
    p = params
    words = changed.shape[0]
    j = journey(agents)
    for chunk in range(first, last, step):
        events, flow, arrived = counts[chunk], flows[chunk], arrivals[chunk]
        for w in range(chunk * CHUNK_WORDS, min(words, (chunk + 1) * CHUNK_WORDS)):
            bits = (
                members[w, Status.AT_ORIGIN]
                | members[w, Status.STRANDED]
                | members[w, Status.IN_TRANSIT]
            )
            while bits:
                i = w * 64 + lowest_bit(bits)
                bits &= bits - np.uint64(1)
                s = status[i]
                resources[i] += earnings[s]
                if s != Status.IN_TRANSIT:
                    continue
                e = edge[i]
                moved = 0.0  # km covered today (with day_km set)
                hop = 0  # legs ended today
                if e >= 0:
                    days_left[i] -= 1
                    if days_left[i] > 0:
                        continue
                    if not end_leg(i, day, key, hop, e, resources, edge_hazard, edge_robbery, edge_dst,
                                   route_edge_ptr, p, j, events,
                                   arrived):  # fmt: skip
                        continue
                    if chained(e, edge_km, p.day_km):
                        moved = edge_km[e] % p.day_km  # Flee: the last day's part of the leg
                    hop += 1
                while status[i] == Status.IN_TRANSIT:
                    r = route[i]
                    if r < 0:
                        break  # route choice decides tomorrow
                    nxt = route_edges[route_edge_ptr[r] + route_pos[i]]
                    if closed[nxt]:
                        route[i] = -1  # the way ahead is closed today: choose again tomorrow
                        break
                    if edge_mode[nxt] == SEA:
                        move(status, status_day, members, changed, i, Status.WAITING_TO_CROSS, day)
                        break
                    if (
                        route_pos[i] > 0
                        and p.transit_move_chance < 1.0
                        and uniform(key, i, Draw.DWELL + N_DRAWS * hop) >= p.transit_move_chance
                    ):
                        break  # stays at this node on the way today; sets off another day
                    if resources[i] < edge_cost[nxt]:
                        move(status, status_day, members, changed, i, Status.STRANDED, day)
                        route[i] = -1
                        events[Event.STRANDINGS] += 1
                        break
                    resources[i] -= edge_cost[nxt]
                    edge[i] = nxt
                    flow[nxt] += 1
                    if not chained(nxt, edge_km, p.day_km):
                        days_left[i] = edge_days[nxt]
                        break
                    whole_days = np.int64(edge_km[nxt] // p.day_km)
                    if moved >= p.day_km or whole_days > 0:
                        # on the way today if the day is not over: a day's travel done
                        days_left[i] = whole_days + (1 if moved >= p.day_km else 0)
                        break
                    moved += edge_km[nxt]  # a short leg, ended today
                    if not end_leg(i, day, key, hop, nxt, resources, edge_hazard, edge_robbery,
                                   edge_dst, route_edge_ptr, p, j, events,
                                   arrived):  # fmt: skip
                        break
                    hop += 1
