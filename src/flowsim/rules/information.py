"""Information: beliefs, contacts, news of deaths and arrivals, smugglers' promises, campaigns
(10-Point Plan point 10; seeds/001:674-676, seeds/000:118-125; Routes and Rumours, BRIEF §9).

People decide on what they believe, not on the truth. Each person holds, per embarkation hub, a
Beta belief about the chance of dying on a crossing from there (``flowsim.beliefs``); route choice
reads its mean. A belief changes by pseudo-observations (weights in ``behaviour.information``)
and its confidence fades by ``forgetting`` a day, so it stays revisable (never below MIN_CONFIDENCE
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
- Exchange: each day a person still deciding (``DECIDING``) talks with ``contact_probability`` to
  one of its contacts (chosen at random, one draw for both) and adds ``exchange_weight`` x
  ``trust_contacts`` crossings at that contact's believed risk, hub by hub, and of its believed
  welcome, destination by destination; everyone talks at once, from the beliefs as they stood
  before anyone talked today. The day's belief records (over the people still deciding) are
  taken in the same pass.
- Forgetting is applied when a confidence is read: stored confidences are scaled by the day
  (``beliefs.Beliefs.scale``), the same as fading everyone every day, at no cost a day.

Draws: :class:`Draw`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

import numpy as np
from numba import njit

from flowsim import chunks
from flowsim.beliefs import (
    MEAN_SCALE,
    Beliefs,
    add_evidence,
    encode_means,
    from_word,
    rounding,
    rounding_word,
)
from flowsim.events import N_EVENTS, Event
from flowsim.network import hub_hazards
from flowsim.population import CHUNK_WORDS, LEGAL_CHANNELS, Aware, Status, lowest_bit
from flowsim.rng import Rule, uniform
from flowsim.rules import Mechanism, params_of
from flowsim.scenario import MAX_DAYS
from flowsim.timeline import day_number

GOOD_OUTCOMES = (
    Status.IN_RECEPTION,
    Status.IN_PROCEDURE,
    Status.RECOGNIZED,
    Status.IN_TRAFFICKING_PROTECTION,
    Status.IN_CHILD_PROTECTION,
    Status.INTEGRATED,
    Status.LEGAL_MIGRANT,
    Status.REGULARIZED,
)
BAD_OUTCOMES = (Status.DESTITUTE, Status.DETAINED, Status.REJECTED, Status.IRREGULAR_STAY)
# the statuses of people who are still deciding where to go: they listen to their contacts, and
# the belief records are over them
DECIDING = (Status.AT_ORIGIN, Status.IN_TRANSIT, Status.WAITING_TO_CROSS, Status.STRANDED)
WELCOME_PRIOR, WELCOME_PRIOR_WEIGHT = 0.5, 10.0  # the true welcome before any outcome
TRUE_RISK_PRIOR_WEIGHT = 50.0  # crossings the mean hazard of a hub's sea legs is worth


class Content(IntEnum):
    """Bits of a campaign's content."""

    RISKS = 1
    LEGAL_OPTIONS = 2
    PROTECTION = 4


class Draw(IntEnum):
    """The information step's draws per person (key: Rule.INFORMATION). News of the death of
    the person in contact slot j is drawn with NEWS + j (j < 16), of someone who holds the
    person in its slot j with NEWS_BACK + j; campaign slot s = 1, 2, ... draws CAMPAIGN + 3s to
    CAMPAIGN + 3s + 2; the random rounding of a belief changed alone ``beliefs.ROUNDING`` + its
    column (risks first, then welcomes), of the beliefs a talker changes together
    ``beliefs.ROUNDING_WORDS`` + column // 4; so that no two rules share a draw."""

    TALKS = 0
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


class Today(NamedTuple):
    """What the information step of the day works with, beside the beliefs."""

    day: int
    key: int
    scale: float  # what stored confidences are multiplied by today (``Beliefs.scale``)
    true_risk: np.ndarray  # [hub]
    true_welcome: np.ndarray  # [destination]
    trust_smugglers: np.ndarray  # [node]
    trust_officials: np.ndarray  # [node]
    trust_contacts: np.ndarray  # [node]
    contact_probability: np.ndarray  # [node]
    hub_of_node: np.ndarray  # [node]
    dest_of_node: np.ndarray  # [node]


class Campaigns(NamedTuple):
    """Today's running campaigns, one row each."""

    slot: np.ndarray  # int64: 1 + the campaign's place in the list (its draws)
    at_node: np.ndarray  # bool [campaign, node]
    reach: np.ndarray
    credibility: np.ndarray  # effective, before trust in officials
    content: np.ndarray  # int64 bit set over Content


class News(NamedTuple):
    """Today's news from the sea and today's reports of outcomes, by the person they are of
    (``marked``: a bit per agent, as in ``population.Agents.members``), sorted by agent."""

    lost_marked: np.ndarray  # uint64 [word]: lost or landed today
    who: np.ndarray  # int64: those people, sorted
    hub: np.ndarray  # the hub each sailed from
    missing: np.ndarray  # bool: lost and never found
    landed: np.ndarray  # bool: landed (else lost)
    report_marked: np.ndarray  # uint64 [word]: reported an outcome at a destination today
    reporter: np.ndarray  # int64: those people, sorted
    report: np.ndarray  # int64: 2 x destination + outcome (1 good, 0 bad)
    marked: np.ndarray  # uint64 [word]: either


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
    slot: int  # its place in the list, from 1 (which draws it takes)
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
        model.beliefs = Beliefs(
            n_hubs, p.contacts, model.pop._cap, n_destinations=n_dest, keep=1.0 - p.forgetting
        )
        self.community: dict[int, np.ndarray] = {}  # each origin's recent agents
        # who can hold whom as a contact (:meth:`holders`): the first row of each batch of new
        # agents given contacts (:meth:`new_agents`), and per origin the agents from it in
        # batches 0 .. b, for each batch b
        self.batch_starts: list[int] = []
        self.from_origin: dict[int, list[int]] = {}
        self.campaigns = compile_campaigns(model.scenario, net.index, p)
        self.outcome = outcome_table()
        # the truth: the risk of each hub as sailed so far, the welcome as reported so far
        self.hub_prior, _ = hub_hazards(net)
        self.sea_lost, self.sea_sailed = np.zeros(n_hubs), np.zeros(n_hubs)
        self.true_risk = self.hub_prior.copy()
        self.welcome_good, self.welcome_seen = np.zeros(n_dest), np.zeros(n_dest)
        self.true_welcome = np.full(n_dest, WELCOME_PRIOR)
        self.talk_room = TalkRoom(n_hubs + n_dest)
        # daily records: [day, hub] mean believed risk of people still deciding, the true risk;
        # [day] mean gap between believed and true risk (welcome) over them
        self.believed_risk_by_day = np.full((days, n_hubs), np.nan)
        self.true_risk_by_day = np.full((days, n_hubs), np.nan)
        self.belief_error_by_day = np.full(days, np.nan)
        self.welcome_error_by_day = np.full(days, np.nan)
        self.sea_news: tuple = ()
        self.witnesses: tuple = ()

    def new_agents(self, model) -> None:
        """Beliefs and contacts for the agents added since the last call."""
        first, n, p = model.beliefs.n, model.pop.n, self.params
        if n == first:
            return
        k = n - first
        self.add_batch(first, model.pop.origin[first:n])
        risk = initial_beliefs(k, self.true_risk, p, model.rng)
        contacts = draw_contacts(
            model.pop.origin[first:n],
            first,
            self.community,
            p.contacts,
            p.community_size,
            model.rng,
        )
        welcome = initial_welcome(k, self.true_welcome, p)
        conf = model.beliefs.stored(p.prior_confidence, max(model.day, 0))
        model.beliefs.add(
            risk_mean=encode_means(risk),
            risk_n=np.full(risk.shape, conf, np.uint16),
            welcome_mean=encode_means(welcome),
            welcome_n=np.full(welcome.shape, conf, np.uint16),
            contacts=contacts,
        )

    def add_batch(self, first: int, origins: np.ndarray) -> None:
        self.batch_starts.append(first)
        values, counts = np.unique(origins, return_counts=True)
        new = dict(zip(values.tolist(), counts.tolist(), strict=True))
        b = len(self.batch_starts) - 1
        for o in new.keys() - self.from_origin.keys():
            self.from_origin[o] = [0] * b
        for o, cum in self.from_origin.items():
            cum.append((cum[-1] if cum else 0) + new.get(o, 0))

    def holders(self, marked: np.ndarray, origin: np.ndarray, n: int) -> np.ndarray:
        """Which words of rows (bool [word]) may hold as a contact one of the ``marked`` rows
        (``origin``: the population's; ``n`` rows). Row c is drawn as a contact by rows of its
        own batch and later ones, from its origin, as long as it is among the last
        ``community_size`` people from its origin (:func:`draw_contacts`): so not after the
        last batch b with at most ``community_size`` - 1 people from its origin in batches
        after its own up to b (a bound: those after it in its own batch are not counted), nor
        after the last batch up to b with people from its origin."""
        words = (n + 63) >> 6
        if marked.size == 0:
            return np.zeros(words, bool)
        starts = np.asarray(self.batch_starts, np.int64)
        ends = np.append(starts[1:], n)
        batch = np.searchsorted(starts, marked, "right") - 1
        last = batch.copy()
        of = origin[marked]
        for o in np.unique(of).tolist():
            sel = of == o
            cum = np.asarray(self.from_origin[o])
            seen = cum[batch[sel]] + self.params.community_size - 1
            last_in_pool = np.searchsorted(cum, seen, "right") - 1
            # the last batch up to that one with people from the origin
            last[sel] = np.maximum(batch[sel], np.searchsorted(cum, cum[last_in_pool], "left"))
        edges = np.zeros(words + 1, np.int64)
        np.add.at(edges, starts[batch] >> 6, 1)
        np.add.at(edges, (ends[last] + 63) >> 6, -1)
        return np.cumsum(edges[:-1]) > 0

    def hear_of_sea(self, who, hub, missing, landed, witnesses, witness_hub) -> None:
        """Today's lost and landed (with the hub each sailed from), and the survivors who saw
        people lost from their boat: news for this evening's information step (indices as
        int64 whatever their source, so that the kernels are compiled for one type only)."""
        who, hub, witnesses, witness_hub = (
            np.asarray(x, np.int64) for x in (who, hub, witnesses, witness_hub)
        )
        self.sea_news = (who, hub, missing, landed)
        self.witnesses = (witnesses, witness_hub)

    def step(self, model, day: int) -> None:
        """What people heard today: news of the sea, outcomes at destinations, smugglers,
        campaigns, their contacts."""
        net, lv, p, tally = model.net, model.levers, self.params, model.tally
        model.beliefs.rebase(day)  # once in ~1,000 days
        a, bl = model.pop.agents(), model.beliefs.state()
        who, hub, missing, landed = self.sea_news
        np.add.at(self.sea_lost, hub[~landed], 1.0)
        sea = net.sea_edges
        np.add.at(self.sea_sailed, net.node_hub[net.edge_src[sea]], tally.edge_flow[sea])
        w = TRUE_RISK_PRIOR_WEIGHT
        self.true_risk = (self.sea_lost + w * self.hub_prior) / (self.sea_sailed + w)
        today = Today(
            day=day,
            key=model.keys(Rule.INFORMATION, day),
            scale=model.beliefs.scale(day),
            true_risk=self.true_risk,
            true_welcome=self.true_welcome,
            trust_smugglers=lv["trust_smugglers"][day],
            trust_officials=lv["trust_officials"][day],
            trust_contacts=lv["trust_contacts"][day],
            contact_probability=lv["contact_probability"][day],
            hub_of_node=net.node_hub,
            dest_of_node=net.node_destination,
        )
        o = np.argsort(who, kind="stable")
        seen = self.welcome_good, self.welcome_seen
        news = find_reports(a, today, self.outcome, who[o], hub[o], missing[o], landed[o], *seen)
        w0, n0 = WELCOME_PRIOR, WELCOME_PRIOR_WEIGHT
        self.true_welcome[:] = (self.welcome_good + n0 * w0) / (self.welcome_seen + n0)
        # news and reports to the contacts of those they are of, and what witnesses saw
        w_who, w_hub = self.witnesses
        tell_contacts(a, bl, today, news, w_who, w_hub, p, tally.events)
        # everyone present: news and reports of those it holds as contacts, smugglers' promises,
        # campaigns; then people still deciding talk to a contact
        running = [c for c in self.campaigns if c.start <= day <= c.end]
        campaigns = self.running(running, net.n_nodes)
        n = chunks.n_chunks(a.changed.shape[0])
        counts = np.zeros((n, N_EVENTS), np.int64)
        reached = np.zeros((n, len(running)), np.int64)
        marked = np.concatenate((news.who, news.reporter))
        scan = self.holders(marked, model.pop.origin, a.status.shape[0])
        chunks.run(hear, n, a, bl, today, news, scan, campaigns, p, counts, reached)
        tally.events[:] += counts.sum(axis=0)
        for c, k in zip(running, reached.sum(axis=0), strict=True):
            c.reached += int(k)
        talk = self.talk_room.today(a, self.true_risk.size)
        tally.events[Event.CONVERSATIONS] += exchange(a, bl, today, p, talk)
        self.record(day, talk.sums.sum(axis=0))

    @staticmethod
    def running(campaigns: list[Campaign], n_nodes: int) -> Campaigns:
        return Campaigns(
            slot=np.array([c.slot for c in campaigns], np.int64),
            at_node=np.array([c.at_node for c in campaigns], bool).reshape(-1, n_nodes),
            reach=np.array([c.reach for c in campaigns], float),
            credibility=np.array([c.credibility for c in campaigns], float),
            content=np.array([c.content for c in campaigns], np.int64),
        )

    def record(self, day: int, total: np.ndarray) -> None:
        """The day's true and believed risks and the belief and welcome errors, over the
        people still deciding (``total``: the sums of :func:`record_beliefs` over them)."""
        self.true_risk_by_day[day] = self.true_risk
        believed, gap, welcome_gap, n = total[:-3], total[-3], total[-2], int(total[-1])
        if n and believed.size:
            self.belief_error_by_day[day] = gap / (n * believed.size)
            self.believed_risk_by_day[day] = believed / n
        if n and self.true_welcome.size:
            self.welcome_error_by_day[day] = welcome_gap / (n * self.true_welcome.size)


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
        out.append(
            Campaign(
                at_node=at,
                start=day_number(c.start, start),
                end=min(end, MAX_DAYS),
                reach=c.reach,
                credibility=campaign_credibility(c.credibility, content, params),
                content=content,
                name=c.name or f"campaign {k + 1}",
                slot=k + 1,
            )
        )
    return out


@njit(cache=True, inline="always")
def present(status):
    """Alive and still in the network (the resettled have left it)."""
    return status != Status.DEAD and status != Status.MISSING and status != Status.RESETTLED


def initial_beliefs(n: int, true_risk: np.ndarray, info, rng: np.random.Generator) -> np.ndarray:
    """Believed risk [n, hub] of new people (see the module docstring)."""
    h = true_risk.size
    k = info.prior_knowledge
    rumour = np.log(max(info.prior_risk, 1e-9)) + info.prior_spread * rng.standard_normal((n, h))
    log_p = k * np.log(np.maximum(true_risk, 1e-9))[None, :] + (1 - k) * rumour
    return np.clip(np.exp(log_p), 1e-6, 1 - 1e-6)


def initial_welcome(n: int, true_welcome: np.ndarray, info) -> np.ndarray:
    """Believed welcome [n, destination] of new people: the same for everyone (no draw)."""
    k = info.prior_knowledge
    p = np.clip(k * true_welcome + (1 - k) * info.prior_welcome, 1e-6, 1 - 1e-6)
    return np.broadcast_to(p, (n, p.size))


def outcome_table() -> np.ndarray:
    """Per status: 1 a good outcome, 0 a bad one, -1 neither."""
    table = np.full(len(Status), -1, np.int8)
    table[list(GOOD_OUTCOMES)] = 1
    table[list(BAD_OUTCOMES)] = 0
    return table


def draw_contacts(
    origins: np.ndarray,
    first_row: int,
    community: dict[int, np.ndarray],
    n_contacts: int,
    size: int,
    rng: np.random.Generator,
) -> np.ndarray:
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


def campaign_credibility(credibility: float, content: int, info) -> float:
    """Effective credibility of a campaign message (before trust in officials)."""
    if content == Content.RISKS:
        credibility *= info.deterrence_only_credibility
    elif content & (Content.LEGAL_OPTIONS | Content.PROTECTION):
        credibility *= info.balanced_credibility
    return min(1.0, credibility)


@njit(cache=True, inline="always")
def heard_of(u, missing, landed, params):
    """What one hears of a crossing from a hub: (deaths, safe crossings) to count. A landing is
    always heard of; a loss with the notice probability (``u``: the listener's draw)."""
    if landed:
        return 0.0, params.news_weight
    if u < (params.notice_missing if missing else params.notice_dead):
        return params.news_weight, 0.0
    return 0.0, 0.0


@njit(cache=True, inline="always")
def find(sorted_ids, i):
    """The index of ``i`` in ``sorted_ids`` (which holds it)."""
    lo, hi = 0, sorted_ids.shape[0]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if sorted_ids[mid] <= i:
            lo = mid
        else:
            hi = mid
    return lo


@njit(cache=True, inline="always")
def rows_of_word(w, n):
    """The bits of word ``w`` that stand for agents (rows below ``n``)."""
    if (w + 1) * 64 <= n:
        return ~np.uint64(0)
    return (np.uint64(1) << np.uint64(n - w * 64)) - np.uint64(1)


@njit(cache=True, inline="always")
def is_marked(marked, i):
    return marked[i >> 6] & (np.uint64(1) << np.uint64(i & 63)) != 0


@njit(cache=True)
def find_reports(agents, today, outcome, who, hub, missing, landed, seen_good, seen):
    """Today's news, and the people whose status changed today to a good or bad outcome at a
    destination-role node (they report it); the node's tallies ``seen_good`` and ``seen`` grow
    by one a report."""
    a = agents
    words = a.changed.shape[0]
    lost_marked = np.zeros(words, np.uint64)
    for k in range(who.shape[0]):
        lost_marked[who[k] >> 6] |= np.uint64(1) << np.uint64(who[k] & 63)
    report_marked = np.zeros(words, np.uint64)
    n = 0
    for w in range(words):
        bits = a.changed[w]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            if a.status_day[i] == today.day and today.dest_of_node[a.node[i]] >= 0:
                n += outcome[a.status[i]] >= 0
    reporter = np.empty(n, np.int64)
    report = np.empty(n, np.int64)
    n = 0
    for w in range(words):
        bits = a.changed[w]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            k = today.dest_of_node[a.node[i]]
            o = outcome[a.status[i]]
            if a.status_day[i] != today.day or k < 0 or o < 0:
                continue
            seen[k] += 1.0
            seen_good[k] += o
            reporter[n] = i
            report[n] = 2 * k + o
            report_marked[w] |= np.uint64(1) << np.uint64(i & 63)
            n += 1
    return News(
        lost_marked,
        who,
        hub,
        missing,
        landed,
        report_marked,
        reporter,
        report,
        lost_marked | report_marked,
    )


@njit(cache=True)
def tell_contacts(agents, beliefs, today, news, witnesses, witness_hub, params, events):
    """Today's lost and landed are heard of by their present contacts (draw NEWS + slot);
    survivors count the deaths they saw on their boat; reporters and their present contacts
    count the outcome reported."""
    status, b, p = agents.status, beliefs, params
    key, scale = today.key, today.scale
    n_hubs, k_slots = b.risk_mean.shape[1], b.contacts.shape[1]
    for k in range(news.who.shape[0]):
        i, h = news.who[k], news.hub[k]
        for j in range(k_slots):
            c = b.contacts[i, j]
            if c < 0 or not present(status[c]):
                continue
            u = uniform(key, c, Draw.NEWS + j)
            lost, kept = heard_of(u, news.missing[k], news.landed[k], p)
            if lost + kept > 0.0:
                events[Event.DEATHS_NOTICED] += lost > 0.0
                add_evidence(b.risk_mean, b.risk_n, c, h, lost, kept, rounding(key, c, h), scale)
    for k in range(witnesses.shape[0]):
        i, h = witnesses[k], witness_hub[k]
        add_evidence(b.risk_mean, b.risk_n, i, h, p.witness_weight, 0.0, rounding(key, i, h), scale)
    for k in range(news.reporter.shape[0]):
        i, d = news.reporter[k], news.report[k] >> 1
        good = p.report_weight if news.report[k] & 1 else 0.0
        for j in range(-1, k_slots):
            c = i if j < 0 else b.contacts[i, j]
            if c >= 0 and present(status[c]):
                u = rounding(key, c, n_hubs + d)
                add_evidence(
                    b.welcome_mean, b.welcome_n, c, d, good, p.report_weight - good, u, scale
                )


@njit(cache=True, nogil=True)
def hear(first, last, step, agents, beliefs, today, news, scan, campaigns, params, counts, reached):
    """In chunks ``first, first + step, ...`` below ``last`` (``flowsim.chunks``): everyone present hears news of the
    people it holds as contacts who were lost or landed today (draw NEWS_BACK + slot) and their
    reports of outcomes (in the words where ``scan``: only they can hold them as contacts);
    people waiting at a hub hear the smugglers' promise
    about it; at a running campaign's nodes, people present hear the campaign if it reaches them
    (``reached[chunk, campaign]``)."""
    status, node, aware, members = agents.status, agents.node, agents.aware, agents.members
    risk_mean, risk_n, welcome_mean, welcome_n, contacts = beliefs
    key, scale, true_risk = today.key, today.scale, today.true_risk
    hub_of_node, trust_smugglers = today.hub_of_node, today.trust_smugglers
    trust_officials = today.trust_officials
    marked, lost_marked, report_marked = news.marked, news.lost_marked, news.report_marked
    who, news_hub, missing, landed = news.who, news.hub, news.missing, news.landed
    reporter, report = news.reporter, news.report
    slots, at_node, reach = campaigns.slot, campaigns.at_node, campaigns.reach
    credibility, contents = campaigns.credibility, campaigns.content
    p = params
    n_hubs, k_slots = risk_mean.shape[1], contacts.shape[1]
    words = agents.changed.shape[0]
    for chunk in range(first, last, step):
        ev = counts[chunk]
        for w in range(chunk * CHUNK_WORDS, min(words, (chunk + 1) * CHUNK_WORDS)):
            gone = members[w, Status.DEAD] | members[w, Status.MISSING]
            here = rows_of_word(w, status.shape[0]) & ~(gone | members[w, Status.RESETTLED])
            # news and reports of the people they hold as contacts: first which slots hold
            # someone marked today (rare), then what those slots bring
            bits = here if scan[w] else np.uint64(0)
            while bits:
                i = w * 64 + lowest_bit(bits)
                bits &= bits - np.uint64(1)
                hits = 0
                for j in range(k_slots):
                    c = contacts[i, j]
                    if c >= 0 and is_marked(marked, c):
                        hits |= 1 << j
                for j in range(k_slots):
                    if not hits >> j & 1:
                        continue
                    c = contacts[i, j]
                    if is_marked(lost_marked, c):
                        k = find(who, c)
                        h = news_hub[k]
                        u = uniform(key, i, Draw.NEWS_BACK + j)
                        lost, kept = heard_of(u, missing[k], landed[k], p)
                        if lost + kept > 0.0:
                            ev[Event.DEATHS_NOTICED] += lost > 0.0
                            u = rounding(key, i, h)
                            add_evidence(risk_mean, risk_n, i, h, lost, kept, u, scale)
                    if is_marked(report_marked, c):
                        k = find(reporter, c)
                        d = report[k] >> 1
                        good = p.report_weight if report[k] & 1 else 0.0
                        bad = p.report_weight - good
                        u = rounding(key, i, n_hubs + d)
                        add_evidence(welcome_mean, welcome_n, i, d, good, bad, u, scale)
            # smugglers' promise to people waiting at a hub
            bits = members[w, Status.WAITING_TO_CROSS]
            while bits:
                i = w * 64 + lowest_bit(bits)
                bits &= bits - np.uint64(1)
                n = node[i]
                h = hub_of_node[n]
                if h < 0:
                    continue
                weight = p.smuggler_weight * trust_smugglers[n]
                q = p.smuggler_claim * true_risk[h]
                u = rounding(key, i, h)
                add_evidence(risk_mean, risk_n, i, h, weight * q, weight * (1.0 - q), u, scale)
            # campaigns running today at their nodes
            bits = here if slots.shape[0] > 0 else np.uint64(0)
            while bits:
                i = w * 64 + lowest_bit(bits)
                bits &= bits - np.uint64(1)
                n = node[i]
                for k in range(slots.shape[0]):
                    if not at_node[k, n]:
                        continue
                    draws = Draw.CAMPAIGN + 3 * slots[k]  # its three draws a person
                    if uniform(key, i, draws) >= reach[k]:
                        continue
                    ev[Event.CAMPAIGN_REACH] += 1
                    reached[chunk, k] += 1
                    believed = credibility[k] * trust_officials[n]
                    content = contents[k]
                    if content & Content.RISKS:
                        weight = believed * p.campaign_weight
                        for hub in range(n_hubs):
                            q = true_risk[hub]
                            u = rounding(key, i, hub)
                            add_evidence(
                                risk_mean, risk_n, i, hub, weight * q, weight * (1 - q), u, scale
                            )
                    if content & Content.LEGAL_OPTIONS and uniform(key, i, draws + 1) < believed:
                        aware[i] |= LEGAL_CHANNELS
                    if content & Content.PROTECTION and uniform(key, i, draws + 2) < believed:
                        aware[i] |= Aware.PROTECTION


@njit(cache=True, inline="always")
def deciding_word(members, w):
    bits = np.uint64(0)
    for s in DECIDING:
        bits |= members[w, s]
    return bits


@njit(cache=True, inline="always")
def talks_to(i, key, contacts, status, probability):
    """The contact agent ``i`` talks to today, or -1 (``probability``: of talking today, for
    agent ``i``). One draw (TALKS) decides whether it talks and, if so, to which slot."""
    k = contacts.shape[1]
    u = uniform(key, i, Draw.TALKS)
    if k == 0 or u >= probability:
        return -1
    c = contacts[i, min(k - 1, int(u / probability * k))]  # u / probability: uniform again
    if c < 0 or not present(status[c]):
        return -1
    return c


class Talk(NamedTuple):
    """Today's conversations, chunk by chunk: the talkers of chunk c are rows ``start[c] ..
    start[c] + count[c] - 1`` (room for everyone deciding in the chunk), with what their
    contacts believed before anyone talked; and the belief records (``Information.record``)."""

    start: np.ndarray  # int64 [chunk]
    count: np.ndarray  # int64 [chunk]
    listener: np.ndarray  # int64 [row]
    heard: np.ndarray  # uint16 [row, column]: the contact's means, risks then welcomes
    sums: np.ndarray  # float64 [chunk, hub + 3]


class TalkRoom:
    """The buffers of :class:`Talk`, kept from day to day (they grow with the people deciding)."""

    def __init__(self, columns: int) -> None:
        self.columns = columns
        self.listener = np.zeros(0, np.int64)
        self.heard = np.zeros((0, columns), np.uint16)

    def today(self, agents, n_hubs: int) -> Talk:
        members = agents.members
        n = chunks.n_chunks(members.shape[0])
        per_word = np.bitwise_count(members[:, list(DECIDING)]).sum(axis=1, dtype=np.int64)
        per_chunk = np.zeros((n, chunks.CHUNK_WORDS), np.int64)
        per_chunk.reshape(-1)[: per_word.size] = per_word
        start = np.zeros(n + 1, np.int64)
        np.cumsum(per_chunk.sum(axis=1), out=start[1:])
        if start[-1] > self.listener.size:
            self.listener = np.zeros(start[-1] + start[-1] // 4, np.int64)
            self.heard = np.zeros((self.listener.size, self.columns), np.uint16)
        sums = np.zeros((n, n_hubs + 3))
        return Talk(start[:-1], np.zeros(n, np.int64), self.listener, self.heard, sums)


def exchange(agents, beliefs, today, params, talk) -> int:
    """People still deciding may talk to one contact today and take in its beliefs about the
    sea crossings and about the welcome at destinations, as they stood before anyone talked
    today (everyone talks at once): who talks and what each heard, then everyone takes it in,
    chunk by chunk (``flowsim.chunks``); the belief records of the day are taken on the way.
    Returns the number of conversations."""
    n = talk.start.shape[0]
    chunks.run(listen, n, agents, beliefs, today, talk)
    chunks.run(take_in, n, agents, beliefs, today, params, talk)
    return int(talk.count.sum())


@njit(cache=True, inline="always")
def belief_gaps(i, risk_mean, welcome_mean, believed, true_risk, true_welcome):
    """Agent ``i``'s part of the belief records: adds its stored risk means to ``believed``
    (int64 [hub], in steps of 1/MEAN_SCALE, exact) and returns the sums of |believed - true| over
    its risks and over its welcomes, in steps of 1/MEAN_SCALE (``true_*``: the truth in those
    steps)."""
    risk_gap = 0.0
    for col in range(risk_mean.shape[1]):
        x = risk_mean[i, col]
        believed[col] += x
        risk_gap += abs(x - true_risk[col])
    welcome_gap = 0.0
    for col in range(welcome_mean.shape[1]):
        welcome_gap += abs(welcome_mean[i, col] - true_welcome[col])
    return risk_gap, welcome_gap


@njit(cache=True, inline="always")
def add_records(row, believed, risk_gap, welcome_gap, people):
    """A chunk's belief records into ``row`` (``Information.record``): the believed risk summed
    per hub, the sums of the gaps, the people."""
    h = believed.shape[0]
    for col in range(h):
        row[col] += believed[col] / MEAN_SCALE
    row[h] += risk_gap / MEAN_SCALE
    row[h + 1] += welcome_gap / MEAN_SCALE
    row[h + 2] += people


@njit(cache=True, nogil=True)
def listen(first, last, step, agents, beliefs, today, talk):
    """Who talks today (from ``talk.start[chunk]`` on) and what the contact each talks to
    believes (its beliefs are only read); those who do not talk go into the belief records."""
    status, node, members = agents.status, agents.node, agents.members
    contacts, risk_mean, welcome_mean = beliefs.contacts, beliefs.risk_mean, beliefs.welcome_mean
    key, chance = today.key, today.contact_probability
    true_risk, true_welcome = today.true_risk * MEAN_SCALE, today.true_welcome * MEAN_SCALE
    start, count, listener, heard, sums = talk
    h, d = risk_mean.shape[1], welcome_mean.shape[1]
    words = agents.changed.shape[0]
    believed = np.zeros(h, np.int64)
    for chunk in range(first, last, step):
        t = start[chunk]
        believed[:] = 0
        risk_gap = welcome_gap = 0.0
        people = 0
        for w in range(chunk * CHUNK_WORDS, min(words, (chunk + 1) * CHUNK_WORDS)):
            bits = deciding_word(members, w)
            while bits:
                i = w * 64 + lowest_bit(bits)
                bits &= bits - np.uint64(1)
                c = talks_to(i, key, contacts, status, chance[node[i]])
                if c < 0:
                    g, gw = belief_gaps(
                        i, risk_mean, welcome_mean, believed, true_risk, true_welcome
                    )
                    risk_gap += g
                    welcome_gap += gw
                    people += 1
                    continue
                listener[t] = i
                for col in range(h):
                    heard[t, col] = risk_mean[c, col]
                for col in range(d):
                    heard[t, h + col] = welcome_mean[c, col]
                t += 1
        count[chunk] = t - start[chunk]
        add_records(sums[chunk], believed, risk_gap, welcome_gap, people)


@njit(cache=True, nogil=True)
def take_in(first, last, step, agents, beliefs, today, params, talk):
    """Each talker adds ``exchange_weight`` x ``trust_contacts`` observations at what its
    contact believes, hub by hub and destination by destination (draws :func:`rounding_word`),
    then goes into the belief records."""
    node = agents.node
    risk_mean, risk_n, welcome_mean, welcome_n, _ = beliefs
    key, scale, trust = today.key, today.scale, today.trust_contacts
    true_risk, true_welcome = today.true_risk * MEAN_SCALE, today.true_welcome * MEAN_SCALE
    start, count, listener, heard, sums = talk
    h, d = risk_mean.shape[1], welcome_mean.shape[1]
    believed = np.zeros(h, np.int64)
    for chunk in range(first, last, step):
        believed[:] = 0
        risk_gap = welcome_gap = 0.0
        for t in range(start[chunk], start[chunk] + count[chunk]):
            i = listener[t]
            w = params.exchange_weight * trust[node[i]]
            word = np.uint64(0)
            for col in range(h + d):
                if col & 3 == 0:
                    word = rounding_word(key, i, col >> 2)
                q = heard[t, col] / MEAN_SCALE
                u = from_word(word, col)
                if col < h:
                    add_evidence(risk_mean, risk_n, i, col, w * q, w * (1.0 - q), u, scale)
                else:
                    add_evidence(
                        welcome_mean, welcome_n, i, col - h, w * q, w * (1.0 - q), u, scale
                    )
            g, gw = belief_gaps(i, risk_mean, welcome_mean, believed, true_risk, true_welcome)
            risk_gap += g
            welcome_gap += gw
        add_records(sums[chunk], believed, risk_gap, welcome_gap, count[chunk])
