"""The sea crossing: distress, rescue, loss of life, landing (seeds/001:725-836, 002:88-124).

Boats launched on day t sail from day t+1. Each day, for every boat still at sea, in this order:

1. Boats carrying rescued people advance their stand-off (see ``disembarkation``).
2. Sailing boats may be intercepted (see ``interception``).
3. A sailing boat falls into distress with the daily probability that makes its crossing
   probability ``min(1, distress(type) * weather[month] * (load / capacity) ** overload_exponent)``.
4. Rescue: in each sea zone, boats in distress are answered in random order while the zone's
   ``policy.rescue.capacity`` (boats a day; a fraction is a chance of one more) lasts. An answered
   boat is rescued if it is still afloat when help arrives: probability
   ``exp(-response_days / survival_days(type))``. Boats not rescued are lost: each person aboard is
   lost with ``loss_if_sunk``, the others reach the shore. A share ``missing_share_sea`` of those
   lost is never found (missing), the rest are found dead.
5. A sailing boat at the end of its crossing lands; with the leg's ``forced_overboard`` probability
   the smugglers first force its people into the sea offshore (seeds/002:90, 002:261), and each of
   them is lost with ``forced_overboard_loss``.

Boat-level draws come from a generator keyed by (seed, rule, day); the passenger kernel applies
each boat's fate to everyone aboard with counter-based draws.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from flowsim.boats import Boats, BoatState, Fate
from flowsim.population import Status
from flowsim.rng import uniform
from flowsim.rules import (
    EV_DEAD_SEA,
    EV_FORCED_OVERBOARD,
    EV_INTERCEPTED,
    EV_MISSING_SEA,
    EV_RESCUED,
)
from flowsim.rules.disembarkation import disembark, stand_off
from flowsim.rules.interception import intercepted, pull_back
from flowsim.rules.travel import lose

AT_SEA = int(Status.AT_SEA)
SAILING = int(BoatState.SAILING)
LOST, RESCUED, INTERCEPTED = int(Fate.LOST), int(Fate.RESCUED), int(Fate.INTERCEPTED)
LANDED, FORCED, DISEMBARKED, STANDOFF = (
    int(Fate.LANDED), int(Fate.FORCED), int(Fate.DISEMBARKED), int(Fate.STANDOFF)
)  # fmt: skip


def sail(
    boats: Boats, net, sea, day: int, month: int, interception_rate: np.ndarray,
    rescue_capacity: np.ndarray, response_days: np.ndarray, delay_days: np.ndarray,
    rng: np.random.Generator,
) -> None:  # fmt: skip
    """Set today's fate of every boat at sea (zone-indexed policy arrays for today)."""
    active = boats.active()
    boats.fate[active] = Fate.NONE
    state = boats.state[active]
    stand_off(boats, active[state == BoatState.RESCUED])
    sailing = active[(state == BoatState.SAILING) & (boats.depart_day[active] < day)]
    if sailing.size == 0:
        return
    days = net.edge_days[boats.edge[sailing]].astype(float)
    zone = boats.zone[sailing]

    caught = intercepted(days, interception_rate[zone], rng)
    _end(boats, sailing[caught], Fate.INTERCEPTED)
    sailing, days, zone = sailing[~caught], days[~caught], zone[~caught]

    t = boats.type[sailing]
    load = boats.passengers[sailing] / net.type_capacity[t]
    p_cross = np.minimum(
        1.0, net.type_distress[t] * sea.weather[month] * load**sea.overload_exponent
    )
    distress = rng.random(sailing.size) < 1.0 - (1.0 - p_cross) ** (1.0 / days)
    _rescue(boats, net, sailing[distress], rescue_capacity, response_days, delay_days, rng)

    going = sailing[~distress]
    boats.days_left[going] -= 1
    ashore = going[boats.days_left[going] <= 0]
    forced = rng.random(ashore.size) < net.edge_forced_overboard[boats.edge[ashore]]
    _end(boats, ashore[forced], Fate.FORCED)
    _end(boats, ashore[~forced], Fate.LANDED)


def _rescue(boats, net, distress, capacity, response_days, delay_days, rng) -> None:
    """Answer boats in distress zone by zone while capacity lasts; the rest are lost."""
    for z in np.unique(boats.zone[distress]):
        here = rng.permutation(distress[boats.zone[distress] == z])
        cap = capacity[z]
        answered = int(cap) + int(rng.random() < cap - int(cap))
        reached = here[:answered]
        in_time = rng.random(reached.size) < np.exp(
            -response_days[z] / net.type_survival_days[boats.type[reached]]
        )
        saved = reached[in_time]
        boats.state[saved] = BoatState.RESCUED
        boats.fate[saved] = Fate.RESCUED
        boats.standoff_left[saved] = int(round(delay_days[z]))
        _end(boats, np.concatenate([reached[~in_time], here[answered:]]), Fate.LOST)


def _end(boats: Boats, idx: np.ndarray, fate: Fate) -> None:
    boats.fate[idx] = fate
    boats.outcome[idx] = fate
    boats.state[idx] = BoatState.DONE


@njit(cache=True)
def passengers(
    day, key, status, status_day, node, edge, days_left, route, route_pos, legs,
    first_arrival_node, boat, resources, protection_need,
    boat_fate, boat_state, boat_days_left, boat_standoff_left, boat_hub, boat_zone,
    edge_dst, route_edge_ptr, screening, node_arrivals, events,
    missing_share, loss_if_sunk, loss_if_rescued, loss_if_intercepted, standoff_hazard,
    forced_loss, sensitivity, pullback_loss,
):  # fmt: skip
    """Apply each boat's fate today to everyone aboard."""
    for i in range(status.shape[0]):
        if status[i] != AT_SEA:
            continue
        b = boat[i]
        f = boat_fate[b]
        u = uniform(key, i, 0)
        lost_p = 0.0
        if f == LOST:
            lost_p = loss_if_sunk
        elif f == RESCUED:
            events[EV_RESCUED] += 1
            lost_p = loss_if_rescued
        elif f == STANDOFF:
            lost_p = standoff_hazard
        elif f == INTERCEPTED:
            events[EV_INTERCEPTED] += 1
            lost_p = loss_if_intercepted
        elif f == FORCED:
            events[EV_FORCED_OVERBOARD] += 1
            lost_p = forced_loss
        if u < lost_p:
            boat[i] = -1
            lose(i, day, uniform(key, i, 1), missing_share, status, status_day, edge,
                 days_left, route, events, EV_DEAD_SEA, EV_MISSING_SEA)  # fmt: skip
        elif f == INTERCEPTED:
            pull_back(i, day, uniform(key, i, 2), boat_hub[b], status, status_day, node, edge,
                      days_left, route, boat, resources, protection_need,
                      screening[boat_zone[b]], sensitivity, pullback_loss, events)  # fmt: skip
        elif f == LOST or f == LANDED or f == FORCED or f == DISEMBARKED:
            disembark(i, day, edge[i], status, status_day, node, edge, route, route_pos, legs,
                      first_arrival_node, boat, edge_dst, route_edge_ptr, node_arrivals,
                      events)  # fmt: skip
        elif boat_state[b] == SAILING:
            days_left[i] = max(boat_days_left[b], 1)
        else:
            days_left[i] = boat_standoff_left[b] + 1
