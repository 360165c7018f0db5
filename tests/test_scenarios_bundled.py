"""Every bundled scenario in ``scenarios/`` validates and runs 30 days with agents moving."""

from __future__ import annotations

import pytest

from flowsim import Model, load_scenario
from flowsim.events import Event
from flowsim.output import summarise
from flowsim.scenario import bundled_scenarios

BUNDLED = bundled_scenarios()
DAYS = 30

pytestmark = pytest.mark.skipif(not BUNDLED, reason="no bundled scenarios in scenarios/ yet")


@pytest.mark.parametrize("name", sorted(BUNDLED) or ["none"])
def test_bundled_scenario_validates_and_runs(name, check_state):
    path = BUNDLED[name]
    scenario = load_scenario(path)
    assert scenario.simulation.name == name  # the file name is the scenario's name
    assert load_scenario(name).to_dict() == scenario.to_dict()  # found by bundled name too
    model = Model(scenario, days=DAYS)
    for _ in range(DAYS):
        model.step()
        check_state(model)  # conservation and the other daily invariants
    assert model.events_by_day[:, Event.DEPARTURES].sum() > 0
    assert model.edge_flow_by_day.sum() > 0  # agents are on the move, not only created
    summary = summarise(model)
    assert sum(summary["by_status"].values()) == summary["agents_total"] > 0
    by_status = summary["by_status"]
    lost = sum(
        summary["totals"][k] for k in ("dead_land", "missing_land", "dead_sea", "missing_sea")
    )
    assert lost == by_status["dead"] + by_status["missing"]
