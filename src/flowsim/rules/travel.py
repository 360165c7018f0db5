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

from numba import njit

from flowsim.network import SEA
from flowsim.population import Status
from flowsim.rng import uniform
from flowsim.rules import EV_ARRIVALS, EV_DEAD_LAND, EV_MISSING_LAND, EV_ROBBED, EV_STRANDED

IN_TRANSIT = int(Status.IN_TRANSIT)
WAITING_TO_CROSS = int(Status.WAITING_TO_CROSS)
STRANDED = int(Status.STRANDED)
ARRIVED = int(Status.ARRIVED)
DEAD = int(Status.DEAD)
MISSING = int(Status.MISSING)


@njit(cache=True)
def reach_node(
    i, day, e, status, status_day, node, edge, route, route_pos, legs, first_arrival_node,
    edge_dst, route_edge_ptr, node_arrivals, events,
):  # fmt: skip
    """Agent ``i`` has completed leg ``e`` and stands at its end node."""
    n = edge_dst[e]
    node[i] = n
    edge[i] = -1
    route_pos[i] += 1
    if legs[i] < 255:
        legs[i] += 1
    r = route[i]
    if route_pos[i] >= route_edge_ptr[r + 1] - route_edge_ptr[r]:
        status[i] = ARRIVED  # the route stays until registration has read how they came
        status_day[i] = day
        if first_arrival_node[i] < 0:
            first_arrival_node[i] = n
        node_arrivals[n] += 1
        events[EV_ARRIVALS] += 1
    elif status[i] != IN_TRANSIT:
        status[i] = IN_TRANSIT
        status_day[i] = day


@njit(cache=True)
def lose(
    i, day, u, missing_share, status, status_day, edge, days_left, route, events, ev_dead, ev_missing,
):  # fmt: skip
    """Agent ``i`` is lost on the way: missing with probability ``missing_share``, else dead.

    It leaves its leg and route; ``node`` keeps the start node of the leg where it was lost."""
    edge[i] = -1
    days_left[i] = 0
    route[i] = -1
    if u < missing_share:
        status[i] = MISSING
        events[ev_missing] += 1
    else:
        status[i] = DEAD
        events[ev_dead] += 1
    status_day[i] = day


@njit(cache=True)
def travel(
    day, key, status, status_day, node, edge, days_left, route, route_pos, legs,
    first_arrival_node, resources,
    edge_dst, edge_mode, edge_days, edge_cost, edge_hazard, edge_robbery,
    route_edge_ptr, route_edges, edge_closed,
    robbery_loss, missing_share, earnings, edge_flow, node_arrivals, events,
):  # fmt: skip
    """``earnings[status]`` is what an agent in that status earns or saves a day (see model)."""
    for i in range(status.shape[0]):
        s = status[i]
        # one add for everyone instead of a branch per status: mixed statuses mispredict branches
        resources[i] += earnings[s]
        if s != IN_TRANSIT:
            continue
        e = edge[i]
        if e >= 0:
            days_left[i] -= 1
            if days_left[i] > 0:
                continue
            if uniform(key, i, 0) < edge_hazard[e]:
                lose(i, day, uniform(key, i, 1), missing_share, status, status_day, edge,
                     days_left, route, events, EV_DEAD_LAND, EV_MISSING_LAND)  # fmt: skip
                continue
            if uniform(key, i, 2) < edge_robbery[e]:
                resources[i] *= 1.0 - robbery_loss
                events[EV_ROBBED] += 1
            reach_node(
                i, day, e, status, status_day, node, edge, route, route_pos, legs,
                first_arrival_node, edge_dst, route_edge_ptr, node_arrivals, events,
            )  # fmt: skip
            if status[i] != IN_TRANSIT:
                continue
        r = route[i]
        if r < 0:
            continue  # route choice decides tomorrow
        nxt = route_edges[route_edge_ptr[r] + route_pos[i]]
        if edge_closed[nxt]:
            route[i] = -1  # the way ahead is closed today: choose again tomorrow
        elif edge_mode[nxt] == SEA:
            status[i] = WAITING_TO_CROSS
            status_day[i] = day
        elif resources[i] < edge_cost[nxt]:
            status[i] = STRANDED
            status_day[i] = day
            route[i] = -1
            events[EV_STRANDED] += 1
        else:
            resources[i] -= edge_cost[nxt]
            edge[i] = nxt
            days_left[i] = edge_days[nxt]
            edge_flow[nxt] += 1
