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

from flowsim.beliefs import believed
from flowsim.events import Event
from flowsim.network import SEA, hub_hazards, irregular_routes, route_totals
from flowsim.population import Aware, Flag, Status, lowest_bit, set_status
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
        edge_cost = np.where(free & net.edge_smuggler, net.edge_cost * (1 - legal.smuggler_markup),
                             net.edge_cost)  # fmt: skip
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
        choose_routes(day, model.keys(Rule.ROUTE_CHOICE, day), model.pop.agents(),
                      model.net.arrays(), model.beliefs.state(), self.perceive(model, day),
                      self.params, self.unknown_discount, model.tally)  # fmt: skip


@njit(cache=True)
def route_utility(
    r, motive, tie, resources, risk_tolerance, risk, attract_factor,
    route_dest, route_days, route_cost, node_attract,
    w_attr, w_risk, w_cost, w_days, tie_bonus,
):  # fmt: skip
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
def believed_risk(i, r, route_land_risk, route_hub, route_sea_factor, alpha, beta):
    """Agent ``i``'s believed risk of route ``r``."""
    h = route_hub[r]
    if h < 0:
        return route_land_risk[r]
    sea = min(1.0, believed(alpha[i, h], beta[i, h]) * route_sea_factor[r])
    return 1.0 - (1.0 - route_land_risk[r]) * (1.0 - sea)


@njit(cache=True)
def choose_routes(day, key, agents, net, beliefs, perceived, params, unknown_discount, tally):
    """Everyone who must decide today (among the members of at_origin, stranded and in_transit)
    chooses a route, or stays."""
    a, pr, b, p, events = agents, perceived, beliefs, params, tally.events
    m = a.members
    for w in range(a.changed.shape[0]):
        bits = m[Status.AT_ORIGIN, w] | m[Status.STRANDED, w] | m[Status.IN_TRANSIT, w]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            s = a.status[i]
            if s == Status.IN_TRANSIT and (a.edge[i] >= 0 or a.route[i] >= 0):
                continue
            n = a.node[i]
            best = -1
            best_u = -1e300
            # the cheapest route from here is out of reach: skip scoring (most waiting agents)
            first = (
                net.route_ptr[n + 1] if a.resources[i] < pr.node_min_cost[n] else net.route_ptr[n]
            )
            for r in range(first, net.route_ptr[n + 1]):
                if pr.route_cost[r] > a.resources[i]:
                    continue
                risk = believed_risk(i, r, pr.route_land_risk, pr.route_hub, pr.route_sea_factor,
                                     b.alpha, b.beta)  # fmt: skip
                k = net.node_destination[net.route_dest[r]]
                factor = 1.0 - p.w_welcome * (1.0 - believed(b.good[i, k], b.bad[i, k]))
                if pr.node_is_asylum[net.route_dest[r]] and not a.aware[i] & Aware.PROTECTION:
                    factor *= 1.0 - unknown_discount
                u = route_utility(
                    r, a.motive[i], a.tie[i], a.resources[i], a.risk_tolerance[i], risk, factor,
                    net.route_dest, net.route_days, pr.route_cost, pr.node_attract,
                    p.w_attractiveness, p.w_risk, p.w_cost, p.w_days, p.tie_bonus,
                )  # fmt: skip
                if p.noise > 0.0:
                    u += p.noise * gumbel(key, i, r)
                if u > best_u:
                    best_u = u
                    best = r
            if best >= 0 and s == Status.AT_ORIGIN and best_u < p.stay_utility:
                if not a.flags[i] & Flag.DETERRED:
                    a.flags[i] |= Flag.DETERRED
                    events[Event.DEPARTURES_DETERRED] += 1
                continue
            if best < 0:
                if s == Status.IN_TRANSIT and net.node_is_destination[n]:
                    set_status(a, i, Status.ARRIVED, day)
                elif s == Status.IN_TRANSIT:
                    set_status(a, i, Status.STRANDED, day)
                    events[Event.STRANDINGS] += 1
                continue
            a.route[i] = best
            a.route_pos[i] = 0
            a.destination[i] = net.route_dest[best]
            if s == Status.AT_ORIGIN:
                a.departure_day[i] = day
                events[Event.DEPARTURES] += 1
            if s != Status.IN_TRANSIT:
                set_status(a, i, Status.IN_TRANSIT, day)
