"""``flowsim report`` for every kind of result folder, and the charts it shares with the runs."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from helpers import REPO

import flowsim
from flowsim.charts import CHARTS, ChartData, applicable, write_charts
from flowsim.cli import main
from flowsim.experiments import compare, replicate, sensitivity, sweep
from flowsim.report import annotations, classify, write_report

SEA = REPO / "tests" / "sea_levers.toml"
TWO = REPO / "tests" / "two_routes.toml"
SPEC = f"""
scenario = "{SEA}"
days = 20
seeds = 1
samples = 3
outcomes = ["sea.intercepted", "arrivals.total"]
[factors]
"policy.interception.rate" = {{ min = 0, max = 0.4 }}
"policy.rescue.capacity" = {{ min = 0, max = 4 }}
"""


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """One result folder of each kind, small and fast."""
    d = tmp_path_factory.mktemp("results")
    flowsim.run(SEA, days=20, seed=2).write(d / "run", charts=False)
    replicate(SEA, seeds=3, days=20, out=d / "replicates", workers=1, charts=False)
    pkg = d / "no_rescue.toml"
    pkg.write_text("[policy.rescue]\ncapacity = 0\n")
    compare(SEA, {"no_rescue": pkg}, seeds=3, days=20, out=d / "comparison", workers=1,
            charts=False)  # fmt: skip
    spec = d / "spec.toml"
    spec.write_text(SPEC.replace("samples = 3", 'design = "lhs"\nsamples = 3'))
    sweep(spec, out=d / "sweep", workers=1, charts=False)
    morris = d / "morris.toml"
    morris.write_text(SPEC)
    sensitivity(morris, method="morris", out=d / "sensitivity", workers=1, charts=False)
    return {k: d / k for k in ("run", "replicates", "comparison", "sweep", "sensitivity")}


SECTIONS = {
    "run": ["question", "headline", "over-time", "assumptions", "provenance"],
    "replicates": ["question", "headline", "over-time", "assumptions", "provenance"],
    "comparison": ["question", "comparison", "over-time", "assumptions", "provenance"],
    "sweep": ["question", "study", "assumptions", "provenance"],
    "sensitivity": ["question", "study", "assumptions", "provenance"],
}


@pytest.mark.parametrize("kind", list(SECTIONS))
def test_report_of_every_kind(folders, tmp_path, kind):
    out = tmp_path / f"{kind}.html"
    write_report(folders[kind], out)
    html = out.read_text(encoding="utf-8")
    for section in SECTIONS[kind]:
        assert f'<section id="{section}">' in html, section
    images = re.findall(r'<img alt="[^"]*" src="([^"]+)"', html)
    assert images and all(src.startswith("data:image/png;base64,") for src in images)
    # self-contained: nothing is fetched when it is opened
    assert not re.search(r'(src|href)="https?://', html)
    assert "@media print" in html
    if kind in ("run", "replicates", "comparison"):
        # the charts of a run (no sea-only chart is missing on a scenario with sea legs)
        for name in CHARTS:
            assert f'id="figure-{name}"' in html, name
    if kind == "comparison":
        assert "no_rescue" in html and "policy.rescue.capacity = 0" in html
        assert 'id="figure-comparison"' in html and 'id="figure-series"' in html
    if kind == "sensitivity":
        assert "factors ranked by mu_star" in html
    if kind == "replicates":
        assert "95% interval of the mean" in html


def test_report_command_default_output(folders, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(folders["run"], run)
    assert main(["report", str(run)]) == 0
    assert (run / "report.html").is_file()
    assert "Report written to" in capsys.readouterr().out


@pytest.mark.parametrize(("kind", "damage", "expected"), [
    ("run", "delete:timeseries.csv", "timeseries.csv: missing"),
    ("run", "write:summary.json:{not json", "summary.json: not readable JSON"),
    ("replicates", "write:timeseries.parquet:nonsense", "timeseries.parquet: not a readable table"),
    ("comparison", "delete:comparison.parquet", "comparison.parquet: missing"),
    ("sweep", "write:scenario.toml:[simulation\n", "scenario.toml: broken"),
    ("sensitivity", "delete:indices.parquet", "indices.parquet: missing"),
])  # fmt: skip
def test_a_broken_folder_is_one_line(folders, tmp_path, capsys, kind, damage, expected):
    d = tmp_path / kind
    shutil.copytree(folders[kind], d)
    action, name, *text = damage.split(":", 2)
    if action == "delete":
        (d / name).unlink()
    else:
        (d / name).write_text(text[0])
    rc = main(["report", str(d)])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert str(d / name) in err and expected in err
    assert not (d / "report.html").exists()


def test_not_a_result_folder(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["report", str(tmp_path)]) == 2
    assert "not a flowsim result folder" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nowhere")]) == 2
    assert "no such result folder" in capsys.readouterr().err


def test_assumptions_come_from_the_scenario_comments():
    notes = annotations(REPO / "scenarios" / "central_mediterranean.toml")
    assert classify(notes["policy.rescue.capacity"]) == "assumption"
    assert "seeds/" in notes["policy.detention.mode"]
    assert classify("seeds/002:1749 (17,000-20,000 a year)") == "sourced"
    assert classify("") == "not stated"
    # entries of [[nodes]] are found by their id
    assert any(k.startswith("nodes.eritrea.") for k in notes)


# -- the charts ---------------------------------------------------------------------------------


def test_charts_skip_what_does_not_apply(tmp_path):
    """A network without sea legs gets no sea charts; a panel without data says so."""
    land = flowsim.load_scenario(TWO, overrides={"edges.coast-haven.mode": "land",
                                                 "edges.coast-haven.boat_types": {}})  # fmt: skip
    result = flowsim.run(land, days=1, seed=1)  # one day: nobody arrives or dies yet
    data = ChartData(land, result.timeseries)
    assert "sea" not in applicable(data) and "information" not in applicable(data)
    paths = write_charts(data, tmp_path, dpi=60)
    names = {p.name for p in paths}
    assert {"people.png", "people.svg", "flow_map.svg", "deaths.png"} <= names
    assert not any(n.startswith(("sea.", "information.")) for n in names)
    assert (
        result.summary["protection"]["registered"] == 0 and result.summary["deaths"]["total"] == 0
    )
    assert "Nobody registered in a protection system" in (tmp_path / "protection.svg").read_text()
    assert "No deaths or disappearances" in (tmp_path / "deaths.svg").read_text()


def test_charts_with_several_seeds_show_bands(folders):
    ts = pd.read_parquet(folders["replicates"] / "timeseries.parquet")
    data = ChartData(flowsim.load_scenario(SEA), ts, "3 seeds")
    fig = CHARTS["deaths"][0](data)
    title = fig.axes[0].get_title(loc="left")
    assert "median of 3 seeds" in title
    # a band (fill_between) on the cumulative panel
    assert any(type(c).__name__ in ("PolyCollection", "FillBetweenPolyCollection")
               for c in fig.axes[1].collections)  # fmt: skip


def test_dpi_sets_the_resolution(tmp_path):
    from PIL import Image

    r = flowsim.run(SEA, days=10, seed=1)
    for dpi in (60, 120):
        out = tmp_path / str(dpi)
        out.mkdir()
        write_charts(ChartData(r.model.scenario, r.timeseries), out, dpi=dpi, formats=("png",))
        w, _ = Image.open(out / "people.png").size
        assert w == pytest.approx(10 * dpi, rel=0.02)


def test_replicates_summary_matches_the_report(folders, tmp_path):
    out = tmp_path / "r.html"
    write_report(folders["replicates"], out)
    s = json.loads((folders["replicates"] / "summary.json").read_text())
    mean = s["replicates"]["arrivals.total"]["mean"]
    assert f"{mean:,.0f}" in out.read_text()
