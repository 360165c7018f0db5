"""Flee cases: import, forced inflow, closures, the ARD, and the command line.

Two cases: Mali 2012 as published with Flee (``data/flee-mali2012``), and a tiny synthetic Flee
case written to a temporary folder, so that the mapping is checked on a folder that is not Mali
(names with spaces and dashes, a closure that starts after day 0, a fall in the camp counts, a
registration correction). Expected values are worked out by hand from the CSV files in the
comments next to them, from Flee's own rules (djgroen/flee: ``DataTable.get_interpolated_data``,
``RefugeeTable.correctLevel1Registrations``, the refugee debt of its run scripts).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from helpers import run_flowsim as flowsim

from flowsim import Model, load_scenario
from flowsim.cli import main as cli_main
from flowsim.errors import ScenarioError
from flowsim.events import Event
from flowsim.flee import load_flee, observed_camps, read_flee, sibling_validation, slug
from flowsim.network import build_graph
from flowsim.population import Status
from flowsim.timeline import expand
from flowsim.validation import ard, camp_counts, validate_flee

REPO = Path(__file__).resolve().parents[1]
MALI = REPO / "data" / "flee-mali2012"
MALI_IN, MALI_VAL = MALI / "input", MALI / "validation"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ROLE = {"conflict_zone": ["origin"], "camp": ["camp"], "town": ["transit"]}


def csv_rows(path: Path) -> list[list[str]]:
    """Data rows of a Flee CSV file (comment and header lines start with '#')."""
    with open(path, encoding="utf-8", newline="") as f:
        return [[c.strip() for c in r] for r in csv.reader(f) if r and not r[0].startswith("#")]


def debt_rule(total: np.ndarray) -> list[float]:
    """Flee's new refugees a day: the rise of the total, a fall carried as a debt (run scripts:
    ``new_refs = diff - refugee_debt; if new_refs < 0: debt = -new_refs; new_refs = 0``)."""
    out, debt = [0.0], 0.0
    for d in range(1, total.size):
        new = total[d] - total[d - 1] - debt
        debt = max(0.0, -new)
        out.append(max(0.0, new))
    return out


# -- a synthetic Flee case ---------------------------------------------------------------------

SYN_DAYS = 130  # past 120 days, so that every step of the conflict spawn decay is seen

SYN_FILES = {
    "input/locations.csv": """\
"#name","region","country","latitude","longitude","location_type","conflict_date","population"
"Alpha Town","North","Aland",10.0,1.0,"conflict_zone",0,1000
"Beta","North","Aland",10.5,1.5,"conflict_zone",3,3000
"Gamma-Hub","South","Aland",9.0,2.0,"town",,20000
"Delta Camp","East","Bland",8.0,3.0,"camp",,500
"Echo","West","Cland",9.5,0.5,"camp",,800
""",
    "input/routes.csv": """\
#name1,name2,distance,forced_redirection
Alpha Town,Gamma-Hub,150,0
Beta,Gamma-Hub,401,0
Gamma-Hub,Delta Camp,200,0
Gamma-Hub,Echo,250,0
Beta,Echo,600,0
""",
    "input/closures.csv": """\
#closure_type,name1,name2,closure_start,closure_end
country,Aland,Bland,0,4
link,Beta,Echo,2,6
""",
    # Beta's conflict begins on day 4 here (intensity 2), on day 3 in locations.csv
    "input/conflicts.csv": "#Day,Alpha Town,Beta\n"
    + "".join(f"{d},1,{0 if d < 4 else 2}\n" for d in range(SYN_DAYS)),
    "input/sim_period.csv": f"StartDate,2020-03-01\nLength,{SYN_DAYS}\n",
    "input/registration_corrections.csv": '"Echo","2020-03-11","normalize"\n',
    "validation/data_layout.csv": "total,refugees.csv\nDelta Camp,delta.csv\nEcho,echo.csv\n",
    "validation/refugees.csv": "Date,Refugee_numbers\n2020-03-01,149\n",
    # days 2, 7, 12 (a fall after day 7); the empty count is skipped, as in Flee
    "validation/delta.csv": "#DateTime,count\n2020-03-03,100\n2020-03-08,153\n"
    "2020-03-10,\n2020-03-13,131\n",
    # days -9 (before the start), 5, 10 (registration correction: 80 -> 60), 15
    "validation/echo.csv": "DateTime,Refugees\n2020-02-21,40\n2020-03-06,80\n"
    "2020-03-11,60\n2020-03-16,95\n",
}

# Observed counts by day, by hand: linear between the dated points, floored (Flee: int()),
# the first value before the first point and the last after the last.
# Delta Camp: 100 up to day 2; 100 + 53 * k/5 on days 3-7; 153 - 22 * k/5 on days 8-12; then 131
DELTA = [100, 100, 100, 110, 121, 131, 142, 153, 148, 144, 139, 135, 131]
# Echo: the correction on day 10 scales every earlier point by 60/80: (-9, 30), (5, 60);
# 30 + 30 * (d + 9)/14 on days 0-4 (49.29, 51.43, ...), flat 60 on days 5-10, +7 a day to 95
ECHO = [49, 51, 53, 55, 57, 60, 60, 60, 60, 60, 60, 67, 74, 81, 88, 95]
# Echo without the correction: 40 + 40 * (d + 9)/14 on days 0-4, 80 on day 5, down to 60 on day 10
ECHO_UNCORRECTED = [65, 68, 71, 74, 77, 80, 76, 72, 68, 64, 60, 67, 74, 81, 88, 95]
# totals 149 151 153 165 178 191 202 213 | 208 204 199 202 205 212 219 226: rises of 2, 2, 12, 13,
# 13, 11, 11, then falls of 5, 4, 5 (debt 14), rises of 3, 3 (debt 8), 7 (debt 1), 7 (6 new), 7
SYN_DAILY = [0, 2, 2, 12, 13, 13, 11, 11, 0, 0, 0, 0, 0, 0, 6, 7] + [0] * (SYN_DAYS - 16)


def pad(values: list, days: int) -> np.ndarray:
    return np.array(values + [values[-1]] * (days - len(values)), float)


def write_synthetic(root: Path) -> tuple[Path, Path]:
    for name, text in SYN_FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "input", root / "validation"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Path, Path]:
    """(input folder, validation folder) of the synthetic case; tests must not change them."""
    return write_synthetic(tmp_path_factory.mktemp("synthetic"))


@pytest.fixture
def synthetic_copy(tmp_path) -> tuple[Path, Path]:
    """A fresh copy of the synthetic case that a test may change."""
    return write_synthetic(tmp_path / "case")


@pytest.fixture(scope="module")
def synthetic_run(synthetic):
    model = Model(load_flee(*synthetic), seed=3)
    model.run()
    return model


# -- Mali 2012 ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mali():
    return load_flee(MALI_IN, MALI_VAL)


@pytest.fixture(scope="module")
def mali_run(mali):
    """The whole Mali run (300 days, about 90,000 agents), seed 1; ``model.routes_day_9`` holds
    every agent's route at the end of day 9, while the borders are closed."""
    model = Model(mali, seed=1)
    model.run(days=10)
    model.routes_day_9 = model.pop.view("route").copy()
    model.run()
    return model


@pytest.fixture(scope="module")
def mali_observed(mali):
    sim = mali.simulation
    return observed_camps(
        MALI_VAL, sim.start_date, sim.days, MALI_IN / "registration_corrections.csv"
    )


# == 1. import round trip ======================================================================


def test_mali_every_location_is_a_node(mali):
    rows = csv_rows(MALI_IN / "locations.csv")
    assert len(rows) == len(mali.nodes) == 23
    by_name = {n.name: n for n in mali.nodes}
    for name, _region, country, lat, lon, kind, _date, population in rows:
        node = by_name[name]
        assert node.id == slug(name)
        assert (node.lat, node.lon, node.country) == (float(lat), float(lon), country)
        assert node.roles == ROLE[kind], name
        if kind == "camp":
            assert node.capacity == float(population)
        else:
            assert node.capacity is None
    assert by_name["Bobo-Dioulasso"].id == "bobo_dioulasso"
    assert by_name["Fassala-Mbera"].id == "fassala_mbera"


def test_mali_every_route_goes_both_ways(mali):
    rows = csv_rows(MALI_IN / "routes.csv")
    g = build_graph(mali)
    assert g.number_of_edges() == 2 * len(rows) == 70
    for a, b, distance, _ in rows:
        for x, y in ((slug(a), slug(b)), (slug(b), slug(a))):
            leg = g.edges[x, y]
            assert leg["mode"] == "land"
            assert leg["distance_km"] == float(distance)
            assert leg["days"] == math.ceil(float(distance) / 200), (x, y)
    assert g.edges["lere", "fassala_mbera"]["days"] == 1  # 98 km
    assert g.edges["douentza", "mentao"]["days"] == 3  # 487 km


def test_import_flee_writes_a_scenario_that_loads_and_runs(tmp_path, mali):
    out = tmp_path / "mali.toml"
    proc = flowsim("import-flee", MALI_IN, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "23 locations, 35 routes" in proc.stdout
    assert "forced inflow" in proc.stdout  # the sibling validation folder was found
    loaded = load_scenario(out)
    assert loaded.source == str(out)
    a, b = loaded.to_dict(), mali.to_dict()
    for d in (a, b):
        d["simulation"].pop("description")
    assert a == b
    model = Model(loaded, seed=1, days=15)
    model.run()
    assert model.pop.n > 0
    assert model.events_by_day[1:, Event.NEW_AGENTS].sum() > 0


def test_sibling_validation_and_slug(tmp_path):
    assert sibling_validation(MALI_IN) == MALI_VAL
    assert sibling_validation(tmp_path) is None
    assert slug("Alpha Town") == "alpha_town"
    assert slug("Gamma-Hub") == "gamma_hub"
    assert slug("--") == "node"


# == 2. any Flee folder: a synthetic case ======================================================


def test_synthetic_mapping(synthetic):
    s = load_flee(*synthetic)
    assert s.simulation.start_date.isoformat() == "2020-03-01"
    assert s.simulation.days == SYN_DAYS
    nodes = {n.id: n for n in s.nodes}
    assert list(nodes) == ["alpha_town", "beta", "gamma_hub", "delta_camp", "echo"]
    assert nodes["alpha_town"].name == "Alpha Town"
    assert nodes["alpha_town"].roles == nodes["beta"].roles == ["origin"]
    assert nodes["gamma_hub"].roles == ["transit"]
    assert nodes["delta_camp"].roles == nodes["echo"].roles == ["camp"]
    assert (nodes["delta_camp"].capacity, nodes["echo"].capacity) == (500.0, 800.0)
    assert nodes["gamma_hub"].capacity is None
    assert (nodes["echo"].country, nodes["echo"].lat, nodes["echo"].lon) == ("Cland", 9.5, 0.5)
    g = build_graph(s)
    expected = {  # distance, days = ceil(distance / 200)
        ("alpha_town", "gamma_hub"): (150, 1),
        ("beta", "gamma_hub"): (401, 3),
        ("gamma_hub", "delta_camp"): (200, 1),
        ("gamma_hub", "echo"): (250, 2),
        ("beta", "echo"): (600, 3),
    }
    assert g.number_of_edges() == 2 * len(expected)
    for (a, b), (km, days) in expected.items():
        for x, y in ((a, b), (b, a)):
            assert (g.edges[x, y]["distance_km"], g.edges[x, y]["days"]) == (km, days)
    # another speed: days = ceil(distance / speed)
    slow = read_flee(*synthetic, speed_km_per_day=100)
    assert {(e["from"], e["to"]): e["days"] for e in slow["edges"]} == {
        k: math.ceil(km / 100) for k, (km, _) in expected.items()
    }


def test_synthetic_closures_close_exactly_the_right_legs(synthetic):
    s = load_flee(*synthetic)
    closed = s.policy.closures.closed
    # country Aland-Bland: the legs between Gamma-Hub (Aland) and Delta Camp (Bland), both ways;
    # link Beta-Echo: both ways; nothing else (Echo is in Cland)
    assert set(closed) == {"gamma_hub-delta_camp", "delta_camp-gamma_hub", "beta-echo", "echo-beta"}
    model = Model(s, seed=1, days=12)
    by_day, ids = model.levers["closed"], model.net.edge_ids  # [day, edge]
    # closed from closure_start until closure_end, the day Flee reopens the leg (Flee's
    # Ecosystem.enact_border_closures(t): close when t == start, reopen when t == end, before
    # agents move): the country closure 0,4 closes days 0-3; the link closure 2,6 days 2-5, and
    # leaves the link open before day 2
    expected = {
        "gamma_hub-delta_camp": [True] * 4 + [False] * 8,
        "delta_camp-gamma_hub": [True] * 4 + [False] * 8,
        "beta-echo": [False] * 2 + [True] * 4 + [False] * 6,
        "echo-beta": [False] * 2 + [True] * 4 + [False] * 6,
    }
    for e in ids:
        assert by_day[:, ids.index(e)].tolist() == expected.get(e, [False] * 12), e


def test_overlapping_and_location_closures(synthetic_copy):
    inp, val = synthetic_copy
    with open(inp / "closures.csv", "a", encoding="utf-8") as f:
        f.write("link,Delta Camp,Gamma-Hub,3,8\n")  # overlaps the country closure (0-3)
        f.write("location,Echo,,10,12\n")  # every leg to or from Echo
        f.write("link,Alpha Town,Gamma-Hub,200,210\n")  # after the run: no closure
    model = Model(load_flee(inp, val), seed=1, days=14)
    by_day, ids = model.levers["closed"], model.net.edge_ids
    days = np.arange(14)
    expected = {
        "gamma_hub-delta_camp": days < 8,  # overlapping closures add up to one closed stretch
        "delta_camp-gamma_hub": days < 8,
        "beta-echo": ((days >= 2) & (days < 6)) | ((days >= 10) & (days < 12)),
        "echo-beta": ((days >= 2) & (days < 6)) | ((days >= 10) & (days < 12)),
        "gamma_hub-echo": (days >= 10) & (days < 12),
        "echo-gamma_hub": (days >= 10) & (days < 12),
    }
    assert set(model.scenario.policy.closures.closed) == set(expected)
    for e in ids:
        want = expected.get(e, np.zeros(14, bool))
        np.testing.assert_array_equal(by_day[:, ids.index(e)], want, err_msg=e)
    # nobody starts a leg on a day it is closed, also when the closure begins mid-run (day 10)
    model.run()
    flow = model.edge_flow_by_day
    assert flow[by_day].sum() == 0
    assert flow[~by_day].sum() > 0


def test_observed_counts_interpolated_and_corrected(synthetic):
    inp, val = synthetic
    start = load_flee(inp, val).simulation.start_date
    names, obs = observed_camps(val, start, SYN_DAYS, inp / "registration_corrections.csv")
    assert names == ["Delta Camp", "Echo"]  # 'total' is not a camp
    assert obs.shape == (SYN_DAYS, 2)
    np.testing.assert_array_equal(obs[:, 0], pad(DELTA, SYN_DAYS))
    np.testing.assert_array_equal(obs[:, 1], pad(ECHO, SYN_DAYS))
    # without the correction (no file, or a file that is not there) the raw counts hold
    for corrections in (None, inp / "no_such_file.csv"):
        _, raw = observed_camps(val, start, SYN_DAYS, corrections)
        np.testing.assert_array_equal(raw[:, 1], pad(ECHO_UNCORRECTED, SYN_DAYS))
        np.testing.assert_array_equal(raw[:, 0], obs[:, 0])


def test_forced_inflow_of_the_synthetic_case(synthetic):
    data = read_flee(*synthetic)
    fi = data["forced_inflow"]
    assert fi["profile"] == "displaced"
    assert fi["daily"] == SYN_DAILY
    # the debt rule: 77 new persons (226 - 149), not the 91 of the rises alone
    assert sum(fi["daily"]) == 77
    # weights = population x intensity (conflicts.csv) x Flee's spawn decay by 30-day steps since
    # the conflict began: 1, 1, 1, 0.5, 0.1
    w = fi["weights"]
    assert set(w) == {"alpha_town", "beta"}
    np.testing.assert_allclose(w["alpha_town"], [[0, 1000.0], [90, 500.0], [120, 100.0]])
    np.testing.assert_allclose(w["beta"], [[0, 0.0], [4, 6000.0], [94, 3000.0], [124, 600.0]])
    # camps start with their day-0 observed counts
    init = {n["id"]: n.get("initial_population") for n in data["nodes"]}
    assert init["delta_camp"] == {"displaced": 100.0}
    assert init["echo"] == {"displaced": 49.0}
    assert init["gamma_hub"] is None


def test_without_conflicts_csv_conflict_date_is_used(synthetic_copy):
    inp, val = synthetic_copy
    (inp / "conflicts.csv").unlink()
    w = read_flee(inp, val)["forced_inflow"]["weights"]
    np.testing.assert_allclose(w["alpha_town"], [[0, 1000.0], [90, 500.0], [120, 100.0]])
    # Beta from its conflict_date, day 3, with intensity 1
    np.testing.assert_allclose(w["beta"], [[0, 0.0], [3, 3000.0], [93, 1500.0], [123, 300.0]])
    # Flee's older name for sim_period.csv is read too
    (inp / "sim_period.csv").rename(inp / "conflict_period.csv")
    assert load_flee(inp, val).simulation.days == SYN_DAYS


def test_missing_locations_csv_is_a_one_line_error(synthetic_copy):
    inp, val = synthetic_copy
    (inp / "locations.csv").unlink()
    with pytest.raises(ScenarioError) as e:
        load_flee(inp, val)
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith(str(inp / "locations.csv"))
    assert "missing" in msg


def test_unknown_location_in_routes_is_a_one_line_error(synthetic_copy):
    inp, val = synthetic_copy
    with open(inp / "routes.csv", "a", encoding="utf-8") as f:
        f.write("Beta,Nowhere,10,0\n")
    with pytest.raises(ScenarioError) as e:
        load_flee(inp, val)
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith(str(inp / "routes.csv"))
    assert "'Nowhere'" in msg


# == 3. forced inflow adds exactly the observed increase =======================================


def new_agents_by_day(model: Model) -> np.ndarray:
    """Agents created each day, less the initial population placed before day 0."""
    new = model.events_by_day[:, Event.NEW_AGENTS].copy()
    new[0] -= int((model.pop.view("born_day") < 0).sum())
    return new


def placed_at_weighted_origins(model: Model) -> tuple[np.ndarray, np.ndarray]:
    """Every new agent was placed at an origin whose weight was positive on its day; returns the
    new agents' days and origins."""
    s, days = model.scenario, model.days
    weight = np.zeros((days, model.net.n_nodes))
    for o, w in s.forced_inflow.weights.items():
        weight[:, model.net.index[o]] = expand(w, s.simulation.start_date, days)
    born = model.pop.view("born_day").astype(np.int64)
    origin = model.pop.view("origin").astype(np.int64)
    new = born >= 0
    assert new.sum() > 0
    assert (weight[born[new], origin[new]] > 0).all()
    return born[new], origin[new]


def test_mali_new_agents_equal_the_observed_increase(mali_run, mali, mali_observed):
    daily = np.array(mali.forced_inflow.daily)
    assert daily.size == mali.simulation.days
    np.testing.assert_array_equal(new_agents_by_day(mali_run), daily)
    _, obs = mali_observed
    total = obs.sum(axis=1)
    np.testing.assert_array_equal(daily, debt_rule(total))
    assert daily.sum() == 79153  # measured; = last total - first total + the debt left at the end
    assert (daily >= 0).all() and daily[0] == 0
    placed_at_weighted_origins(mali_run)


def test_mali_camps_start_with_day0_counts(mali_run, mali, mali_observed):
    names, obs = mali_observed
    assert names == ["Bobo-Dioulasso", "Mentao", "Fassala-Mbera", "Abala", "Mangaize",
                     "Tabareybarey", "Niamey"]  # fmt: skip
    by_name = {n.name: k for k, n in enumerate(mali.nodes)}
    camps = [by_name[n] for n in names]
    # Fassala-Mbera: 17,790 observed on day 0, scaled by the correction of 2012-12-31
    assert obs[0].tolist() == [0, 0, 9265, 698, 875, 0, 0]
    initial = mali_run.pop.view("born_day") < 0
    status, node = mali_run.pop.view("status"), mali_run.pop.view("node")
    assert (status[initial] == Status.IN_RECEPTION).all()
    counts = np.bincount(node[initial], minlength=len(mali.nodes))[camps]
    np.testing.assert_array_equal(counts, obs[0])
    np.testing.assert_array_equal(camp_counts(mali_run, camps)[0], obs[0])


def test_synthetic_new_agents_and_the_debt(synthetic_run):
    model = synthetic_run
    np.testing.assert_array_equal(new_agents_by_day(model), SYN_DAILY)
    assert model.pop.n == 100 + 49 + 77
    born, origin = placed_at_weighted_origins(model)
    # Beta's weight is 0 until day 4: the 16 new agents of days 1-3 all start at Alpha Town
    early = born < 4
    assert early.sum() == 2 + 2 + 12
    assert (origin[early] == model.net.index["alpha_town"]).all()
    assert (origin[~early] == model.net.index["beta"]).any()
    # camps start with their day-0 counts, in reception
    for camp, n in (("delta_camp", 100), ("echo", 49)):
        k = model.net.index[camp]
        assert model.node_status_by_day[0, k, Status.IN_RECEPTION] >= n
        at_start = (model.pop.view("born_day") < 0) & (model.pop.view("node") == k)
        assert at_start.sum() == n
        assert (model.pop.view("status")[at_start] == Status.IN_RECEPTION).all()


def test_ten_persons_per_agent_round_cumulatively(mali, mali_observed):
    s = load_flee(MALI_IN, MALI_VAL, overrides={"simulation.persons_per_agent": 10})
    model = Model(s, seed=2)
    model.run()
    daily = np.array(mali.forced_inflow.daily)
    new = new_agents_by_day(model)
    # through every day, the agents created are the persons so far / 10, rounded down: the
    # rounding never drifts, and the total is exact
    np.testing.assert_array_equal(np.cumsum(new), np.floor(np.cumsum(daily) / 10 + 1e-9))
    assert new.sum() == 7915  # 79,153 persons
    _, obs = mali_observed
    initial = sum(int(round(v / 10)) for v in obs[0])
    assert model.pop.n == initial + 7915
    placed_at_weighted_origins(model)


# == 4. closures ===============================================================================

# closures.csv: country,Mali,Burkina_Faso,0,22 and country,Mali,Niger,0,33; Flee reopens a closed
# leg on its closure_end day, before agents move
REOPEN = {"Burkina_Faso": 22, "Niger": 33}


def mali_cross_border_legs() -> dict[str, set[str]]:
    """Directed leg ids between Mali and each neighbour, from the CSV files."""
    country = {slug(r[0]): r[2] for r in csv_rows(MALI_IN / "locations.csv")}
    legs: dict[str, set[str]] = {c: set() for c in REOPEN}
    for a, b, *_ in csv_rows(MALI_IN / "routes.csv"):
        a, b = slug(a), slug(b)
        pair = {country[a], country[b]}
        for c in REOPEN:
            if pair == {"Mali", c}:
                legs[c] |= {f"{a}-{b}", f"{b}-{a}"}
    return legs


def test_mali_closed_legs_carry_nobody_until_they_reopen(mali_run, mali):
    legs = mali_cross_border_legs()
    assert len(legs["Burkina_Faso"]) == 8 and len(legs["Niger"]) == 8
    assert set(mali.policy.closures.closed) == legs["Burkina_Faso"] | legs["Niger"]
    ids = mali_run.net.edge_ids
    flow = mali_run.edge_flow_by_day
    for c, day in REOPEN.items():
        cols = [ids.index(e) for e in sorted(legs[c])]
        state = mali_run.levers["closed"][:, cols]
        assert state[:day].all() and not state[day:].any(), c
        assert flow[:day, cols].sum() == 0, c  # nobody starts a closed leg
        used = np.flatnonzero(flow[:, cols].sum(axis=1))
        assert used.size and used[0] >= day, c
        assert flow[day : day + 30, cols].sum() > 0, c  # used within a month of reopening
    # routes through a closed leg are not chosen: on day 9 no agent holds one
    net, closed = mali_run.net, mali_run.levers["closed"][9]
    assert closed.sum() == 16
    held = np.unique(mali_run.routes_day_9[mali_run.routes_day_9 >= 0])
    assert held.size > 0
    for r in held:
        assert not closed[net.route_edges[net.route_edge_ptr[r] : net.route_edge_ptr[r + 1]]].any()
    # no camp in Burkina Faso or Niger is reached while its border is closed
    node_country = {k: n.country for k, n in enumerate(mali.nodes)}
    for k, c in node_country.items():
        if c in REOPEN:
            assert mali_run.arrivals_by_day[: REOPEN[c], k].sum() == 0, mali.nodes[k].id


# == 5. ARD ====================================================================================


def test_ard_by_hand():
    sim = np.array([[10, 0], [0, 0], [5, 5], [6, 2], [1, 3]], float)
    obs = np.array([[8, 2], [4, 6], [0, 0], [3, 1], [6, 2]], float)
    plain, rescaled = ard(sim, obs)
    # day 0: |10-8| + |0-2| = 4 of 10; totals equal, so rescaled is the same
    # day 1: nothing simulated: 10 of 10 (the rescaled counts are 0 too)
    # day 2: nothing observed: no ARD that day (NaN, left out of the time average)
    # day 3: 3 + 1 = 4 of 4; rescaled by 4/8: [3, 1], exact
    # day 4: 5 + 1 = 6 of 8; rescaled by 8/4: [2, 6]: 4 + 4 = 8 of 8
    np.testing.assert_allclose(plain, [0.4, 1.0, np.nan, 1.0, 0.75])
    np.testing.assert_allclose(rescaled, [0.4, 1.0, np.nan, 0.0, 1.0])
    assert np.nanmean(plain) == pytest.approx((0.4 + 1.0 + 1.0 + 0.75) / 4)


@pytest.fixture(scope="module")
def mali_validation(tmp_path_factory):
    out = tmp_path_factory.mktemp("validate")
    return validate_flee(MALI_IN, MALI_VAL, seeds=3, out=out), out


def test_mali_ard_regression(mali_validation):
    r, _ = mali_validation
    # Bounds: rescaled <= 0.24 (issue 15's target: 15% below Flee 3.1's 0.284 on this case) and
    # plain <= 0.25. With the movement calibrated on this case (docs/MODEL.md §10.9) it measures,
    # seeds 1-10: 0.186 rescaled, 0.194 plain, sd 0.001 over seeds; the bounds leave more than
    # 50 sd of the seed spread: no seed noise fails this, losing the calibration does (0.286
    # rescaled before it).
    assert r["ard_rescaled_mean"] <= 0.24
    assert r["ard_mean"] <= 0.25
    assert r["ard_rescaled_mean"] > 0.1 and r["ard_mean"] > 0.1  # not vacuous
    assert 0 < r["ard_sd"] < 0.01 and 0 < r["ard_rescaled_sd"] < 0.01
    assert r["seeds"] == 3 and len(r["ard_by_seed"]) == 3
    assert r["ard_mean"] == pytest.approx(np.mean(r["ard_by_seed"]))


def test_validate_flee_writes_json_and_a_chart_per_camp(mali_validation, mali_observed):
    r, out = mali_validation
    names, _ = mali_observed
    saved = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    for key in ("ard_mean", "ard_sd", "ard_rescaled_mean", "ard_rescaled_sd", "seeds",
                "agent_steps_per_s"):  # fmt: skip
        assert key in saved, key
        assert saved[key] == pytest.approx(r[key]), key
    assert saved["agent_steps_per_s"] > 0
    assert saved["camps"] == names
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == sorted(f"camp_{n.replace(' ', '_')}.png" for n in names)
    for p in out.glob("*.png"):
        assert p.read_bytes()[:8] == PNG_MAGIC
    assert not [p.name for p in out.iterdir() if p.name.endswith(".part")]


# == 6. the command line =======================================================================


def table_row(text: str, label: str) -> list[str]:
    """The cells after ``label`` in the row of a printed rich table that starts with it."""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if "│" in line and cells[0] == label:
            return cells[1:]
    raise AssertionError(f"no row '{label}' in:\n{text}")


def test_cli_validate_flee(tmp_path):
    out = tmp_path / "v"
    proc = flowsim("validate-flee", "data/flee-mali2012/input", "data/flee-mali2012/validation",
                   "--seeds", "2", "--out", out)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    r = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    assert r["seeds"] == 2
    assert "flee_mali2012: 2 seeds, 300 days" in proc.stdout
    for label, mean, sd in (("ARD", r["ard_mean"], r["ard_sd"]),
                            ("ARD, rescaled", r["ard_rescaled_mean"], r["ard_rescaled_sd"])):  # fmt: skip
        assert table_row(proc.stdout, label) == [f"{mean:.3f}", f"{sd:.3f}"]
    assert "agent-steps per second" in proc.stdout


def test_cli_run_a_flee_folder(tmp_path, mali):
    out = tmp_path / "run"
    proc = flowsim("run", "data/flee-mali2012/input", "--days", "20", "--no-charts", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert "Results written to" in proc.stdout
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["days"] == 20
    # the sibling validation folder was used: day-0 camp counts plus the forced inflow of 20 days
    initial = sum(sum(n.initial_population.values()) for n in mali.nodes)
    assert s["agents_total"] == initial + sum(mali.forced_inflow.daily[:20])
    assert not list(out.glob("*.png"))


@pytest.mark.parametrize(
    "args",
    [
        ("run", "no/such/folder", "--days", "5"),
        ("validate-flee", "no/such/folder", "data/flee-mali2012/validation"),
        ("import-flee", "no/such/folder", "-o", "x.toml"),
    ],
    ids=["run", "validate-flee", "import-flee"],
)
def test_cli_nonexistent_folder_is_one_line_exit_2(args, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert cli_main(list(args)) == 2  # in-process: the subprocess tests above cover the wiring
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("flowsim: error: ") and "no/such/folder" in lines[0]


def test_cli_import_flee_without_locations_is_one_line_exit_2(synthetic_copy, tmp_path, capsys):
    inp, _ = synthetic_copy
    (inp / "locations.csv").unlink()
    out = tmp_path / "x.toml"
    assert cli_main(["import-flee", str(inp), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "locations.csv: missing" in lines[0], err
    assert not out.exists()


def test_synthetic_case_runs_from_the_command_line(synthetic_copy, tmp_path, capsys):
    """Any Flee folder, not only Mali: ``flowsim run`` on the synthetic input folder."""
    inp, _ = synthetic_copy
    assert cli_main(["run", str(inp), "--no-charts", "--out", str(tmp_path / "o")]) == 0
    assert "Results written to" in capsys.readouterr().out
    s = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))
    assert s["days"] == SYN_DAYS
    assert s["agents_total"] == 100 + 49 + 77  # day-0 camp counts and the forced inflow


def test_a_town_in_conflict_becomes_an_origin_as_in_flee(synthetic_copy):
    """Flee turns any location named with conflict in conflicts.csv into a conflict zone."""
    inp, val = synthetic_copy
    rows = [f"{d},1,{0 if d < 4 else 2},{1 if d >= 10 else 0}\n" for d in range(SYN_DAYS)]
    (inp / "conflicts.csv").write_text("#Day,Alpha Town,Beta,Gamma-Hub\n" + "".join(rows))
    scenario = load_flee(inp, val)
    hub = next(n for n in scenario.nodes if n.id == "gamma_hub")
    assert "origin" in hub.roles and "transit" in hub.roles
    weights = scenario.forced_inflow.weights["gamma_hub"]
    assert weights[0] == (0, 0.0) and weights[1] == (10, 20000.0)  # population x intensity 1


@pytest.mark.parametrize(
    ("name", "text"),
    [("validation/echo.csv", "DateTime,Refugees\n"), ("input/conflicts.csv", "")],
)
def test_empty_flee_files_give_one_line(synthetic_copy, name, text):
    inp, val = synthetic_copy
    (inp.parent / name).write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_flee(inp, val)
    assert "\n" not in str(err.value) and Path(name).name in str(err.value)
