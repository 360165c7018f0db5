"""flowsim: agent-based simulation of mixed migration flows and the policies that meet them."""

from flowsim.errors import ScenarioError
from flowsim.model import Model
from flowsim.output import Result, run
from flowsim.scenario import Scenario, load_scenario

__version__ = "0.1.0"

__all__ = ["Model", "Result", "Scenario", "ScenarioError", "load_scenario", "run", "__version__"]
