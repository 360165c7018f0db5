"""The decision layer: replicates, paired comparison, sweeps, sensitivity, the store, executors.

Statistical claims are checked over several seeds with the tolerances stated at each test;
interruption and lost workers are provoked for real (SIGKILL of a sweep, a Dask worker killed
mid-sweep).
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import REPO, run_flowsim
from scipy import stats

import flowsim
from flowsim.cli import main
from flowsim.experiments import compare, load_spec, replicate, sensitivity, sweep
from flowsim.experiments.runner import RunTask, execute
from flowsim.experiments.store import Store
from flowsim.outcomes import HEADLINE, OUTCOMES, extract, outcome_paths

SEA = REPO / "tests" / "sea_levers.toml"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- the outcome catalogue --------------------------------------------------------------------


@pytest.fixture(scope="module")
def cm_summary():
    return flowsim.run("central_mediterranean", days=30, seed=2).summary


def test_every_catalogue_outcome_is_in_the_summary(cm_summary):
    values = extract(cm_summary)
    for o in OUTCOMES:
        assert o.path in values, o.path
    # every path the scenario's ids make is there too, and each is a number (or NaN when the
    # run had nothing to measure)
    spec = flowsim.load_scenario("central_mediterranean")
    for p in outcome_paths(spec):
        assert p in values or p.startswith(("arrivals.by_node", "protection.backlog_by",
                                            "sea.departures_by_hub", "observed.")), p  # fmt: skip
    assert set(HEADLINE) <= {o.path for o in OUTCOMES}
    assert values["deaths.sea"] == cm_summary["deaths"]["sea"]
    assert values["solutions.returns"] == (
        cm_summary["solutions"]["returns_voluntary"] + cm_summary["solutions"]["returns_forced"]
    )


def test_counts_are_persons(two_routes_path):
    s = flowsim.run(two_routes_path, days=20, seed=1,
                    overrides={"simulation.persons_per_agent": 5}).summary  # fmt: skip
    values = extract(s)
    assert values["arrivals.total"] == 5 * s["arrivals"]["total"]
    assert values["solutions.smuggled_share"] == pytest.approx(
        s["solutions"]["smuggled_share"] or math.nan, nan_ok=True
    )


def test_outcomes_command_lists_the_catalogue(capsys):
    assert main(["outcomes"]) == 0
    out = capsys.readouterr().out
    for o in OUTCOMES:
        assert o.path in out
    assert "* sea.deaths_per_attempt" in out
    assert main(["outcomes", "central_mediterranean"]) == 0
    assert "arrivals.by_node.italy" in capsys.readouterr().out


def test_evaluate_is_the_runs_outcomes():
    values = flowsim.evaluate(SEA, {"policy.rescue.capacity": 2}, seed=4, days=30)
    again = flowsim.run(SEA, days=30, seed=4, overrides={"policy.rescue.capacity": 2})
    assert values == extract(again.summary)
    assert all(isinstance(v, float) for v in values.values())


# -- replicates -------------------------------------------------------------------------------


def test_run_with_seeds_writes_replicates(tmp_path):
    out = tmp_path / "rep"
    proc = run_flowsim("run", SEA, "--seeds", "2-5", "--days", "30", "--out", out,
                       "--workers", "1")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "95% interval" in proc.stdout
    runs = pd.read_parquet(out / "runs.parquet")
    assert list(runs["seed"]) == [2, 3, 4, 5]
    assert (runs["status"] == "ok").all()
    s = json.loads((out / "summary.json").read_text())
    assert s["seeds"] == [2, 3, 4, 5] and s["kind"] == "replicates"
    # every outcome path has its mean, sd and t interval over the seeds
    for path in HEADLINE:
        r = s["replicates"][path]
        x = runs[path].dropna().to_numpy()
        assert r["n"] == x.size
        assert r["mean"] == pytest.approx(x.mean())
        if x.size > 1:
            half = stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
            assert r["ci95"] == pytest.approx([x.mean() - half, x.mean() + half])
    # each seed's run is the single run with that seed
    one = flowsim.run(SEA, days=30, seed=3).summary
    assert runs.loc[runs["seed"] == 3, "deaths.sea"].item() == one["deaths"]["sea"]
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert sorted(ts["seed"].unique()) == [2, 3, 4, 5]
    for name in ("people", "deaths", "protection", "information", "sea", "flow_map"):
        assert (out / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
        assert (out / f"{name}.svg").read_text().lstrip().startswith("<?xml")
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["seeds"] == [2, 3, 4, 5] and prov["command"].startswith("flowsim run")
    # the effective scenario loads back as it was
    again = flowsim.load_scenario(out / "scenario.toml")
    assert again.to_dict() == flowsim.load_scenario(SEA).to_dict()
    # nothing of the store or the staging is left
    assert sorted(p.name for p in out.iterdir() if p.name.startswith((".", "runs", "series"))) \
        == ["runs.parquet"]  # fmt: skip
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_replicates_are_the_same_in_any_executor():
    """One process, two local worker processes: the same rows (a run depends on its seed only)."""
    one = replicate(SEA, seeds="1-4", days=20, workers=1)
    two = replicate(SEA, seeds="1-4", days=20, workers=2)
    assert list(one["seed"]) == [1, 2, 3, 4]
    pd.testing.assert_frame_equal(_outcomes(one), _outcomes(two))


# -- paired comparison ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rescue_comparison(tmp_path_factory):
    """Central Mediterranean, 60 days, seeds 1-4: no rescue; the scenario's rescue written out
    as a package (a different file, the same scenario); and a second copy of 'no rescue'."""
    d = tmp_path_factory.mktemp("compare")
    none = write(d / "no_rescue.toml", "[policy.rescue]\ncapacity = 0\n")
    twin = write(d / "twin.toml", "[policy.rescue]\ncapacity = 0.0\n")
    same = write(d / "same.toml", "[policy.rescue]\ncapacity = { libyan_sar = 6 }\n")
    out = d / "out"
    table = compare("central_mediterranean", {"no_rescue": none, "twin": twin, "same": same},
                    seeds=4, days=60, out=out, workers=1,
                    outcomes=["sea.deaths_per_attempt", "deaths.sea", "arrivals.total",
                              "protection.backlog"])  # fmt: skip
    return table, out


def test_identical_packages_differ_by_exactly_zero(rescue_comparison):
    table, out = rescue_comparison
    runs = pd.read_parquet(out / "comparison.parquet")
    for name in ("same",):  # the scenario's own value, stated again: run separately
        part = table[table["package"] == name]
        assert (part["diff"] == 0).all() and (part["lo"] == 0).all() and (part["hi"] == 0).all()
        assert not part["excludes_zero"].any()
    a = runs[runs["package"] == "no_rescue"].set_index("seed")
    b = runs[runs["package"] == "twin"].set_index("seed")
    outcome_cols = [c for c in runs.columns if "." in c]
    pd.testing.assert_frame_equal(a[outcome_cols], b[outcome_cols])
    twin = table[table["package"] == "twin"].set_index("outcome")
    base = table[table["package"] == "no_rescue"].set_index("outcome")
    assert (twin["diff"] == base["diff"]).all()


def test_no_rescue_raises_deaths_per_attempt(rescue_comparison):
    table, _ = rescue_comparison
    r = table[(table["package"] == "no_rescue") & (table["outcome"] == "sea.deaths_per_attempt")]
    r = r.iloc[0]
    # measured: +0.13 (0.026 -> 0.16 over 60 days); asserted: above 0.05 with the interval
    # excluding 0 on 4 seeds
    assert r["diff"] > 0.05 and r["lo"] > 0 and r["excludes_zero"]


def test_comparison_folder(rescue_comparison):
    table, out = rescue_comparison
    data = json.loads((out / "comparison.json").read_text())
    assert data["base"] == "base" and data["seeds"] == [1, 2, 3, 4] and data["days"] == 60
    assert set(data["packages"]) == {"base", "no_rescue", "twin", "same"}
    entry = data["packages"]["no_rescue"]["outcomes"]["sea.deaths_per_attempt"]
    assert set(entry) >= {"mean", "diff", "ci95"} and len(entry["ci95"]) == 2
    assert data["packages"]["no_rescue"]["overrides"] == {"policy.rescue.capacity": 0}
    runs = pd.read_parquet(out / "comparison.parquet")
    assert len(runs) == 4 * 4 and set(runs["package"]) == set(data["packages"])
    assert (out / "packages" / "no_rescue.toml").read_text() == "[policy.rescue]\ncapacity = 0\n"
    for name in ("comparison", "series"):
        assert (out / f"{name}.png").is_file() and (out / f"{name}.svg").is_file()
    assert json.loads((out / "provenance.json").read_text())["kind"] == "comparison"


def test_compare_cli(tmp_path):
    pkg = write(tmp_path / "enforce.toml", "[policy.enforcement]\nlevel = { west = 0.9 }\n")
    out = tmp_path / "cmp"
    proc = run_flowsim("compare", SEA, "--package", f"enforce={pkg}", "--seeds", "3",
                       "--days", "30", "--outcome", "sea.departures_by_hub.west",
                       "--outcome", "deaths.sea", "--out", out, "--workers", "1")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "enforce" in proc.stdout and "sea.departures_by_hub.west" in proc.stdout
    data = json.loads((out / "comparison.json").read_text())
    west = data["packages"]["enforce"]["outcomes"]["sea.departures_by_hub.west"]
    assert west["diff"] < 0  # P1: enforcement at a hub lowers departures there


# -- sweeps: the store, resume after SIGKILL, Dask --------------------------------------------

GRID = """
scenario = "{scenario}"
days = 40
seeds = 2
design = "grid"
outcomes = ["sea.deaths_per_attempt", "arrivals.total"]
[factors]
"policy.rescue.capacity" = {{ min = 0, max = 6, levels = 6 }}
"policy.interception.rate" = [0.0, 0.1, 0.2, 0.3, 0.4]
"""


def _outcomes(frame: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in frame.columns if c not in ("wall_s", "finished")]
    return frame[cols].sort_values("key").set_index("key")


def test_sweep_killed_then_resumed(tmp_path):
    spec = write(tmp_path / "grid.toml", GRID.format(scenario=SEA))
    out = tmp_path / "killed"
    env = dict(os.environ, COLUMNS="200")
    proc = subprocess.Popen(
        [sys.executable, "-m", "flowsim", "sweep", str(spec), "--out", str(out), "--workers",
         "1", "--no-progress"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not list((out / "runs").glob("part-*.parquet")) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    total = 6 * 5 * 2
    before = pd.read_parquet(out / "runs")
    assert 0 < len(before) < total, "the sweep must be killed mid-way"
    assert not (out / "sweep.json").exists()  # the folder does not look whole

    again = run_flowsim("sweep", spec, "--out", out, "--resume", "--workers", "1")
    assert again.returncode == 0, again.stderr
    assert (f"the store holds {len(before)} of the {total} runs; running the other "
            f"{total - len(before)}") in again.stderr  # fmt: skip
    after = pd.read_parquet(out / "runs")
    assert len(after) == total and after["key"].is_unique
    assert (after["status"] == "ok").all()
    assert (out / "sweep.json").is_file()

    whole = sweep(load_spec(spec), out=tmp_path / "whole", workers=1, charts=False)
    assert set(whole["key"]) == set(after["key"])
    pd.testing.assert_frame_equal(_outcomes(after), _outcomes(whole), check_like=True)


def test_dask_worker_killed_mid_sweep(tmp_path):
    distributed = pytest.importorskip("distributed")
    spec = load_spec(write(tmp_path / "grid.toml", GRID.format(scenario=SEA)))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:  # fmt: skip
        killed = {}

        def progress(done: int, failed: int, total: int) -> None:
            if done >= 6 and not killed:
                pids = client.run(os.getpid)
                victim = sorted(pids)[0]
                os.kill(pids[victim], signal.SIGKILL)
                killed.update(worker=victim, at=done, total=total)

        runs = sweep(spec, out=tmp_path / "dask", scheduler=cluster.scheduler_address,
                     progress=progress, charts=False)  # fmt: skip
    assert killed and killed["at"] < killed["total"]
    assert len(runs) == 60 and runs["key"].is_unique and (runs["status"] == "ok").all()
    whole = sweep(spec, out=tmp_path / "whole", workers=1, charts=False)
    pd.testing.assert_frame_equal(_outcomes(runs), _outcomes(whole), check_like=True)


def test_store_refuses_other_spec_and_version(tmp_path):
    cols = [("x", "float64")]
    s = Store.open(tmp_path / "s", kind="sweep", inputs_hash="a", columns=cols, resume=False,
                   version="1")  # fmt: skip
    s.append([{"key": "k1", "seed": 1, "status": "ok", "x": 1.5}])
    s.append([{"key": "k1", "seed": 1, "status": "ok", "x": 9.0}])  # stored already: dropped
    (tmp_path / "s" / "runs" / ".part-leftover.tmp").write_text("half a chunk")
    with pytest.raises(flowsim.ScenarioError, match="pass --resume"):
        Store.open(tmp_path / "s", kind="sweep", inputs_hash="a", columns=cols, resume=False,
                   version="1")  # fmt: skip
    with pytest.raises(flowsim.ScenarioError, match="different sweep spec"):
        Store.open(tmp_path / "s", kind="sweep", inputs_hash="b", columns=cols, resume=True,
                   version="1")  # fmt: skip
    with pytest.raises(flowsim.ScenarioError, match="made by flowsim 1, this is 2"):
        Store.open(tmp_path / "s", kind="sweep", inputs_hash="a", columns=cols, resume=True,
                   version="2")  # fmt: skip
    again = Store.open(tmp_path / "s", kind="sweep", inputs_hash="a", columns=cols, resume=True,
                       version="1")  # fmt: skip
    assert not list((tmp_path / "s" / "runs").glob(".part-*"))  # a half chunk is cleaned up
    frame = pd.read_parquet(tmp_path / "s" / "runs")
    assert list(frame["key"]) == ["k1"] and frame["x"].item() == 1.5
    assert again.keys() == {"k1"}
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(flowsim.ScenarioError, match="not a flowsim store"):
        Store.open(tmp_path / "other", kind="sweep", inputs_hash="a", columns=cols,
                   resume=False, version="1")  # fmt: skip


def test_a_failing_run_is_recorded_and_the_sweep_goes_on():
    spec = flowsim.load_scenario(SEA)
    ok = execute(RunTask("k", spec, {}, 1, 5))
    assert ok["status"] == "ok" and ok["error"] is None
    bad = execute(RunTask("k2", spec, {"policy.rescue.capacity": -1}, 1, 5))
    assert bad["status"] == "failed" and "capacity" in bad["error"]
    assert "\n" not in bad["error"] and bad["wall_s"] >= 0


# -- sensitivity ------------------------------------------------------------------------------

SENS = """
scenario = "{scenario}"
days = 40
seeds = 1
samples = {samples}
outcomes = ["sea.intercepted"]
[factors]
"policy.interception.rate" = {{ min = 0, max = 0.5 }}
"policy.legal.regularization" = {{ min = 0, max = 0.5 }}
"behaviour.sea.launch_probability" = {{ min = 0.3, max = 0.9 }}
"""


@pytest.mark.parametrize(("method", "samples", "key"), [("morris", 6, "mu_star"),
                                                       ("sobol", 16, "ST")])  # fmt: skip
def test_sensitivity_ranks_the_factor_that_matters(tmp_path, method, samples, key):
    """Interceptions depend on the interception rate; regularization does nothing at sea (no
    one is in irregular stay on this network): it ranks last with an index of exactly 0."""
    spec = write(tmp_path / "s.toml", SENS.format(scenario=SEA, samples=samples))
    out = tmp_path / method
    indices = sensitivity(spec, method=method, out=out, workers=1)
    main_ = indices[(indices["outcome"] == "sea.intercepted") & (indices["index"] == key)]
    ranked = main_.sort_values("rank")["factor"].tolist()
    assert ranked[0] == "policy.interception.rate"
    assert ranked[-1] == "policy.legal.regularization"
    assert main_.set_index("factor").loc["policy.legal.regularization", "value"] == 0
    data = json.loads((out / "indices.json").read_text())
    entry = data["indices"]["sea.intercepted"]["policy.interception.rate"]
    assert entry["rank"] == 1 and key in entry and f"{key}_conf" in entry
    assert (out / "sensitivity_01_sea_intercepted.png").is_file()
    assert len(pd.read_parquet(out / "indices.parquet")) == len(indices)


def test_ranking_warning_says_how_many_samples(tmp_path):
    from flowsim.experiments.api import ranking_warning

    spec = load_spec(write(tmp_path / "s.toml", SENS.format(scenario=SEA, samples=4)),
                     method="morris")  # fmt: skip
    w = ranking_warning("o", ["a", "b", "c"], np.array([10.0, 9.0, 0.0]),
                        np.array([2.0, 2.0, 0.0]), spec)  # fmt: skip
    # intervals 4 wide for a gap of 1: (4 / 1)^2 = 16 times the samples, 10% margin
    assert w is not None and "a (rank 1) above b (rank 2)" in w and "about 71 trajectories" in w
    # the highest overlapping pair is named: here ranks 2 and 3, after an established first
    w = ranking_warning("o", ["a", "b", "c", "d"], np.array([30.0, 10.0, 9.0, 8.99]),
                        np.array([1.0, 1.0, 1.0, 1.0]), spec)  # fmt: skip
    assert w.startswith("o: rank 1 is established; b (rank 2) above c (rank 3)")
    assert ranking_warning("o", ["a", "b"], np.array([10.0, 1.0]), np.array([1.0, 1.0]),
                           spec) is None  # fmt: skip


# -- bad input: one line, exit 2, before any run ----------------------------------------------

BAD_SPECS = {
    "unknown factor": ('"policy.rescue.capacty" = { min = 0, max = 5 }',
                       'factors."policy.rescue.capacty": not a scenario value; did you mean '
                       "policy.rescue.capacity"),
    "outside the lever": ('"policy.interception.rate" = { min = 0, max = 1.5 }',
                          'factors."policy.interception.rate".max = 1.5: not allowed for '
                          "policy.interception.rate: must be between 0 and 1"),
    "min above max": ('"policy.rescue.capacity" = { min = 5, max = 1 }',
                      'factors."policy.rescue.capacity": min = 5 is above max = 1'),
    "bad listed value": ('"policy.detention.mode" = ["none", "sometimes"]',
                         'factors."policy.detention.mode".values[1] = \'sometimes\': not '
                         "allowed for policy.detention.mode: must be one of none, irregular, all"),
    "a fixed field": ('"simulation.days" = { min = 10, max = 20 }',
                      'factors."simulation.days": days and seeds are set by days and seeds'),
}  # fmt: skip


def _error(capsys, *argv: str) -> str:
    rc = main(list(argv))
    err = capsys.readouterr().err
    assert rc == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_bad_factor(tmp_path, capsys, case):
    factor, expected = BAD_SPECS[case]
    spec = write(tmp_path / "bad.toml", f'scenario = "{SEA}"\ndesign = "lhs"\nsamples = 4\n'
                 f"[factors]\n{factor}\n")  # fmt: skip
    err = _error(capsys, "sweep", str(spec), "--out", str(tmp_path / "out"))
    assert f"{spec}: {expected}" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("head", "expected"), [
    ('design = "sobol"\nsamples = 6', "samples = 6: the sobol design needs a power of 2"),
    ('design = "grid"\nsamples = 4', "samples = 4: a grid of these factors' levels has 3 samples"),
    ('design = "lhs"', "samples: required for the lhs design"),
    ('design = "cube"\nsamples = 4', "design = 'cube'"),
    ('design = "lhs"\nsamples = 4\noutcomes = ["sea.deaths"]',
     "outcomes: sea.deaths: unknown outcome; did you mean"),
    ('design = "lhs"\nsamples = 4\nsedes = 3', "sedes: unknown field; allowed:"),
    ('design = "lhs"\nsamples = 4\nseeds = "5-1"', "seeds = '5-1': expected a count N"),
])  # fmt: skip
def test_bad_spec(tmp_path, capsys, head, expected):
    spec = write(tmp_path / "bad.toml", f'scenario = "{SEA}"\n{head}\n[factors]\n'
                 '"policy.rescue.capacity" = { min = 0, max = 5 }\n')  # fmt: skip
    err = _error(capsys, "sweep", str(spec), "--out", str(tmp_path / "out"))
    assert str(spec) in err and expected in err
    assert not (tmp_path / "out").exists()


def test_bad_spec_file(tmp_path, capsys):
    spec = write(tmp_path / "bad.toml", 'design = "lhs"\nsamples = [\n')
    assert "not valid TOML" in _error(capsys, "sweep", str(spec))
    assert "no such spec file" in _error(capsys, "sweep", str(tmp_path / "none.toml"))


@pytest.mark.parametrize(("text", "expected"), [
    ("[policy.rescue]\ncapacty = 3\n",
     "policy.rescue.capacty: not a scenario value; did you mean policy.rescue.capacity"),
    ("[policy.rescue]\ncapacity = -3\n", "policy.rescue.capacity = -3"),
    ("[simulation]\ndays = 3\n", "simulation: a package cannot change [simulation]"),
    ("[[nodes]]\nid = \"atlantis\"\ncapacity = 3\n", "no nodes with id 'atlantis'"),
    ("", "the package changes nothing"),
    ("[policy\n", "not valid TOML"),
])  # fmt: skip
def test_bad_package(tmp_path, capsys, text, expected):
    pkg = write(tmp_path / "pkg.toml", text)
    err = _error(capsys, "compare", str(SEA), "--package", f"p={pkg}", "--out",
                 str(tmp_path / "out"))  # fmt: skip
    assert f"{pkg}: " in err and expected in err, err
    assert not (tmp_path / "out").exists()


def test_bad_compare_options(tmp_path, capsys):
    pkg = write(tmp_path / "pkg.toml", "[policy.rescue]\ncapacity = 3\n")
    assert "unknown outcome" in _error(capsys, "compare", str(SEA), "--package", f"p={pkg}",
                                       "--outcome", "deaths.at_sea")  # fmt: skip
    assert "not 'base'" in _error(capsys, "compare", str(SEA), "--package", f"base={pkg}")
    assert "no such file" in _error(capsys, "compare", str(SEA), "--package", "p=nope.toml")
    assert "expected NAME=FILE.toml" in _error(capsys, "compare", str(SEA), "--package", "p")
    assert "used twice" in _error(capsys, "compare", str(SEA), "--package", f"p={pkg}",
                                  "--package", f"p={pkg}")  # fmt: skip
    assert "--seeds 'x'" in _error(capsys, "run", str(SEA), "--seeds", "x")
    assert "give one" in _error(capsys, "run", str(SEA), "--seeds", "2", "--seed", "3")


# -- result folders ---------------------------------------------------------------------------


def test_results_never_replace_a_foreign_folder(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("years of work")
    err = _error(capsys, "run", str(SEA), "--days", "5", "--out", str(mine))
    assert "does not hold a flowsim result" in err
    assert (mine / "thesis.docx").read_text() == "years of work"


def test_a_new_run_replaces_every_file_of_the_old_one(tmp_path):
    out = tmp_path / "r"
    assert run_flowsim("run", SEA, "--days", "5", "--out", out).returncode == 0
    assert (out / "people.png").is_file()
    proc = run_flowsim("run", SEA, "--days", "6", "--out", out, "--no-charts")
    assert proc.returncode == 0, proc.stderr
    assert not list(out.glob("*.png"))  # no chart of the earlier run is left beside the new one
    assert json.loads((out / "summary.json").read_text())["days"] == 6
    assert json.loads((out / "provenance.json").read_text())["command"].endswith("--no-charts")
    assert tomllib.loads((out / "scenario.toml").read_text())["simulation"]["name"] == "sea_levers"
    assert [p.name for p in tmp_path.iterdir()] == ["r"]


def test_an_interrupted_write_leaves_the_old_folder(tmp_path):
    from flowsim.resultdir import staged

    out = tmp_path / "r"
    assert run_flowsim("run", SEA, "--days", "5", "--out", out, "--no-charts").returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(RuntimeError), staged(out) as d:
        (d / "summary.json").write_text("{}")
        raise RuntimeError("killed while writing")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["r"]


# -- EMA Workbench ----------------------------------------------------------------------------


def test_ema_workbench_example_runs(tmp_path):
    pytest.importorskip("ema_workbench")
    out = tmp_path / "ema.csv"
    proc = subprocess.run(
        [sys.executable, str(REPO / "experiments" / "ema_workbench_example.py"), "--scenarios",
         "3", "--policies", "2", "--days", "15", "--out", str(out)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out)
    assert len(table) == 6
    for col in ("rescue_libya", "w_risk", "deaths_sea", "arrivals", "refouled"):
        assert table[col].notna().all(), col
    assert table["arrivals"].gt(0).all()
    # each row is the flowsim run of its sampled values
    row = table.iloc[0]
    direct = flowsim.evaluate("central_mediterranean", {
        "behaviour.route_choice.w_risk": row["w_risk"], "behaviour.sea.overload": row["overload"],
        "policy.rescue.capacity.libyan_sar": row["rescue_libya"],
        "policy.interception.rate.libyan_sar": row["interception_libya"],
    }, seed=1, days=15)  # fmt: skip
    assert direct["arrivals.total"] == row["arrivals"]
