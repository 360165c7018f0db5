"""Information packages (10-Point Plan point 10) on one scenario: how campaigns, legal channels,
rumours and beliefs about destinations change the sea and protection outcomes.

    python experiments/information.py [SCENARIO] [--seeds 3] [--days D] [--workers N]
        [--out results/information]

Each package is the scenario with overrides (below); they go through ``flowsim.experiments.
compare``, so every package runs with the same seeds (common random numbers) and the output
folder is that of ``flowsim compare``. Prints the mean over seeds of each outcome per package
and its paired difference from the first package with the 95% interval of that difference.
Deaths at sea come in wrecks and vary a lot between seeds (about +-400 on 1,500 a year in the
default scenario): use 8 or more seeds before reading a difference in deaths.

The packages change what the scenario says about information. For the bundled default
(central_mediterranean) they replace its campaign (risks alone, at the origins and in Niger, reach
0.01 a day, credibility 0.5, from July 2016); on another scenario the same campaign is put at its
origin nodes from day 0.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import flowsim
from flowsim.experiments import compare

LABOUR_QUOTA = 3000.0  # persons a year at each destination of the legal packages


def campaign(nodes: list[str], content: list[str], start) -> dict:
    return {"name": "campaign", "nodes": nodes, "start": start, "reach": 0.01,
            "credibility": 0.5, "content": content}  # fmt: skip


def packages(scenario) -> dict[str, dict]:
    """name -> overrides, the first one the baseline."""
    existing = scenario.policy.information.campaigns
    if existing:
        nodes, start = list(existing[0].nodes), existing[0].start
    else:
        nodes, start = [n.id for n in scenario.nodes if "origin" in n.roles], 0
    destinations = [n.id for n in scenario.nodes if "destination" in n.roles]
    labour = {"policy.legal.labour_quota": dict.fromkeys(destinations, LABOUR_QUOTA)}
    risks = campaign(nodes, ["risks"], start)
    balanced = campaign(nodes, ["risks", "legal_options", "protection"], start)
    return {
        "no campaign": {"policy.information.campaigns": []},
        "risks only (deterrence)": {"policy.information.campaigns": [risks]},
        "balanced": {"policy.information.campaigns": [balanced]},
        "labour channel, no campaign": {"policy.information.campaigns": [], **labour},
        "labour channel + balanced": {"policy.information.campaigns": [balanced], **labour},
        "rumours, no campaign": {
            "policy.information.campaigns": [],
            "behaviour.information.prior_knowledge": 0.0,
            "behaviour.information.prior_risk": 0.005,
        },
        "rumours + risks only": {
            "policy.information.campaigns": [risks],
            "behaviour.information.prior_knowledge": 0.0,
            "behaviour.information.prior_risk": 0.005,
        },
        "welcome beliefs drive choice": {
            "policy.information.campaigns": [],
            "behaviour.route_choice.w_welcome": 0.5,
        },
    }


OUTCOMES = [
    "sea.attempts",
    "deaths.sea",
    "sea.deaths_per_attempt",
    "solutions.smuggled_arrivals",
    "solutions.legal_entries.total",
    "solutions.smuggled_share",
    "protection.backlog",
    "protection.protection_rate",
    "information.belief_error_mean",
    "information.welcome_error_mean",
    "information.aware_of_legal_channels",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="central_mediterranean")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--days", type=int)
    ap.add_argument("--workers", type=int)
    ap.add_argument("--out", type=Path, default=Path("results/information"))
    args = ap.parse_args()

    scenario = flowsim.load_scenario(args.scenario)
    pkgs = packages(scenario)
    base_name, base = next(iter(pkgs.items()))
    # the first package is the base: the scenario with its overrides
    table = compare(scenario, {n: p for n, p in pkgs.items() if n != base_name},
                    seeds=args.seeds, days=args.days, outcomes=OUTCOMES, overrides=base,
                    out=args.out, workers=args.workers)  # fmt: skip
    table["package"] = table["package"].replace({"base": base_name})
    pd.set_option("display.width", 200)
    print(f"\n{scenario.simulation.name}: seeds 1-{args.seeds}; mean over seeds (persons)")
    print(table.pivot(index="outcome", columns="package", values="mean")
          .reindex(OUTCOMES)[list(pkgs)].round(4).to_string())  # fmt: skip
    print(f"\ndifference from '{base_name}' (same seeds) with its 95% interval")
    cell = table.apply(lambda r: f"{r['diff']:+.4g} [{r['lo']:.4g}, {r['hi']:.4g}]", axis=1)
    print(table.assign(cell=cell).pivot(index="outcome", columns="package", values="cell")
          .reindex(OUTCOMES)[list(pkgs)[1:]].to_string())  # fmt: skip
    print(f"comparison written to {args.out}")


if __name__ == "__main__":
    main()
