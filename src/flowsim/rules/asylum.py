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

import numpy as np
from numba import njit

from flowsim.population import HOUSED, PROTECTED, Claim, Referral, Status
from flowsim.rng import uniform
from flowsim.rules import (
    EV_ACCELERATED_DECISIONS,
    EV_APPEALS,
    EV_APPEALS_GRANTED,
    EV_DECISIONS,
    EV_RECOGNIZED,
    EV_RECOGNIZED_FIRST,
    EV_REJECTED,
    EV_WRONGFUL_RECOGNITIONS,
    EV_WRONGFUL_REJECTIONS,
    EV_WRONGFUL_REJECTIONS_FINAL,
)

FULL = int(Claim.FULL)
ACCELERATED = int(Claim.ACCELERATED)
APPEAL = int(Claim.APPEAL)
CLAIM_RECOGNIZED = int(Claim.RECOGNIZED)
CLAIM_REJECTED = int(Claim.REJECTED)
REF_ASYLUM = int(Referral.ASYLUM)
REF_COUNSELLING = int(Referral.COUNSELLING)
ARRIVED = int(Status.ARRIVED)
IN_PROCEDURE = int(Status.IN_PROCEDURE)
DESTITUTE = int(Status.DESTITUTE)
DETAINED = int(Status.DETAINED)
RECOGNIZED = int(Status.RECOGNIZED)
REJECTED = int(Status.REJECTED)
NOT_HOUSED = np.uint8(255 ^ HOUSED)
# queue tracks: index into the [country, track, lodging day] counts
TRACK_FULL, TRACK_ACCELERATED = 0, 1


@njit(cache=True)
def applies(u, need, referral, apply_in_need, apply_not_in_need, counselled_factor):
    """Whether one registering person lodges an asylum claim."""
    if referral == REF_ASYLUM:
        return True
    p = apply_in_need if need else apply_not_in_need
    if referral == REF_COUNSELLING:
        p *= counselled_factor
    return u < p


@njit(cache=True)
def procedure(u_clear, u_accelerated, profiled, clear_share, accelerated):
    """The procedure a new claim goes to: ACCELERATED (a profiled clear case) or FULL."""
    if profiled and u_clear < clear_share and u_accelerated < accelerated:
        return ACCELERATED
    return FULL


@njit(cache=True)
def first_instance(u, need, accelerated, accuracy_in_need, accuracy_not_in_need, accuracy_loss):
    """A first-instance decision: True = recognized. Right with the procedure's accuracy."""
    accuracy = accuracy_in_need if need else accuracy_not_in_need
    if accelerated:
        accuracy = max(0.0, accuracy - accuracy_loss)
    right = u < accuracy
    return need == right


@njit(cache=True)
def finalize(i, recognized, day, status, status_day, flags, claim, claim_day, node, need,
             node_is_camp, final_wait, events):  # fmt: skip
    """Agent ``i``'s claim is finally decided today: set the claim, the status and the wait."""
    st = status[i]
    if recognized:
        claim[i] = CLAIM_RECOGNIZED
        flags[i] |= PROTECTED
        events[EV_RECOGNIZED] += 1
        if st == ARRIVED or st == IN_PROCEDURE or st == DESTITUTE or st == DETAINED:
            status[i] = RECOGNIZED
            status_day[i] = day
            if not node_is_camp[node[i]]:
                flags[i] &= NOT_HOUSED  # refugees leave reception; camps are their place
    else:
        claim[i] = CLAIM_REJECTED
        events[EV_REJECTED] += 1
        if need[i]:
            events[EV_WRONGFUL_REJECTIONS_FINAL] += 1
        if st == IN_PROCEDURE or st == DESTITUTE:
            status[i] = REJECTED
            status_day[i] = day
            flags[i] &= NOT_HOUSED
    final_wait[int(need[i]), day - claim_day[i]] += 1


@njit(cache=True)
def count_queue(day, claim, claim_day, node, node_country, counts):
    """Pending first-instance claims lodged before ``day``: counts[country, track, lodging day]."""
    counts[:, :, :] = 0
    for i in range(claim.shape[0]):
        c = claim[i]
        if (c == FULL or c == ACCELERATED) and claim_day[i] < day:
            track = TRACK_ACCELERATED if c == ACCELERATED else TRACK_FULL
            counts[node_country[node[i]], track, claim_day[i]] += 1


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
def decide(day, key, status, status_day, flags, claim, claim_day, node, need, node_country,
           node_is_camp, cut_day, take_at_cut, accuracy_in_need, accuracy_not_in_need,
           accuracy_loss, appeals, first_wait, final_wait, events):  # fmt: skip
    """First-instance decisions on the claims ``cutoffs`` selected; appeals lodged."""
    left = take_at_cut.copy()
    for i in range(status.shape[0]):
        c = claim[i]
        if not (c == FULL or c == ACCELERATED) or claim_day[i] >= day:
            continue
        country = node_country[node[i]]
        track = TRACK_ACCELERATED if c == ACCELERATED else TRACK_FULL
        lodged = claim_day[i]
        if lodged > cut_day[country, track]:
            continue
        if lodged == cut_day[country, track]:
            if left[country, track] == 0:
                continue
            left[country, track] -= 1
        events[EV_DECISIONS] += 1
        if c == ACCELERATED:
            events[EV_ACCELERATED_DECISIONS] += 1
        first_wait[int(need[i]), day - lodged] += 1
        recognized = first_instance(uniform(key, i, 0), need[i], c == ACCELERATED,
                                    accuracy_in_need, accuracy_not_in_need, accuracy_loss)  # fmt: skip
        if recognized:
            events[EV_RECOGNIZED_FIRST] += 1
            if not need[i]:
                events[EV_WRONGFUL_RECOGNITIONS] += 1
        elif need[i]:
            events[EV_WRONGFUL_REJECTIONS] += 1
        if not recognized and uniform(key, i, 1) < appeals[country]:
            claim[i] = APPEAL
            events[EV_APPEALS] += 1
            continue
        finalize(i, recognized, day, status, status_day, flags, claim, claim_day, node, need,
                 node_is_camp, final_wait, events)  # fmt: skip


@njit(cache=True)
def decide_appeals(day, key, status, status_day, flags, claim, claim_day, node, need,
                   node_is_camp, appeal_days, corrects, overturns_right, final_wait,
                   events):  # fmt: skip
    """Appeals decided today (each pending appeal with probability 1 / appeal_days)."""
    for i in range(status.shape[0]):
        if claim[i] != APPEAL or uniform(key, i, 2) >= 1.0 / appeal_days:
            continue
        recognized = uniform(key, i, 3) < (corrects if need[i] else overturns_right)
        if recognized:
            events[EV_APPEALS_GRANTED] += 1
        finalize(i, recognized, day, status, status_day, flags, claim, claim_day, node, need,
                 node_is_camp, final_wait, events)  # fmt: skip


@njit(cache=True)
def count_backlog(claim, node, node_country, out):
    """Pending claims (first instance and appeal) per country into ``out`` (zeroed first)."""
    out[:] = 0
    for i in range(claim.shape[0]):
        c = claim[i]
        if c == FULL or c == ACCELERATED or c == APPEAL:
            out[node_country[node[i]]] += 1
