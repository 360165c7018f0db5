"""The command line end to end, in a subprocess: ``python -m flowsim ...``."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest
from helpers import run_flowsim as flowsim

from flowsim.population import STATUS_NAMES
from flowsim.scenario import DEFAULT_SCENARIO, bundled_scenarios

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
BUNDLED = ("central_mediterranean", "gulf_of_aden")


@pytest.fixture(scope="module")
def run_20_days(two_routes_path, tmp_path_factory):
    """``flowsim run two_routes.toml --days 20 --out tmp`` (with charts), run once."""
    cwd = tmp_path_factory.mktemp("cli")
    out = cwd / "tmp"
    proc = flowsim("run", two_routes_path, "--days", "20", "--out", out, cwd=cwd)
    return proc, out


def test_run_exits_0_and_writes_outputs(run_20_days):
    proc, out = run_20_days
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for name in ("summary.json", "timeseries.csv", "scenario.toml", "provenance.json",
                 "people.png", "people.svg", "deaths.png", "flow_map.png", "protection.png",
                 "information.png", "sea.png"):  # fmt: skip
        assert (out / name).is_file(), name
    # no temporary files are left behind by the atomic writes
    assert not [p.name for p in out.iterdir() if p.name.endswith(".part")]
    assert "Results written to" in proc.stdout
    # the run's table ends with the information outcomes
    assert "deaths heard of by contacts" in proc.stdout


def test_summary_json(run_20_days, two_routes_path):
    _, out = run_20_days
    s = json.loads((out / "summary.json").read_text())
    assert s["scenario"] == "two_routes"
    assert s["seed"] == 1
    assert s["days"] == 20
    assert s["agents_total"] > 0
    assert set(s["by_status"]) == set(STATUS_NAMES)
    assert sum(s["by_status"].values()) == s["agents_total"]
    assert s["deaths"]["sea"] >= 0 and s["deaths"]["land"] >= 0
    assert s["deaths"]["total"] == s["deaths"]["sea"] + s["deaths"]["land"]
    assert s["deaths"]["sea"] + s["deaths"]["land"] == (
        s["by_status"]["dead"] + s["by_status"]["missing"]
    )
    assert s["arrivals"]["total"] == sum(s["arrivals"]["by_node"].values()) > 0
    assert s["scenario_file"] == str(two_routes_path)


def test_timeseries_csv(run_20_days):
    _, out = run_20_days
    with (out / "timeseries.csv").open(newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["day", "date", "scope", "id", "variable", "value"]
        rows = list(reader)
    days = {int(r["day"]) for r in rows}
    assert days == set(range(20))
    nodes = ("home", "coast", "inland", "haven")
    node_status = {
        (int(r["day"]), r["id"], r["variable"]) for r in rows if r["scope"] == "node"
    }  # fmt: skip
    for day in range(20):
        for node in nodes:
            for status in STATUS_NAMES:
                assert (day, node, status) in node_status
    flows = [r for r in rows if r["scope"] == "edge" and r["variable"] == "flow"]
    edges = {r["id"] for r in flows}
    assert edges == {"home-coast", "coast-haven", "home-inland", "inland-haven"}
    assert len(flows) == 20 * len(edges)
    assert sum(int(r["value"]) for r in flows) > 0
    assert all(int(r["value"]) >= 0 for r in rows)
    assert rows[0]["date"] == "2020-01-01"


def test_charts_are_png(run_20_days):
    _, out = run_20_days
    for name in ("people.png", "deaths.png", "flow_map.png"):
        data = (out / name).read_bytes()
        assert data[:8] == PNG_MAGIC, name
        assert len(data) > 5000, name  # a real picture, not an empty file


# deaths at sea come from the boats: a leaky boat type (distress 0.5 at capacity, 0.72 at the
# default overload) and no rescue
LEAKY = 'boat_types=[{id = "leaky", capacity = 20, distress = 0.5, survival_days = 1.0}]'


def test_set_override_changes_the_result(two_routes_path, tmp_path):
    def run(name: str, *sets: str) -> dict:
        out = tmp_path / name
        args = [a for s in (LEAKY, *sets) for a in ("--set", s)]
        proc = flowsim(
            "run", two_routes_path, "--days", "20", "--out", out, "--no-charts", *args,
            cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert not list(out.glob("*.png")) and not list(out.glob("*.svg"))  # --no-charts
        return json.loads((out / "summary.json").read_text())

    base = run("leaky")
    assert base["deaths"]["sea"] > 0  # ~200 crossings in ~10 leaky boats: dozens die
    s = run("safe", "edges.coast-haven.hazard=0", "behaviour.sea.loss_if_sunk=0")
    assert s["deaths"]["sea"] == 0


def test_list_names_the_bundled_scenarios(tmp_path):
    proc = flowsim("list", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    missing = [name for name in BUNDLED if name not in bundled_scenarios()]
    if missing:
        pytest.skip(f"bundled scenario files not written yet: {', '.join(missing)}")
    for name in BUNDLED:
        assert name in proc.stdout
    assert f"{DEFAULT_SCENARIO} (default)" in proc.stdout


def test_run_without_scenario_runs_the_default(tmp_path):
    if DEFAULT_SCENARIO not in bundled_scenarios():
        pytest.skip(f"the default scenario {DEFAULT_SCENARIO}.toml is not written yet")
    out = tmp_path / "default"
    proc = flowsim("run", "--days", "5", "--no-charts", "--out", out, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["scenario"] == DEFAULT_SCENARIO
    assert s["days"] == 5
    assert sum(s["by_status"].values()) == s["agents_total"] > 0


# -- user errors: exit 2, one line on stderr, no traceback ---------------------------------------

SCENARIO = """
[simulation]
name = "cli_errors"
start_date = 2020-01-01
days = 10

[[nodes]]
id = "home"
lat = 0
lon = 0
roles = ["origin"]
departures = {{ people = 5 }}

[[nodes]]
id = "haven"
lat = 1
lon = 1
roles = ["destination"]
capacity = {capacity}

[[edges]]
from = "home"
to = "{to}"
days = 2

[[profiles]]
id = "people"
protection_need = 0.5
motives = {{ safety = 1.0 }}
resources = {{ mean = 1000 }}
risk_tolerance = {{ mean = 0.5 }}
"""


def scenario_file(tmp_path: Path, name: str, capacity="100", to="haven", garble=False) -> Path:
    text = SCENARIO.format(capacity=capacity, to=to)
    if garble:
        text = text.replace('name = "cli_errors"', 'name = "cli_errors" oops')
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_user_error(proc: subprocess.CompletedProcess, *names: str) -> str:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = proc.stderr.strip("\n").splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("flowsim: error: "), lines[0]
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


def test_valid_error_scenario_runs(tmp_path):
    """The template of the error cases is itself valid (so each case has only its one fault)."""
    path = scenario_file(tmp_path, "ok.toml")
    proc = flowsim("run", path, "--days", "2", "--no-charts", "--out", tmp_path / "o", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_toml_syntax_error(tmp_path):
    path = scenario_file(tmp_path, "syntax.toml", garble=True)
    line = assert_user_error(flowsim("run", path, "--days", "2", cwd=tmp_path), str(path))
    assert "line 3" in line  # where the fault is


def test_edge_to_unknown_node(tmp_path):
    path = scenario_file(tmp_path, "unknown_node.toml", to="atlantis")
    assert_user_error(
        flowsim("run", path, "--days", "2", cwd=tmp_path),
        str(path), "edges.home-atlantis.to", "atlantis",
    )  # fmt: skip


def test_negative_capacity(tmp_path):
    path = scenario_file(tmp_path, "negative.toml", capacity="-5")
    assert_user_error(
        flowsim("run", path, "--days", "2", cwd=tmp_path), str(path), "nodes.haven.capacity", "-5"
    )


def test_missing_file(tmp_path):
    path = tmp_path / "does_not_exist.toml"
    assert_user_error(flowsim("run", path, "--days", "2", cwd=tmp_path), str(path), "not found")


def test_bad_set_value(tmp_path, two_routes_path):
    assert_user_error(
        flowsim(
            "run", two_routes_path, "--days", "2",
            "--set", "nodes.haven.capacity=-1", "--set", "simulation.days=30", cwd=tmp_path,
        ),
        "--set nodes.haven.capacity=-1:", "nodes.haven.capacity", "-1",
    )  # fmt: skip


def test_bad_set_unknown_id(tmp_path, two_routes_path):
    assert_user_error(
        flowsim(
            "run", two_routes_path, "--days", "2", "--set", "nodes.atlantis.capacity=5",
            cwd=tmp_path,
        ),
        "--set nodes.atlantis.capacity=5:", "no nodes with id 'atlantis'", "known: home",
    )  # fmt: skip


def test_bad_set_without_equals_sign(tmp_path, two_routes_path):
    assert_user_error(
        flowsim("run", two_routes_path, "--set", "simulation.days", cwd=tmp_path),
        "--set simulation.days: expected path=value",
    )  # fmt: skip


def test_levers_lists_every_policy_lever(tmp_path):
    from flowsim.levers import lever_specs

    proc = flowsim("levers", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    paths = [s["path"] for s in lever_specs()]
    assert {"policy.rescue.capacity", "policy.interception.screening",
            "policy.disembarkation.delay_days", "policy.enforcement.level"} <= set(paths)  # fmt: skip
    for path in paths:
        assert f"\n{path}\n" in proc.stdout, path
    assert "tables keyed by: sea zone" in proc.stdout
    assert "tables keyed by: embarkation node" in proc.stdout
