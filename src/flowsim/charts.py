"""Charts of results, fit for a brief: one run, many seeds, the report and the dashboard.

Every chart is drawn from a result's tidy daily table and its scenario (never from a live
model), so a result folder can be charted again later (``flowsim report``). Counts are persons
(agents x ``persons_per_agent``). Statuses are shown in seven groups in plain words (the detail
stays in the data). Colours are the Okabe-Ito palette, which readers with the common colour-vision
deficiencies can tell apart. With several seeds, lines are the median over seeds and bands run
from the 5th to the 95th percentile. Panels that do not apply (no sea legs) are left out; a panel
without data shows a note instead of an empty axis. Each chart is written as PNG and SVG.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402

OKABE_ITO = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "pink": "#CC79A7",
    "sky": "#56B4E9", "vermillion": "#D55E00", "yellow": "#F0E442", "black": "#000000",
    "grey": "#999999",
}  # fmt: skip
CYCLE = [OKABE_ITO[c] for c in ("blue", "orange", "green", "pink", "sky", "vermillion", "black")]
STATUS_GROUPS: dict[str, list[str]] = {
    "not yet left": ["at_origin"],
    "on the way": ["in_transit", "waiting_to_cross", "at_sea", "stranded", "arrived",
                   "detained_after_pullback"],
    "in the asylum and reception system": [
        "in_reception", "in_procedure", "destitute", "detained", "in_trafficking_protection",
        "in_child_protection",
    ],
    "protected, settled or legal": [
        "recognized", "integrated", "resettled", "legal_migrant", "regularized",
    ],
    "rejected or irregular": ["rejected", "irregular_stay"],
    "returned home": ["returned_voluntary", "returned_forced"],
    "dead or missing": ["dead", "missing"],
}  # fmt: skip
GROUP_COLOURS = dict(zip(STATUS_GROUPS, [OKABE_ITO[c] for c in (
    "grey", "orange", "blue", "green", "pink", "sky", "black")], strict=True))  # fmt: skip
DEATH_KINDS = {  # event -> (label, colour)
    "dead_sea": ("died at sea", OKABE_ITO["blue"]),
    "missing_sea": ("missing at sea", OKABE_ITO["sky"]),
    "dead_land": ("died on land", OKABE_ITO["vermillion"]),
    "missing_land": ("missing on land", OKABE_ITO["orange"]),
}
ROLE_STYLE = {  # main role -> (marker, colour, label)
    "origin": ("s", OKABE_ITO["grey"], "origin"),
    "transit": ("o", OKABE_ITO["orange"], "transit"),
    "embarkation": ("^", OKABE_ITO["blue"], "departure hub (sea)"),
    "first_asylum": ("D", OKABE_ITO["pink"], "first asylum or camp"),
    "camp": ("D", OKABE_ITO["pink"], "first asylum or camp"),
    "destination": ("*", OKABE_ITO["green"], "destination"),
}
FORMATS = ("png", "svg")


@dataclass
class ChartData:
    """What the charts need: the scenario (network, coordinates), its daily table and scale."""

    scenario: object  # flowsim.Scenario
    ts: pd.DataFrame  # tidy daily table; a ``seed`` column when there are several seeds
    label: str = ""  # e.g. "seed 3" or "20 seeds"

    def __post_init__(self) -> None:
        if "seed" not in self.ts.columns:
            self.ts = self.ts.assign(seed=0)
        self.ts = self.ts.assign(date=pd.to_datetime(self.ts["date"]))

    @property
    def name(self) -> str:
        return self.scenario.simulation.name

    @property
    def scale(self) -> float:
        return float(self.scenario.simulation.persons_per_agent)

    @property
    def seeds(self) -> int:
        return int(self.ts["seed"].nunique())

    @property
    def days(self) -> int:
        return int(self.ts["day"].max()) + 1 if len(self.ts) else 0

    @property
    def has_sea(self) -> bool:
        return any(e.mode == "sea" for e in self.scenario.edges)

    def per_seed(self, variables: list[str], scope: str = "model", ident: str = "all",
                 persons: bool = True) -> pd.DataFrame:  # fmt: skip
        """[date, seed]: the sum of ``variables`` for one scope and id, in persons."""
        ts = self.ts
        rows = ts[(ts["scope"] == scope) & (ts["id"] == ident) & ts["variable"].isin(variables)]
        wide = rows.pivot_table(index="date", columns="seed", values="value", aggfunc="sum")
        return wide.sort_index() * (self.scale if persons else 1.0)

    def subtitle(self, extra: str = "") -> str:
        parts = [self.label] if self.label else []
        if self.seeds > 1:
            parts.append(f"line: median of {self.seeds} seeds, band: 5th to 95th percentile")
        if extra:
            parts.append(extra)
        return "; ".join(parts)


def _title(ax, data: ChartData, what: str, extra: str = "") -> None:
    sub = data.subtitle(extra)
    ax.set_title(f"{data.name}: {what}" + (f"\n{sub}" if sub else ""), fontsize=11, loc="left")


def _axes(ax, ylabel: str, xlabel: str = "date") -> None:
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    locator = matplotlib.dates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(locator))
    ax.grid(alpha=0.3, lw=0.6)
    ax.margins(x=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _note(ax, text: str) -> None:
    """A panel without data says why instead of showing an empty axis."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=11, color="#444444",
            transform=ax.transAxes, wrap=True)  # fmt: skip


def _line(ax, wide: pd.DataFrame, colour: str, label: str, cumulative: bool = False,
          ls: str = "-") -> None:  # fmt: skip
    """One series: the line itself for one seed; median and 5-95% band for several."""
    data = wide.cumsum() if cumulative else wide
    if data.shape[1] == 1:
        ax.plot(data.index, data.iloc[:, 0], color=colour, lw=1.8, label=label, ls=ls)
        return
    q = data.quantile([0.05, 0.5, 0.95], axis=1).T
    ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.2, lw=0)
    ax.plot(q.index, q[0.5], color=colour, lw=1.8, label=label, ls=ls)


def _thousands(ax) -> None:
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))


# -- the charts -------------------------------------------------------------------------------


def people(data: ChartData):
    """Where everyone is, day by day, in seven groups."""
    fig, ax = plt.subplots(figsize=(10, 5.2), layout="constrained")
    groups = {g: data.per_seed(s) for g, s in STATUS_GROUPS.items()}
    if data.seeds == 1:
        shown = {g: w.iloc[:, 0] for g, w in groups.items() if w.to_numpy().any()}
        ax.stackplot(next(iter(groups.values())).index, list(shown.values()),
                     labels=list(shown), colors=[GROUP_COLOURS[g] for g in shown],
                     alpha=0.9)  # fmt: skip
    else:
        for g, w in groups.items():
            if w.to_numpy().any():
                _line(ax, w, GROUP_COLOURS[g], g)
    _title(ax, data, "where people are, day by day")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], fontsize=8, loc="upper left", frameon=False,
              bbox_to_anchor=(1.0, 1.0))  # fmt: skip
    _axes(ax, "persons")
    _thousands(ax)
    return fig


def deaths(data: ChartData):
    """Deaths per day as bars (a single wreck stays visible), dead and missing apart, and the
    cumulative toll at sea and on land."""
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 7), sharex=True, layout="constrained")
    series = {k: data.per_seed([k]) for k in DEATH_KINDS}
    if not any(w.to_numpy().any() for w in series.values()):
        _note(ax1, "No deaths or disappearances in this run.")
        _note(ax2, "")
        ax1.set_title(f"{data.name}: deaths and missing", fontsize=11, loc="left")
        return fig
    bottom = None
    for k, (label, colour) in DEATH_KINDS.items():
        mean = series[k].mean(axis=1)
        if not mean.any():
            continue
        ax1.bar(mean.index, mean, width=1.0, bottom=bottom, color=colour, label=label, lw=0)
        bottom = mean if bottom is None else bottom + mean
    what = "persons a day" if data.seeds == 1 else f"persons a day, mean of {data.seeds} seeds"
    _title(ax1, data, "deaths and missing, per day and in total")
    ax1.legend(fontsize=8, frameon=False, ncols=4, loc="upper left")
    _axes(ax1, what, xlabel="")
    sea = series["dead_sea"].add(series["missing_sea"], fill_value=0)
    land = series["dead_land"].add(series["missing_land"], fill_value=0)
    if data.has_sea:
        _line(ax2, sea, OKABE_ITO["blue"], "at sea (died and missing)", cumulative=True)
    _line(ax2, land, OKABE_ITO["vermillion"], "on land (died and missing)", cumulative=True)
    ax2.legend(fontsize=8, frameon=False, loc="upper left")
    _axes(ax2, "persons since the start")
    _thousands(ax2)
    return fig


PROTECTION_GROUPS = {
    "in reception or a procedure": ["in_reception", "in_procedure"],
    "without a reception place": ["destitute"],
    "detained": ["detained"],
    "in trafficking or child protection": ["in_trafficking_protection", "in_child_protection"],
    "recognized refugees": ["recognized"],
    "rejected": ["rejected"],
}


def protection(data: ChartData):
    """The asylum backlog by country, and people in the protection system by situation."""
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 7), sharex=True, layout="constrained")
    ts = data.ts
    backlog = ts[(ts["scope"] == "country") & (ts["variable"] == "backlog")]
    peak = backlog.groupby("id", observed=True)["value"].max().sort_values(ascending=False)
    countries = [c for c in peak.index if peak[c] > 0]
    _title(ax1, data, "asylum claims pending (first instance and appeal), by country")
    if not countries:
        _note(ax1, "No asylum claim was pending on any day.")
    else:
        for k, c in enumerate(countries[:6]):
            _line(ax1, data.per_seed(["backlog"], "country", c), CYCLE[k % len(CYCLE)],
                  c.replace("_", " ").title())  # fmt: skip
        if len(countries) > 6:
            rest = sum(data.per_seed(["backlog"], "country", c) for c in countries[6:])
            _line(ax1, rest, OKABE_ITO["grey"], f"{len(countries) - 6} other countries")
        ax1.legend(fontsize=8, frameon=False, loc="upper left")
        _axes(ax1, "pending claims (persons)", xlabel="")
        _thousands(ax1)
    groups = {g: data.per_seed(s) for g, s in PROTECTION_GROUPS.items()}
    ax2.set_title("people in the protection system, by situation", fontsize=10, loc="left")
    shown = [g for g, w in groups.items() if w.to_numpy().any()]
    if not shown:
        _note(ax2, "Nobody registered in a protection system.")
    else:
        for k, g in enumerate(shown):
            _line(ax2, groups[g], CYCLE[k % len(CYCLE)], g)
        ax2.legend(fontsize=8, frameon=False, loc="upper left", ncols=2)
        _axes(ax2, "persons")
        _thousands(ax2)
    return fig


def _hubs(data: ChartData) -> list[str]:
    ids = [n.id for n in data.scenario.nodes]
    return sorted({e.source for e in data.scenario.edges if e.mode == "sea"}, key=ids.index)


def information(data: ChartData):
    """Per departure hub: the cumulative share of all who have sailed from it who were lost,
    and the risk believed by the people still choosing their route."""
    hubs = _hubs(data)
    fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
    _title(ax, data, "risk of dying on a sea crossing, by departure hub",
           "solid: share lost among everyone who sailed so far; dashed: risk believed by people "
           "still choosing")  # fmt: skip
    shown = 0
    for k, hub in enumerate(hubs):
        colour = CYCLE[k % len(CYCLE)]
        true = data.per_seed(["true_sea_risk_ppm"], "node", hub, persons=False)
        believed = data.per_seed(["believed_sea_risk_ppm"], "node", hub, persons=False)
        if true.empty:
            continue
        shown += 1
        _line(ax, true / 1e4, colour, f"{hub}: lost so far")
        _line(ax, believed.where(believed >= 0) / 1e4, colour, f"{hub}: believed", ls="--")
    if not shown:
        _note(ax, "No daily risk records in this result (made by an older flowsim).")
        return fig
    ax.legend(fontsize=8, frameon=False, ncols=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _axes(ax, "% of the people who sail")
    return fig


def sea(data: ChartData):
    """Boardings by departure hub, week by week (where crossings start: BRIEF P1)."""
    hubs = _hubs(data)
    fig, ax = plt.subplots(figsize=(10, 4.8), layout="constrained")
    _title(ax, data, "people boarding boats, by departure hub, per week",
           "" if data.seeds == 1 else "mean over seeds")  # fmt: skip
    weekly = {}
    for hub in hubs:
        w = data.per_seed(["sea_departures"], "node", hub).mean(axis=1)
        weekly[hub] = w.resample("W-MON", label="left", closed="left").sum()
    if not weekly or not any(w.any() for w in weekly.values()):
        _note(ax, "Nobody boarded a boat.")
        return fig
    bottom = None
    for k, (hub, w) in enumerate(weekly.items()):
        ax.bar(w.index, w, width=6.0, bottom=bottom, color=CYCLE[k % len(CYCLE)], label=hub,
               align="edge", lw=0)  # fmt: skip
        bottom = w if bottom is None else bottom + w
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _axes(ax, "persons a week", "week starting")
    _thousands(ax)
    return fig


# -- the flow map -----------------------------------------------------------------------------


@cache
def _land() -> tuple[np.ndarray, np.ndarray]:
    """Natural Earth 1:50m country outlines bundled with flowsim (no download)."""
    with resources.files("flowsim").joinpath("data/countries_50m.npz").open("rb") as f:
        z = np.load(f)
        return z["points"].astype(float), z["rings"]


def _main_role(roles: list[str]) -> str:
    for role in ("destination", "first_asylum", "camp", "embarkation", "origin", "transit"):
        if role in roles:
            return role
    return roles[0]


def _edge_flows(data: ChartData) -> dict[str, float]:
    rows = data.ts[(data.ts["scope"] == "edge") & (data.ts["variable"] == "flow")]
    per_seed = (
        rows.groupby(["id", "seed"], observed=True)["value"]
        .sum()
        .groupby("id", observed=True)
        .mean()
    )
    return (per_seed * data.scale).to_dict()


def _round_width_steps(top: float) -> list[float]:
    if top <= 0:
        return []
    exp = 10 ** np.floor(np.log10(top))
    steps = [exp * f for f in (0.1, 0.3, 1.0) if exp * f <= top]
    return steps or [top]


def flow_map(data: ChartData):
    """The route network on a map: legs as arrows in the direction travelled, their width the
    persons who started them over the run; places by role; labels that never overlap (places
    crowded on a coast are labelled in an inset)."""
    sc = data.scenario
    lon = np.array([n.lon for n in sc.nodes])
    lat = np.array([n.lat for n in sc.nodes])
    span = max(lon.max() - lon.min(), lat.max() - lat.min(), 1.0)
    pad_x = max(1.5, 0.1 * (lon.max() - lon.min()))
    pad_y = max(1.5, 0.1 * (lat.max() - lat.min()))
    box = (lon.min() - pad_x, lon.max() + pad_x, lat.min() - pad_y, lat.max() + pad_y)
    fig, ax = plt.subplots(figsize=(10, 8.5), layout="constrained")
    flows = _edge_flows(data)
    legs = []
    for e in sc.edges:
        legs.append((e.id, e.source, e.target, e.mode))
        if e.both_ways:
            legs.append((f"{e.target}-{e.source}", e.target, e.source, e.mode))
    top = max([flows.get(i, 0.0) for i, *_ in legs] + [0.0])
    width = (lambda f: 0.6 + 9.0 * f / top) if top > 0 else (lambda f: 0.6)
    crowded = _crowded(sc.nodes, 0.035 * span)
    aspect = 1.0 / max(np.cos(np.radians(np.mean(lat))), 0.2)
    ax.set_aspect(aspect)
    _draw_network(ax, sc, legs, flows, width, box, skip_labels=crowded)
    if crowded:
        _inset(ax, sc, legs, flows, width, crowded, aspect)
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    handles, labels = ax.get_legend_handles_labels()
    handles += [Line2D([], [], color=LAND_LEG, lw=3), Line2D([], [], color=OKABE_ITO["blue"],
                                                             lw=3)]  # fmt: skip
    labels += ["land leg", "sea leg"]
    if any(e.mode == "air" for e in sc.edges):
        handles.append(Line2D([], [], color=OKABE_ITO["vermillion"], lw=3))
        labels.append("air leg")
    for step in _round_width_steps(top):
        handles.append(Line2D([], [], color="#555555", lw=width(step)))
        labels.append(f"{step:,.0f} persons")
    handles.append(Line2D([], [], color="#555555", lw=0.8, ls=(0, (3, 3))))
    labels.append("leg not used")
    ax.legend(handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0),
              frameon=False, title="key (line width: persons)", title_fontsize=8)  # fmt: skip
    _title(ax, data, f"who travelled where over {data.days} days",
           "arrows point the way people travelled; width: persons who started the leg"
           + ("" if data.seeds == 1 else " (mean over seeds)"))  # fmt: skip
    return fig


LAND_LEG = "#7a5c3e"


def _draw_network(ax, sc, legs, flows, width, box, skip_labels=(), fontsize=8) -> None:
    """Land, legs, places and (non-overlapping) labels inside ``box`` on ``ax``."""
    x0, x1, y0, y1 = box
    ax.set_facecolor("#eaf2f8")  # the sea
    points, rings = _land()
    for a, b in rings:
        ring = points[a:b]
        if (ring[:, 0].max() < x0 or ring[:, 0].min() > x1 or ring[:, 1].max() < y0
                or ring[:, 1].min() > y1):  # fmt: skip
            continue
        ax.fill(ring[:, 0], ring[:, 1], facecolor="#f4f1ea", edgecolor="#b8b2a7", lw=0.4,
                zorder=0)  # fmt: skip
    nodes = {n.id: n for n in sc.nodes}
    for ident, a, b, mode in legs:
        f = flows.get(ident, 0.0)
        colour = {"sea": OKABE_ITO["blue"], "air": OKABE_ITO["vermillion"]}.get(mode, LAND_LEG)
        ax.add_patch(FancyArrowPatch(
            (nodes[a].lon, nodes[a].lat), (nodes[b].lon, nodes[b].lat),
            connectionstyle="arc3,rad=0.12", arrowstyle="-|>",
            mutation_scale=7 + 1.0 * width(f), lw=width(f), color=colour,
            alpha=0.7 if f > 0 else 0.35, ls="-" if f > 0 else (0, (3, 3)), zorder=2,
            shrinkA=5, shrinkB=5,
        ))  # fmt: skip
    seen = set()
    for n in sc.nodes:
        marker, colour, label = ROLE_STYLE.get(_main_role(n.roles), ("o", "#333333", "other"))
        ax.scatter(n.lon, n.lat, s=90 if marker == "*" else 55, marker=marker, color=colour,
                   edgecolor="black", lw=0.6, zorder=4,
                   label=label if label not in seen else None)  # fmt: skip
        seen.add(label)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    inside = [n for n in sc.nodes if n.id not in skip_labels and x0 <= n.lon <= x1
              and y0 <= n.lat <= y1]  # fmt: skip
    _place_labels(ax, inside, fontsize)


def _crowded(nodes, radius: float) -> set[str]:
    """Places closer than ``radius`` degrees to another place (their labels would collide)."""
    pts = np.array([[n.lon, n.lat] for n in nodes])
    d = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    return {n.id for n, close in zip(nodes, (d < radius).any(axis=1), strict=True) if close}


def _inset(ax, sc, legs, flows, width, crowded: set[str], aspect: float) -> None:
    """A zoomed map of the crowded places, in the corner of the map with the fewest places."""
    pts = np.array([[n.lon, n.lat] for n in sc.nodes if n.id in crowded])
    pad = max(0.4, 0.25 * max(np.ptp(pts[:, 0]), np.ptp(pts[:, 1])))
    box = (pts[:, 0].min() - pad, pts[:, 0].max() + pad, pts[:, 1].min() - pad,
           pts[:, 1].max() + pad)  # fmt: skip
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    allp = np.array([[n.lon, n.lat] for n in sc.nodes])
    u = (allp[:, 0] - x0) / (x1 - x0)
    v = (allp[:, 1] - y0) / (y1 - y0)
    corners = {(0.01, 0.01): (u < 0.42) & (v < 0.42), (0.57, 0.01): (u > 0.58) & (v < 0.42),
               (0.01, 0.57): (u < 0.42) & (v > 0.58), (0.57, 0.57): (u > 0.58) & (v > 0.58)}  # fmt: skip
    corner = min(corners, key=lambda c: int(corners[c].sum()))
    inset = ax.inset_axes([corner[0], corner[1], 0.42, 0.42])
    inset.set_aspect(aspect)
    _draw_network(inset, sc, legs, flows, width, box, fontsize=7)
    inset.set_xticks([])
    inset.set_yticks([])
    ax.indicate_inset_zoom(inset, edgecolor="#444444", lw=0.8)


def _place_labels(ax, nodes, fontsize: int = 8) -> None:
    """Place names beside their markers without overlaps: adjustText moves them apart; a label
    that still overlaps another or leaves the axes is numbered, and the numbers are explained
    in a box in the axes' corner."""
    from adjustText import adjust_text

    if not nodes:
        return
    texts = [ax.text(n.lon, n.lat, (n.name or n.id).split(" (")[0], fontsize=fontsize,
                     zorder=5, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                                     "alpha": 0.8}) for n in nodes]  # fmt: skip
    adjust_text(texts, ax=ax, expand=(1.15, 1.35), ensure_inside_axes=True,
                arrowprops={"arrowstyle": "-", "color": "#666666", "lw": 0.5})  # fmt: skip
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    kept, numbered = [], []
    for n, t in zip(nodes, texts, strict=True):
        bb = t.get_window_extent(renderer)
        inside = frame.x0 <= bb.x0 and bb.x1 <= frame.x1 and frame.y0 <= bb.y0 and bb.y1 <= frame.y1
        if not inside or any(bb.overlaps(o) for o in kept):
            k = len(numbered) + 1
            t.set_text(str(k))
            t.set_position((n.lon, n.lat))
            numbered.append(f"{k} {(n.name or n.id).split(' (')[0]}")
            bb = t.get_window_extent(renderer)
        kept.append(bb)
    if numbered:
        ax.text(0.99, 0.01, "\n".join(numbered), transform=ax.transAxes, fontsize=fontsize - 1,
                ha="right", va="bottom", zorder=6,
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#999999"})  # fmt: skip


# -- writing ----------------------------------------------------------------------------------

CHARTS: dict[str, tuple[Callable, str]] = {
    "people": (people, "Where people are"),
    "deaths": (deaths, "Deaths and missing"),
    "sea": (sea, "Boardings by departure hub"),
    "protection": (protection, "Asylum backlog and the protection system"),
    "information": (information, "Risk at sea: true and believed"),
    "flow_map": (flow_map, "Flow map"),
}


def applicable(data: ChartData) -> list[str]:
    """The charts that apply to this result (no sea charts without sea legs)."""
    return [n for n in CHARTS if data.has_sea or n not in ("sea", "information")]


def figures(data: ChartData):
    """(name, figure) for every chart that applies; each figure is closed by the caller."""
    for name in applicable(data):
        yield name, CHARTS[name][0](data)


def savefig(fig, path, dpi: int, fmt: str) -> None:
    """Save a figure; in SVG the text stays text (searchable, editable in a brief)."""
    with plt.rc_context({"svg.fonttype": "none"}):
        fig.savefig(path, dpi=dpi, format=fmt)


def write_charts(data: ChartData, out: Path, dpi: int = 120,
                 formats: tuple[str, ...] = FORMATS) -> list[Path]:  # fmt: skip
    """Every applicable chart as ``name.png`` and ``name.svg`` in ``out``, written atomically."""
    from flowsim.output import atomic_write

    paths = []
    for name, fig in figures(data):
        for ext in formats:
            path = out / f"{name}.{ext}"
            atomic_write(path, lambda p, fig=fig, ext=ext: savefig(fig, p, dpi, ext))
            paths.append(path)
        plt.close(fig)
    return paths
