"""Every bundled scenario over its full period: wall time, agent-steps per second and headline
outcomes (issue 18).

For each scenario in ``scenarios/`` (or those named), runs the whole period (``simulation.days``)
with the scenario's own seed after a short warm-up run that compiles the kernels, and prints one
row per scenario: period, days, persons per agent, agents at the end, wall time of the daily steps,
agent-steps per second (the agents in the population summed over the days, divided by that time),
and, in persons, departures, arrivals, sea attempts and deaths (sea, land). The summary is computed
after the clock stops. ``--markdown`` prints the table as Markdown for benchmarks/RESULTS.md.

    python benchmarks/scenarios.py [SCENARIO ...] [--markdown]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import flowsim  # noqa: E402
from flowsim.output import summarise  # noqa: E402
from flowsim.scenario import bundled_scenarios  # noqa: E402

COLUMNS = ("scenario", "period", "days", "persons/agent", "agents", "wall s", "agent-steps/s",
           "departures", "arrivals", "sea attempts", "deaths sea", "deaths land")  # fmt: skip


def bench(name: str) -> dict:
    """Run one bundled scenario over its full period and return its row."""
    scenario = flowsim.load_scenario(name)
    model = flowsim.Model(scenario)
    agent_steps = 0
    t0 = time.perf_counter()
    while model.day < model.days:
        model.step()
        agent_steps += model.pop.n
    elapsed = time.perf_counter() - t0
    s = summarise(model)
    ppa = scenario.simulation.persons_per_agent
    sim = scenario.simulation
    return {
        "scenario": name,
        "period": sim.period,
        "days": model.days,
        "persons/agent": f"{ppa:g}",
        "agents": f"{model.pop.n:,}",
        "wall s": f"{elapsed:.1f}",
        "agent-steps/s": f"{agent_steps / elapsed:,.0f}",
        "departures": f"{s['totals']['departures'] * ppa:,.0f}",
        "arrivals": f"{s['arrivals']['total'] * ppa:,.0f}",
        "sea attempts": f"{s['sea']['attempts'] * ppa:,.0f}",
        "deaths sea": f"{s['deaths']['sea'] * ppa:,.0f}",
        "deaths land": f"{s['deaths']['land'] * ppa:,.0f}",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenarios", nargs="*", help="bundled names (default: all)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args()
    names = args.scenarios or list(bundled_scenarios())

    flowsim.run(names[0], days=3)  # warm-up: compile or load every kernel
    rows = []
    for name in names:
        rows.append(bench(name))
        if not args.markdown:
            print("  ".join(f"{k}={v}" for k, v in rows[-1].items()), flush=True)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, numba threads {os.environ['NUMBA_NUM_THREADS']}, "
          f"peak resident memory {peak_mib:,.0f} MiB")  # fmt: skip
    if args.markdown:
        print("| " + " | ".join(COLUMNS) + " |")
        print("|" + "|".join("---" for _ in COLUMNS) + "|")
        for row in rows:
            print("| " + " | ".join(str(row[c]) for c in COLUMNS) + " |")


if __name__ == "__main__":
    main()
