"""Sweep and sensitivity specs: a TOML file naming the scenario, the factors and the design.

```toml
scenario = "central_mediterranean"   # a bundled name, or a path relative to this file
days = 60
seeds = 2                            # seeds 1..2 for every sample (or [3, 7], or "1-5")
design = "lhs"                       # grid | lhs | sobol | morris
samples = 8                          # grid: leave out; sobol: a power of 2; morris: trajectories
outcomes = ["sea.deaths_per_attempt", "arrivals.total"]   # default: the headline outcomes
[set]                                # fixed changes for every run (optional)
"policy.asylum.capacity.italy" = 100
[factors]
"policy.rescue.capacity" = { min = 0, max = 20 }
"policy.detention.mode.malta" = { values = ["none", "irregular", "all"] }
```

Everything is checked before any run: the factor paths (did-you-mean for a misspelt one), both
ends of each range and every listed value against what the scenario allows, the outcomes, and
whether the design fits the number of samples. Samples are drawn with SALib's samplers (Latin
hypercube, Sobol'/Saltelli, Morris trajectories); a grid is the product of each factor's levels.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from flowsim.errors import ScenarioError
from flowsim.outcomes import HEADLINE, check_outcomes
from flowsim.scenario import (
    DEFAULT_SCENARIO,
    Scenario,
    check_path,
    field_type,
    known_paths,
    load_scenario,
    read_toml,
    validate,
)

DESIGNS = ("grid", "lhs", "sobol", "morris")
GRID_LEVELS = 3  # levels of a range factor in a grid, unless it says
MORRIS_LEVELS = 4
MAX_RUNS = 1_000_000
FIXED = ("simulation.days", "simulation.seed", "simulation.start_date", "simulation.name")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Range(_Strict):
    min: float
    max: float
    levels: int | None = Field(default=None, ge=2, le=1000)  # grid only


class Values(_Strict):
    values: list[Any] = Field(min_length=1)


class SpecFile(_Strict):
    scenario: str = DEFAULT_SCENARIO
    days: int | None = Field(default=None, ge=1)
    seeds: int | list[int] | str = 1
    design: Literal["grid", "lhs", "sobol", "morris"] | None = None
    method: Literal["morris", "sobol"] | None = None
    samples: int | None = Field(default=None, ge=1)
    levels: int = Field(default=MORRIS_LEVELS, ge=2, le=100)  # morris grid levels
    design_seed: int = Field(default=0, ge=0)
    outcomes: list[str] = Field(default_factory=lambda: list(HEADLINE), min_length=1)
    set: dict[str, Any] = Field(default_factory=dict)
    factors: dict[str, Range | Values | list[Any]] = Field(min_length=1)

    @field_validator("factors", mode="before")
    @classmethod
    def _lists(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: {"values": x} if isinstance(x, list) else x for k, x in v.items()}
        return v


@dataclass
class Factor:
    path: str
    low: float | None = None
    high: float | None = None
    values: list[Any] | None = None
    levels: int | None = None
    integer: bool = False

    @property
    def discrete(self) -> bool:
        return self.values is not None

    def from_unit(self, u: float) -> Any:
        """A value of this factor from a number in [0, 1] (SALib works on the unit box for
        listed values: each value takes an equal share of it)."""
        if self.values is not None:
            k = min(int(u * len(self.values)), len(self.values) - 1)
            return self.values[k]
        x = self.low + u * (self.high - self.low)
        return int(round(x)) if self.integer else float(x)

    def grid(self, levels: int) -> list[Any]:
        if self.values is not None:
            return list(self.values)
        n = self.levels or levels
        xs = np.linspace(self.low, self.high, n)
        return [int(round(x)) for x in xs] if self.integer else [float(x) for x in xs]


@dataclass
class Spec:
    """A checked spec: the base scenario (with ``set`` applied), the factors and the design."""

    path: Path
    scenario: Scenario
    days: int | None
    seeds: list[int]
    design: str
    samples: int | None
    levels: int
    design_seed: int
    outcomes: list[str]
    fixed: dict[str, Any]
    factors: list[Factor]
    raw: dict[str, Any]

    def problem(self) -> dict[str, Any]:
        """SALib's problem: listed values are drawn on [0, 1] and mapped to a value."""
        return {
            "num_vars": len(self.factors),
            "names": [f.path for f in self.factors],
            "bounds": [[0.0, 1.0] if f.discrete else [f.low, f.high] for f in self.factors],
        }

    def design_matrix(self) -> tuple[np.ndarray, pd.DataFrame]:
        """(X as SALib sees it, the table of samples: one row per sample, a column per factor)."""
        problem = self.problem()
        seed = self.design_seed
        if self.design == "grid":
            levels = [f.grid(GRID_LEVELS) for f in self.factors]
            rows = list(itertools.product(*levels))
            table = pd.DataFrame(rows, columns=[f.path for f in self.factors])
            return np.full((len(rows), len(self.factors)), np.nan), _typed(table, self.factors)
        if self.design == "lhs":
            from SALib.sample import latin

            x = latin.sample(problem, self.samples, seed=seed)
        elif self.design == "sobol":
            from SALib.sample import sobol

            x = sobol.sample(problem, self.samples, calc_second_order=False, seed=seed)
        else:
            from SALib.sample import morris

            x = morris.sample(problem, self.samples, num_levels=self.levels, seed=seed)
        rows = []
        for row in x:
            values = []
            for f, v in zip(self.factors, row, strict=True):
                if f.discrete:
                    values.append(f.from_unit(v))
                else:
                    values.append(int(round(v)) if f.integer else float(v))
            rows.append(values)
        table = pd.DataFrame(rows, columns=[f.path for f in self.factors])
        return x, _typed(table, self.factors)

    def n_samples(self) -> int:
        d = len(self.factors)
        if self.design == "grid":
            return math.prod(len(f.grid(GRID_LEVELS)) for f in self.factors)
        if self.design == "sobol":
            return self.samples * (d + 2)
        if self.design == "morris":
            return self.samples * (d + 1)
        return self.samples


def _typed(table: pd.DataFrame, factors: list[Factor]) -> pd.DataFrame:
    for f in factors:
        if f.discrete and not all(_numeric(v) for v in f.values):
            table[f.path] = table[f.path].astype(str)
        else:
            table[f.path] = table[f.path].astype(float)
    return table


def _numeric(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def parse_seeds(value: Any, where: str = "--seeds") -> list[int]:
    """``N`` (seeds 1..N), ``"A-B"`` (a range), ``"3,7,9"`` or a list of seeds."""

    def bad() -> ScenarioError:
        return ScenarioError(
            f"{where} {value!r}: expected a count N (seeds 1 to N), a range A-B or a list of "
            "seeds (non-negative integers), e.g. 10, 1-20, 3,7,9"
        )

    if isinstance(value, bool):
        raise bad()
    if isinstance(value, int):
        seeds = list(range(1, value + 1))
    elif isinstance(value, list):
        if not all(isinstance(s, int) and not isinstance(s, bool) for s in value):
            raise bad()
        seeds = list(value)
    elif isinstance(value, str):
        text = value.strip()
        m = re.fullmatch(r"(\d+)\s*-\s*(\d+)", text)
        if m:
            a, b = int(m[1]), int(m[2])
            if b < a:
                raise bad()
            seeds = list(range(a, b + 1))
        elif re.fullmatch(r"\d+(\s*,\s*\d+)+", text):
            seeds = [int(s) for s in text.split(",")]
        elif text.isdigit():
            seeds = list(range(1, int(text) + 1))
        else:
            raise bad()
    else:
        raise bad()
    if not seeds or any(s < 0 for s in seeds) or len(seeds) > 100_000:
        raise bad()
    if len(set(seeds)) != len(seeds):
        raise ScenarioError(f"{where} {value!r}: a seed is listed twice")
    return seeds


def load_spec(path: str | Path, *, method: str | None = None) -> Spec:
    """Read and check a sweep spec; with ``method`` (``morris``/``sobol``), a sensitivity spec."""
    path = Path(path)
    src = str(path)
    if not path.exists():
        raise ScenarioError(f"{src}: no such spec file")
    raw = read_toml(path)
    try:
        f = SpecFile.model_validate(raw)
    except ValidationError as e:
        raise ScenarioError(_spec_error(e, src)) from None
    design = f.design
    if method is not None:
        if design is not None and design != method:
            raise ScenarioError(
                f"{src}: design = '{design}': a sensitivity study with --method {method} uses "
                f"the {method} design; leave design out or set it to '{method}'"
            )
        design = method
    elif f.method is not None and design is None:
        design = f.method
    if design is None:
        raise ScenarioError(f"{src}: design: required; allowed: {', '.join(DESIGNS)}")
    scenario_ref = f.scenario
    local = path.parent / scenario_ref
    if scenario_ref.endswith(".toml") or local.exists():
        scenario_ref = str(local)
    try:
        base = load_scenario(scenario_ref)
    except ScenarioError as e:
        raise ScenarioError(f"{src}: scenario = '{f.scenario}': {e}") from None
    known = known_paths(base)
    for p in f.set:
        if p in FIXED:
            raise ScenarioError(f'{src}: set."{p}": set days and seeds with days and seeds')
        check_path(p, known, src, field=f'set."{p}"')
    if f.set:
        base = validate(base.to_dict(), source=src, overrides=f.set, label="set.")
        base.source = f"{base.source}"
    seeds = parse_seeds(f.seeds, where=f"{src}: seeds =")
    factors = [_factor(p, v, base, known, src) for p, v in f.factors.items()]
    spec = Spec(path=path, scenario=base, days=f.days, seeds=seeds, design=design,
                samples=f.samples, levels=f.levels, design_seed=f.design_seed,
                outcomes=f.outcomes, fixed=dict(f.set), factors=factors, raw=raw)  # fmt: skip
    check_outcomes(spec.outcomes, base, where=f"{src}: outcomes:")
    _check_design(spec, src)
    return spec


def _factor(p: str, v: Range | Values, base: Scenario, known: list[str], src: str) -> Factor:
    where = f'factors."{p}"'
    if p in FIXED:
        raise ScenarioError(f"{src}: {where}: days and seeds are set by days and seeds, not "
                            "a factor")  # fmt: skip
    check_path(p, known, src, field=where)
    integer = field_type(p) is int
    if isinstance(v, Range):
        if not (math.isfinite(v.min) and math.isfinite(v.max)):
            raise ScenarioError(f"{src}: {where}: min and max must be finite numbers")
        if v.min > v.max:
            raise ScenarioError(f"{src}: {where}: min = {v.min:g} is above max = {v.max:g}")
        if v.min == v.max:
            raise ScenarioError(f"{src}: {where}: min = max = {v.min:g}: a factor must vary "
                                "(put a fixed value in [set])")  # fmt: skip
        for end, x in (("min", v.min), ("max", v.max)):
            _check_value(base, p, int(round(x)) if integer else x, f"{where}.{end}", src)
        return Factor(p, low=v.min, high=v.max, levels=v.levels, integer=integer)
    if len(v.values) < 2:
        raise ScenarioError(f"{src}: {where}.values: a factor needs at least two values")
    for k, x in enumerate(v.values):
        _check_value(base, p, x, f"{where}.values[{k}]", src)
    return Factor(p, values=list(v.values))


def _check_value(base: Scenario, path: str, value: Any, where: str, src: str) -> None:
    try:
        validate(base.to_dict(), source="", overrides={path: value}, label="")
    except ScenarioError as e:
        first = str(e).splitlines()[0]
        reason = first.split(": ", 2)[-1] if first.startswith(": ") else first
        raise ScenarioError(
            f"{src}: {where} = {value!r}: not allowed for {path}: {reason}"
        ) from None


def _check_design(spec: Spec, src: str) -> None:
    d, n, design = len(spec.factors), spec.samples, spec.design
    if design == "grid":
        size = spec.n_samples()
        if n is not None and n != size:
            raise ScenarioError(
                f"{src}: samples = {n}: a grid of these factors' levels has {size} samples; "
                f"leave samples out or set it to {size}"
            )
    elif n is None:
        raise ScenarioError(f"{src}: samples: required for the {design} design")
    elif design == "lhs" and n < 2:
        raise ScenarioError(f"{src}: samples = {n}: a Latin hypercube needs at least 2")
    elif design == "sobol" and (n < 2 or n & (n - 1)):
        raise ScenarioError(
            f"{src}: samples = {n}: the sobol design needs a power of 2 (e.g. "
            f"{_pow2_near(n)}); it makes samples x (factors + 2) = {n} x {d + 2} runs' samples"
        )
    elif design == "morris":
        if n < 2:
            raise ScenarioError(f"{src}: samples = {n}: Morris needs at least 2 trajectories")
        if spec.levels % 2:
            raise ScenarioError(f"{src}: levels = {spec.levels}: Morris needs an even number "
                                "of levels (4 is usual)")  # fmt: skip
    runs = spec.n_samples() * len(spec.seeds)
    if runs > MAX_RUNS:
        raise ScenarioError(f"{src}: the design makes {runs:,} runs; at most {MAX_RUNS:,}")


def _pow2_near(n: int) -> str:
    lo = 1 << max(1, n.bit_length() - 1)
    return f"{lo} or {lo * 2}"


def _spec_error(e: ValidationError, src: str) -> str:
    err = e.errors()[0]
    loc = ".".join(f'"{x}"' if isinstance(x, str) and "." in x else str(x) for x in err["loc"]
                   if not (isinstance(x, str) and x in ("Range", "Values", "list[any]")))  # fmt: skip
    if err["type"] == "extra_forbidden":
        allowed = (
            ", ".join(SpecFile.model_fields)
            if len(err["loc"]) == 1
            else "min, max, levels (a range) or values (a list)"
        )
        return f"{src}: {loc}: unknown field; allowed: {allowed}"
    if err["type"] == "missing":
        return f"{src}: {loc}: required field is missing"
    msg = err["msg"].removeprefix("Value error, ")
    if loc.startswith("factors.") and err["type"] in ("model_type", "dict_type", "list_type"):
        msg = "expected { min = ..., max = ... } or { values = [...] } or a list of values"
    return f"{src}: {loc} = {err.get('input')!r}: {msg}"
