"""Every bad input is answered in one line (file, field, value, what is allowed), exit status 2,
before any time is spent; no silent wrong run; no result folder that lies.

A corpus of the classes of mistakes seen (issue 17), then hypothesis mutating valid scenarios:
whatever it writes, flowsim exits 0 or 2 and never shows a traceback.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
import tomli_w
from helpers import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flowsim
from flowsim.cli import main
from flowsim.levers import resolve

TWO = REPO / "tests" / "two_routes.toml"
BASE = tomllib.loads(TWO.read_text(encoding="utf-8"))


def scenario_file(tmp_path: Path, data: dict | None = None, text: str | None = None,
                  name: str = "s.toml") -> Path:  # fmt: skip
    path = tmp_path / name
    if text is None:
        text = tomli_w.dumps(data if data is not None else BASE)
    path.write_text(text, encoding="utf-8")
    return path


def changed(**paths) -> dict:
    """The base scenario with values changed: changed(**{"edges.0.cost": True})."""
    data = copy.deepcopy(BASE)
    for path, value in paths.items():
        cur = data
        parts = path.split(".")
        for p in parts[:-1]:
            cur = cur[int(p)] if isinstance(cur, list) else cur[p]
        key = parts[-1]
        if isinstance(cur, list):
            cur[int(key)] = value
        else:
            cur[key] = value
    return data


def one_line_error(capsys, argv: list[str]) -> str:
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("flowsim: error:")]
    assert len(lines) == 1 and len(err.strip().splitlines()) == 1, err
    return lines[0]


# -- the corpus ---------------------------------------------------------------------------------

FILE_CASES = {
    "departures of 10^10 persons a day (terabytes)":
        (changed(**{"nodes.0.departures": {"people": 1e10}}),
         ["GiB", "more than", "persons_per_agent"]),
    "an initial population of 10^11":
        (changed(**{"nodes.3.initial_population": {"people": 1e11}}), ["GiB", "persons_per_agent"]),
    "a start date the calendar cannot hold":
        (changed(**{"simulation.start_date": dt.date(9999, 12, 1)}),
         ["simulation: start_date = 9999-12-01", "allowed: dates from 1800-01-01 to 2262-04-10"]),
    "true for a number": (changed(**{"edges.0.cost": True}),
                          ["edges.home-coast.cost = True", "expected a number, not true"]),
    "nobody simulated": (changed(**{"nodes.0.departures": {"people": 0}}),
                         ["nobody would be simulated"]),
    "a name that climbs out of the results folder":
        (changed(**{"simulation.name": "../../escape"}),
         ["simulation.name = '../../escape'", "plain name"]),
    "an absolute name": (changed(**{"simulation.name": "/tmp/x"}), ["plain name"]),
    "motive shares that do not add up to 1":
        (changed(**{"profiles.0.motives": {"safety": 0.5, "livelihood": 0.3}}),
         ["motives", "add up to 0.8", "must add up to 1"]),
    "a misspelt campaign content":
        (changed(**{"policy": {"information": {"campaigns": [{
            "nodes": ["home"], "reach": 0.1, "credibility": 0.5, "content": ["riskz"]}]}}}),
         ["'riskz'", "allowed: risks, legal_options or protection"]),
    "a misspelt field": (changed(**{"simulation.dayz": 3}),
                         ["simulation.dayz", "unknown field; did you mean days?"]),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_corpus_of_bad_files(tmp_path, capsys, case):
    data, expected = FILE_CASES[case]
    path = scenario_file(tmp_path, data)
    out = tmp_path / "out"
    line = one_line_error(capsys, ["run", str(path), "--out", str(out), "--no-charts"])
    assert str(path) in line
    for part in expected:
        assert part in line, (part, line)
    assert not out.exists() and not list(tmp_path.glob(".out*"))  # nothing was written


TEXT_CASES = {
    "an empty file": ("", ["empty or not a scenario", "needs [simulation], [[nodes]]"]),
    "not a number": (TWO.read_text().replace("hazard = 0.03", "hazard = nan"),
                     ["hazard = nan", "expected a finite number"]),
    "binary content": ("\x00\x01\x02 not toml", ["not a text file"]),
    "latin-1 text": (None, ["not UTF-8 text", "line 1"]),
    "a TOML syntax error": ("[simulation\nname = 1", ["not valid TOML"]),
}  # fmt: skip


def test_a_run_too_large_for_memory_is_refused_through_the_python_api_too(tmp_path):
    """``flowsim.Model`` itself refuses, in one line, a scenario whose agents cannot fit in the
    memory free on this machine (10^11 persons), before any array is allocated."""
    path = scenario_file(tmp_path, changed(**{"nodes.3.initial_population": {"people": 1e11}}))
    with pytest.raises(flowsim.ScenarioError) as err:
        flowsim.Model(path)
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg
    assert "GiB" in msg and "persons_per_agent" in msg


@pytest.mark.parametrize("case", sorted(TEXT_CASES))
def test_corpus_of_bad_text(tmp_path, capsys, case):
    text, expected = TEXT_CASES[case]
    path = tmp_path / "s.toml"
    if text is None:
        path.write_bytes("# caf\xe9\n".encode("latin-1") + TWO.read_bytes())
    else:
        path.write_text(text, encoding="utf-8")
    line = one_line_error(capsys, ["check", str(path)])
    assert str(path) in line
    for part in expected:
        assert part in line, (part, line)


def test_a_byte_order_mark_is_accepted(tmp_path, capsys):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + TWO.read_bytes())
    assert main(["check", str(path)]) == 0
    assert "valid" in capsys.readouterr().out


SET_CASES = {
    "a misspelt lever": (["policy.rescue.capacty=5"],
                         ["--set policy.rescue.capacty=5:", "did you mean policy.rescue.capacity"]),
    "a value out of range names the --set": (["nodes.haven.capacity=-5"],
                                             ["--set nodes.haven.capacity=-5:",
                                              "greater than or equal to 0"]),
    "a TOML syntax error in the value": (["policy.rescue.capacity=[1,"],
                                         ["--set policy.rescue.capacity=[1,:",
                                          "not a valid TOML value"]),
    "an unknown id": (["nodes.hevan.capacity=5"],
                      ["no nodes with id 'hevan'", "did you mean 'haven'"]),
    "an unknown sea zone": (["policy.rescue.capacity.atlantis=5"],
                            ["--set policy.rescue.capacity.atlantis=5:", "unknown sea zone"]),
    "no equals sign": (["simulation.days"], ["--set simulation.days: expected path=value"]),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(SET_CASES))
def test_corpus_of_bad_overrides(tmp_path, capsys, case):
    sets, expected = SET_CASES[case]
    argv = ["run", str(TWO), "--out", str(tmp_path / "out")]
    for s in sets:
        argv += ["--set", s]
    line = one_line_error(capsys, argv)
    for part in expected:
        assert part in line, (part, line)
    assert str(TWO) not in line  # the file is not to blame


@pytest.mark.parametrize("out", ["file", "proc", "long", "nul"])
def test_an_output_folder_that_cannot_be_written(tmp_path, capsys, out):
    """Found before the run, not after it."""
    target = {
        "file": tmp_path / "a_file" / "sub",
        "proc": Path("/proc/flowsim-results"),
        "long": tmp_path / ("x" * 300),
        "nul": tmp_path / "a\x00b",
    }[out]
    (tmp_path / "a_file").write_text("not a folder")
    line = one_line_error(capsys, ["run", str(TWO), "--out", str(target), "--days", "3"])
    assert line.startswith("flowsim: error: --out "), line
    assert any(w in line for w in ("cannot write there", "is a file", "NUL byte")), line


def test_replacing_a_table_with_one_value_is_said(tmp_path, capsys):
    rc = main(["check", "central_mediterranean", "--set", "policy.rescue.capacity=5"])
    err = capsys.readouterr().err
    assert rc == 0
    assert ("warning: --set policy.rescue.capacity=5 replaces the table {libyan_sar = 6, "
            "maltese_sar = 1, italian_sar = 3}: the lever is now 5 everywhere") in err  # fmt: skip


def test_unreachable_places_are_warned(tmp_path, capsys):
    data = copy.deepcopy(BASE)
    data["nodes"].append({"id": "island", "lat": 9.0, "lon": 9.0, "roles": ["destination"]})
    rc = main(["check", str(scenario_file(tmp_path, data))])
    err = capsys.readouterr().err
    assert rc == 0
    assert "warning:" in err and "nodes island: no leg leads there" in err


def test_a_timeline_that_starts_late_keeps_the_default_before(tmp_path):
    """Before a timeline's first point the lever has the value it would have without it."""
    s = flowsim.load_scenario(TWO, overrides={
        "policy.profiling.coverage": {"default": [[10, 1.0]]},
        "policy.asylum.accuracy": [[5, 0.5]],
        "policy.rescue.capacity": {"default": 2.0, "coast-haven": [[3, 7.0]]},
    })  # fmt: skip
    start = s.simulation.start_date
    cov = resolve(s.policy, "policy.profiling.coverage", ["a"], start, 12)[:, 0]
    np.testing.assert_array_equal(cov, [0.0] * 10 + [1.0, 1.0])  # default 0 before day 10
    acc = resolve(s.policy, "policy.asylum.accuracy", ["in_need"], start, 8)[:, 0]
    np.testing.assert_array_equal(acc, [0.9] * 5 + [0.5] * 3)  # default 0.9 before day 5
    cap = resolve(s.policy, "policy.rescue.capacity", ["coast-haven", "other"], start, 5)
    np.testing.assert_array_equal(cap[:, 0], [2, 2, 2, 7, 7])  # the table's default before
    np.testing.assert_array_equal(cap[:, 1], [2, 2, 2, 2, 2])


def test_check_prints_what_a_run_will_take(capsys):
    assert main(["check", "central_mediterranean", "--days", "100"]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "100 days, 2016-01-01 to 2016-04-09" in out
    assert "agents enter the run" in out and "MiB" in out


def test_a_killed_run_leaves_nothing_a_later_run_keeps(tmp_path):
    """A staging folder left by a dead process is removed by the next run to the same place."""
    out = tmp_path / "r"
    stale = tmp_path / ".r.partial-999999-deadbeef"
    stale.mkdir()
    (stale / "summary.json").write_text("{}")
    assert main(["run", str(TWO), "--days", "3", "--no-charts", "--out", str(out)]) == 0
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
    assert json.loads((out / "summary.json").read_text())["days"] == 3


# -- fuzzing ------------------------------------------------------------------------------------

ODD_VALUES = st.sampled_from([
    True, False, 0, -1, -1e300, 1e300, 10**20, math.nan, math.inf, -math.inf, 0.5, "", "abc",
    "../x", "a\x00b", "\u00e9\u4e2d", [], [1, 2], [[0, 1]], {}, {"x": 1}, dt.date(9999, 12, 31),
    dt.date(1, 1, 1), dt.date(2020, 1, 1),
])  # fmt: skip


def _leaves(data, prefix=()):
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _leaves(v, (*prefix, k))
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        for i, v in enumerate(data):
            yield from _leaves(v, (*prefix, i))
    yield prefix


def _set(data, path, value):
    cur = data
    for p in path[:-1]:
        cur = cur[p]
    if value is _DROP:
        if isinstance(cur, dict):
            cur.pop(path[-1], None)
        else:
            cur.pop(path[-1])
    else:
        cur[path[-1]] = value


_DROP = object()
PATHS = [p for p in _leaves(BASE) if p]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(PATHS), st.one_of(st.just(_DROP), ODD_VALUES)),
                min_size=1, max_size=3))  # fmt: skip
def test_fuzzed_scenarios_never_crash(tmp_path_factory, mutations):
    data = copy.deepcopy(BASE)
    for path, value in mutations:
        try:
            _set(data, path, value)
        except (KeyError, IndexError, TypeError, AttributeError):
            continue  # an earlier mutation removed or replaced the place
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError):
        return  # not expressible in TOML: a file cannot hold it
    path = tmp_path_factory.mktemp("fuzz") / "s.toml"
    path.write_text(text, encoding="utf-8")
    rc = main(["check", str(path)])
    assert rc in (0, 2)
    if rc == 0:  # a valid scenario runs a few days
        out = path.parent / "out"
        assert main(["run", str(path), "--days", "3", "--no-charts", "--out", str(out)]) in (0, 2)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(0, len(TWO.read_bytes())), st.binary(min_size=1, max_size=6))
def test_fuzzed_bytes_never_crash(tmp_path_factory, at, junk):
    raw = TWO.read_bytes()
    path = tmp_path_factory.mktemp("bytes") / "s.toml"
    path.write_bytes(raw[:at] + junk + raw[at:])
    assert main(["check", str(path)]) in (0, 2)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from([p for p in flowsim.scenario.known_paths(flowsim.load_scenario(TWO))
                        if p.startswith(("policy.", "behaviour.", "simulation."))]),
       st.sampled_from(["-1", "1e309", "nan", "true", "[1,", "{a=", "'x'", "2020-13-01", "abc",
                        "[[0, 1], [2, -3]]", "{default = 2, nowhere = 1}", "1e10", "0"]))  # fmt: skip
def test_fuzzed_overrides_never_crash(path, raw):
    assert main(["check", str(TWO), "--set", f"{path}={raw}"]) in (0, 2)
