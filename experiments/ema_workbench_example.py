"""flowsim as an EMA Workbench model: uncertain behaviour, policy levers, outcomes.

    pip install ".[ema]"
    python experiments/ema_workbench_example.py [--scenarios 8] [--policies 4] [--days 90]
        [--seed 1] [--out results/ema_experiments.csv]

EMA Workbench (exploratory modelling and analysis) samples its *uncertainties* (here two
behavioural assumptions nobody has calibrated: how strongly people weigh the risk at sea when they
choose a route, and how smugglers load their boats) and its *levers* (rescue capacity and
interception in the Libyan search-and-rescue zone), runs the model for every combination
(scenarios x policies), and collects the outcomes. ``flowsim.evaluate`` is the model function: it
takes scenario paths as keyword arguments (EMA passes each parameter under its
``variable_name``) and returns every outcome of the catalogue; the ``ScalarOutcome``s pick the
ones wanted by their path (``flowsim outcomes`` lists them). Every experiment runs with the same
seed, so differences between policies are not noise between seeds; use several seeds (a
``Constant`` or an uncertainty over ``seed``) before drawing conclusions.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ema_workbench import (
    Constant,
    Model,
    RealParameter,
    ScalarOutcome,
    perform_experiments,
)

import flowsim

SCENARIO = "central_mediterranean"
OUTCOMES = {  # EMA name: flowsim outcome path
    "deaths_sea": "deaths.sea",
    "deaths_per_attempt": "sea.deaths_per_attempt",
    "arrivals": "arrivals.total",
    "refouled": "sea.refouled",
}


def flowsim_model(seed: int = 1, days: int = 90, **paths: float) -> dict[str, float]:
    """One flowsim run with the sampled values as overrides; all outcomes by path."""
    return flowsim.evaluate(SCENARIO, paths, seed=seed, days=days)


def build(days: int, seed: int) -> Model:
    model = Model("flowsim", function=flowsim_model)
    model.uncertainties = [
        RealParameter("w_risk", 5.0, 40.0, variable_name="behaviour.route_choice.w_risk"),
        RealParameter("overload", 1.0, 1.6, variable_name="behaviour.sea.overload"),
    ]
    model.levers = [
        RealParameter(
            "rescue_libya", 0.0, 12.0, variable_name="policy.rescue.capacity.libyan_sar"
        ),  # fmt: skip
        RealParameter(
            "interception_libya", 0.0, 0.5, variable_name="policy.interception.rate.libyan_sar"
        ),  # fmt: skip
    ]
    model.constants = [Constant("days", days), Constant("seed", seed)]
    model.outcomes = [ScalarOutcome(name, variable_name=path) for name, path in OUTCOMES.items()]
    return model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=8, help="uncertainty samples (LHS)")
    ap.add_argument("--policies", type=int, default=4, help="lever samples (LHS)")
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("results/ema_experiments.csv"))
    args = ap.parse_args()

    experiments, outcomes = perform_experiments(
        build(args.days, args.seed), scenarios=args.scenarios, policies=args.policies
    )
    table = experiments.copy()
    for name, values in outcomes.items():
        table[name] = values
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    columns = ["w_risk", "overload", "rescue_libya", "interception_libya", *OUTCOMES]
    print(table[columns].round(4).to_string(index=False))
    print(f"{len(table)} experiments written to {args.out}")


if __name__ == "__main__":
    main()
