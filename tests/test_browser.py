"""What a browser shows: the dashboard and a report, in Debian's Chromium driven by Playwright.

Chromium comes from the system (``apt-get install -y chromium``, done by .ci/run); nothing is
downloaded. Screenshots are kept in ``test-artifacts/`` (or ``$FLOWSIM_ARTIFACTS``).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO

SEA = REPO / "tests" / "sea_levers.toml"
ARTIFACTS = Path(os.environ.get("FLOWSIM_ARTIFACTS", REPO / "test-artifacts"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]  # fmt: skip


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Chromium not found: install Debian's chromium (apt-get install -y chromium), "
                "as .ci/run does")  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Console:
    """Console errors and failed requests of a page."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))


def _shot(page, name: str, full: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard():
    """``flowsim dashboard`` offering the small test scenario and the default one."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "flowsim", "dashboard", str(SEA),
                             "central_mediterranean", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    yield url
    proc.terminate()
    proc.communicate(timeout=30)


def _kpi(page, label: str) -> tuple[str, str]:
    """(this package, baseline) of a row of the outcome table."""
    row = page.locator(".flowsim-kpis tr", has_text=label).first
    cells = row.locator("td").all_inner_texts()
    return cells[1], cells[2]


def _deaths_svg(page) -> str:
    """The deaths chart as SVG text (Solara shows it as an image of a blob). Charts are PNG
    while a run plays and SVG once it pauses or ends, when the flow map is drawn: wait for it."""
    page.locator(".flowsim-map img").first.wait_for(timeout=60_000)
    img = page.locator(".flowsim-deaths img").first
    img.wait_for(timeout=30_000)
    return img.evaluate("async el => await (await fetch(el.src)).text()")


def test_dashboard_runs_and_compares_with_the_baseline(browser, dashboard):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    console = Console(page)
    page.goto(dashboard, timeout=90_000)
    page.get_by_text("day 0 of 60 (2020-01-01)").wait_for(timeout=90_000)
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("day 60 of 60").wait_for(timeout=120_000)
    # the baseline beside the package: two series on the same seed, equal while nothing changed
    svg = _deaths_svg(page)
    assert "this package" in svg and "baseline" in svg
    package, baseline = _kpi(page, "deaths at sea")
    assert package == baseline
    before = svg
    # no rescue at all in the first sea zone: the package starts again and differs
    slider = page.get_by_role("slider").first
    slider.focus()
    slider.press("Home")
    page.locator(".flowsim-changes", has_text="policy.rescue.capacity").wait_for(timeout=30_000)
    page.get_by_text("day 0 of 60").wait_for(timeout=30_000)
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("day 60 of 60").wait_for(timeout=120_000)
    package, baseline = _kpi(page, "deaths at sea")
    assert package != baseline
    assert _deaths_svg(page) != before  # the deaths chart changed
    page.locator(".flowsim-map img").first.wait_for(timeout=60_000)  # the map once it ends
    _shot(page, "dashboard-test-scenario.png", full=True)
    assert not console.errors, console.errors


def test_dashboard_default_scenario_for_the_readme(browser, dashboard):
    """The default scenario, a few weeks in, with a lever moved: the README's picture."""
    page = browser.new_page(viewport={"width": 1500, "height": 1150})
    console = Console(page)
    page.goto(dashboard, timeout=90_000)
    page.get_by_text("day 0 of 60").wait_for(timeout=90_000)
    page.locator(".v-select", has_text="scenario").first.click()
    page.locator(".v-list-item", has_text="central_mediterranean").first.click()
    page.get_by_text("day 0 of 365 (2016-01-01)").wait_for(timeout=90_000)
    slider = page.get_by_role("slider").first  # rescue capacity off Libya
    slider.focus()
    for _ in range(30):  # from 6 to 3 boats a day, in steps of 0.1
        slider.press("ArrowLeft")
    page.locator(".flowsim-changes", has_text="libyan_sar = 3").wait_for(timeout=60_000)
    for day in (7, 14, 21, 28):  # a first step may compile kernels in the server (~35 s cold)
        page.get_by_role("button", name="Step a week").click()
        page.get_by_text(f"day {day} of 365").wait_for(timeout=240_000)
    page.locator(".flowsim-map img").first.wait_for(timeout=60_000)
    svg = _deaths_svg(page)
    assert "this package" in svg and "baseline" in svg
    _shot(page, "dashboard.png")
    assert not console.errors, console.errors


def test_report_of_a_comparison_in_the_browser(browser, tmp_path):
    from flowsim.experiments import compare
    from flowsim.report import write_report

    pkg = tmp_path / "no_rescue.toml"
    pkg.write_text("[policy.rescue]\ncapacity = 0\n")
    compare(SEA, {"no_rescue": pkg}, seeds=3, days=40, out=tmp_path / "cmp", workers=1,
            charts=False)  # fmt: skip
    report = write_report(tmp_path / "cmp")
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    console = Console(page)
    page.goto(report.as_uri())
    for section in ("question", "comparison", "over-time", "assumptions", "provenance"):
        assert page.locator(f"section#{section}").count() == 1, section
    images = page.locator("img")
    assert images.count() >= 8
    widths = page.eval_on_selector_all("img", "els => els.map(e => e.complete && e.naturalWidth)")
    assert all(w and w > 300 for w in widths), widths
    text = page.inner_text("body")
    assert "no_rescue" in text and re.search(r"deaths\.sea", text)
    _shot(page, "report.png")
    _shot(page, "report-full.png", full=True)
    assert not console.errors, console.errors
