"""Charts of a run (matplotlib, no screen needed): stocks, deaths, and a flow map."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from flowsim.network import SEA  # noqa: E402
from flowsim.population import STATUS_NAMES  # noqa: E402

STATUS_COLOURS = {
    "at_origin": "#9e9e9e",
    "in_transit": "#1f77b4",
    "waiting_to_cross": "#17becf",
    "at_sea": "#2ca02c",
    "stranded": "#ff7f0e",
    "arrived": "#bcbd22",
    "in_reception": "#8c564b",
    "dead": "#d62728",
    "missing": "#7f0000",
    "in_procedure": "#9467bd",
    "destitute": "#e377c2",
    "detained": "#393b79",
    "recognized": "#006d2c",
    "rejected": "#636363",
    "in_trafficking_protection": "#ce6dbd",
    "in_child_protection": "#9c9ede",
    "integrated": "#98df8a",
    "resettled": "#aec7e8",
    "returned_voluntary": "#c49c94",
    "returned_forced": "#843c39",
    "irregular_stay": "#f7b6d2",
    "legal_migrant": "#dbdb8d",
    "regularized": "#c5b0d5",
}
ROLE_COLOURS = {
    "origin": "#7f7f7f",
    "transit": "#1f77b4",
    "embarkation": "#17becf",
    "first_asylum": "#9467bd",
    "camp": "#9467bd",
    "destination": "#2ca02c",
}

Writer = Callable[[Path, Callable[[Path], None]], None]


def write_charts(model, ts: pd.DataFrame, out: Path, atomic_write: Writer,
                 dpi: int = 120) -> list[Path]:  # fmt: skip
    paths = []
    charts = (("stocks", stocks), ("deaths", deaths), ("protection", protection),
              ("information", information), ("flow_map", flow_map))  # fmt: skip
    for name, draw in charts:
        fig = draw(model, ts)
        path = out / f"{name}.png"
        atomic_write(path, lambda p, fig=fig: fig.savefig(p, dpi=dpi, format="png"))
        plt.close(fig)
        paths.append(path)
    return paths


def _model_series(ts: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    rows = ts[(ts["scope"] == "model") & ts["variable"].isin(variables)]
    return rows.pivot(index="date", columns="variable", values="value").reindex(columns=variables)


def _title(model, what: str) -> str:
    scale = model.scenario.simulation.persons_per_agent
    unit = "persons" if scale == 1 else f"agents (1 agent = {scale:g} persons)"
    return f"{model.scenario.simulation.name}: {what} ({unit}, seed {model.seed})"


def stocks(model, ts: pd.DataFrame):
    wide = _model_series(ts, STATUS_NAMES)
    fig, ax = plt.subplots(figsize=(10, 5.5), layout="constrained")
    ax.stackplot(
        wide.index, wide.T.values, labels=STATUS_NAMES,
        colors=[STATUS_COLOURS[s] for s in STATUS_NAMES], alpha=0.9,
    )  # fmt: skip
    ax.set_title(_title(model, "people by status"))
    ax.set_ylabel("count")
    ax.legend(loc="upper left", fontsize=8, ncols=3)
    ax.margins(x=0)
    return fig


def deaths(model, ts: pd.DataFrame):
    names = ["dead_land", "missing_land", "dead_sea", "missing_sea"]
    wide = _model_series(ts, names)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True, layout="constrained")
    colours = ["#ff9896", "#d62728", "#9edae5", "#1f3b73"]
    weekly = wide.rolling(7, min_periods=1).mean()
    for name, colour in zip(names, colours, strict=True):
        ax1.plot(weekly.index, weekly[name], label=name.replace("_", " "), color=colour, lw=1.2)
    ax1.set_title(_title(model, "deaths and missing"))
    ax1.set_ylabel("per day (7-day mean)")
    ax1.legend(fontsize=8, ncols=4)
    sea = (wide["dead_sea"] + wide["missing_sea"]).cumsum()
    land = (wide["dead_land"] + wide["missing_land"]).cumsum()
    ax2.plot(wide.index, sea, label="at sea (dead + missing)", color="#1f3b73")
    ax2.plot(wide.index, land, label="on land (dead + missing)", color="#d62728")
    ax2.set_ylabel("cumulative")
    ax2.legend(fontsize=8)
    ax2.margins(x=0)
    return fig


def protection(model, ts: pd.DataFrame):
    """The asylum backlog by country, and the people in the protection system by status."""
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True, layout="constrained")
    rows = ts[(ts["scope"] == "country") & (ts["variable"] == "backlog")]
    wide = rows.pivot(index="date", columns="id", values="value")
    wide = wide.loc[:, wide.max() > 0]
    for country in wide.columns:
        ax1.plot(wide.index, wide[country], label=country.replace("_", " "), lw=1.2)
    ax1.set_title(_title(model, "asylum backlog (pending claims incl. appeals) by country"))
    ax1.set_ylabel("pending claims")
    if len(wide.columns):
        ax1.legend(fontsize=8, ncols=4)
    names = ["in_reception", "in_procedure", "destitute", "detained", "recognized", "rejected",
             "in_trafficking_protection", "in_child_protection"]  # fmt: skip
    stocks_ = _model_series(ts, names)
    for name in names:
        ax2.plot(stocks_.index, stocks_[name], label=name.replace("_", " "),
                 color=STATUS_COLOURS[name], lw=1.2)  # fmt: skip
    ax2.set_ylabel("people")
    ax2.legend(fontsize=8, ncols=4)
    ax2.margins(x=0)
    return fig


def information(model, ts: pd.DataFrame):
    """Believed vs true risk of a sea crossing from each hub, for people still deciding."""
    fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
    dates = pd.to_datetime(model.start_date) + pd.to_timedelta(np.arange(model.day), unit="D")
    hubs = [model.net.node_ids[h] for h in model.net.hub_nodes]
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, hub in enumerate(hubs):
        colour = colours[k % len(colours)]
        ax.plot(dates, 100 * model.true_risk_by_day[: model.day, k], color=colour, lw=1.6,
                label=f"{hub}: true")  # fmt: skip
        ax.plot(dates, 100 * model.believed_risk_by_day[: model.day, k], color=colour, lw=1.2,
                ls="--", label=f"{hub}: believed")  # fmt: skip
    ax.set_title(_title(model, "risk of dying on a crossing: believed (people deciding) vs true"))
    ax.set_ylabel("% of people who sail")
    if hubs:
        ax.legend(fontsize=8, ncols=4)
    ax.margins(x=0)
    return fig


def flow_map(model, ts: pd.DataFrame):
    net = model.net
    flows = model.edge_flow_by_day[: model.day].sum(axis=0).astype(float)
    fig, ax = plt.subplots(figsize=(9, 8), layout="constrained")
    widest = flows.max() if flows.size and flows.max() > 0 else 1.0
    for k in range(net.n_edges):
        a, b = net.edge_src[k], net.edge_dst[k]
        sea = net.edge_mode[k] == SEA
        width = 0.5 + 9.5 * flows[k] / widest
        ax.plot(
            [net.node_lon[a], net.node_lon[b]], [net.node_lat[a], net.node_lat[b]],
            color="#1f77b4" if sea else "#8c564b", lw=width, alpha=0.55,
            ls="--" if flows[k] == 0 else "-", solid_capstyle="round", zorder=1,
        )  # fmt: skip
    for k, node in enumerate(model.scenario.nodes):
        colour = ROLE_COLOURS.get(_main_role(node.roles), "#333333")
        ax.scatter(net.node_lon[k], net.node_lat[k], s=60, color=colour, zorder=3,
                   edgecolor="black", lw=0.5)  # fmt: skip
        label = (node.name or node.id).split(" (")[0]  # the place, without the explanation
        ax.annotate(label, (net.node_lon[k], net.node_lat[k]), fontsize=8,
                    xytext=(4, 4), textcoords="offset points", zorder=4)  # fmt: skip
    for role, colour in ROLE_COLOURS.items():
        if role != "camp":
            ax.scatter(
                [], [], color=colour, label=role.replace("_", " "), edgecolor="black", lw=0.5
            )
    ax.plot([], [], color="#8c564b", lw=3, label="land/air leg")
    ax.plot([], [], color="#1f77b4", lw=3, label="sea leg")
    ax.legend(fontsize=8, loc="best")
    ax.margins(0.08)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_aspect(1.0 / max(np.cos(np.radians(np.mean(net.node_lat))), 0.2))
    ax.set_title(_title(model, f"flows over {model.day} days, width ~ people per leg"))
    return fig


def _main_role(roles: list[str]) -> str:
    for role in ("destination", "first_asylum", "camp", "embarkation", "origin", "transit"):
        if role in roles:
            return role
    return roles[0]
