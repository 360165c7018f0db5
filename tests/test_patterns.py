"""BRIEF §8 patterns on the bundled default scenario (the Central Mediterranean).

Each test runs the real scenario for 120 days under two policy variants over three seeds and
compares pooled outcomes. Variants share the seed, so kernels draw common random numbers and the
comparison is paired. Tolerances are stated next to each assertion; they are loose on purpose:
the tests check the direction and rough size of each pattern, not a calibration.
"""

from __future__ import annotations

import pytest

import flowsim

DAYS = 120
SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def scenario():
    return flowsim.load_scenario("central_mediterranean")


def pooled(scenario, overrides: dict | None = None) -> dict:
    """Sea outcomes summed over the seeds."""
    out: dict = {"by_hub": {}}
    for seed in SEEDS:
        sea = flowsim.run(scenario, days=DAYS, seed=seed, overrides=overrides).summary["sea"]
        for key in ("attempts", "dead", "missing", "refouled", "pulled_back", "screened_in"):
            out[key] = out.get(key, 0) + sea[key]
        for hub, n in sea["departures_by_hub"].items():
            out["by_hub"][hub] = out["by_hub"].get(hub, 0) + n
    out["deaths_per_attempt"] = (out["dead"] + out["missing"]) / out["attempts"]
    return out


def share(result: dict, hub: str) -> float:
    return result["by_hub"].get(hub, 0) / sum(result["by_hub"].values())


def test_p1_enforcement_at_one_hub_shifts_departures_to_others(scenario):
    """P1 (seeds/002:90): strong enforcement at Sabratha, the busiest hub, moves departures.

    Enforcement 0.9 doubles the fare nearly, cuts launches by 72% and raises perceived risk; in
    the bundled scenario Sabratha carries over a third of the departures. Its share must at least
    halve, and Tripoli and Zuwara together must gain at least ten percentage points.
    """
    base = pooled(scenario)
    enforced = pooled(scenario, {"policy.enforcement.level.sabratha": 0.9})
    assert share(enforced, "sabratha") < 0.5 * share(base, "sabratha")
    others = share(enforced, "tripoli") + share(enforced, "zuwara")
    assert others > share(base, "tripoli") + share(base, "zuwara") + 0.10


def test_p2_more_rescue_capacity_lowers_deaths_per_attempt(scenario):
    """P2 (seeds/002:261): no rescue vs the scenario's, both with smugglers adapting to rescue.

    Without rescue every boat in distress is lost; with the scenario's capacity most are
    answered within hours. Losses come a boat at a time, so three seeds of ~20,000 attempts
    each still vary by a few tenths of a percent; deaths per attempt must fall by at least half.
    """
    none = pooled(scenario, {"policy.rescue.capacity": 0})
    base = pooled(scenario)
    assert base["deaths_per_attempt"] < 0.5 * none["deaths_per_attempt"]


def test_p3_interception_without_screening_refoules_and_screening_prevents_most(scenario):
    """P3 (seeds/000:154, 002:1367): Libyan interception at 30%, without and with screening.

    Without screening every pulled-back person with a protection need is refouled. With full
    screening (sensitivity 0.8) about 80% of them are identified instead: refoulement must fall
    by at least 60%, and people must enter a procedure.
    """
    rate = {"libyan_sar": 0.3, "maltese_sar": 0.3, "italian_sar": 0.0}
    without = pooled(scenario, {"policy.interception.rate": rate})
    screened = pooled(
        scenario, {"policy.interception.rate": rate, "policy.interception.screening": 1}
    )
    assert without["refouled"] > 500  # thousands of pulled-back people, about half in need
    assert without["screened_in"] == 0
    assert screened["refouled"] < 0.4 * without["refouled"]
    assert screened["screened_in"] > 0.5 * without["refouled"]


def test_p12_reported_deaths_are_a_lower_bound(scenario):
    """P12 (seeds/002:1232): bodies found are fewer than people lost, at sea and on land."""
    summary = flowsim.run(scenario, days=DAYS, seed=1).summary
    found_at_sea = summary["sea"]["dead"]
    assert 0 < found_at_sea < summary["deaths"]["sea"]
    assert summary["by_status"]["dead"] < summary["deaths"]["total"]
