"""Solutions for refugees (10-Point Plan point 7; seeds/001:652-660, seeds/002:1939, 002:3173).

The quality of protection at a node is the mean of the country's ``policy.integration.work_rights``
and ``freedom_of_movement`` and the node's ``policy.reception.conditions`` (0 to 1).
Each day a recognized refugee:

- repatriates voluntarily with probability ``behaviour.solutions.repatriation_rate`` times the
  safety of its origin (``policy.origin.safety``; never to an unknown origin): returned_voluntary
  at the origin (event repatriated);
- integrates locally with probability ``integration_rate`` times the quality of protection:
  integrated (absorbing; a place at a camp is given up).

Resettlement: each node offers ``policy.resettlement.quota`` / 365 places a day (fractions carried
over). The whole places in ``priority`` x today's places (fraction included) go first to the most
vulnerable
recognized refugees there (any vulnerability), in agent order; the rest to any recognized refugee
there, in agent order. Resettled people leave the network (status resettled, counted at the node
they left). A quota also makes the node more attractive to people choosing routes
(``resettlement_pull``, seeds/002:3173: "the prospect of resettlement ... can be a pull factor").
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

import numpy as np
from numba import njit

from flowsim.events import Event
from flowsim.population import OUT_OF_SYSTEM, Claim, Status, lowest_bit, set_status
from flowsim.rng import Rule, uniform
from flowsim.rules import Mechanism, keep_fraction, params_of


class SolutionsParams(NamedTuple):
    """``[behaviour.solutions]``: integration, repatriation and resettlement."""

    integration_rate: float  # daily, at full quality of protection
    repatriation_rate: float  # daily, when the origin is fully safe
    resettlement_pull: float  # attractiveness added by a large resettlement quota
    resettlement_half_quota: float  # quota giving half the pull (persons a year)


class Draw(IntEnum):
    REPATRIATES = 0
    INTEGRATES = 1


def protection_quality(model, day: int) -> np.ndarray:
    """Quality of protection per node: work rights, freedom of movement, conditions."""
    c, lv = model.net.node_country, model.levers
    return (
        lv["work_rights"][day][c] + lv["freedom_of_movement"][day][c] + lv["conditions"][day]
    ) / 3.0


class Solutions(Mechanism):
    """Recognized refugees: voluntary repatriation, local integration, resettlement."""

    LEVERS = {
        "work_rights": "policy.integration.work_rights",
        "freedom_of_movement": "policy.integration.freedom_of_movement",
        "conditions": "policy.reception.conditions",
        "safety": "policy.origin.safety",
        "resettlement_quota": "policy.resettlement.quota",
        "resettlement_priority": "policy.resettlement.priority",
    }

    def __init__(self, model) -> None:
        super().__init__(model)
        self.params = params_of(SolutionsParams, model.scenario.behaviour.solutions)
        self.credit = np.zeros(model.net.n_nodes)  # resettlement places carried over

    def step(self, model, day: int) -> None:
        a, lv = model.pop.agents(), model.levers
        settle_refugees(
            day,
            model.keys(Rule.SOLUTIONS, day),
            a,
            lv["safety"][day],
            protection_quality(model, day),
            self.params,
            model.tally,
        )
        self.credit += lv["resettlement_quota"][day] / 365.0
        resettle(day, a, self.credit, lv["resettlement_priority"][day], model.tally)
        keep_fraction(self.credit)


@njit(cache=True)
def settle_refugees(day, key, agents, safety, quality, params, tally):
    """Voluntary repatriation, then local integration, for today's recognized refugees."""
    a, p, events = agents, params, tally.events
    for w in range(a.changed.shape[0]):
        bits = a.members[w, Status.RECOGNIZED]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            o = a.origin[i]
            if o >= 0 and uniform(key, i, Draw.REPATRIATES) < p.repatriation_rate * safety[o]:
                a.node[i] = o
                set_status(a, i, Status.RETURNED_VOLUNTARY, day)
                a.flags[i] &= OUT_OF_SYSTEM
                a.claim[i] = Claim.NONE
                a.claim_day[i] = -1
                events[Event.REPATRIATED] += 1
            elif uniform(key, i, Draw.INTEGRATES) < p.integration_rate * quality[a.node[i]]:
                set_status(a, i, Status.INTEGRATED, day)
                a.flags[i] &= OUT_OF_SYSTEM
                events[Event.INTEGRATIONS] += 1


@njit(cache=True)
def resettle(day, agents, places, priority, tally):
    """Resettle recognized refugees into today's places per node (``places`` is decremented)."""
    a = agents
    first = places.copy()  # places for the most vulnerable first: the share, whole places
    for n in range(first.shape[0]):
        first[n] = np.floor(places[n] * priority[n]) if priority[n] > 0 else 0.0
    if not (places >= 1.0).any():
        return  # no place today
    for vulnerable_pass in (True, False):
        for w in range(a.changed.shape[0]):
            bits = a.members[w, Status.RECOGNIZED]
            while bits:
                i = w * 64 + lowest_bit(bits)
                bits &= bits - np.uint64(1)
                n = a.node[i]
                if places[n] < 1.0:
                    continue
                if vulnerable_pass and (first[n] < 1.0 or a.vulnerability[i] == 0):
                    continue
                if vulnerable_pass:
                    first[n] -= 1.0
                places[n] -= 1.0
                set_status(a, i, Status.RESETTLED, day)
                a.flags[i] &= OUT_OF_SYSTEM
                tally.events[Event.RESETTLEMENTS] += 1
