"""Information (10-Point Plan point 10, issue 7): beliefs about the sea, contacts, news of deaths,
smugglers' promises, campaigns (P7: BRIEF §8, seeds/001:676, seeds/000:122), rumours (Routes and
Rumours, BRIEF §9) and the option to stay.

Every scenario here is ``information.toml`` with overrides: 10 people a day leave home with ~600
USD and save 20 USD a day until they can pay the 1,000 USD of either sea route (~20 days at
home); the west hub is 9 days nearer, the east hub ten times safer (true risk ~0.01 east, ~0.1
west: boats of 6, nobody rescues, 70% of a boat in distress lost). People start from a rumour
(prior_knowledge 0): both hubs carry ~1% risk, so most take the faster west route. Nobody knows
of a legal channel (awareness 0). Without overrides, over 150 days and seeds 1-3: ~1,500
agents, ~1,240 boardings (58% at the west hub), ~82 lost at sea, ~430 deaths noticed (by the
people linked to the dead either way: its contacts and those who hold it as a contact), a mean
belief error (|believed - true risk|, averaged over hubs and people still deciding) of 0.058,
and at the end people still deciding believe 0.009 (east) and 0.050 (west) against true risks
of 0.011 and 0.104.

Statistical tests pool seeds 1-3; arms of a comparison share the seeds, so departures, priors,
contacts and the kernels' draws are common to both arms (paired). Each test states its measured
means and why its tolerance holds (spreads measured over seeds 1-8 where stated).
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from helpers import lever, per_seed, run_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowsim import Model
from flowsim.beliefs import FIELDS as BELIEF_FIELDS
from flowsim.events import Event
from flowsim.output import LEGAL_CHANNELS, hub_departures, summarise
from flowsim.population import Aware, Flag, Status
from flowsim.rules import EVENT_NAMES
from flowsim.scenario import load_scenario

INFORMATION = Path(__file__).resolve().parent / "information.toml"
SEEDS = (1, 2, 3)
LATE = 50  # "later": route choices from this day on
START = dt.date(2020, 1, 1)  # information.toml's start date
GONE = (Status.DEAD, Status.MISSING, Status.RESETTLED)  # hear nothing, count as absent


@pytest.fixture(scope="module")
def base():
    return load_scenario(INFORMATION)


def campaign(
    content: list[str],
    *,
    nodes=("home",),
    reach: float = 0.5,
    credibility: float = 1.0,
    start: int = 0,
    end: int | None = None,
    name: str = "campaign",
) -> dict:
    """One ``policy.information.campaigns`` table."""
    table = {
        "name": name,
        "nodes": list(nodes),
        "start": start,
        "reach": reach,
        "credibility": credibility,
        "content": list(content),
    }
    if end is not None:
        table["end"] = end
    return table


def campaigns(*tables: dict, trust: float = 1.0) -> dict:
    """Overrides for these campaigns, with ``trust_officials`` everywhere."""
    return {
        "policy.information.campaigns": list(tables),
        "policy.information.trust_officials": trust,
    }


def totals(model: Model) -> dict[str, int]:
    return dict(zip(EVENT_NAMES, model.events_by_day.sum(axis=0).tolist(), strict=True))


def outcomes(model: Model) -> dict:
    """The ``information`` summary plus the numbers these tests compare."""
    s = summarise(model)
    idx, edges = model.net.index, model.net.edge_ids
    boardings = hub_departures(model).sum(axis=0)
    flow = model.edge_flow_by_day
    west, east = edges.index("home-west"), edges.index("home-east")
    believed_west = model.believed_risk_by_day[:, model.net.node_hub[idx["west"]]]
    return {
        **s["information"],
        "west_boardings": int(boardings[idx["west"]]),
        "east_boardings": int(boardings[idx["east"]]),
        "west_routes": int(flow[:, west].sum()),  # route choices: first legs taken
        "east_routes": int(flow[:, east].sum()),
        "west_routes_late": int(flow[LATE:, west].sum()),
        "east_routes_late": int(flow[LATE:, east].sum()),
        "sea_attempts": s["sea"]["attempts"],
        "sea_deaths": s["deaths"]["sea"],
        "smuggled_arrivals": s["solutions"]["smuggled_arrivals"],
        "legal_entries": s["solutions"]["legal_entries"]["total"],
        "at_origin": s["by_status"]["at_origin"],
        # people at home (at their origin), averaged over the days
        "at_home": float(model.node_status_by_day[:, :, Status.AT_ORIGIN].sum(axis=1).mean()),
        "departures": totals(model)["departures"],
        "agents": s["agents_total"],
        # mean believed risk of the west hub among people still deciding: all days, from LATE
        "believed_west": float(np.nanmean(believed_west)),
        "believed_west_late": float(np.nanmean(believed_west[LATE:])),
    }


def arm(scenario, overrides: dict, seeds=SEEDS, each_day_factory=None, days=None) -> dict:
    """``outcomes`` for each seed: {key: [value per seed]}; trackers add their own keys."""
    return per_seed(
        lambda seed, tracker: run_model(scenario, overrides, seed, tracker, days),
        outcomes,
        seeds,
        each_day_factory,
    )


def mean(values: list) -> float:
    return float(np.mean(values))


def pooled_share(a: dict, part: str, other: str) -> float:
    """Share of ``part`` in ``part`` + ``other``, pooled over the seeds."""
    return sum(a[part]) / (sum(a[part]) + sum(a[other]))


def entropy_bits(counts: list[float]) -> float:
    p = np.asarray(counts, float)
    p = p[p > 0] / p.sum()
    return float(-(p * np.log2(p)).sum())


# -- 1. a credible campaign about the risks ----------------------------------------------------


def test_credible_risks_campaign_corrects_the_rumour_and_shifts_boardings_to_the_safer_hub(base):
    """A risks campaign at home (reach 0.5 a day, credibility 1, trust in officials 1: believed
    with 1 x 0.5 (deterrence only) x 1, so each time it reaches someone it adds 25 crossings at
    the true risk of each hub) against none. People wait ~20 days at home, so nearly all of them
    hear it several times before they choose; their belief moves from the rumoured ~1% to ~1%
    (east) and ~10% (west), and the west route, 9 days faster, now costs ~0.9 in utility for its
    risk.

    Measured over seeds 1-3 (none -> campaign): mean belief error 0.058 -> 0.0089 (0.15, 0.16
    and 0.15 of its value, per seed); share of boardings at the west hub 0.58 -> 0.21; sea deaths
    82 -> 26.3; believed risk of the west hub among people still deciding, averaged over the
    days, 0.044 -> 0.078 (true ~0.09; without the campaign those at home still hear of the
    deaths of the people they know, so the belief rises above the rumour, but stays at about
    half the truth). Spreads over seeds 1-8: the west share is 0.59 (sd 0.014) without and 0.19
    (sd 0.054) with the campaign, so a 3-seed share has sd ~0.008 and ~0.031 and the bounds 0.55
    and 0.4 are more than 4 sd away; the belief error ratio is 0.18 (sd 0.028, at most 0.23;
    asserted below 0.4 on every seed); the paired drop in sea deaths is 46 (sd 15; 3-seed sd
    8.4; asserted 15, 3.6 sd); the believed west risk is 0.043 (sd 0.0085) and 0.084 (sd 0.016),
    bounds 0.06 and 0.05 (3.6 and 3.7 sd of a 3-seed mean), and its paired rise 0.042 (sd
    0.0185; 3-seed sd 0.011) is asserted above 0.01 (3 sd).
    """
    none = arm(base, {})
    told = arm(base, campaigns(campaign(["risks"])))
    assert none["campaign_reach"] == [{}, {}, {}]
    assert all(r["campaign"] > 5000 for r in told["campaign_reach"]), told["campaign_reach"]
    for e0, e1 in zip(none["belief_error_mean"], told["belief_error_mean"], strict=True):
        assert e1 < 0.4 * e0, (none["belief_error_mean"], told["belief_error_mean"])
    west_none = pooled_share(none, "west_boardings", "east_boardings")
    west_told = pooled_share(told, "west_boardings", "east_boardings")
    assert west_none > 0.55, west_none
    assert west_told < 0.4, west_told
    assert mean(told["sea_deaths"]) < mean(none["sea_deaths"]) - 15
    # the believed risk of the west hub among people still deciding moves to its true risk
    assert mean(none["believed_west"]) < 0.06, none["believed_west"]
    assert mean(told["believed_west"]) > 0.05, told["believed_west"]
    assert mean(told["believed_west"]) > mean(none["believed_west"]) + 0.01


# -- 2. P7: a campaign alone, and with a legal alternative -------------------------------------

QUOTA = {"policy.legal.labour_quota": {"haven": 2000}}  # 5.5 labour visas a day, 500 USD
STAY = {"behaviour.route_choice.stay_utility": -0.3}  # a risk message can also keep people home


def test_p7_campaign_alone_is_modest_and_with_a_legal_channel_does_much_more(base):
    """P7 (BRIEF §8; seeds/001:676, seeds/000:122). Everyone may stay home when the best route
    is worth less than -0.3 (a deterrence campaign's second way to work). Arms, paired by seed:
    no campaign (with a labour quota of 2,000 a year at haven that nobody knows of, so nobody
    uses it; test_solutions checks that an unknown channel changes nothing); a balanced campaign
    at home naming risks and
    legal options (reach 0.5, credibility 1) with no legal channel ("alone"); the same campaign
    with the quota ("with a legal channel"); and a risks-only campaign with the quota.

    Measured over seeds 1-3. Alone, the campaign moves beliefs and routes (west share of
    boardings 0.59 -> 0.18, sea deaths 85 -> 24.7; 97% now know of legal channels, but there is
    none) but hardly the number of crossings: deterrence only delays people, who save 20 USD a
    day until a route beats staying (deterred at least once: 119 -> 342), and the small drop in
    sea attempts within the run (1,238 -> 1,201, -3.0%) is people still on the 10-day road to
    the east hub at the end. Smuggled arrivals do not fall at all (1,132 -> 1,155, +2.0%: fewer
    die on the way). The risks-only campaign does the same (1,201 attempts, 1,157 smuggled
    arrivals, 25.3 deaths). With the quota, half the people (those moving for work) learn of the
    labour channel, can pay its 500 USD and fly: legal entries 677, sea attempts 1,238 -> 655
    (-47%: 16 times the drop of the campaign alone), smuggled arrivals 1,132 -> 627 (-45%).

    "Modest" is asserted as: sea attempts change by less than 8% and smuggled arrivals by less
    than 5%. Over seeds 1-8 the paired drop in sea attempts is 38 (sd 10) alone and 569 (sd 24)
    with the channel, and the paired change in smuggled arrivals +11.5 (sd 15) alone and +15.5
    (sd 18) with risks only: the 3-seed means have sd ~6, ~14, ~9 and ~10, so the asserted ratio
    (more than 5 times), the 8% and 35% bounds are more than 5 sd and the 5% bound (57 arrivals)
    4 sd from the means of seeds 1-8 (3.9 and 3.1 sd from the +23 and +25 of seeds 1-3). The
    drop in deaths (61 alone, 60 risks only; over seeds 1-8 47 and 48, sd 13 and 15, so ~8 for
    a 3-seed mean) is asserted above 15.
    """
    balanced = campaign(["risks", "legal_options"])
    none = arm(base, {**STAY, **QUOTA})
    alone = arm(base, {**STAY, **campaigns(balanced)})
    legal = arm(base, {**STAY, **QUOTA, **campaigns(balanced)})
    risks = arm(base, {**STAY, **QUOTA, **campaigns(campaign(["risks"]))})
    assert none["legal_entries"] == alone["legal_entries"] == risks["legal_entries"] == [0, 0, 0]
    assert all(x > 500 for x in legal["legal_entries"]), legal["legal_entries"]
    assert min(legal["aware_of_legal_channels"]) > 0.9, legal["aware_of_legal_channels"]
    base_attempts = mean(none["sea_attempts"])
    base_smuggled = mean(none["smuggled_arrivals"])
    for a in (alone, risks):
        drop = base_attempts - mean(a["sea_attempts"])
        assert abs(drop) < 0.08 * base_attempts, drop
        assert abs(base_smuggled - mean(a["smuggled_arrivals"])) < 0.05 * base_smuggled
        assert mean(a["sea_deaths"]) < mean(none["sea_deaths"]) - 15  # it does save lives
    drop_alone = base_attempts - mean(alone["sea_attempts"])
    drop_legal = base_attempts - mean(legal["sea_attempts"])
    assert drop_legal > 0.35 * base_attempts, drop_legal
    assert drop_legal > 5 * abs(drop_alone), (drop_legal, drop_alone)
    assert base_smuggled - mean(legal["smuggled_arrivals"]) > 0.35 * base_smuggled


# -- 3. news of deaths -------------------------------------------------------------------------

NEWS_OFF = {
    "behaviour.information.notice_dead": 0.0,
    "behaviour.information.notice_missing": 0.0,
    "behaviour.information.news_weight": 0.0,
    "behaviour.information.witness_weight": 0.0,
}
TALK = {
    "behaviour.information.contacts": 16,
    "policy.information.contact_probability": 0.5,
    "policy.information.trust_contacts": 1.0,
}


def test_news_of_deaths_turns_later_people_away_from_the_deadly_hub(base):
    """News on (notice_dead 0.9, notice_missing 0.5, news_weight 20, witness_weight 20: the
    defaults) against off, in a talkative community (16 contacts, talk with one of them on half
    the days, full trust), paired by seed.

    The people who hear of a death are those linked to the dead person either way: the contacts
    it drew (people who set out before it, many of them already on the way) and the people who
    hold it as one of their contacts (people who set out after it, often still at home and
    deciding), so news reaches people at home directly; talk spreads the belief further. With
    news off nobody ever learns that the west is deadly: beliefs stay at the rumour. Measured
    over seeds 1-3 (off -> on): deaths noticed 0 -> 1,189 a run (sea deaths 83 -> 56); mean
    believed risk of the west hub among people still deciding, from day 50, 0.0115 -> 0.065;
    share of route choices from day 50 taking the west route 0.66 -> 0.43. Over seeds 1-8 the
    paired drop in that share is 0.21 (sd 0.033), so the 3-seed mean has sd ~0.019: the asserted
    drop of 0.12 is 4.7 sd below it; the believed risk rises 5.3-fold (sd 0.86 per seed, ~0.5 for
    a 3-seed mean; asserted 3-fold).
    """
    on = arm(base, TALK)
    off = arm(base, {**TALK, **NEWS_OFF})
    assert off["deaths_noticed"] == [0, 0, 0]
    assert all(x > 200 for x in on["deaths_noticed"]), on["deaths_noticed"]
    assert mean(on["sea_deaths"]) > 30  # there is something to notice in both arms
    assert mean(on["believed_west_late"]) > 3 * mean(off["believed_west_late"])
    share_on = pooled_share(on, "west_routes_late", "east_routes_late")
    share_off = pooled_share(off, "west_routes_late", "east_routes_late")
    assert share_off - share_on > 0.12, (share_off, share_on)


# -- 4. Routes and Rumours: rumours against knowledge, and talk ---------------------------------


class OriginSpread:
    """Spread of beliefs between people at home: sd of log(believed risk), mean over hubs,
    averaged over the days from 30 on."""

    def __init__(self):
        self.values: list[float] = []

    def __call__(self, model: Model) -> None:
        home = model.pop.view("status") == Status.AT_ORIGIN
        if model.day > 30 and home.sum() > 20:
            risk = model.beliefs.risk()[home]
            self.values.append(float(np.log(risk).std(axis=0).mean()))

    def result(self, model: Model) -> dict:
        return {"spread_at_home": float(np.mean(self.values))}


def test_rumours_spread_people_over_both_hubs_and_talk_narrows_beliefs(base):
    """Routes and Rumours (BRIEF §9): people start from a rumour (prior_knowledge 0: ~1% at both
    hubs, sd 0.5 in log terms between people) or from the truth (prior_knowledge 1: the true
    risk, ~0.01 east and ~0.1 west), and talk to a contact on 90% of the days.

    With knowledge, the west's 10% risk costs ~0.9 in utility against its 9 days' advantage
    (0.18): few go west. With the rumour both hubs look alike and the faster west wins (logit
    noise 0.3): routes split between the hubs. Measured over seeds 1-3 (knowledge -> rumour):
    share of route choices going west 0.10 -> 0.51, entropy of the route shares 0.45 -> 1.00
    bits, mean belief error 0.012 -> 0.046, sea deaths 22 -> 69. Talk pulls each belief towards
    its contacts' and carries the news of deaths further: with the rumour, the spread of log
    beliefs among people at home (sd of log believed risk) is 0.78 with talk on 90% of the days
    against 1.10 with no talk (the prior spread 0.5 plus what each person hears itself, at home
    too: the deaths and landings of the people it knows). Only people still deciding talk (since
    issue 13; before, everyone present did): ~33,000 conversations a run (seeds 1-3: 34,159,
    31,180, 32,827), against ~94,000 before.

    Over seeds 1-8 the entropy is 0.50 (sd 0.16) with knowledge and 0.999 (sd 0.001) with the
    rumour, the belief error 0.014 (sd 0.0035) and 0.044 (sd 0.008), sea deaths 25 (sd 11) and
    64 (sd 13; paired difference 40, sd 9), the spread at home 0.78 (sd 0.034) with talk and
    1.08 (sd 0.043) without (ratio 0.73, sd 0.02): each asserted bound (entropy 0.9 and 0.8,
    error 1.5-fold, 20 more deaths, spread below 0.85 of the silent one) is at least 3 sd of a
    3-seed mean from the measured means (measured before issue 13 changed the draws of talk; the
    bounds hold after it).
    """
    talk = {"policy.information.contact_probability": 0.9}
    knowledge = arm(base, {**talk, "behaviour.information.prior_knowledge": 1.0})
    rumour = arm(base, talk, each_day_factory=OriginSpread)
    silent = arm(
        base, {"policy.information.contact_probability": 0.0}, each_day_factory=OriginSpread
    )
    h_knowledge = entropy_bits([sum(knowledge["west_routes"]), sum(knowledge["east_routes"])])
    h_rumour = entropy_bits([sum(rumour["west_routes"]), sum(rumour["east_routes"])])
    assert h_rumour > 0.9, h_rumour
    assert h_knowledge < 0.8, h_knowledge
    assert pooled_share(knowledge, "west_routes", "east_routes") < 0.25
    assert mean(rumour["belief_error_mean"]) > 1.5 * mean(knowledge["belief_error_mean"])
    assert mean(rumour["sea_deaths"]) > mean(knowledge["sea_deaths"]) + 20
    assert mean(rumour["spread_at_home"]) < 0.85 * mean(silent["spread_at_home"])
    assert mean(rumour["conversations"]) > 20_000  # talk on 90% of the days, not 10%
    assert silent["conversations"] == [0, 0, 0]


# -- 5. smugglers' promises ----------------------------------------------------------------------


class WaitingBelief:
    """Believed risk of their own hub among people waiting to cross, over all days."""

    def __init__(self):
        self.values: list[float] = []

    def __call__(self, model: Model) -> None:
        waiting = np.flatnonzero(model.pop.view("status") == Status.WAITING_TO_CROSS)
        hub = model.net.node_hub[model.pop.view("node")[waiting]]
        self.values.extend(model.beliefs.risk()[waiting, hub].tolist())

    def result(self, model: Model) -> dict:
        return {
            "waiting_belief": float(np.mean(self.values)),
            "waiting_days": len(self.values),
            "flows": model.edge_flow_by_day.copy(),
        }


def test_smugglers_promises_lower_the_risk_believed_at_the_hub(base):
    """People start from the true risk (prior_knowledge 1) and nobody talks (contact probability
    0), so what smugglers tell people waiting at a hub changes their beliefs and nothing else:
    they have chosen their route, and nobody asks them. Trust in smugglers 0 against 1 (each day
    a waiting person counts 5 x trust crossings at the claimed risk, 0.2 x the true risk), and 1
    with smuggler_claim 1 (smugglers tell the truth).

    Flows are identical in the three arms (exact, per seed). Measured over seeds 1-3 (871 to
    1,024 person-days of waiting a run): mean believed risk of the hub among those waiting
    0.0112 (trust 0), 0.0088 (trust 1: 0.79 of it), 0.0128 (trust 1, claim 1: 1.15 of it; the
    truth told today is above what they believe after the news of landings and deaths they have
    heard). Over seeds 1-10 the ratio to trust 0 is 0.78 (sd 0.024) for the promise and 1.18 (sd
    0.051) for the truth: the asserted "below 0.85" and "above 0.9" are 5 and 9 sd of a 3-seed
    mean away.
    """
    quiet = {
        "behaviour.information.prior_knowledge": 1.0,
        "policy.information.contact_probability": 0.0,
    }
    trust = "policy.information.trust_smugglers"
    arms = {
        "ignored": arm(base, {**quiet, trust: 0.0}, each_day_factory=WaitingBelief),
        "believed": arm(base, {**quiet, trust: 1.0}, each_day_factory=WaitingBelief),
        "truth": arm(
            base,
            {**quiet, trust: 1.0, "behaviour.information.smuggler_claim": 1.0},
            each_day_factory=WaitingBelief,
        ),
    }
    for k in range(len(SEEDS)):
        flows = [a["flows"][k] for a in arms.values()]
        np.testing.assert_array_equal(flows[0], flows[1])
        np.testing.assert_array_equal(flows[0], flows[2])
    assert min(arms["ignored"]["waiting_days"]) > 500
    ignored = mean(arms["ignored"]["waiting_belief"])
    believed = mean(arms["believed"]["waiting_belief"]) / ignored
    truth = mean(arms["truth"]["waiting_belief"]) / ignored
    assert believed < 0.85, believed
    assert truth > 0.9, truth
    for b, t in zip(
        arms["believed"]["waiting_belief"], arms["truth"]["waiting_belief"], strict=True
    ):
        assert b < t  # paired by seed: the promise lies below the truth


# -- 6. deterrence-only against balanced content -------------------------------------------------


@pytest.mark.parametrize("credibility", [0.5, 1.0])
def test_balanced_campaign_is_believed_more_than_a_risks_only_one(base, credibility):
    """The same campaign (at home on day 30 only, reach 1, trust in officials 1) with content
    risks alone, risks + protection, or risks + legal options, against none; nobody talks, so
    the arms are identical up to day 30 and differ on day 30 only by the campaign.

    Each person present at home that day gets exactly c x 50 crossings at the true risk of each
    hub (then the day's forgetting, x (1 - 1/180)), with c = min(1, credibility x 0.5) for risks
    alone and min(1, credibility x 1.3) for balanced content: at credibility 0.5, 12.5 against
    32.5 crossings; at 1, 25 against 50 (capped). Everyone else is untouched. A balanced message
    therefore moves every belief at least as far towards the true risk: nobody reached ends
    nearer the truth with the risks-only message (exact, the rounding of the stored beliefs
    aside). Measured on
    seed 1 (249 people at home on day 30, true risk 0.008 east and 0.12 west): mean belief error
    of those people 0.065 without a campaign, 0.042 (risks) and 0.028 (balanced) at credibility
    0.5, 0.032 and 0.023 at credibility 1.
    """
    keep = 1.0 - 1.0 / 180.0
    quiet = {"policy.information.contact_probability": 0.0}
    contents = {
        "none": None,
        "risks": ["risks"],
        "protection": ["risks", "protection"],
        "legal": ["risks", "legal_options"],
    }
    models = {}
    for name, content in contents.items():
        over = dict(quiet)
        if content is not None:
            over.update(
                campaigns(campaign(content, reach=1.0, credibility=credibility, start=30, end=30))
            )
        models[name] = run_model(base, over, seed=1, days=31)
    ref = models["none"]
    status, node = ref.pop.view("status"), ref.pop.view("node")
    home = (node == ref.net.index["home"]) & ~np.isin(status, GONE)
    assert home.sum() > 150
    risk0 = ref.beliefs.view("risk_mean"), ref.beliefs.view("risk_n")
    a0, n0 = pseudo_counts(ref)
    true = ref.true_risk_by_day[30]
    errors = {"none": np.abs(ref.beliefs.risk()[home] - true)}
    for name, c in (
        ("risks", min(1.0, 0.5 * credibility)),
        ("protection", min(1.0, 1.3 * credibility)),
        ("legal", min(1.0, 1.3 * credibility)),
    ):
        m = models[name]
        np.testing.assert_array_equal(m.pop.view("status"), status)  # day 30's choices alike
        assert m.events_by_day[30, Event.CAMPAIGN_REACH] == home.sum()  # reach 1
        a, n_ = pseudo_counts(m)
        expected = keep * 50.0 * c  # pseudo-crossings added on day 30, then a day forgotten
        # confidences are 16-bit floats (each within 2^-11 of itself), means are rounded to
        # steps of 1/65535: the differences are exact up to those roundings of both arms
        tol_n = 2.0**-10 * (n_ + n0)[home] + 1e-9
        assert (np.abs((n_ - n0)[home] - expected) <= tol_n).all()
        gained = np.broadcast_to(expected * true, (int(home.sum()), true.size))
        tol_a = 2.0**-10 * (a + a0)[home] + 2.0 * (n_ + n0)[home] / 65535.0 + 1e-9
        assert (np.abs((a - a0)[home] - gained) <= tol_a).all()
        for field, before in zip(("risk_mean", "risk_n"), risk0, strict=True):
            np.testing.assert_array_equal(m.beliefs.view(field)[~home], before[~home])
        errors[name] = np.abs(m.beliefs.risk()[home] - true)
    assert (errors["risks"] <= errors["none"] + 1e-6).all()
    assert (errors["protection"] <= errors["risks"] + 1e-6).all()
    np.testing.assert_array_equal(errors["protection"], errors["legal"])
    assert errors["protection"].mean() < 0.8 * errors["risks"].mean()


def pseudo_counts(model: Model) -> tuple[np.ndarray, np.ndarray]:
    """(deaths, crossings) each person counts per hub at the end of the run: alpha and
    alpha + beta of its belief, with the forgetting of the last day applied."""
    n = model.beliefs.confidence("risk", model.day)
    return model.beliefs.risk() * n, n


# -- 7. learning of legal channels ---------------------------------------------------------------


def test_legal_options_campaign_makes_people_aware_at_reach_times_credibility(base):
    """Nobody knows of a legal channel (awareness 0). A campaign naming legal options at home on
    day 60 only, reach 0.5, credibility 0.6, trust in officials 0.8 at home: a person present
    is reached with 0.5 and then convinced with min(1, 0.6 x 1.3) x 0.8 = 0.624, so a share
    0.312 of the people present at home becomes aware of every legal channel.

    Measured over seeds 1-3: 823 people present at home on day 60, 412 reached (0.501), 263
    aware (0.320 of those present; 0.638 of those reached). The pooled shares of ~820 people
    have sd ~0.016 (aware) and ~0.017 (reached); asserted within 0.05 and 0.06 (3 sd). Nobody
    is aware before day 60, nobody who was elsewhere becomes aware, and the summary's
    aware_of_legal_channels is the aware share of everyone alive (measured 0.15, 0.15 and 0.14
    at the end of day 60); without the campaign it is 0.
    """
    day = 60
    over = {
        "policy.information.campaigns": [
            campaign(["legal_options"], reach=0.5, credibility=0.6, start=day, end=day)
        ],
        "policy.information.trust_officials": {"home": 0.8, "default": 0.0},
    }
    present = reached = aware_n = 0
    for seed in SEEDS:
        plain = run_model(base, {}, seed, days=day + 1)
        assert summarise(plain)["information"]["aware_of_legal_channels"] == 0.0
        model = Model(base, seed=seed, days=day + 1, overrides=over)
        model.run(day)
        assert not model.pop.view("aware").any()
        model.step()
        status, node = model.pop.view("status"), model.pop.view("node")
        aware = model.pop.view("aware")
        here = (node == model.net.index["home"]) & ~np.isin(status, GONE)
        known = (aware & LEGAL_CHANNELS) > 0
        assert (aware[known] == LEGAL_CHANNELS).all()  # every channel at once
        assert not known[~here].any()
        assert not (aware & Aware.PROTECTION).any()
        present += int(here.sum())
        reached += model.information.campaigns[0].reached
        aware_n += int(known.sum())
        info = summarise(model)["information"]
        alive = ~np.isin(status, GONE)
        assert info["aware_of_legal_channels"] == pytest.approx(known[alive].mean())
        assert info["campaign_reach"] == {"campaign": model.information.campaigns[0].reached}
    assert abs(reached / present - 0.5) < 0.06, (reached, present)
    assert abs(aware_n / present - 0.312) < 0.05, (aware_n, present)


# -- 8. staying at home ----------------------------------------------------------------------------


def test_stay_option_deters_departures_only_when_set(base):
    """stay_utility 10 (more than any route is worth) against unset (None: never stay), paired by
    seed. Unset, nobody is ever deterred. At 10, nobody leaves: everyone is at home at the end,
    and the people deterred are exactly those who could afford a route at some point, i.e. those
    who leave when there is no stay option (measured over seeds 1-3: 1,322, 1,255 and 1,299 of
    1,550, 1,448 and 1,511 people)."""
    unset = arm(base, {})
    stay = arm(base, {"behaviour.route_choice.stay_utility": 10.0})
    assert unset["departures_deterred"] == [0, 0, 0]
    assert stay["departures"] == [0, 0, 0]
    assert stay["sea_attempts"] == [0, 0, 0]
    assert stay["at_origin"] == stay["agents"]
    assert stay["departures_deterred"] == stay["deterred_at_origin"] == unset["departures"]
    assert min(unset["departures"]) > 1000


RISKY_SEA = {"boat_types.sturdy.distress": 0.143, "edges.east-haven.hazard": 0.1}


def test_risks_campaign_holds_people_home_when_they_thought_the_sea_safe(base):
    """Both sea routes truly risky (~10% lost: the east's boats as flimsy as the west's), people
    believing the rumoured 1% (prior_knowledge 0, prior_risk 0.01), and staying home worth -0.3.
    A risks campaign at home (reach 0.5, credibility 1, trust 1) raises their belief to ~10%,
    which takes ~0.9 off every route: many more prefer staying, at least for a while (they save
    20 USD a day, so the cost of the route weighs less each day).

    Measured over seeds 1-3 (none -> campaign): people deterred at least once 130 -> 1,003, at
    home at the end 215 -> 276, at home averaged over the days 197 -> 245, mean belief error
    0.100 -> 0.020. Without the stay option the same campaign deters nobody. Over seeds 1-8 the
    deterred are 142 (sd 25) and 932 (sd 94): the asserted 4-fold rise is far inside (4.6 sd of
    a 3-seed mean); the paired rise in people at home at the end is 42 (sd 29), too noisy to
    bound away from 0, and averaged over the days 35 (sd 18; 3-seed sd 10.5; positive on every
    seed, 11 to 74), asserted positive (3.3 sd below the mean of seeds 1-8, 4.6 below the 48 of
    seeds 1-3).
    """
    stay = {**RISKY_SEA, **STAY}
    risks = campaigns(campaign(["risks"]))
    none = arm(base, stay)
    told = arm(base, {**stay, **risks})
    free = arm(base, {**RISKY_SEA, **risks})
    assert free["departures_deterred"] == [0, 0, 0]
    assert min(none["departures_deterred"]) > 50
    assert mean(told["departures_deterred"]) > 4 * mean(none["departures_deterred"])
    assert mean(told["belief_error_mean"]) < 0.4 * mean(none["belief_error_mean"])
    assert mean(told["at_home"]) > mean(none["at_home"])


# -- 9. invariants under random information levers and campaigns -------------------------------

NODES = ["home", "east", "west", "haven", "camp"]
CONTENT = ["risks", "legal_options", "protection"]
shares = st.one_of(st.sampled_from([0.0, 0.1, 0.5, 1.0]), st.floats(0.0, 1.0))


@st.composite
def random_campaign(draw, k: int) -> dict:
    """A campaign table; its days as day numbers or dates."""
    start = draw(st.integers(0, 50))
    table = {
        "name": draw(st.sampled_from(["", f"c{k}"])),
        "nodes": draw(st.lists(st.sampled_from(NODES), min_size=1, max_size=3, unique=True)),
        "start": start,
        "reach": draw(shares),
        "credibility": draw(shares),
        "content": draw(st.lists(st.sampled_from(CONTENT), min_size=1, max_size=3, unique=True)),
    }
    if draw(st.booleans()):
        table["end"] = start + draw(st.integers(0, 30))
    if draw(st.booleans()):  # the same days as dates
        for key in ("start", "end"):
            if key in table:
                table[key] = START + dt.timedelta(days=table[key])
    return table


@st.composite
def information_scenarios(draw, base_data: dict) -> dict:
    """information.toml with random departures, people already on the way at the start (their
    origin unknown), an open or closed camp, random information behaviour (priors, contacts,
    weights, noticing, forgetting, credibility multipliers, the protection discount, beliefs
    about the welcome, the stay option) and random levers and campaigns (0 to 3)."""
    data = copy.deepcopy(base_data)
    data["simulation"]["seed"] = draw(st.integers(0, 2**31))
    nodes = {n["id"]: n for n in data["nodes"]}
    nodes["home"]["departures"] = {"people": draw(st.floats(0.5, 20.0))}  # nobody: an error
    for nid in ("home", "east", "west", "haven"):
        if draw(st.integers(0, 2)) == 0:
            nodes[nid]["initial_population"] = {"people": float(draw(st.integers(0, 30)))}
    if draw(st.booleans()):
        data["policy"]["closures"] = {"closed": {"home-camp": 0}}
    weights = st.sampled_from([0.0, 1.0, 5.0, 20.0, 100.0])
    data["behaviour"]["information"] = {
        "prior_knowledge": draw(shares),
        "prior_risk": draw(st.sampled_from([0.0, 1e-4, 0.01, 0.3, 1.0])),
        "prior_spread": draw(st.sampled_from([0.0, 0.5, 3.0])),
        "prior_confidence": draw(st.sampled_from([0.01, 1.0, 10.0, 1000.0])),
        "contacts": draw(st.integers(0, 16)),
        "community_size": draw(st.sampled_from([1, 5, 200])),
        "exchange_weight": draw(weights),
        "news_weight": draw(weights),
        "notice_dead": draw(shares),
        "notice_missing": draw(shares),
        "witness_weight": draw(weights),
        "campaign_weight": draw(weights),
        "smuggler_weight": draw(weights),
        "smuggler_claim": draw(shares),
        # below 1 (1 is refused); 0.5 and 0.99 take beliefs down to the confidence floor
        "forgetting": draw(st.sampled_from([0.0, 1 / 180, 0.1, 0.5, 0.99])),
        "deterrence_only_credibility": draw(shares),
        "balanced_credibility": draw(st.sampled_from([0.0, 1.0, 1.3, 5.0])),
        "protection_unknown_discount": draw(shares),
        "prior_welcome": draw(shares),
        "report_weight": draw(weights),
    }
    route_choice = data["behaviour"]["route_choice"]
    route_choice["w_welcome"] = draw(st.sampled_from([0.0, 0.5, 1.0]))
    if draw(st.booleans()):
        route_choice["stay_utility"] = draw(st.floats(-2.0, 1.0))
    info = data["policy"].setdefault("information", {})
    for name in ("contact_probability", "trust_contacts", "trust_officials", "trust_smugglers"):
        if draw(st.integers(0, 3)) > 0:
            info[name] = draw(lever(shares, NODES, last_day=40))
    n = draw(st.integers(0, 3))
    info["campaigns"] = [draw(random_campaign(k)) for k in range(n)]
    return data


@pytest.fixture(scope="module")
def base_data(base):
    return base.to_dict()


class InformationState:
    """Day-to-day checks of the information state beyond ``check_state``: believed and
    recorded risks are probabilities, contacts never change and come from one's origin and
    earlier (or the same day), awareness and the deterred flag are never lost, and campaigns
    reach people only while they run."""

    def __init__(self, model: Model):
        self.contacts = np.zeros((0, model.beliefs.n_contacts), np.int32)
        self.aware = np.zeros(0, np.uint8)
        self.deterred = np.zeros(0, bool)
        self.running = np.zeros(model.days, bool)
        for c in model.information.campaigns:
            self.running[c.start : c.end + 1] = True

    def __call__(self, model: Model) -> None:
        d = model.day - 1
        pop, bl = model.pop, model.beliefs
        for believed in (bl.risk(), bl.welcome()):
            assert ((believed >= 0) & (believed <= 1)).all()
        for x in (model.belief_error_by_day[d], *model.believed_risk_by_day[d]):
            assert np.isnan(x) or 0.0 <= x <= 1.0
        np.testing.assert_array_equal(model.true_risk_by_day[d], model.true_risk)
        contacts = bl.view("contacts")
        k = self.contacts.shape[0]
        np.testing.assert_array_equal(contacts[:k], self.contacts)
        rows, slots = np.nonzero(contacts >= 0)
        other = contacts[rows, slots]
        origin, born = pop.view("origin"), pop.view("born_day")
        np.testing.assert_array_equal(origin[other], origin[rows])
        assert (born[other] <= born[rows]).all()
        aware = pop.view("aware")
        assert not (self.aware & ~aware[:k]).any()  # bits only grow
        deterred = (pop.view("flags") & Flag.DETERRED) > 0
        assert deterred[:k][self.deterred].all()
        if model.scenario.behaviour.route_choice.stay_utility is None:
            assert not deterred.any()
        if not self.running[d]:
            assert model.events_by_day[d, Event.CAMPAIGN_REACH] == 0
        self.contacts = contacts.copy()
        self.aware = aware.copy()
        self.deterred = deterred.copy()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data(), days=st.integers(20, 60))
def test_invariants_hold_every_day_under_random_information_levers(
    data, days, base_data, make_scenario, check_state
):
    """Random campaigns (nodes, days, reach, credibility, content), trust and talk levers (values,
    timelines, tables by node), information behaviour and the stay option (forgetting up to
    0.99 a day, which takes beliefs down to their confidence floor): every invariant
    (``check_state``: conservation, beliefs finite with a confidence of at least the floor,
    contacts -1 or another agent) and ``InformationState`` after every day; at the end the
    campaigns' reach adds up to the reach events, knowledge comes only from campaigns with that
    content, and the ``information`` summary is well formed."""
    scenario = make_scenario(data.draw(information_scenarios(base_data)))
    model = Model(scenario, days=days)
    state = InformationState(model)
    for _ in range(days):
        model.step()
        check_state(model)
        state(model)
    s = summarise(model)
    info, tot = s["information"], s["totals"]
    assert sum(c.reached for c in model.information.campaigns) == tot["campaign_reach"]
    assert sum(info["campaign_reach"].values()) <= tot["campaign_reach"]
    for c in model.information.campaigns:
        assert info["campaign_reach"][c.name] >= 0
    contents = {x for c in scenario.policy.information.campaigns for x in c.content}
    aware = model.pop.view("aware")
    if "legal_options" not in contents:
        assert not (aware & LEGAL_CHANNELS).any()
    if "protection" not in contents:
        assert not (aware & Aware.PROTECTION).any()
    if not scenario.policy.information.campaigns:
        assert tot["campaign_reach"] == 0 and info["campaign_reach"] == {}
    hubs = [model.net.node_ids[h] for h in model.net.hub_nodes]
    assert list(info["true_sea_risk_by_hub"]) == hubs
    assert all(0.0 <= x <= 1.0 for x in info["true_sea_risk_by_hub"].values())
    assert list(info["believed_sea_risk_by_hub"]) in ([], hubs)
    assert all(0.0 <= x <= 1.0 for x in info["believed_sea_risk_by_hub"].values())
    for key in ("belief_error", "belief_error_mean", "aware_of_legal_channels"):
        assert info[key] is None or 0.0 <= info[key] <= 1.0, (key, info[key])
    assert 0 <= info["deterred_at_origin"] <= info["departures_deterred"]
    assert info["departures_deterred"] == tot["departures_deterred"]
    assert info["deaths_noticed"] == tot["deaths_noticed"]
    assert info["conversations"] == tot["conversations"]
    if scenario.behaviour.information.contacts == 0:
        assert tot["deaths_noticed"] == tot["conversations"] == 0


# -- 10. determinism ------------------------------------------------------------------------------

BUSY_INFO = {
    "behaviour.information.prior_knowledge": 0.3,
    "behaviour.route_choice.stay_utility": -0.3,
    "policy.information.contact_probability": {"home": 0.5, "default": 0.2},
    "policy.information.trust_smugglers": {"west": 0.9, "default": 0.3},
    "policy.information.campaigns": [
        campaign(["risks"], reach=0.3, credibility=0.8, name="risks"),
        campaign(
            ["risks", "legal_options", "protection"],
            nodes=("home", "east", "west"),
            reach=0.5,
            credibility=0.7,
            start=10,
            end=40,
            name="balanced",
        ),
    ],
    "policy.closures.closed": {"home-camp": 0},
    "behaviour.information.protection_unknown_discount": 0.3,
}
DAYS = 60


def belief_records(model: Model) -> dict[str, np.ndarray]:
    return {
        **{name: model.beliefs.view(name) for name, _ in BELIEF_FIELDS},
        "aware": model.pop.view("aware"),
        "flags": model.pop.view("flags"),
        "status": model.pop.view("status"),
        "events_by_day": model.events_by_day,
        "belief_error_by_day": model.belief_error_by_day,
        "believed_risk_by_day": model.believed_risk_by_day,
        "true_risk_by_day": model.true_risk_by_day,
    }


def assert_same_beliefs(a: Model, b: Model) -> None:
    ra, rb = belief_records(a), belief_records(b)
    for key in ra:
        np.testing.assert_array_equal(ra[key], rb[key], err_msg=key)
    assert summarise(a)["information"] == summarise(b)["information"]


def test_same_seed_and_campaigns_give_the_same_beliefs(base):
    """Same seed, same campaigns: identical beliefs, contacts, awareness and records; another
    seed gives other beliefs."""
    a = run_model(base, BUSY_INFO, seed=5, days=DAYS)
    b = run_model(base, BUSY_INFO, seed=5, days=DAYS)
    assert_same_beliefs(a, b)
    info = summarise(a)["information"]
    assert info["campaign_reach"]["risks"] > 0 and info["campaign_reach"]["balanced"] > 0
    assert info["conversations"] > 0 and info["departures_deterred"] > 0
    other = run_model(base, BUSY_INFO, seed=6, days=DAYS)
    assert not np.array_equal(
        other.beliefs.view("risk_mean")[:100], a.beliefs.view("risk_mean")[:100]
    )


def test_interleaved_models_keep_their_own_beliefs(base):
    """Two models with different campaigns stepped alternately in one process (one of them in
    bursts) end with the beliefs each has when run alone: no state shared between models."""
    legal = campaign(["legal_options"], reach=0.9, credibility=1.0, name="legal")
    other = {**BUSY_INFO, "policy.information.campaigns": [legal]}
    alone_a = run_model(base, BUSY_INFO, seed=5, days=DAYS)
    alone_b = run_model(base, other, seed=5, days=DAYS)
    a = Model(base, seed=5, days=DAYS, overrides=BUSY_INFO)
    b = Model(base, seed=5, days=DAYS, overrides=other)
    for day in range(DAYS):
        a.step()
        if day % 3 == 0:
            b.run(3)
    b.run()
    assert_same_beliefs(a, alone_a)
    assert_same_beliefs(b, alone_b)
    assert not np.array_equal(a.pop.view("aware"), b.pop.view("aware"))


# -- 11. beliefs about the welcome at destinations ----------------------------------------------

SOLUTIONS = Path(__file__).resolve().parent / "solutions.toml"
FULL_CITY = {"policy.reception.capacity": {"city": 1}}  # one reception place a day in the city


def late_camp_share(scenario, overrides: dict) -> tuple[list[float], list[float]]:
    """Per seed: the camp's share of route-end arrivals at camp and city from day 75 on, and
    the mean believed welcome of the city over everyone at the end."""
    shares, welcome = [], []
    for seed in SEEDS:
        model = run_model(scenario, overrides, seed)
        idx = model.net.index
        late = model.arrivals_by_day[75:].sum(axis=0)
        shares.append(late[idx["camp"]] / (late[idx["camp"]] + late[idx["city"]]))
        city = list(model.net.destination_nodes).index(idx["city"])
        welcome.append(float(model.beliefs.welcome()[:, city].mean()))
    return shares, welcome


def test_bad_reports_from_a_full_destination_turn_later_people_to_the_camp():
    """seeds/000:118 (distorted perceptions of the countries people try to reach). In
    solutions.toml most labour migrants cross the sea to the city, most refugees go to the camp.
    With one reception place a day in the city, nearly everyone arriving there is destitute: a
    bad outcome that they, their contacts and those who count them as a contact hear of, and
    that spreads by talk. Route choice reads the believed welcome only with w_welcome > 0.

    Measured over seeds 1-3 (camp share of arrivals at camp and city from day 75): w_welcome 0:
    0.293 with the city full and 0.294 without a limit (the belief forms, mean believed welcome
    of the city 0.17 against 0.72, but changes nothing); w_welcome 0.8: 0.52 with the city full
    and 0.35 without. Per-seed sd of the shares 0.012-0.021, so the asserted gaps (0.12 where
    0.23 was measured, 0.08 where 0.17 was) are more than 4 sd of a 3-seed mean away."""
    scenario = load_scenario(SOLUTIONS)
    blind_full, welcome_full = late_camp_share(scenario, FULL_CITY)
    blind_open, welcome_open = late_camp_share(scenario, {})
    heed = {"behaviour.route_choice.w_welcome": 0.8}
    heed_full, _ = late_camp_share(scenario, {**heed, **FULL_CITY})
    heed_open, _ = late_camp_share(scenario, heed)
    assert mean(welcome_full) < mean(welcome_open) - 0.3, (welcome_full, welcome_open)
    assert abs(mean(blind_full) - mean(blind_open)) < 0.03, (blind_full, blind_open)
    assert mean(heed_full) > mean(blind_full) + 0.12, (heed_full, blind_full)
    assert mean(heed_full) > mean(heed_open) + 0.08, (heed_full, heed_open)
