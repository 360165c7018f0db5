"""Legal channels: the alternatives to smugglers (10-Point Plan point 9; seeds/002:1879, 002:1891,
002:1917).

Each day, before route choice, people who have decided to leave and are still at their origin
(status at_origin) look at the legal channels that have places left today, in this order:
family reunification (to the node where they have family), humanitarian visas (people in need),
labour visas (people whose dominant motive is livelihood). A person uses a channel only if it
knows of it (a bit of ``aware``: drawn when it is created with ``behaviour.legal.awareness``),
qualifies, and can pay the channel's cost (``behaviour.legal.cost_*``; people who cannot afford
it "still turn to smugglers", seeds/002:1891). Places a day are the yearly quota / 365 per
destination node, fractions carried over; first come (agent order), first served. Among
destinations with places, the one most attractive for the person's motive is taken.

A legal traveller pays the cost and reaches the destination the same day (a flight): labour and
family migrants are legal_migrant there; a humanitarian-visa holder is registered there the same
day, referred to asylum (it claims on arrival) and not counted as an irregular arrival.

Free movement (``policy.legal.free_movement``, by edge) works on the route network instead: a
free-movement leg needs no smuggler (its smuggler's markup, ``behaviour.legal.smuggler_markup``
of its cost, and its robbery hazard fall away) and does not make a route irregular (see
``route_choice.perceive``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from flowsim.events import Event
from flowsim.levers import resolve_lever
from flowsim.population import Aware, Flag, Status, lowest_bit, set_status
from flowsim.rules import Mechanism, keep_fraction, params_of
from flowsim.scenario import MOTIVES

# channels: index into slots[channel, node] and the costs, in the order people look at them
FAMILY, HUMANITARIAN, LABOUR = 0, 1, 2
CHANNELS = ("family_reunification", "humanitarian_visas", "labour_quota")
AWARE_BIT = (Aware.FAMILY_REUNIFICATION, Aware.HUMANITARIAN_VISAS, Aware.LABOUR_QUOTA)
EVENT = (Event.LEGAL_FAMILY_REUNIFICATION, Event.LEGAL_HUMANITARIAN_VISAS, Event.LEGAL_LABOUR)
LIVELIHOOD = MOTIVES.index("livelihood")


class LegalParams(NamedTuple):
    """``[behaviour.legal]``."""

    awareness: float  # share of new agents who know of each channel
    cost_family_reunification: float  # USD
    cost_humanitarian_visas: float
    cost_labour_quota: float
    smuggler_markup: float  # share of a smuggled leg's cost that is the smuggler's fee


class LegalChannels(Mechanism):
    """Quotas of legal places a year per channel and destination, used by people at their
    origin; free movement on legs (read by route choice)."""

    LEVERS = {"free_movement": "policy.legal.free_movement"}

    def __init__(self, model) -> None:
        super().__init__(model)
        self.params = params_of(LegalParams, model.scenario.behaviour.legal)
        model.levers["legal_quota"] = np.stack(
            [
                resolve_lever(f"policy.legal.{c}", model.scenario, model.net, model.days)
                for c in CHANNELS
            ],
            axis=1,
        )  # [day, channel, node], agents a year
        self.credit = np.zeros((len(CHANNELS), model.net.n_nodes))  # places carried over

    def step(self, model, day: int) -> None:
        perceived = model.route_choice.perceive(model, day)
        self.credit += model.levers["legal_quota"][day] / 365.0
        use_channels(
            day, model.pop.agents(), self.credit, perceived.node_attract, self.params, model.tally
        )
        keep_fraction(self.credit)


@njit(cache=True)
def qualifies(channel, dest, motive, tie, need, livelihood):
    """Whether a person with this motive, tie and need qualifies for ``channel`` to ``dest``."""
    if channel == FAMILY:
        return tie == dest
    if channel == HUMANITARIAN:
        return need
    return motive == livelihood


@njit(cache=True)
def pick(channel, motive, tie, need, resources, aware, slots, costs, node_attract, livelihood):
    """The destination node a person takes through ``channel`` today, or -1."""
    if not aware & AWARE_BIT[channel] or resources < costs[channel]:
        return -1
    best = -1
    best_u = -1e300
    for dest in range(slots.shape[1]):
        if slots[channel, dest] < 1.0 or not qualifies(
            channel, dest, motive, tie, need, livelihood
        ):
            continue
        u = node_attract[dest, motive]
        if u > best_u:
            best, best_u = dest, u
    return best


@njit(cache=True)
def use_channels(day, agents, slots, node_attract, params, tally):
    """People at their origin who know of, qualify for and can afford a channel with a place."""
    a, p, events = agents, params, tally.events
    costs = np.array([p.cost_family_reunification, p.cost_humanitarian_visas, p.cost_labour_quota])
    known = 0  # the aware bits of the channels with a place somewhere today
    for channel in range(3):
        if (slots[channel] >= 1.0).any():
            known |= AWARE_BIT[channel]
    if known == 0:
        return  # no place left anywhere today
    cheapest = costs.min()
    for w in range(a.changed.shape[0]):
        bits = a.members[w, Status.AT_ORIGIN]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            if not a.aware[i] & known or a.resources[i] < cheapest:
                continue  # knows of no channel with a place, or can pay for none
            for channel in range(3):
                dest = pick(
                    channel,
                    a.motive[i],
                    a.tie[i],
                    a.protection_need[i],
                    a.resources[i],
                    a.aware[i],
                    slots,
                    costs,
                    node_attract,
                    LIVELIHOOD,
                )
                if dest < 0:
                    continue
                slots[channel, dest] -= 1.0
                a.resources[i] -= costs[channel]
                a.node[i] = dest
                # a visa holder is registered as referred to asylum, like the screened in
                legal = Status.IN_PROCEDURE if channel == HUMANITARIAN else Status.LEGAL_MIGRANT
                set_status(a, i, legal, day)
                a.departure_day[i] = day
                a.flags[i] |= Flag.LEGAL
                events[Event.DEPARTURES] += 1
                events[EVENT[channel]] += 1
                break
