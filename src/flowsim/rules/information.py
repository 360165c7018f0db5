"""Information: beliefs, contacts, news of deaths and arrivals, smugglers' promises, campaigns
(10-Point Plan point 10; seeds/001:674-676, seeds/000:118-125; Routes and Rumours, BRIEF §9).

People decide on what they believe, not on the truth. Each person holds, per embarkation hub, a
Beta belief about the chance of dying on a crossing from there (``flowsim.beliefs``); route choice
reads its mean. A belief changes by pseudo-observations (weights in ``behaviour.information``)
and fades by ``forgetting`` a day, so it stays revisable (never below MIN_CONFIDENCE
pseudo-observations, which keeps its mean). The true risk of a hub, which campaigns
report and ``belief_error`` measures against, is the share of people lost among those who sailed
from it so far, starting from the mean hazard of its sea legs (worth 50 crossings).

- New people start from ``prior_knowledge`` x the true risk and (1 - prior_knowledge) x a rumour
  (``prior_risk``, spread between people by ``prior_spread`` in log terms), with confidence
  ``prior_confidence``; they get ``contacts`` contacts drawn from the last ``community_size``
  people who set out from their origin (family and community; those ahead are fellow travellers,
  then diaspora). The links are drawn one way, but news and reports of outcomes travel both
  ways along them: to one's own contacts and to those who hold one as a contact.
- News: when a person dies at sea (or goes missing) those linked to it (either way) hear with
  ``notice_dead`` (``notice_missing``) and count it as ``news_weight`` deaths from that hub; when
  a person lands after a crossing they count ``news_weight`` safe crossings; survivors of a boat
  on which people were lost count ``witness_weight`` deaths (seeds/002:1232: many deaths go
  unreported).
- Smugglers' promises: each day a person waiting at a hub hears ``smuggler_weight`` x
  ``policy.information.trust_smugglers`` crossings at ``smuggler_claim`` x the true risk
  (seeds/002:1541).
- Campaigns: on their days, a share ``reach`` of the people present at the campaign's nodes is
  reached. Credibility c = credibility x ``trust_officials`` x ``deterrence_only_credibility`` if the
  content is risks alone, x ``balanced_credibility`` if it names legal options or protection too
  (at most 1; seeds/000:122). "risks" adds c x ``campaign_weight`` crossings at the true risk of
  every hub; "legal_options" makes the person aware of every legal channel with probability c;
  "protection" makes it aware of the protection available in first-asylum countries with
  probability c (people unaware of it value first-asylum nodes' attractiveness
  ``protection_unknown_discount`` lower).
- Welcome: each person also holds, per destination-role node, a Beta belief about the chance of
  being received well there (seeds/000:118: "distorted perceptions ... about the realities in the
  countries they are trying to reach"). New people start from ``prior_knowledge`` x the true
  welcome and (1 - prior_knowledge) x a rumour ``prior_welcome`` (no draw). When a person's status
  changes at a destination-role node to a good one (a place, protection, a legal stay,
  integration) or a bad one (destitute, detained, rejected, irregular stay), it and those linked
  to it count ``report_weight`` good or bad outcomes there. The true welcome of a node is the
  share of good outcomes reported there so far, starting from 0.5 (worth 10 outcomes).
- Exchange: each day a person talks with ``contact_probability`` to one of its contacts (chosen at
  random) and adds ``exchange_weight`` x ``trust_contacts`` crossings at that contact's believed
  risk, hub by hub, and of its believed welcome, destination by destination.

Draws (``flowsim.rng.uniform`` with the day's information key, per person): 0 and 1 for the
exchange, 2 + j for hearing of the death of contact slot j (j < 16), NEWS_BACK + j for hearing
of the death of someone held in one's own slot j, 15 + 3s to 17 + 3s for campaign slot
s = 1, 2, ..., so that no two rules share a draw.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from flowsim.beliefs import believed
from flowsim.population import Status
from flowsim.rng import uniform
from flowsim.rules import EV_CAMPAIGN_REACH, EV_CONVERSATIONS, EV_DEATHS_NOTICED

DEAD = int(Status.DEAD)
MISSING = int(Status.MISSING)
RESETTLED = int(Status.RESETTLED)
WAITING_TO_CROSS = int(Status.WAITING_TO_CROSS)
GOOD_OUTCOMES = (Status.IN_RECEPTION, Status.IN_PROCEDURE, Status.RECOGNIZED,
                 Status.IN_TRAFFICKING_PROTECTION, Status.IN_CHILD_PROTECTION, Status.INTEGRATED,
                 Status.LEGAL_MIGRANT, Status.REGULARIZED)  # fmt: skip
BAD_OUTCOMES = (Status.DESTITUTE, Status.DETAINED, Status.REJECTED, Status.IRREGULAR_STAY)
WELCOME_PRIOR, WELCOME_PRIOR_WEIGHT = 0.5, 10.0  # the true welcome before any outcome
RISKS, LEGAL_OPTIONS, PROTECTION = 1, 2, 4  # campaign content bits
LEGAL_BITS = 1 | 2 | 4  # aware: every legal channel
PROTECTION_BIT = 8  # aware: protection available in first-asylum countries
NEWS_BACK = 1 << 20  # first draw for news of someone held as a contact
MIN_CONFIDENCE = 0.01  # pseudo-observations: forgetting never takes a belief below this


@njit(cache=True)
def present(status):
    """Alive and still in the network (the resettled have left it)."""
    return status != DEAD and status != MISSING and status != RESETTLED


def initial_beliefs(n: int, true_risk: np.ndarray, info, rng: np.random.Generator):
    """alpha, beta [n, hub] for new people (see the module docstring)."""
    h = true_risk.size
    k = info.prior_knowledge
    rumour = np.log(max(info.prior_risk, 1e-9)) + info.prior_spread * rng.standard_normal((n, h))
    log_p = k * np.log(np.maximum(true_risk, 1e-9))[None, :] + (1 - k) * rumour
    p = np.clip(np.exp(log_p), 1e-6, 1 - 1e-6)
    conf = info.prior_confidence
    return (p * conf).astype(np.float32), ((1 - p) * conf).astype(np.float32)


def initial_welcome(n: int, true_welcome: np.ndarray, info):
    """good, bad [n, destination] for new people: the same for everyone (no draw)."""
    k = info.prior_knowledge
    p = np.clip(k * true_welcome + (1 - k) * info.prior_welcome, 1e-6, 1 - 1e-6)
    conf = info.prior_confidence
    good = np.broadcast_to((p * conf).astype(np.float32), (n, p.size))
    return good, np.broadcast_to(((1 - p) * conf).astype(np.float32), (n, p.size))


def outcome_table() -> np.ndarray:
    """Per status: 1 a good outcome, 0 a bad one, -1 neither."""
    table = np.full(max(Status) + 1, -1, np.int8)
    table[list(GOOD_OUTCOMES)] = 1
    table[list(BAD_OUTCOMES)] = 0
    return table


def draw_contacts(origins: np.ndarray, first_row: int, community: dict[int, np.ndarray],
                  n_contacts: int, size: int, rng: np.random.Generator) -> np.ndarray:  # fmt: skip
    """Contacts [n, slot] for new rows ``first_row ..`` with these origins, drawn with
    replacement from the last ``size`` rows that set out from the same origin, today's included
    (a draw of oneself leaves the slot empty); updates ``community``."""
    out = np.full((origins.size, n_contacts), -1, np.int32)
    if n_contacts == 0 or origins.size == 0:
        return out
    for o in np.unique(origins):
        rows = np.flatnonzero(origins == o)
        ids = first_row + rows
        pool = np.concatenate([community.get(int(o), np.zeros(0, np.int64)), ids])[-size:]
        drawn = pool[rng.integers(0, pool.size, (rows.size, n_contacts))]
        out[rows] = np.where(drawn == ids[:, None], -1, drawn)
        community[int(o)] = pool
    return out


@njit(cache=True)
def _hear_of(key, c, draw, h, missing, landed, alpha, beta, notice_dead, notice_missing,
             news_weight, events):  # fmt: skip
    """Person c hears of one crossing from hub h: a landing always, a loss with the notice
    probability (its draw ``draw``)."""
    if landed:
        beta[c, h] += news_weight
        return
    p = notice_missing if missing else notice_dead
    if uniform(key, c, draw) < p:
        alpha[c, h] += news_weight
        events[EV_DEATHS_NOTICED] += 1


@njit(cache=True)
def hear_news(key, who, hub, missing, landed, contacts, status, alpha, beta, notice_dead,
              notice_missing, news_weight, events):  # fmt: skip
    """Everyone present who knows one of today's lost (``landed`` False) or landed (True)
    people hears of it: its own contacts (draw 2 + slot), then those who hold it as a contact
    (draw NEWS_BACK + slot)."""
    k_slots = contacts.shape[1]
    today = np.full(status.shape[0], -1, np.int32)  # row -> index in who, for the second pass
    for k in range(who.shape[0]):
        i = who[k]
        today[i] = k
        for j in range(k_slots):
            c = contacts[i, j]
            if c >= 0 and present(status[c]):
                _hear_of(key, c, 2 + j, hub[k], missing[k], landed[k], alpha, beta,
                         notice_dead, notice_missing, news_weight, events)  # fmt: skip
    if who.shape[0] == 0:
        return
    for c in range(status.shape[0]):
        if not present(status[c]):
            continue
        for j in range(k_slots):
            i = contacts[c, j]
            if i >= 0 and today[i] >= 0:
                k = today[i]
                _hear_of(key, c, NEWS_BACK + j, hub[k], missing[k], landed[k], alpha, beta,
                         notice_dead, notice_missing, news_weight, events)  # fmt: skip


@njit(cache=True)
def _count_outcome(c, k, o, good, bad, weight):
    """Person c counts ``weight`` good (o = 1) or bad (o = 0) outcomes at destination k."""
    if o == 1:
        good[c, k] += weight
    else:
        bad[c, k] += weight


@njit(cache=True)
def hear_outcomes(day, status, status_day, node, dest_of_node, outcome, contacts, good, bad,
                  weight, seen_good, seen):  # fmt: skip
    """People whose status changed today to a good or bad outcome at a destination-role node
    report it: they, their present contacts and the present people who hold them as a contact
    count ``weight`` outcomes there; the node's tallies ``seen_good`` and ``seen`` grow by one."""
    k_slots = contacts.shape[1]
    report = np.full(status.shape[0], -1, np.int32)  # row -> 2 x destination + outcome
    for i in range(status.shape[0]):
        if status_day[i] != day:
            continue
        k = dest_of_node[node[i]]
        o = outcome[status[i]]
        if k < 0 or o < 0:
            continue
        seen[k] += 1.0
        seen_good[k] += o
        report[i] = 2 * k + o
        for j in range(-1, k_slots):
            c = i if j < 0 else contacts[i, j]
            if c >= 0 and present(status[c]):
                _count_outcome(c, k, o, good, bad, weight)
    for c in range(status.shape[0] if k_slots else 0):
        if not present(status[c]):
            continue
        for j in range(k_slots):
            i = contacts[c, j]
            if i >= 0 and report[i] >= 0:
                _count_outcome(c, report[i] >> 1, report[i] & 1, good, bad, weight)


@njit(cache=True)
def fade(lost, kept, keep, floor):
    """Every pseudo-count pair (lost, kept) fades by ``keep`` a day; a pair whose confidence
    (their sum) would fall below ``floor`` is scaled up to it instead, so the believed share
    stays the same and never becomes 0 / 0."""
    for i in range(lost.shape[0]):
        for h in range(lost.shape[1]):
            a, b = lost[i, h] * keep, kept[i, h] * keep
            total = a + b
            if 0 < total < floor:
                a, b = a * (floor / total), b * (floor / total)
            lost[i, h], kept[i, h] = a, b


@njit(cache=True)
def belief_gap(status, counted, lost, kept, truth, believed_sum):
    """Over the agents whose status is ``counted``: adds each one's believed share per column to
    ``believed_sum`` and returns (the sum over them and every column of |believed - truth|, how
    many they are)."""
    gap, n = 0.0, 0
    for i in range(status.shape[0]):
        if not counted[status[i]]:
            continue
        n += 1
        for h in range(lost.shape[1]):
            b = believed(lost[i, h], kept[i, h])
            believed_sum[h] += b
            gap += abs(b - truth[h])
    return gap, n


@njit(cache=True)
def hear_smugglers(status, node, hub_of_node, alpha, beta, true_risk, claim, trust, weight):
    """People waiting at a hub hear the smugglers' promise about that hub."""
    for i in range(status.shape[0]):
        if status[i] != WAITING_TO_CROSS:
            continue
        h = hub_of_node[node[i]]
        if h < 0:
            continue
        w = weight * trust[node[i]]
        p = claim * true_risk[h]
        alpha[i, h] += w * p
        beta[i, h] += w * (1.0 - p)


def campaign_credibility(credibility: float, content: int, info) -> float:
    """Effective credibility of a campaign message (before trust in officials)."""
    if content == RISKS:
        credibility *= info.deterrence_only_credibility
    elif content & (LEGAL_OPTIONS | PROTECTION):
        credibility *= info.balanced_credibility
    return min(1.0, credibility)


@njit(cache=True)
def reach_campaign(key, slot, status, node, at_node, reach, credibility, content, trust,
                   weight, true_risk, alpha, beta, aware, events):  # fmt: skip
    """One campaign today: reach people present at its nodes and change what they believe."""
    draws = 15 + 3 * slot  # the first of this campaign's three draws per person
    for i in range(status.shape[0]):
        if not present(status[i]) or not at_node[node[i]]:
            continue
        if uniform(key, i, draws) >= reach:
            continue
        events[EV_CAMPAIGN_REACH] += 1
        c = credibility * trust[node[i]]
        if content & RISKS:
            for h in range(true_risk.shape[0]):
                alpha[i, h] += c * weight * true_risk[h]
                beta[i, h] += c * weight * (1.0 - true_risk[h])
        if content & LEGAL_OPTIONS and uniform(key, i, draws + 1) < c:
            aware[i] |= LEGAL_BITS
        if content & PROTECTION and uniform(key, i, draws + 2) < c:
            aware[i] |= PROTECTION_BIT


@njit(cache=True)
def exchange(key, status, node, contacts, alpha, beta, good, bad, probability, trust, weight,
             events):  # fmt: skip
    """Each person may talk to one contact today and take in its beliefs about the sea
    crossings and about the welcome at destinations."""
    k = contacts.shape[1]
    if k == 0:
        return
    for i in range(status.shape[0]):
        if not present(status[i]) or uniform(key, i, 0) >= probability[node[i]]:
            continue
        c = contacts[i, min(k - 1, int(uniform(key, i, 1) * k))]
        if c < 0 or not present(status[c]):
            continue
        events[EV_CONVERSATIONS] += 1
        w = weight * trust[node[i]]
        for h in range(alpha.shape[1]):
            p = alpha[c, h] / max(alpha[c, h] + beta[c, h], 1e-12)
            alpha[i, h] += w * p
            beta[i, h] += w * (1.0 - p)
        for n in range(good.shape[1]):
            p = good[c, n] / max(good[c, n] + bad[c, n], 1e-12)
            good[i, n] += w * p
            bad[i, n] += w * (1.0 - p)
