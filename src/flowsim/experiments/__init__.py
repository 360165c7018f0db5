"""Many runs: replicates, paired comparisons of policy packages, sweeps and sensitivity studies.

All go through one layer: tasks, a resumable Parquet store and an executor (this process, local
worker processes, or a Dask cluster). See docs/EXPERIMENTS.md.
"""

from flowsim.experiments.api import compare, evaluate, replicate, sensitivity, sweep
from flowsim.experiments.spec import Spec, load_spec, parse_seeds

__all__ = ["Spec", "compare", "evaluate", "load_spec", "parse_seeds", "replicate",
           "sensitivity", "sweep"]  # fmt: skip
