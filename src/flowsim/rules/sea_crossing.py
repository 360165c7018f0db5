"""Sea crossing (simple version; the sea issue replaces it with boats, interception and rescue).

An agent waiting at an embarkation node boards with ``boat_daily_probability`` a day, paying the sea
leg's cost (one who can no longer pay is stranded). At sea it comes one day closer to the far shore
each day; at the end of the leg it faces the leg's hazard once. Of those lost at sea a share
``missing_share`` is never found (missing), the rest are found dead.
"""

from numba import njit

from flowsim.population import Status
from flowsim.rng import uniform
from flowsim.rules import EV_BOARDED, EV_DEAD_SEA, EV_LANDED, EV_MISSING_SEA, EV_STRANDED
from flowsim.rules.travel import lose, reach_node

WAITING_TO_CROSS = int(Status.WAITING_TO_CROSS)
AT_SEA = int(Status.AT_SEA)
STRANDED = int(Status.STRANDED)


@njit(cache=True)
def cross(
    day, key, status, status_day, node, edge, days_left, route, route_pos, legs,
    first_arrival_node, resources,
    edge_dst, edge_days, edge_cost, edge_hazard, route_edge_ptr, route_edges,
    boat_probability, missing_share, edge_flow, node_arrivals, events,
):  # fmt: skip
    for i in range(status.shape[0]):
        s = status[i]
        if s == WAITING_TO_CROSS:
            if uniform(key, i, 0) >= boat_probability:
                continue
            e = route_edges[route_edge_ptr[route[i]] + route_pos[i]]
            if resources[i] < edge_cost[e]:
                status[i] = STRANDED
                status_day[i] = day
                route[i] = -1
                events[EV_STRANDED] += 1
                continue
            resources[i] -= edge_cost[e]
            status[i] = AT_SEA
            status_day[i] = day
            edge[i] = e
            days_left[i] = edge_days[e]
            edge_flow[e] += 1
            events[EV_BOARDED] += 1
        elif s == AT_SEA:
            days_left[i] -= 1
            if days_left[i] > 0:
                continue
            e = edge[i]
            if uniform(key, i, 1) < edge_hazard[e]:
                lose(i, day, uniform(key, i, 2), missing_share, status, status_day, edge,
                     days_left, route, events, EV_DEAD_SEA, EV_MISSING_SEA)  # fmt: skip
                continue
            events[EV_LANDED] += 1
            reach_node(
                i, day, e, status, status_day, node, edge, route, route_pos, legs,
                first_arrival_node, edge_dst, route_edge_ptr, node_arrivals, events,
            )  # fmt: skip
