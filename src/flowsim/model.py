"""``flowsim.Model``: one step is one day of the journey, mechanism by mechanism in the order lived.

Each mechanism is one unit in ``flowsim.rules`` (its parameters, levers, state, kernels and
outputs); the model holds the population, the network, the boats, the levers over the run and
the daily records, and calls the units in the order of the day (:meth:`Model.step`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from flowsim import chunks
from flowsim.boats import Boats
from flowsim.check import require_memory
from flowsim.errors import ScenarioError
from flowsim.events import EVENT_NAMES, N_EVENTS, Event
from flowsim.network import CompiledNetwork, build_graph, compile_network
from flowsim.population import N_STATUS, STATUS_NAMES, Population, census
from flowsim.rng import RuleKeys
from flowsim.rules import Tally
from flowsim.rules.adaptive import AdaptivePolicy
from flowsim.rules.asylum import Asylum
from flowsim.rules.departures import Departures
from flowsim.rules.detention import Detention
from flowsim.rules.disembarkation import Disembarkation
from flowsim.rules.information import DECIDING, Information
from flowsim.rules.interception import Interception
from flowsim.rules.legal_channels import LegalChannels
from flowsim.rules.observation import Observation
from flowsim.rules.profiling import Profiling
from flowsim.rules.pullback import PullbackDetention
from flowsim.rules.reception import Reception
from flowsim.rules.returns import Returns
from flowsim.rules.route_choice import RouteChoice
from flowsim.rules.sea_crossing import SeaCrossing
from flowsim.rules.secondary_movement import SecondaryMovement
from flowsim.rules.sharing import Sharing
from flowsim.rules.smuggling import Smuggling
from flowsim.rules.solutions import Solutions
from flowsim.rules.travel import Travel
from flowsim.scenario import MAX_DAYS, Scenario, load_scenario, with_overrides

__all__ = ["DECIDING", "Model", "NodeAgent"]


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
        self.country_id = model.net.country_ids[model.net.node_country[index]]  # lever key

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
        self.days = scenario.simulation.days if days is None else int(days)
        if not 1 <= self.days <= MAX_DAYS:
            raise ScenarioError(f"{scenario.source}: days = {self.days}: allowed: 1 to {MAX_DAYS}")
        require_memory(scenario, self.days)  # a run that cannot fit is refused before it starts
        self.start_date: dt.date = scenario.simulation.start_date
        self.day = 0  # the day the next step simulates
        self.graph = build_graph(scenario)
        self.net: CompiledNetwork = compile_network(scenario, self.graph)
        self.nodes = [NodeAgent(self, k, n) for k, n in enumerate(scenario.nodes)]
        self.levers: dict[str, np.ndarray] = {}  # [day, id] over the run, filled by the units
        self.boats = Boats()
        # daily records: what happened (events, flows) and stocks at the end of the day
        n_nodes, n_edges, n_c = self.net.n_nodes, self.net.n_edges, len(self.net.country_ids)
        self.events_by_day = np.zeros((self.days, N_EVENTS), np.int64)
        self.edge_flow_by_day = np.zeros((self.days, n_edges), np.int64)
        self.arrivals_by_day = np.zeros((self.days, n_nodes), np.int64)
        self.node_status_by_day = np.zeros((self.days, n_nodes, N_STATUS), np.int64)
        self.node_status = np.zeros((n_nodes, N_STATUS), np.int64)
        self.revenue_by_day = np.zeros(self.days)  # fares paid per agent (USD per person)
        self.backlog_by_day = np.zeros((self.days, n_c), np.int64)  # pending claims, end of day

        # the mechanisms, in the order of the day; each resolves its levers into self.levers
        self.departures = Departures(self)
        self.pop = Population(capacity=self.departures.expected_agents(scenario))
        self.legal_channels = LegalChannels(self)
        self.route_choice = RouteChoice(self)
        self.travel = Travel(self)
        self.smuggling = Smuggling(self)
        self.interception = Interception(self)
        self.disembarkation = Disembarkation(self)
        self.sea = SeaCrossing(self)
        self.pullback = PullbackDetention(self)
        self.detention = Detention(self)
        self.profiling = Profiling(self)
        self.asylum = Asylum(self)
        self.sharing = Sharing(self)  # after asylum: lends decision capacity between countries
        self.reception = Reception(self)
        self.secondary_movement = SecondaryMovement(self)
        self.solutions = Solutions(self)
        self.returns = Returns(self)
        self.information = Information(self)  # also makes self.beliefs
        self.observation = Observation(self)  # what authorities record (point 2 of the Plan)
        self.adaptive = AdaptivePolicy(self)  # rules on what is recorded: after every unit
        self.tally = self._tally(0)

        # the initial population, its beliefs, and places for those at destinations
        self.events_by_day[0, Event.NEW_AGENTS] += self.departures.place_initial(self)
        self.information.new_agents(self)
        self.reception.place_initial(self)
        reporters = {name: _status_reporter(k) for k, name in enumerate(STATUS_NAMES)}
        reporters.update({name: _event_reporter(k) for k, name in enumerate(EVENT_NAMES)})
        self.datacollector = DailyIndicators(model_reporters={"day": "day", **reporters})

    # -- the day -------------------------------------------------------------------------------
    def step(self) -> None:
        if self.day >= self.days:
            self.running = False
            return
        d = self.day
        self.tally = self._tally(d)
        self.pop.new_day()
        self.departures.step(self, d)  # new agents at their origins, with their beliefs
        self.legal_channels.step(self, d)  # who can leave by a legal channel does
        self.route_choice.step(self, d)  # the others choose a route (or stay)
        self.travel.step(self, d)  # legs over land, their hazards, the next leg
        self.smuggling.step(self, d)  # boats launched at the hubs and boarded
        self.sea.step(self, d)  # interception, distress, rescue, landing, disembarkation
        self.pullback.step(self, d)  # detention after a pull-back: hazard, extortion, release
        self.detention.step(self, d)  # releases at the maximum stay
        self.sharing.step(self, d)  # relocation between countries
        self.reception.step(self, d)  # registration (profiling, claim, detention), places
        self.secondary_movement.step(self, d)  # moving on from poor protection
        self.asylum.step(self, d)  # appeals and first-instance decisions
        self.sharing.count_shared(self, d)  # decisions made with a partner's capacity
        self.solutions.step(self, d)  # repatriation, local integration, resettlement
        self.returns.step(self, d)  # forced and voluntary return, absconding, re-migration
        self.information.step(self, d)  # what people heard and believe tonight
        self._record(d)
        self.observation.step(self, d)  # what authorities record of the day
        self.adaptive.step(self, d)  # rules that react to it, from day d + their delay
        self.day += 1
        self.running = self.day < self.days

    def _tally(self, d: int) -> Tally:
        return Tally(
            self.events_by_day[d],
            self.edge_flow_by_day[d],
            self.arrivals_by_day[d],
            self.revenue_by_day[d : d + 1],
            self.asylum.first_wait,
            self.asylum.final_wait,
        )

    def _record(self, d: int) -> None:
        agents, n_nodes = self.pop.agents(), self.net.n_nodes
        n = chunks.n_chunks(agents.changed.shape[0])
        by_node = np.zeros((n, n_nodes, N_STATUS), np.int64)
        pending = np.zeros((n, len(self.net.country_ids)), np.int64)
        housed = np.zeros((n, n_nodes), np.int64)
        chunks.run(census, n, agents, self.net.node_country, by_node, pending, housed)
        self.node_status[:] = by_node.sum(axis=0)
        self.backlog_by_day[d] = pending.sum(axis=0)
        self.reception.occupancy[:] = housed.sum(axis=0)
        self.node_status_by_day[d] = self.node_status
        self.datacollector.collect(self)

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

    # state the units hold, under the names the outputs and the docs use
    occupancy = property(lambda self: self.reception.occupancy)
    first_wait = property(lambda self: self.asylum.first_wait)
    final_wait = property(lambda self: self.asylum.final_wait)
    true_risk = property(lambda self: self.information.true_risk)
    true_welcome = property(lambda self: self.information.true_welcome)
    true_risk_by_day = property(lambda self: self.information.true_risk_by_day)
    believed_risk_by_day = property(lambda self: self.information.believed_risk_by_day)
    belief_error_by_day = property(lambda self: self.information.belief_error_by_day)
    welcome_error_by_day = property(lambda self: self.information.welcome_error_by_day)

    def status_counts(self) -> np.ndarray:
        return self.node_status.sum(axis=0)

    def agent(self, i: int) -> dict:
        """Agent ``i`` with its places, leg, route and profile named by their ids."""
        row = self.pop.agent(i)
        nodes = self.net.node_ids
        for field in ("origin", "node", "tie", "first_protection_node", "entry_from"):
            row[field] = nodes[row[field]] if row[field] >= 0 else None
        row["edge"] = self.net.edge_ids[row["edge"]] if row["edge"] >= 0 else None
        row["route"] = self.net.route_path(row["route"]) if row["route"] >= 0 else None
        row["profile"] = self.scenario.profiles[row["profile"]].id
        aboard, boats = self.boats.aboard(self.pop.view("status"))
        row["boat"] = int(boats[aboard == i][0]) if (aboard == i).any() else None
        hubs = [nodes[h] for h in self.net.hub_nodes]
        risk = self.beliefs.risk()[i]
        row["believed_sea_risk"] = {h: float(r) for h, r in zip(hubs, risk, strict=True)}
        welcome = self.beliefs.welcome()[i]
        destinations = self.net.destination_nodes
        row["believed_welcome"] = {
            nodes[n]: float(w) for n, w in zip(destinations, welcome, strict=True)
        }
        row["contacts"] = [int(c) for c in self.beliefs.view("contacts")[i] if c >= 0]
        return row

    def contact_graph(self):
        """The contact network as a ``networkx.Graph``: a node per agent row (with its origin),
        an edge per filled contact slot (news and reports travel both ways along it). For
        inspection and analysis; the model itself reads the contact arrays."""
        import networkx as nx

        contacts = self.beliefs.view("contacts")
        origins = self.pop.view("origin")
        graph = nx.Graph()
        graph.add_nodes_from(
            (i, {"origin": self.net.node_ids[o] if o >= 0 else None})
            for i, o in enumerate(origins.tolist())
        )
        rows, slots = np.nonzero(contacts >= 0)
        graph.add_edges_from(zip(rows.tolist(), contacts[rows, slots].tolist(), strict=True))
        return graph


class DailyIndicators(mesa.DataCollector):
    """Mesa's DataCollector of the model-level indicators (``day``, agents by status, events),
    read from the model's daily records (``node_status_by_day``, ``events_by_day``) when asked
    instead of calling its reporters each day: the same table at no cost a day."""

    def collect(self, model) -> None:
        self._model, self._days = model, model.day + 1

    @property
    def model_vars(self) -> dict[str, list]:
        m, n = getattr(self, "_model", None), getattr(self, "_days", 0)
        if m is None:
            return {name: [] for name in self.model_reporters}
        status = m.node_status_by_day[:n].sum(axis=1)
        out = {"day": list(range(n))}
        out.update({name: status[:, k].tolist() for k, name in enumerate(STATUS_NAMES)})
        out.update({name: m.events_by_day[:n, k].tolist() for k, name in enumerate(EVENT_NAMES)})
        return out

    @model_vars.setter
    def model_vars(self, value) -> None:  # set by mesa.DataCollector.__init__
        pass


def _status_reporter(k: int):
    return lambda m: int(m.node_status[:, k].sum())


def _event_reporter(k: int):
    return lambda m: int(m.events_by_day[m.day, k])
