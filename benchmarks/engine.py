"""Engine speed and memory: agent-steps per second, on one thread and on every core, and bytes per
agent.

Puts AGENTS agents (default 1,000,000) at the origins of a scenario on day 0, split like the
scenario's own departure rates, runs DAYS days (default 30), and prints:
- agent-steps per second: the sum over days of the agents in the population, divided by the wall
  time of those steps (the whole step: every unit plus the daily records); numba compilation is
  done by a short warm-up run first and is not counted. The same run is timed with one thread and
  with every thread numba has (``NUMBA_NUM_THREADS``, default: every core), on fresh models: the
  results are the same whatever the threads (``flowsim.chunks``), the wall time is not;
- bytes per agent: one row of the population arrays, its status bits, and the beliefs beside
  them (sea risk per hub, welcome per destination, contacts); their allocated bytes divided by
  the agents; and the process's peak resident memory.

With ``--profile`` it also times each unit's step (in the order of the day) and prints where the
time goes, for the last timed run.

    python benchmarks/engine.py [SCENARIO] [--agents N] [--days D] [--seed S]
                                [--threads one|all|both] [--profile]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time

import numba
import numpy as np

import flowsim
from flowsim import chunks
from flowsim.beliefs import FIELDS
from flowsim.population import N_STATUS, Population


def origin_overrides(scenario: flowsim.Scenario, agents: int) -> dict[str, float]:
    """initial_population overrides that place ``agents`` agents like the departure rates."""
    pairs = []
    for node in scenario.nodes:
        for pid, sched in node.departures.items():
            rate = sched if isinstance(sched, int | float) else np.mean([v for _, v in sched])
            pairs.append((node.id, pid, float(rate)))
    total = sum(r for _, _, r in pairs)
    scale = scenario.simulation.persons_per_agent
    return {f"nodes.{n}.initial_population.{p}": agents * scale * r / total for n, p, r in pairs}


UNITS = (
    "departures",
    "legal_channels",
    "route_choice",
    "travel",
    "smuggling",
    "sea",
    "detention",
    "reception",
    "secondary_movement",
    "asylum",
    "solutions",
    "returns",
    "information",
)


def time_phases(model) -> dict[str, float]:
    """Wrap each unit's ``step`` (and the model's daily record) so that its wall time adds up
    in the returned dict."""
    spent = dict.fromkeys((*UNITS, "record"), 0.0)

    def timed(name, method):
        def run(*args, **kwargs):
            t = time.perf_counter()
            out = method(*args, **kwargs)
            spent[name] += time.perf_counter() - t
            return out

        return run

    for name in UNITS:
        unit = getattr(model, name)
        unit.step = timed(name, unit.step)
    model._record = timed("record", model._record)
    return spent


def timed_run(base, args, threads: int, profile: bool):
    """A fresh model of ``args.agents`` agents run ``args.days`` days on ``threads`` threads:
    (model, agent-steps, seconds, time per unit or None)."""
    numba.set_num_threads(threads)  # chunks.run uses numba's setting
    model = flowsim.Model(
        base, seed=args.seed, days=args.days, overrides=origin_overrides(base, args.agents)
    )
    spent = time_phases(model) if profile else None
    agent_steps = 0
    t0 = time.perf_counter()
    for _ in range(args.days):
        model.step()
        agent_steps += model.pop.n
    return model, agent_steps, time.perf_counter() - t0, spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="central_mediterranean")
    ap.add_argument("--agents", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", choices=("one", "all", "both"), default="both")
    ap.add_argument("--profile", action="store_true", help="time each unit's step")
    args = ap.parse_args()

    base = flowsim.load_scenario(args.scenario)
    flowsim.run(base, days=3, seed=args.seed)  # warm-up: compile or load every kernel
    every = numba.config.NUMBA_NUM_THREADS
    runs = {"one": [1], "all": [every], "both": [1, every]}[args.threads]

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numba {numba.__version__}, "
        f"numba threads available {every}"
    )
    print(
        f"scenario: {base.simulation.name}, agents at the start: {args.agents:,}, days: {args.days}"
    )
    for k, threads in enumerate(runs):
        profile = args.profile and k == len(runs) - 1
        model, agent_steps, elapsed, spent = timed_run(base, args, threads, profile)
        print(
            f"threads {threads}: wall time of the steps {elapsed:.2f} s, "
            f"agent-steps per second {agent_steps / elapsed:,.0f} "
            f"(agents at the end {model.pop.n:,})"
        )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    bl = model.beliefs
    row = Population.bytes_per_agent()
    bits = (N_STATUS + 1) / 8  # the members of each status, and today's changes
    print(f"bytes per agent, one row of the population arrays: {row}")
    print(f"bytes per agent, its status bits ({N_STATUS} statuses + changed today): {bits:g}")
    print(
        f"bytes per agent, one row of the beliefs ({bl.n_hubs} hubs, {bl.n_destinations} "
        f"destinations, {bl.n_contacts} contacts): {bl.bytes_per_agent}"
    )
    print(f"bytes per agent, together: {row + bits + bl.bytes_per_agent:g}")
    pop = model.pop
    allocated = pop.nbytes + pop.members.nbytes + pop.changed.nbytes
    allocated += sum(getattr(bl, name).nbytes for name, _ in FIELDS)
    print(f"bytes per agent, allocated arrays / agents: {allocated / pop.n:.1f}")
    print(f"peak resident memory of the process: {peak_mib:,.0f} MiB")
    print(f"chunks: {chunks.n_chunks(pop.members.shape[0])} of {chunks.CHUNK:,} agents")
    status = dict(zip(flowsim.model.STATUS_NAMES, model.status_counts().tolist(), strict=True))
    print(f"status at the end: {status}")
    if spent is not None:
        total = sum(spent.values())
        print(f"where the time goes ({total:.2f} s in the units, threads {runs[-1]}):")
        for name, secs in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"  {name:20s} {secs:6.2f} s  {100 * secs / total:4.1f}%")


if __name__ == "__main__":
    main()
