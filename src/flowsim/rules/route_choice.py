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
"""

from numba import njit

from flowsim.beliefs import believed
from flowsim.population import DETERRED, PROTECTION_KNOWN, Status
from flowsim.rng import gumbel
from flowsim.rules import EV_DEPARTURES, EV_DETERRED, EV_STRANDED

AT_ORIGIN = int(Status.AT_ORIGIN)
IN_TRANSIT = int(Status.IN_TRANSIT)
STRANDED = int(Status.STRANDED)
ARRIVED = int(Status.ARRIVED)


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


@njit(cache=True)
def believed_risk(i, r, route_land_risk, route_hub, route_sea_factor, alpha, beta):
    """Agent ``i``'s believed risk of route ``r``."""
    h = route_hub[r]
    if h < 0:
        return route_land_risk[r]
    sea = min(1.0, believed(alpha[i, h], beta[i, h]) * route_sea_factor[r])
    return 1.0 - (1.0 - route_land_risk[r]) * (1.0 - sea)


@njit(cache=True)
def choose_routes(
    day, key, status, status_day, node, edge, route, route_pos, destination, departure_day,
    motive, tie, resources, risk_tolerance, flags, aware,
    route_ptr, route_dest, route_days, route_cost, route_land_risk, route_hub, route_sea_factor,
    alpha, beta, node_min_cost, node_attract, node_is_destination, node_is_asylum,
    protection_unknown_discount, good, bad, dest_of_node, w_welcome, stay_utility,
    w_attr, w_risk, w_cost, w_days, tie_bonus, noise,
    events,
):  # fmt: skip
    for i in range(status.shape[0]):
        s = status[i]
        deciding = (
            s == AT_ORIGIN or s == STRANDED or (s == IN_TRANSIT and edge[i] < 0 and route[i] < 0)
        )
        if not deciding:
            continue
        n = node[i]
        best = -1
        best_u = -1e300
        # the cheapest route from here is out of reach: skip scoring (most waiting agents)
        first = route_ptr[n + 1] if resources[i] < node_min_cost[n] else route_ptr[n]
        for r in range(first, route_ptr[n + 1]):
            if route_cost[r] > resources[i]:
                continue
            risk = believed_risk(i, r, route_land_risk, route_hub, route_sea_factor, alpha, beta)
            k = dest_of_node[route_dest[r]]
            factor = 1.0 - w_welcome * (1.0 - believed(good[i, k], bad[i, k]))
            if node_is_asylum[route_dest[r]] and not aware[i] & PROTECTION_KNOWN:
                factor *= 1.0 - protection_unknown_discount
            u = route_utility(
                r, motive[i], tie[i], resources[i], risk_tolerance[i], risk, factor,
                route_dest, route_days, route_cost, node_attract,
                w_attr, w_risk, w_cost, w_days, tie_bonus,
            )  # fmt: skip
            if noise > 0.0:
                u += noise * gumbel(key, i, r)
            if u > best_u:
                best_u = u
                best = r
        if best >= 0 and s == AT_ORIGIN and best_u < stay_utility:
            if not flags[i] & DETERRED:
                flags[i] |= DETERRED
                events[EV_DETERRED] += 1
            continue
        if best < 0:
            if s == IN_TRANSIT and node_is_destination[n]:
                status[i] = ARRIVED
                status_day[i] = day
            elif s == IN_TRANSIT:
                status[i] = STRANDED
                status_day[i] = day
                events[EV_STRANDED] += 1
            continue
        route[i] = best
        route_pos[i] = 0
        destination[i] = route_dest[best]
        if s == AT_ORIGIN:
            departure_day[i] = day
            events[EV_DEPARTURES] += 1
        if s != IN_TRANSIT:
            status[i] = IN_TRANSIT
            status_day[i] = day
