"""Cooperation and responsibility sharing between states (10-Point Plan point 1; seeds/001:580-715,
the regional conferences of seeds/002): relocation and shared processing.

**Relocation** (step 6, before registration and places). Each day the pair (from country A,
to country B) gains ``policy.relocation.quota`` [A>B] / 365 places (persons a year; places not
used carry over, so the quota is a yearly pledge). The candidates are people in A with a
pending first-instance claim (``in_procedure`` or ``destitute``) and recognized refugees, never
offered relocation before, whose profile is eligible in A: ``policy.relocation.eligible``
(profile or profile@country, on when > 0.5) and an expected recognition rate (the share of the
profile in need of protection) of at least ``policy.relocation.min_recognition`` of A. In agent
order, each candidate with a whole place left to some B (the first such B in country order) is
offered it once; it refuses with ``behaviour.relocation.refuse`` (event relocations_refused;
the place stays for the next one). Otherwise it is relocated to B's relocation node (the first
node of B with a destination role, else B's first node): it leaves A's protection system (its
place there is freed), B becomes its country of first protection, a pending claim goes with it
into B's queue (same lodging day), and it is ``destitute`` at that node until the places of the
same day house it (recognized refugees stay recognized). Event relocated. A relocated person
moves on at once with ``behaviour.relocation.move_on`` (its own preference: family or
prospects elsewhere): in transit with no route at B's node, its claim abandoned (events
relocated_moved_on, onward_moves, secondary_movements).

**Shared processing** (when the model is built, and after the decisions of each day).
``policy.processing.share`` [A>B] is the share of B's decision capacity that decides claims
lodged in A (regional or joint processing): each day A's capacity gains that share of B's and
B's loses it (B lends at most all it has: shares over 1 are scaled down). The claims stay in A's
queue and are decided oldest first as any. The decisions A makes beyond its own capacity that day,
up to what it borrowed, are decisions under shared processing (event shared_decisions).
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
    Flag,
    Status,
    lowest_bit,
    set_status,
)
from flowsim.rng import Rule, uniform
from flowsim.rules import Mechanism, params_of
from flowsim.scenario import DESTINATION_ROLES

# what happened to a person's relocation offer (``Sharing.offered``)
NOT_OFFERED, REFUSED, RELOCATED = 0, 1, 2


class RelocationParams(NamedTuple):
    """``[behaviour.relocation]``: the people's own preference."""

    refuse: float  # share of the people offered relocation who refuse it
    move_on: float  # share of the relocated who move on again at once


class Draw(IntEnum):
    REFUSE = 0
    MOVE_ON = 1


class Sharing(Mechanism):
    """Relocation between countries (:meth:`step`) and shared processing (the asylum capacity
    lent when the model is built, counted by :meth:`count_shared` after the decisions)."""

    LEVERS = {
        "relocation_quota": "policy.relocation.quota",
        "relocation_eligible": "policy.relocation.eligible",
        "relocation_min_recognition": "policy.relocation.min_recognition",
        "processing_share": "policy.processing.share",
    }

    def __init__(self, model) -> None:
        super().__init__(model)
        net, n_c = model.net, len(model.net.country_ids)
        self.params = params_of(RelocationParams, model.scenario.behaviour.relocation)
        lv = model.levers
        self.quota = lv["relocation_quota"].reshape(model.days, n_c, n_c)  # agents a year
        self.credit = np.zeros((n_c, n_c))  # relocation places carried over, [from, to]
        self.offered = np.zeros(0, np.uint8)  # per agent: NOT_OFFERED, REFUSED or RELOCATED
        self.target = relocation_nodes(model.scenario, net)
        self.any_quota = bool((self.quota > 0).any())
        need = np.array([p.protection_need for p in model.scenario.profiles])
        # [day, profile, country]: eligible in that country on that day
        self.eligible = lv["relocation_eligible"] & (
            need[None, :, None] >= lv["relocation_min_recognition"][:, None, :] - 1e-12
        )
        # shared processing: lend capacity once, over the run
        share = lv["processing_share"].reshape(model.days, n_c, n_c).copy()
        for c in range(n_c):
            share[:, c, c] = 0.0  # a country does not share with itself
        lent = share.sum(axis=1)  # [day, lender]
        scale = np.where(lent > 1.0, 1.0 / np.maximum(lent, 1e-300), 1.0)
        share *= scale[:, None, :]
        cap = lv["asylum_capacity"]
        finite = np.where(np.isfinite(cap), cap, 0.0)
        self.borrowed = np.einsum("dab,db->da", share, finite)  # [day, country]
        self.own = finite * (1.0 - share.sum(axis=1))
        lv["asylum_capacity"] = np.where(np.isfinite(cap), self.own + self.borrowed, cap)
        self.any_sharing = bool((self.borrowed > 0).any())

    def step(self, model, day: int) -> None:
        """Today's relocations, before registration and places."""
        n = model.pop.n
        if self.offered.size < n:
            self.offered = np.concatenate(
                [
                    self.offered,
                    np.zeros(max(n, 2 * self.offered.size) - self.offered.size, np.uint8),
                ]
            )
        if not self.any_quota:
            return
        self.credit += self.quota[day] / 365.0
        places = np.floor(self.credit + 1e-9).astype(np.int64)
        if not places.any():
            return
        before = places.copy()
        relocate(
            day,
            model.keys(Rule.RELOCATION, day),
            model.pop.agents(),
            model.net.node_country,
            self.target,
            places,
            self.eligible[day],
            self.params,
            self.offered,
            model.tally.events,
        )
        self.credit -= before - places

    def count_shared(self, model, day: int) -> None:
        """Decisions made today under shared processing (after the asylum step)."""
        if not self.any_sharing:
            return
        decided = model.asylum.decided
        own = np.floor(self.own[day] + 1e-9)
        shared = np.minimum(np.maximum(decided - own, 0.0), np.floor(self.borrowed[day] + 1e-9))
        model.tally.events[Event.SHARED_DECISIONS] += int(shared.sum())


def relocation_nodes(scenario, net) -> np.ndarray:
    """Per country, the node relocated people are brought to: its first node with a destination
    role, else its first node (-1 for a country without nodes)."""
    out = np.full(len(net.country_ids), -1, np.int64)
    for destination_first in (True, False):
        for k, spec in enumerate(scenario.nodes):
            c = net.node_country[k]
            if out[c] < 0 and (
                bool(set(spec.roles) & set(DESTINATION_ROLES)) or not destination_first
            ):
                out[c] = k
    return out


@njit(cache=True)
def relocate(day, key, agents, node_country, target, places, eligible, params, offered, events):
    """Offer today's relocation places (``places`` [from, to], used in place) to the candidates,
    in agent order."""
    a, m = agents, agents.members
    n_c = places.shape[0]
    for w in range(a.changed.shape[0]):
        bits = m[w, Status.IN_PROCEDURE] | m[w, Status.DESTITUTE] | m[w, Status.RECOGNIZED]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            if offered[i] != NOT_OFFERED:
                continue
            st, c = a.status[i], a.claim[i]
            if st != Status.RECOGNIZED and not (c == Claim.FULL or c == Claim.ACCELERATED):
                continue  # only pending first-instance claims, and refugees
            home = node_country[a.node[i]]
            if not eligible[a.profile[i], home]:
                continue
            to = -1
            for b in range(n_c):
                if b != home and places[home, b] > 0 and target[b] >= 0:
                    to = b
                    break
            if to < 0:
                continue
            if uniform(key, i, Draw.REFUSE) < params.refuse:
                offered[i] = REFUSED
                events[Event.RELOCATIONS_REFUSED] += 1
                continue
            places[home, to] -= 1
            offered[i] = RELOCATED
            events[Event.RELOCATED] += 1
            n = target[to]
            a.node[i] = n
            a.first_protection_node[i] = n
            a.flags[i] &= OUT_OF_SYSTEM  # leaves A's system and its place there
            if uniform(key, i, Draw.MOVE_ON) < params.move_on:
                if c != Claim.NONE and c <= Claim.APPEAL:
                    events[Event.CLAIMS_ABANDONED] += 1
                a.claim[i] = Claim.NONE
                a.claim_day[i] = -1
                a.route[i] = -1
                set_status(a, i, Status.IN_TRANSIT, day)
                events[Event.RELOCATED_MOVED_ON] += 1
                events[Event.ONWARD_MOVES] += 1
                events[Event.SECONDARY_MOVEMENTS] += 1
                continue
            a.flags[i] |= Flag.REGISTERED | Flag.REACHED
            # a claimant waits for a place there (the places of today); a refugee stays one
            set_status(
                a, i, Status.RECOGNIZED if st == Status.RECOGNIZED else Status.DESTITUTE, day
            )
