"""What follows a pull-back (``rules/pullback.py``): detention in the departure country, with a
daily hazard and extortion there, then release home, into a transit country or at the hub; the
``pullback`` summary; re-attempts. The scenarios are those of ``test_sea.py`` (one origin, one
hub, one destination); statistical tests pool three seeds and state the values measured."""

from __future__ import annotations

import numpy as np
from test_sea import run, sea_data

from flowsim.events import Event
from flowsim.output import summarise
from flowsim.population import Flag, Status

SEEDS = (1, 2, 3)


def pooled(make_scenario, policy: dict, days: int = 80, **kw) -> dict:
    """``sea`` and ``pullback`` summaries over ``SEEDS``, summed key by key (counts only)."""
    out: dict = {}
    for seed in SEEDS:
        s = summarise(run(make_scenario, sea_data(days=days, policy=policy, **kw), seed))
        for section in ("sea", "pullback", "solutions"):
            for k, v in s[section].items():
                if isinstance(v, int) and not isinstance(v, bool):
                    out[f"{section}.{k}"] = out.get(f"{section}.{k}", 0) + v
    return out


def test_detention_after_pullback_makes_interception_cut_arrivals_more(make_scenario):
    """Raising the interception rate from 0.2 to 0.6 lowers sea arrivals a little when the
    pulled back try again at once (they are only delayed), and much more when they are held
    for 60 days on average first (80 days, 20 people a day, 3 seeds).

    Measured (seeds 1-3): without detention 3,496 -> 3,211 arrivals (-285, -8%); with
    detention 3,092 -> 1,923 (-1,169, -38%). Asserted: the drop with detention is more than
    twice the drop without, and at least 20% of the arrivals.
    """
    arrivals = {}
    for detention in (0.0, 1.0):
        for rate in (0.2, 0.6):
            policy = {
                "interception": {"rate": rate},
                "pullback": {"detention": {"west": detention}, "days": 60},
            }
            arrivals[detention, rate] = pooled(make_scenario, policy)["sea.arrivals"]
    drop_free = arrivals[0.0, 0.2] - arrivals[0.0, 0.6]
    drop_held = arrivals[1.0, 0.2] - arrivals[1.0, 0.6]
    assert drop_free > 0 and drop_held > 2 * drop_free, arrivals
    assert drop_held > 0.2 * arrivals[1.0, 0.2], arrivals


def test_reintegration_at_home_means_fewer_re_attempts(make_scenario):
    """Everyone pulled back is detained (5 days on average) and then returned home; returned
    people leave again with ``remigration_rate`` x (1 - reintegration). With reintegration 0.8
    about a fifth as many re-migrate, so about a fifth as many board again.

    Measured (seeds 1-3, 80 days): re-attempts 406 without reintegration, 92 with 0.8 (ratio
    0.23); returned home 2,286 and 2,213. Asserted: ratio < 0.45, and > 200 re-attempts without.
    """
    out = {}
    for reintegration in (0.0, 0.8):
        policy = {
            "interception": {"rate": 0.5},
            "pullback": {"detention": 1.0, "days": 5, "release_home": 1.0},
            "return": {"reintegration": reintegration},
        }
        out[reintegration] = pooled(make_scenario, policy)
    none, some = out[0.0], out[0.8]
    assert none["pullback.returned_home"] > 1000 and some["pullback.returned_home"] > 1000
    assert none["pullback.re_attempts"] > 200
    assert some["pullback.re_attempts"] < 0.45 * none["pullback.re_attempts"], (none, some)
    # released home, nobody boards again without re-migrating first
    assert none["pullback.re_attempts"] <= none["solutions.re_migrations"]


def test_detention_holds_extorts_kills_and_releases_as_set(make_scenario, check_state):
    """Every pulled-back person is detained; the stay, the hazard, extortion and where the
    released go follow the levers and parameters, and the invariants hold every day.

    With a mean stay of 20 days and 80 days, most are released: home, to transit and at the
    hub by shares 0.3 / 0.3 / 0.4. With a daily hazard of 0.002 at conditions 0 about 3% of
    the detained die over a 20-day stay; at conditions 1 nobody does.

    Measured (seed 1): 1,380 detained, 38 died (2.8%), 977 released: 288 home (0.29), 300 to
    transit (0.31), 389 at the hub; 365 still held at the end. Asserted: shares within 0.06 of
    the levers (binomial sd ~0.015), deaths between 0.5% and 8%.
    """
    policy = {
        "interception": {"rate": 0.7},
        "pullback": {"detention": 1.0, "days": 20, "release_home": 0.3, "release_transit": 0.3},
    }
    data = sea_data(days=80, policy=policy, resources=2000.0)
    data["behaviour"]["pullback"] = {"daily_hazard": 0.002, "daily_extortion": 0.05}
    model = run(make_scenario, data, 1, check_state=check_state)
    s = summarise(model)
    pb, sea = s["pullback"], s["sea"]
    assert pb["detained"] == sea["pulled_back"] > 500
    released = pb["released_to_try_again"] + pb["moved_back_to_transit"] + pb["returned_home"]
    assert released + pb["dead_in_detention"] + pb["in_detention_now"] == pb["detained"]
    for key, share in (("returned_home", 0.3), ("moved_back_to_transit", 0.3)):
        assert abs(pb[key] / released - share) < 0.06, (key, pb)
    assert 0.005 < pb["dead_in_detention"] / pb["detained"] < 0.08, pb
    assert pb["re_attempts"] > 0
    assert pb["detention_person_days"] > 10 * (pb["detained"] - pb["in_detention_now"])
    assert s["by_status"]["detained_after_pullback"] == pb["in_detention_now"]
    flags = model.pop.view("flags")
    status = model.pop.view("status")
    held = status == Status.DETAINED_AFTER_PULLBACK
    assert ((flags[held] & Flag.PULLED_BACK) > 0).all()
    assert (model.pop.view("node")[held] == model.net.index["west"]).all()
    # deaths in detention are deaths on land, in the departure country
    assert s["deaths"]["land"] >= pb["dead_in_detention"]

    # humane conditions: nobody dies in detention and nobody is stripped there
    policy["pullback"]["conditions"] = 1.0
    data = sea_data(days=80, policy=policy, resources=2000.0)
    data["behaviour"]["pullback"] = {"daily_hazard": 0.002, "daily_extortion": 0.05}
    humane = summarise(run(make_scenario, data, 1))["pullback"]
    assert humane["dead_in_detention"] == 0 and humane["detained"] > 500


def test_without_detention_nothing_changes(make_scenario):
    """``policy.pullback.detention`` = 0 (the default) leaves the run as it was: nobody is
    detained, and the other pull-back levers change nothing (the same events every day)."""
    base = run(make_scenario, sea_data(days=40, policy={"interception": {"rate": 0.5}}), 2)
    policy = {
        "interception": {"rate": 0.5},
        "pullback": {"days": 3, "conditions": 0.5, "release_home": 0.5, "release_transit": 0.2},
    }
    other = run(make_scenario, sea_data(days=40, policy=policy), 2)
    np.testing.assert_array_equal(base.events_by_day, other.events_by_day)
    assert base.events_by_day[:, Event.DETAINED_AFTER_PULLBACK].sum() == 0
    assert base.events_by_day[:, Event.PULLED_BACK].sum() > 100


def test_hold_kernel_does_what_its_python_source_says(make_scenario):
    """``pullback.hold`` compiled by numba against its own Python source, on the agents of a run
    with people in detention (hazard, extortion and all three releases on)."""
    from conftest import copy_arg

    from flowsim.rng import Rule
    from flowsim.rules.pullback import HoldLevers, hold

    policy = {
        "interception": {"rate": 0.7},
        "pullback": {"detention": 1.0, "days": 4, "release_home": 0.3, "release_transit": 0.3},
    }
    data = sea_data(days=30, policy=policy)
    data["behaviour"]["pullback"] = {"daily_hazard": 0.05, "daily_extortion": 0.1}
    model = run(make_scenario, data, 4)
    day, lv = model.day, model.levers
    today = HoldLevers(*(lv[k][day - 1] for k in ("pullback_days", "pullback_conditions",
                                                   "release_home", "release_transit")))  # fmt: skip
    held = int((model.pop.view("status") == Status.DETAINED_AFTER_PULLBACK).sum())
    assert held > 20
    out = []
    for kernel in (hold, hold.py_func):
        agents, tally = copy_arg(model.pop.agents()), copy_arg(model.tally)
        tally.events[:] = 0
        kernel(day, model.keys(Rule.PULLBACK, day), agents, model.pullback.back_node, today,
               model.pullback.params, tally)  # fmt: skip
        out.append((agents, tally.events))
    (a, ev), (b, ev_py) = out
    np.testing.assert_array_equal(ev, ev_py)
    for name in a._fields:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    released = ev[Event.RELEASED_TO_TRY_AGAIN] + ev[Event.MOVED_BACK_TO_TRANSIT]
    assert released + ev[Event.RETURNED_HOME_AFTER_PULLBACK] > 0 and ev[Event.DEAD_DETENTION] > 0
