"""Arrival and settling at destinations with capacity.

An agent that has reached the end of its route (status arrived) gets a place if the node has room
(capacity in persons, ``None`` for unlimited; places go in agent order, first come first served).
One without a place waits; each day it moves on with ``onward_probability``: it is back in transit
at that node and route choice picks a new route the next day (an onward move, kept in its history).
"""

from numba import njit

from flowsim.population import Status
from flowsim.rng import uniform
from flowsim.rules import EV_ONWARD, EV_SETTLED

IN_TRANSIT = int(Status.IN_TRANSIT)
ARRIVED = int(Status.ARRIVED)
SETTLED = int(Status.SETTLED)


@njit(cache=True)
def settle(
    day, key, status, status_day, node, route, onward_moves, occupancy, capacity,
    onward_probability, events,
):  # fmt: skip
    for i in range(status.shape[0]):
        if status[i] != ARRIVED:
            continue
        n = node[i]
        if occupancy[n] + 1.0 <= capacity[n]:
            occupancy[n] += 1.0
            status[i] = SETTLED
            status_day[i] = day
            events[EV_SETTLED] += 1
        elif uniform(key, i, 0) < onward_probability:
            status[i] = IN_TRANSIT
            status_day[i] = day
            route[i] = -1
            if onward_moves[i] < 255:
                onward_moves[i] += 1
            events[EV_ONWARD] += 1
