"""``flowsim calibrate``: fit behaviour parameters to a Flee case's observed camp counts.

Optuna's samplers (TPE, CMA-ES, random) propose parameter values; each proposal (a trial) runs
the case in forced-inflow mode over the given seeds through the experiments layer (the same
resumable Parquet store and executors as sweeps), and its objective is the mean over seeds of
the rescaled ARD (or the plain ARD). With ``fit = "first_half"`` the objective is the error over
the first half of the period only, and the second half is reported as a test of the fit.

A calibration spec (TOML):

```toml
sampler = "tpe"            # tpe | cmaes | random
objective = "ard_rescaled" # or "ard"
fit = "all"                # or "first_half" (fit on the first half, score on the second)
seed = 0                   # the sampler's seed
[params]
"behaviour.arrival.onward_probability" = { min = 0.01, max = 0.5, log = true }
"behaviour.route_choice.w_days" = { min = 0.0, max = 0.1 }
```
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from flowsim.errors import ScenarioError

ARD_COLUMNS = ["ard", "ard_rescaled", "ard_first_half", "ard_rescaled_first_half",
               "ard_second_half", "ard_rescaled_second_half"]  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParamRange(_Strict):
    min: float
    max: float
    log: bool = False


class CalibrationFile(_Strict):
    sampler: Literal["tpe", "cmaes", "random"] = "tpe"
    objective: Literal["ard_rescaled", "ard"] = "ard_rescaled"
    fit: Literal["all", "first_half"] = "all"
    seed: int = Field(default=0, ge=0)
    params: dict[str, ParamRange] = Field(min_length=1)


@dataclass
class Param:
    path: str
    low: float
    high: float
    log: bool
    integer: bool

    def distribution(self):
        from optuna.distributions import FloatDistribution, IntDistribution

        if self.integer:
            return IntDistribution(int(self.low), int(self.high), log=self.log)
        return FloatDistribution(self.low, self.high, log=self.log)


@dataclass
class Calibration:
    """A checked calibration: the case, its observations and the parameters to fit."""

    spec_path: Path
    scenario: Any  # the Flee case as a scenario (forced-inflow mode)
    input_dir: Path
    validation_dir: Path
    camps: list[int]  # node index of each observed camp
    camp_names: list[str]
    observed: np.ndarray  # [day, camp]
    sampler: str
    objective: str
    fit: str
    seed: int
    params: list[Param]
    raw: dict

    @property
    def split(self) -> int:
        return self.observed.shape[0] // 2

    def value_column(self) -> str:
        return self.objective + ("_first_half" if self.fit == "first_half" else "")


def case(input_dir: Path, validation_dir: Path, overrides: Any = None):
    """(scenario, camp node indices, camp names, observed [day, camp]) of a Flee case."""
    from flowsim.flee import load_flee, observed_camps

    scenario = load_flee(input_dir, validation_dir, overrides=overrides)
    sim = scenario.simulation
    names, obs = observed_camps(validation_dir, sim.start_date, sim.days,
                                Path(input_dir) / "registration_corrections.csv")  # fmt: skip
    by_name = {n.name: k for k, n in enumerate(scenario.nodes)}
    keep = [i for i, n in enumerate(names) if n in by_name]
    return scenario, [by_name[names[i]] for i in keep], [names[i] for i in keep], obs[:, keep]


def load_calibration(spec_path: str | Path, input_dir: str | Path,
                     validation_dir: str | Path) -> Calibration:  # fmt: skip
    """Read and check a calibration spec against the case: every parameter path must be a
    scenario value, and both ends of its range must be allowed."""
    from flowsim.experiments.spec import _check_value
    from flowsim.scenario import check_path, field_type, known_paths, read_toml

    spec_path, input_dir, validation_dir = Path(spec_path), Path(input_dir), Path(validation_dir)
    src = str(spec_path)
    if not spec_path.exists():
        raise ScenarioError(f"{src}: no such calibration spec")
    raw = read_toml(spec_path)
    try:
        f = CalibrationFile.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        loc = ".".join(f'"{x}"' if isinstance(x, str) and "." in x else str(x)
                       for x in err["loc"])  # fmt: skip
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown field; allowed: {', '.join(CalibrationFile.model_fields)}" if len(
                err["loc"]) == 1 else "unknown field; allowed: min, max, log"  # fmt: skip
        raise ScenarioError(f"{src}: {loc} = {err.get('input')!r}: {msg}") from None
    if not (input_dir / "locations.csv").is_file():
        raise ScenarioError(f"{input_dir}: not a Flee input folder (no locations.csv)")
    if not (validation_dir / "data_layout.csv").is_file():
        raise ScenarioError(f"{validation_dir}: not a Flee validation folder (no data_layout.csv)")
    scenario, camps, names, obs = case(input_dir, validation_dir)
    if not camps:
        raise ScenarioError(f"{validation_dir}: none of the observed camps is in the case")
    known = known_paths(scenario)
    params = []
    for path, r in f.params.items():
        where = f'params."{path}"'
        check_path(path, known, src, field=where)
        if not (math.isfinite(r.min) and math.isfinite(r.max)) or r.min >= r.max:
            raise ScenarioError(f"{src}: {where}: need finite min < max, got {r.min:g} and "
                                f"{r.max:g}")  # fmt: skip
        if r.log and r.min <= 0:
            raise ScenarioError(f"{src}: {where}: a log range needs min > 0, got {r.min:g}")
        integer = field_type(path) is int
        for end, x in (("min", r.min), ("max", r.max)):
            _check_value(scenario, path, int(round(x)) if integer else x, f"{where}.{end}", src)
        params.append(Param(path, r.min, r.max, r.log, integer))
    if f.sampler == "cmaes" and len(params) < 2:
        raise ScenarioError(f"{src}: sampler = 'cmaes': CMA-ES needs at least two parameters; "
                            "use tpe for one")  # fmt: skip
    return Calibration(spec_path, scenario, input_dir, validation_dir, camps, names, obs,
                       f.sampler, f.objective, f.fit, f.seed, params, raw)  # fmt: skip


def _sampler(cal: Calibration, done: int = 0):
    """The sampler; a resumed calibration seeds it past the trials done (a fresh sampler with
    the first seed would propose its first points again)."""
    import optuna

    seed = cal.seed + done
    if cal.sampler == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    if cal.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=5)


def _tasks(cal: Calibration, trial: int, values: dict[str, Any], seeds: list[int], base: str):
    from flowsim.experiments.runner import RunTask, run_key

    validation = {"camps": cal.camps, "observed": cal.observed, "split": cal.split}
    key = f"{base}-trial-{trial}"  # each trial is its own run, even if it repeats a point
    return [RunTask(run_key(key, values, s, None), cal.scenario, values, s, None,
                    labels={"trial": trial, **values}, validation=validation)
            for s in seeds]  # fmt: skip


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def calibrate(cal: Calibration, *, budget: int, seeds: list[int], out: str | Path | None = None,
              resume: bool = False, workers: int | None = None, scheduler: str | None = None,
              progress=None, log=None, holdouts: list[tuple[Path, Path]] = (),
              charts: bool = True) -> dict[str, Any]:  # fmt: skip
    """Run the calibration (or continue it, with ``resume``) until ``budget`` trials are done;
    returns the result written to ``calibration.json``."""
    import optuna

    from flowsim.experiments.api import _executor, _version
    from flowsim.experiments.runner import run_all, scenario_hash
    from flowsim.experiments.store import Store, digest

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    base = scenario_hash(cal.scenario)
    inputs = digest({"scenario": base, "spec": cal.raw, "seeds": seeds,
                     "observed": cal.observed.tolist()})  # fmt: skip
    dists = {p.path: p.distribution() for p in cal.params}
    column = cal.value_column()
    started = dt.datetime.now(dt.UTC)
    with ExitStack() as stack:
        folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="flowsim-"))
        if out is None:
            stack.callback(shutil.rmtree, folder, True)
        labels = [("trial", "int64")] + [(p.path, "float64") for p in cal.params]
        store = Store.open(folder, kind="calibration", inputs_hash=inputs, resume=resume,
                           version=_version(), what="--out",
                           columns=labels + [(c, "float64") for c in ARD_COLUMNS])  # fmt: skip
        for name in ("calibration.json", "trials.parquet", "best.toml", "convergence.*", ".*.part"):
            for p in folder.glob(name):
                p.unlink() if p.is_file() else shutil.rmtree(p)
        stored = store.load()
        study = optuna.create_study(direction="minimize",
                                    sampler=_sampler(cal, stored["trial"].nunique()))  # fmt: skip
        done = _replay(study, stored, cal, seeds, dists, column)
        ex = stack.enter_context(_executor(len(seeds) * max(budget, 1), workers, scheduler))
        if log and done:
            log(f"{folder}: the store holds {done} finished trials of {budget}")
        if out is not None:
            _start(folder, cal, seeds, budget, started, ex.describe())
        # trials whose seeds were cut short by an interruption: run their missing seeds first
        pending = _incomplete(store.load(), cal, seeds)
        for trial, values in pending.items():
            run_all(_tasks(cal, trial, values, seeds, base), store, ex, progress=progress)
            done += _tell_stored(study, store.load(), trial, values, seeds, dists, column)
        next_id = _next_trial(store.load())
        batch = max(1, ex.workers // max(1, len(seeds)) or 1)
        while done < budget:
            asked = [study.ask(dists) for _ in range(min(batch, budget - done))]
            tasks, ids = [], []
            for t in asked:
                values = {k: _plain(v) for k, v in t.params.items()}
                tasks += _tasks(cal, next_id, values, seeds, base)
                ids.append((t, next_id, values))
                next_id += 1
            run_all(tasks, store, ex, progress=progress)
            frame = store.load()
            for t, trial, _values in ids:
                rows = frame[frame["trial"] == trial]
                value = _objective(rows, column, seeds)
                study.tell(t, value if value is not None else float("inf"))
                done += 1
        result = _result(cal, study, store.load(), seeds, budget, column)
    if out is not None:
        folder = Path(out)
        _finish(folder, cal, result, seeds, holdouts, charts)
    return result


def _objective(rows: pd.DataFrame, column: str, seeds: list[int]) -> float | None:
    ok = rows[rows["status"] == "ok"]
    if len(ok) < len(seeds) or ok[column].isna().any():
        return None
    return float(ok[column].mean())


def _trials(frame: pd.DataFrame, cal: Calibration) -> dict[int, dict[str, Any]]:
    if not len(frame):
        return {}
    out = {}
    for trial, rows in frame.groupby("trial"):
        out[int(trial)] = {p.path: _cast(p, rows[p.path].iloc[0]) for p in cal.params}
    return out


def _cast(p: Param, v: float) -> Any:
    return int(round(v)) if p.integer else float(v)


def _replay(study, frame, cal, seeds, dists, column) -> int:
    """Put the trials the store holds back into a new study; returns how many are complete."""
    import optuna

    n = 0
    for trial, values in sorted(_trials(frame, cal).items()):
        rows = frame[frame["trial"] == trial]
        if rows["seed"].nunique() < len(seeds):
            continue
        value = _objective(rows, column, seeds)
        study.add_trial(optuna.trial.create_trial(
            params=values, distributions=dists,
            value=value if value is not None else float("inf"),
        ))  # fmt: skip
        n += 1
    return n


def _incomplete(frame, cal, seeds) -> dict[int, dict[str, Any]]:
    return {t: v for t, v in _trials(frame, cal).items()
            if frame.loc[frame["trial"] == t, "seed"].nunique() < len(seeds)}  # fmt: skip


def _tell_stored(study, frame, trial, values, seeds, dists, column) -> int:
    import optuna

    value = _objective(frame[frame["trial"] == trial], column, seeds)
    study.add_trial(optuna.trial.create_trial(params=values, distributions=dists,
                                              value=value if value is not None else
                                              float("inf")))  # fmt: skip
    return 1


def _next_trial(frame: pd.DataFrame) -> int:
    return int(frame["trial"].max()) + 1 if len(frame) else 0


def trial_table(frame: pd.DataFrame, cal: Calibration, seeds: list[int]) -> pd.DataFrame:
    """One row per complete trial: its parameters and the mean over seeds of each ARD."""
    ok = frame[frame["status"] == "ok"]
    rows = []
    for trial, part in ok.groupby("trial"):
        if part["seed"].nunique() < len(seeds):
            continue
        row = {"trial": int(trial), **{p.path: _cast(p, part[p.path].iloc[0]) for p in cal.params}}
        for c in ARD_COLUMNS:
            row[c] = float(part[c].mean())
            row[c + "_sd"] = float(part[c].std(ddof=1)) if len(part) > 1 else 0.0
        row["objective"] = row[cal.value_column()]
        rows.append(row)
    return pd.DataFrame(rows).sort_values("trial").reset_index(drop=True) if rows else \
        pd.DataFrame()  # fmt: skip


def _result(cal, study, frame, seeds, budget, column) -> dict[str, Any]:
    table = trial_table(frame, cal, seeds)
    if not len(table):
        raise ScenarioError("calibration: no trial finished; see the errors in the run store")
    best = table.loc[table["objective"].idxmin()]
    return {
        "case": cal.scenario.simulation.name,
        "input_dir": str(cal.input_dir),
        "validation_dir": str(cal.validation_dir),
        "sampler": cal.sampler,
        "objective": cal.objective,
        "fit": cal.fit,
        "split_day": cal.split,
        "seeds": seeds,
        "budget": budget,
        "trials": int(len(table)),
        "best_trial": int(best["trial"]),
        "best": {p.path: _cast(p, best[p.path]) for p in cal.params},
        "best_objective": float(best["objective"]),
        "at_best": {
            c: {"mean": float(best[c]), "sd": float(best[c + "_sd"])} for c in ARD_COLUMNS
        },  # fmt: skip
        "table": table,
    }


def best_toml(best: dict[str, Any]) -> str:
    """The best parameters as a TOML fragment (a package file; or --set path=value each)."""
    import tomli_w

    nested: dict[str, Any] = {}
    for path, value in best.items():
        cur = nested
        parts = path.split(".")
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = value
    sets = " ".join(f"--set {p}={v}" for p, v in best.items())
    return f"# Calibrated by flowsim calibrate; use as a package or as: {sets}\n\n" + tomli_w.dumps(
        nested
    )


def _start(folder: Path, cal, seeds, budget, started, executor) -> None:
    from flowsim.resultdir import provenance, write_provenance, write_scenario

    if not (folder / "spec.toml").exists():
        shutil.copyfile(cal.spec_path, folder / "spec.toml")
    write_scenario(folder, cal.scenario)
    record = provenance("calibration", scenario=cal.scenario, seeds=seeds,
                        days=cal.scenario.simulation.days, started=started, budget=budget,
                        executor=executor, spec=str(cal.spec_path))  # fmt: skip
    record["finished"] = None
    write_provenance(folder, record)


def _finish(folder: Path, cal: Calibration, result: dict, seeds, holdouts, charts) -> None:
    from flowsim.experiments.api import _write_json, _write_parquet
    from flowsim.output import atomic_write
    from flowsim.resultdir import PROVENANCE, now, write_provenance
    from flowsim.validation import validate_flee

    table = result.pop("table")
    _write_parquet(folder / "trials.parquet", table)
    text = best_toml(result["best"])
    atomic_write(folder / "best.toml", lambda p: p.write_text(text, encoding="utf-8"))
    if charts:
        convergence_chart(table, cal, folder)
    best = validate_flee(cal.input_dir, cal.validation_dir, seeds=len(seeds),
                         out=folder / "best" if charts else None,
                         overrides=result["best"])  # fmt: skip
    result["validation_at_best"] = {k: best[k] for k in ("ard_mean", "ard_sd",
                                                         "ard_rescaled_mean", "ard_rescaled_sd")}  # fmt: skip
    result["per_camp_at_best"] = {  # each camp's share of the error, by the camps compared
        "ard": best["ard_by_camp"], "ard_rescaled": best["ard_rescaled_by_camp"]}  # fmt: skip
    result["holdout"] = []
    for inp, val in holdouts:
        fitted = validate_flee(inp, val, seeds=len(seeds), overrides=result["best"])
        default = validate_flee(inp, val, seeds=len(seeds))
        result["holdout"].append({
            "input_dir": str(inp), "validation_dir": str(val),
            "fitted": {k: fitted[k] for k in ("ard_mean", "ard_rescaled_mean")},
            "default": {k: default[k] for k in ("ard_mean", "ard_rescaled_mean")},
        })  # fmt: skip
    _write_json(folder / "calibration.json", result)
    record = json.loads((folder / PROVENANCE).read_text(encoding="utf-8"))
    record["finished"] = now().isoformat(timespec="seconds")
    write_provenance(folder, record)


def convergence_chart(table: pd.DataFrame, cal: Calibration, out: Path, dpi: int = 120):
    import matplotlib.pyplot as plt

    from flowsim.charts import OKABE_ITO
    from flowsim.experiments.charts import save

    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    ax.scatter(table["trial"], table["objective"], s=16, color=OKABE_ITO["sky"],
               label="each trial (mean over seeds)")  # fmt: skip
    ax.plot(table["trial"], table["objective"].cummin(), color=OKABE_ITO["blue"], lw=2,
            drawstyle="steps-post", label="best so far")  # fmt: skip
    what = cal.objective.replace("_", " ") + (", first half" if cal.fit == "first_half" else "")
    ax.set_title(f"{cal.scenario.simulation.name}: calibration with {cal.sampler} ({what})",
                 loc="left", fontsize=11)  # fmt: skip
    ax.set_xlabel("trial")
    ax.set_ylabel(what)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, frameon=False)
    return save(fig, out, "convergence", dpi)
