"""Asylum procedures per country (10-Point Plan point 6; seeds/001:646, 002:1917, 002:1933).

Who applies. People referred to asylum by profiling always lodge a claim; others apply with
``behaviour.protection.apply_in_need`` if in need and ``apply_not_in_need`` if not: people who
need no protection but have no other way to stay also apply (seeds/002:1917); after return
counselling that probability is multiplied by ``counselled_apply_factor``.

Procedures. A claim from a group listed for prima facie recognition (``policy.asylum.prima_facie``
by profile, or profile@country) is granted on lodging. Other claims join the country's queue the
day after lodging. A profiled claim that is a clear case (``clear_share``) goes to the accelerated
procedure with probability ``policy.asylum.accelerated``; the rest go to the full procedure.
Each day a country decides claims up to ``policy.asylum.capacity`` (full-decision equivalents;
an accelerated decision costs ``accelerated_effort``): accelerated claims first, then the full
queue, each oldest first (ties in agent order). While claims wait, capacity left below one
decision carries over to the next day; a day that empties both queues drops it.

Decisions. A first-instance decision is right with probability ``policy.asylum.accuracy`` (by
true need), ``accelerated_accuracy_loss`` lower in the accelerated procedure. A rejected applicant
appeals with probability ``policy.asylum.appeals``; an appeal is decided after
``appeal_days`` on average (each day with probability 1 / appeal_days) and overturns a wrongful
rejection with probability ``appeal_corrects`` and a right one with ``appeal_overturns_right``.
A final decision sets the status: recognized (leaving reception, except at a camp, and detention)
or rejected (leaving reception; a rejected detainee stays until release). People in trafficking
or child protection keep their status; only their claim changes.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

import numpy as np
from numba import njit

from flowsim.events import Event
from flowsim.population import (
    NOT_HOUSED,
    Claim,
    Flag,
    Referral,
    Status,
    case,
    lowest_bit,
    set_status,
)
from flowsim.rng import Rule, uniform
from flowsim.rules import Mechanism, params_of

# queue tracks: index into the [country, track, lodging day] counts
TRACK_FULL, TRACK_ACCELERATED = 0, 1
# the statuses in which a claim can be pending (first instance or appeal)
CLAIMANTS = (
    Status.IN_PROCEDURE,
    Status.DESTITUTE,
    Status.DETAINED,
    Status.IN_TRAFFICKING_PROTECTION,
    Status.IN_CHILD_PROTECTION,
)


class ProtectionParams(NamedTuple):
    """``[behaviour.protection]``: who applies for asylum and how procedures work."""

    apply_in_need: float  # people in need who lodge a claim when nobody refers them
    apply_not_in_need: float  # people not in need who apply anyway (no other way to stay)
    counselled_apply_factor: float  # application probability after return counselling
    false_alarm_scale: float  # profiling false alarms for trafficking and children
    clear_share: float  # claims that are clear cases (well founded or manifestly unfounded)
    accelerated_effort: float  # of a full decision
    accelerated_accuracy_loss: float  # lower accuracy of accelerated decisions
    appeal_days: float  # mean time to an appeal decision
    appeal_corrects: float  # share of wrongful rejections overturned on appeal
    appeal_overturns_right: float  # share of right rejections overturned on appeal


class Draw(IntEnum):
    """Decisions' draws per agent (key: Rule.DECISIONS)."""

    FIRST_INSTANCE = 0
    APPEAL_LODGED = 1
    APPEAL_DECIDED_TODAY = 2
    APPEAL_OUTCOME = 3


class Asylum(Mechanism):
    """Each country's asylum authority: the queue, today's decisions, appeals."""

    LEVERS = {
        "asylum_capacity": "policy.asylum.capacity",
        "accelerated": "policy.asylum.accelerated",
        "prima_facie": "policy.asylum.prima_facie",
        "asylum_accuracy": "policy.asylum.accuracy",
        "appeals": "policy.asylum.appeals",
    }

    def __init__(self, model) -> None:
        super().__init__(model)
        self.params = params_of(ProtectionParams, model.scenario.behaviour.protection)
        n_c, days = len(model.net.country_ids), model.days
        self.queue = np.zeros((n_c, 2, days), np.int64)  # [country, track, lodging day]
        self.credit = np.zeros(n_c)  # decisions of capacity carried over
        # waits from lodging to the first-instance / final decision: [true need, days]
        self.first_wait = np.zeros((2, days + 1), np.int64)
        self.final_wait = np.zeros((2, days + 1), np.int64)

    def step(self, model, day: int) -> None:
        """Appeals decided, then today's first-instance decisions."""
        a, net, lv, p = model.pop.agents(), model.net.arrays(), model.levers, self.params
        key = model.keys(Rule.DECISIONS, day)
        decide_appeals(day, key, a, net, p, model.tally)
        count_queue(day, a, net, self.queue)
        queue = self.queue[:, :, : day + 1]
        cut, take = cutoffs(queue, self.credit, lv["asylum_capacity"][day], p.accelerated_effort)
        self.decided = decided_counts(queue, cut, take)  # read by shared processing
        accuracy = lv["asylum_accuracy"][day]
        decide(
            day,
            key,
            a,
            net,
            cut,
            take,
            accuracy[0],
            accuracy[1],
            lv["appeals"][day],
            p,
            model.tally,
        )


def decided_counts(queue: np.ndarray, cut: np.ndarray, take: np.ndarray) -> np.ndarray:
    """[country] first-instance claims ``cutoffs`` chose today: those lodged before the cut day
    and the first ``take`` of the cut day, both tracks."""
    n_c, n_t, n_d = queue.shape
    out = np.zeros(n_c)
    for c in range(n_c):
        for t in range(n_t):
            out[c] += queue[c, t, : cut[c, t]].sum()
            if cut[c, t] < n_d:
                out[c] += min(take[c, t], queue[c, t, cut[c, t]])
    return out


@njit(cache=True)
def applies(u, need, referral, apply_in_need, apply_not_in_need, counselled_factor):
    """Whether one registering person lodges an asylum claim."""
    if referral == Referral.ASYLUM:
        return True
    p = apply_in_need if need else apply_not_in_need
    if referral == Referral.COUNSELLING:
        p *= counselled_factor
    return u < p


@njit(cache=True)
def procedure(u_clear, u_accelerated, profiled, clear_share, accelerated):
    """The procedure a new claim goes to: ACCELERATED (a profiled clear case) or FULL."""
    if profiled and u_clear < clear_share and u_accelerated < accelerated:
        return Claim.ACCELERATED
    return Claim.FULL


@njit(cache=True)
def first_instance(u, need, accelerated, accuracy_in_need, accuracy_not_in_need, accuracy_loss):
    """A first-instance decision: True = recognized. Right with the procedure's accuracy."""
    accuracy = accuracy_in_need if need else accuracy_not_in_need
    if accelerated:
        accuracy = max(0.0, accuracy - accuracy_loss)
    right = u < accuracy
    return need == right


@njit(cache=True)
def finalize(i, recognized, day, case, need, node_is_camp, final_wait, events):
    """Agent ``i``'s claim (``case``: ``population.Case``; ``need``: whether it is in need) is
    finally decided today: set the claim, the status and the wait."""
    c = case
    st = c.status[i]
    if recognized:
        c.claim[i] = Claim.RECOGNIZED
        c.flags[i] |= Flag.PROTECTED
        events[Event.RECOGNITIONS] += 1
        if (
            st == Status.ARRIVED
            or st == Status.IN_PROCEDURE
            or st == Status.DESTITUTE
            or st == Status.DETAINED
        ):
            set_status(c, i, Status.RECOGNIZED, day)
            if not node_is_camp[c.node[i]]:
                c.flags[i] &= NOT_HOUSED  # refugees leave reception; camps are their place
    else:
        c.claim[i] = Claim.REJECTED
        events[Event.REJECTIONS] += 1
        if need:
            events[Event.WRONGFUL_REJECTIONS_FINAL] += 1
        if st == Status.IN_PROCEDURE or st == Status.DESTITUTE:
            set_status(c, i, Status.REJECTED, day)
            c.flags[i] &= NOT_HOUSED
    final_wait[int(need), day - c.claim_day[i]] += 1


@njit(cache=True)
def count_queue(day, agents, net, counts):
    """Pending first-instance claims lodged before ``day``: counts[country, track, lodging day]
    for the lodging days up to ``day`` (the rest of ``counts`` is left as it is)."""
    a = agents
    counts[:, :, : day + 1] = 0
    for w in range(a.changed.shape[0]):
        bits = claimants(a.members, w)
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            c = a.claim[i]
            if (c == Claim.FULL or c == Claim.ACCELERATED) and a.claim_day[i] < day:
                track = TRACK_ACCELERATED if c == Claim.ACCELERATED else TRACK_FULL
                counts[net.node_country[a.node[i]], track, a.claim_day[i]] += 1


@njit(cache=True, inline="always")
def claimants(members, w):
    """Word ``w`` of the members of the statuses in which a claim can be pending."""
    bits = np.uint64(0)
    for s in CLAIMANTS:
        bits |= members[w, s]
    return bits


def cutoffs(counts: np.ndarray, credit: np.ndarray, capacity: np.ndarray, effort: float):
    """Which queued claims each country decides today.

    ``counts`` is [country, track, lodging day]; ``credit`` (decisions of capacity carried over,
    updated in place) gains ``capacity`` today. Returns (cut_day, take_at_cut), each
    [country, track]: claims lodged before cut_day are decided, and the first take_at_cut of
    those lodged on cut_day (in agent order). The accelerated track is served first.
    """
    n_c, n_t, n_d = counts.shape
    cut = np.zeros((n_c, n_t), np.int64)
    take = np.zeros((n_c, n_t), np.int64)
    for c in range(n_c):
        if np.isinf(capacity[c]):
            cut[c] = n_d  # every pending claim
            credit[c] = 0.0
            continue
        credit[c] += capacity[c]
        emptied = True
        for t, cost in ((TRACK_ACCELERATED, effort), (TRACK_FULL, 1.0)):
            queue = counts[c, t]
            pending = int(queue.sum())
            n = min(pending, int(credit[c] / cost + 1e-9))
            credit[c] -= n * cost
            emptied &= n == pending
            if n == 0:
                continue
            cum = np.cumsum(queue)
            k = int(np.searchsorted(cum, n))  # first lodging day whose claims are not all taken
            cut[c, t] = k
            take[c, t] = n - (int(cum[k - 1]) if k > 0 else 0)
        if emptied:
            credit[c] = 0.0  # capacity left idle is not saved up
    return cut, take


@njit(cache=True)
def decide(
    day,
    key,
    agents,
    net,
    cut_day,
    take_at_cut,
    accuracy_in_need,
    accuracy_not_in_need,
    appeals,
    params,
    tally,
):
    """First-instance decisions on the claims ``cutoffs`` selected; appeals lodged."""
    a, events = agents, tally.events
    left = take_at_cut.copy()
    for w in range(agents.changed.shape[0]):
        bits = claimants(agents.members, w)
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            c = a.claim[i]
            if not (c == Claim.FULL or c == Claim.ACCELERATED) or a.claim_day[i] >= day:
                continue
            country = net.node_country[a.node[i]]
            track = TRACK_ACCELERATED if c == Claim.ACCELERATED else TRACK_FULL
            lodged = a.claim_day[i]
            if lodged > cut_day[country, track]:
                continue
            if lodged == cut_day[country, track]:
                if left[country, track] == 0:
                    continue
                left[country, track] -= 1
            events[Event.DECISIONS] += 1
            if c == Claim.ACCELERATED:
                events[Event.ACCELERATED_DECISIONS] += 1
            need = a.protection_need[i]
            tally.first_wait[int(need), day - lodged] += 1
            recognized = first_instance(
                uniform(key, i, Draw.FIRST_INSTANCE),
                need,
                c == Claim.ACCELERATED,
                accuracy_in_need,
                accuracy_not_in_need,
                params.accelerated_accuracy_loss,
            )
            if recognized:
                events[Event.RECOGNIZED_FIRST_INSTANCE] += 1
                if not need:
                    events[Event.WRONGFUL_RECOGNITIONS] += 1
            elif need:
                events[Event.WRONGFUL_REJECTIONS] += 1
            if not recognized and uniform(key, i, Draw.APPEAL_LODGED) < appeals[country]:
                a.claim[i] = Claim.APPEAL
                events[Event.APPEALS] += 1
                continue
            finalize(
                i, recognized, day, case(a), need, net.node_is_camp, tally.final_wait, tally.events
            )


@njit(cache=True)
def decide_appeals(day, key, agents, net, params, tally):
    """Appeals decided today (each pending appeal with probability 1 / appeal_days)."""
    a, p = agents, params
    for w in range(a.changed.shape[0]):
        bits = claimants(a.members, w)
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            if a.claim[i] != Claim.APPEAL or uniform(key, i, Draw.APPEAL_DECIDED_TODAY) >= (
                1.0 / p.appeal_days
            ):
                continue
            need = a.protection_need[i]
            recognized = uniform(key, i, Draw.APPEAL_OUTCOME) < (
                p.appeal_corrects if need else p.appeal_overturns_right
            )
            if recognized:
                tally.events[Event.APPEALS_GRANTED] += 1
            finalize(
                i, recognized, day, case(a), need, net.node_is_camp, tally.final_wait, tally.events
            )
