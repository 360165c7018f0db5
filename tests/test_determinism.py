"""Same scenario and seed, same results; no state shared between models; seeds matter."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import flowsim
from flowsim import Model, chunks
from flowsim.boats import FIELDS as BOAT_FIELDS
from flowsim.output import summarise, timeseries

DAYS = 25
# a busier two_routes: robbery, onward moves and a small destination capacity use every kernel
OVERRIDES = {
    "edges.home-inland.robbery": 0.2,
    "nodes.haven.capacity": 60,
    "behaviour.arrival.onward_probability": 0.2,
}


@pytest.fixture(scope="module")
def scenario(two_routes_data, make_scenario):
    return make_scenario(two_routes_data(), OVERRIDES)


def records(model: Model) -> dict[str, np.ndarray]:
    """Every daily record and the whole population of a model."""
    out = {
        "events_by_day": model.events_by_day,
        "edge_flow_by_day": model.edge_flow_by_day,
        "arrivals_by_day": model.arrivals_by_day,
        "node_status_by_day": model.node_status_by_day,
        "occupancy": model.occupancy,
    }
    out.update({f"pop.{k}": v for k, v in model.pop.arrays().items()})
    out["revenue_by_day"] = model.revenue_by_day
    out.update({f"boats.{k}": model.boats.view(k) for k in BOAT_FIELDS})
    return out


def assert_same(a: Model, b: Model) -> None:
    ra, rb = records(a), records(b)
    assert ra.keys() == rb.keys()
    for key in ra:
        np.testing.assert_array_equal(ra[key], rb[key], err_msg=key)
    assert summarise(a) == summarise(b)
    pd.testing.assert_frame_equal(timeseries(a), timeseries(b))


def test_same_seed_same_summary_and_timeseries(scenario):
    a = flowsim.run(scenario, days=DAYS, seed=7)
    b = flowsim.run(scenario, days=DAYS, seed=7)
    assert a.summary == b.summary
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    assert a.summary["agents_total"] > 0  # the comparison is not between two empty runs


def test_same_seed_from_path_and_from_object(two_routes_path):
    """The scenario's own seed is used when none is given; a path and an object run alike."""
    from_path = flowsim.run(two_routes_path, days=DAYS)
    from_object = flowsim.run(flowsim.load_scenario(two_routes_path), days=DAYS)
    assert from_path.summary["seed"] == 1  # two_routes.toml's seed
    pd.testing.assert_frame_equal(from_path.timeseries, from_object.timeseries)


def test_interleaved_models_match_models_run_alone(scenario):
    """Two models stepped alternately in one process give what each gives alone: no global state."""
    alone_7 = Model(scenario, seed=7, days=DAYS).run()
    alone_8 = Model(scenario, seed=8, days=DAYS).run()

    a = Model(scenario, seed=7, days=DAYS)
    b = Model(scenario, seed=8, days=DAYS)
    c = Model(scenario, seed=7, days=DAYS)  # same seed as a, built before a has stepped
    np.random.seed(123)  # touching numpy's global state must not matter either
    for day in range(DAYS):
        a.step()
        np.random.random(5)
        b.step()
        if day % 2 == 0:  # c runs in bursts, a day behind at times
            c.step()
    c.run()

    assert_same(a, alone_7)
    assert_same(b, alone_8)
    assert_same(c, alone_7)


def test_different_seeds_give_different_results(scenario):
    results = [flowsim.run(scenario, days=DAYS, seed=s) for s in (1, 2, 3)]
    # ~20 Poisson departures a day for 25 days: two seeds drawing the same run is impossible
    # in practice; compare both the totals and the full timeseries
    totals = {r.summary["agents_total"] for r in results}
    series = [r.timeseries["value"].to_numpy() for r in results]
    assert len(totals) > 1
    for i in range(len(series)):
        for j in range(i + 1, len(series)):
            assert not np.array_equal(series[i], series[j])


def test_one_thread_and_two_threads_write_the_same_files(tmp_path):
    """The default scenario for a year, in fresh processes with NUMBA_NUM_THREADS=1 and =2:
    summary.json and timeseries.csv are the same byte for byte. The run ends with ~135,000
    agents, so from ~33,000 agents on (8 chunks, ``chunks.MIN_PARALLEL_CHUNKS``) the chunk
    kernels share the agents between the threads (``chunks.run``)."""
    files = {}
    for threads in (1, 2):
        out = tmp_path / f"threads{threads}"
        env = dict(os.environ, NUMBA_NUM_THREADS=str(threads))
        done = subprocess.run(
            [sys.executable, "-m", "flowsim", "run", "central_mediterranean", "--out", str(out)]
            + ["--no-charts", "--no-progress"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        files[threads] = {
            name: (out / name).read_bytes() for name in ("summary.json", "timeseries.csv")
        }
    assert files[1] == files[2]
    agents = json.loads(files[1]["summary.json"])["agents_total"]
    assert agents > chunks.MIN_PARALLEL_CHUNKS * chunks.CHUNK  # enough for the threads to share
