"""Return of people found not in need of protection, and re-migration (10-Point Plan point 9;
seeds/001:707-714, seeds/003, seeds/002:1568, 002:2065).

Each day, in this order:

- Forced return. A country can return ``policy.return.forced_capacity`` people a day (fractions
  carried over): finally rejected people in detention first, then other finally rejected people,
  then people in irregular stay, each in agent order. A return to the origin goes ahead with the
  origin's ``policy.return.origin_cooperation``; if it cannot, and the country the person came
  through (the start of its last sea leg, or of its last leg) readmits with
  ``policy.readmission.agreements``, the person is deported into that transit country instead:
  in transit there, with no route, so it may cross again with smugglers (seeds/002:2065). A
  return that goes ahead uses a place; one that cannot does not.
- Assisted voluntary return. A finally rejected person not in detention takes it with probability
  ``behaviour.returns.avr_rate`` x ``policy.return.avr_support`` (x ``counselled_factor`` after
  return counselling at profiling): returned_voluntary at the origin.
- Absconding. A finally rejected person not in detention who has not returned leaves for
  irregular stay with probability ``abscond_rate`` (irregular_stay, at the same node).
- Regularization. A person in irregular stay is regularized with the daily equivalent of the
  country's yearly ``policy.legal.regularization`` share (regularized, absorbing).
- Re-migration. A returned person (voluntary or forced) leaves again with probability
  ``remigration_rate`` x (1 - ``policy.return.reintegration``) x (1 - safety / 2) at its origin
  (seeds/001:807: reintegration prevents "recycling"; seeds/002:1568): in transit at the origin,
  no route; route choice takes it from there.

People with an unknown origin (met on the way at the start) cannot be returned there.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

import numpy as np
from numba import njit

from flowsim.events import Event
from flowsim.population import (
    OUT_OF_SYSTEM,
    Claim,
    Referral,
    Status,
    case,
    lowest_bit,
    set_status,
)
from flowsim.rng import Rule, uniform
from flowsim.rules import Mechanism, keep_fraction, params_of


class ReturnsParams(NamedTuple):
    """``[behaviour.returns]``: return, absconding and re-migration."""

    avr_rate: float  # daily uptake of assisted voluntary return at full support
    counselled_factor: float  # uptake x this after counselling
    abscond_rate: float  # daily, rejected people who leave for irregular stay
    remigration_rate: float  # daily, returned people without reintegration support


class ReturnLevers(NamedTuple):
    """Today's levers of returns: by country, or by origin node."""

    cooperation: np.ndarray  # [node] origin's cooperation on forced returns
    agreements: np.ndarray  # [country] readmission
    avr_support: np.ndarray  # [country]
    regularization: np.ndarray  # [country] share a year
    reintegration: np.ndarray  # [node]
    safety: np.ndarray  # [node]


class Draw(IntEnum):
    RETURN_ACCEPTED = 0
    TRANSIT_READMITS = 1
    VOLUNTARY = 2
    ABSCONDS = 3
    REGULARIZED = 4
    REMIGRATES = 5


class Returns(Mechanism):
    LEVERS = {
        "forced_capacity": "policy.return.forced_capacity",
        "origin_cooperation": "policy.return.origin_cooperation",
        "agreements": "policy.readmission.agreements",
        "avr_support": "policy.return.avr_support",
        "regularization": "policy.legal.regularization",
        "reintegration": "policy.return.reintegration",
        "safety": "policy.origin.safety",
    }

    def __init__(self, model) -> None:
        super().__init__(model)
        self.params = params_of(ReturnsParams, model.scenario.behaviour.returns)
        self.credit = np.zeros(len(model.net.country_ids))  # forced returns carried over

    def step(self, model, day: int) -> None:
        """The rejected: forced and voluntary return, absconding; regularization; re-migration."""
        a, net, lv = model.pop.agents(), model.net.arrays(), model.levers
        key = model.keys(Rule.RETURNS, day)
        today = ReturnLevers(
            cooperation=lv["origin_cooperation"][day],
            agreements=lv["agreements"][day],
            avr_support=lv["avr_support"][day],
            regularization=lv["regularization"][day],
            reintegration=lv["reintegration"][day],
            safety=lv["safety"][day],
        )
        self.credit += lv["forced_capacity"][day]
        forced_returns(day, key, a, net, self.credit, today, model.tally)
        keep_fraction(self.credit)
        voluntary_returns(day, key, a, net, today, self.params, model.tally)
        remigrate(day, key, a, today, self.params, model.tally)


@njit(cache=True)
def leave(i, day, new_status, where, case):
    """Agent ``i`` leaves the country's protection system for ``where`` with ``new_status``
    (``case``: ``population.Case``)."""
    c = case
    c.node[i] = where
    set_status(c, i, new_status, day)
    c.flags[i] &= OUT_OF_SYSTEM
    c.claim[i] = Claim.NONE
    c.claim_day[i] = -1
    if c.returns[i] < 255:
        c.returns[i] += 1


@njit(cache=True)
def forced_returns(day, key, agents, net, places, levers, tally):
    """Forced returns into today's places per country (``places`` is decremented)."""
    a, lv, events = agents, levers, tally.events
    if not (places >= 1.0).any():
        return  # no return possible today
    for stage in (Status.DETAINED, Status.REJECTED, Status.IRREGULAR_STAY):  # in this order
        for w in range(a.changed.shape[0]):
            bits = a.members[w, stage]
            while bits:
                i = w * 64 + lowest_bit(bits)
                bits &= bits - np.uint64(1)
                if stage == Status.DETAINED and a.claim[i] != Claim.REJECTED:
                    continue
                c = net.node_country[a.node[i]]
                if places[c] < 1.0:
                    continue
                o = a.origin[i]
                if o >= 0 and uniform(key, i, Draw.RETURN_ACCEPTED) < lv.cooperation[o]:
                    places[c] -= 1.0
                    leave(i, day, Status.RETURNED_FORCED, o, case(a))
                    events[Event.RETURNS_FORCED] += 1
                    continue
                t = a.entry_from[i]
                if (
                    t >= 0
                    and net.node_country[t] != c
                    and uniform(key, i, Draw.TRANSIT_READMITS) < lv.agreements[net.node_country[t]]
                ):
                    places[c] -= 1.0
                    leave(i, day, Status.IN_TRANSIT, t, case(a))
                    events[Event.RETURNED_TO_TRANSIT] += 1


@njit(cache=True)
def voluntary_returns(day, key, agents, net, levers, params, tally):
    """Assisted voluntary return or absconding of the rejected; regularization."""
    a, lv, p, events = agents, levers, params, tally.events
    for w in range(a.changed.shape[0]):
        bits = a.members[w, Status.REJECTED] | a.members[w, Status.IRREGULAR_STAY]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            st = a.status[i]
            c = net.node_country[a.node[i]]
            if st == Status.REJECTED:
                prob = p.avr_rate * lv.avr_support[c]
                if a.referral[i] == Referral.COUNSELLING:
                    prob = min(1.0, prob * p.counselled_factor)
                if a.origin[i] >= 0 and uniform(key, i, Draw.VOLUNTARY) < prob:
                    leave(i, day, Status.RETURNED_VOLUNTARY, a.origin[i], case(a))
                    events[Event.RETURNS_VOLUNTARY] += 1
                elif uniform(key, i, Draw.ABSCONDS) < p.abscond_rate:
                    set_status(a, i, Status.IRREGULAR_STAY, day)
                    a.flags[i] &= OUT_OF_SYSTEM
                    a.claim[i] = Claim.NONE
                    a.claim_day[i] = -1
                    events[Event.IRREGULAR_STAYS] += 1
            elif st == Status.IRREGULAR_STAY and uniform(key, i, Draw.REGULARIZED) < 1.0 - (
                1.0 - lv.regularization[c]
            ) ** (1.0 / 365.0):
                set_status(a, i, Status.REGULARIZED, day)
                events[Event.REGULARIZATIONS] += 1


@njit(cache=True)
def remigrate(day, key, agents, levers, params, tally):
    """Returned people leave their origin again."""
    a, lv, m = agents, levers, agents.members
    for w in range(a.changed.shape[0]):
        bits = m[w, Status.RETURNED_VOLUNTARY] | m[w, Status.RETURNED_FORCED]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            n = a.node[i]
            prob = (
                params.remigration_rate * (1.0 - lv.reintegration[n]) * (1.0 - 0.5 * lv.safety[n])
            )
            if uniform(key, i, Draw.REMIGRATES) < prob:
                set_status(a, i, Status.IN_TRANSIT, day)
                a.route[i] = -1
                tally.events[Event.RE_MIGRATIONS] += 1
