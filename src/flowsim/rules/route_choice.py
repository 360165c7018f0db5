"""Route choice: agents who must decide score the candidate routes from their node.

Utility of route r for agent i (random utility, the best route is taken):

    U = w_attractiveness * factor(i, r) * attract[dest(r), motive(i)]
        + tie_bonus * [dest(r) == tie(i)]
        - w_risk * (1 - risk_tolerance(i)) * risk(r, i)
        - w_cost * cost(r) / resources(i)
        - w_days * days(r)
        + noise * Gumbel

The risk is the agent's own belief (``flowsim.beliefs``, read from its pseudo-counts): 1 - (1 -
land risk of r) x (1 - sea risk), where the sea risk of r's first sea leg is the agent's believed
risk of its hub, times the leg's hazard relative to the hub's mean and the perceived effect of
enforcement at the hub (``route_sea_factor``); land risks are common knowledge. An agent who does
not know of the protection available in first asylum (``aware``) values first-asylum nodes'
attractiveness ``protection_unknown_discount`` lower, and every agent values a destination's
attractiveness ``w_welcome`` x (1 - its believed welcome there) lower (seeds/000:118).

A route whose total cost is more than the agent's resources is never taken. Agents deciding are
those at their origin, stranded, or at a node between legs with no route. With no affordable route,
an agent at its origin stays there (saving a little each day, see ``travel``), one moving on from
a destination waits there for a place again (status arrived), and one in transit becomes stranded.
An agent at its origin whose best route is worth less than ``stay_utility`` stays too, for today
(deterred: flag and event the first time).

Routes as people see them today (:meth:`RouteChoice.perceive`, recomputed when the levers they
depend on change): enforcement at a hub raises the fares and the perceived risk of its sea legs
(``smuggling.perceived_edges``, P1); a closed leg makes every route through it unaffordable;
free movement takes the smuggler's markup and the robbery off a leg and makes it regular
(``legal_channels``); a resettlement quota adds ``resettlement_pull`` x Q / (Q +
``resettlement_half_quota``) to a node's attractiveness for every motive (P10).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from flowsim import chunks
from flowsim.beliefs import MEAN_SCALE
from flowsim.events import N_EVENTS, Event
from flowsim.network import SEA, hub_hazards, irregular_routes, route_totals
from flowsim.population import (
    CHUNK_WORDS,
    RISK_TOLERANCE_STEPS,
    Aware,
    Flag,
    Status,
    lowest_bit,
    move,
)
from flowsim.rng import Rule, gumbel
from flowsim.rules import Mechanism, params_of
from flowsim.rules.smuggling import perceived_edges


class RouteChoiceParams(NamedTuple):
    """``[behaviour.route_choice]``."""

    w_attractiveness: float
    w_risk: float
    w_cost: float
    w_days: float
    tie_bonus: float
    noise: float
    stay_utility: float  # -inf when unset: nobody stays for want of a good enough route
    w_welcome: float
    routes_per_destination: int  # read when the network is compiled
    max_legs: int


class Perceived(NamedTuple):
    """The routes as people see them today (see the module docstring)."""

    edge_cost: np.ndarray  # [edge] what a leg costs to start (free movement: no markup)
    edge_robbery: np.ndarray  # [edge] robbery probability (free movement: none)
    route_irregular: np.ndarray  # [route] a sea leg, or a smuggled leg outside free movement
    route_cost: np.ndarray  # [route] perceived total cost (inf through a closed leg)
    route_land_risk: np.ndarray  # [route] risk of its land legs
    route_hub: np.ndarray  # [route] hub of its first sea leg, -1 if none
    route_sea_factor: np.ndarray  # [route] that leg's hazard relative to the hub's, x enforcement
    node_min_cost: np.ndarray  # [node] cost of the cheapest route from there
    node_attract: np.ndarray  # [node, motive] attractiveness with the resettlement pull
    node_is_asylum: np.ndarray  # [node] first asylum or camp


class RouteChoice(Mechanism):
    LEVERS = {
        "enforcement": "policy.enforcement.level",
        "closed": "policy.closures.closed",
        "free_movement": "policy.legal.free_movement",
        "resettlement_quota": "policy.resettlement.quota",
    }

    def __init__(self, model) -> None:
        super().__init__(model)
        self.params = params_of(RouteChoiceParams, model.scenario.behaviour.route_choice)
        self.unknown_discount = model.scenario.behaviour.information.protection_unknown_discount
        _, self.sea_rel = hub_hazards(model.net)
        self.node_is_asylum = np.array(
            [bool({"first_asylum", "camp"} & set(n.roles)) for n in model.scenario.nodes]
        )
        self._for: np.ndarray | None = None  # the levers ``perceived`` was computed for
        self.perceived: Perceived | None = None

    def perceive(self, model, day: int) -> Perceived:
        """Routes and destinations as agents see them today: enforcement (P1), closures, free
        movement (legs without smugglers) and resettlement prospects (P10)."""
        net, lv = model.net, model.levers
        level, closed, free = lv["enforcement"][day], lv["closed"][day], lv["free_movement"][day]
        quota = lv["resettlement_quota"][day]
        today = np.concatenate([level, closed, free, quota])
        if self._for is not None and np.array_equal(today, self._for):
            return self.perceived
        sc = model.scenario
        legal, sm, so = sc.behaviour.legal, sc.behaviour.smugglers, sc.behaviour.solutions
        edge_cost = np.where(
            free & net.edge_smuggler, net.edge_cost * (1 - legal.smuggler_markup), net.edge_cost
        )
        cost, _ = perceived_edges(net, sm, level)
        land = net.edge_mode != SEA
        cost[land] = edge_cost[land]
        cost[closed] = np.inf  # a closed leg makes every route through it unaffordable
        land_hazard = np.where(land, net.edge_hazard, 0.0)  # the sea is what people believe
        route_cost, route_land_risk, node_min_cost = route_totals(net, cost, land_hazard)
        e = net.route_sea_edge
        enforcement = 1.0 + sm.risk_enforcement * level[net.edge_src[e]]
        persons = quota * sc.simulation.persons_per_agent
        with np.errstate(invalid="ignore"):
            share = np.where(
                np.isinf(persons), 1.0, persons / (persons + so.resettlement_half_quota)
            )
        self.perceived = Perceived(
            edge_cost=edge_cost,
            edge_robbery=np.where(free, 0.0, net.edge_robbery),
            route_irregular=irregular_routes(net, free),
            route_cost=route_cost,
            route_land_risk=route_land_risk,
            route_hub=np.where(e >= 0, net.node_hub[net.edge_src[e]], -1).astype(np.int32),
            route_sea_factor=np.where(e >= 0, self.sea_rel[e] * enforcement, 0.0),
            node_min_cost=node_min_cost,
            node_attract=net.node_attract + (so.resettlement_pull * share)[:, None],
            node_is_asylum=self.node_is_asylum,
        )
        self._for = today
        return self.perceived

    def step(self, model, day: int) -> None:
        agents = model.pop.agents()
        n = chunks.n_chunks(agents.changed.shape[0])
        counts = np.zeros((n, N_EVENTS), np.int64)
        chunks.run(
            choose_routes,
            n,
            day,
            model.keys(Rule.ROUTE_CHOICE, day),
            agents,
            model.net.arrays(),
            model.beliefs.state(),
            self.perceive(model, day),
            self.params,
            self.unknown_discount,
            counts,
        )
        model.tally.events[:] += counts.sum(axis=0)


@njit(cache=True)
def route_utility(
    r,
    motive,
    tie,
    resources,
    risk_tolerance,
    risk,
    attract_factor,
    route_dest,
    route_days,
    route_cost,
    node_attract,
    w_attr,
    w_risk,
    w_cost,
    w_days,
    tie_bonus,
):
    """Deterministic part of the utility of route ``r`` for one agent who believes its risk is
    ``risk`` and values its destination at ``attract_factor`` of its attractiveness."""
    d = route_dest[r]
    u = w_attr * attract_factor * node_attract[d, motive]
    if d == tie:
        u += tie_bonus
    u -= w_risk * (1.0 - risk_tolerance) * risk
    u -= w_cost * route_cost[r] / max(resources, 1.0)
    u -= w_days * route_days[r]
    return u


@njit(cache=True, inline="always")
def believed_risk(i, r, route_land_risk, route_hub, route_sea_factor, risk_mean):
    """Agent ``i``'s believed risk of route ``r``."""
    h = route_hub[r]
    if h < 0:
        return route_land_risk[r]
    sea = min(1.0, risk_mean[i, h] / MEAN_SCALE * route_sea_factor[r])
    return 1.0 - (1.0 - route_land_risk[r]) * (1.0 - sea)


@njit(cache=True, nogil=True)
def choose_routes(
    first, last, step, day, key, agents, net, beliefs, perceived, params, unknown_discount, counts
):
    """Everyone who must decide today (among the members of at_origin, stranded and in_transit)
    chooses a route, or stays: chunks ``first, first + step, ...`` below ``last`` of them (``flowsim.chunks``),
    counting into their rows of ``counts``."""
    status, status_day, members, changed = (
        agents.status,
        agents.status_day,
        agents.members,
        (agents.changed),
    )
    node, edge, route, route_pos = agents.node, agents.edge, agents.route, agents.route_pos
    departure_day, flags = agents.departure_day, agents.flags
    motive, tie, resources, tolerance = (
        agents.motive,
        agents.tie,
        agents.resources,
        (agents.risk_tolerance),
    )
    aware = agents.aware
    route_ptr, route_dest, route_days = net.route_ptr, net.route_dest, net.route_days
    node_is_destination, node_destination = net.node_is_destination, net.node_destination
    risk_mean, welcome_mean = beliefs.risk_mean, beliefs.welcome_mean
    route_cost, land_risk, route_hub = (
        perceived.route_cost,
        perceived.route_land_risk,
        (perceived.route_hub),
    )
    sea_factor, node_min_cost = perceived.route_sea_factor, perceived.node_min_cost
    node_attract, node_is_asylum = perceived.node_attract, perceived.node_is_asylum
    p = params
    words = changed.shape[0]
    for chunk in range(first, last, step):
        events = counts[chunk]
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
                if s == Status.IN_TRANSIT and (edge[i] >= 0 or route[i] >= 0):
                    continue  # on a leg, or on its way
                n = node[i]
                best = -1
                best_u = -1e300
                # the cheapest route from here is out of reach: skip scoring (most who wait)
                first = route_ptr[n + 1] if resources[i] < node_min_cost[n] else route_ptr[n]
                for r in range(first, route_ptr[n + 1]):
                    if route_cost[r] > resources[i]:
                        continue
                    risk = believed_risk(i, r, land_risk, route_hub, sea_factor, risk_mean)
                    dest = route_dest[r]
                    welcome = welcome_mean[i, node_destination[dest]] / MEAN_SCALE
                    factor = 1.0 - p.w_welcome * (1.0 - welcome)
                    if node_is_asylum[dest] and not aware[i] & Aware.PROTECTION:
                        factor *= 1.0 - unknown_discount
                    u = route_utility(
                        r,
                        motive[i],
                        tie[i],
                        resources[i],
                        tolerance[i] / RISK_TOLERANCE_STEPS,
                        risk,
                        factor,
                        route_dest,
                        route_days,
                        route_cost,
                        node_attract,
                        p.w_attractiveness,
                        p.w_risk,
                        p.w_cost,
                        p.w_days,
                        p.tie_bonus,
                    )
                    if p.noise > 0.0:
                        u += p.noise * gumbel(key, i, r)
                    if u > best_u:
                        best_u = u
                        best = r
                if best >= 0 and s == Status.AT_ORIGIN and best_u < p.stay_utility:
                    if not flags[i] & Flag.DETERRED:
                        flags[i] |= Flag.DETERRED
                        events[Event.DEPARTURES_DETERRED] += 1
                    continue
                if best < 0:
                    if s == Status.IN_TRANSIT and node_is_destination[n]:
                        move(status, status_day, members, changed, i, Status.ARRIVED, day)
                    elif s == Status.IN_TRANSIT:
                        move(status, status_day, members, changed, i, Status.STRANDED, day)
                        events[Event.STRANDINGS] += 1
                    continue
                route[i] = best
                route_pos[i] = 0
                if s == Status.AT_ORIGIN:
                    departure_day[i] = day
                    events[Event.DEPARTURES] += 1
                if s != Status.IN_TRANSIT:
                    move(status, status_day, members, changed, i, Status.IN_TRANSIT, day)
