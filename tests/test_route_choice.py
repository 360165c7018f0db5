"""Route choice: risk tolerance favours the risky fast route; unaffordable routes are never taken."""

from __future__ import annotations

import numpy as np
import pytest

from flowsim import Model, chunks
from flowsim.beliefs import BeliefState, encode_confidence, encode_means
from flowsim.events import N_EVENTS, Event
from flowsim.population import RISK_TOLERANCE_STEPS, Population, Status
from flowsim.rules.route_choice import choose_routes


def sea_route_taken(model: Model) -> tuple[np.ndarray, np.ndarray]:
    """Agents who chose a route, and whether theirs goes by the coast (the sea route)."""
    routes = model.pop.view("route")
    chose = routes >= 0
    assert chose.mean() > 0.95  # resources ~2,000 +- 800; the cheapest route costs 400
    by_route = np.array(["coast" in model.net.route_path(r) for r in range(model.net.n_routes)])
    return chose, by_route[routes[chose]]


def test_risk_tolerant_agents_take_the_sea_route_more_often(two_routes_data, make_scenario):
    # ~2,000 agents: 500 on day 0 for each of four seeds; after one day they have just chosen
    scenario = make_scenario(two_routes_data(), {"nodes.home.departures.people": 500})
    tolerance, sea = [], []
    for seed in range(4):
        model = Model(scenario, seed=seed, days=1).run()
        chose, by_sea = sea_route_taken(model)
        tolerance.append(model.pop.view("risk_tolerance")[chose] / RISK_TOLERANCE_STEPS)
        sea.append(by_sea)
    tolerance, sea = np.concatenate(tolerance), np.concatenate(sea)
    assert tolerance.size > 1500
    low, high = np.quantile(tolerance, [0.25, 0.75])
    share_low = sea[tolerance <= low].mean()
    share_high = sea[tolerance >= high].mean()
    # With the default weights the sea route's utility advantage grows by 0.6 per unit of risk
    # tolerance (noise scale 0.3): expected shares are about 0.47 (bottom quartile) and 0.74 (top).
    # Each share over ~500 agents has a standard error of ~0.022, so a gap above 0.15 holds with
    # a margin of ~4 standard errors on each side of the expected 0.27.
    assert share_high - share_low > 0.15
    # both routes are used: choice is probabilistic, not a hard threshold
    assert 0.2 < sea.mean() < 0.9


def test_without_noise_choice_is_monotone_in_risk_tolerance(two_routes_data, make_scenario):
    """With noise 0 and equal resources, the sea route is taken exactly above one tolerance."""
    scenario = make_scenario(
        two_routes_data(),
        {
            "nodes.home.departures.people": 300,
            "behaviour.route_choice.noise": 0.0,
            "profiles.people.resources": {"mean": 2000, "sd": 0},
        },
    )
    model = Model(scenario, seed=3, days=1).run()
    chose, sea = sea_route_taken(model)
    assert chose.all()  # everyone has 2,000
    tolerance = model.pop.view("risk_tolerance") / RISK_TOLERANCE_STEPS
    assert sea.any() and not sea.all()
    # the threshold: 0.54 (days saved) - 0.1 (extra cost / resources) = 0.6 * (1 - tolerance)
    assert tolerance[sea].min() > tolerance[~sea].max()
    assert tolerance[~sea].max() < 1 - 0.44 / 0.6 < tolerance[sea].min()


def test_sea_route_above_every_budget_is_never_taken(two_routes_data, make_scenario):
    scenario = make_scenario(two_routes_data(), {"edges.coast-haven.cost": 1e7})
    model = Model(scenario, days=30).run()
    net = model.net
    assert model.events_by_day[:, Event.DEPARTURES].sum() > 300  # ~20 a day leave, all by land
    flows = model.edge_flow_by_day.sum(axis=0)
    assert flows[net.edge_ids.index("home-coast")] == 0
    assert flows[net.edge_ids.index("coast-haven")] == 0
    assert (
        flows[net.edge_ids.index("home-inland")] == model.events_by_day[:, Event.DEPARTURES].sum()
    )
    assert not (model.pop.view("node") == net.index["coast"]).any()


def test_chosen_route_is_always_affordable_kernel(two_routes_data, make_scenario, record_calls):
    """Call the kernel directly: per agent, the chosen route costs no more than its resources.

    The network arrays and weights are those the model passes on day 0; the population is
    replaced by 4,000 synthetic deciders.
    """
    model = Model(make_scenario(two_routes_data()), days=1)
    [(_, inputs)] = [c for c in record_calls(model, 1) if c[0] == "choose_routes"]
    net = model.net
    rng = np.random.default_rng(11)
    n = 4000
    home, coast, inland, haven = (net.index[k] for k in ("home", "coast", "inland", "haven"))
    # deciders of every kind: at origin, stranded, and in transit at a node with no route (also
    # at the destination 'haven', as after an onward move; no route leaves haven)
    kind = rng.integers(0, 5, n)
    status = np.where(
        kind == 0, Status.AT_ORIGIN, np.where(kind == 1, Status.STRANDED, Status.IN_TRANSIT)
    ).astype(np.uint8)
    node = np.choose(kind, [home, inland, coast, inland, haven]).astype(np.int16)
    resources = rng.uniform(0, 1000, n).astype(np.float32)  # route costs are 200..600
    pop = Population(n)
    pop.add(
        n,
        status=status,
        node=node,
        origin=node,
        motive=rng.integers(0, 3, n),
        resources=resources,
        risk_tolerance=rng.integers(0, RISK_TOLERANCE_STEPS + 1, n),
    )
    before = {k: v.copy() for k, v in pop.arrays().items()}
    # per-agent beliefs sized to the synthetic deciders: believed sea risk about 0-20% and
    # welcome at each destination
    bl = inputs["beliefs"]
    hubs, dests = bl.risk_mean.shape[1], bl.welcome_mean.shape[1]
    beliefs = BeliefState(
        risk_mean=encode_means(rng.uniform(0, 0.2, (n, hubs))),
        risk_n=np.full((n, hubs), encode_confidence(10.0), np.uint16),
        welcome_mean=encode_means(rng.uniform(0, 1, (n, dests))),
        welcome_n=np.full((n, dests), encode_confidence(10.0), np.uint16),
        contacts=np.full((n, bl.contacts.shape[1]), -1, np.int32),
    )
    agents = pop.agents()
    k = chunks.n_chunks(agents.changed.shape[0])
    counts = np.zeros((k, N_EVENTS), np.int64)
    choose_routes(
        **{
            **inputs,
            "first": 0,
            "step": 1,
            "last": k,
            "agents": agents,
            "beliefs": beliefs,
            "day": 4,
            "key": 987654321,
            "counts": counts,
        }
    )
    arrays, events = pop.arrays(), counts.sum(axis=0)
    chose = arrays["route"] >= 0
    cheapest = np.array(
        [
            net.route_cost[net.route_ptr[k] : net.route_ptr[k + 1]].min(initial=np.inf)
            for k in range(net.n_nodes)
        ]
    )
    affordable = before["resources"] >= cheapest[before["node"]]
    # exactly those with an affordable route chose one, and it costs no more than they have
    np.testing.assert_array_equal(chose, affordable)
    assert (net.route_cost[arrays["route"][chose]] <= before["resources"][chose]).all()
    # the route starts where the agent stands, and the destination is the route's
    assert (
        net.edge_src[net.route_edges[net.route_edge_ptr[arrays["route"][chose]]]] == node[chose]
    ).all()
    # at home agents with 400..600 can only afford the land route
    mid = chose & (node == home) & (before["resources"] < 600)
    assert mid.sum() > 50
    assert not any("coast" in net.route_path(r) for r in arrays["route"][mid])
    # who could not afford a route: at origin stays at origin, in transit becomes stranded, and
    # in transit at a destination (an onward mover with no way out) waits there again (arrived)
    stuck = ~affordable
    was = before["status"]
    at_dest = net.node_is_destination[node]
    assert (arrays["status"][stuck & (was == Status.AT_ORIGIN)] == Status.AT_ORIGIN).all()
    in_transit_stuck = stuck & (was == Status.IN_TRANSIT)
    assert (arrays["status"][in_transit_stuck & ~at_dest] == Status.STRANDED).all()
    assert (arrays["status"][in_transit_stuck & at_dest] == Status.ARRIVED).all()
    assert (in_transit_stuck & at_dest).sum() > 0
    assert (arrays["status"][stuck & (was == Status.STRANDED)] == Status.STRANDED).all()
    assert (arrays["status"][chose] == Status.IN_TRANSIT).all()
    assert events[Event.STRANDINGS] == (in_transit_stuck & ~at_dest).sum() > 0
    assert events[Event.DEPARTURES] == (chose & (was == Status.AT_ORIGIN)).sum() > 0
    assert (arrays["departure_day"][chose & (was == Status.AT_ORIGIN)] == 4).all()
    assert (arrays["departure_day"][~(chose & (was == Status.AT_ORIGIN))] == -1).all()
    # resources are not spent by choosing (legs are paid when started)
    np.testing.assert_array_equal(arrays["resources"], before["resources"])


def test_agents_who_cannot_afford_any_route_stay_at_origin(two_routes_data, make_scenario):
    # the cheapest route from home costs 400; everyone has 50
    scenario = make_scenario(two_routes_data(), {"profiles.people.resources": {"mean": 50}})
    model = Model(scenario, days=10).run()
    status = model.pop.view("status")
    assert model.pop.n > 100  # ~20 a day arrived at the origin
    assert (status == Status.AT_ORIGIN).all()
    assert (model.pop.view("node") == model.net.index["home"]).all()
    assert model.events_by_day[:, Event.DEPARTURES].sum() == 0
    assert model.events_by_day[:, Event.STRANDINGS].sum() == 0  # at origin is not stranded
    assert model.edge_flow_by_day.sum() == 0
    # people at their origin save origin_savings a day (travel runs on the day they appear too)
    savings = model.scenario.behaviour.hazards.origin_savings
    assert savings > 0
    saved_days = 10 - model.pop.view("born_day").astype(float)
    np.testing.assert_allclose(model.pop.view("resources"), 50 + savings * saved_days, rtol=1e-6)


@pytest.fixture
def stranded_model(two_routes_data, make_scenario):
    """50 agents in transit at 'inland' with 150 (the onward leg costs 200), earning 5 a day."""
    data = two_routes_data()
    data["profiles"].append(
        {
            "id": "poor",
            "protection_need": 0.5,
            "motives": {"safety": 1},
            "resources": {"mean": 150},
            "risk_tolerance": {"mean": 0.5},
        }
    )
    scenario = make_scenario(
        data,
        {
            "nodes.home.departures.people": 0,
            "nodes.inland.initial_population": {"poor": 50},
            "behaviour.hazards.stranded_earnings": 5.0,
        },
    )
    return Model(scenario, days=14)


def test_in_transit_agents_who_cannot_afford_a_route_become_stranded(stranded_model):
    m = stranded_model
    m.step()
    status = m.pop.view("status")
    assert m.pop.n == 50
    assert (status == Status.STRANDED).all()
    assert m.events_by_day[0, Event.STRANDINGS] == 50
    assert (m.pop.view("node") == m.net.index["inland"]).all()
    assert (m.pop.view("route") == -1).all()
    # stranded agents earn stranded_earnings a day: 150 + 5 at the end of day 0
    np.testing.assert_array_equal(m.pop.view("resources"), 155.0)


def test_stranded_agents_leave_once_they_can_pay(stranded_model):
    # 150 + 5 a day reaches the cost 200 after 10 days of earnings: route choice on day 10 sees 200
    m = stranded_model
    m.run(10)
    assert (m.pop.view("status") == Status.STRANDED).all()
    assert m.events_by_day[1:10, Event.STRANDINGS].sum() == 0  # stranded once, not again every day
    m.step()  # day 10
    assert (m.pop.view("status") == Status.IN_TRANSIT).all()
    assert (m.pop.view("edge") == m.net.edge_ids.index("inland-haven")).all()
    np.testing.assert_array_equal(m.pop.view("resources"), 0.0)
