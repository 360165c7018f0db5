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

Draws: :class:`Draw`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

import numpy as np
from numba import njit

from flowsim.beliefs import Beliefs, believed
from flowsim.events import Event
from flowsim.network import hub_hazards
from flowsim.population import LEGAL_CHANNELS, Aware, Status
from flowsim.rng import Rule, uniform
from flowsim.rules import Mechanism, params_of
from flowsim.scenario import MAX_DAYS
from flowsim.timeline import day_number

GOOD_OUTCOMES = (Status.IN_RECEPTION, Status.IN_PROCEDURE, Status.RECOGNIZED,
                 Status.IN_TRAFFICKING_PROTECTION, Status.IN_CHILD_PROTECTION, Status.INTEGRATED,
                 Status.LEGAL_MIGRANT, Status.REGULARIZED)  # fmt: skip
BAD_OUTCOMES = (Status.DESTITUTE, Status.DETAINED, Status.REJECTED, Status.IRREGULAR_STAY)
# the statuses of people who are still deciding where to go (the belief records are over them)
DECIDING = (Status.AT_ORIGIN, Status.IN_TRANSIT, Status.WAITING_TO_CROSS, Status.STRANDED)
WELCOME_PRIOR, WELCOME_PRIOR_WEIGHT = 0.5, 10.0  # the true welcome before any outcome
TRUE_RISK_PRIOR_WEIGHT = 50.0  # crossings the mean hazard of a hub's sea legs is worth
MIN_CONFIDENCE = 0.01  # pseudo-observations: forgetting never takes a belief below this


class Content(IntEnum):
    """Bits of a campaign's content."""

    RISKS = 1
    LEGAL_OPTIONS = 2
    PROTECTION = 4


class Draw(IntEnum):
    """The information step's draws per person (key: Rule.INFORMATION). News of the death of
    the person in contact slot j is drawn with NEWS + j (j < 16), of someone who holds the
    person in its slot j with NEWS_BACK + j; campaign slot s = 1, 2, ... draws CAMPAIGN + 3s to
    CAMPAIGN + 3s + 2, so that no two rules share a draw."""

    TALKS = 0
    WHOM = 1
    NEWS = 2
    CAMPAIGN = 15
    NEWS_BACK = 1 << 20


class InformationParams(NamedTuple):
    """``[behaviour.information]``: beliefs and how they change."""

    prior_knowledge: float  # 1: new agents start at the true risk; 0: at a rumour
    prior_risk: float  # the rumour: risk believed without objective information
    prior_spread: float  # sd of log(believed risk) between people for the rumour part
    prior_confidence: float  # pseudo-crossings behind a new belief
    contacts: int  # contact slots per person
    community_size: int  # recent people from one origin to draw contacts from
    exchange_weight: float  # pseudo-crossings one conversation is worth at full trust
    news_weight: float  # pseudo-crossings a contact's death or arrival is worth
    notice_dead: float  # chance contacts hear of a death whose body is found
    notice_missing: float  # ... of someone missing
    witness_weight: float  # for survivors on a boat where people died
    campaign_weight: float  # pseudo-crossings of a campaign message at full credibility
    smuggler_weight: float  # of a smuggler's daily promise at full trust
    smuggler_claim: float  # smugglers claim the risk is this share of the true risk
    forgetting: float  # daily decay of pseudo-counts
    deterrence_only_credibility: float  # credibility multiplier of a risks-only campaign
    balanced_credibility: float  # ... of a balanced campaign
    protection_unknown_discount: float  # value of first asylum to people unaware of it
    prior_welcome: float  # the rumour about the welcome at destinations
    report_weight: float  # outcomes one report of a reception or decision is worth


@dataclass
class Campaign:
    """One entry of ``policy.information.campaigns``, compiled."""

    at_node: np.ndarray  # bool per node
    start: int
    end: int
    reach: float
    credibility: float  # effective, before trust in officials
    content: int  # bit set over Content
    name: str
    reached: int = 0  # people reached so far (a person reached on two days counts twice)


class Information(Mechanism):
    """What people believe and how it changes: their beliefs and contacts (``model.beliefs``),
    the truth they are measured against, the news of the day, campaigns, and the daily records
    of beliefs."""

    LEVERS = {
        "contact_probability": "policy.information.contact_probability",
        "trust_contacts": "policy.information.trust_contacts",
        "trust_officials": "policy.information.trust_officials",
        "trust_smugglers": "policy.information.trust_smugglers",
    }

    def __init__(self, model) -> None:
        super().__init__(model)
        net, days = model.net, model.days
        self.params = p = params_of(InformationParams, model.scenario.behaviour.information)
        n_hubs, n_dest = len(net.hub_nodes), net.destination_nodes.size
        model.beliefs = Beliefs(n_hubs, p.contacts, capacity=model.pop._cap,
                                n_destinations=n_dest)  # fmt: skip
        self.community: dict[int, np.ndarray] = {}  # each origin's recent agents
        self.campaigns = compile_campaigns(model.scenario, net.index, p)
        self.outcome = outcome_table()
        # the truth: the risk of each hub as sailed so far, the welcome as reported so far
        self.hub_prior, _ = hub_hazards(net)
        self.sea_lost, self.sea_sailed = np.zeros(n_hubs), np.zeros(n_hubs)
        self.true_risk = self.hub_prior.copy()
        self.welcome_good, self.welcome_seen = np.zeros(n_dest), np.zeros(n_dest)
        self.true_welcome = np.full(n_dest, WELCOME_PRIOR)
        # daily records: [day, hub] mean believed risk of people still deciding, the true risk;
        # [day] mean gap between believed and true risk (welcome) over them
        self.believed_risk_by_day = np.full((days, n_hubs), np.nan)
        self.true_risk_by_day = np.full((days, n_hubs), np.nan)
        self.belief_error_by_day = np.full(days, np.nan)
        self.welcome_error_by_day = np.full(days, np.nan)
        self.deciding = np.isin(np.arange(len(Status)), DECIDING)
        self.sea_news: tuple = ()
        self.witnesses: tuple = ()

    def new_agents(self, model) -> None:
        """Beliefs and contacts for the agents added since the last call."""
        first, n, p = model.beliefs.n, model.pop.n, self.params
        if n == first:
            return
        alpha, beta = initial_beliefs(n - first, self.true_risk, p, model.rng)
        contacts = draw_contacts(model.pop.origin[first:n], first, self.community, p.contacts,
                                 p.community_size, model.rng)  # fmt: skip
        good, bad = initial_welcome(n - first, self.true_welcome, p)
        model.beliefs.add(alpha=alpha, beta=beta, good=good, bad=bad, contacts=contacts)

    def hear_of_sea(self, who, hub, missing, landed, witnesses, witness_hub) -> None:
        """Today's lost and landed (with the hub each sailed from), and the survivors who saw
        people lost from their boat: news for this evening's information step."""
        self.sea_news = (who, hub, missing, landed)
        self.witnesses = (witnesses, witness_hub)

    def step(self, model, day: int) -> None:
        """What people heard today: news of the sea, smugglers, campaigns, their contacts."""
        net, lv, p, tally = model.net, model.levers, self.params, model.tally
        a, bl = model.pop.agents(), model.beliefs.state()
        key = model.keys(Rule.INFORMATION, day)
        who, hub, missing, landed = self.sea_news
        np.add.at(self.sea_lost, hub[~landed], 1.0)
        sea = net.sea_edges
        np.add.at(self.sea_sailed, net.node_hub[net.edge_src[sea]], tally.edge_flow[sea])
        w = TRUE_RISK_PRIOR_WEIGHT
        self.true_risk = (self.sea_lost + w * self.hub_prior) / (self.sea_sailed + w)
        hear_news(key, who, hub, missing, landed, bl, a.status, p, tally.events)
        w_who, w_hub = self.witnesses
        np.add.at(bl.alpha, (w_who, w_hub), np.float32(p.witness_weight))
        hear_smugglers(a, net.node_hub, bl, self.true_risk, lv["trust_smugglers"][day], p)
        for slot, c in enumerate(self.campaigns):
            if c.start <= day <= c.end:
                before = int(tally.events[Event.CAMPAIGN_REACH])
                reach_campaign(key, slot + 1, a, c.at_node, c.reach, c.credibility, c.content,
                               lv["trust_officials"][day], self.true_risk, bl, p, tally.events)  # fmt: skip
                c.reached += int(tally.events[Event.CAMPAIGN_REACH]) - before
        hear_outcomes(day, a, net.node_destination, self.outcome, bl, p.report_weight,
                      self.welcome_good, self.welcome_seen)  # fmt: skip
        w0, n0 = WELCOME_PRIOR, WELCOME_PRIOR_WEIGHT
        self.true_welcome = (self.welcome_good + n0 * w0) / (self.welcome_seen + n0)
        exchange(key, a, bl, lv["contact_probability"][day], lv["trust_contacts"][day], p,
                 tally.events)  # fmt: skip
        keep, floor = np.float32(1.0 - p.forgetting), np.float32(MIN_CONFIDENCE)
        fade(bl.alpha, bl.beta, keep, floor)
        fade(bl.bad, bl.good, keep, floor)
        self.record(day, a.status, bl)

    def record(self, day: int, status: np.ndarray, bl) -> None:
        """The day's true and believed risks and the belief and welcome errors."""
        self.true_risk_by_day[day] = self.true_risk
        believed_sum = np.zeros(bl.alpha.shape[1])
        gap, n = belief_gap(status, self.deciding, bl.alpha, bl.beta, self.true_risk,
                            believed_sum)  # fmt: skip
        if n and believed_sum.size:
            self.belief_error_by_day[day] = gap / (n * believed_sum.size)
            self.believed_risk_by_day[day] = believed_sum / n
        welcome = np.zeros(bl.good.shape[1])
        gap, n = belief_gap(status, self.deciding, bl.good, bl.bad, self.true_welcome, welcome)
        if n and welcome.size:
            self.welcome_error_by_day[day] = gap / (n * welcome.size)


def compile_campaigns(scenario, index: dict[str, int], params) -> list[Campaign]:
    out = []
    start = scenario.simulation.start_date
    for k, c in enumerate(scenario.policy.information.campaigns):
        at = np.zeros(len(index), bool)
        at[[index[n] for n in c.nodes]] = True
        content = 0
        for item in c.content:
            content |= Content[item.upper()]
        end = MAX_DAYS if c.end is None else day_number(c.end, start)
        out.append(Campaign(
            at_node=at, start=day_number(c.start, start), end=min(end, MAX_DAYS), reach=c.reach,
            credibility=campaign_credibility(c.credibility, content, params),
            content=content, name=c.name or f"campaign {k + 1}",
        ))  # fmt: skip
    return out


@njit(cache=True)
def present(status):
    """Alive and still in the network (the resettled have left it)."""
    return status != Status.DEAD and status != Status.MISSING and status != Status.RESETTLED


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
    table = np.full(len(Status), -1, np.int8)
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
def _hear_of(key, c, draw, h, missing, landed, beliefs, params, events):
    """Person c hears of one crossing from hub h: a landing always, a loss with the notice
    probability (its draw ``draw``)."""
    p = params
    if landed:
        beliefs.beta[c, h] += p.news_weight
        return
    notice = p.notice_missing if missing else p.notice_dead
    if uniform(key, c, draw) < notice:
        beliefs.alpha[c, h] += p.news_weight
        events[Event.DEATHS_NOTICED] += 1


@njit(cache=True)
def hear_news(key, who, hub, missing, landed, beliefs, status, params, events):
    """Everyone present who knows one of today's lost (``landed`` False) or landed (True)
    people hears of it: its own contacts (draw NEWS + slot), then those who hold it as a
    contact (draw NEWS_BACK + slot)."""
    contacts = beliefs.contacts
    k_slots = contacts.shape[1]
    today = np.full(status.shape[0], -1, np.int32)  # row -> index in who, for the second pass
    for k in range(who.shape[0]):
        i = who[k]
        today[i] = k
        for j in range(k_slots):
            c = contacts[i, j]
            if c >= 0 and present(status[c]):
                _hear_of(key, c, Draw.NEWS + j, hub[k], missing[k], landed[k], beliefs, params,
                         events)  # fmt: skip
    if who.shape[0] == 0:
        return
    for c in range(status.shape[0]):
        if not present(status[c]):
            continue
        for j in range(k_slots):
            i = contacts[c, j]
            if i >= 0 and today[i] >= 0:
                k = today[i]
                _hear_of(key, c, Draw.NEWS_BACK + j, hub[k], missing[k], landed[k], beliefs,
                         params, events)  # fmt: skip


@njit(cache=True)
def _count_outcome(c, k, o, good, bad, weight):
    """Person c counts ``weight`` good (o = 1) or bad (o = 0) outcomes at destination k."""
    if o == 1:
        good[c, k] += weight
    else:
        bad[c, k] += weight


@njit(cache=True)
def hear_outcomes(day, agents, dest_of_node, outcome, beliefs, weight, seen_good, seen):
    """People whose status changed today to a good or bad outcome at a destination-role node
    report it: they, their present contacts and the present people who hold them as a contact
    count ``weight`` outcomes there; the node's tallies ``seen_good`` and ``seen`` grow by one."""
    status, contacts, good, bad = agents.status, beliefs.contacts, beliefs.good, beliefs.bad
    k_slots = contacts.shape[1]
    report = np.full(status.shape[0], -1, np.int32)  # row -> 2 x destination + outcome
    for i in range(status.shape[0]):
        if agents.status_day[i] != day:
            continue
        k = dest_of_node[agents.node[i]]
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
def hear_smugglers(agents, hub_of_node, beliefs, true_risk, trust, params):
    """People waiting at a hub hear the smugglers' promise about that hub."""
    a, p = agents, params
    for i in range(a.status.shape[0]):
        if a.status[i] != Status.WAITING_TO_CROSS:
            continue
        h = hub_of_node[a.node[i]]
        if h < 0:
            continue
        w = p.smuggler_weight * trust[a.node[i]]
        q = p.smuggler_claim * true_risk[h]
        beliefs.alpha[i, h] += w * q
        beliefs.beta[i, h] += w * (1.0 - q)


def campaign_credibility(credibility: float, content: int, info) -> float:
    """Effective credibility of a campaign message (before trust in officials)."""
    if content == Content.RISKS:
        credibility *= info.deterrence_only_credibility
    elif content & (Content.LEGAL_OPTIONS | Content.PROTECTION):
        credibility *= info.balanced_credibility
    return min(1.0, credibility)


@njit(cache=True)
def reach_campaign(key, slot, agents, at_node, reach, credibility, content, trust, true_risk,
                   beliefs, params, events):  # fmt: skip
    """One campaign today: reach people present at its nodes and change what they believe."""
    a, alpha, beta = agents, beliefs.alpha, beliefs.beta
    draws = Draw.CAMPAIGN + 3 * slot  # the first of this campaign's three draws per person
    for i in range(a.status.shape[0]):
        if not present(a.status[i]) or not at_node[a.node[i]]:
            continue
        if uniform(key, i, draws) >= reach:
            continue
        events[Event.CAMPAIGN_REACH] += 1
        c = credibility * trust[a.node[i]]
        if content & Content.RISKS:
            for h in range(true_risk.shape[0]):
                alpha[i, h] += c * params.campaign_weight * true_risk[h]
                beta[i, h] += c * params.campaign_weight * (1.0 - true_risk[h])
        if content & Content.LEGAL_OPTIONS and uniform(key, i, draws + 1) < c:
            a.aware[i] |= LEGAL_CHANNELS
        if content & Content.PROTECTION and uniform(key, i, draws + 2) < c:
            a.aware[i] |= Aware.PROTECTION


@njit(cache=True)
def exchange(key, agents, beliefs, probability, trust, params, events):
    """Each person may talk to one contact today and take in its beliefs about the sea
    crossings and about the welcome at destinations."""
    status, node = agents.status, agents.node
    alpha, beta, good, bad, contacts = beliefs
    k = contacts.shape[1]
    if k == 0:
        return
    for i in range(status.shape[0]):
        if not present(status[i]) or uniform(key, i, Draw.TALKS) >= probability[node[i]]:
            continue
        c = contacts[i, min(k - 1, int(uniform(key, i, Draw.WHOM) * k))]
        if c < 0 or not present(status[c]):
            continue
        events[Event.CONVERSATIONS] += 1
        w = params.exchange_weight * trust[node[i]]
        for h in range(alpha.shape[1]):
            p = float(alpha[c, h]) / max(float(alpha[c, h] + beta[c, h]), 1e-12)
            alpha[i, h] += w * p
            beta[i, h] += w * (1.0 - p)
        for n in range(good.shape[1]):
            p = float(good[c, n]) / max(float(good[c, n] + bad[c, n]), 1e-12)
            good[i, n] += w * p
            bad[i, n] += w * (1.0 - p)
