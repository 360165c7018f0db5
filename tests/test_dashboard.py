"""The dashboard without a browser: lever widgets from the catalogue (headless Solara), the
models behind the page, and where the server listens."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import time

import ipyvuetify as v
import pytest
import solara
from helpers import REPO

import flowsim
from flowsim.dashboard import (
    LeverPanel,
    Page,
    Session,
    current_values,
    lever_widgets,
    overrides_for,
)
from flowsim.levers import lever_specs
from flowsim.outcomes import extract
from flowsim.output import summarise

SEA = REPO / "tests" / "sea_levers.toml"


@pytest.fixture(scope="module")
def cm():
    return flowsim.load_scenario("central_mediterranean")


def test_lever_widgets_follow_the_catalogue(cm):
    widgets = lever_widgets(cm)
    specs = {s["path"]: s for s in lever_specs()}
    rescue = [w for w in widgets if w.path == "policy.rescue.capacity"]
    assert [w.ident for w in rescue] == ["libyan_sar", "maltese_sar", "italian_sar"]
    assert [w.value for w in rescue] == [6.0, 1.0, 3.0]  # the scenario's values
    hubs = [w.ident for w in widgets if w.path == "policy.enforcement.level"]
    assert hubs == ["tripoli", "sabratha", "zuwara", "sfax"]
    for w in widgets:
        spec = specs[w.path]
        assert w.unit == spec["unit"] and w.lo == spec["range"][0]
        assert w.hi == spec["range"][1] or not math.isfinite(spec["range"][1])
        assert w.lo <= w.step <= w.hi
    asylum = next(w for w in widgets if w.path == "policy.asylum.capacity")
    assert asylum.choose and "italy" in asylum.ids
    assert current_values(asylum, cm)["italy"] == 120.0
    reception = next(w for w in widgets if w.path == "policy.reception.capacity")
    assert set(reception.ids) == {"malta", "italy", "germany", "shagarab", "chad_camps",
                                  "niger_camps"}  # fmt: skip


def test_lever_panel_sets_the_package(cm):
    widgets = lever_widgets(cm)
    values = solara.reactive({})
    _, rc = solara.render(LeverPanel(widgets, values, cm), handle_error=False)
    sliders = rc.find(v.Slider).widgets
    assert sliders[0].label == "libyan_sar: 6"
    sliders[0].v_model = 0.0  # no rescue off Libya
    assert values.value == {"policy.rescue.capacity.libyan_sar": 0.0}
    # a lever keyed by country: choose the country, then move its slider
    select = next(s for s in rc.find(v.Select).widgets if "italy" in s.items and "eritrea" in
                  s.items)  # fmt: skip
    select.v_model = "italy"
    slider = next(s for s in rc.find(v.Slider).widgets if s.label.startswith("italy:"))
    assert slider.label == "italy: 120"
    slider.v_model = 200.0
    assert values.value["policy.asylum.capacity.italy"] == 200.0
    overrides = overrides_for(values.value, widgets, {"on": False}, cm)
    assert overrides == {"policy.rescue.capacity.libyan_sar": 0.0,
                         "policy.asylum.capacity.italy": 200.0}  # fmt: skip
    flowsim.Model(cm, overrides=overrides)  # a valid package


def test_moving_a_slider_back_is_no_change(cm):
    widgets = lever_widgets(cm)
    assert overrides_for({"policy.rescue.capacity.libyan_sar": 6.0}, widgets, {"on": False},
                         cm) == {}  # fmt: skip


def test_campaign_on_screen(cm):
    campaign = {"on": True, "reach": 0.05, "content": ["risks", "legal_options"]}
    overrides = overrides_for({}, lever_widgets(cm), campaign, cm)
    campaigns = overrides["policy.information.campaigns"]
    assert len(campaigns) == len(cm.policy.information.campaigns) + 1
    mine = campaigns[-1]
    assert mine["reach"] == 0.05 and mine["content"] == ["risks", "legal_options"]
    assert set(mine["nodes"]) == {n.id for n in cm.nodes if "origin" in n.roles}
    model = flowsim.Model(cm, overrides=overrides)
    assert len(model.scenario.policy.information.campaigns) == len(campaigns)


def test_session_runs_package_and_baseline_on_one_seed():
    same = Session(str(SEA), 3, {})
    same.advance(30)
    assert same.day == same.baseline.day == 30
    a, b = extract(summarise(same.package)), extract(summarise(same.baseline))
    assert a == b  # no change: the package is the baseline
    other = Session(str(SEA), 3, {"policy.rescue.capacity": 0.0}, baseline=same.baseline)
    other.advance(60)
    assert other.baseline is same.baseline and other.baseline.day == 60
    plain = flowsim.run(SEA, days=60, seed=3).summary
    assert extract(summarise(other.baseline)) == extract(plain)  # the baseline is the scenario
    assert extract(summarise(other.package))["deaths.sea"] != extract(plain)["deaths.sea"]
    frame = other.frame()
    assert frame["day"] == 60 and len(frame["package"]["date"]) == 60


def test_page_steps_and_resets(monkeypatch):
    monkeypatch.setenv("FLOWSIM_DASHBOARD_SCENARIOS", f'["{SEA}"]')
    _, rc = solara.render(Page(), handle_error=False)
    rc.find(v.Html, children=["day 0 of 60 (2020-01-01)"]).assert_single()
    rc.find(v.Btn, children=["Step a week"]).widget.click()
    rc.find(v.Html, children=["day 7 of 60 (2020-01-07)"]).wait_for(timeout=30)
    rc.find(v.Btn, children=["Reset"]).widget.click()
    rc.find(v.Html, children=["day 0 of 60 (2020-01-01)"]).wait_for(timeout=30)


# -- the server --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> set[str]:
    """Local addresses listening on ``port`` (from /proc/net/tcp and tcp6)."""
    out = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(name):
            continue
        with open(name) as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                addr, p = local.split(":")
                if int(p, 16) == port and state == "0A":  # LISTEN
                    if len(addr) == 8:
                        out.add(socket.inet_ntoa(bytes.fromhex(addr)[::-1]))
                    else:
                        out.add(addr)
    return out


def _serve(*args: str, env: dict) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "flowsim", "dashboard", str(SEA), "--port",
                             str(port), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 90
    while not _listening(port) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    return proc, port


def test_server_listens_on_localhost_unless_told():
    """Variables that would make uvicorn or Solara listen everywhere are ignored: only --host
    opens the dashboard to the network."""
    env = dict(os.environ, HOST="0.0.0.0", SOLARA_HOST="0.0.0.0", UVICORN_HOST="0.0.0.0")
    proc, port = _serve(env=env)
    try:
        assert _listening(port) == {"127.0.0.1"}
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out
    assert "warning" not in err
    proc, port = _serve("--host", "0.0.0.0", env=dict(os.environ))
    try:
        assert _listening(port) == {"0.0.0.0"}
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "warning: listening on 0.0.0.0" in err


def test_bad_dashboard_options(capsys):
    from flowsim.cli import main

    assert main(["dashboard", "no_such_scenario"]) == 2
    assert "scenario file not found" in capsys.readouterr().err
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        assert main(["dashboard", "--port", str(busy)]) == 2
    assert "cannot listen there" in capsys.readouterr().err
