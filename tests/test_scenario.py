"""Scenario files: overrides, value parsing, one-line errors, step timelines, persons_per_agent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from flowsim import Model, ScenarioError, load_scenario
from flowsim.events import Event
from flowsim.population import MAX_PROFILES
from flowsim.scenario import parse_value, schedule_values, with_overrides

START = dt.date(2020, 1, 1)

OVERRIDES = {
    "simulation.days": 45,
    "simulation.seed": 9,
    "nodes.coast.capacity": 500,
    "nodes.haven.roles": ["destination", "camp"],
    "edges.coast-haven.hazard": 0.1,
    "edges.home-coast.smuggler": True,
    "profiles.people.resources.mean": 1500.5,
    "behaviour.sea.launch_probability": 0.4,
    "nodes.home.departures.people": [[0, 5], [10, 20]],
    "nodes.home.departures.other": [[dt.date(2020, 1, 3), 7]],
    "profiles.people.ties": {"haven": 0.25},
}
OVERRIDE_STRINGS = [
    "simulation.days=45",
    "simulation.seed = 9",
    "nodes.coast.capacity=500",
    'nodes.haven.roles=["destination", "camp"]',
    "edges.coast-haven.hazard=0.1",
    "edges.home-coast.smuggler=true",
    "profiles.people.resources.mean=1500.5",
    "behaviour.sea.launch_probability=4e-1",
    "nodes.home.departures.people=[[0, 5], [10, 20]]",
    "nodes.home.departures.other=[[2020-01-03, 7]]",
    "profiles.people.ties={haven = 0.25}",
]


@pytest.fixture
def with_other_profile(two_routes_data):
    """two_routes with a second profile 'other' (so departures.other is a known profile)."""
    data = two_routes_data()
    other = dict(data["profiles"][0], id="other")
    data["profiles"].append(other)
    return data


# -- overrides ----------------------------------------------------------------------------------


def test_dict_and_string_overrides_give_the_same_scenario(with_other_profile, make_scenario):
    from_dict = make_scenario(with_other_profile, OVERRIDES)
    from_strings = make_scenario(with_other_profile, OVERRIDE_STRINGS)
    assert from_dict.to_dict() == from_strings.to_dict()
    assert from_dict.simulation.days == 45
    assert from_dict.node("coast").capacity == 500
    assert from_dict.node("haven").roles == ["destination", "camp"]
    assert from_dict.profiles[0].resources.mean == 1500.5
    assert from_dict.behaviour.sea.launch_probability == 0.4
    assert [e.smuggler for e in from_dict.edges if e.id == "home-coast"] == [True]
    assert from_dict.node("home").departures["other"] == [(dt.date(2020, 1, 3), 7.0)]


def test_overrides_through_load_with_overrides_and_model_agree(two_routes_path):
    strings = ["nodes.haven.capacity=30", "edges.coast-haven.cost=450"]
    loaded = load_scenario(two_routes_path, overrides=strings)
    later = with_overrides(load_scenario(two_routes_path), {"nodes.haven.capacity": 30,
                                                            "edges.coast-haven.cost": 450.0})  # fmt: skip
    model = Model(two_routes_path, overrides=strings, days=2)
    assert loaded.to_dict() == later.to_dict() == model.scenario.to_dict()
    assert loaded.source == later.source == str(two_routes_path)
    assert model.net.node_capacity[model.net.index["haven"]] == 30
    # overrides leave the original untouched
    assert load_scenario(two_routes_path).node("haven").capacity is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5", 5),
        ("-3", -3),
        ("2.5", 2.5),
        ("1e3", 1000.0),
        ("true", True),
        ("false", False),
        ("[1, 2, 3]", [1, 2, 3]),
        ('["a", "b"]', ["a", "b"]),
        ("[[0, 5], [10, 2.5]]", [[0, 5], [10, 2.5]]),
        ("2020-01-05", dt.date(2020, 1, 5)),
        ("{ safety = 1.0 }", {"safety": 1.0}),
        ('"quoted"', "quoted"),
        ("plain text", "plain text"),  # not TOML: kept as text
    ],
)
def test_set_values_parse_as_toml(raw, expected):
    value = parse_value(raw)
    assert value == expected
    assert type(value) is type(expected)


def test_edges_without_id_are_addressed_by_from_to(two_routes_path):
    s = load_scenario(two_routes_path, overrides=["edges.home-inland.days=3"])
    assert [e.days for e in s.edges if e.id == "home-inland"] == [3]


# -- errors: one line naming the file, the field and the value ----------------------------------

GOOD_EDGE = '[[edges]]\nfrom = "home"\nto = "haven"\ndays = 2\n'
BASE = """
[simulation]
name = "bad"
start_date = 2020-01-01
days = 10

[[nodes]]
id = "home"
lat = 0
lon = 0
roles = {home_roles}
departures = {{ people = 5 }}
{home_extra}

[[nodes]]
id = "haven"
lat = 1
lon = 1
roles = ["destination"]
{haven_extra}

{edges}

[[profiles]]
id = "people"
protection_need = 0.5
motives = {{ safety = 1.0 }}
resources = {{ mean = 1000 }}
risk_tolerance = {{ mean = 0.5 }}
"""


def write(
    tmp_path: Path, home_extra="", haven_extra="", edges=GOOD_EDGE, home_roles='["origin"]'
) -> Path:
    path = tmp_path / "scenario.toml"
    text = BASE.format(
        home_extra=home_extra, haven_extra=haven_extra, edges=edges, home_roles=home_roles
    )
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path, overrides=None) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides=overrides)
    message = str(info.value)
    assert "\n" not in message, message  # one problem, one line
    return message


def test_base_of_the_error_cases_is_valid(tmp_path):
    s = load_scenario(write(tmp_path))
    assert [n.id for n in s.nodes] == ["home", "haven"]


@pytest.mark.parametrize(
    ("kwargs", "overrides", "field", "value"),
    [
        ({"home_extra": "bogus = 1"}, None, "nodes.home.bogus", "1"),
        ({}, {"nodes.home.bogus": 1}, "nodes.home.bogus", "1"),
        ({}, {"simulation.dayz": 5}, "simulation.dayz", "5"),
        ({}, {"nodes.nowhere.capacity": 5}, "nodes.nowhere.capacity", "nowhere"),
        ({"haven_extra": "capacity = -5"}, None, "nodes.haven.capacity", "-5"),
        ({}, ["nodes.haven.capacity=-5"], "nodes.haven.capacity", "-5"),
        ({"home_roles": '["origin", "harbour"]'}, None, "nodes.home.roles", "harbour"),
        ({"edges": GOOD_EDGE + 'mode = "boat"\n'}, None, "edges.home-haven.mode", "boat"),
        (
            {"edges": '[[edges]]\nfrom = "home"\nto = "atlantis"\ndays = 2\n'},
            None,
            "edges.home-atlantis.to",
            "atlantis",
        ),  # fmt: skip
        (
            {"edges": '[[edges]]\nfrom = "nowhere"\nto = "haven"\ndays = 2\n'},
            None,
            "edges.nowhere-haven.from",
            "nowhere",
        ),  # fmt: skip
        ({}, {"nodes.home.departures": {"ghosts": 5}}, "nodes.home.departures.ghosts", "ghosts"),
        (
            {"haven_extra": "initial_population = { ghosts = 5 }"},
            None,
            "nodes.haven.initial_population.ghosts",
            "ghosts",
        ),  # fmt: skip
        ({}, {"profiles.people.ties": {"home": 0.5}}, "profiles.people.ties.home", "home"),
        ({}, {"edges.home-haven.hazard": 1.5}, "edges.home-haven.hazard", "1.5"),
        ({}, ["simulation.days=abc"], "simulation.days", "abc"),
        ({}, {"simulation.persons_per_agent": 0}, "simulation.persons_per_agent", "0"),
        (
            {},
            {"profiles.people.risk_tolerance.mean": 1.5},
            "profiles.people.risk_tolerance",
            "1.5",
        ),  # fmt: skip
        ({}, {"behaviour.information.forgetting": 1}, "behaviour.information.forgetting", "1"),
        (
            {},
            {
                "policy.information.campaigns": [
                    {
                        "name": "a",
                        "nodes": ["home"],
                        "reach": 0.1,
                        "credibility": 1,
                        "content": ["risks"],
                    },
                    {
                        "name": "a",
                        "nodes": ["haven"],
                        "reach": 0.2,
                        "credibility": 1,
                        "content": ["risks"],
                    },
                ]
            },
            "policy.information.campaigns",
            "named 'a' like an earlier one",
        ),  # fmt: skip
    ],
)
def test_errors_are_one_line_naming_file_field_and_value(tmp_path, kwargs, overrides, field, value):
    """A mistake in the file names the file; a mistake an override makes names the override
    (``--set PATH=VALUE``), not the file it was applied to."""
    path = write(tmp_path, **kwargs)
    message = error_of(path, overrides)
    if overrides:
        first = next(iter(overrides)) if isinstance(overrides, dict) else overrides[0]
        assert message.startswith(f"--set {first.split('=')[0]}="), message
    else:
        assert message.startswith(f"{path}: "), message
    assert field in message, message
    assert value in message, message


def test_missing_file_names_the_file(tmp_path):
    missing = tmp_path / "nope.toml"
    message = error_of(missing)
    assert str(missing) in message
    assert "not found" in message


def test_invalid_toml_names_the_file_and_line(tmp_path):
    path = write(tmp_path, haven_extra="capacity = = 5")
    message = error_of(path)
    assert message.startswith(f"{path}: ")
    assert "TOML" in message
    line = path.read_text().splitlines().index("capacity = = 5") + 1
    assert f"line {line}" in message


def test_override_without_equals_sign_is_an_error(tmp_path):
    message = error_of(write(tmp_path), ["simulation.days"])
    assert "simulation.days" in message and "path=value" in message


def test_override_without_equals_sign_names_the_override(tmp_path):
    path = write(tmp_path)
    assert error_of(path, ["simulation.days"]).startswith("--set simulation.days: expected path=")


def test_timeline_day_before_start_is_an_error(tmp_path):
    message = error_of(
        write(tmp_path), {"nodes.home.departures.people": [[dt.date(2019, 12, 1), 5]]}
    )
    assert "nodes.home.departures.people" in message and "2019-12-01" in message


def test_negative_timeline_value_is_an_error(tmp_path):
    message = error_of(write(tmp_path), ["nodes.home.departures.people=[[0, 5], [3, -1]]"])
    assert "nodes.home.departures" in message and "-1" in message


# -- step timelines -------------------------------------------------------------------------------


def test_schedule_values_constant():
    assert schedule_values(3, START, 4) == [3.0, 3.0, 3.0, 3.0]
    assert schedule_values(2.5, START, 1) == [2.5]


def test_schedule_values_steps_with_day_numbers():
    # a point holds from its day until the next; before the first point nobody departs
    assert schedule_values([(2, 5.0), (5, 1.0)], START, 8) == [0, 0, 5, 5, 5, 1, 1, 1]
    assert schedule_values([(0, 4.0), (3, 0.0), (6, 2.0)], START, 8) == [4, 4, 4, 0, 0, 0, 2, 2]
    # points may come in any order; points after the end do not matter
    assert schedule_values([(3, 0.0), (0, 4.0), (50, 9.0)], START, 5) == [4, 4, 4, 0, 0]


def test_schedule_values_steps_with_dates():
    dates = [(dt.date(2020, 1, 3), 5.0), (dt.date(2020, 1, 6), 1.0)]
    assert schedule_values(dates, START, 7) == [0, 0, 5, 5, 5, 1, 1]
    # dates and day numbers mean the same days
    mixed = [(2, 5.0), (dt.date(2020, 1, 6), 1.0)]
    assert schedule_values(mixed, START, 7) == schedule_values([(2, 5.0), (5, 1.0)], START, 7)


@pytest.mark.parametrize(
    "timeline",
    ["[[0, 0], [5, 60], [10, 0]]", "[[2020-01-01, 0], [2020-01-06, 60], [2020-01-11, 0]]"],
)
def test_departures_follow_a_step_timeline(two_routes_path, timeline):
    model = Model(two_routes_path, days=15, overrides=[f"nodes.home.departures.people={timeline}"])
    model.run()
    new = model.events_by_day[:, Event.NEW_AGENTS]
    assert (new[:5] == 0).all() and (new[10:] == 0).all()
    # Poisson(60) a day on days 5-9: a day with fewer than 25 has probability < 1e-7
    assert (new[5:10] >= 25).all()
    np.testing.assert_array_equal(np.unique(model.pop.view("born_day")), np.arange(5, 10))


# -- persons per agent ----------------------------------------------------------------------------


def test_persons_per_agent_scales_agents(two_routes_path):
    # no asylum decisions, so nobody leaves a place: reception fills exactly to capacity
    base = ["nodes.home.departures.people=200", "nodes.haven.capacity=100",
            "policy.asylum.capacity=0"]  # fmt: skip
    one = Model(two_routes_path, days=20, overrides=base).run()
    ten = Model(two_routes_path, days=20,
                overrides=[*base, "simulation.persons_per_agent=10"]).run()  # fmt: skip
    # ~4,000 vs ~400 agents. The 400 count is Poisson with sd 20 (5%), the 4,000 one 1.6%:
    # the ratio is 0.1 within about 0.005 (1 sd); 0.1 +- 0.02 leaves 4 sd
    ratio = ten.pop.n / one.pop.n
    assert 0.08 < ratio < 0.12
    # capacity is in persons: 100 persons are 10 agents at 10 persons per agent
    haven = one.net.index["haven"]
    assert one.occupancy[haven] == 100
    assert ten.occupancy[haven] == 10


def test_persons_per_agent_scales_population_and_initial_population(two_routes_path):
    model = Model(
        two_routes_path,
        days=30,
        overrides={
            "simulation.persons_per_agent": 10,
            "nodes.home.population": 500,  # at most 50 agents may leave home
            "nodes.home.departures.people": 400,
            "nodes.haven.initial_population": {"people": 1000},
            "nodes.haven.capacity": 2000,
        },
    )
    haven = model.net.index["haven"]
    assert model.pop.n == 100  # 1,000 persons already at haven
    assert model.occupancy[haven] == 100  # and they have places (capacity 200 agents)
    model.run()
    from_home = (model.pop.view("origin") == model.net.index["home"]).sum()
    assert from_home == 50


@pytest.mark.parametrize("override", ["simulation.days.x.y=1", "nodes.home.roles.x.y=1"])
def test_override_path_below_a_value_is_a_scenario_error(two_routes_path, override):
    with pytest.raises(ScenarioError):
        load_scenario(two_routes_path, overrides=[override])


def test_malformed_timeline_point_is_one_clean_line(two_routes_path):
    message = error_of(two_routes_path, ["nodes.home.departures.people=[[0]]"])
    assert "union[" not in message


def test_more_profiles_than_an_agent_can_hold_is_an_error(two_routes_data, make_scenario):
    """Agents hold their profile as uint8: a scenario with 257 profiles is refused by name."""
    data = two_routes_data()
    base = data["profiles"][0]
    data["profiles"] += [{**base, "id": f"p{k}"} for k in range(MAX_PROFILES)]
    scenario = make_scenario(data)
    with pytest.raises(ScenarioError, match="257 profiles; at most 256"):
        Model(scenario, days=1)
