"""``flowsim dashboard``: a Solara app for workshops.

A facilitator chooses a bundled scenario, sets the main levers with sliders and selects (built
from the lever catalogue in ``flowsim.levers``), and runs, steps, pauses or resets the
simulation while the room watches deaths at sea, arrivals by destination and where people are,
for the package on screen and, beside it, the baseline (the scenario as it is) on the same seed.
Changing a lever starts the package again from day 0 (the baseline keeps its days); the flow map
is drawn when the run pauses or ends. Each browser tab has its own models (no shared state).

The server is started by ``flowsim dashboard`` (``serve``) and listens on 127.0.0.1 unless
``--host`` says otherwise.
"""

from __future__ import annotations

import dataclasses
import math
import os
import threading
import time
from html import escape
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402
import solara  # noqa: E402

from flowsim.charts import GROUP_COLOURS, OKABE_ITO, STATUS_GROUPS  # noqa: E402

CHUNK_DAYS = 5  # days simulated between two looks at the models
REDRAW_SECONDS = 2.0  # the charts are redrawn at most this often while running (and drawing
# takes at most a quarter of the time); while running they are PNG (three times faster to draw
# than SVG), SVG with text once the run pauses or ends


# -- the levers on screen, from the lever catalogue --------------------------------------------


@dataclasses.dataclass(frozen=True)
class LeverWidget:
    """One slider: a lever for one id (or everywhere), its range, step and starting value."""

    path: str  # lever path
    ident: str | None  # the id it sets (None: a lever with one value)
    label: str
    unit: str
    lo: float
    hi: float
    step: float
    value: float  # the scenario's value on day 0 (inf: unlimited)
    choose: bool = False  # the id is picked in a select (many ids)
    ids: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.path if self.ident is None else f"{self.path}.{self.ident}"


MAIN_LEVERS = (
    "policy.rescue.capacity",
    "policy.interception.rate",
    "policy.interception.screening",
    "policy.enforcement.level",
    "policy.reception.capacity",
    "policy.asylum.capacity",
    "policy.legal.labour_quota",
)
PER_ID = ("sea zone", "embarkation node")  # a slider per id; other keys: a select and a slider


def lever_widgets(scenario) -> list[LeverWidget]:
    """The sliders for the main levers of a scenario, with their ranges from the catalogue."""
    from flowsim.levers import lever_specs
    from flowsim.network import build_graph, compile_network

    net = compile_network(scenario, build_graph(scenario))
    specs = {s["path"]: s for s in lever_specs()}
    ids_for = {
        "sea zone": list(net.zone_ids),
        "embarkation node": [net.node_ids[h] for h in net.hub_nodes],
        "node": list(net.node_ids),
        "country": list(net.country_ids),
    }
    destinations = [n.id for n in scenario.nodes if {"destination", "first_asylum", "camp"}
                    & set(n.roles)]  # fmt: skip
    out = []
    for path in MAIN_LEVERS:
        spec = specs[path]
        keyed = spec["keyed_by"]
        ids = ids_for.get(keyed, [])
        if path in ("policy.reception.capacity", "policy.legal.labour_quota"):
            ids = destinations
        if not ids:
            continue
        now = _day0(scenario, net, path, ids)
        lo, hi = spec["range"]
        finite = [v for v in now if math.isfinite(v)]
        top = _upper(path, hi, max(finite, default=0.0))
        words = path.split(".", 1)[1].replace(".", " ").replace("_", " ")
        if keyed in PER_ID:
            for ident, v in zip(ids, now, strict=True):
                out.append(LeverWidget(path, ident, f"{words}: {ident}", spec["unit"], lo, top,
                                       _step(top - lo), float(v)))  # fmt: skip
        else:
            v = now[0]
            out.append(LeverWidget(path, ids[0], words, spec["unit"], lo, top, _step(top - lo),
                                   float(v), choose=True, ids=tuple(ids)))  # fmt: skip
    return out


def current_values(widget: LeverWidget, scenario) -> dict[str, float]:
    """{id: the scenario's value on day 0} for a widget with a select (``inf`` where unlimited)."""
    from flowsim.network import build_graph, compile_network

    net = compile_network(scenario, build_graph(scenario))
    now = _day0(scenario, net, widget.path, list(widget.ids))
    return {i: float(v) for i, v in zip(widget.ids, now, strict=True)}


def _day0(scenario, net, path: str, ids: list[str]) -> np.ndarray:
    """A lever's value for each id on the first day (reception places default to capacity)."""
    from flowsim.levers import resolve

    fallback = None
    if path == "policy.reception.capacity":
        caps = dict(zip(net.node_ids, net.node_capacity, strict=True))
        fallback = [caps[i] * scenario.simulation.persons_per_agent for i in ids]
    return resolve(scenario.policy, path, ids, scenario.simulation.start_date, 1,
                   fallback=fallback)[0]  # fmt: skip


def _upper(path: str, hi: float, current: float) -> float:
    if math.isfinite(hi):
        return hi
    floor = {"policy.rescue.capacity": 20.0, "policy.asylum.capacity": 400.0,
             "policy.reception.capacity": 50_000.0, "policy.legal.labour_quota": 20_000.0}  # fmt: skip
    return float(max(floor.get(path, 100.0), 2 * current))


def _step(span: float) -> float:
    if span <= 1:
        return 0.01
    if span <= 20:
        return 0.1
    if span <= 500:
        return 1.0
    return float(10 ** max(0, math.floor(math.log10(span)) - 2))


def _clip(v: float, lo: float, hi: float) -> float:
    return float(hi if not math.isfinite(v) else min(max(v, lo), hi))


def overrides_for(values: dict[str, float], widgets: list[LeverWidget], campaign: dict,
                  scenario) -> dict[str, Any]:  # fmt: skip
    """The overrides of the package on screen: each lever moved away from the scenario's value,
    and the campaign if one is switched on."""
    start = {w.key: w.value for w in widgets}
    out = {k: v for k, v in values.items() if not (k in start and math.isclose(v, start[k]))}
    if campaign.get("on"):
        origins = [n.id for n in scenario.nodes if "origin" in n.roles]
        mine = {"name": "campaign on screen", "nodes": origins, "reach": campaign["reach"],
                "credibility": 0.6, "content": list(campaign["content"])}  # fmt: skip
        existing = [c.model_dump(exclude_none=True) for c in
                    scenario.policy.information.campaigns]  # fmt: skip
        out["policy.information.campaigns"] = existing + [mine]
    return out


# -- the models behind the screen ---------------------------------------------------------------


class Session:
    """The package and its baseline on the same seed; stepped together, day by day."""

    def __init__(self, scenario_name: str, seed: int, overrides: dict[str, Any],
                 baseline=None):  # fmt: skip
        import flowsim

        self.scenario = flowsim.load_scenario(scenario_name)
        self.seed = seed
        self.overrides = overrides
        self.baseline = baseline or flowsim.Model(self.scenario, seed=seed)
        self.package = flowsim.Model(self.scenario, seed=seed, overrides=overrides)
        self.lock = threading.Lock()

    @property
    def day(self) -> int:
        return self.package.day

    @property
    def days(self) -> int:
        return self.package.days

    @property
    def done(self) -> bool:
        return self.package.day >= self.package.days

    def advance(self, days: int) -> None:
        with self.lock:
            end = min(self.package.days, self.package.day + days)
            while self.package.day < end:
                self.package.step()
            while self.baseline.day < self.package.day:
                self.baseline.step()

    def frame(self) -> dict:
        with self.lock:
            return {"day": self.package.day, "package": _frame(self.package),
                    "baseline": _frame(self.baseline, self.package.day)}  # fmt: skip


def _frame(model, upto: int | None = None) -> dict:
    """What the charts need from a model, up to a day: model-level daily values (Mesa's
    DataCollector), arrivals by destination, the asylum backlog."""
    d = model.day if upto is None else min(upto, model.day)
    vars_ = model.datacollector.get_model_vars_dataframe().iloc[:d]
    scale = model.scenario.simulation.persons_per_agent
    arrivals = model.arrivals_by_day[:d] * scale  # [day, node]
    return {
        "date": [model.start_date + dt for dt in _days(d)],
        "vars": vars_,
        "scale": scale,
        "arrivals": {
            model.net.node_ids[k]: np.cumsum(arrivals[:, k])
            for k in np.flatnonzero(arrivals.sum(axis=0))
        },  # fmt: skip
    }


def _days(n: int):
    import datetime as dt

    return [dt.timedelta(days=k) for k in range(n)]


# -- charts (fast ones, redrawn while running) ----------------------------------------------------


def deaths_figure(frame: dict):
    fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
    for which, style in (("package", "-"), ("baseline", "--")):
        f = frame[which]
        if not len(f["vars"]):
            continue
        v = f["vars"]
        sea = ((v["dead_sea"] + v["missing_sea"]).cumsum() * f["scale"]).to_numpy()
        land = ((v["dead_land"] + v["missing_land"]).cumsum() * f["scale"]).to_numpy()
        ax.plot(f["date"], sea, ls=style, color=OKABE_ITO["blue"], lw=2,
                label=f"at sea, {'this package' if which == 'package' else 'baseline'}")  # fmt: skip
        ax.plot(f["date"], land, ls=style, color=OKABE_ITO["vermillion"], lw=1.5,
                label=f"on land, {'this package' if which == 'package' else 'baseline'}")  # fmt: skip
    ax.set_title("Deaths and missing since the start (persons)", loc="left", fontsize=11)
    _finish(ax)
    return fig


def arrivals_figure(frame: dict):
    fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
    pkg, base = frame["package"]["arrivals"], frame["baseline"]["arrivals"]
    top = sorted(pkg, key=lambda k: -pkg[k][-1] if len(pkg[k]) else 0)[:5]
    for k, node in enumerate(top):
        colour = [OKABE_ITO[c] for c in ("green", "pink", "orange", "sky", "black")][k]
        ax.plot(frame["package"]["date"], pkg[node], color=colour, lw=2,
                label=f"{node}, this package")  # fmt: skip
        if node in base:
            ax.plot(frame["baseline"]["date"], base[node], color=colour, lw=1.5, ls="--",
                    label=f"{node}, baseline")  # fmt: skip
    ax.set_title("Arrivals by destination since the start (persons)", loc="left", fontsize=11)
    _finish(ax)
    return fig


def people_figure(frame: dict):
    fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
    f = frame["package"]
    if len(f["vars"]):
        series = {g: f["vars"][s].sum(axis=1).to_numpy() * f["scale"]
                  for g, s in STATUS_GROUPS.items()}  # fmt: skip
        shown = {g: v for g, v in series.items() if v.any()}
        ax.stackplot(f["date"], list(shown.values()), labels=list(shown),
                     colors=[GROUP_COLOURS[g] for g in shown])  # fmt: skip
    ax.set_title("Where people are, this package (persons)", loc="left", fontsize=11)
    _finish(ax)
    return fig


def _finish(ax) -> None:
    ax.set_xlabel("date")
    ax.grid(alpha=0.3)
    ax.margins(x=0)
    locator = matplotlib.dates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(locator))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, frameon=False, loc="upper left")


KPIS = [
    ("deaths.sea", "deaths at sea"),
    ("sea.deaths_per_attempt", "deaths per sea attempt"),
    ("arrivals.total", "arrivals"),
    ("sea.refouled", "refouled"),
    ("protection.backlog", "asylum backlog"),
]


def kpi_rows(session: Session) -> list[dict]:
    from flowsim.outcomes import describe, extract
    from flowsim.output import summarise

    with session.lock:
        pkg = extract(summarise(session.package))
        base = extract(summarise(session.baseline))
    rows = []
    for path, label in KPIS:
        unit = describe(path).unit
        a, b = pkg.get(path, math.nan), base.get(path, math.nan)
        rows.append({"label": label, "package": _show(a, unit), "baseline": _show(b, unit),
                     "difference": _show(a - b, unit, diff=True)})  # fmt: skip
    return rows


def _show(v: float, unit: str, diff: bool = False) -> str:
    if v is None or not math.isfinite(v):
        return "–"
    if unit.startswith("share"):
        return f"{100 * v:+.2f} pp" if diff else f"{100 * v:.2f}%"
    return f"{v:+,.0f}" if diff else f"{v:,.0f}"


# -- the page ---------------------------------------------------------------------------------


SCENARIOS_ENV = "FLOWSIM_DASHBOARD_SCENARIOS"  # set by ``serve``: the scenarios to offer


def _bundled() -> list[str]:
    """The scenarios to choose from: those given to ``flowsim dashboard``, else the bundled
    ones (the default first)."""
    import json

    from flowsim.scenario import DEFAULT_SCENARIO, bundled_scenarios

    given = json.loads(os.environ.get(SCENARIOS_ENV, "[]"))
    if given:
        return given
    names = list(bundled_scenarios())
    return sorted(names, key=lambda n: (n != DEFAULT_SCENARIO, n))


def _choices() -> dict[str, str]:
    """{name shown: scenario reference}: a file's scenario is shown by its name."""
    from pathlib import Path

    out = {}
    for ref in _bundled():
        name = _load(ref).simulation.name if Path(ref).is_file() else ref
        out[name if name not in out else ref] = ref
    return out


@solara.component
def LeverPanel(widgets: list[LeverWidget], values: solara.Reactive, scenario) -> None:
    """The sliders and selects of the main levers, one group per lever."""
    chosen = solara.use_reactive({w.path: w.ident for w in widgets if w.choose})
    by_id = solara.use_memo(lambda: {w.path: current_values(w, scenario)
                                     for w in widgets if w.choose}, [scenario])  # fmt: skip
    groups: dict[str, list[LeverWidget]] = {}
    for w in widgets:
        groups.setdefault(w.path, []).append(w)
    for path, ws in groups.items():
        first = ws[0]
        words = path.split(".", 1)[1].replace(".", " ").replace("_", " ")
        _html(f"<b>{escape(words.capitalize())}</b> ({escape(first.unit)})")
        for w in ws:
            if w.choose:
                ident = chosen.value.get(w.path, w.ident)
                key, start = f"{w.path}.{ident}", by_id[w.path][ident]

                def pick(i, path=w.path):
                    chosen.set({**chosen.value, path: i})

                solara.Select(label="where", values=list(w.ids), value=ident, on_value=pick,
                              dense=True)  # fmt: skip
            else:
                ident, key, start = w.ident, w.key, w.value

            def move(v, key=key):
                values.set({**values.value, key: float(v)})

            now = values.value.get(key, start)
            shown = "unlimited" if not math.isfinite(now) else f"{now:,.4g}"
            solara.SliderFloat(label=f"{ident}: {shown}", value=_clip(now, w.lo, w.hi),
                               min=w.lo, max=w.hi, step=w.step, on_value=move,
                               thumb_label=False)  # fmt: skip


@solara.component
def Page() -> None:
    choices = solara.use_memo(_choices, [])
    names = list(choices)
    shown = solara.use_reactive(names[0])
    scenario_name = solara.use_reactive(choices[names[0]])
    seed = solara.use_reactive(1)
    values = solara.use_reactive({})
    campaign = solara.use_reactive({"on": False, "reach": 0.02, "content": ["risks"]})
    playing = solara.use_reactive(False)
    generation = solara.use_reactive(0)  # bumped by reset
    tick = solara.use_reactive(0)  # bumped when the models have moved on

    scenario = solara.use_memo(lambda: _load(scenario_name.value), [scenario_name.value])
    widgets = solara.use_memo(lambda: lever_widgets(scenario), [scenario])
    overrides = overrides_for(values.value, widgets, campaign.value, scenario)
    key = repr(sorted(overrides.items(), key=lambda kv: kv[0]))
    baseline = solara.use_memo(lambda: [None], [scenario_name.value, seed.value, generation.value])
    session = solara.use_memo(
        lambda: _session(scenario_name.value, seed.value, overrides, baseline),
        [scenario_name.value, seed.value, key, generation.value],
    )

    def run(cancel: threading.Event):
        last, gap = 0.0, REDRAW_SECONDS
        while playing.value and not session.done and not cancel.is_set():
            session.advance(CHUNK_DAYS)
            if time.monotonic() - last >= gap or session.done:
                last = time.monotonic()
                tick.set(tick.value + 1)
                # redrawing holds the interpreter: keep it to at most a quarter of the time
                gap = max(REDRAW_SECONDS, 3 * (time.monotonic() - last))
        tick.set(tick.value + 1)
        if session.done:
            playing.set(False)

    solara.use_thread(run, dependencies=[playing.value, session], intrusive_cancel=False)

    def step():
        playing.set(False)
        session.advance(7)
        tick.set(tick.value + 1)

    def reset():
        playing.set(False)
        generation.set(generation.value + 1)

    solara.Title(f"flowsim: {shown.value}")
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "16px"}):
        _html("flowsim workshop dashboard", "h2")

        def choose(name: str) -> None:
            values.set({})
            playing.set(False)
            scenario_name.set(choices[name])

        solara.Select(label="scenario", values=names, value=shown, on_value=choose,
                      style={"min-width": "260px"})  # fmt: skip
        solara.InputInt("seed (the baseline runs on the same seed)", value=seed)
    with solara.Columns([1, 2.6]):
        with solara.Column(classes=["flowsim-levers"], style={"max-height": "88vh",
                                                              "overflow-y": "auto"}):  # fmt: skip
            _html("The package on screen", "h3")
            LeverPanel(widgets, values, scenario)
            _html("<b>Information campaign at the origins</b>")
            solara.Checkbox(label="run a campaign", value=campaign.value["on"],
                            on_value=lambda v: campaign.set({**campaign.value, "on": v}))  # fmt: skip
            solara.SliderFloat("reach (share reached a day)", value=campaign.value["reach"],
                               min=0.0, max=0.2, step=0.01,
                               on_value=lambda v: campaign.set({**campaign.value, "reach": v}))  # fmt: skip
            solara.SelectMultiple("content", values=list(campaign.value["content"]),
                                  all_values=["risks", "legal_options", "protection"],
                                  on_value=lambda v: campaign.set({**campaign.value,
                                                                   "content": v or ["risks"]}))  # fmt: skip
            changes = _changes(overrides)
            _html("<b>This package changes:</b> " + (changes or "nothing yet (it is the "
                                                       "baseline)"), classes=["flowsim-changes"])  # fmt: skip
        with solara.Column():
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
                solara.Button("Run", on_click=lambda: playing.set(True),
                              disabled=playing.value or session.done, color="primary")  # fmt: skip
                solara.Button("Pause", on_click=lambda: playing.set(False),
                              disabled=not playing.value)  # fmt: skip
                solara.Button("Step a week", on_click=step,
                              disabled=playing.value or session.done)  # fmt: skip
                solara.Button("Reset", on_click=reset)
                import datetime as dt

                shown = scenario.simulation.start_date + dt.timedelta(days=max(session.day - 1, 0))
                solara.Text(f"day {session.day} of {session.days} ({shown.isoformat()})",
                            classes=["flowsim-day"])  # fmt: skip
                _ = tick.value  # redraw when the models move on
            if session.day == 0:
                _html("<i>Set the levers on the left, then press Run (or Step a week). The "
                      "baseline, the scenario as it is, runs beside the package on the same "
                      "seed.</i>")  # fmt: skip
                return
            frame = session.frame()
            chart_format = "png" if playing.value else "svg"
            _html(_kpi_table(kpi_rows(session)), classes=["flowsim-kpis"])
            with solara.Columns([1, 1]):
                with solara.Column(classes=["flowsim-deaths"]):
                    solara.FigureMatplotlib(_closing(deaths_figure(frame)), format=chart_format)
                with solara.Column(classes=["flowsim-arrivals"]):
                    solara.FigureMatplotlib(_closing(arrivals_figure(frame)), format=chart_format)
            with solara.Columns([1, 1]):
                with solara.Column(classes=["flowsim-people"]):
                    solara.FigureMatplotlib(_closing(people_figure(frame)), format=chart_format)
                with solara.Column(classes=["flowsim-map"]):
                    if playing.value:
                        _html("<i>The flow map is drawn when the run pauses or ends.</i>")
                    else:
                        solara.FigureMatplotlib(_closing(_flow_map(session)), format="png")


def _load(name: str):
    import flowsim

    return flowsim.load_scenario(name)


def _session(name: str, seed: int, overrides: dict, baseline_box: list) -> Session:
    """A new package on the same baseline (kept while scenario, seed and reset stay)."""
    s = Session(name, int(seed), overrides, baseline=baseline_box[0])
    baseline_box[0] = s.baseline
    return s


def _flow_map(session: Session):
    from flowsim.charts import ChartData, flow_map
    from flowsim.output import timeseries

    with session.lock:
        ts = timeseries(session.package)
    return flow_map(ChartData(session.scenario, ts, "this package"))


def _closing(fig):
    """Solara renders the figure at once; close it in pyplot's registry right after."""
    plt.close(fig)
    return fig


def _changes(overrides: dict) -> str:
    parts = []
    for k, v in overrides.items():
        if k == "policy.information.campaigns":
            parts.append("a campaign at the origins")
        else:
            parts.append(f"<code>{escape(k)} = {v:g}</code>")
    return ", ".join(parts)


def _html(text: str, tag: str = "div", classes: list[str] | None = None) -> None:
    """Plain HTML (Solara's Markdown would load KaTeX, which is not bundled for offline use)."""
    solara.HTML(tag=tag, unsafe_innerHTML=text, classes=classes or [])


def _kpi_table(rows: list[dict]) -> str:
    head = "".join(f"<th style='text-align:{a};padding:2px 10px'>{h}</th>" for h, a in (
        ("outcome, so far", "left"), ("this package", "right"), ("baseline", "right"),
        ("difference", "right")))  # fmt: skip
    body = "".join(
        f"<tr><td style='padding:2px 10px'>{escape(r['label'])}</td>"
        + "".join(f"<td style='text-align:right;padding:2px 10px'>{escape(r[k])}</td>"
                  for k in ("package", "baseline", "difference")) + "</tr>"
        for r in rows
    )  # fmt: skip
    return f"<table style='border-collapse:collapse'><tr>{head}</tr>{body}</table>"


# -- the server -------------------------------------------------------------------------------

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def serve(host: str = "127.0.0.1", port: int = 8765, scenarios: list[str] | None = None) -> None:
    """Run the dashboard with Solara's server (uvicorn), offline: Solara's assets come from the
    solara-assets package, no telemetry, no version check. ``scenarios``: names or paths to
    offer (default: the bundled scenarios)."""
    import json

    os.environ[SCENARIOS_ENV] = json.dumps(list(scenarios or []))
    os.environ["SOLARA_APP"] = "flowsim.dashboard:Page"
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SOLARA_CHECK_VERSION"] = "False"
    import solara.server.settings as settings
    import uvicorn

    settings.main.mode = "production"
    settings.telemetry.mixpanel_enable = False
    plt.rcParams["svg.fonttype"] = "none"  # this process shows charts: keep their text as text
    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")
