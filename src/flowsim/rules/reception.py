"""Arrival and reception (10-Point Plan point 4, seeds/001:636-638): registration, places, leaving.

Registration. Everyone who reaches the end of a route (status arrived) is registered at that node
once, as are people screened in at an interception (in_procedure without a claim, at the
embarkation hub) and holders of a humanitarian visa (in_procedure without a claim at their
destination): both are referred to asylum. Registration runs the mechanisms of the other
modules in the order lived: profiling and referral (``profiling.refer``), the asylum claim
(``asylum.applies``, prima facie recognition, ``asylum.procedure``), and detention
(``detention.detains``). Identified trafficking victims and children go to their protection
processes; detained people to detention.

Places. Reception places at a node are ``policy.reception.capacity`` (default: the node's
``capacity``). Everyone else who arrived, was released or waits without a place gets one in agent
order while places last: status in_reception (no claim pending) or in_procedure (claim pending).
Whoever finds none is destitute and keeps waiting for a place. Recognized refugees keep their
place at a camp (or wait for one); elsewhere they leave reception.

Readmission. A person registering in a country other than the one where it first registered
(a secondary mover) is taken back by that first country with its ``policy.readmission.agreements``
share: it is registered again at its first node of protection, the same day.

Leaving reception (moving on) is ``rules.secondary_movement``.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

import numpy as np
from numba import njit

from flowsim.events import Event
from flowsim.population import (
    Claim,
    Flag,
    Referral,
    Status,
    Vulnerability,
    case,
    lowest_bit,
    set_status,
)
from flowsim.rng import Rule, uniform
from flowsim.rules import Mechanism, Tally
from flowsim.rules.asylum import applies, finalize, procedure
from flowsim.rules.detention import ALTERNATIVE, DETAINED_NOW, detains
from flowsim.rules.profiling import refer


class RegistrationLevers(NamedTuple):
    """Today's levers that registration reads, by country (prima facie: [profile, country])."""

    agreements: np.ndarray  # readmission of secondary movers by their first country
    coverage: np.ndarray  # profiling
    accuracy: np.ndarray
    prima_facie: np.ndarray
    accelerated: np.ndarray
    detention_mode: np.ndarray
    alternatives: np.ndarray


class Draw(IntEnum):
    """Registration's draws per agent (key: Rule.REGISTRATION)."""

    PROFILED = 0
    TRAFFICKING = 1
    CHILD = 2
    NEED = 3
    APPLIES = 4
    PRIMA_FACIE = 5
    CLEAR_CASE = 6
    ACCELERATED = 7
    ALTERNATIVE = 8
    READMITTED = 9


class Reception(Mechanism):
    """Registration (with profiling, the claim, detention and readmission) and reception places."""

    LEVERS = {
        "reception_capacity": "policy.reception.capacity",
        "conditions": "policy.reception.conditions",
        "agreements": "policy.readmission.agreements",
    }
    FALLBACKS = {"reception_capacity": "node_capacity"}  # a node's capacity, by default

    def __init__(self, model) -> None:
        super().__init__(model)
        self.occupancy = np.zeros(model.net.n_nodes)  # people holding a place per node

    def place_initial(self, model) -> None:
        """Places for the initial population at destinations (before day 0)."""
        events = np.zeros_like(model.tally.events)
        tally = Tally(events, *model.tally[1:])
        place(
            -1,
            model.pop.agents(),
            model.net.arrays(),
            self.occupancy,
            model.levers["reception_capacity"][0],
            tally,
        )

    def step(self, model, day: int) -> None:
        lv, a, net = model.levers, model.pop.agents(), model.net.arrays()
        today = RegistrationLevers(
            agreements=lv["agreements"][day],
            coverage=lv["profiling_coverage"][day],
            accuracy=lv["profiling_accuracy"][day],
            prima_facie=lv["prima_facie"][day],
            accelerated=lv["accelerated"][day],
            detention_mode=lv["detention_mode"][day],
            alternatives=lv["alternatives"][day],
        )
        irregular = model.route_choice.perceive(model, day).route_irregular
        register(
            day,
            model.keys(Rule.REGISTRATION, day),
            a,
            net,
            irregular,
            today,
            model.asylum.params,
            model.tally,
        )
        place(day, a, net, self.occupancy, lv["reception_capacity"][day], model.tally)


@njit(cache=True)
def register(day, key, agents, net, route_irregular, levers, params, tally):
    """Register today's arrivals and the screened in (and legal humanitarian entrants):
    readmission, referral, claim, detention."""
    a, lv, p, events, m = agents, levers, params, tally.events, agents.members
    for w in range(agents.changed.shape[0]):
        bits = m[w, Status.ARRIVED] | m[w, Status.IN_PROCEDURE]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            st = a.status[i]
            screened_in = st == Status.IN_PROCEDURE and a.claim[i] == Claim.NONE
            if not (screened_in or (st == Status.ARRIVED and not a.flags[i] & Flag.REGISTERED)):
                continue
            r = a.route[i]  # the route just completed (-1: screened in, legal, or stuck)
            irregular = r >= 0 and route_irregular[r]
            if irregular:
                events[Event.SMUGGLED_ARRIVALS] += 1
            if r >= 0:
                a.entry_from[i] = net.route_entry_node[r]
            a.route[i] = -1
            first = a.first_protection_node[i]
            if first < 0:
                a.first_protection_node[i] = a.node[i]
            elif net.node_country[first] != net.node_country[a.node[i]]:
                # a secondary mover: the first country of protection may take it back
                if uniform(key, i, Draw.READMITTED) < lv.agreements[net.node_country[first]]:
                    a.node[i] = first
                    events[Event.READMITTED] += 1
            a.flags[i] |= Flag.REGISTERED | Flag.REACHED
            set_status(a, i, Status.ARRIVED, day)
            events[Event.REGISTRATIONS] += 1
            c = net.node_country[a.node[i]]
            trafficked = a.vulnerability[i] & Vulnerability.TRAFFICKING != 0
            child = a.vulnerability[i] & Vulnerability.CHILD != 0
            need = a.protection_need[i]
            if screened_in:
                ref = Referral.ASYLUM  # identified as in need at the interception
            else:
                ref = refer(
                    uniform(key, i, Draw.PROFILED),
                    uniform(key, i, Draw.TRAFFICKING),
                    uniform(key, i, Draw.CHILD),
                    uniform(key, i, Draw.NEED),
                    trafficked,
                    child,
                    need,
                    lv.coverage[c],
                    lv.accuracy[c],
                    p.false_alarm_scale,
                )
                if ref != Referral.NONE:
                    a.flags[i] |= Flag.PROFILED
                    events[Event.PROFILED] += 1
            a.referral[i] = ref
            if trafficked:
                if ref == Referral.TRAFFICKING:
                    events[Event.TRAFFICKING_IDENTIFIED] += 1
                else:
                    events[Event.TRAFFICKING_MISSED] += 1
            if child:
                if ref == Referral.CHILD:
                    events[Event.CHILDREN_IDENTIFIED] += 1
                else:
                    events[Event.CHILDREN_MISSED] += 1
            if ref == Referral.COUNSELLING:
                events[Event.COUNSELLED] += 1
            elif ref == Referral.TRAFFICKING:
                set_status(a, i, Status.IN_TRAFFICKING_PROTECTION, day)
            elif ref == Referral.CHILD:
                set_status(a, i, Status.IN_CHILD_PROTECTION, day)

            if applies(
                uniform(key, i, Draw.APPLIES),
                need,
                ref,
                p.apply_in_need,
                p.apply_not_in_need,
                p.counselled_apply_factor,
            ):
                events[Event.CLAIMS] += 1
                a.claim_day[i] = day
                prima_facie = uniform(key, i, Draw.PRIMA_FACIE) < lv.prima_facie[a.profile[i], c]
                if prima_facie:  # recognized on lodging
                    events[Event.PRIMA_FACIE] += 1
                    finalize(
                        i,
                        prima_facie,
                        day,
                        case(a),
                        need,
                        net.node_is_camp,
                        tally.final_wait,
                        events,
                    )
                else:
                    profiled = ref != Referral.NONE and not screened_in  # profiled today
                    a.claim[i] = procedure(
                        uniform(key, i, Draw.CLEAR_CASE),
                        uniform(key, i, Draw.ACCELERATED),
                        profiled,
                        p.clear_share,
                        lv.accelerated[c],
                    )
            if a.status[i] != Status.ARRIVED:
                continue  # referred to protection, or recognized at once
            held = detains(
                uniform(key, i, Draw.ALTERNATIVE),
                irregular,
                lv.detention_mode[c],
                lv.alternatives[c],
            )
            if held == ALTERNATIVE:
                events[Event.ALTERNATIVES_TO_DETENTION] += 1
            elif held == DETAINED_NOW:
                set_status(a, i, Status.DETAINED, day)
                events[Event.DETENTIONS] += 1
                if child:
                    events[Event.DETAINED_CHILDREN] += 1
                if trafficked:
                    events[Event.DETAINED_TRAFFICKING_VICTIMS] += 1


@njit(cache=True)
def place(day, agents, net, occupancy, capacity, tally):
    """Give places, in agent order, to the arrived, the released and those waiting for one."""
    a, events, m = agents, tally.events, agents.members
    occupancy[:] = 0.0  # recounted: decisions, moving on and solutions free places
    for w in range(a.changed.shape[0]):
        bits = m[w, Status.IN_RECEPTION] | m[w, Status.IN_PROCEDURE] | m[w, Status.RECOGNIZED]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            if a.flags[i] & Flag.HOUSED:
                occupancy[a.node[i]] += 1.0
    for w in range(a.changed.shape[0]):
        bits = m[w, Status.ARRIVED] | m[w, Status.DESTITUTE] | m[w, Status.RECOGNIZED]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            st = a.status[i]
            n = a.node[i]
            waiting = st == Status.DESTITUTE or (
                st == Status.RECOGNIZED and net.node_is_camp[n] and not a.flags[i] & Flag.HOUSED
            )
            if not (st == Status.ARRIVED or waiting):
                continue
            if occupancy[n] + 1.0 <= capacity[n]:
                occupancy[n] += 1.0
                a.flags[i] |= Flag.HOUSED
                events[Event.RECEPTIONS] += 1
                if st != Status.RECOGNIZED:
                    pending = a.claim[i] != Claim.NONE and a.claim[i] <= Claim.APPEAL
                    set_status(a, i, Status.IN_PROCEDURE if pending else Status.IN_RECEPTION, day)
            elif st == Status.ARRIVED:
                set_status(a, i, Status.DESTITUTE, day)
                events[Event.DESTITUTIONS] += 1
