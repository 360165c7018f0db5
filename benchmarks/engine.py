"""Engine speed and memory: agent-steps per second and bytes per agent.

Puts AGENTS agents (default 1,000,000) at the origins of a scenario on day 0, split like the
scenario's own departure rates, runs DAYS days (default 30) on one thread, and prints:
- agent-steps per second: the sum over days of the agents in the population, divided by the wall
  time of those steps (the whole step: every rule plus the daily records); numba compilation is
  done by a short warm-up run first and is not counted;
- bytes per agent: the size of one row of the population arrays and of the beliefs beside them
  (sea risk per hub, welcome per destination, contacts), and their allocated bytes divided by the
  agents; and the process's peak resident memory.

With ``--profile`` it also times each phase of the day (the Model methods ``step`` calls, in
order) and prints where the time goes.

    python benchmarks/engine.py [SCENARIO] [--agents N] [--days D] [--seed S] [--profile]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import flowsim  # noqa: E402
from flowsim.beliefs import FIELDS  # noqa: E402
from flowsim.population import Population  # noqa: E402


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


PHASES = ("depart", "choose_routes", "travel", "smuggle", "cross_sea",
          "arrive_and_receive", "decide_claims", "solutions", "returns", "inform", "_record")  # fmt: skip


def time_phases(model) -> dict[str, float]:
    """Wrap each phase method of ``model`` so that its wall time adds up in the returned dict."""
    spent = dict.fromkeys(PHASES, 0.0)
    for name in PHASES:
        method = getattr(model, name)

        def timed(*args, _method=method, _name=name, **kwargs):
            t = time.perf_counter()
            out = _method(*args, **kwargs)
            spent[_name] += time.perf_counter() - t
            return out

        setattr(model, name, timed)
    return spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="central_mediterranean")
    ap.add_argument("--agents", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", action="store_true", help="time each phase of the day")
    args = ap.parse_args()

    base = flowsim.load_scenario(args.scenario)
    flowsim.run(base, days=3, seed=args.seed)  # warm-up: compile or load every kernel

    model = flowsim.Model(base, seed=args.seed, days=args.days,
                          overrides=origin_overrides(base, args.agents))  # fmt: skip
    spent = time_phases(model) if args.profile else None
    agent_steps = 0
    t0 = time.perf_counter()
    for _ in range(args.days):
        model.step()
        agent_steps += model.pop.n
    elapsed = time.perf_counter() - t0
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, numba threads {os.environ['NUMBA_NUM_THREADS']}")  # fmt: skip
    print(f"scenario: {base.simulation.name}, agents: {model.pop.n:,}, days: {args.days}")
    print(f"wall time of the steps: {elapsed:.2f} s")
    print(f"agent-steps per second: {agent_steps / elapsed:,.0f}")
    bl = model.beliefs
    beliefs_bytes = sum(getattr(bl, name).nbytes for name, _ in FIELDS)
    row = Population.bytes_per_agent()
    print(f"bytes per agent (one row of the population arrays): {row}")
    print(f"bytes per agent (one row of the beliefs: {bl.n_hubs} hubs, {bl.n_destinations} "
          f"destinations, {bl.n_contacts} contacts): {bl.bytes_per_agent}")  # fmt: skip
    print(f"bytes per agent (one row, together): {row + bl.bytes_per_agent}")
    allocated = (model.pop.nbytes + beliefs_bytes) / model.pop.n
    print(f"bytes per agent (population and beliefs allocated / agents): {allocated:.1f}")
    print(f"peak resident memory of the process: {peak_mib:,.0f} MiB")
    status = dict(zip(flowsim.model.STATUS_NAMES, model.status_counts().tolist(), strict=True))
    print(f"status at the end: {status}")
    if spent is not None:
        total = sum(spent.values())
        print(f"where the time goes ({total:.2f} s in the phases):")
        for name, secs in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"  {name.strip('_'):20s} {secs:6.2f} s  {100 * secs / total:4.1f}%")


if __name__ == "__main__":
    main()
