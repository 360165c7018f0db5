"""Travel over land: legs chained within a day by distance (``behaviour.travel.day_km``, Flee's
``max_move_speed``) and stops on the way (``behaviour.travel.transit_move_chance``, Flee's
``default_movechance``), docs/MODEL.md §6.5 and §7.4."""

from __future__ import annotations

import numpy as np
import pytest

import flowsim
from flowsim.events import Event
from flowsim.scenario import validate

# home -(120 km)- a -(50 km)- b -(300 km)- c -(10 km)- camp, legs of 1, 1, 2 and 1 days
LINE = {
    "simulation": {"name": "line", "start_date": "2020-01-01", "days": 40, "seed": 1},
    "nodes": [
        {"id": "home", "lat": 0.0, "lon": 0.0, "roles": ["origin"], "population": 1e6,
         "departures": {"people": [[0, 200.0], [1, 0.0]]}},
        {"id": "a", "lat": 0.0, "lon": 1.0, "roles": ["transit"]},
        {"id": "b", "lat": 0.0, "lon": 2.0, "roles": ["transit"]},
        {"id": "c", "lat": 0.0, "lon": 3.0, "roles": ["transit"]},
        {"id": "camp", "lat": 0.0, "lon": 4.0, "roles": ["camp"],
         "attractiveness": {"safety": 1.0, "livelihood": 1.0, "family": 1.0}},
    ],
    "edges": [
        {"from": "home", "to": "a", "distance_km": 120.0, "days": 1},
        {"from": "a", "to": "b", "distance_km": 50.0, "days": 1},
        {"from": "b", "to": "c", "distance_km": 300.0, "days": 2},
        {"from": "c", "to": "camp", "distance_km": 10.0, "days": 1},
    ],
    "profiles": [{"id": "people", "protection_need": 1.0, "motives": {"safety": 1.0},
                  "resources": {"mean": 1000.0, "sd": 0.0},
                  "risk_tolerance": {"mean": 0.5, "sd": 0.1}}],
}  # fmt: skip


def arrival_days(travel: dict, seed: int = 1) -> np.ndarray:
    """The day on which each of the people who left home on day 0 (about 200) reached the
    camp; with no hazard on the line, all of them arrive."""
    data = {**LINE, "behaviour": {"travel": travel}}
    model = flowsim.Model(validate(data, source="line"), seed=seed)
    for _ in range(model.days):
        model.step()
    camp = model.net.index["camp"]
    by_day = model.arrivals_by_day[:, camp]
    left = model.events_by_day[:, Event.DEPARTURES].sum()
    assert 150 < by_day.sum() == left  # everyone who left arrives: no hazard on the line
    return np.repeat(np.arange(model.days), by_day)


def test_legs_take_their_days_by_default():
    """Unset ``day_km``: 1 + 1 + 2 + 1 days, one leg after another: all arrive on day 5."""
    assert set(arrival_days({}).tolist()) == {5}


def test_with_day_km_short_legs_are_chained_within_a_day():
    """200 km a day, as Flee moves people: 120 + 50 km on day 0, then 300 km (Flee: a day's 200
    km on day 0, the rest on day 1), then the 10 km to the camp on day 1: all arrive on day 1.
    At 1,000 km a day the whole line (480 km) is one day's travel: day 0. At 100 km a day,
    counted as Flee counts (a leg of d km ends after floor(d / 100) more days; what is left of
    the day goes on): 120 km ends on day 1 with 20 km of that day used, 50 km more that day,
    300 km ends on day 4 with nothing of it used, and the last 10 km that day: day 4."""
    assert set(arrival_days({"day_km": 200.0}).tolist()) == {1}
    assert set(arrival_days({"day_km": 1000.0}).tolist()) == {0}
    assert set(arrival_days({"day_km": 100.0}).tolist()) == {4}


@pytest.mark.parametrize("chance", [0.5, 0.25])
def test_stops_on_the_way_last_as_long_as_the_move_chance_says(chance):
    """With ``transit_move_chance`` p each of the three nodes on the way (a, b, c) holds a
    person a geometric number of days, mean (1 - p) / p: 3 extra days in all at p = 0.5, 9 at
    0.25. Measured over seeds 1-3 (611 people): 7.99 days mean arrival at p = 0.5, 14.11 at 0.25
    (5 + 3 and 5 + 9 expected); tolerance 4 standard errors of the mean (sd of the sum of three
    geometric stops, sqrt(3 (1 - p)) / p, over 600 people)."""
    days = np.concatenate(
        [arrival_days({"transit_move_chance": chance}, seed) for seed in (1, 2, 3)]
    )
    expected = 5 + 3 * (1 - chance) / chance
    se = np.sqrt(3 * (1 - chance)) / chance / np.sqrt(days.size)
    assert abs(days.mean() - expected) < 4 * se, (days.mean(), expected)
    assert days.min() == 5  # some go straight through


def test_a_move_chance_of_one_changes_nothing():
    """``transit_move_chance`` = 1 draws nothing: the same days as unset."""
    assert np.array_equal(arrival_days({"transit_move_chance": 1.0}), arrival_days({}))
