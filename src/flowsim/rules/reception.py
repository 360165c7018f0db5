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

from numba import njit

from flowsim.population import HOUSED, PROFILED, REACHED, REGISTERED, Claim, Referral, Status
from flowsim.rng import uniform
from flowsim.rules import (
    EV_ALTERNATIVES,
    EV_CHILDREN_IDENTIFIED,
    EV_CHILDREN_MISSED,
    EV_CLAIMS,
    EV_COUNSELLED,
    EV_DESTITUTE,
    EV_DETAINED,
    EV_DETAINED_CHILDREN,
    EV_DETAINED_TRAFFICKED,
    EV_PRIMA_FACIE,
    EV_PROFILED,
    EV_READMITTED,
    EV_RECEIVED,
    EV_REGISTERED,
    EV_SMUGGLED_ARRIVALS,
    EV_TRAFFICKING_IDENTIFIED,
    EV_TRAFFICKING_MISSED,
)
from flowsim.rules.asylum import applies, finalize, procedure
from flowsim.rules.detention import ALTERNATIVE, DETAINED_NOW, detains
from flowsim.rules.profiling import refer

IN_TRANSIT = int(Status.IN_TRANSIT)
ARRIVED = int(Status.ARRIVED)
IN_RECEPTION = int(Status.IN_RECEPTION)
IN_PROCEDURE = int(Status.IN_PROCEDURE)
DESTITUTE = int(Status.DESTITUTE)
DETAINED = int(Status.DETAINED)
RECOGNIZED = int(Status.RECOGNIZED)
IN_TRAFFICKING_PROTECTION = int(Status.IN_TRAFFICKING_PROTECTION)
IN_CHILD_PROTECTION = int(Status.IN_CHILD_PROTECTION)
CLAIM_NONE = int(Claim.NONE)
CLAIM_RECOGNIZED = int(Claim.RECOGNIZED)
CLAIM_FULL = int(Claim.FULL)
CLAIM_APPEAL = int(Claim.APPEAL)
REF_NONE = int(Referral.NONE)
REF_ASYLUM = int(Referral.ASYLUM)
REF_TRAFFICKING = int(Referral.TRAFFICKING)
REF_CHILD = int(Referral.CHILD)
REF_COUNSELLING = int(Referral.COUNSELLING)
LEAVING = 255 ^ (REGISTERED | HOUSED)


@njit(cache=True)
def register(
    day, key, status, status_day, flags, referral, claim, claim_day, node, route, profile,
    need, vulnerability, child_bit, trafficking_bit, first_protection_node, entry_from,
    node_country, node_is_camp, route_irregular, route_entry_node, agreements, coverage,
    accuracy, false_alarm_scale, apply_in_need, apply_not_in_need,
    counselled_factor, prima_facie, clear_share, accelerated, detention_mode, alternatives,
    final_wait, events,
):  # fmt: skip
    """Register today's arrivals and the screened in (and legal humanitarian entrants):
    readmission, referral, claim, detention."""
    for i in range(status.shape[0]):
        st = status[i]
        screened_in = st == IN_PROCEDURE and claim[i] == CLAIM_NONE
        if not (screened_in or (st == ARRIVED and not flags[i] & REGISTERED)):
            continue
        r = route[i]  # the route just completed (-1: screened in, legal, or stuck)
        irregular = r >= 0 and route_irregular[r]
        if irregular:
            events[EV_SMUGGLED_ARRIVALS] += 1
        if r >= 0:
            entry_from[i] = route_entry_node[r]
        route[i] = -1
        first = first_protection_node[i]
        if first < 0:
            first_protection_node[i] = node[i]
        elif node_country[first] != node_country[node[i]]:
            # a secondary mover: the first country of protection may take it back
            if uniform(key, i, 9) < agreements[node_country[first]]:
                node[i] = first
                events[EV_READMITTED] += 1
        flags[i] |= REGISTERED | REACHED
        status[i] = ARRIVED
        status_day[i] = day
        events[EV_REGISTERED] += 1
        c = node_country[node[i]]
        trafficked = vulnerability[i] & trafficking_bit != 0
        child = vulnerability[i] & child_bit != 0
        if screened_in:
            ref = REF_ASYLUM  # identified as in need at the interception
        else:
            ref = refer(uniform(key, i, 0), uniform(key, i, 1), uniform(key, i, 2),
                        uniform(key, i, 3), trafficked, child, need[i], coverage[c],
                        accuracy[c], false_alarm_scale)  # fmt: skip
            if ref != REF_NONE:
                flags[i] |= PROFILED
                events[EV_PROFILED] += 1
        referral[i] = ref
        if trafficked:
            events[
                EV_TRAFFICKING_IDENTIFIED if ref == REF_TRAFFICKING else EV_TRAFFICKING_MISSED
            ] += 1
        if child:
            events[EV_CHILDREN_IDENTIFIED if ref == REF_CHILD else EV_CHILDREN_MISSED] += 1
        if ref == REF_COUNSELLING:
            events[EV_COUNSELLED] += 1
        elif ref == REF_TRAFFICKING:
            status[i] = IN_TRAFFICKING_PROTECTION
        elif ref == REF_CHILD:
            status[i] = IN_CHILD_PROTECTION

        if applies(uniform(key, i, 4), need[i], ref, apply_in_need, apply_not_in_need,
                   counselled_factor):  # fmt: skip
            events[EV_CLAIMS] += 1
            claim_day[i] = day
            if uniform(key, i, 5) < prima_facie[profile[i], c]:
                events[EV_PRIMA_FACIE] += 1
                finalize(i, True, day, status, status_day, flags, claim, claim_day, node, need,
                         node_is_camp, final_wait, events)  # fmt: skip
            else:
                profiled = ref != REF_NONE and not screened_in  # profiled today
                claim[i] = procedure(uniform(key, i, 6), uniform(key, i, 7), profiled,
                                     clear_share, accelerated[c])  # fmt: skip
        if status[i] != ARRIVED:
            continue  # referred to protection, or recognized at once
        held = detains(uniform(key, i, 8), irregular, detention_mode[c], alternatives[c])
        if held == ALTERNATIVE:
            events[EV_ALTERNATIVES] += 1
        elif held == DETAINED_NOW:
            status[i] = DETAINED
            events[EV_DETAINED] += 1
            if child:
                events[EV_DETAINED_CHILDREN] += 1
            if trafficked:
                events[EV_DETAINED_TRAFFICKED] += 1


@njit(cache=True)
def count_housed(flags, node, out):
    """People holding a place, per node, into ``out`` (zeroed first)."""
    out[:] = 0.0
    for i in range(flags.shape[0]):
        if flags[i] & HOUSED:
            out[node[i]] += 1.0


@njit(cache=True)
def place(day, status, status_day, flags, claim, node, occupancy, capacity, node_is_camp, events):
    """Give places, in agent order, to the arrived, the released and those waiting for one."""
    count_housed(flags, node, occupancy)
    for i in range(status.shape[0]):
        st = status[i]
        n = node[i]
        waiting = st == DESTITUTE or (
            st == RECOGNIZED and node_is_camp[n] and not flags[i] & HOUSED
        )
        if not (st == ARRIVED or waiting):
            continue
        if occupancy[n] + 1.0 <= capacity[n]:
            occupancy[n] += 1.0
            flags[i] |= HOUSED
            events[EV_RECEIVED] += 1
            if st != RECOGNIZED:
                pending = claim[i] != CLAIM_NONE and claim[i] <= CLAIM_APPEAL
                status[i] = IN_PROCEDURE if pending else IN_RECEPTION
                status_day[i] = day
        elif st == ARRIVED:
            status[i] = DESTITUTE
            status_day[i] = day
            events[EV_DESTITUTE] += 1
