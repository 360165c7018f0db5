"""flowsim: agent-based simulation of mixed migration flows and the policies that meet them."""

__version__ = "0.1.0"

from flowsim.errors import ScenarioError  # noqa: E402
from flowsim.model import Model  # noqa: E402
from flowsim.output import Result, run  # noqa: E402
from flowsim.scenario import Scenario, load_scenario  # noqa: E402


def evaluate(scenario, levers=None, *, seed, days=None):
    """One run's outcomes ({path: value}, counts in persons) with ``levers`` as overrides
    (``{"policy.rescue.capacity": 10}``): a model function for EMA Workbench and the like. See
    :func:`flowsim.experiments.evaluate`."""
    from flowsim.experiments.api import evaluate as _evaluate

    return _evaluate(scenario, levers, seed=seed, days=days)


__all__ = ["Model", "Result", "Scenario", "ScenarioError", "evaluate", "load_scenario", "run",
           "__version__"]  # fmt: skip
