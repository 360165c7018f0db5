"""What follows a pull-back: detention in the departure country, then release (10-Point Plan
point 3; seeds/000:154-156, seeds/002:1224, 002:1367, 002:2065).

A share ``policy.pullback.detention`` of the people pulled back to an embarkation hub is taken
to detention there (``interception.pull_back``: status detained_after_pullback, event
detained_after_pullback). Each later day, for each detainee at hub h, in this order:

- death, with probability ``behaviour.pullback.daily_hazard`` x (1 - ``policy.pullback.conditions``
  at h): found dead (events dead_detention and dead_land: a death on land, in the departure country);
- extortion: a share ``daily_extortion`` x (1 - conditions) of its resources is taken;
- release, with probability 1 / ``policy.pullback.days`` at h (a mean stay of that many days).
  A released person is returned home (status returned_voluntary at its origin, event
  returned_home_after_pullback) with probability ``policy.pullback.release_home``; else moved back
  to a transit country with ``release_transit`` (in transit with no route at the start of a land
  leg into the hub, another country's if there is one; event moved_back_to_transit); else released
  at the hub (in transit, no route; event released_to_try_again). The last two choose a route
  again the next day: with what extortion left them they may be stranded and save again before
  they try the sea again (seeds/002:2065). People returned home may leave again like anyone
  returned (``returns.remigrate``: ``policy.return.reintegration`` lowers it). Someone with an
  unknown origin (placed on the way at the start) cannot be returned home and is released at
  the hub instead. Home and transit are taken in that order, so their shares add up to at most 1.

Every later boarding by someone pulled back before is a re-attempt (event re_attempts, counted
by ``smuggling``).
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

import numpy as np
from numba import njit

from flowsim.events import Event
from flowsim.network import SEA
from flowsim.population import Status, lowest_bit, set_status
from flowsim.rng import Rule, uniform
from flowsim.rules import Mechanism, params_of


class PullbackParams(NamedTuple):
    """``[behaviour.pullback]``."""

    daily_hazard: float  # daily death probability in detention at conditions 0
    daily_extortion: float  # share of resources extorted a day at conditions 0


class HoldLevers(NamedTuple):
    """Today's levers of detention after a pull-back, by node (read at hubs)."""

    days: np.ndarray
    conditions: np.ndarray
    release_home: np.ndarray
    release_transit: np.ndarray


class Draw(IntEnum):
    HAZARD = 0
    RELEASE = 1
    WHERE = 2


class PullbackDetention(Mechanism):
    """Detainees after a pull-back: hazard, extortion, release (:meth:`step`, after the sea)."""

    LEVERS = {
        "pullback_detention": "policy.pullback.detention",
        "pullback_days": "policy.pullback.days",
        "pullback_conditions": "policy.pullback.conditions",
        "release_home": "policy.pullback.release_home",
        "release_transit": "policy.pullback.release_transit",
    }

    def __init__(self, model) -> None:
        super().__init__(model)
        self.params = params_of(PullbackParams, model.scenario.behaviour.pullback)
        self.back_node = back_nodes(model.net)

    def step(self, model, day: int) -> None:
        lv = model.levers
        today = HoldLevers(
            days=lv["pullback_days"][day],
            conditions=lv["pullback_conditions"][day],
            release_home=lv["release_home"][day],
            release_transit=lv["release_transit"][day],
        )
        hold(
            day,
            model.keys(Rule.PULLBACK, day),
            model.pop.agents(),
            self.back_node,
            today,
            self.params,
            model.tally,
        )


def back_nodes(net) -> np.ndarray:
    """For each node, where people released from detention there are moved back to: the start
    of the first land (or air) leg into it whose start is in another country; failing that, of
    its first land leg; failing that, the node itself."""
    out = np.arange(net.n_nodes, dtype=np.int64)
    for n in range(net.n_nodes):
        into = [e for e in range(net.n_edges) if net.edge_dst[e] == n and net.edge_mode[e] != SEA]
        abroad = [e for e in into if net.node_country[net.edge_src[e]] != net.node_country[n]]
        if abroad or into:
            out[n] = net.edge_src[(abroad or into)[0]]
    return out


@njit(cache=True)
def hold(day, key, agents, back_node, levers, params, tally):
    """A day in detention after a pull-back for everyone detained before today."""
    a, lv, p, events = agents, levers, params, tally.events
    for w in range(a.changed.shape[0]):
        bits = a.members[w, Status.DETAINED_AFTER_PULLBACK]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            if a.status_day[i] == day:
                continue  # detained today
            h = a.node[i]
            harsh = 1.0 - lv.conditions[h]
            if uniform(key, i, Draw.HAZARD) < p.daily_hazard * harsh:
                set_status(a, i, Status.DEAD, day)
                events[Event.DEAD_LAND] += 1  # a death on land, in the departure country
                events[Event.DEAD_DETENTION] += 1
                continue
            a.resources[i] = float(a.resources[i]) * (1.0 - p.daily_extortion * harsh)
            if uniform(key, i, Draw.RELEASE) >= 1.0 / max(lv.days[h], 1.0):
                continue
            u = uniform(key, i, Draw.WHERE)
            home = lv.release_home[h]
            if u < home and a.origin[i] >= 0:
                a.node[i] = a.origin[i]
                set_status(a, i, Status.RETURNED_VOLUNTARY, day)
                events[Event.RETURNED_HOME_AFTER_PULLBACK] += 1
            elif home <= u < home + lv.release_transit[h]:
                a.node[i] = back_node[h]
                set_status(a, i, Status.IN_TRANSIT, day)
                events[Event.MOVED_BACK_TO_TRANSIT] += 1
            else:
                set_status(a, i, Status.IN_TRANSIT, day)
                events[Event.RELEASED_TO_TRY_AGAIN] += 1
