"""How fast the workshop dashboard shows a year: load the page, press Run, wait for the last day.

    python benchmarks/dashboard.py [SCENARIO] [--repeat 3] [--port 8799]

Starts ``flowsim dashboard SCENARIO`` (default: the bundled default scenario), opens it in
Debian's Chromium with Playwright, and times (1) from opening the page to the first screen and
(2) from pressing Run to the text "day N of N": the package and the baseline are both simulated
and the charts are redrawn as the run goes. Repeats with a fresh page each time (the server's
kernels are compiled before the first timing). Needs ``pip install ".[test]"`` and Chromium.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import time

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="central_mediterranean")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--port", type=int, default=8799)
    args = ap.parse_args()

    import flowsim

    days = flowsim.load_scenario(args.scenario).simulation.days
    flowsim.run(args.scenario, days=2, seed=1)  # compile the kernels before the server starts
    server = subprocess.Popen([sys.executable, "-m", "flowsim", "dashboard", args.scenario,
                               "--port", str(args.port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", args.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        from playwright.sync_api import sync_playwright

        results = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
            for k in range(args.repeat):
                page = browser.new_page(viewport={"width": 1500, "height": 1100})
                t0 = time.perf_counter()
                page.goto(f"http://127.0.0.1:{args.port}/", timeout=120_000)
                page.get_by_text(f"day 0 of {days}").wait_for(timeout=120_000)
                loaded = time.perf_counter() - t0
                t0 = time.perf_counter()
                page.get_by_role("button", name="Run", exact=True).click()
                page.get_by_text(f"day {days} of {days}").wait_for(timeout=600_000)
                year = time.perf_counter() - t0
                results.append({"run": k + 1, "page_s": round(loaded, 2),
                                "run_to_last_day_s": round(year, 2)})  # fmt: skip
                print(json.dumps(results[-1]), flush=True)
                # let the server finish the page (the SVG charts and the flow map drawn at the
                # end) before the next page: otherwise the next run shares the cores with it
                page.locator(".flowsim-map img").first.wait_for(timeout=120_000)
                page.close()
            browser.close()
        best = min(r["run_to_last_day_s"] for r in results)
        print(json.dumps({"scenario": args.scenario, "days": days, "best_s": best,
                          "median_s": sorted(r["run_to_last_day_s"] for r in results)[
                              len(results) // 2]}))  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
