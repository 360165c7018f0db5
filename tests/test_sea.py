"""The sea chain: smugglers' boats, distress and rescue, interception and screening, landing,
forced overboard, disembarkation delays, the levers that steer them, and the ``sea`` summary.

Every scenario here is built in this file (one origin, one or two embarkation hubs, one
destination), so the tests do not depend on the bundled scenarios. Statistical tests pool a few
seeds; each states its expected values and why its tolerance holds.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

import flowsim
from flowsim import Model, ScenarioError
from flowsim.boats import BoatState, Fate
from flowsim.events import Event
from flowsim.output import summarise
from flowsim.population import Flag, Status

START = dt.date(2020, 1, 1)
SEEDS = (1, 2, 3, 4)

SEA_KEYS = {
    "attempts",
    "boats",
    "arrivals",
    "dead",
    "missing",
    "rescued",
    "intercepted",
    "pulled_back",
    "refouled",
    "screened_in",
    "forced_overboard",
    "deaths_per_attempt",
    "deaths_per_arrival",
    "smuggler_revenue",
    "departures_by_hub",
}

DINGHY = {
    "id": "dinghy",
    "capacity": 10,
    "distress": 0.2,
    "survival_days": 1.0,
    "price_factor": 0.8,
}
WOODEN = {"id": "wooden", "capacity": 20, "distress": 0.05, "survival_days": 3.0}


def sea_data(
    *,
    hubs: tuple[str, ...] = ("west",),
    days: int = 100,
    departures: float = 20.0,
    boat_types: list[dict] | None = None,
    mix: dict[str, float] | None = None,
    sea_days: int = 2,
    forced_overboard: float = 0.0,
    zones: dict[str, str] | None = None,
    resources: float = 5000.0,
    protection_need: float = 0.5,
    sea: dict | None = None,
    smugglers: dict | None = None,
    policy: dict | None = None,
) -> dict:
    """TOML-shaped data: home -> hub (land, 1 day, 100) -> haven (sea, ``sea_days``, 500), for
    each hub; a sea leg is in zone ``zones[hub]`` (default: all in 'central')."""
    nodes = [
        {
            "id": "home",
            "lat": 0,
            "lon": 0,
            "roles": ["origin"],
            "departures": {"people": departures},
        },
        *(
            {"id": h, "lat": 1, "lon": k, "roles": ["transit", "embarkation"]}
            for k, h in enumerate(hubs)
        ),
        {
            "id": "haven",
            "lat": 2,
            "lon": 0,
            "roles": ["destination"],
            "attractiveness": {"safety": 1.0},
        },
    ]
    edges = []
    for h in hubs:
        edges.append({"from": "home", "to": h, "days": 1, "cost": 100})
        leg = {
            "from": h,
            "to": "haven",
            "mode": "sea",
            "days": sea_days,
            "cost": 500,
            "hazard": 0.05,
            "zone": (zones or {}).get(h, "central"),
            "forced_overboard": forced_overboard,
        }
        if mix:
            leg["boat_types"] = mix
        edges.append(leg)
    data = {
        "simulation": {"name": "sea", "start_date": START, "days": days, "seed": 0},
        "nodes": nodes,
        "edges": edges,
        "profiles": [
            {
                "id": "people",
                "protection_need": protection_need,
                "motives": {"safety": 1.0},
                "resources": {"mean": resources, "sd": 0.0},
                "risk_tolerance": {"mean": 0.5, "sd": 0.1},
            }
        ],
        "boat_types": copy.deepcopy(boat_types or [DINGHY]),
        "behaviour": {"sea": sea or {}, "smugglers": smugglers or {}},
        "policy": policy or {},
    }
    return data


def run(make_scenario, data: dict, seed: int, check_state=None) -> Model:
    """Run the scenario with ``seed``; check the invariants after every day when asked."""
    model = Model(make_scenario(data), seed=seed)
    while model.day < model.days:
        model.step()
        if check_state is not None:
            check_state(model)
    return model


def sea_totals(models: list[Model]) -> dict:
    """The ``sea`` summary sections of several runs, summed key by key (counts only)."""
    out: dict = {}
    for m in models:
        for k, v in summarise(m)["sea"].items():
            if isinstance(v, int | float) and k not in ("deaths_per_attempt", "deaths_per_arrival"):
                out[k] = out.get(k, 0) + v
    return out


# -- P2: rescue capacity ------------------------------------------------------------------------


def test_more_rescue_capacity_means_fewer_deaths_per_attempt(make_scenario):
    """Rescue capacity 0 vs 20 boats a day in the zone (BRIEF P2), smugglers adapting.

    Dinghies of up to 12 people (capacity 10, overload 1.2): distress up to 0.2 * 1.2**2 = 0.29
    a crossing (less for the last, part-filled boat of a launch). Without rescue 70% of those
    aboard a boat in distress are lost: deaths per attempt ~ 0.29 * 0.7 = 0.20, ~0.17 with
    part-filled boats. With capacity 20 every boat in distress is answered and reached in time
    with exp(-0.25 / 1) = 0.78; smugglers adapt to the expected rescue (s = 0.5 * 20/21: boats
    24% fuller, distress ~ 0.44): deaths per attempt ~ 0.44 * (0.22 * 0.7 + 0.78 * 0.01) = 0.07.
    Each run has ~2,000 attempts in ~170 boats; losses come a boat at a time, so a run's rate has
    a standard error of ~0.025 and the mean of four seeds ~0.013. The expected gap of ~0.1 is
    asserted as > 0.05: more than 3 standard errors of the difference (~0.018) of slack.
    """
    rates = {}
    for capacity in (0, 20):
        rescue = {"capacity": {"central": capacity}, "response_days": 0.25}
        data = sea_data(policy={"rescue": rescue})
        rates[capacity] = []
        for seed in SEEDS:
            s = summarise(run(make_scenario, data, seed))["sea"]
            assert s["attempts"] > 1000
            rates[capacity].append(s["deaths_per_attempt"])
            if capacity == 0:
                assert s["rescued"] == 0
            else:
                assert s["rescued"] > 100
    none, some = np.mean(rates[0]), np.mean(rates[20])
    assert 0.12 < none < 0.24, rates
    assert some < none - 0.05, rates


# -- P1: enforcement moves departures to another hub -------------------------------------------


def hub_totals(models: list[Model]) -> dict[str, int]:
    """People boarding at each hub, summed over runs (from the ``sea`` summary)."""
    out: dict[str, int] = {}
    for m in models:
        for hub, n in summarise(m)["sea"]["departures_by_hub"].items():
            out[hub] = out.get(hub, 0) + n
    return out


def test_enforcement_at_one_hub_moves_departures_to_the_other(make_scenario):
    """Enforcement 0.8 at 'west' (a table keyed by hub, default 0), 'east' untouched (P1).

    The two routes are alike, so without enforcement each hub has about half the departures.
    Enforcement raises west's perceived fare by 1.8x (route cost 100 + 720 vs 500 out of 5,000:
    -0.06 utility) and its perceived risk by 1.8x (sea hazard 0.05 -> 0.09: 20 * 0.5 * 0.04 =
    -0.4), against Gumbel noise of scale 0.3: expected west share ~ 1 / (1 + exp(0.46 / 0.3))
    = 0.18 if beliefs stayed at the legs' hazards. They do not: as east fills, its contacts
    hear of more deaths there and its believed risk rises, which holds some people at west
    (measured west share ~0.25, east +43% over seeds 1-2). Shares over ~2,700 agents in two
    seeds have standard errors of ~0.01 (route choice is per agent), so the asserted west share
    < 0.3 (from ~0.5) and the rise of east's count by more than 30% leave margins of 4+ sd.
    """
    base, enforced = [], []
    for seed in (1, 2):
        data = sea_data(hubs=("west", "east"), days=70)
        base.append(run(make_scenario, data, seed))
        data["policy"] = {"enforcement": {"level": {"west": 0.8, "default": 0.0}}}
        enforced.append(run(make_scenario, data, seed))
    before, after = hub_totals(base), hub_totals(enforced)
    share_before = before["west"] / (before["west"] + before["east"])
    share_after = after["west"] / (after["west"] + after["east"])
    assert 0.4 < share_before < 0.6, before
    assert share_after < 0.3, after
    assert after["east"] > 1.3 * before["east"], (before, after)
    # the enforced hub's boats charge more: fare 500 * 0.8 (dinghy) * (1 + 1.0 * 0.8)
    for m in enforced:
        west = m.boats.view("hub") == m.net.index["west"]
        assert west.any() and not west.all()
        np.testing.assert_allclose(m.boats.view("fare")[west], 500 * 0.8 * 1.8)
        np.testing.assert_allclose(m.boats.view("fare")[~west], 500 * 0.8)


# -- P3: interception, screening, refoulement ---------------------------------------------------


def screened_in_at(model, hub: str) -> np.ndarray:
    """People first registered at an embarkation hub: the screened in (wherever they are now)."""
    return model.pop.view("first_protection_node") == model.net.index[hub]


def test_interception_without_screening_refoules_and_screening_prevents_most(make_scenario):
    """Half of all crossings intercepted; half of the people have a protection need (P3).

    Without screening every intercepted survivor is pulled back, and those in need are refouled:
    refouled ~ 0.5 * pulled back, nobody in procedure. With screening, those in need are
    identified with sensitivity 0.8 and enter a procedure: refouled ~ 0.2 * 0.5 of the
    intercepted, and fewer re-attempts. Counts are in the hundreds per run, so the asserted
    ratio refouled(screening) < 0.4 * refouled(none) (expected ~0.2-0.25) has ample slack.
    """
    out = {}
    for screening in (0, 1):
        policy = {"interception": {"rate": 0.5, "screening": {"central": screening}}}
        models = [run(make_scenario, sea_data(days=80, policy=policy), seed) for seed in (1, 2)]
        out[screening] = sea_totals(models)
        out[screening]["in_procedure"] = 0
        for m in models:
            # the screened in are registered at the hub and referred to asylum there
            at_hub = screened_in_at(m, "west")
            out[screening]["in_procedure"] += int(at_hub.sum())
            assert m.pop.view("protection_need")[at_hub].all()  # only people in need
            assert ((m.pop.view("flags")[at_hub] & Flag.REACHED) > 0).all()
    none, screened = out[0], out[1]
    assert none["intercepted"] > 500
    assert none["screened_in"] == none["in_procedure"] == 0
    # about half of those pulled back have a protection need
    assert 0.35 < none["refouled"] / none["pulled_back"] < 0.65, none
    # a person screened in may move on from the hub, cross and be screened in again: the event
    # counts screenings, first registrations at the hub count persons (a few % fewer)
    assert 0.9 * screened["screened_in"] <= screened["in_procedure"] <= screened["screened_in"]
    assert screened["in_procedure"] > 100
    assert screened["refouled"] < 0.4 * none["refouled"], (none, screened)
    # of the intercepted in need, screening identifies ~80%: refouled / (refouled + screened in)
    assert screened["refouled"] / (screened["refouled"] + screened["screened_in"]) < 0.3


def test_pulled_back_people_try_the_sea_again(make_scenario):
    """With 70% of crossings intercepted and no screening, people pulled back board again.

    Following every agent day by day: an agent boarded on day d if at the end of day d it is at
    sea with status day d (a crossing takes 2 days, so nobody lands the day they board). The
    boardings counted so equal the sea_attempts events, there are more of them than agents who
    ever boarded, and many boardings are by agents pulled back before.
    """
    policy = {"interception": {"rate": 0.7}}
    model = Model(make_scenario(sea_data(days=60, policy=policy)), seed=3)
    west = model.net.index["west"]
    boardings = np.zeros(0, np.int64)
    was_pulled_back = np.zeros(0, bool)
    boarded_again = 0
    while model.day < model.days:
        model.step()
        d = model.day - 1
        pop = model.pop
        grow = pop.n - boardings.size
        boardings = np.concatenate([boardings, np.zeros(grow, np.int64)])
        was_pulled_back = np.concatenate([was_pulled_back, np.zeros(grow, bool)])
        status, status_day = pop.view("status"), pop.view("status_day")
        boarded = (status == Status.AT_SEA) & (status_day == d)
        boarded_again += int((boarded & was_pulled_back).sum())
        boardings += boarded
        # pulled back today: in transit at the hub, off any leg, boat and route, since today
        back = (status == Status.IN_TRANSIT) & (status_day == d) & (pop.view("node") == west)
        back &= (pop.view("edge") == -1) & (pop.view("route") == -1)  # and off any boat: not at sea
        assert back.sum() == model.events_by_day[d, Event.PULLED_BACK]
        was_pulled_back |= back
    assert boardings.sum() == model.events_by_day[:, Event.SEA_ATTEMPTS].sum()
    assert boardings.sum() > (boardings > 0).sum() + 100
    assert (boardings >= 2).sum() > 100
    assert boarded_again > 100
    s = summarise(model)["sea"]
    assert s["pulled_back"] > 300 and s["intercepted"] >= s["pulled_back"]


# -- smugglers' adaptation ----------------------------------------------------------------------


def test_smugglers_adapt_to_enforcement_only_when_switched_on(make_scenario):
    """Half dinghies (the flimsiest type), half wooden boats; enforcement 0 vs 0.8 at the hub.

    Adaptation off: the mix stays at 0.5 dinghies whatever the enforcement. On, with no rescue:
    s = 0.5 * 0.8 = 0.4 of boats are dinghies on top of the mix: 0.6 * 0.5 + 0.4 = 0.7, and
    boats are loaded 20% fuller. Each share pools ~900 boats over four seeds (standard error
    ~0.017; the difference of two ~0.023), so the shift is asserted as < 0.08 when off and
    > 0.12 when on (expected 0.2): both more than 3 standard errors of slack.
    """
    shares, places, types_by = {}, {}, {}
    for adapt in (False, True):
        for level in (0.0, 0.8):
            data = sea_data(
                days=100,
                departures=40,
                boat_types=[DINGHY, WOODEN],
                mix={"dinghy": 1, "wooden": 1},
                smugglers={"adapt": adapt},
                policy={"enforcement": {"level": level}},
            )
            models = [run(make_scenario, data, seed) for seed in SEEDS]
            types = np.concatenate(
                [m.boats.view("type")[m.boats.view("passengers") > 0] for m in models]
            )
            dinghy = models[0].net.type_ids.index("dinghy")
            assert types.size > 600
            types_by[adapt, level] = types
            shares[adapt, level] = float((types == dinghy).mean())
            b = models[0].boats
            is_dinghy = b.view("type") == dinghy
            places[adapt, level] = set((b.view("room") + b.view("passengers"))[is_dinghy].tolist())
    assert 0.42 < shares[False, 0.0] < 0.58, shares
    assert abs(shares[False, 0.8] - shares[False, 0.0]) < 0.08, shares
    assert shares[True, 0.8] > shares[True, 0.0] + 0.12, shares
    # with nothing to adapt to (no enforcement, no rescue) the switch changes no boat
    np.testing.assert_array_equal(types_by[True, 0.0], types_by[False, 0.0])
    # places per dinghy: 10 * 1.2 = 12; adapted to enforcement 0.8: 12 * (1 + 0.2) = 14.4 -> 14
    assert places[False, 0.0] == places[False, 0.8] == places[True, 0.0] == {12}
    assert places[True, 0.8] == {14}


# -- forced overboard, stand-off ----------------------------------------------------------------

SAFE_BOAT = {"id": "dinghy", "capacity": 10, "distress": 0.0, "survival_days": 1.0}


def test_forced_overboard_kills_when_set_and_not_when_zero(make_scenario):
    """Boats that never fall into distress: the only death at sea is being forced overboard.

    With forced_overboard 0.5 about half of the boats reaching the far coast force their people
    into the sea, and forced_overboard_loss = 0.3 of them are lost: deaths ~ 0.3 * forced.
    ~1,000 people forced into the sea: the asserted 0.2 < deaths / forced < 0.4 allows ~6
    standard errors (binomial per person, ~0.015).
    """
    out = {}
    for share in (0.0, 0.5):
        data = sea_data(days=60, boat_types=[SAFE_BOAT], forced_overboard=share)
        out[share] = sea_totals([run(make_scenario, data, seed) for seed in (1, 2)])
    assert out[0.0]["forced_overboard"] == 0
    assert out[0.0]["dead"] + out[0.0]["missing"] == 0
    assert out[0.0]["arrivals"] > 1000
    forced = out[0.5]
    lost = forced["dead"] + forced["missing"]
    assert 0.3 < forced["forced_overboard"] / forced["attempts"] < 0.7, forced
    assert 0.2 < lost / forced["forced_overboard"] < 0.4, forced
    # the survivors reach the far shore
    assert forced["arrivals"] + lost <= forced["attempts"]
    assert forced["arrivals"] > out[0.0]["arrivals"] * 0.7


def standing_off(model: Model) -> int:
    """People aboard a rescue vessel at the end of the run, waiting to disembark."""
    _, boat = model.boats.aboard(model.pop.view("status"))
    return int((model.boats.view("state")[boat] == BoatState.RESCUED).sum())


def test_disembarkation_delay_adds_stand_off_deaths(make_scenario):
    """Every boat falls into distress and is rescued in time (capacity 1,000, response 0 days);
    nobody is lost in the rescue. Without a delay rescued people disembark the next day and
    nobody dies. With delay_days 5 they spend 5 days aboard at a hazard of 0.2 a day: a share
    1 - 0.8**5 = 0.67 of those whose stand-off ended is lost. Over ~1,000 rescued, asserted as
    between 0.55 and 0.8 (binomial standard error ~0.015).
    """
    leaky = {"id": "dinghy", "capacity": 10, "distress": 1.0, "survival_days": 1.0}
    # overload exponent 0: part-filled boats are in distress too
    sea = {"standoff_daily_hazard": 0.2, "loss_if_rescued": 0.0, "overload_exponent": 0.0}
    out = {}
    for delay in (0, 5):
        policy = {
            "rescue": {"capacity": 1000, "response_days": 0.0},
            "disembarkation": {"delay_days": delay},
        }
        data = sea_data(days=60, boat_types=[leaky], sea=sea, policy=policy)
        models = [run(make_scenario, data, seed) for seed in (1, 2)]
        out[delay] = sea_totals(models)
        out[delay]["standing_off"] = sum(standing_off(m) for m in models)
    none, delayed = out[0], out[5]
    assert none["rescued"] > 1000
    assert none["dead"] + none["missing"] == 0
    assert none["arrivals"] == none["rescued"] - none["standing_off"]
    lost = delayed["dead"] + delayed["missing"]
    assert delayed["rescued"] > 1000
    ended = delayed["arrivals"] + lost  # rescued people whose stand-off is over
    assert ended + delayed["standing_off"] == delayed["rescued"]
    assert delayed["standing_off"] > none["standing_off"]
    assert 0.55 < lost / ended < 0.8, delayed


# -- the sea summary and smugglers' revenue -----------------------------------------------------


def test_sea_summary_has_every_key_and_consistent_rates(make_scenario):
    """Two hubs, two boat types, rescue, interception with screening: every key of the ``sea``
    section is there and agrees with the events, the boats and the timeseries."""
    data = sea_data(
        hubs=("west", "east"),
        days=50,
        boat_types=[DINGHY, WOODEN],
        mix={"dinghy": 1, "wooden": 1},
        forced_overboard=0.1,
        policy={"rescue": {"capacity": 2}, "interception": {"rate": 0.3, "screening": True}},
    )
    result = flowsim.run(make_scenario(data), seed=5)
    m, summary = result.model, result.summary
    sea, totals = summary["sea"], summary["totals"]
    assert set(sea) == SEA_KEYS
    lost = sea["dead"] + sea["missing"]
    assert sea["attempts"] > 0 and sea["arrivals"] > 0 and lost > 0
    assert sea["deaths_per_attempt"] == pytest.approx(lost / sea["attempts"])
    assert sea["deaths_per_arrival"] == pytest.approx(lost / sea["arrivals"])
    assert lost == summary["deaths"]["sea"]
    for key, event in (
        ("attempts", "sea_attempts"),
        ("arrivals", "sea_arrivals"),
        ("dead", "dead_sea"),
        ("missing", "missing_sea"),
    ):
        assert sea[key] == totals[event]
    for key in (
        "boats",
        "rescued",
        "intercepted",
        "pulled_back",
        "refouled",
        "screened_in",
        "forced_overboard",
    ):
        assert sea[key] == totals[key] > 0, key
    # boats: those launched with someone aboard
    assert sea["boats"] == int((m.boats.view("passengers") > 0).sum())
    # departures by hub: boardings at each hub, adding up to the attempts
    assert set(sea["departures_by_hub"]) == {"west", "east"}
    assert sum(sea["departures_by_hub"].values()) == sea["attempts"]
    # revenue: the fares of everyone aboard every boat
    fares = float((m.boats.view("fare") * m.boats.view("passengers")).sum())
    assert sea["smuggler_revenue"] == pytest.approx(fares, abs=0.01)
    # the timeseries: smugglers' revenue a day (rounded to whole USD) and departures per hub
    ts = result.timeseries
    revenue = ts[(ts["scope"] == "model") & (ts["variable"] == "smuggler_revenue")]
    assert len(revenue) == m.days
    np.testing.assert_allclose(revenue["value"], np.round(m.revenue_by_day), atol=0.5)
    departures = ts[(ts["scope"] == "node") & (ts["variable"] == "sea_departures")]
    assert set(departures["id"]) == {"west", "east"}  # hubs only
    assert departures.groupby("id")["value"].sum().to_dict() == sea["departures_by_hub"]


def test_sea_summary_without_crossings(make_scenario):
    """Nobody can afford the sea: no attempts, and the rates are None rather than a division."""
    sea = summarise(run(make_scenario, sea_data(days=10, resources=300.0), 1))["sea"]
    assert set(sea) == SEA_KEYS
    assert sea["attempts"] == sea["boats"] == sea["arrivals"] == 0
    assert sea["deaths_per_attempt"] is None and sea["deaths_per_arrival"] is None
    assert sea["smuggler_revenue"] == 0 and sea["departures_by_hub"] == {}


def test_smugglers_revenue_is_what_the_passengers_paid(make_scenario):
    """Everyone starts with 5,000 and earns nothing; the only costs are the land leg (100) and
    the fares (two boat types, price factors 0.8 and 1, enforcement 0.3 from day 20: fares
    500 * factor * 1.3). What the agents spent beyond their land legs is the revenue."""
    data = sea_data(
        days=50,
        boat_types=[DINGHY, WOODEN],
        mix={"dinghy": 1, "wooden": 1},
        policy={"enforcement": {"level": [[0, 0.0], [20, 0.3]]}},
    )
    data["behaviour"]["hazards"] = {"origin_savings": 0.0, "stranded_earnings": 0.0}
    model = run(make_scenario, data, 2)
    spent = float((5000.0 - model.pop.view("resources").astype(np.float64)).sum())
    land = 100.0 * model.edge_flow_by_day[:, model.net.edge_ids.index("home-west")].sum()
    revenue = summarise(model)["sea"]["smuggler_revenue"]
    assert revenue > 100_000
    assert spent - land == pytest.approx(revenue, rel=1e-6)
    assert model.revenue_by_day.sum() == pytest.approx(revenue, abs=0.01)
    # the fares charged: before day 20 and from day 20, each boat type's price
    fares = model.boats.view("fare")
    late = model.boats.view("depart_day") >= 20
    assert set(np.round(fares[~late], 6)) == {400.0, 500.0}
    assert set(np.round(fares[late], 6)) == {520.0, 650.0}


# -- levers: tables and timelines ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "field", "what"),
    [
        ({"rescue": {"capacity": {"nowhere": 3}}}, "policy.rescue.capacity.nowhere", "sea zone"),
        (
            {"rescue": {"response_days": {"west": 1}}},
            "policy.rescue.response_days.west",
            "sea zone",
        ),
        (
            {"interception": {"rate": {"central": 0.2, "haven": 0.5}}},
            "policy.interception.rate.haven",
            "sea zone",
        ),
        (
            {"disembarkation": {"delay_days": {"east-haven": 3}}},
            "policy.disembarkation.delay_days.east-haven",
            "sea zone",
        ),
        (
            {"enforcement": {"level": {"home": 0.5}}},
            "policy.enforcement.level.home",
            "embarkation node",
        ),
        (
            {"enforcement": {"level": {"central": 0.5, "default": 0.1}}},
            "policy.enforcement.level.central",
            "embarkation node",
        ),
    ],
)
def test_lever_table_with_an_unknown_key_is_a_one_line_error(make_scenario, policy, field, what):
    with pytest.raises(ScenarioError) as info:
        make_scenario(sea_data(hubs=("west", "east"), policy=policy))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"<test>: {field}: unknown {what}")


def test_lever_errors_through_overrides_and_ranges(make_scenario):
    with pytest.raises(ScenarioError) as info:
        make_scenario(sea_data(), ["policy.interception.rate={nowhere = 0.5}"])
    assert str(info.value) == (
        "--set policy.interception.rate={nowhere = 0.5}: policy.interception.rate.nowhere: "
        "unknown sea zone; allowed: central (or 'default')"
    )
    for policy, field in (
        ({"interception": {"rate": 1.5}}, "policy.interception.rate"),
        ({"interception": {"rate": {"central": [[0, 0.2], [5, 1.5]]}}}, "policy.interception.rate"),
        ({"disembarkation": {"delay_days": {"central": -1}}}, "policy.disembarkation.delay_days"),
    ):
        with pytest.raises(ScenarioError) as info:
            make_scenario(sea_data(policy=policy))
        message = str(info.value)
        assert "\n" not in message and message.startswith(f"<test>: {field} = "), message


def test_a_sea_leg_without_a_zone_is_its_own_zone(make_scenario):
    data = sea_data(hubs=("west", "east"), policy={"rescue": {"capacity": {"west-haven": 3}}})
    del data["edges"][1]["zone"]  # west-haven
    model = Model(make_scenario(data), days=2)
    assert model.net.zone_ids == ["west-haven", "central"]
    np.testing.assert_array_equal(model.levers["rescue_capacity"], [[3.0, 0.0], [3.0, 0.0]])


def test_a_timeline_lever_changes_behaviour_on_its_day(make_scenario):
    """Interception rate 0 until day 29 and 1 from day 30: no interception before day 30, and
    from day 30 every boat at sea is intercepted on its next sailing day, so nobody lands. The
    same timeline given with a date, or as a table entry, gives the same run."""
    forms = {
        "days": [[0, 0.0], [30, 1.0]],
        "date": [[START, 0.0], [START + dt.timedelta(days=30), 1.0]],
        "table": {"central": [[30, 1.0], [0, 0.0]], "default": 0.5},  # order does not matter
    }
    runs = {}
    for form, rate in forms.items():
        data = sea_data(days=50, policy={"interception": {"rate": rate}})
        runs[form] = run(make_scenario, data, 4)
    ev = runs["days"].events_by_day
    assert ev[:30, Event.INTERCEPTED].sum() == 0
    assert ev[:30, Event.SEA_ARRIVALS].sum() > 300
    assert ev[30:, Event.SEA_ARRIVALS].sum() == 0
    assert ev[30:33, Event.INTERCEPTED].sum() > 0
    assert ev[30:, Event.INTERCEPTED].sum() > 300
    for form in ("date", "table"):
        np.testing.assert_array_equal(runs[form].events_by_day, ev, err_msg=form)


# -- conservation through every path ------------------------------------------------------------


def test_invariants_hold_every_day_with_every_sea_path(make_scenario, check_state):
    """Two hubs in two zones, three boat types, weather, forced overboard; rescue, interception
    with screening in one zone, stand-off delays and enforcement changing on set days; smugglers
    adapting. The conftest invariants (stocks, events, boats and who is aboard them, sea
    conservation) are checked after every day, and every sea path is taken."""
    types = [
        DINGHY,
        WOODEN,
        {
            "id": "rubber",
            "capacity": 40,
            "distress": 0.3,
            "survival_days": 0.5,
            "price_factor": 0.6,
        },
    ]
    data = sea_data(
        hubs=("west", "east"),
        days=80,
        departures=30,
        boat_types=types,
        sea_days=3,
        zones={"west": "central", "east": "eastern"},
        forced_overboard=0.1,
        mix={"dinghy": 2, "wooden": 1, "rubber": 1},
        resources=3000.0,
        sea={
            "weather": [1.5, 1.5, 1.5, 1, 1, 1, 1, 1, 1, 1, 1, 1],
            "max_wait_days": 3,
            "standoff_daily_hazard": 0.02,
            "loss_if_intercepted": 0.02,
        },
        policy={
            "rescue": {
                "capacity": {"central": 2, "eastern": [[0, 0.5], [40, 5]]},
                "response_days": {"eastern": 1.0, "default": 0.3},
            },
            "interception": {
                "rate": {"central": 0.3, "eastern": [[0, 0.1], [20, 0.6]]},
                "screening": {"central": True, "default": False},
            },
            "disembarkation": {"delay_days": {"central": [[0, 0], [30, 4]], "default": 2}},
            "enforcement": {"level": {"east": [[0, 0], [50, 0.7]], "default": 0.2}},
        },
    )
    totals: dict = {}
    for seed in (1, 2, 3):
        model = run(make_scenario, data, seed, check_state=check_state)
        for k, v in sea_totals([model]).items():
            totals[k] = totals.get(k, 0) + v
    for key in (
        "attempts",
        "boats",
        "arrivals",
        "dead",
        "missing",
        "rescued",
        "intercepted",
        "pulled_back",
        "refouled",
        "screened_in",
        "forced_overboard",
    ):
        assert totals[key] > 0, key


def test_levers_written_in_toml(check_state):
    """sea_levers.toml: every lever form as a scenario file has it, resolved per day and zone or
    hub; the run keeps the invariants every day."""
    path = Path(__file__).resolve().parent / "sea_levers.toml"
    model = Model(path)
    net, lv = model.net, model.levers
    assert net.zone_ids == ["central", "east-haven"]
    assert net.type_ids == ["dinghy", "wooden"]
    west, east = net.index["west"], net.index["east"]
    expected = {
        # [day, zone]: central 3; the default (east-haven) 0.5, then 2 from 2020-01-21 (day 20)
        "rescue_capacity": np.array([[3.0, 0.5]] * 20 + [[3.0, 2.0]] * 40),
        "response_days": np.full((60, 2), 0.5),
        "interception_rate": np.array([[0.2, 0.0]] * 30 + [[0.2, 0.5]] * 30),
        "screening": np.tile([1.0, 0.0], (60, 1)),
        "delay_days": np.array([[0.0, 0.0]] * 40 + [[3.0, 3.0]] * 20),  # 2020-02-10 is day 40
    }
    for name, values in expected.items():
        np.testing.assert_array_equal(lv[name], values, err_msg=name)
    enforcement = np.zeros((60, net.n_nodes))
    enforcement[45:, west] = 0.6
    np.testing.assert_array_equal(lv["enforcement"], enforcement)
    # the leg's boat mix, normalised; the other leg has every type in equal shares
    np.testing.assert_allclose(net.edge_boat_mix[net.edge_ids.index("west-haven")], [2 / 3, 1 / 3])
    np.testing.assert_allclose(net.edge_boat_mix[net.edge_ids.index("east-haven")], [0.5, 0.5])

    while model.day < model.days:
        model.step()
        check_state(model)
    sea = summarise(model)["sea"]
    assert set(sea["departures_by_hub"]) == {"west", "east"}
    # interception on the east leg only from day 30: a boat launched on day d sails on days
    # d+1 to d+3, so every east boat intercepted was launched on day 27 or later
    b = model.boats
    caught = b.view("outcome") == Fate.INTERCEPTED
    east_caught = caught & (b.view("hub") == east)
    assert east_caught.any() and (b.view("depart_day")[east_caught] >= 27).all()
    assert (caught & (b.view("hub") == west)).any()
    # screening in the central zone only: everyone screened in was caught off the west hub
    assert screened_in_at(model, "west").any()
    assert not screened_in_at(model, "east").any()


def test_boats_and_revenue_with_several_persons_per_agent(make_scenario):
    """With 2 persons an agent a dinghy (capacity 10, overload 1.2) has 6 places for agents, and
    smugglers' revenue in the summary and the timeseries is in USD: every agent aboard paid the
    fare for 2 persons."""
    data = sea_data(days=40)
    data["simulation"]["persons_per_agent"] = 2.0
    result = flowsim.run(make_scenario(data), seed=1)
    b = result.model.boats
    launched = b.view("passengers") > 0
    assert launched.sum() > 20
    assert set((b.view("room") + b.view("passengers"))[launched].tolist()) == {6}
    fares = float((b.view("fare") * b.view("passengers")).sum())
    assert result.summary["sea"]["smuggler_revenue"] == pytest.approx(2 * fares, abs=0.01)
    ts = result.timeseries
    revenue = ts[(ts["scope"] == "model") & (ts["variable"] == "smuggler_revenue")]["value"]
    assert revenue.sum() == pytest.approx(2 * fares, abs=len(revenue))  # rounded a day
