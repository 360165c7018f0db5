"""Replicates, paired comparisons, sweeps and sensitivity studies: one layer for many runs.

Every function builds its runs as tasks (a scenario, overrides, a seed, the days), runs those not
yet in its store through an executor (this process, local worker processes, or a Dask cluster),
and reads the outcomes back from the store. docs/EXPERIMENTS.md explains the statistics.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from flowsim.errors import ScenarioError
from flowsim.experiments import charts as xcharts
from flowsim.experiments.executors import Executor, make_executor
from flowsim.experiments.packages import package_overrides, read_package
from flowsim.experiments.runner import (
    SERIES,
    RunTask,
    read_series,
    run_all,
    run_key,
    scenario_hash,
)
from flowsim.experiments.spec import Spec, load_spec, parse_seeds
from flowsim.experiments.stats import describe as describe_values
from flowsim.experiments.stats import json_safe, paired
from flowsim.experiments.store import Store, digest
from flowsim.outcomes import HEADLINE, check_outcomes, outcome_paths
from flowsim.resultdir import (
    PROVENANCE,
    make_staging,
    now,
    provenance,
    swap,
    write_provenance,
    write_scenario,
)
from flowsim.scenario import Scenario, load_scenario, with_overrides

Progress = Callable[[int, int, int], None]


def _version() -> str:
    from flowsim import __version__

    return __version__


def _scenario(scenario: Scenario | str | Path, overrides: Any = None) -> Scenario:
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    return with_overrides(base, overrides)


def _columns(paths: list[str], labels: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return labels + [(p, "float64") for p in paths]


def _write_json(path: Path, data: Any) -> None:
    from flowsim.output import atomic_write

    text = json.dumps(json_safe(data), indent=2, default=str) + "\n"
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def _write_parquet(path: Path, frame: pd.DataFrame) -> None:
    from flowsim.output import atomic_write

    atomic_write(path, lambda p: frame.to_parquet(p, index=False))


class _Folder:
    """Where a replicate or comparison writes: a staging folder swapped in at the end (``out``),
    or a temporary folder removed at the end (no ``out``: the Python API's results only)."""

    def __init__(self, out: Path | None):
        self.out = Path(out) if out is not None else None
        if self.out is not None:
            self.path = make_staging(self.out)
        else:
            self.path = Path(tempfile.mkdtemp(prefix="flowsim-"))

    def finish(self) -> None:
        for name in ("store.json", "runs", SERIES):
            p = self.path / name
            if p.is_dir():
                shutil.rmtree(p)
            else:
                p.unlink(missing_ok=True)
        if self.out is not None:
            swap(self.path, self.out)
        else:
            shutil.rmtree(self.path, ignore_errors=True)

    def abandon(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _executor(n_tasks: int, workers: int | None, scheduler: str | None) -> Executor:
    from flowsim.experiments.executors import cores

    if workers is None and scheduler is None:
        workers = max(1, min(cores(), n_tasks))
    return make_executor(workers, scheduler)


# -- replicates -------------------------------------------------------------------------------


def replicate(scenario: Scenario | str | Path, *, seeds: Any = 10, days: int | None = None,
              overrides: Any = None, out: str | Path | None = None, workers: int | None = None,
              scheduler: str | None = None, progress: Progress | None = None,
              charts: bool = True, dpi: int = 120) -> pd.DataFrame:  # fmt: skip
    """Run one scenario over many seeds. Returns one row per seed (every outcome a column).

    With ``out``, writes ``runs.parquet``, ``summary.json`` (with ``replicates``: each outcome's
    mean, sd and 95% interval), ``timeseries.parquet`` (every seed's daily table, with a
    ``seed`` column), charts with the median and a 90% band, ``scenario.toml`` and
    ``provenance.json``.
    """
    seed_list = parse_seeds(seeds)
    spec = _scenario(scenario, overrides)
    started = now()
    folder = _Folder(out)
    try:
        base = scenario_hash(spec)
        tasks = [RunTask(run_key(base, {}, s, days), spec, {}, s, days, series=out is not None)
                 for s in seed_list]  # fmt: skip
        paths = outcome_paths(spec)
        store = Store.open(folder.path, kind="replicates", inputs_hash=base,
                           columns=_columns(paths, []), resume=False, version=_version())  # fmt: skip
        with _executor(len(tasks), workers, scheduler) as ex:
            run_all(tasks, store, ex, progress=progress)
            executor = ex.describe()
        runs = _by_task(tasks, store.load(), {})
        if out is not None:
            _write_replicates(folder.path, spec, runs, seed_list, days, overrides, started,
                              executor, charts, dpi)  # fmt: skip
    except BaseException:
        folder.abandon()
        raise
    folder.finish()
    return runs


def _by_task(tasks: list[RunTask], stored: pd.DataFrame, labels: dict[str, list]) -> pd.DataFrame:
    """One row per task, in task order, with the labels given (a run shared by two tasks, e.g.
    two identical packages, appears under each)."""
    rows = stored.set_index("key")
    frame = rows.loc[[t.key for t in tasks]].reset_index()
    for name, values in reversed(labels.items()):
        frame.insert(0, name, values)
    return frame


def replicate_summary(spec: Scenario, runs: pd.DataFrame, seeds: list[int],
                      days: int | None) -> dict[str, Any]:  # fmt: skip
    ok = runs[runs["status"] == "ok"]
    n_days = days or spec.simulation.days
    start = spec.simulation.start_date
    paths = [p for p in outcome_paths(spec) if p in runs.columns]
    return {
        "flowsim_version": _version(),
        "kind": "replicates",
        "scenario": spec.simulation.name,
        "scenario_file": spec.source,
        "seeds": seeds,
        "days": n_days,
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=n_days - 1)).isoformat(),
        "persons_per_agent": spec.simulation.persons_per_agent,
        "runs": {"ok": int(len(ok)), "failed": int(len(runs) - len(ok)),
                 "errors": sorted(set(runs.loc[runs["status"] != "ok", "error"].dropna()))},
        "headline": HEADLINE,
        "replicates": {p: describe_values(ok[p]) for p in paths},
    }  # fmt: skip


def _write_replicates(d: Path, spec, runs, seeds, days, overrides, started, executor, charts,
                      dpi) -> None:  # fmt: skip
    _write_parquet(d / "runs.parquet", runs)
    ts = read_series(d, runs, ["seed"])
    if len(ts):
        _write_parquet(d / "timeseries.parquet", ts)
        if charts:
            from flowsim.charts import ChartData, write_charts

            write_charts(ChartData(spec, ts, label=f"{ts['seed'].nunique()} seeds"), d, dpi)
    write_scenario(d, spec)
    summary = replicate_summary(spec, runs, seeds, days)
    write_provenance(d, provenance("replicates", scenario=spec, seeds=seeds,
                                   days=summary["days"], overrides=overrides, started=started,
                                   executor=executor))  # fmt: skip
    _write_json(d / "summary.json", summary)


# -- paired comparison ------------------------------------------------------------------------


def load_packages(packages: dict[str, Any], base: Scenario) -> dict[str, dict[str, Any]]:
    """{name: overrides} from {name: package file, TOML-shaped dict or {path: value}}."""
    out: dict[str, dict[str, Any]] = {}
    for name, pkg in packages.items():
        if name == "base":
            raise ScenarioError("package name 'base' is the scenario itself; choose another")
        if isinstance(pkg, str | Path):
            out[name] = package_overrides(read_package(Path(pkg)), base, str(pkg))
        elif isinstance(pkg, dict):
            out[name] = package_overrides(pkg, base, f"package {name}")
        else:
            raise ScenarioError(f"package {name}: expected a file or a dict, got {type(pkg)}")
    return out


def compare(scenario: Scenario | str | Path, packages: dict[str, Any], *, seeds: Any = 10,
            days: int | None = None, outcomes: list[str] | None = None, overrides: Any = None,
            out: str | Path | None = None, workers: int | None = None,
            scheduler: str | None = None, progress: Progress | None = None,
            charts: bool = True, dpi: int = 120) -> pd.DataFrame:  # fmt: skip
    """Run the base scenario and each package on the same seeds; paired differences.

    Returns one row per package and outcome: ``mean``, ``sd``, ``diff`` (mean paired difference
    from the base), ``lo``/``hi`` (its 95% interval), ``excludes_zero``, ``n``. With ``out``,
    writes ``comparison.json``, ``comparison.parquet`` (one row per package and seed), charts,
    the package files, ``scenario.toml`` and ``provenance.json``.
    """
    seed_list = parse_seeds(seeds)
    spec = _scenario(scenario, overrides)
    outcomes = check_outcomes(list(outcomes or HEADLINE), spec)
    pkg_overrides = {"base": {}, **load_packages(packages, spec)}
    started = now()
    folder = _Folder(out)
    try:
        base = scenario_hash(spec)
        tasks, names, seeds_col = [], [], []
        for name, ov in pkg_overrides.items():
            for s in seed_list:
                tasks.append(RunTask(run_key(base, ov, s, days), spec, ov, s, days,
                                     series=out is not None))  # fmt: skip
                names.append(name)
                seeds_col.append(s)
        paths = list(dict.fromkeys(outcome_paths(spec) + [
            p for ov in pkg_overrides.values() for p in outcome_paths(with_overrides(spec, ov))
        ]))  # fmt: skip
        store = Store.open(folder.path, kind="comparison", inputs_hash=base,
                           columns=_columns(paths, []), resume=False, version=_version())  # fmt: skip
        unique = list({t.key: t for t in tasks}.values())
        with _executor(len(unique), workers, scheduler) as ex:
            run_all(unique, store, ex, progress=progress)
            executor = ex.describe()
        runs = _by_task(tasks, store.load(), {"package": names})
        table = comparison_table(runs, outcomes, list(pkg_overrides))
        if out is not None:
            _write_comparison(folder.path, spec, runs, table, pkg_overrides, packages, seed_list,
                              days, outcomes, overrides, started, executor, charts, dpi)  # fmt: skip
    except BaseException:
        folder.abandon()
        raise
    folder.finish()
    return table


def comparison_table(runs: pd.DataFrame, outcomes: list[str], names: list[str]) -> pd.DataFrame:
    """Per package and outcome: mean over seeds, paired difference from the first package."""
    ok = runs[runs["status"] == "ok"]
    base = ok[ok["package"] == names[0]].set_index("seed")
    rows = []
    for name in names:
        part = ok[ok["package"] == name].set_index("seed")
        seeds = sorted(set(base.index) & set(part.index))
        for o in outcomes:
            d = describe_values(part[o])
            p = paired(base.loc[seeds, o], part.loc[seeds, o])
            lo, hi = p["ci95"] if p["ci95"] is not None else (np.nan, np.nan)
            rows.append({"package": name, "outcome": o, "n": p["n"], "mean": d["mean"],
                         "sd": d["sd"], "diff": p["diff"], "diff_sd": p["sd"], "lo": lo,
                         "hi": hi, "excludes_zero": p["excludes_zero"]})  # fmt: skip
    return pd.DataFrame(rows).astype({"mean": float, "diff": float, "lo": float, "hi": float})


def comparison_json(spec: Scenario, runs: pd.DataFrame, table: pd.DataFrame, overrides: dict,
                    files: dict, seeds: list[int], days: int | None,
                    outcomes: list[str]) -> dict[str, Any]:  # fmt: skip
    ok = runs[runs["status"] == "ok"]
    packages = {}
    for name in dict.fromkeys(table["package"]):
        rows = table[table["package"] == name].set_index("outcome")
        vals = {}
        for o in outcomes:
            r = rows.loc[o]
            mean_ci = describe_values(ok.loc[ok["package"] == name, o])["ci95"]
            vals[o] = {"mean": r["mean"], "sd": r["sd"], "mean_ci95": mean_ci, "diff": r["diff"],
                       "ci95": [r["lo"], r["hi"]], "excludes_zero": bool(r["excludes_zero"]),
                       "n": int(r["n"])}  # fmt: skip
        file = files.get(name)
        packages[name] = {"file": str(file) if isinstance(file, str | Path) else None,
                          "overrides": overrides[name], "outcomes": vals}  # fmt: skip
    return {
        "flowsim_version": _version(),
        "kind": "comparison",
        "base": "base",
        "scenario": spec.simulation.name,
        "scenario_file": spec.source,
        "seeds": seeds,
        "days": days or spec.simulation.days,
        "persons_per_agent": spec.simulation.persons_per_agent,
        "outcomes": outcomes,
        "runs": {"ok": int(len(ok)), "failed": int(len(runs) - len(ok)),
                 "errors": sorted(set(runs.loc[runs["status"] != "ok", "error"].dropna()))},
        "packages": packages,
    }  # fmt: skip


def _write_comparison(d, spec, runs, table, pkg_overrides, packages, seeds, days, outcomes,
                      overrides, started, executor, charts, dpi) -> None:  # fmt: skip
    _write_parquet(d / "comparison.parquet", runs)
    (d / "packages").mkdir()
    for name, pkg in packages.items():
        if isinstance(pkg, str | Path):
            shutil.copyfile(pkg, d / "packages" / f"{name}.toml")
        else:
            import tomli_w

            text = tomli_w.dumps(pkg_overrides[name])
            (d / "packages" / f"{name}.toml").write_text(text, encoding="utf-8")
    write_scenario(d, spec)
    ts = read_series(d, runs, ["package", "seed"])
    if len(ts):
        _write_parquet(d / "timeseries.parquet", ts)
    if charts:
        title = spec.simulation.name
        if len(pkg_overrides) > 1:
            xcharts.write_comparison(table, d, title, dpi)
        if len(ts):
            xcharts.write_series(ts, spec, d, title, dpi)
    write_provenance(d, provenance(
        "comparison", scenario=spec, seeds=seeds, days=days or spec.simulation.days,
        overrides=overrides, started=started, executor=executor,
        packages={n: str(p) if isinstance(p, str | Path) else "(python)"
                  for n, p in packages.items()},
    ))  # fmt: skip
    files = dict(packages)
    _write_json(d / "comparison.json", comparison_json(spec, runs, table, pkg_overrides, files,
                                                       seeds, days, outcomes))  # fmt: skip


# -- sweeps and sensitivity -------------------------------------------------------------------


def _spec(spec: Spec | str | Path, method: str | None = None) -> Spec:
    return spec if isinstance(spec, Spec) else load_spec(spec, method=method)


def _sweep_tasks(spec: Spec) -> tuple[np.ndarray, pd.DataFrame, list[RunTask], str]:
    x, samples = spec.design_matrix()
    base = scenario_hash(spec.scenario)
    tasks = []
    names = [f.path for f in spec.factors]
    for i, row in enumerate(samples.itertuples(index=False)):
        values = {n: _plain(v) for n, v in zip(names, row, strict=True)}
        for s in spec.seeds:
            tasks.append(RunTask(run_key(base, values, s, spec.days), spec.scenario, values, s,
                                 spec.days, labels={"sample": i, **values}))  # fmt: skip
    inputs = digest({"scenario": base, "days": spec.days, "seeds": spec.seeds,
                     "design": spec.design, "samples": samples.to_dict("list")})  # fmt: skip
    return x, samples, tasks, inputs


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _open_study(spec: Spec, kind: str, out: Path, resume: bool, samples: pd.DataFrame,
                inputs: str) -> Store:  # fmt: skip
    labels = [("sample", "int64")] + [
        (f.path, "string" if samples[f.path].dtype == object else "float64") for f in spec.factors
    ]
    store = Store.open(out, kind=kind, inputs_hash=inputs, resume=resume, version=_version(),
                       columns=_columns(outcome_paths(spec.scenario), labels))  # fmt: skip
    for name in FINAL_FILES[kind] + [".*.part", ".*.tmp"]:  # a resumed study is not whole
        for p in out.glob(name):  # until it ends again; half-written files of a killed run go
            p.unlink()
    return store


FINAL_FILES = {
    "sweep": ["sweep.json", "sweep_*.png", "sweep_*.svg", "samples.parquet"],
    "sensitivity": ["indices.json", "indices.parquet", "sensitivity_*.png", "sensitivity_*.svg",
                    "samples.parquet"],
}  # fmt: skip


def _study_start(spec: Spec, out: Path, kind: str, started, extra: dict) -> None:
    shutil.copyfile(spec.path, out / "spec.toml") if not (out / "spec.toml").exists() else None
    write_scenario(out, spec.scenario)
    record = provenance(kind, scenario=spec.scenario, seeds=spec.seeds,
                        days=spec.days or spec.scenario.simulation.days, overrides=spec.fixed,
                        started=started, spec=str(spec.path), **extra)  # fmt: skip
    record["finished"] = None
    write_provenance(out, record)


def _study_end(out: Path) -> None:
    record = json.loads((out / PROVENANCE).read_text(encoding="utf-8"))
    record["finished"] = now().isoformat(timespec="seconds")
    write_provenance(out, record)


def sample_means(runs: pd.DataFrame, tasks: list[RunTask], samples: pd.DataFrame,
                 outcomes: list[str]) -> pd.DataFrame:  # fmt: skip
    """Each sample's factor values and the mean of each outcome over its ok seeds (a run shared
    by two samples with the same values counts for both)."""
    by_key = runs.set_index("key")
    frame = pd.DataFrame({"sample": [t.labels["sample"] for t in tasks],
                          "key": [t.key for t in tasks]})  # fmt: skip
    stored = by_key.reindex(frame["key"])
    ok = (stored["status"] == "ok").to_numpy()
    for o in outcomes:
        frame[o] = np.where(ok, stored[o].to_numpy(dtype=float), np.nan)
    frame["ok"] = ok
    means = frame.groupby("sample")[outcomes].mean()
    counts = frame.groupby("sample")["ok"].sum().rename("ok_runs")
    return samples.join(means, how="left").join(counts).reset_index(names="sample")


def sweep(spec: Spec | str | Path, *, out: str | Path | None = None, resume: bool = False,
          workers: int | None = None, scheduler: str | None = None,
          progress: Progress | None = None, charts: bool = True, dpi: int = 120,
          log: Callable[[str], None] | None = None) -> pd.DataFrame:  # fmt: skip
    """Run every sample of a spec's design with its seeds into a resumable store.

    Returns one row per run: the sample, every factor, the seed, the status, the wall time and
    every outcome. With ``out``, the store is ``out/runs`` and ``samples.parquet`` holds each
    sample's mean outcomes; ``sweep.json`` is written when every run is done.
    """
    spec = _spec(spec)
    runs, _, samples, tasks = _study(spec, "sweep", out, resume, workers, scheduler, progress,
                                     log)  # fmt: skip
    means = sample_means(runs, tasks, samples, spec.outcomes)
    if out is not None:
        out = Path(out)
        _write_parquet(out / "samples.parquet", means)
        if charts:
            xcharts.write_sweep(means, [f.path for f in spec.factors], spec.outcomes, out,
                                spec.scenario.simulation.name, dpi)  # fmt: skip
        _write_json(out / "sweep.json", _study_json(spec, runs, means, "sweep"))
        _study_end(out)
    return runs


def _study(spec: Spec, kind: str, out, resume, workers, scheduler, progress, log=None):
    x, samples, tasks, inputs = _sweep_tasks(spec)
    started = now()
    with ExitStack() as stack:
        if out is None:
            folder = Path(tempfile.mkdtemp(prefix="flowsim-"))
            stack.callback(shutil.rmtree, folder, True)
        else:
            folder = Path(out)
        store = _open_study(spec, kind, folder, resume, samples, inputs)
        unique = list({t.key: t for t in tasks}.values())
        todo = len([t for t in unique if t.key not in store.keys()])
        if log is not None and len(unique) > todo:
            log(f"{out}: the store holds {len(unique) - todo} of the {len(unique)} runs; "
                f"running the other {todo}")  # fmt: skip
        ex = stack.enter_context(_executor(max(todo, 1), workers, scheduler))
        if out is not None:
            _study_start(spec, folder, kind, started, {"executor": ex.describe(),
                                                       "design": spec.design})  # fmt: skip
        run_all(unique, store, ex, progress=progress)
        runs = store.load()
    return runs, x, samples, tasks


def _study_json(spec: Spec, runs: pd.DataFrame, means: pd.DataFrame, kind: str) -> dict:
    failed = runs[runs["status"] != "ok"]
    return {
        "flowsim_version": _version(),
        "kind": kind,
        "scenario": spec.scenario.simulation.name,
        "scenario_file": spec.scenario.source,
        "spec": str(spec.path),
        "design": spec.design,
        "samples": int(len(means)),
        "seeds": spec.seeds,
        "days": spec.days or spec.scenario.simulation.days,
        "factors": {f.path: ({"values": f.values} if f.discrete else {"min": f.low, "max": f.high})
                    for f in spec.factors},
        "outcomes": spec.outcomes,
        "runs": {"total": int(len(runs)), "ok": int(len(runs) - len(failed)),
                 "failed": int(len(failed)), "errors": sorted(set(failed["error"].dropna()))},
        "outcome_ranges": {o: describe_values(means[o]) for o in spec.outcomes},
    }  # fmt: skip


def sensitivity(spec: Spec | str | Path, *, method: str = "morris",
                out: str | Path | None = None, resume: bool = False,
                workers: int | None = None, scheduler: str | None = None,
                progress: Progress | None = None, charts: bool = True, dpi: int = 120,
                log: Callable[[str], None] | None = None) -> pd.DataFrame:  # fmt: skip
    """A Morris or Sobol' study with SALib's samplers and analysers over the spec's factors.

    Returns the indices as a tidy table (outcome, factor, index, value, conf, rank); with
    ``out``, also ``indices.json`` ({outcome: {factor: {...}}}), ``indices.parquet``, a chart
    per outcome and the run store. Each sample's outcome is its mean over the spec's seeds.
    """
    if method not in ("morris", "sobol"):
        raise ScenarioError(f"--method {method}: allowed: morris, sobol")
    spec = _spec(spec, method)
    runs, x, samples, tasks = _study(spec, "sensitivity", out, resume, workers, scheduler,
                                     progress, log)  # fmt: skip
    means = sample_means(runs, tasks, samples, spec.outcomes)
    indices, warnings = analyse(spec, x, means)
    if out is not None:
        out = Path(out)
        _write_parquet(out / "samples.parquet", means)
        _write_parquet(out / "indices.parquet", indices)
        if charts:
            xcharts.write_sensitivity(indices, spec.outcomes, spec.design, out,
                                      spec.scenario.simulation.name, dpi)  # fmt: skip
        data = _study_json(spec, runs, means, "sensitivity")
        data["method"] = spec.design
        data["warnings"] = warnings
        data["indices"] = indices_json(indices)
        _write_json(out / "indices.json", data)
        _study_end(out)
    indices.attrs["warnings"] = warnings
    return indices


def indices_json(indices: pd.DataFrame) -> dict:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for r in indices.itertuples(index=False):
        entry = out.setdefault(r.outcome, {}).setdefault(r.factor, {"rank": int(r.rank)})
        entry[r.index] = r.value
        if r.conf == r.conf:  # not NaN
            entry[f"{r.index}_conf"] = r.conf
    return out


def analyse(spec: Spec, x: np.ndarray, means: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """SALib's Morris or Sobol' analysis of each outcome; warnings where the ranking is
    uncertain or an outcome could not be analysed."""
    problem = spec.problem()
    rows, warnings = [], []
    for o in spec.outcomes:
        y = means[o].to_numpy(dtype=float)
        if not np.isfinite(y).all():
            bad = int((~np.isfinite(y)).sum())
            warnings.append(f"{o}: not analysed: {bad} of {y.size} samples have no value (failed "
                            "runs, or nothing to measure such as deaths per attempt without "
                            "attempts)")  # fmt: skip
            continue
        if spec.design == "morris":
            from SALib.analyze import morris

            si = morris.analyze(problem, x, y, num_levels=spec.levels, conf_level=0.95,
                                num_resamples=1000, seed=spec.design_seed)  # fmt: skip
            main, conf = np.asarray(si["mu_star"], float), np.asarray(si["mu_star_conf"], float)
            items = {"mu_star": (main, conf), "sigma": (np.asarray(si["sigma"], float), None),
                     "mu": (np.asarray(si["mu"], float), None)}  # fmt: skip
        else:
            from SALib.analyze import sobol

            si = sobol.analyze(problem, y, calc_second_order=False, conf_level=0.95,
                               num_resamples=1000, seed=spec.design_seed)  # fmt: skip
            main, conf = np.asarray(si["ST"], float), np.asarray(si["ST_conf"], float)
            items = {"ST": (main, conf), "S1": (np.asarray(si["S1"], float),
                                                np.asarray(si["S1_conf"], float))}  # fmt: skip
        order = np.argsort(-np.nan_to_num(main, nan=-np.inf), kind="stable")
        rank = np.empty(len(order), int)
        rank[order] = np.arange(1, len(order) + 1)
        for name, (vals, confs) in items.items():
            for j, f in enumerate(spec.factors):
                rows.append({"outcome": o, "factor": f.path, "index": name,
                             "value": float(vals[j]),
                             "conf": float(confs[j]) if confs is not None else np.nan,
                             "rank": int(rank[j])})  # fmt: skip
        w = ranking_warning(o, [f.path for f in spec.factors], main, conf, spec)
        if w:
            warnings.append(w)
    frame = pd.DataFrame(rows, columns=["outcome", "factor", "index", "value", "conf", "rank"])
    return frame, warnings


def ranking_warning(outcome: str, factors: list[str], main: np.ndarray, conf: np.ndarray,
                    spec: Spec) -> str | None:  # fmt: skip
    """A warning when two neighbours in the ranking have overlapping 95% intervals (their order
    is not established): the highest such pair, and the samples needed to separate it
    (intervals shrink as 1/sqrt(n)). Factors tied at an index of 0 are not a ranking problem."""
    order = np.argsort(-main, kind="stable")
    for k, (a, b) in enumerate(zip(order[:-1], order[1:], strict=True)):
        gap, width = main[a] - main[b], conf[a] + conf[b]
        if not np.isfinite(width) or width <= 0 or main[a] <= 0 or gap >= width:
            continue
        need = np.inf if gap <= 0 else (width / gap) ** 2
        n = spec.samples
        unit = "trajectories" if spec.design == "morris" else "base samples"
        if not np.isfinite(need) or need * n > 1e6:
            more = "far more samples than practical (the two look equal)"
        else:
            target = int(np.ceil(need * n * 1.1))
            if spec.design == "sobol":
                target = 1 << (target - 1).bit_length()
            more = f"about {target} {unit} (samples = {target}; now {n})"
        settled = (
            ""
            if not k
            else "rank 1 is established; "
            if k == 1
            else f"ranks 1-{k} are established; "
        )
        return (
            f"{outcome}: {settled}{factors[a]} (rank {k + 1}) above {factors[b]} (rank "
            f"{k + 2}) is not (their 95% intervals overlap); separating them needs {more}"
        )
    return None


# -- one run as a function ---------------------------------------------------------------------


def evaluate(scenario: Scenario | str | Path, levers: dict[str, Any] | None = None, *,
             seed: int, days: int | None = None) -> dict[str, float]:  # fmt: skip
    """One run's outcomes ({path: value}, counts in persons) with ``levers`` as overrides
    (``{"policy.rescue.capacity": 10}``): a model function for EMA Workbench and the like."""
    from flowsim.outcomes import extract
    from flowsim.output import run

    result = run(scenario, days=days, seed=int(seed), overrides=dict(levers or {}))
    return extract(result.summary)
