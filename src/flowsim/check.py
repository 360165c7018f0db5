"""What a run will need, known before it starts: agents, memory, and whether this machine has it.

``estimate`` sizes a run from its scenario alone (people who will enter, the bytes each agent
takes, the daily records and the result tables); ``require_memory`` refuses, in one line, a run
that would not fit in the memory this machine has free, saying what to lower. ``flowsim check``
prints the same figures without running anything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from flowsim.errors import ScenarioError

BASE_BYTES = 260 * 2**20  # the Python process with numpy, numba, pandas and the kernels loaded
GROWTH = 2.2  # arrays grow by doubling, and a few per-agent temporaries exist at once
TABLE_ROW_BYTES = 90  # one row of the tidy daily table in pandas, and its CSV text


@dataclass
class Estimate:
    agents: int
    bytes_per_agent: int
    days: int
    record_bytes: int
    table_rows: int
    total_bytes: int

    def gib(self) -> float:
        return self.total_bytes / 2**30


def estimate(scenario, days: int | None = None) -> Estimate:
    """The size of a run of ``scenario`` over ``days`` (default: the scenario's)."""
    from flowsim.population import N_STATUS, Population
    from flowsim.rules import N_EVENTS
    from flowsim.scenario import DESTINATION_ROLES
    from flowsim.timeline import expand

    sim = scenario.simulation
    days = days or sim.days
    scale = sim.persons_per_agent
    persons = sum(sum(n.initial_population.values()) for n in scenario.nodes)
    for n in scenario.nodes:
        for sched in n.departures.values():
            persons += float(expand(sched, sim.start_date, days).sum())
    if scenario.forced_inflow is not None:
        persons += float(sum(scenario.forced_inflow.daily[:days]))
    agents = int(persons / scale) + 1
    hubs = len({e.source for e in scenario.edges if e.mode == "sea"})
    dests = sum(1 for n in scenario.nodes if set(n.roles) & set(DESTINATION_ROLES))
    beliefs = 8 * hubs + 8 * dests + 4 * scenario.behaviour.information.contacts
    per_agent = Population.bytes_per_agent() + beliefs
    nodes, edges = len(scenario.nodes), len(scenario.edges) * 2
    countries = len({n.country or n.id for n in scenario.nodes})
    per_day = 8 * (N_EVENTS + edges + 2 * nodes + nodes * N_STATUS + countries + 3 * hubs)
    rows = days * (2 * N_STATUS + N_EVENTS + nodes * (N_STATUS + 1) + edges + countries + 3 * hubs)
    total = (BASE_BYTES + int(agents * per_agent * GROWTH) + days * per_day
             + rows * TABLE_ROW_BYTES)  # fmt: skip
    return Estimate(agents, per_agent, days, days * per_day, rows, total)


def available_bytes() -> int | None:
    """Memory this machine has free now (Linux: MemAvailable), or its total elsewhere."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def require_memory(scenario, days: int | None = None, runs_at_once: int = 1) -> Estimate:
    """The estimate; a run (or ``runs_at_once`` parallel runs) that needs more memory than this
    machine has free is refused before it starts."""
    est = estimate(scenario, days)
    free = available_bytes()
    need = est.total_bytes * runs_at_once
    if free is not None and need > free:
        sim = scenario.simulation
        many = f" ({runs_at_once} runs at once: use fewer --workers)" if runs_at_once > 1 else ""
        raise ScenarioError(
            f"{scenario.source}: this run needs about {need / 2**30:,.1f} GiB{many} "
            f"({est.agents:,} agents x {est.bytes_per_agent} bytes, plus {est.days} days of "
            f"records), more than the {free / 2**30:,.1f} GiB this machine has free; lower "
            f"simulation.persons_per_agent (now {sim.persons_per_agent:g}: each agent would "
            "stand for more persons), the days, or the departures"
        )
    return est
