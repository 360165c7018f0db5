"""Flee folders as real cases have them, and as people break them.

Issue 15: every Flee-format case loads and validates: every location type and closure kind
Flee 3 knows, conflicts as Flee reads them, validation layouts naming camps the locations file
lacks, camp counts split over files, long periods, FabFlee's folder names, and an explicit
``--inflow`` where there is no validation data (never a silent empty run). Issue 17: each Flee
file is checked, a problem answered in one line naming file, line, column and value (a corpus of
each class), and a hypothesis fuzz test mutates valid folders and finds no traceback.

The cases are small synthetic Flee folders written to temporary folders; the rules quoted are
Flee's own (djgroen/flee: ``Location.__init__``, ``Ecosystem.enact_border_closures``,
``InputGeography.AddNewConflictZones``, ``DataTable``, ``spawning.spawn_daily_displaced``).
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowsim import Model
from flowsim.cli import main as cli_main
from flowsim.errors import ScenarioError
from flowsim.flee import (
    case_name,
    debt_rule,
    load_flee,
    load_flee_case,
    location_kind,
    read_flee,
    sibling_validation,
)
from flowsim.timeline import expand
from flowsim.validation import validate_flee

REPO = Path(__file__).resolve().parents[1]
DAYS = 20

# A small case: line numbers below count from 1 with the header (Alpha is on line 2 of
# locations.csv, Alpha-Hub on line 2 of routes.csv).
BASE = {
    "input/locations.csv": """\
#name,region,country,latitude,longitude,location_type,conflict_date,population
Alpha,North,Aland,10.0,1.0,conflict_zone,0,1000
Beta,North,Aland,10.5,1.5,conflict_zone,3,3000
Hub,South,Aland,9.0,2.0,town,,20000
Delta,East,Bland,8.0,3.0,camp,,500
Echo,West,Cland,9.5,0.5,camp,,800
""",
    "input/routes.csv": """\
#name1,name2,distance,forced_redirection
Alpha,Hub,150,0
Beta,Hub,401,0
Hub,Delta,200,0
Hub,Echo,250,0
Beta,Echo,600,0
""",
    "input/closures.csv": "#closure_type,name1,name2,closure_start,closure_end\n"
    "country,Aland,Bland,0,4\n",
    "input/conflicts.csv": "#Day,Alpha,Beta\n"
    + "".join(f"{d},1,{int(d >= 3)}\n" for d in range(DAYS)),
    "input/sim_period.csv": f"StartDate,2020-03-01\nLength,{DAYS}\n",
    "validation/data_layout.csv": "total,refugees.csv\nDelta,delta.csv\nEcho,echo.csv\n",
    "validation/refugees.csv": "Date,Refugee_numbers\n2020-03-01,150\n2020-03-21,300\n",
    "validation/delta.csv": "#DateTime,count\n2020-03-01,100\n2020-03-11,150\n2020-03-21,180\n",
    "validation/echo.csv": "DateTime,Refugees\n2020-03-01,50\n2020-03-11,80\n2020-03-21,120\n",
}
FILES = sorted(BASE)


def make_case(
    root: Path, changes: dict[str, str | bytes | None] | None = None
) -> tuple[Path, Path]:
    """Write the base case under ``root`` with ``changes`` (path -> text, bytes, or None to leave
    the file out); returns (input folder, validation folder)."""
    files = {**BASE, **(changes or {})}
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            continue
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root / "input", root / "validation"


def edit(name: str, old: str, new: str) -> dict[str, str]:
    text = BASE[name]
    assert old in text, (name, old)
    return {name: text.replace(old, new, 1)}


def cli(*args) -> tuple[int, str, str]:
    """``flowsim ARGS`` in this process: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def warnings_in(err: str) -> list[str]:
    return [x for x in err.splitlines() if x.startswith("flowsim: warning: ")]


def closed_days(scenario, leg: str) -> list[int]:
    timeline = scenario.policy.closures.closed.get(leg)
    if timeline is None:
        return []
    return np.flatnonzero(expand(timeline, scenario.simulation.start_date, DAYS) > 0.5).tolist()


# == issue 15: what real cases contain =========================================================


def test_every_location_type_flee_knows(tmp_path):
    # Flee's Location.__init__ matches words inside location_type, in any case, in this order:
    # camp (idp: an IDP camp), conflict, forward, marker, flood_zone (DFlee), default or town
    kinds = {
        "camp": "camp", "Camp": "camp", "idpcamp": "idpcamp", "IDP_camp": "idpcamp",
        "conflict_zone": "conflict_zone", "Conflict": "conflict_zone", "forward": "forward",
        "marker": "marker", "flood_zone": "flood_zone", "town": "town", "default": "town",
        "Town": "town", "village": None, "": None,
    }  # fmt: skip
    assert {t: location_kind(t) for t in kinds} == kinds
    rows = [
        "Alpha,North,Aland,10.0,1.0,Conflict,0,1000",
        "Beta,North,Aland,10.5,1.5,conflict_zone,3,3000",
        "Hub,South,Aland,9.0,2.0,default,,20000",
        "Delta,East,Bland,8.0,3.0,Camp,,500",
        "Echo,West,Cland,9.5,0.5,idpcamp,,800",
        "Fox,West,Cland,9.6,0.6,forward,,",
        "Golf,West,Cland,9.7,0.7,marker,,",
        "Hotel,West,Cland,9.8,0.8,flood_zone,,100",
    ]
    header = BASE["input/locations.csv"].splitlines()[0]
    routes = BASE["input/routes.csv"] + "Echo,Fox,10\nFox,Golf,10\nGolf,Hotel,10\n"
    inp, val = make_case(tmp_path, {"input/locations.csv": "\n".join([header, *rows]) + "\n",
                                    "input/routes.csv": routes})  # fmt: skip
    s = load_flee(inp, val)
    roles = {n.name: n.roles for n in s.nodes}
    assert roles == {
        "Alpha": ["origin"], "Beta": ["origin"], "Hub": ["transit"], "Delta": ["camp"],
        "Echo": ["camp"], "Fox": ["transit"], "Golf": ["transit"], "Hotel": ["transit"],
    }  # fmt: skip
    assert {n.name: n.capacity for n in s.nodes if "camp" in n.roles} == {"Delta": 500,
                                                                           "Echo": 800}  # fmt: skip
    # an unknown type is an error naming the line, the column and the allowed types
    bad = edit(
        "input/locations.csv", "Hub,South,Aland,9.0,2.0,town", "Hub,South,Aland,9.0,2.0,village"
    )
    inp, val = make_case(tmp_path / "bad", bad)
    with pytest.raises(ScenarioError) as e:
        load_flee(inp, val)
    assert str(e.value) == (
        f"{inp / 'locations.csv'}: line 4, column 6 (location_type): value 'village': one of "
        "conflict_zone, town, camp, idpcamp, forward, marker, flood_zone or default (Flee "
        "matches these words inside the type, in any case)"
    )


def test_closures_of_every_kind(tmp_path, capsys):
    # Flee closes on day start and reopens on day end, both ways (enact_border_closures)
    closures = BASE["input/closures.csv"] + (
        "link,Beta,Echo,2,6\n"  # one link, both ways
        "location,Alpha,,5,7\n"  # every leg to or from Alpha
        "camp,Echo,,8,10\n"  # a closed camp: the legs into it
        "idpcamp,Delta,,12,13\n"
        "remove_forced_redirection,Hub,Delta,1,2\n"  # nothing to do in flowsim: a warning
        "link,Alpha,Hub,15,11\n"  # ends before it starts: never reopened (Flee)
        "link,Hub,Delta,3,3\n"  # closes and reopens the same day: never closed
    )
    inp, val = make_case(tmp_path, {"input/closures.csv": closures})
    s = load_flee(inp, val)
    # country Aland-Bland: Hub-Delta both ways on days 0-3; the IDP camp Delta: the way in, day 12
    assert closed_days(s, "hub-delta") == [0, 1, 2, 3, 12]
    assert closed_days(s, "delta-hub") == [0, 1, 2, 3]
    # the link, both ways; the camp Echo, the ways in (from Hub and from Beta) on days 8-9
    assert closed_days(s, "beta-echo") == [2, 3, 4, 5, 8, 9]
    assert closed_days(s, "echo-beta") == [2, 3, 4, 5]
    assert closed_days(s, "hub-echo") == [8, 9]
    assert closed_days(s, "echo-hub") == []
    # the location Alpha on days 5-6, and the link that ends before it starts: from day 15 on
    assert closed_days(s, "alpha-hub") == closed_days(s, "hub-alpha") == [5, 6, *range(15, DAYS)]
    err = capsys.readouterr().err
    assert warnings_in(err) == [
        f"flowsim: warning: {inp / 'closures.csv'}: remove_forced_redirection on line 7: flowsim"
        " has no forced redirection; ignored"
    ]
    model = Model(s, seed=1, days=12)
    model.run()
    ids = model.net.edge_ids
    assert model.edge_flow_by_day[8:10, ids.index("hub-echo")].sum() == 0


def test_a_camp_closure_closes_only_the_ways_into_the_camp(tmp_path):
    inp, val = make_case(tmp_path, {"input/closures.csv": "camp,Echo,,8,10\n"})
    s = load_flee(inp, val)
    assert closed_days(s, "beta-echo") == closed_days(s, "hub-echo") == [8, 9]
    assert closed_days(s, "echo-beta") == closed_days(s, "echo-hub") == []


def test_conflicts_as_flee_reads_them(tmp_path, capsys):
    # Alpha: 2 from day 0, 1 from day 5 (Flee keeps the intensity set when the conflict began),
    # 0 on days 8-9 (the conflict ends), 3 again from day 10 (a new conflict: the decay starts
    # again). Hub is a town named in conflicts.csv: a conflict zone from day 2, as in Flee.
    # Beta is a conflict_zone dated 3 with no column: never in conflict. Ghost is not a location.
    alpha = [2] * 5 + [1] * 3 + [0] * 2 + [3] * (DAYS - 10)
    rows = "".join(f"{d},{alpha[d]},{int(d >= 2)},7\n" for d in range(DAYS - 4))
    inp, val = make_case(tmp_path, {"input/conflicts.csv": "#Day,Alpha,Hub,Ghost\n" + rows})
    data = read_flee(inp, val)
    err = capsys.readouterr().err
    conflicts = inp / "conflicts.csv"
    assert warnings_in(err) == [
        f"flowsim: warning: {conflicts}: columns for locations not in locations.csv (ignored, as"
        " in Flee): Ghost",
        f"flowsim: warning: {conflicts}: rows for days 0-15 only; the last row holds to day 19",
    ]
    w = data["forced_inflow"]["weights"]
    assert set(w) == {"alpha", "hub"}
    assert w["alpha"] == [[0, 2000.0], [8, 0.0], [10, 3000.0]]
    assert w["hub"] == [[0, 0.0], [2, 20000.0]]
    roles = {n["name"]: n["roles"] for n in data["nodes"]}
    assert roles["Hub"] == ["transit", "origin"] and roles["Beta"] == ["origin"]


def test_conflict_spawn_decay_restarts_with_each_conflict(tmp_path):
    days = 200
    alpha = [1] * 100 + [0] * 10 + [1] * 90
    rows = "".join(f"{d},{alpha[d]},0\n" for d in range(days))
    inp, val = make_case(tmp_path, {"input/conflicts.csv": "#Day,Alpha,Beta\n" + rows,
                                    "input/sim_period.csv": f"StartDate,2020-03-01\nLength,{days}\n"})  # fmt: skip
    w = read_flee(inp, val)["forced_inflow"]["weights"]
    # Flee's decay 1, 1, 1, 0.5, 0.1 by 30 days since the conflict began there: 0.5 from day 90;
    # none on days 100-109; from day 110 a new conflict, decay 1 again
    assert w["alpha"] == [[0, 1000.0], [90, 500.0], [100, 0.0], [110, 1000.0]]
    assert "beta" not in w  # dated 3 with a column of zeros: a town, as in Flee


def test_layout_camps_missing_from_locations_are_left_out_with_one_warning(tmp_path, capsys):
    layout = "total,refugees.csv\nDelta,delta.csv\nEcho,echo.csv\nGhost Camp,ghost.csv\n"
    ghost = "2020-03-01,0\n2020-03-21,200\n"
    inp, val = make_case(tmp_path, {"validation/data_layout.csv": layout,
                                    "validation/ghost.csv": ghost})  # fmt: skip
    scenario, case = load_flee_case(inp, val)
    err = capsys.readouterr().err
    assert warnings_in(err) == [
        f"flowsim: warning: {val / 'data_layout.csv'}: camps not in locations.csv, left out of "
        "the comparison and the day-0 camps (their counts still add to the inflow, as in Flee): "
        "Ghost Camp"
    ]
    assert case.camps == ["Delta", "Echo"]
    # as in Flee (sum_from_camps adds every layout row after 'total'), Ghost's rise is in the
    # inflow: by day 19, Delta 100 -> 177, Echo 50 -> 116, Ghost 0 -> 190: 77 + 66 + 190
    assert sum(scenario.forced_inflow.daily) == 77 + 66 + 190
    r = validate_flee(inp, val, seeds=1)
    assert r["camps"] == ["Delta", "Echo"] and set(r["ard_by_camp"]) == {"Delta", "Echo"}
    assert sum(r["ard_by_camp"].values()) == pytest.approx(r["ard_mean"])


def test_camp_counts_split_over_several_files(tmp_path):
    # Echo's counts in two files on the same dates: their sum (Flee's AddCSVTables); Delta's in
    # two files on different dates: at each date of either, the sum of both interpolated there
    layout = "total,refugees.csv\nDelta,d1.csv,d2.csv\nEcho,e1.csv,e2.csv\n"
    changes = {
        "validation/data_layout.csv": layout,
        "validation/e1.csv": "2020-03-01,30\n2020-03-11,50\n2020-03-21,70\n",
        "validation/e2.csv": "2020-03-01,20\n2020-03-11,30\n2020-03-21,50\n",
        "validation/d1.csv": "2020-03-01,100\n2020-03-21,200\n",
        "validation/d2.csv": "2020-03-11,10\n2020-03-16,20\n",
    }
    inp, val = make_case(tmp_path, changes)
    _, case = load_flee_case(inp, val)
    echo = case.observed[:, case.camps.index("Echo")]
    np.testing.assert_array_equal(echo, np.floor(np.interp(np.arange(DAYS), [0, 10, 20],
                                                           [50, 80, 120])))  # fmt: skip
    delta = case.observed[:, case.camps.index("Delta")]
    # d2 holds 10 before day 10 and 20 after day 15: day 0 is 100 + 10, day 10 150 + 10,
    # day 15 175 + 20, day 20 200 + 20
    assert delta[[0, 10, 15, 19]].tolist() == [110, 160, 195, 215]


def test_repeated_and_unsorted_dates(tmp_path, capsys):
    # sorted by date; of a date given twice (line 3 repeats line 2), Flee's interpolation leads
    # to the first count up to that date and holds the later from it on (get_interpolated_data)
    delta = "2020-03-01,100\n2020-03-11,150\n2020-03-11,170\n2020-03-06,130\n2020-03-21,190\n"
    inp, val = make_case(tmp_path, {"validation/delta.csv": delta})
    _, case = load_flee_case(inp, val)
    series = case.observed[:, case.camps.index("Delta")]
    assert series[[0, 5, 7, 9, 10, 15]].tolist() == [100, 130, 138, 146, 170, 180]
    assert warnings_in(capsys.readouterr().err) == [
        f"flowsim: warning: {val / 'delta.csv'}: dates out of order (line 4), sorted; repeated "
        "dates (line 3), read as Flee reads them: the count leads to the first up to that date, "
        "the later holds from it on"
    ]


def test_a_long_period_runs(tmp_path):
    days = 1200
    changes = {
        "input/sim_period.csv": f"StartDate,2017-01-01\nLength,{days}\n",
        "input/conflicts.csv": None,  # the conflict_date of locations.csv
        "input/closures.csv": "country,Aland,Bland,400,900\n",
        "validation/delta.csv": "2017-01-01,10\n2018-06-01,40\n2020-03-01,60\n",
        "validation/echo.csv": "2017-01-01,0\n2019-01-01,30\n",
    }
    inp, val = make_case(tmp_path, changes)
    s = load_flee(inp, val)
    assert s.simulation.days == days and len(s.forced_inflow.daily) == days
    assert sum(s.forced_inflow.daily) == pytest.approx(60 + 30 - 10)
    assert s.policy.closures.closed["hub-delta"] == [(0, 0.0), (400, 1.0), (900, 0.0)]
    r = validate_flee(inp, val, seeds=1)
    assert r["days"] == days and np.isfinite(r["ard_mean"])


def test_fabflee_folder_names(tmp_path):
    """FabFlee's cases keep the input in input_csv/ and the validation data in source_data/."""
    inp, val = make_case(tmp_path / "mycase")
    inp.rename(tmp_path / "mycase" / "input_csv")
    val.rename(tmp_path / "mycase" / "source_data")
    inp = tmp_path / "mycase" / "input_csv"
    assert sibling_validation(inp) == tmp_path / "mycase" / "source_data"
    assert case_name(inp) == "mycase"
    code, out, err = cli("run", inp, "--days", "3", "--no-charts", "--out", tmp_path / "o")
    assert code == 0, err
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["scenario"] == "mycase"


def test_a_bom_is_accepted_and_extra_columns_ignored(tmp_path):
    locations = BASE["input/locations.csv"].replace("population\n", "population,ethnic_a\n")
    changes = {"input/locations.csv": "\ufeff" + locations.replace(",1000\n", ",1000,0.5\n")}
    changes["input/routes.csv"] = "\ufeff" + BASE["input/routes.csv"].replace(",0\n", ",0,walk\n")
    a = read_flee(*make_case(tmp_path / "a"))
    b = read_flee(*make_case(tmp_path / "b", changes))
    for d in (a, b):
        d["simulation"].pop("description")
        d["simulation"].pop("name")
    assert a == b


def test_files_flowsim_does_not_read_are_named(tmp_path, capsys):
    inp, val = make_case(tmp_path, {"input/flood_level.csv": "#Day,Hub\n0,1\n",
                                    "input/demographics_age.csv": "age,Default\n1,1\n"})  # fmt: skip
    read_flee(inp, val)
    assert warnings_in(capsys.readouterr().err) == [
        f"flowsim: warning: {inp}: Flee files flowsim does not read (location type changes, "
        "flood levels, demographics, attributes, agents, major routes): demographics_age.csv, "
        "flood_level.csv"
    ]


# == no silent empty run: an error, or an explicit inflow =======================================


def test_a_folder_without_validation_data_is_an_error_that_names_the_inflow(tmp_path):
    inp, _ = make_case(tmp_path, {name: None for name in BASE if name.startswith("validation/")})
    for args in (["run", inp, "--days", "3"], ["import-flee", inp, "-o", tmp_path / "x.toml"]):
        code, out, err = cli(*args)
        assert code == 2
        assert err.splitlines() == [
            f"flowsim: error: {inp}: no validation folder (data_layout.csv in a sibling "
            "'validation' or 'source_data' folder) and no --inflow: nobody would be simulated; "
            "give the validation folder, or --inflow FILE with the new arrivals a day "
            "(day,new_arrivals) or a cumulative count (date,total) (docs/MODEL.md, 'Flee cases')"
        ]
    assert not (tmp_path / "x.toml").exists()


def test_counts_that_add_nobody_are_an_error(tmp_path):
    flat = "2020-03-01,0\n2020-03-21,0\n"
    inp, val = make_case(tmp_path, {"validation/delta.csv": flat, "validation/echo.csv": flat})
    with pytest.raises(ScenarioError) as e:
        load_flee(inp, val)
    assert str(e.value) == (f"{val}: the camp counts never rise and no one is in a camp on day 0: "
                            "nobody would be simulated")  # fmt: skip


def test_inflow_of_new_arrivals_by_day_or_date(tmp_path):
    inp, _ = make_case(tmp_path, {name: None for name in BASE if name.startswith("validation/")})
    by_day = tmp_path / "by_day.csv"
    by_day.write_text("day,new_arrivals\n0,5\n3,12.5\n19,1\n25,9\n")
    by_date = tmp_path / "by_date.csv"
    by_date.write_text("date,new_arrivals\n2020-03-01,5\n2020-03-04,12.5\n2020-03-20,1\n")
    want = [5.0, 0, 0, 12.5] + [0.0] * 15 + [1.0]
    assert read_flee(inp, inflow=by_day)["forced_inflow"]["daily"] == want
    assert read_flee(inp, inflow=by_date)["forced_inflow"]["daily"] == want
    code, out, err = cli("run", inp, "--inflow", by_day, "--no-charts", "--out", tmp_path / "o")
    assert code == 0, err
    assert warnings_in(err) == [f"flowsim: warning: {by_day}: line 5 is outside the period "
                                "(days 0-19), ignored"]  # fmt: skip
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["agents_total"] == 5 + 12 + 1  # 18.5 persons: 18 agents by cumulative rounding


def test_inflow_of_a_total_as_flee_reads_refugees_csv(tmp_path):
    # with a validation folder, --inflow replaces the sum of the camp counts (Flee's protocol
    # with sum_from_camps off: the rises of refugees.csv, a fall carried as a debt); the camps
    # still start with their day-0 counts
    inp, val = make_case(tmp_path)
    total = tmp_path / "total.csv"
    total.write_text("Date,Refugee_numbers\n2020-03-01,100\n2020-03-06,150\n2020-03-11,130\n"
                     "2020-03-16,200\n")  # fmt: skip
    data = read_flee(inp, val, inflow=total)
    series = np.floor(np.interp(np.arange(DAYS), [0, 5, 10, 15], [100, 150, 130, 200]))
    assert data["forced_inflow"]["daily"] == debt_rule(series)
    assert sum(data["forced_inflow"]["daily"]) == 100  # 200 - 100
    init = {n["name"]: n.get("initial_population") for n in data["nodes"]}
    assert init["Delta"] == {"displaced": 100.0} and init["Echo"] == {"displaced": 50.0}
    # the same file through the three commands
    out = tmp_path / "x.toml"
    code, stdout, err = cli("import-flee", inp, "-o", out, "--inflow", total)
    assert code == 0, err
    assert f"forced inflow from {total}" in stdout
    code, stdout, err = cli("validate-flee", inp, val, "--seeds", "1", "--out", tmp_path / "v",
                            "--inflow", total)  # fmt: skip
    assert code == 0, err
    r = json.loads((tmp_path / "v" / "validation.json").read_text())
    assert r["camps"] == ["Delta", "Echo"]


def test_inflow_goes_with_a_flee_folder_only(tmp_path):
    inflow = tmp_path / "in.csv"
    inflow.write_text("day,new_arrivals\n0,5\n")
    code, _, err = cli("run", REPO / "tests" / "two_routes.toml", "--inflow", inflow)
    assert code == 2
    assert err.splitlines() == [
        f"flowsim: error: {REPO / 'tests' / 'two_routes.toml'}: --inflow goes with a Flee input "
        "folder (one with locations.csv), not a scenario file"
    ]


# == issue 17: each file checked, one line naming file, line, column and value ==================

L, R, C, K = "input/locations.csv", "input/routes.csv", "input/closures.csv", "input/conflicts.csv"
P, Y, D = "input/sim_period.csv", "validation/data_layout.csv", "validation/delta.csv"

# (id, changes, blamed file, what the line says after 'flowsim: error: <root>/<file>: ')
CORPUS = [
    ("locations-empty", {L: ""}, L, "no locations (the file is empty or holds only comment "
     "lines)"),
    ("locations-header-only", {L: BASE[L].splitlines()[0] + "\n"}, L, "no locations"),
    ("locations-short-row", edit(L, "Hub,South,Aland,9.0,2.0,town,,20000", "Hub,South"), L,
     "line 4: 2 columns; expected at least 6"),
    ("locations-non-numeric", edit(L, ",1000\n", ",many\n"), L,
     "line 2, column 8 (population): value 'many': a number of people >= 0"),
    ("locations-negative", edit(L, ",3000\n", ",-5\n"), L,
     "line 3, column 8 (population): value '-5'"),
    ("locations-nan", edit(L, "10.5,1.5", "nan,1.5"), L, "line 3, column 4 (latitude): value "
     "'nan': a latitude, -90 to 90"),
    ("locations-inf", edit(L, ",800\n", ",inf\n"), L, "line 6, column 8 (population): value 'inf'"),
    ("locations-unknown-type", edit(L, "9.0,2.0,town", "9.0,2.0,village"), L,
     "line 4, column 6 (location_type): value 'village': one of conflict_zone, town, camp"),
    ("locations-duplicate", {L: BASE[L] + "Hub,South,Aland,9.0,2.0,town,,1\n"}, L,
     "line 7, column 1 (name): value 'Hub': a duplicate location (first on line 4)"),
    ("locations-conflict-date", edit(L, "conflict_zone,3,", "conflict_zone,soon,"), L,
     "line 3, column 7 (conflict_date): value 'soon': a whole day number"),
    ("locations-binary", {L: b"#name\n\x00\x01\x02garbage\n"}, L, "line 2: binary content (a NUL "
     "byte), not CSV text"),
    ("locations-latin1", {L: BASE[L].replace("North,Aland", "Séguéla,Aland").encode("latin-1")},
     L, "line 2, column 8 (byte): value '0xe9': not UTF-8 text; save the file as UTF-8"),
    ("locations-bom-latin1", {L: b"\xef\xbb\xbf" + BASE[L].replace("North,Aland", "S\u00e9gou,Aland")
     .encode("latin-1")}, L, "line 2, column 8 (byte): value '0xe9': not UTF-8 text"),
    ("locations-missing", {L: None}, L, "missing; a Flee input folder needs locations.csv"),
    ("routes-empty", {R: ""}, R, "no routes"),
    ("routes-unknown-location", {R: BASE[R] + "Beta,Nowhere,10,0\n"}, R,
     "line 7, column 2 (name2): value 'Nowhere': not a location in locations.csv"),
    ("routes-short-row", edit(R, "Hub,Delta,200,0", "Hub,Delta"), R,
     "line 4: 2 columns; expected name1,name2,distance"),
    ("routes-non-numeric", edit(R, "Hub,Delta,200", "Hub,Delta,far"), R,
     "line 4, column 3 (distance): value 'far': a distance in km, 0 to 73,000"),
    ("routes-negative", edit(R, "Hub,Delta,200", "Hub,Delta,-3"), R, "column 3 (distance): "
     "value '-3'"),
    ("routes-non-finite", edit(R, "Hub,Delta,200", "Hub,Delta,nan"), R, "value 'nan'"),
    ("routes-too-long", edit(R, "Hub,Delta,200", "Hub,Delta,1e9"), R, "value '1e9': a distance "
     "in km, 0 to 73,000 (a leg takes at most 365 days at 200 km a day)"),
    ("routes-self", edit(R, "Hub,Delta,200", "Hub,Hub,200"), R, "line 4, column 2 (name2): "
     "value 'Hub': a route joins two different locations"),
    ("routes-redirection", edit(R, "Hub,Delta,200,0", "Hub,Delta,200,yes"), R,
     "line 4, column 4 (forced_redirection): value 'yes': 0, 1 or 2 (or empty)"),
    ("closures-kind", {C: "border,Aland,Bland,0,4\n"}, C, "line 1, column 1 (closure_type): "
     "value 'border': one of country, location, link, camp, idpcamp, remove_forced_redirection"),
    ("closures-day", {C: "country,Aland,Bland,day3,4\n"}, C, "line 1, column 4 (closure_start): "
     "value 'day3': a whole day number >= 0"),
    ("closures-negative", {C: "country,Aland,Bland,-1,4\n"}, C, "value '-1'"),
    ("closures-country", {C: "country,Aland,Zland,0,4\n"}, C, "line 1, column 3 (name2): value "
     "'Zland': a country of locations.csv: Aland, Bland, Cland"),
    ("closures-location", {C: "location,Nowhere,,0,4\n"}, C, "column 2 (name1): value "
     "'Nowhere': a location in locations.csv"),
    ("closures-short-row", {C: "country,Aland,Bland\n"}, C, "line 1: 3 columns"),
    ("conflicts-no-header", {K: "0,1,0\n1,1,0\n"}, K, "line 1: value '0,1,0': a header "
     "'#Day,<location>,...' naming locations first; this line holds only numbers (no header?)"),
    ("conflicts-short-row", edit(K, "\n5,1,1\n", "\n5,1\n"), K, "line 7: 2 columns; the header "
     "has 3 (a short row)"),
    ("conflicts-non-numeric", edit(K, "\n5,1,1\n", "\n5,1,high\n"), K,
     "line 7, column 3 (Beta): value 'high': a conflict intensity >= 0"),
    ("conflicts-negative", edit(K, "\n5,1,1\n", "\n5,-1,1\n"), K, "column 2 (Alpha): value '-1'"),
    ("conflicts-empty", {K: ""}, K, "empty; expected a header '#Day,<location>,...'"),
    ("conflicts-no-rows", {K: "#Day,Alpha,Beta\n"}, K, "a header and no rows"),
    ("conflicts-duplicate", {K: "#Day,Alpha,Alpha\n0,1,1\n"}, K, "line 1, column 3 (header): "
     "value 'Alpha': a location named once (also column 2)"),
    ("period-bad-date", {P: "StartDate,2020-02-30\nLength,20\n"}, P, "line 1, column 2 "
     "(StartDate): value '2020-02-30': a date YYYY-MM-DD"),
    ("period-length", {P: "StartDate,2020-03-01\nLength,ten\n"}, P, "line 2, column 2 (Length): "
     "value 'ten': a whole number of days, 1 to 30000"),
    ("period-zero", {P: "StartDate,2020-03-01\nLength,0\n"}, P, "value '0'"),
    ("period-calendar", {P: "StartDate,9999-12-01\nLength,100\n"}, P, "line 2, column 2 "
     "(Length): value '100': the period must end by 9999-12-31"),
    ("period-no-start", {P: "Length,20\n"}, P, "no row StartDate,YYYY-MM-DD"),
    ("period-missing", {P: None}, P, "missing; a Flee input folder needs sim_period.csv"),
    ("layout-missing-file", {Y: "total,refugees.csv\nDelta,nothere.csv\n"}, Y,
     "line 2, column 2 (file): value 'nothere.csv': no such file in"),
    ("layout-short-row", {Y: "total,refugees.csv\nDelta\n"}, Y, "line 2, column 1 (name): value "
     "'Delta': a camp name and its counts file(s)"),
    ("layout-duplicate", {Y: "total,refugees.csv\nDelta,delta.csv\nDelta,echo.csv\n"}, Y,
     "line 3, column 1 (name): value 'Delta': a camp named once (first on line 2)"),
    ("layout-only-total", {Y: "total,refugees.csv\n"}, Y, "names no camp (only 'total')"),
    ("counts-bad-date", edit(D, "2020-03-11,150", "2020-13-11,150"), D, "line 3, column 1 "
     "(date): value '2020-13-11': a date YYYY-MM-DD"),
    ("counts-non-numeric", edit(D, "2020-03-11,150", "2020-03-11,lots"), D, "line 3, column 2 "
     "(count): value 'lots': a number of people, 0 to 1,000,000,000"),
    ("counts-negative", edit(D, "2020-03-11,150", "2020-03-11,-150"), D, "value '-150'"),
    ("counts-huge", edit(D, "2020-03-11,150", "2020-03-11,1e20"), D, "value '1e20'"),
    ("counts-none", {D: "#DateTime,count\n"}, D, "no dated counts (rows 'YYYY-MM-DD,count')"),
    ("corrections-bad-date", {"input/registration_corrections.csv": "Delta,2020-3-45,normalize\n"},
     "input/registration_corrections.csv", "line 1, column 2 (date): value '2020-3-45'"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "blamed", "says"), [c[1:] for c in CORPUS],
                         ids=[c[0] for c in CORPUS])  # fmt: skip
def test_corpus_each_problem_is_one_line_naming_the_file(tmp_path, changes, blamed, says):
    make_case(tmp_path, changes)
    out = tmp_path / "x.toml"
    code, _, err = cli("import-flee", tmp_path / "input", "-o", out)
    assert code == 2, err
    assert "Traceback" not in err
    errors = [x for x in err.splitlines() if not x.startswith("flowsim: warning: ")]
    assert len(errors) == 1, err
    assert errors[0].startswith(f"flowsim: error: {tmp_path / blamed}: "), errors[0]
    assert says in errors[0], errors[0]
    assert not out.exists()


INFLOW_CORPUS = [
    ("header", "when,new_arrivals\n0,5\n", "line 1, column 1 (header): value 'when': 'day' (0 is "
     "the start date) or 'date'"),
    ("kind", "day,arrived\n0,5\n", "line 1, column 2 (header): value 'arrived': 'new_arrivals' "
     "(people arriving that day) or 'total'"),
    ("day", "day,new_arrivals\nmonday,5\n", "line 2, column 1 (day): value 'monday': a whole "
     "day number"),
    ("negative", "day,new_arrivals\n0,-5\n", "line 2, column 2 (new_arrivals): value '-5'"),
    ("repeated", "day,new_arrivals\n0,5\n0,6\n", "line 3, column 1 (day): value '0': each day "
     "once (also on line 2)"),
    ("date", "date,total\n2020-02-31,5\n", "line 2, column 1 (date): value '2020-02-31'"),
    ("empty", "", "no rows; expected a header day,new_arrivals or date,total"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "says"), [c[1:] for c in INFLOW_CORPUS],
                         ids=[c[0] for c in INFLOW_CORPUS])  # fmt: skip
def test_corpus_inflow_files(tmp_path, text, says):
    inp, _ = make_case(tmp_path)
    inflow = tmp_path / "inflow.csv"
    inflow.write_text(text)
    code, _, err = cli("import-flee", inp, "-o", tmp_path / "x.toml", "--inflow", inflow)
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"flowsim: error: {inflow}: {says}"), err


# == issue 17 item 6: a fuzz test over mutated Flee folders =====================================

ODD_VALUES = [
    "", "x", "nan", "inf", "-inf", "-1", "0", "1.5", "1e308", "99999999999999999999",
    "2020-02-30", "9999-12-31", "0001-01-01", "\x00", "é", " ", "#", '"', "Alpha", "camp",
    "conflict_zone", "total", "Aland", "link", "\u200b", "1,2",
]  # fmt: skip
# free text without digits: a number drawn at random could be a valid count large enough to fill
# the memory (estimating a run's memory is issue 17 item 1, not the loader's)
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=6)

MUTATION = st.one_of(
    st.tuples(st.just("drop-file"), st.sampled_from(FILES)),
    st.tuples(st.just("cell"), st.sampled_from(FILES), st.integers(0, 25), st.integers(0, 8),
              st.one_of(st.sampled_from(ODD_VALUES), TEXT)),
    st.tuples(st.just("drop-column"), st.sampled_from(FILES), st.integers(0, 8)),
    st.tuples(st.just("truncate"), st.sampled_from(FILES), st.integers(0, 4)),
    st.tuples(st.just("duplicate-line"), st.sampled_from(FILES), st.integers(0, 25)),
    st.tuples(st.just("bytes"), st.sampled_from(FILES), st.binary(max_size=40)),
    st.tuples(st.just("encoding"), st.sampled_from(FILES),
              st.sampled_from(["utf-8-sig", "latin-1", "utf-16", "cp1252"])),
)  # fmt: skip


def mutate(root: Path, m: tuple) -> None:
    path = root / m[1]
    if not path.exists():
        return
    if m[0] == "drop-file":
        path.unlink()
        return
    if m[0] == "bytes":
        path.write_bytes(m[2])
        return
    text = path.read_text(encoding="utf-8", errors="replace")
    if m[0] == "encoding":
        path.write_bytes(text.encode(m[2], errors="replace"))
        return
    lines = text.splitlines()
    if m[0] == "truncate":
        lines = lines[: m[2]]
    elif m[0] == "duplicate-line" and lines:
        lines.insert(m[2] % len(lines), lines[m[2] % len(lines)])
    elif m[0] == "drop-column":
        lines = [",".join(c for k, c in enumerate(x.split(",")) if k != m[2]) for x in lines]
    elif m[0] == "cell" and lines:
        row = m[2] % len(lines)
        cells = lines[row].split(",")
        cells[m[3] % len(cells)] = m[4]
        lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogateescape")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MUTATION, min_size=1, max_size=3))
def test_fuzz_mutated_flee_folders_exit_0_or_2_and_never_a_traceback(mutations):
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        inp, _ = make_case(root)
        for m in mutations:
            mutate(root, m)
        for args in (["import-flee", inp, "-o", root / "x.toml"],
                     ["run", inp, "--days", "3", "--no-charts", "--out", root / "out"]):  # fmt: skip
            code, _, err = cli(*args)  # an exception here is a traceback: the test fails
            assert code in (0, 2), (args[0], err)
            errors = [x for x in err.splitlines() if not x.startswith("flowsim: warning: ")]
            if code == 2:
                assert len(errors) == 1 and errors[0].startswith("flowsim: error: "), err
            else:
                assert errors == [], err


# == compare_flee.py: flowsim's half on any Flee case, without Flee ===============================


def test_compare_flee_prints_flowsims_ards_per_camp_without_flee(tmp_path):
    make_case(tmp_path / "case")
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "compare_flee.py"), str(tmp_path / "case"),
         "--no-flee", "--seeds", "2", "--json", str(tmp_path / "c.json")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    figures = json.loads((tmp_path / "c.json").read_text())
    assert figures["flee"] is None
    ours = figures["flowsim"]
    r = validate_flee(tmp_path / "case" / "input", tmp_path / "case" / "validation", seeds=2)
    assert ours["ard_mean"] == pytest.approx(r["ard_mean"])
    assert ours["ard_by_camp"] == pytest.approx(r["ard_by_camp"])
    rows = {x.split()[0]: x.split()[1:] for x in proc.stdout.splitlines() if x.strip()}
    for camp in ("Delta", "Echo"):
        assert rows[camp] == [f"{r['ard_by_camp'][camp]:.3f}",
                              f"{r['ard_rescaled_by_camp'][camp]:.3f}"]  # fmt: skip
    assert sum(r["ard_by_camp"].values()) == pytest.approx(r["ard_mean"])
