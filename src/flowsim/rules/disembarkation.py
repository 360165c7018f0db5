"""Disembarkation of rescued people at a place of safety (seeds/001:757, 001:788).

A rescued boat's people wait aboard the rescue vessel for ``policy.disembarkation.delay_days`` of
its sea zone (fixed on the day of the rescue), each facing ``standoff_daily_hazard`` a day, and are
brought ashore at the leg's far end the day after the stand-off ends. People who land by
themselves come ashore there too.

**Disembarkation sharing** (10-Point Plan point 1; a duty to cooperate in finding a place of
safety, seeds/001:786-792; disembarkation agreements, seeds/002:3272).
``policy.disembarkation.shares`` [zone>country] is the agreed share of the people rescued in a sea
zone who are brought ashore in that country. On the day a rescued boat disembarks, each person
aboard draws once (counter-based, ``sea_crossing.Draw.SHARE``) a landing country by the zone's
shares of that day; with the rest of the probability (1 − the zone's total) it lands where it
would without sharing. A person whose drawn country is that of the leg's far end comes ashore
there as without sharing (and goes on along its route); one drawn to another country comes
ashore at that country's landing node (:func:`landing_nodes`) and has arrived there: it registers
there the same day like any arrival (its claim and place in that country), its route only read by
registration. Both count as disembarked under sharing (event ``disembarked_shared``; by landing
country in ``Disembarkation.shared_by_country``). People who land by themselves, and survivors of
a boat lost at sea, are not shared. Unset (all shares 0), nobody draws a country and the run is
as without the lever.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from flowsim.boats import Boats, BoatState, Fate
from flowsim.events import Event
from flowsim.network import SEA
from flowsim.population import Status, set_status
from flowsim.rules import Mechanism
from flowsim.rules.travel import reach_node


class Disembarkation(Mechanism):
    """Acts inside the sea crossing's day: the stand-off of rescued boats (:meth:`step`), the
    delay a rescue fixes (``policy.disembarkation.delay_days``), and people coming ashore
    (:func:`disembark`, in the passenger kernel), by the agreed shares of their zone
    (``policy.disembarkation.shares``)."""

    LEVERS = {
        "delay_days": "policy.disembarkation.delay_days",
        "disembarkation_shares": "policy.disembarkation.shares",
    }

    def __init__(self, model) -> None:
        super().__init__(model)
        net = model.net
        n_z, n_c = len(net.zone_ids), len(net.country_ids)
        shares = model.levers["disembarkation_shares"].reshape(model.days, n_z, n_c)
        self.cumulative = np.cumsum(shares, axis=2)  # [day, zone, country]
        self.landing = landing_nodes(net)  # [zone, country]
        self.shared_by_country = np.zeros(n_c, np.int64)  # people disembarked under sharing

    def step(self, model, day: int, rescued: np.ndarray) -> None:
        stand_off(model.boats, rescued)


def landing_nodes(net) -> np.ndarray:
    """[zone, country] the node where people rescued in the zone and shared to the country come
    ashore: the country's first node (in node order) that ends a sea leg of the zone, else one
    that ends any sea leg, else its first node (-1 for a country without nodes)."""
    n_z, n_c = len(net.zone_ids), len(net.country_ids)
    out = np.full((n_z, n_c), -1, np.int64)
    sea = np.flatnonzero(net.edge_mode == SEA)
    for z in range(n_z):
        in_zone = {int(net.edge_dst[e]) for e in sea if net.edge_zone[e] == z}
        any_sea = {int(net.edge_dst[e]) for e in sea}
        for ends in (in_zone, any_sea, None):
            for n in range(net.n_nodes):
                c = net.node_country[n]
                if out[z, c] < 0 and (ends is None or n in ends):
                    out[z, c] = n
    return out


def stand_off(boats: Boats, rescued: np.ndarray) -> None:
    """Advance the stand-off of boats carrying rescued people; disembark those whose wait is over."""
    done = boats.standoff_left[rescued] <= 0
    ashore, waiting = rescued[done], rescued[~done]
    boats.fate[ashore] = Fate.DISEMBARKED
    boats.outcome[ashore] = Fate.DISEMBARKED
    boats.state[ashore] = BoatState.DONE
    boats.fate[waiting] = Fate.STANDOFF
    boats.standoff_left[waiting] -= 1


@njit(cache=True)
def shared_country(u, cumulative):
    """The landing country a person rescued in a zone draws with uniform ``u`` from the zone's
    cumulative shares (by country); -1: no sharing for it (it lands where it would)."""
    for c in range(cumulative.shape[0]):
        if u < cumulative[c]:
            return c
    return -1


@njit(cache=True)
def disembark(i, day, e, journey, edge_dst, route_edge_ptr, arrivals, events):
    """Agent ``i`` comes ashore at the far end of sea leg ``e``."""
    events[Event.SEA_ARRIVALS] += 1
    reach_node(i, day, e, journey, edge_dst, route_edge_ptr, arrivals, events)


@njit(cache=True)
def disembark_shared(
    i, day, e, c, landing, node_country, journey, edge_dst, route_edge_ptr, arrivals, events,
    shared_by_country,
):  # fmt: skip
    """Agent ``i``, rescued on sea leg ``e``, comes ashore in country ``c`` under disembarkation
    sharing (``landing``: the zone's landing node by country): at the leg's far end if that is
    in ``c``, else at ``c``'s landing node, where it has arrived."""
    events[Event.DISEMBARKED_SHARED] += 1
    shared_by_country[c] += 1
    if node_country[edge_dst[e]] == c or landing[c] < 0:
        disembark(i, day, e, journey, edge_dst, route_edge_ptr, arrivals, events)
        return
    j, n = journey, landing[c]
    events[Event.SEA_ARRIVALS] += 1
    j.node[i] = n
    j.edge[i] = -1
    j.days_left[i] = 0
    set_status(j, i, Status.ARRIVED, day)  # the route stays until registration reads it
    arrivals[n] += 1
    events[Event.ARRIVALS] += 1
