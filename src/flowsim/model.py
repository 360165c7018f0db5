"""``flowsim.Model``: one step is one day of the journey, rule by rule in the order lived."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from flowsim.network import CompiledNetwork, build_graph, compile_network
from flowsim.population import N_STATUS, STATUS_NAMES, Population, Status, count_node_status
from flowsim.rng import RuleKeys
from flowsim.rules import EV_NEW_AGENTS, EVENT_NAMES, N_EVENTS
from flowsim.rules.arrival import settle
from flowsim.rules.departures import add_agents, depart, departure_table
from flowsim.rules.route_choice import choose_routes
from flowsim.rules.sea_crossing import cross
from flowsim.rules.travel import travel
from flowsim.scenario import DESTINATION_ROLES, Scenario, load_scenario, with_overrides

# rule numbers for RuleKeys
INITIAL, ROUTE_CHOICE, TRAVEL, SEA_CROSSING, ARRIVAL = range(5)


class NodeAgent(mesa.Agent):
    """A place on the route network: few and rich, so a Mesa agent (migrants are array rows)."""

    def __init__(self, model: Model, index: int, spec):
        super().__init__(model)
        self.index = index
        self.node_id = spec.id
        self.name = spec.name or spec.id
        self.country = spec.country
        self.roles = list(spec.roles)
        self.capacity = spec.capacity  # persons, None = unlimited

    def stock(self) -> dict[str, int]:
        """Agents at this node (or on a leg that started here) by status, as of the last day."""
        return dict(zip(STATUS_NAMES, self.model.node_status[self.index].tolist(), strict=True))


class Model(mesa.Model):
    def __init__(
        self,
        scenario: Scenario | str | Path,
        *,
        seed: int | None = None,
        days: int | None = None,
        overrides: dict[str, Any] | list[str] | None = None,
    ):
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        scenario = with_overrides(scenario, overrides)
        self.scenario = scenario
        self.seed = scenario.simulation.seed if seed is None else int(seed)
        super().__init__(rng=self.seed)
        self.keys = RuleKeys(self.rng)  # kernels' random keys, one per (rule, day)
        sim = scenario.simulation
        self.days = sim.days if days is None else int(days)
        if self.days < 1:
            raise ValueError(f"days must be at least 1, got {self.days}")
        self.start_date: dt.date = sim.start_date
        self.day = 0  # the day the next step simulates
        self.graph = build_graph(scenario)
        self.net: CompiledNetwork = compile_network(scenario, self.graph)
        self.nodes = [NodeAgent(self, k, n) for k, n in enumerate(scenario.nodes)]
        self.departures = departure_table(scenario, self.net.index, self.days)
        self.occupancy = np.zeros(self.net.n_nodes)  # settled agents per node
        b = scenario.behaviour
        self._rc, self._hz, self._sea, self._arr = b.route_choice, b.hazards, b.sea, b.arrival
        self._earnings = np.zeros(N_STATUS)  # money earned or saved a day, by status
        self._earnings[Status.AT_ORIGIN] = b.hazards.origin_savings
        self._earnings[Status.STRANDED] = b.hazards.stranded_earnings

        self.pop = Population(capacity=self._expected_agents())
        # daily records: what happened (events, flows) and stocks at the end of the day
        self.events_by_day = np.zeros((self.days, N_EVENTS), np.int64)
        self.edge_flow_by_day = np.zeros((self.days, self.net.n_edges), np.int64)
        self.arrivals_by_day = np.zeros((self.days, self.net.n_nodes), np.int64)
        self.node_status_by_day = np.zeros((self.days, self.net.n_nodes, N_STATUS), np.int64)
        self.node_status = np.zeros((self.net.n_nodes, N_STATUS), np.int64)
        self._place_initial_population()
        reporters = {name: _status_reporter(k) for k, name in enumerate(STATUS_NAMES)}
        reporters.update({name: _event_reporter(k) for k, name in enumerate(EVENT_NAMES)})
        self.datacollector = mesa.DataCollector(model_reporters={"day": "day", **reporters})

    # -- the day -------------------------------------------------------------------------------
    def step(self) -> None:
        if self.day >= self.days:
            self.running = False
            return
        d = self.day
        self._events = self.events_by_day[d]
        self._flow = self.edge_flow_by_day[d]
        self._arrivals = self.arrivals_by_day[d]
        self.depart()
        self.choose_routes()
        self.travel()
        self.cross_sea()
        self.arrive_and_settle()
        self._record()
        self.day += 1
        self.running = self.day < self.days

    def depart(self) -> None:
        n = depart(self.pop, self.departures, self.scenario.profiles, self.day, self.rng,
                   self.net.index)  # fmt: skip
        self._events[EV_NEW_AGENTS] += n

    def choose_routes(self) -> None:
        p, net, rc = self.pop, self.net, self._rc
        choose_routes(
            self.day, self.keys(ROUTE_CHOICE, self.day), p.view("status"), p.view("status_day"),
            p.view("node"), p.view("edge"), p.view("route"), p.view("route_pos"),
            p.view("destination"), p.view("departure_day"), p.view("motive"), p.view("tie"), p.view("resources"),
            p.view("risk_tolerance"),
            net.route_ptr, net.route_dest, net.route_days, net.route_cost, net.route_risk,
            net.node_min_route_cost, net.node_attract, net.node_is_destination,
            rc.w_attractiveness, rc.w_risk, rc.w_cost, rc.w_days, rc.tie_bonus, rc.noise,
            self._events,
        )  # fmt: skip

    def travel(self) -> None:
        p, net, hz = self.pop, self.net, self._hz
        travel(
            self.day, self.keys(TRAVEL, self.day), p.view("status"), p.view("status_day"),
            p.view("node"),
            p.view("edge"), p.view("days_left"), p.view("route"), p.view("route_pos"),
            p.view("legs"), p.view("first_arrival_node"), p.view("resources"),
            net.edge_dst, net.edge_mode, net.edge_days, net.edge_cost, net.edge_hazard,
            net.edge_robbery, net.route_edge_ptr, net.route_edges,
            hz.robbery_loss, hz.missing_share_land, self._earnings, self._flow, self._arrivals, self._events,
        )  # fmt: skip

    def cross_sea(self) -> None:
        p, net = self.pop, self.net
        cross(
            self.day, self.keys(SEA_CROSSING, self.day), p.view("status"), p.view("status_day"),
            p.view("node"),
            p.view("edge"), p.view("days_left"), p.view("route"), p.view("route_pos"),
            p.view("legs"), p.view("first_arrival_node"), p.view("resources"),
            net.edge_dst, net.edge_days, net.edge_cost, net.edge_hazard,
            net.route_edge_ptr, net.route_edges,
            self._sea.boat_daily_probability, self._hz.missing_share_sea,
            self._flow, self._arrivals, self._events,
        )  # fmt: skip

    def arrive_and_settle(self) -> None:
        p = self.pop
        settle(
            self.day, self.keys(ARRIVAL, self.day), p.view("status"), p.view("status_day"),
            p.view("node"),
            p.view("route"), p.view("onward_moves"), self.occupancy, self.net.node_capacity,
            self._arr.onward_probability, self._events,
        )  # fmt: skip

    # -- running and records -------------------------------------------------------------------
    def run(self, days: int | None = None, progress=None) -> Model:
        """Run ``days`` more days (default: to the end); ``progress(day)`` is called after each."""
        end = self.days if days is None else min(self.days, self.day + days)
        while self.day < end:
            self.step()
            if progress is not None:
                progress(self.day)
        return self

    @property
    def date(self) -> dt.date:
        return self.start_date + dt.timedelta(days=self.day)

    def _record(self) -> None:
        count_node_status(self.pop.view("status"), self.pop.view("node"), self.node_status)
        self.node_status_by_day[self.day] = self.node_status
        self.datacollector.collect(self)

    def agent(self, i: int) -> dict:
        """Agent ``i`` with its places, leg, route and profile named by their ids."""
        row = self.pop.agent(i)
        nodes = self.net.node_ids
        for field in ("origin", "node", "destination", "tie", "first_arrival_node"):
            row[field] = nodes[row[field]] if row[field] >= 0 else None
        row["edge"] = self.net.edge_ids[row["edge"]] if row["edge"] >= 0 else None
        row["route"] = self.net.route_path(row["route"]) if row["route"] >= 0 else None
        row["profile"] = self.scenario.profiles[row["profile"]].id
        return row

    def status_counts(self) -> np.ndarray:
        return self.node_status.sum(axis=0)

    def _expected_agents(self) -> int:
        initial = (
            sum(sum(n.initial_population.values()) for n in self.scenario.nodes)
            / self.scenario.simulation.persons_per_agent
        )
        flow = self.departures.rate.sum()
        return int(1.1 * (initial + flow)) + 1024

    def _place_initial_population(self) -> None:
        scale = self.scenario.simulation.persons_per_agent
        for k, node in enumerate(self.scenario.nodes):
            for pid, persons in node.initial_population.items():
                n = int(round(persons / scale))
                if "origin" in node.roles:
                    status = Status.AT_ORIGIN
                elif set(node.roles) & set(DESTINATION_ROLES):
                    status = Status.ARRIVED  # they get places now, while capacity lasts
                else:
                    status = Status.IN_TRANSIT  # at a node with no route: route choice decides
                pidx = next(j for j, p in enumerate(self.scenario.profiles) if p.id == pid)
                origin = k if status == Status.AT_ORIGIN else -1  # met on the way: origin unknown
                add_agents(self.pop, self.scenario.profiles[pidx], pidx, k, n, -1, status,
                           self.rng, self.net.index, origin)  # fmt: skip
                self.events_by_day[0, EV_NEW_AGENTS] += n
        p = self.pop
        settle(
            -1, self.keys(INITIAL, -1), p.view("status"), p.view("status_day"), p.view("node"),
            p.view("route"), p.view("onward_moves"), self.occupancy, self.net.node_capacity,
            0.0, np.zeros(N_EVENTS, np.int64),
        )  # fmt: skip


def _status_reporter(k: int):
    return lambda m: int(m.node_status[:, k].sum())


def _event_reporter(k: int):
    return lambda m: int(m.events_by_day[m.day, k])
