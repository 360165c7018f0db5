"""Secondary movement: people in the protection system move on (10-Point Plan point 8;
seeds/001:209-219, seeds/002:1939, 002:3143).

Each day asylum seekers, recognized refugees and destitute people re-evaluate. A person moves on
with probability ``behaviour.arrival.onward_probability`` x push, where push is

- 1 for the destitute (no place: reception was full);
- ``1 - conditions`` for people with a place, in reception or in procedure, plus
  ``wait_push`` x (days since the claim was lodged / 365, at most 1) while a claim is pending
  ("indefinite delays", seeds/002:3143);
- ``recognized_push`` x (1 - quality of protection) for recognized refugees (quality: the mean of
  work rights, freedom of movement and reception conditions; seeds/002:1939);

times 1 + ``tie_push`` if the person has family or diaspora at another node. Moving on abandons a
pending claim (a recognition is left behind too), frees the place and sends the person back to
route choice at that node, with smugglers if the routes need them. Every onward move of someone
who had reached a protection system is a secondary movement (event secondary_movements).

Only someone who can go somewhere moves on: a person whose resources do not cover the cheapest
route out of its node as routes are seen today (``route_choice.Perceived.node_min_cost``; a node
with no route out, or only closed ones, has none) stays as it was, with its place, claim and
registration. (Before issue 16 such a person left the system, found no route the next day, was
registered again on the spot and often lodged a new claim: docs/MODEL.md §7.6.6.)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from flowsim.events import Event
from flowsim.population import OUT_OF_SYSTEM, Claim, Flag, Status, lowest_bit, set_status
from flowsim.rng import Rule, uniform
from flowsim.rules import Mechanism, params_of
from flowsim.rules.solutions import protection_quality


class ArrivalParams(NamedTuple):
    """``[behaviour.arrival]``: onward (secondary) movement from a node."""

    onward_probability: float  # daily, for people without a place (see reception)
    wait_push: float  # extra push of a year's wait for a decision
    recognized_push: float  # push on recognized refugees per unit of missing quality
    tie_push: float  # extra push when family or diaspora is at another node


class SecondaryMovement(Mechanism):
    LEVERS = {
        "conditions": "policy.reception.conditions",
        "work_rights": "policy.integration.work_rights",
        "freedom_of_movement": "policy.integration.freedom_of_movement",
    }

    def __init__(self, model) -> None:
        super().__init__(model)
        self.params = params_of(ArrivalParams, model.scenario.behaviour.arrival)

    def step(self, model, day: int) -> None:
        move_on(
            day,
            model.keys(Rule.ARRIVAL, day),
            model.pop.agents(),
            model.levers["conditions"][day],
            protection_quality(model, day),
            model.route_choice.perceive(model, day).node_min_cost,
            self.params,
            model.tally,
        )


@njit(cache=True)
def push(status, days_waiting, conditions, quality, wait_push, recognized_push):
    """How strongly one person's situation pushes it on (0 = not at all)."""
    if status == Status.DESTITUTE:
        return 1.0
    if status == Status.IN_RECEPTION:
        return 1.0 - conditions
    if status == Status.IN_PROCEDURE:
        return 1.0 - conditions + wait_push * min(1.0, days_waiting / 365.0)
    if status == Status.RECOGNIZED:
        return recognized_push * (1.0 - quality)
    return 0.0


@njit(cache=True)
def move_on(day, key, agents, conditions, quality, node_min_cost, params, tally):
    """People without a place, with a poor one, waiting long, or poorly protected move on, if
    they can afford a route out of their node (``node_min_cost``: the cheapest, as seen today)."""
    a, p, events, m = agents, params, tally.events, agents.members
    for w in range(a.changed.shape[0]):
        bits = (
            m[w, Status.DESTITUTE]
            | m[w, Status.IN_RECEPTION]
            | m[w, Status.IN_PROCEDURE]
            | m[w, Status.RECOGNIZED]
        )
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            st = a.status[i]
            n = a.node[i]
            waiting = day - a.claim_day[i] if a.claim_day[i] >= 0 else 0
            prob = p.onward_probability * push(
                st, waiting, conditions[n], quality[n], p.wait_push, p.recognized_push
            )
            if a.tie[i] >= 0 and a.tie[i] != n:
                prob *= 1.0 + p.tie_push
            if prob <= 0.0 or uniform(key, i, 0) >= prob:
                continue
            if a.resources[i] < node_min_cost[n]:
                continue  # nowhere to go: stays as it was
            c = a.claim[i]
            if c != Claim.NONE and c <= Claim.APPEAL:
                events[Event.CLAIMS_ABANDONED] += 1
            a.claim[i] = Claim.NONE
            a.claim_day[i] = -1
            if a.flags[i] & Flag.REACHED:
                events[Event.SECONDARY_MOVEMENTS] += 1
            a.flags[i] &= OUT_OF_SYSTEM
            set_status(a, i, Status.IN_TRANSIT, day)
            a.route[i] = -1
            events[Event.ONWARD_MOVES] += 1
