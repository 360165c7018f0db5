"""Statistics over replicate runs: means with t intervals, paired differences.

Every interval here is a 95% confidence interval for a **mean over seeds**, from Student's t
distribution with n - 1 degrees of freedom: mean ± t(0.975, n - 1) · sd / √n. A paired
difference is computed seed by seed (package minus base on the same seed, so both runs share
their random draws: common random numbers), and its interval is the same t interval over those
per-seed differences. docs/EXPERIMENTS.md states the method and its assumptions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from scipy import stats

LEVEL = 0.95


def _clean(values: Iterable[float]) -> np.ndarray:
    a = np.asarray(list(values), dtype=float)
    return a[np.isfinite(a)]


def describe(values: Iterable[float]) -> dict:
    """{n, mean, sd, ci95, min, max} over seeds; NaN (an outcome with nothing to measure in a
    run, e.g. deaths per attempt without attempts) is left out and n says how many counted."""
    a = _clean(values)
    n = int(a.size)
    if n == 0:
        return {"n": 0, "mean": None, "sd": None, "ci95": None, "min": None, "max": None}
    mean = float(a.mean())
    if n == 1:
        return {"n": 1, "mean": mean, "sd": None, "ci95": None, "min": mean, "max": mean}
    sd = float(a.std(ddof=1))
    half = float(stats.t.ppf(0.5 + LEVEL / 2, n - 1)) * sd / math.sqrt(n)
    return {"n": n, "mean": mean, "sd": sd, "ci95": [mean - half, mean + half],
            "min": float(a.min()), "max": float(a.max())}  # fmt: skip


def paired(base: Iterable[float], other: Iterable[float]) -> dict:
    """The paired difference other - base over seeds: {n, diff, sd, ci95, excludes_zero}.

    Seeds where either run has no value are left out of the pair.
    """
    b, o = np.asarray(list(base), float), np.asarray(list(other), float)
    keep = np.isfinite(b) & np.isfinite(o)
    d = describe(o[keep] - b[keep])
    ci = d["ci95"]
    excludes = bool(ci is not None and (ci[0] > 0 or ci[1] < 0))
    return {"n": d["n"], "diff": d["mean"], "sd": d["sd"], "ci95": ci, "excludes_zero": excludes}


def json_safe(x):
    """NaN and infinities as None, numpy scalars as Python numbers, recursively."""
    if isinstance(x, dict):
        return {str(k): json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [json_safe(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x
