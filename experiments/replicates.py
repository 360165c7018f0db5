"""Uncertainty over replicate runs: one scenario, many seeds, the spread of each headline outcome.

    python experiments/replicates.py [SCENARIO] [--seeds 10] [--days D] [--set path=value ...]
        [--out results/replicates.csv]

Prints mean, sd and the 5th-95th percentile range over seeds of deaths (sea, land), arrivals,
departures, sea attempts and the final stocks, and writes one row per seed to a CSV file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import flowsim
from flowsim.output import atomic_write


def outcomes(summary: dict) -> dict[str, float]:
    row = {
        "deaths_sea": summary["deaths"]["sea"],
        "deaths_land": summary["deaths"]["land"],
        "missing_sea": summary["missing"]["sea"],
        "arrivals": summary["arrivals"]["total"],
        "departures": summary["totals"]["departures"],
        "sea_attempts": summary["totals"]["sea_attempts"],
    }
    row.update({f"final_{k}": v for k, v in summary["by_status"].items()})
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="central_mediterranean")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--days", type=int)
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    ap.add_argument("--out", type=Path, default=Path("results/replicates.csv"))
    args = ap.parse_args()

    scenario = flowsim.load_scenario(args.scenario, overrides=args.overrides)
    rows = []
    for seed in range(args.seeds):
        result = flowsim.run(scenario, days=args.days, seed=seed)
        rows.append({"seed": seed, **outcomes(result.summary)})
    table = pd.DataFrame(rows)
    atomic_write(args.out, lambda p: table.to_csv(p, index=False))
    stats = table.drop(columns="seed").agg(["mean", "std"]).T
    stats["p05"] = table.drop(columns="seed").quantile(0.05)
    stats["p95"] = table.drop(columns="seed").quantile(0.95)
    print(f"{scenario.simulation.name}: {args.seeds} seeds (agents; x persons_per_agent)")
    print(stats.round(1).to_string())
    print(f"per-seed rows written to {args.out}")


if __name__ == "__main__":
    main()
