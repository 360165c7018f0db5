"""Departures: new agents leave their origins at the rate each origin gives each profile.

Each day, for each origin and profile, the number of new agents is Poisson with mean
``rate(day) / persons_per_agent``, where ``rate`` is the node's ``departures`` value or step
timeline (persons per day; shocks are steps on the timeline). An origin with a ``population`` cannot
send more people than it has. New agents draw their attributes from their profile: latent
protection need, dominant motive (by the motive shares), vulnerabilities (independent shares),
resources (lognormal with the profile's mean and sd), risk tolerance (beta with the profile's mean
and sd) and a tie to a destination (by the tie shares). They start at their origin (status
at_origin) and route choice decides when they can leave.

In forced-inflow mode (a validation option, see ``flowsim.flee``) a set number of new agents a day
is also added, spread over origins by weight (:func:`depart_forced`).

The work here is per new agent, not per agent in the population, so it is vectorised numpy rather
than a kernel. The initial population (``nodes.initial_population``) is placed when the model is
built (:meth:`Departures.place_initial`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flowsim.errors import ScenarioError
from flowsim.events import Event
from flowsim.population import (
    AWARE_BITS,
    MAX_PROFILES,
    RISK_TOLERANCE_STEPS,
    VULN_BIT,
    Population,
    Status,
)
from flowsim.rules import Mechanism
from flowsim.scenario import DESTINATION_ROLES, MOTIVES, VULNERABILITIES, Profile, Scenario
from flowsim.timeline import expand


class Departures(Mechanism):
    """New agents: the initial population, then each day's departures from the origins."""

    def __init__(self, model) -> None:
        super().__init__(model)
        if len(model.scenario.profiles) > MAX_PROFILES:
            raise ScenarioError(
                f"{model.scenario.source}: {len(model.scenario.profiles)} profiles; at most "
                f"{MAX_PROFILES} (agents hold their profile as uint8)"
            )
        self.table = departure_table(model.scenario, model.net.index, model.days)
        self.forced = forced_inflow_table(model.scenario, model.net.index, model.days)
        self.awareness = model.scenario.behaviour.legal.awareness

    def expected_agents(self, scenario: Scenario) -> int:
        """About how many agents the run will have (to size the arrays once)."""
        initial = (
            sum(sum(n.initial_population.values()) for n in scenario.nodes)
            / scenario.simulation.persons_per_agent
        )
        flow = self.table.rate.sum()
        if self.forced is not None:
            flow += self.forced.count.sum()
        return int(1.1 * (initial + flow)) + 1024

    def place_initial(self, model) -> int:
        """The initial population of every node, by role: at an origin, at its origin; at a
        node with a destination role, arrived (places are given next, never registered);
        elsewhere in transit with no route (route choice decides). Returns how many."""
        scenario = model.scenario
        scale = scenario.simulation.persons_per_agent
        added = 0
        for k, node in enumerate(scenario.nodes):
            for pid, persons in node.initial_population.items():
                n = int(round(persons / scale))
                if "origin" in node.roles:
                    status = Status.AT_ORIGIN
                elif set(node.roles) & set(DESTINATION_ROLES):
                    status = Status.ARRIVED
                else:
                    status = Status.IN_TRANSIT
                pidx = next(j for j, p in enumerate(scenario.profiles) if p.id == pid)
                origin = k if status == Status.AT_ORIGIN else -1  # met on the way: unknown
                add_agents(
                    model.pop,
                    scenario.profiles[pidx],
                    pidx,
                    k,
                    n,
                    -1,
                    status,
                    model.rng,
                    model.net.index,
                    origin,
                    self.awareness,
                )
                added += n
        return added

    def step(self, model, day: int) -> None:
        profiles, index = model.scenario.profiles, model.net.index
        n = depart(model.pop, self.table, profiles, day, model.rng, index, self.awareness)
        if self.forced is not None:
            n += depart_forced(
                model.pop, self.forced, profiles, day, model.rng, index, self.awareness
            )
        model.information.new_agents(model)  # their beliefs and contacts
        model.tally.events[Event.NEW_AGENTS] += n


@dataclass
class DepartureTable:
    """Per (origin, profile) pair: agents per day; per origin: the people it may still send."""

    origin: np.ndarray  # node index per pair
    profile: np.ndarray  # profile index per pair
    rate: np.ndarray  # [pair, day] expected new agents
    remaining: np.ndarray  # agents each origin node may still send (inf where unlimited)


def departure_table(scenario: Scenario, index: dict[str, int], days: int) -> DepartureTable:
    scale = scenario.simulation.persons_per_agent
    start = scenario.simulation.start_date
    profile_index = {p.id: k for k, p in enumerate(scenario.profiles)}
    origins, profiles, rates = [], [], []
    for node in scenario.nodes:
        for pid, sched in node.departures.items():
            origins.append(index[node.id])
            profiles.append(profile_index[pid])
            rates.append(expand(sched, start, days) / scale)
    remaining = np.array(
        [n.population / scale if n.population > 0 else np.inf for n in scenario.nodes]
    )
    return DepartureTable(
        origin=np.array(origins, np.int64),
        profile=np.array(profiles, np.int64),
        rate=np.array(rates, float).reshape(len(origins), days),
        remaining=remaining,
    )


def depart(
    pop: Population,
    table: DepartureTable,
    profiles: list[Profile],
    day: int,
    rng: np.random.Generator,
    tie_index: dict[str, int],
    awareness: float = 0.0,
) -> int:
    """Add today's new agents at their origins; returns how many were added."""
    if table.rate.shape[0] == 0 or day >= table.rate.shape[1]:
        return 0
    counts = rng.poisson(table.rate[:, day])
    added = 0
    for k in np.flatnonzero(counts):
        o = table.origin[k]
        n = int(min(counts[k], table.remaining[o]))
        if n <= 0:
            continue
        table.remaining[o] -= n
        add_agents(
            pop,
            profiles[table.profile[k]],
            int(table.profile[k]),
            o,
            n,
            day,
            Status.AT_ORIGIN,
            rng,
            tie_index,
            awareness=awareness,
        )
        added += n
    return added


@dataclass
class ForcedInflowTable:
    """Forced-inflow mode: agents to add each day and each origin's placement weight."""

    count: np.ndarray  # [day] new agents (cumulative rounding keeps the total exact)
    origin: np.ndarray  # node index per weighted origin
    weight: np.ndarray  # [day, origin]
    profile: int


def forced_inflow_table(scenario: Scenario, index: dict[str, int], days: int):
    fi = scenario.forced_inflow
    if fi is None:
        return None
    start = scenario.simulation.start_date
    persons = np.zeros(days)
    persons[: min(days, len(fi.daily))] = fi.daily[:days]
    cumulative = np.floor(np.cumsum(persons / scenario.simulation.persons_per_agent) + 1e-9)
    origins = list(fi.weights)
    return ForcedInflowTable(
        count=np.diff(cumulative, prepend=0.0).astype(np.int64),
        origin=np.array([index[o] for o in origins], np.int64),
        weight=np.array([expand(fi.weights[o], start, days) for o in origins]).T,
        profile=[p.id for p in scenario.profiles].index(fi.profile),
    )


def depart_forced(
    pop: Population,
    table: ForcedInflowTable,
    profiles: list[Profile],
    day: int,
    rng: np.random.Generator,
    tie_index: dict[str, int],
    awareness: float = 0.0,
) -> int:
    """Forced inflow: today's set number of new agents, spread over origins by weight.

    On a day when every weight is 0 the agents are spread evenly over the weighted origins."""
    n = int(table.count[day])
    if n <= 0 or table.origin.size == 0:
        return 0
    w = table.weight[day]
    p = w / w.sum() if w.sum() > 0 else np.full(w.size, 1.0 / w.size)
    for k, m in enumerate(rng.multinomial(n, p)):
        if m:
            add_agents(
                pop,
                profiles[table.profile],
                table.profile,
                int(table.origin[k]),
                int(m),
                day,
                Status.AT_ORIGIN,
                rng,
                tie_index,
                awareness=awareness,
            )
    return n


def add_agents(
    pop: Population,
    profile: Profile,
    profile_idx: int,
    node: int,
    n: int,
    day: int,
    status: Status,
    rng: np.random.Generator,
    tie_index: dict[str, int],
    origin: int | None = None,
    awareness: float = 0.0,
) -> slice:
    """Append ``n`` agents of ``profile`` at ``node`` with attributes drawn from the profile.

    ``origin`` defaults to ``node``; -1 means unknown (agents placed on the way at the start).
    Each knows of each legal channel with probability ``awareness`` (drawn last, and only when
    above 0, so that the other draws do not depend on it)."""
    rows = pop.add(
        n,
        profile=profile_idx,
        origin=node if origin is None else origin,
        node=node,
        status=int(status),
        status_day=day,
        born_day=day,
        protection_need=rng.random(n) < profile.protection_need,
        motive=_categorical(rng, [profile.motives.get(m, 0.0) for m in MOTIVES], n),
        vulnerability=_vulnerabilities(rng, profile, n),
        resources=_lognormal(rng, profile.resources.mean, profile.resources.sd, n),
        risk_tolerance=np.round(  # stored in steps of 1/255
            _beta(rng, profile.risk_tolerance.mean, profile.risk_tolerance.sd, n)
            * RISK_TOLERANCE_STEPS
        ),
        tie=_ties(rng, profile, tie_index, n),
    )
    if awareness > 0:
        bits = np.zeros(n, np.uint8)
        for bit in AWARE_BITS.values():
            bits |= np.where(rng.random(n) < awareness, bit, 0).astype(np.uint8)
        pop.aware[rows] = bits
    return rows


def _categorical(rng: np.random.Generator, weights: list[float], n: int) -> np.ndarray:
    p = np.asarray(weights, float)
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right").clip(0, len(p) - 1)


def _vulnerabilities(rng: np.random.Generator, profile: Profile, n: int) -> np.ndarray:
    bits = np.zeros(n, np.uint8)
    for v in VULNERABILITIES:
        share = profile.vulnerabilities.get(v, 0.0)
        if share > 0:
            bits |= np.where(rng.random(n) < share, VULN_BIT[v], 0).astype(np.uint8)
    return bits


def _lognormal(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    if mean <= 0 or sd <= 1e-12 * mean:
        return np.full(n, mean)
    sigma2 = np.log1p(min(sd / mean, 1e6) ** 2)  # a coefficient of variation above 1e6 is capped
    return rng.lognormal(np.log(mean) - sigma2 / 2, np.sqrt(sigma2), n)


def _beta(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    if sd <= 1e-9:
        return np.full(n, mean)
    k = mean * (1 - mean) / sd**2 - 1
    return rng.beta(mean * k, (1 - mean) * k, n)


def _ties(rng: np.random.Generator, profile: Profile, tie_index: dict[str, int], n: int):
    if not profile.ties:
        return -1
    nodes = [tie_index[t] for t in profile.ties]
    shares = list(profile.ties.values())
    k = _categorical(rng, [*shares, max(0.0, 1.0 - sum(shares))], n)
    return np.where(k < len(nodes), np.asarray(nodes)[np.minimum(k, len(nodes) - 1)], -1)
