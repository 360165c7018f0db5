"""Flee 3.1 against flowsim on a Flee validation case: error against UNHCR data and speed.

Runs the reference refugee-movement model, Flee 3.1 (djgroen/flee, the ``flee`` package on PyPI),
and flowsim on the same inputs in one process, on any Flee case folder (Mali 2012 by default),
and prints for each model:

- ARD, the Averaged Relative Difference of the daily camp populations against the UNHCR camp
  counts: ARD(t) = sum over camps |sim - obs| / sum over camps obs, and the "rescaled" variant
  in which the simulated camp counts are first scaled so that their total equals the observed
  total of that day; each is averaged over the days of the simulation period (300), then given
  as mean +- sd over runs. ``obs`` is the validation camp data interpolated linearly by day,
  with Flee's registration corrections applied. Both models' series go through the same
  function, ``flowsim.validation.ard`` (a copy of the definition below is used only if that
  function is missing);
- agent-steps per second: the sum over the simulated days of the agents in the simulation that
  day, divided by the wall time of those days (setup, input reading and day-0 camp filling not
  counted), on one core (flowsim's numba kernels are held to one thread unless
  ``NUMBA_NUM_THREADS`` is set), and the ratio flowsim / Flee;
- per camp, each model's part of the ARD and of the rescaled ARD: the time average of the camp's
  |sim - obs| / (sum over camps of obs) that day (``flowsim.validation.ard_terms``); the parts
  of the camps add up to the model's ARD.

The Flee side reproduces Flee's own validation run script (``runscripts/run.py``, as FabFlee runs
it for Flee 3) with Flee's own code: ``SimulationSettings.ReadFromYML`` on
``flee3_validation_simsetting.yml``; ``InputGeography`` for locations, routes, closures and
conflicts; ``handle_refugee_data.RefugeeTable`` (format "generic", ``data_layout.csv``, start
date from ``sim_period.csv``) with ``ReadL1Corrections``; ``spawning.add_initial_refugees`` for
the camps' day-0 population; then each day ``AddNewConflictZones``,
``spawning.spawn_daily_displaced`` (new agents = daily increase of the summed camp data, placed at
conflict zones by population x intensity x conflict spawn decay), ``refresh_spawn_weights``,
``enact_border_closures`` and ``evolve``, recording the camp populations. Flee runs are unseeded,
as Flee's are. Both models are compared on the same camps: those of ``data_layout.csv`` that are
camps in ``locations.csv`` (Flee's run script would stop at a camp without data; here such a
camp is left out, as flowsim does). The flowsim side is ``flowsim.validation.validate_flee``
(forced-inflow mode on the scenario from ``flowsim.flee.load_flee_case``), seeds 1..N.

Run, from the repository root:

    pip install -e ".[bench]"          # flowsim plus flee==3.1
    python benchmarks/compare_flee.py  # [CASE] [--flee-runs 3] [--seeds 10] [--json out.json]

CASE is a Flee case folder: its input folder is ``input/`` or FabFlee's ``input_csv/``, its
validation folder ``validation/`` or ``source_data/`` (or give ``--input`` and ``--validation``);
Flee's settings are ``--settings``, else the case's ``flee3_validation_simsetting.yml`` or
``simsetting.yml``, else Flee's validation settings of the Mali case in this repository. Default
CASE: ``data/flee-mali2012`` in the repository, else ``../shared/data/flee-mali2012``. One Flee run
of the Mali case takes about 2.5 minutes on one core of a Xeon (300 days, up to 90,000 agents);
the whole comparison about 7 minutes. ``--no-flee`` (or no Flee installed) prints flowsim's half
only.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import io
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # one core for both models

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SETTINGS_FILE = "flee3_validation_simsetting.yml"
SETTINGS_NAMES = (SETTINGS_FILE, "simsetting.yml")
INPUT_NAMES = ("input", "input_csv")
VALIDATION_NAMES = ("validation", "source_data")


def default_data_dir() -> Path:
    local = REPO / "data" / "flee-mali2012"
    return local if local.is_dir() else REPO.parent / "shared" / "data" / "flee-mali2012"


class Case:
    """Where a Flee case's files are: input folder, validation folder, Flee settings."""

    def __init__(self, root: Path | None, input_dir=None, validation_dir=None, settings=None):
        def first(names, test):
            return next((root / n for n in names if root is not None and test(root / n)), None)

        self.root = root
        self.input = input_dir or first(INPUT_NAMES, lambda p: (p / "locations.csv").is_file())
        self.validation = validation_dir or first(
            VALIDATION_NAMES, lambda p: (p / "data_layout.csv").is_file()
        )
        self.settings = settings or first(SETTINGS_NAMES, Path.is_file)
        self.default_settings = self.settings is None
        if self.settings is None:
            self.settings = default_data_dir() / SETTINGS_FILE

    def problems(self) -> list[str]:
        out = []
        if self.input is None or not (self.input / "locations.csv").is_file():
            out.append(f"{self.root}: no input folder with locations.csv (input/ or input_csv/; "
                       "or give --input)")  # fmt: skip
        if self.validation is None or not (self.validation / "data_layout.csv").is_file():
            out.append(f"{self.root}: no validation folder with data_layout.csv (validation/ or "
                       "source_data/; or give --validation)")  # fmt: skip
        return out


# -- the error measure --------------------------------------------------------------------------


def _ard_fallback(sim, obs) -> tuple[np.ndarray, np.ndarray]:
    """Daily ARD and rescaled ARD of sim against obs, both [day, camp] in the same camp order."""
    sim = np.asarray(sim, dtype=float)
    obs = np.asarray(obs, dtype=float)
    obs_total = obs.sum(axis=1)
    sim_total = sim.sum(axis=1)
    normal = np.abs(sim - obs).sum(axis=1) / obs_total
    scale = np.divide(obs_total, sim_total, out=np.zeros_like(sim_total), where=sim_total > 0)
    rescaled = np.abs(sim * scale[:, None] - obs).sum(axis=1) / obs_total
    return normal, rescaled


def ard_function():
    """flowsim's ARD if it exists, else the definition above; and which one it is."""
    try:
        from flowsim.validation import ard

        return ard, "flowsim.validation.ard"
    except ImportError:
        return _ard_fallback, "compare_flee._ard_fallback (flowsim.validation.ard not found)"


def _terms_fallback(sim, obs) -> tuple[np.ndarray, np.ndarray]:
    """Each camp's part of the daily ARD and rescaled ARD, [day, camp]."""
    sim = np.asarray(sim, dtype=float)
    obs = np.asarray(obs, dtype=float)
    obs_total = obs.sum(axis=1)[:, None]
    sim_total = sim.sum(axis=1)[:, None]
    scale = np.divide(obs_total, sim_total, out=np.zeros_like(sim_total), where=sim_total > 0)
    safe = np.where(obs_total > 0, obs_total, np.nan)
    return np.abs(sim - obs) / safe, np.abs(sim * scale - obs) / safe


def terms_function():
    try:
        from flowsim.validation import ard_terms

        return ard_terms
    except ImportError:
        return _terms_fallback


# -- Flee ----------------------------------------------------------------------------------------


def _reset_flee_globals(spawning) -> None:
    """Flee keeps the spawning debt and raw count in module globals; start each run at zero."""
    setattr(spawning, "__refugees_raw", 0)
    setattr(spawning, "__refugee_debt", 0)


def run_flee_once(case: Case, quiet: bool = True) -> dict:
    """One unseeded Flee 3.1 run of the case; camp populations and observations per day."""
    from flee import InputGeography, flee, spawning
    from flee.datamanager import handle_refugee_data, read_period
    from flee.SimulationSettings import SimulationSettings

    input_dir, validation_dir = case.input, case.validation
    chatter = contextlib.redirect_stderr(io.StringIO()) if quiet else contextlib.nullcontext()
    with chatter, contextlib.redirect_stdout(sys.stderr if not quiet else io.StringIO()):
        # setup, as Flee's run.py does it
        SimulationSettings.ReadFromYML(str(case.settings))
        conflicts = input_dir / "conflicts.csv"
        SimulationSettings.ConflictInputFile = str(conflicts) if conflicts.is_file() else ""
        period = input_dir / "sim_period.csv"
        if not period.is_file():
            period = input_dir / "conflict_period.csv"
        start_date, days = read_period.read_conflict_period(str(period))
        _reset_flee_globals(spawning)

        e = flee.Ecosystem()
        ig = InputGeography.InputGeography()
        if conflicts.is_file():
            ig.ReadConflictInputCSV(SimulationSettings.ConflictInputFile)
        ig.ReadLocationsFromCSV(str(input_dir / "locations.csv"))
        ig.ReadLinksFromCSV(str(input_dir / "routes.csv"))
        ig.closures = []
        if (input_dir / "closures.csv").is_file():
            ig.ReadClosuresFromCSV(str(input_dir / "closures.csv"))
        e, lm = ig.StoreInputGeographyInEcosystem(e)

        d = handle_refugee_data.RefugeeTable(
            csvformat="generic",
            data_directory=str(validation_dir),
            start_date=start_date,
            data_layout="data_layout.csv",
            population_scaledown_factor=SimulationSettings.optimisations[
                "PopulationScaleDownFactor"
            ],
        )
        d.ReadL1Corrections(str(input_dir / "registration_corrections.csv"))

        # the camps with data (Flee's run script stops at a camp without any)
        camps = [name for name in e.get_camp_names() if name in d.header]
        for name in camps:
            spawning.add_initial_refugees(e, d, lm[name])

        sim = np.zeros((days, len(camps)))
        obs = np.zeros((days, len(camps)))
        agents = np.zeros(days, dtype=np.int64)

        # the simulated days (timed)
        t0 = time.perf_counter()
        for t in range(days):
            ig.AddNewConflictZones(e, t)
            # Flee 3.1 does not read spawn_rules.sum_from_camps from the YAML; the validation
            # protocol (and later Flee, where it defaults to True) sums the camp data.
            spawning.spawn_daily_displaced(e, t, d, SumFromCamps=True)
            spawning.refresh_spawn_weights(e)
            e.enact_border_closures(t)
            agents[t] = e.numAgents()  # the agents this day's step moves
            e.evolve()
            for k, name in enumerate(camps):
                sim[t, k] = lm[name].numAgents
        seconds = time.perf_counter() - t0

        for t in range(days):
            for k, name in enumerate(camps):
                obs[t, k] = d.get_field(name, t)

    return {
        "camps": camps,
        "sim": sim,
        "obs": obs,
        "agent_steps": int(agents.sum()),
        "max_agents": int(agents.max()),
        "seconds": seconds,
        "start_date": start_date,
        "layout_first": d.header[0] if d.header else None,
    }


def flee_side(case: Case, runs: int, ard, quiet: bool = True) -> dict:
    terms = terms_function()
    per_run, by_camp = [], None
    for i in range(runs):
        r = run_flee_once(case, quiet=quiet)
        normal, rescaled = ard(r["sim"], r["obs"])
        row = {
            "ard": float(np.nanmean(normal)),
            "ard_rescaled": float(np.nanmean(rescaled)),
            "agent_steps": r["agent_steps"],
            "seconds": r["seconds"],
            "agent_steps_per_s": r["agent_steps"] / r["seconds"],
            "max_agents": r["max_agents"],
        }
        per_run.append(row)
        parts = np.array([np.nanmean(t, axis=0) for t in terms(r["sim"], r["obs"])])
        by_camp = parts if by_camp is None else by_camp + parts
        print(f"  Flee run {i + 1}/{runs}: ARD {row['ard']:.3f}, rescaled {row['ard_rescaled']:.3f},"
              f" {row['agent_steps']:,} agent-steps in {row['seconds']:.1f} s"
              f" ({row['agent_steps_per_s']:,.0f}/s), up to {row['max_agents']:,} agents",
              flush=True)  # fmt: skip
    last = r
    return {
        "model": f"Flee {_version('flee')}",
        "runs": runs,
        **_mean_sd(per_run, "ard"),
        **_mean_sd(per_run, "ard_rescaled"),
        **_mean_sd(per_run, "agent_steps_per_s"),
        "per_run": per_run,
        "camps": last["camps"],
        "ard_by_camp": dict(zip(last["camps"], (by_camp[0] / runs).tolist(), strict=True)),
        "ard_rescaled_by_camp": dict(zip(last["camps"], (by_camp[1] / runs).tolist(), strict=True)),
        "obs": last["obs"],
        "start_date": last["start_date"],
        "layout_first": last["layout_first"],
    }


# -- flowsim -------------------------------------------------------------------------------------


def flowsim_side(case: Case, seeds: int) -> dict | None:
    try:
        from flowsim.validation import validate_flee
    except ImportError as e:
        print(f"  flowsim side skipped: {e}", flush=True)
        return None
    r = validate_flee(case.input, case.validation, seeds=seeds)
    n = len(r["seeds"]) if isinstance(r.get("seeds"), list | tuple) else int(r.get("seeds", seeds))
    speed = r.get("agent_steps_per_s")
    out = {
        "model": f"flowsim {_version('flowsim')}",
        "runs": n,
        "ard_mean": float(r["ard_mean"]),
        "ard_sd": float(r["ard_sd"]),
        "ard_rescaled_mean": float(r["ard_rescaled_mean"]),
        "ard_rescaled_sd": float(r["ard_rescaled_sd"]),
        "agent_steps_per_s_mean": float(speed) if speed is not None else None,
        "agent_steps_per_s_sd": r.get("agent_steps_per_s_sd"),  # validate_flee pools its seeds
        "camps": r.get("camps", []),
        "ard_by_camp": r.get("ard_by_camp", {}),
        "ard_rescaled_by_camp": r.get("ard_rescaled_by_camp", {}),
    }
    print(f"  flowsim, {n} seeds: ARD {out['ard_mean']:.3f}, rescaled "
          f"{out['ard_rescaled_mean']:.3f}, {_num(out['agent_steps_per_s_mean'])} agent-steps/s",
          flush=True)  # fmt: skip
    return out


def observation_check(case: Case, flee_result: dict) -> float | None:
    """Largest gap between flowsim's reading of the observations and Flee's (should be 0)."""
    try:
        from flowsim.flee import observed_camps
    except ImportError:
        return None
    obs, camps = flee_result["obs"], flee_result["camps"]
    if not camps:
        return None
    start = dt.date.fromisoformat(flee_result["start_date"])
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # its warnings were shown already
            names, ours = observed_camps(case.validation, start, obs.shape[0],
                                         case.input / "registration_corrections.csv")  # fmt: skip
    except TypeError:
        return None
    cols = [names.index(c) for c in camps]
    return float(np.max(np.abs(np.asarray(ours)[:, cols] - obs)))


# -- report --------------------------------------------------------------------------------------


def _mean_sd(rows: list[dict], key: str) -> dict:
    values = [row[key] for row in rows]
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return {f"{key}_mean": statistics.fmean(values), f"{key}_sd": sd}


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:,.0f}"


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "flee": _version("flee"),
        "flowsim": _version("flowsim"),
        "numba_threads": os.environ.get("NUMBA_NUM_THREADS"),
    }


def print_table(rows: list[dict]) -> None:
    head = f"{'model':<16} {'runs':>4}  {'ARD':>15}  {'rescaled ARD':>15}  {'agent-steps/s':>22}"
    print(head)
    print("-" * len(head))
    for r in rows:
        speed = _num(r["agent_steps_per_s_mean"])
        if r["agent_steps_per_s_sd"] is not None:
            speed += f" ± {_num(r['agent_steps_per_s_sd'])}"
        print(f"{r['model']:<16} {r['runs']:>4}  {r['ard_mean']:>6.3f} ± {r['ard_sd']:<6.3f}"
              f"  {r['ard_rescaled_mean']:>6.3f} ± {r['ard_rescaled_sd']:<6.3f}  {speed:>22}")  # fmt: skip


def print_camps(rows: list[dict]) -> None:
    """Each model's part of the ARD and of the rescaled ARD, camp by camp."""
    camps = list(dict.fromkeys(c for r in rows for c in r.get("camps", [])))
    if not camps:
        return
    width = max(12, *(len(c) for c in camps))
    names = [r["model"].split()[0] for r in rows]
    head = f"{'camp':<{width}}" + "".join(f"  {n + ' ARD':>14}" for n in names)
    head += "".join(f"  {n + ' rescaled':>17}" for n in names)
    print(head)
    print("-" * len(head))
    for c in camps:
        line = f"{c:<{width}}"
        for key, w in (("ard_by_camp", 14), ("ard_rescaled_by_camp", 17)):
            for r in rows:
                v = r.get(key, {}).get(c)
                line += f"  {'-' if v is None else f'{v:.3f}':>{w}}"
        print(line)
    total = f"{'all camps':<{width}}"
    for key, w in (("ard_mean", 14), ("ard_rescaled_mean", 17)):
        for r in rows:
            total += f"  {r[key]:>{w}.3f}"
    print(total)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("case", nargs="?", type=Path, default=None,
                    help="Flee case folder: input/ or input_csv/, validation/ or source_data/ "
                    f"(default: {default_data_dir()})")  # fmt: skip
    ap.add_argument("--input", type=Path, help="the case's input folder (locations.csv, ...)")
    ap.add_argument("--validation", type=Path, help="the case's validation folder "
                    "(data_layout.csv)")  # fmt: skip
    ap.add_argument("--settings", type=Path, help="Flee's settings (YAML); default: the case's "
                    f"{SETTINGS_FILE} or simsetting.yml, else the Mali case's")  # fmt: skip
    ap.add_argument("--flee-runs", type=int, default=3, help="unseeded Flee runs (3)")
    ap.add_argument("--seeds", type=int, default=10, help="flowsim seeds (10)")
    ap.add_argument("--no-flee", action="store_true", help="run flowsim's half only")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--verbose", action="store_true", help="show Flee's own log on stderr")
    args = ap.parse_args(argv)
    if args.flee_runs < 1 or args.seeds < 1:
        ap.error("--flee-runs and --seeds must be at least 1")

    root = args.case or (None if args.input and args.validation else default_data_dir())
    case = Case(root, args.input, args.validation, args.settings)
    problems = case.problems()
    if problems:
        for p in problems:
            print(f"compare_flee: {p}", file=sys.stderr)
        return 2
    run_flee = not args.no_flee
    if run_flee:
        try:
            import flee.flee  # noqa: F401
        except ImportError:
            print('Flee is not installed (pip install -e ".[bench]", or pip install flee==3.1): '
                  "flowsim's half only")  # fmt: skip
            run_flee = False

    info = machine()
    ard, ard_name = ard_function()
    print(f"case: input {case.input}, validation {case.validation}")
    if run_flee:
        print(f"Flee settings: {case.settings}"
              + (" (the case has none: Flee's validation settings)" if case.default_settings
                 else ""))  # fmt: skip
    print(f"machine: {info['cpu']}, {info['cpu_count']} cores, Python {info['python']}, "
          f"flee {info['flee']}, flowsim {info['flowsim']}, "
          f"numba threads {info['numba_threads']}")  # fmt: skip
    print(f"ARD computed by {ard_name}")

    wall0 = time.perf_counter()
    flee_res, gap = None, None
    if run_flee:
        print(f"Flee 3.1, {args.flee_runs} unseeded runs:", flush=True)
        try:
            flee_res = flee_side(case, args.flee_runs, ard, quiet=not args.verbose)
        except (Exception, SystemExit) as e:  # Flee stops on what it cannot read
            print(f"  Flee 3.1 could not run this case: {type(e).__name__}: {e}", flush=True)
        if flee_res is not None:
            gap = observation_check(case, flee_res)
            first = flee_res["layout_first"]
            if first is not None and first.lower() != "total":
                print(f"  note: Flee 3.1 sums every data_layout.csv row after the first as the "
                      f"camps' total; this layout's first row is '{first}', not 'total'")  # fmt: skip
    print(f"flowsim, {args.seeds} seeds:", flush=True)
    t1 = time.perf_counter()
    flowsim_res = flowsim_side(case, args.seeds)
    flowsim_wall = time.perf_counter() - t1
    wall = time.perf_counter() - wall0

    rows = [r for r in (flee_res, flowsim_res) if r]
    print()
    print_table(rows)
    print()
    print_camps(rows)
    ratio = None
    if flee_res and flowsim_res and flowsim_res["agent_steps_per_s_mean"]:
        ratio = flowsim_res["agent_steps_per_s_mean"] / flee_res["agent_steps_per_s_mean"]
        print(f"\nspeed ratio flowsim / Flee (agent-steps per second): {ratio:,.1f}x")
    if gap is not None:
        print(f"observations: flowsim's reading differs from Flee's by at most {gap:g} persons")
    print(f"wall time of this comparison: {wall:.0f} s (flowsim side {flowsim_wall:.0f} s)")

    if args.json:
        skip = ("obs", "start_date", "layout_first")
        figures = {
            "input": str(case.input),
            "validation": str(case.validation),
            "settings": str(case.settings) if run_flee else None,
            "machine": info,
            "ard_function": ard_name,
            "flee": {k: v for k, v in flee_res.items() if k not in skip} if flee_res else None,
            "flowsim": flowsim_res,
            "speed_ratio_flowsim_over_flee": ratio,
            "observation_gap_persons": gap,
            "wall_time_s": wall,
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
