"""Wall time of one simulated year of a scenario (default: the bundled default), after
compilation.

Loads (or compiles) every kernel with a short warm-up run, then runs the scenario's whole run
RUNS times (default 3) on fresh models with the same seed and prints the wall time of each run's
steps (``Model.run``; building the model, writing files and charts not counted), the agents at
the end, and the threads numba used (``NUMBA_NUM_THREADS``, default: every core).

    python benchmarks/default_year.py [SCENARIO] [--runs N] [--seed S]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numba

import flowsim


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="central_mediterranean")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    scenario = flowsim.load_scenario(args.scenario)
    flowsim.run(scenario, days=3, seed=args.seed)  # warm-up: compile or load every kernel
    times = []
    for _ in range(args.runs):
        model = flowsim.Model(scenario, seed=args.seed)
        t0 = time.perf_counter()
        model.run()
        times.append(time.perf_counter() - t0)
        print(f"{model.days} days, {model.pop.n:,} agents at the end: {times[-1]:.2f} s")
    print(
        f"threads {numba.get_num_threads()}: min {min(times):.2f} s, "
        f"median {statistics.median(times):.2f} s over {len(times)} runs"
    )


if __name__ == "__main__":
    main()
