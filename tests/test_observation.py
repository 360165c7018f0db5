"""The observation model and adaptive policy (issue 16, points 2 and 3; docs/MODEL.md §7.13,
§7.14): what authorities record is a thinned, delayed copy of the truth (P12: reported deaths
are a lower bound, seeds/002:1232), and rules react to what is recorded, never to the truth.

Runs use the small ``sea_levers`` scenario (two hubs, two sea zones, 25 people a day), 60 to 120
days, about a second each.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from helpers import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bad_inputs import BASE, one_line_error, scenario_file
from test_invariants import scenarios, shares

from flowsim import Model
from flowsim.errors import ScenarioError
from flowsim.output import summarise, timeseries
from flowsim.scenario import load_scenario, with_overrides

SEA = REPO / "tests" / "sea_levers.toml"
SEEDS5 = (1, 2, 3, 4, 5)


def run(overrides: dict | None = None, seed: int = 1, days: int = 120) -> Model:
    model = Model(SEA, seed=seed, days=days, overrides=overrides)
    model.run()
    return model


# -- point 2: the observation model ------------------------------------------------------------

REPORTING = {
    "policy.observation.dead_reported": 0.8,
    "policy.observation.missing_reported": 0.2,
    "policy.observation.land_dead_reported": 0.6,
    "policy.observation.land_missing_reported": 0.1,
    "edges.home-west.hazard": 0.02,  # deaths on land too
}


def test_reported_deaths_are_below_true_deaths_by_the_reporting_shares():
    """P12 as a test. With bodies found reported at 0.8 (sea) and 0.6 (land) and the missing at
    0.2 and 0.1, reported deaths are never above true deaths (every seed, every zone), and over
    five seeds their total is the expected share of the truth: sum over zones and land of
    0.8 x dead + 0.2 x missing (0.6 and 0.1 on land). Tolerance: 6% of the expected total (about
    three binomial standard deviations, sqrt(0.16 x 1,600) = 16). Measured, seeds 1-5, 120 days:
    reported 121, 198, 153, 144, 158 of true 294, 400, 318, 281, 303; in all 774 reported against
    768.7 expected (ratio 1.007), true deaths 1,596 (reported share 0.48)."""
    reported, expected, true = 0, 0.0, 0
    for seed in SEEDS5:
        m = run(REPORTING, seed=seed)
        obs, s = m.observation, summarise(m)
        # the truth by place adds up to the model's own totals
        assert obs.true_dead_sea.sum() == s["totals"]["dead_sea"]
        assert obs.true_missing_sea.sum() == s["totals"]["missing_sea"]
        assert obs.true_dead_land.sum() == s["totals"]["dead_land"]
        assert obs.true_missing_land.sum() == s["totals"]["missing_land"]
        assert obs.true_intercepted.sum() == s["totals"]["intercepted"]
        # reported <= true, per zone and per country
        assert (obs.dead_sea.sum(0) <= obs.true_dead_sea.sum(0)).all()
        assert (obs.missing_sea.sum(0) <= obs.true_missing_sea.sum(0)).all()
        assert (obs.dead_land.sum(0) <= obs.true_dead_land.sum(0)).all()
        assert (obs.missing_land.sum(0) <= obs.true_missing_land.sum(0)).all()
        o = s["observed"]
        assert o["deaths_reported"] <= s["deaths"]["total"]
        assert o["deaths_reported"] == o["dead_reported"] + o["missing_reported"]
        reported += o["deaths_reported"]
        true += s["deaths"]["total"]
        expected += (
            0.8 * s["totals"]["dead_sea"]
            + 0.2 * s["totals"]["missing_sea"]
            + 0.6 * s["totals"]["dead_land"]
            + 0.1 * s["totals"]["missing_land"]
        )
    assert true > 1_000 and reported < true
    assert reported == pytest.approx(expected, rel=0.06), (reported, expected, true)


def test_full_reporting_reports_every_death_and_none_reports_none():
    """The two ends of the levers: reporting shares 1 report exactly the truth, 0 nothing."""
    every = {f"policy.observation.{k}": 1.0 for k in
             ("dead_reported", "missing_reported", "land_dead_reported", "land_missing_reported")}  # fmt: skip
    m = run({**every, "edges.home-west.hazard": 0.02}, days=60)
    s = summarise(m)
    assert s["observed"]["deaths_reported"] == s["deaths"]["total"] > 0
    assert s["observed"]["deaths_reported_share"] == 1.0
    none = {k: 0.0 for k in every}
    s = summarise(run({**none, "edges.home-west.hazard": 0.02}, days=60))
    assert s["observed"]["deaths_reported"] == 0 and s["deaths"]["total"] > 0


def test_observation_changes_nothing_in_the_truth():
    """Observation draws under its own key: any observation levers give the same true run."""
    a = run(days=60)
    b = run({"policy.observation.arrivals_coverage": 0.3,
             "policy.observation.registration_delay": 7,
             "policy.observation.missing_reported": 0.0}, days=60)  # fmt: skip
    assert np.array_equal(a.events_by_day, b.events_by_day)
    assert np.array_equal(a.node_status_by_day, b.node_status_by_day)
    assert not np.array_equal(a.observation.arrivals, b.observation.arrivals)


def test_registration_delay_shifts_the_observed_series():
    """A registration delay of 10 days records the same (thinned) arrivals exactly 10 days later:
    the same draws of the same counts, so the shift is exact even with coverage 0.7; nothing is
    recorded in the first 10 days, and arrivals of the last 10 are not recorded by the end.
    The published asylum backlog shifts by its own delay."""
    cover = {"policy.observation.arrivals_coverage": 0.7}
    now = run(cover, days=60)
    late = run({**cover, "policy.observation.registration_delay": 10,
                "policy.observation.asylum_delay": 5}, days=60)  # fmt: skip
    a0, a10 = now.observation.arrivals, late.observation.arrivals
    assert a0.sum() > 100
    assert (a0.sum() < now.arrivals_by_day.sum()).all()  # coverage 0.7: some never recorded
    assert np.array_equal(a10[10:], a0[:-10])
    assert a10[:10].sum() == 0
    assert a10.sum() == a0[:-10].sum() < a0.sum()
    assert np.array_equal(late.observation.backlog[5:], late.backlog_by_day[:-5])
    assert np.array_equal(now.observation.backlog, now.backlog_by_day)
    # both series are in the timeseries
    ts = timeseries(late)
    node = ts[(ts["scope"] == "node") & (ts["id"] == "haven")]
    observed = node[node["variable"] == "observed_arrivals"]["value"].to_numpy()
    true = node[node["variable"] == "arrivals"]["value"].to_numpy()
    assert np.array_equal(observed, a10[:, late.net.index["haven"]])
    assert np.array_equal(true, late.arrivals_by_day[:, late.net.index["haven"]])


def test_observed_outcomes_are_in_the_summary_and_the_catalogue():
    from flowsim.outcomes import check_outcomes, extract

    m = run({"policy.observation.missing_reported": 0.0}, days=60)
    s = summarise(m)
    o = s["observed"]
    assert o["missing_reported"] == 0 and o["dead_reported"] == s["totals"]["dead_sea"]
    assert o["interceptions"] == s["sea"]["intercepted"]  # reported in full by default
    assert sum(o["true_deaths_by_zone"].values()) == s["deaths"]["sea"]
    paths = ["observed.deaths_reported", "observed.deaths_reported_share", "observed.arrivals",
             "observed.interceptions", "rules.activations"]  # fmt: skip
    check_outcomes(paths)
    values = extract(s, paths)
    assert values["observed.deaths_reported"] == o["deaths_reported"]
    assert values["rules.activations"] == 0


# -- point 3: adaptive rules -------------------------------------------------------------------

SURGE = {
    "name": "surge",
    "indicator": "arrivals_at_node",
    "at": ["haven"],
    "window": 7,
    "threshold": 100,
    "release": 40,
    "delay": 4,
    "lever": "policy.interception.rate",
    "ids": ["central", "east-haven"],
    "value": 0.9,
}


def replay(indicator: np.ndarray, threshold: float, release: float) -> list[tuple[int, str]]:
    """The rule's state machine, written again: (day, action) of every change."""
    out, active = [], False
    for day, value in enumerate(indicator):
        if not active and value >= threshold:
            out.append((day, "activated"))
            active = True
        elif active and value < release:
            out.append((day, "released"))
            active = False
    return out


def test_a_rule_triggers_after_its_delay_and_releases_with_hysteresis():
    """Interception at 0.9 in both zones once 100 or more arrivals are recorded at haven over 7
    days, four days after; back to the scenario's rates once fewer than 40 are. The events are
    those of the state machine replayed on the *observed* arrivals; the lever holds 0.9 exactly
    from each activation day + 4 to the release day + 4, the scenario's value elsewhere; some
    days between the two thresholds pass without a change (hysteresis). Measured, seed 1, 120
    days: activated on days 7, 20, 35, 58, 74, 92, 109, released on days 14, 30, 49, 69, 86,
    104 (interception at 0.9 cuts arrivals until the recorded figure falls below 40)."""
    m = run({"policy.rules": [SURGE]})
    obs = m.observation.arrivals[:, m.net.index["haven"]]
    indicator = np.array([obs[max(0, d - 6) : d + 1].sum() for d in range(m.days)])
    events = summarise(m)["rules"]["events"]
    got = [(e["day"], e["action"]) for e in events]
    assert got == replay(indicator, 100, 40)
    assert [a for _, a in got][:2] == ["activated", "released"]
    rate = m.levers["interception_rate"]
    base = Model(SEA, seed=1, days=120).levers["interception_rate"]
    on = np.zeros(m.days, bool)
    for day, action in got:
        on[day + 4 :] = action == "activated"
    assert (rate[on] == 0.9).all() and np.array_equal(rate[~on], base[~on])
    first = got[0][0]
    assert not on[first + 3] and on[first + 4]
    # hysteresis: while active, days with 40 <= indicator < 100 change nothing
    active_days = [d for d in range(got[0][0], got[1][0])]
    assert any(40 <= indicator[d] < 100 for d in active_days)
    e = events[0]
    assert e["reason"].startswith("observed arrivals_at_node at haven over 7 days = ")
    assert e["lever"] == "policy.interception.rate" and e["from_day"] == first + 4
    # the timeseries holds the rule's figure, its state and its events
    ts = timeseries(m)
    rule = ts[(ts["scope"] == "rule") & (ts["id"] == "surge")]
    assert np.array_equal(rule[rule["variable"] == "rule_indicator"]["value"], indicator)
    assert np.array_equal(rule[rule["variable"] == "rule_active"]["value"], on.astype(int))
    assert (rule[rule["variable"] == "rule_event"]["value"] != 0).sum() == len(got)


def test_a_rule_reads_the_observed_figure_so_a_registration_delay_delays_it():
    """The rule reads recorded arrivals: recorded 10 days late, the surge fires 10 days later
    (the truth is the same until the first change takes effect)."""
    now = summarise(run({"policy.rules": [SURGE]}, days=60))["rules"]["events"]
    late = summarise(run({"policy.rules": [SURGE], "policy.observation.registration_delay": 10},
                         days=60))["rules"]["events"]  # fmt: skip
    assert late[0]["day"] == now[0]["day"] + 10


def test_a_rule_on_a_figure_never_observed_never_fires():
    """With arrivals never recorded (coverage 0) the surge rule never fires although true
    arrivals at haven pass its threshold many times over; the levers stay the scenario's."""
    m = run({"policy.rules": [SURGE], "policy.observation.arrivals_coverage": 0.0})
    s = summarise(m)
    assert s["rules"] == {"activations": 0, "releases": 0, "days_active": {"surge": 0},
                          "events": []}  # fmt: skip
    haven = m.arrivals_by_day[:, m.net.index["haven"]]
    assert max(haven[d : d + 7].sum() for d in range(m.days)) >= 100  # the truth would fire it
    assert np.array_equal(m.levers["interception_rate"],
                          Model(SEA, seed=1, days=120).levers["interception_rate"])  # fmt: skip


def test_rules_set_levers_of_every_kind():
    """A choice lever by name, a switch, a lever counted in persons (divided by
    persons_per_agent) and a legal quota (a channel of the stacked quotas) are set as the
    scenario would set them."""
    rules = [
        {"name": "detain", "indicator": "arrivals_in_country", "threshold": 1, "delay": 2,
         "lever": "policy.detention.mode", "value": "all"},
        {"name": "close", "indicator": "interceptions", "at": ["central"], "threshold": 1,
         "lever": "policy.closures.closed", "ids": ["home-west"], "value": True},
        {"name": "places", "indicator": "arrivals_at_node", "threshold": 1,
         "lever": "policy.reception.capacity", "ids": ["haven"], "value": 50},
        {"name": "visas", "indicator": "deaths_at_sea", "threshold": 1,
         "lever": "policy.legal.humanitarian_visas", "ids": ["haven"], "value": 365},
    ]  # fmt: skip
    m = run({"policy.rules": rules, "simulation.persons_per_agent": 2}, days=60)
    log = {e["rule"]: e["from_day"] for e in summarise(m)["rules"]["events"]}
    assert set(log) == {"detain", "close", "places", "visas"}
    haven, edge = m.net.index["haven"], m.net.edge_ids.index("home-west")
    assert (m.levers["detention_mode"][log["detain"] :] == 2.0).all()
    assert m.levers["closed"][log["close"] :, edge].all()
    assert not m.levers["closed"][: log["close"], edge].any()
    assert (m.levers["reception_capacity"][log["places"] :, haven] == 25).all()
    assert (m.levers["legal_quota"][log["visas"] :, 1, haven] == 182.5).all()


def test_a_rule_without_release_stays_active_and_backlog_is_averaged():
    rule = {"indicator": "asylum_backlog", "window": 5, "threshold": 1, "delay": 1,
            "lever": "policy.asylum.capacity", "value": 1000}  # fmt: skip
    m = run({"policy.rules": [rule]}, days=60)
    s = summarise(m)["rules"]
    assert s["activations"] == 1 and s["releases"] == 0
    assert s["days_active"]["rule 1"] == 60 - s["events"][0]["from_day"]


# -- bad rules: one line each, exit status 2 ---------------------------------------------------

GOOD_RULE = {"indicator": "arrivals_at_node", "at": ["haven"], "threshold": 10, "release": 5,
             "lever": "policy.interception.rate", "value": 0.5}  # fmt: skip
BAD_RULES = {
    "an unknown indicator": ({"indicator": "arrivalz"}, ["policy.rules[0].indicator = 'arrivalz'",
                                                        "arrivals_at_node"]),
    "an unknown node": ({"at": ["heaven"]}, ["policy.rules[0].at = 'heaven'",
                                             "did you mean 'haven'?"]),
    "a zone where a node is read": ({"indicator": "deaths_at_sea"},
                                    ["policy.rules[0].at = 'haven'", "unknown sea zone"]),
    "an unknown lever": ({"lever": "policy.interception.rat"},
                         ["policy.rules[0].lever = 'policy.interception.rat'",
                          "did you mean 'policy.interception.rate'?"]),
    "a lever keyed by profile": ({"lever": "policy.asylum.prima_facie"},
                                 ["policy.rules[0].lever", "not"]),
    "an unknown lever id": ({"ids": ["nowhere"]}, ["policy.rules[0].ids = 'nowhere'",
                                                   "unknown sea zone", "coast-haven"]),
    "a value out of range": ({"value": 1.5}, ["policy.rules[0].value = 1.5",
                                              "must be between 0 and 1"]),
    "a choice misspelt": ({"lever": "policy.detention.mode", "value": "everyone"},
                          ["policy.rules[0].value = 'everyone'", "none, irregular, all"]),
    "a release above the threshold": ({"release": 20}, ["policy.rules[0]", "release = 20",
                                                        "above threshold = 10"]),
    "a window of 0 days": ({"window": 0}, ["policy.rules[0].window = 0",
                                           "greater than or equal to 1"]),
    "no delay": ({"delay": 0}, ["policy.rules[0].delay = 0", "greater than or equal to 1"]),
    "no threshold": ({"threshold": None}, ["required field missing", "threshold"]),
    "an expression for a value": ({"value": "0.5 * 2"}, ["policy.rules[0].value = '0.5 * 2'",
                                                         "takes a number"]),
    "an unknown field": ({"when": "always"}, ["policy.rules[0].when", "unknown field"]),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_RULES))
def test_a_bad_rule_is_one_line_and_exit_2(tmp_path, capsys, case):
    change, expected = BAD_RULES[case]
    rule = {**GOOD_RULE, **change}
    rule = {k: v for k, v in rule.items() if v is not None}
    data = copy.deepcopy(BASE)
    data.setdefault("policy", {})["rules"] = [rule]
    path = scenario_file(tmp_path, data)
    line = one_line_error(capsys, ["check", str(path)])
    for part in expected:
        assert part in line, (part, line)


def test_a_good_rule_passes_and_a_bad_override_is_blamed():
    base = load_scenario(REPO / "tests" / "two_routes.toml")
    ok = with_overrides(base, {"policy.rules": [GOOD_RULE]})
    assert ok.policy.rules[0].lever == "policy.interception.rate"
    with pytest.raises(ScenarioError, match=r"policy.rules.*value = 2: .* between 0 and 1"):
        with_overrides(base, {"policy.rules": [{**GOOD_RULE, "value": 2}]})


# -- invariants with observation and rules on (hypothesis) -------------------------------------

LEVERS_FOR_RULES = [  # (lever, keyed by, values)
    ("policy.interception.rate", "zone", [0.0, 0.5, 1.0]),
    ("policy.rescue.capacity", "zone", [0.0, 2.0]),
    ("policy.enforcement.level", "hub", [0.0, 0.8]),
    ("policy.reception.capacity", "node", [0.0, 10.0]),
    ("policy.detention.mode", "country", ["none", "all"]),
    ("policy.closures.closed", "edge", [True, False]),
]
INDICATOR_KEYS = {"arrivals_at_node": "node", "arrivals_in_country": "country",
                  "deaths_at_sea": "zone", "deaths_on_land": "country",
                  "interceptions": "zone", "asylum_backlog": "country"}  # fmt: skip


@st.composite
def with_rules(draw):
    data = draw(scenarios())
    nodes = [n["id"] for n in data["nodes"]]
    edges = [f"{e['from']}-{e['to']}" for e in data["edges"]]
    zones = list(dict.fromkeys(e.get("zone", f"{e['from']}-{e['to']}") for e in data["edges"]
                               if e["mode"] == "sea"))  # fmt: skip
    hubs = [n["id"] for n in data["nodes"] if "embarkation" in n["roles"]]
    ids = {"node": nodes, "country": nodes, "zone": zones, "edge": edges, "hub": hubs}
    rules = []
    for k in range(draw(st.integers(1, 3))):
        indicator = draw(st.sampled_from(sorted(INDICATOR_KEYS)))
        lever, keyed_by, values = draw(st.sampled_from(LEVERS_FOR_RULES))
        threshold = draw(st.sampled_from([0.0, 1.0, 3.0, 10.0]))
        rule = {
            "name": f"r{k}",
            "indicator": indicator,
            "at": draw(st.lists(st.sampled_from(ids[INDICATOR_KEYS[indicator]]), unique=True))
            if ids[INDICATOR_KEYS[indicator]] else [],
            "window": draw(st.integers(1, 15)),
            "threshold": threshold,
            "delay": draw(st.integers(1, 10)),
            "lever": lever,
            "ids": draw(st.lists(st.sampled_from(ids[keyed_by]), unique=True))
            if ids[keyed_by] else [],
            "value": draw(st.sampled_from(values)),
        }  # fmt: skip
        if draw(st.booleans()):
            rule["release"] = draw(st.floats(0.0, threshold))
        rules.append(rule)
    data["policy"]["rules"] = rules
    data["policy"]["observation"] = {
        "arrivals_coverage": draw(shares), "registration_delay": draw(st.integers(0, 10)),
        "dead_reported": draw(shares), "missing_reported": draw(shares),
        "land_missing_reported": draw(shares), "sea_report_delay": draw(st.integers(0, 5)),
        "asylum_delay": draw(st.integers(0, 5)),
    }  # fmt: skip
    return data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=with_rules(), days=st.integers(10, 40))
def test_invariants_hold_with_observation_and_rules(data, days, make_scenario, check_state):
    """The state invariants of tests/test_invariants.py hold every day with random rules and
    observation levers; what is recorded never exceeds the truth; each rule's events alternate
    (activated, released, ...), and every lever stays in its range."""
    scenario = make_scenario(data)
    model = Model(scenario, days=days)
    obs = model.observation
    for _ in range(days):
        model.step()
        check_state(model)
        n = model.day
        assert (obs.arrivals[:n].sum(0) <= model.arrivals_by_day[:n].sum(0)).all()
        assert (obs.dead_sea[:n].sum(0) <= obs.true_dead_sea[:n].sum(0)).all()
        assert (obs.missing_sea[:n].sum(0) <= obs.true_missing_sea[:n].sum(0)).all()
        assert (obs.dead_land[:n].sum(0) <= obs.true_dead_land[:n].sum(0)).all()
        assert (obs.missing_land[:n].sum(0) <= obs.true_missing_land[:n].sum(0)).all()
        assert (obs.intercepted[:n].sum(0) <= obs.true_intercepted[:n].sum(0)).all()
    s = summarise(model)
    assert s["observed"]["deaths_reported"] <= s["deaths"]["total"]
    for rule in scenario.policy.rules:
        actions = [e["action"] for e in s["rules"]["events"] if e["rule"] == rule.name]
        assert actions == ["activated", "released"] * (len(actions) // 2) + (
            ["activated"] if len(actions) % 2 else []
        )
        if rule.release is None:
            assert "released" not in actions
    assert (model.levers["interception_rate"] >= 0).all()
    assert (model.levers["interception_rate"] <= 1).all()
    assert ((model.levers["detention_mode"] == 0) | (model.levers["detention_mode"] == 2)
            | np.isin(model.levers["detention_mode"], [1])).all()  # fmt: skip
