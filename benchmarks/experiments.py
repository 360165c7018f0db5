"""Throughput of the experiments layer: runs per minute by executor, store overhead, a Morris study.

    python benchmarks/experiments.py [--runs 8] [--days 365] [--morris-r 20] [--skip-morris]
        [--json results/bench_experiments.json]

1. The default scenario (``--days`` days) run ``--runs`` times (seeds 1..runs) through the
   store and an executor (as ``flowsim run --seeds`` does): one worker (in this process), two
   local worker processes, and a Dask ``LocalCluster`` with two workers. For each: the start-up
   of the executor (processes, imports, the cluster), the wall time of the runs, runs per minute
   with and without the start-up, and the overhead per run: the workers' time not spent inside
   runs (``wall x workers - sum of run times``, per run, and as a share of a run: scheduling,
   moving results, writing the store, idle workers at the end).
2. The store: ``--runs`` x 50 rows with the default scenario's full set of outcome columns
   appended in chunks of 16 and read back; milliseconds per run.
3. A 6-factor Morris study (r = ``--morris-r`` trajectories, 7 r runs, one seed each) on the
   default scenario with two local workers, timed end to end (``flowsim.experiments.
   sensitivity``).

Run it on an otherwise idle machine: the two-worker figures need both cores.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

import flowsim
from flowsim.experiments import sensitivity
from flowsim.experiments.executors import cores, make_executor
from flowsim.experiments.runner import RunTask, run_all, run_key, scenario_hash
from flowsim.experiments.store import Store
from flowsim.outcomes import outcome_paths

SCENARIO = "central_mediterranean"
MORRIS = """
scenario = "central_mediterranean"
days = {days}
seeds = 1
samples = {r}
outcomes = ["sea.deaths_per_attempt", "arrivals.total", "protection.backlog"]
[factors]
"policy.rescue.capacity.libyan_sar" = {{ min = 0, max = 12 }}
"policy.interception.rate.libyan_sar" = {{ min = 0, max = 0.5 }}
"policy.enforcement.level.sabratha" = {{ min = 0, max = 1 }}
"policy.asylum.capacity.italy" = {{ min = 50, max = 400 }}
"behaviour.route_choice.w_risk" = {{ min = 5, max = 40 }}
"behaviour.sea.overload" = {{ min = 1.0, max = 1.6 }}
"""


def timed_replicates(label: str, runs: int, days: int, workers: int,
                     scheduler: str | None = None) -> dict:  # fmt: skip
    """Start the executor (timed apart), then run the seeds through it into a store."""
    spec = flowsim.load_scenario(SCENARIO)
    base = scenario_hash(spec)
    tasks = [RunTask(run_key(base, {}, s, days), spec, {}, s, days) for s in range(1, runs + 1)]
    with tempfile.TemporaryDirectory() as d:
        store = Store.open(Path(d) / "s", kind="bench", inputs_hash=base, resume=False,
                           columns=[(p, "float64") for p in outcome_paths(spec)],
                           version="bench")  # fmt: skip
        t0 = time.perf_counter()
        ex = make_executor(workers, scheduler)
        if scheduler is None and workers > 1:  # start the processes now, not at the first run
            list(ex.imap(_noop, range(workers)))
        startup = time.perf_counter() - t0
        t0 = time.perf_counter()
        with ex:
            run_all(tasks, store, ex)
            wall = time.perf_counter() - t0
        frame = store.load()
    busy = float(frame["wall_s"].sum())
    return {
        "executor": label,
        "runs": runs,
        "startup_s": round(startup, 2),
        "wall_s": round(wall, 2),
        "runs_per_minute": round(60 * runs / (wall + startup), 2),
        "runs_per_minute_after_startup": round(60 * runs / wall, 2),
        "mean_run_s": round(busy / runs, 3),
        "overhead_per_run_s": round((wall * workers - busy) / runs, 3),
        "overhead_share_of_a_run": round((wall * workers - busy) / busy, 4),
    }


def _noop(x):
    return x


def store_overhead(runs: int) -> dict:
    paths = outcome_paths(flowsim.load_scenario(SCENARIO))
    cols = [(p, "float64") for p in paths]
    rng = np.random.default_rng(1)
    n = runs * 50
    with tempfile.TemporaryDirectory() as d:
        store = Store.open(Path(d) / "s", kind="bench", inputs_hash="x", columns=cols,
                           resume=False, version="bench")  # fmt: skip
        rows = [{"key": f"k{i}", "seed": i, "status": "ok", "wall_s": 1.0,
                 **dict(zip(paths, rng.random(len(paths)), strict=True))} for i in range(n)]  # fmt: skip
        t0 = time.perf_counter()
        for i in range(0, n, 16):
            store.append(rows[i : i + 16])
        write = time.perf_counter() - t0
        t0 = time.perf_counter()
        frame = Store.open(Path(d) / "s", kind="bench", inputs_hash="x", columns=cols,
                           resume=True, version="bench").load()  # fmt: skip
        read = time.perf_counter() - t0
        assert len(frame) == n
    return {"rows": n, "columns": len(cols) + 6, "write_ms_per_run": round(1e3 * write / n, 3),
            "read_ms_per_run": round(1e3 * read / n, 3)}  # fmt: skip


def morris_study(r: int, days: int) -> dict:
    with tempfile.TemporaryDirectory() as d:
        spec = Path(d) / "morris.toml"
        spec.write_text(MORRIS.format(days=days, r=r), encoding="utf-8")
        t0 = time.perf_counter()
        indices = sensitivity(spec, method="morris", out=Path(d) / "out", workers=2,
                              charts=True)  # fmt: skip
        wall = time.perf_counter() - t0
    top = indices[indices["index"] == "mu_star"].sort_values(["outcome", "rank"])
    return {"factors": 6, "trajectories": r, "runs": 7 * r, "days": days,
            "wall_s": round(wall, 1), "runs_per_minute": round(60 * 7 * r / wall, 2),
            "first_by_outcome": top.groupby("outcome")["factor"].first().to_dict(),
            "warnings": indices.attrs.get("warnings", [])}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--morris-r", type=int, default=20)
    ap.add_argument("--skip-morris", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    flowsim.run(SCENARIO, days=5, seed=1)  # compile (or load) the kernels first
    out = {"machine": f"{platform.processor() or platform.machine()}, {cores()} cores, "
                      f"Python {platform.python_version()}", "days": args.days}  # fmt: skip
    out["executors"] = [
        timed_replicates("one worker (in process)", args.runs, args.days, workers=1),
        timed_replicates("2 local worker processes", args.runs, args.days, workers=2),
        timed_replicates(
            "Dask LocalCluster, 2 workers", args.runs, args.days, workers=2, scheduler="local"
        ),  # fmt: skip
    ]
    one, two, dask = out["executors"]
    out["speedup_2_workers"] = round(two["runs_per_minute"] / one["runs_per_minute"], 3)
    out["speedup_2_workers_after_startup"] = round(
        two["runs_per_minute_after_startup"] / one["runs_per_minute_after_startup"], 3
    )
    out["dask_vs_local_2"] = round(dask["wall_s"] / two["wall_s"], 3)
    out["store"] = store_overhead(args.runs)
    if not args.skip_morris:
        out["morris"] = morris_study(args.morris_r, args.days)
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
