"""Charts of many runs: bands over seeds, paired differences, sweeps and sensitivity indices.

Time series show the median over seeds and a band from the 5th to the 95th percentile (90% of
the seeds' days fall inside). Counts are persons. Colours are the Okabe-Ito palette, which
readers with the common colour-vision deficiencies tell apart. Every chart is written as PNG and
SVG.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from flowsim.outcomes import describe  # noqa: E402

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000"]  # fmt: skip
# statuses in seven groups, in plain words (the detail stays in the data)
STATUS_GROUPS: dict[str, list[str]] = {
    "not yet left": ["at_origin"],
    "on the way": ["in_transit", "waiting_to_cross", "at_sea", "stranded", "arrived"],
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
GROUP_COLOURS = dict(zip(STATUS_GROUPS, ["#999999", "#E69F00", "#0072B2", "#009E73", "#CC79A7",
                                         "#56B4E9", "#000000"], strict=True))  # fmt: skip


def save(fig, out: Path, name: str, dpi: int = 120) -> list[Path]:
    """``name``.png and ``name``.svg in ``out``, each written atomically."""
    from flowsim.output import atomic_write

    paths = []
    for ext in ("png", "svg"):
        path = out / f"{name}.{ext}"
        atomic_write(path, lambda p, ext=ext: fig.savefig(p, dpi=dpi, format=ext))
        paths.append(path)
    plt.close(fig)
    return paths


def _per_seed(ts: pd.DataFrame, variables: list[str], scope: str = "model", ident: str = "all",
              scale: float = 1.0) -> pd.DataFrame:  # fmt: skip
    """[date, seed] of the sum of ``variables`` (persons)."""
    rows = ts[(ts["scope"] == scope) & (ts["id"] == ident) & ts["variable"].isin(variables)]
    wide = rows.pivot_table(index="date", columns="seed", values="value", aggfunc="sum")
    return wide.sort_index() * scale


def _band(ax, wide: pd.DataFrame, colour: str, label: str, cumulative: bool = False) -> None:
    data = wide.cumsum() if cumulative else wide
    q = data.quantile([0.05, 0.5, 0.95], axis=1).T
    ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.2, lw=0)
    ax.plot(q.index, q[0.5], color=colour, lw=1.6, label=label)


def _finish(ax, ylabel: str) -> None:
    ax.set_ylabel(ylabel)
    ax.set_xlabel("date")
    ax.margins(x=0)
    ax.grid(alpha=0.3)


def band_charts(ts: pd.DataFrame, out: Path, title: str, scale: float, dpi: int = 120) -> list:
    """People by status group, deaths, the asylum backlog and belief error over seeds."""
    paths = []
    n = ts["seed"].nunique()
    note = f"median over {n} seeds, band: 5th-95th percentile"

    fig, ax = plt.subplots(figsize=(10, 5.5), layout="constrained")
    for group, statuses in STATUS_GROUPS.items():
        _band(ax, _per_seed(ts, statuses, scale=scale), GROUP_COLOURS[group], group)
    ax.set_title(f"{title}: people by where they are\n({note})")
    ax.legend(fontsize=8, ncols=2, loc="upper left")
    _finish(ax, "persons")
    paths += save(fig, out, "people", dpi)

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 7), sharex=True, layout="constrained")
    sea = _per_seed(ts, ["dead_sea", "missing_sea"], scale=scale)
    land = _per_seed(ts, ["dead_land", "missing_land"], scale=scale)
    ax1.bar(sea.index, sea.mean(axis=1), width=1.0, color=OKABE_ITO[0], label="at sea")
    ax1.bar(land.index, land.mean(axis=1), width=1.0, bottom=sea.mean(axis=1),
            color=OKABE_ITO[1], label="on land")  # fmt: skip
    ax1.set_title(f"{title}: deaths and missing\n(top: per day, mean over {n} seeds; bottom: "
                  f"cumulative, {note})")  # fmt: skip
    ax1.legend(fontsize=8)
    _finish(ax1, "persons a day")
    _band(ax2, sea, OKABE_ITO[0], "at sea (dead and missing)", cumulative=True)
    _band(ax2, land, OKABE_ITO[1], "on land (dead and missing)", cumulative=True)
    ax2.legend(fontsize=8, loc="upper left")
    _finish(ax2, "persons, cumulative")
    paths += save(fig, out, "deaths", dpi)

    fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
    _band(ax, _per_seed(ts, ["backlog"], scale=scale), OKABE_ITO[3], "all countries")
    countries = ts[(ts["scope"] == "country") & (ts["variable"] == "backlog")]
    top = countries.groupby("id")["value"].max().sort_values(ascending=False)
    for k, c in enumerate([c for c in top.index if top[c] > 0][:4]):
        _band(ax, _per_seed(ts, ["backlog"], "country", c, scale), OKABE_ITO[4 + k % 4],
              c.replace("_", " "))  # fmt: skip
    ax.set_title(f"{title}: asylum claims pending (first instance and appeal)\n({note})")
    ax.legend(fontsize=8, loc="upper left")
    _finish(ax, "pending claims (persons)")
    paths += save(fig, out, "backlog", dpi)

    fig, ax = plt.subplots(figsize=(10, 4.5), layout="constrained")
    err = _per_seed(ts, ["belief_error_ppm"]) / 1e4  # ppm -> percentage points
    _band(ax, err, OKABE_ITO[2], "mean gap, believed vs true sea risk")
    ax.set_title(f"{title}: what people on their way believe about the risk at sea\n({note})")
    ax.legend(fontsize=8, loc="upper left")
    _finish(ax, "percentage points")
    paths += save(fig, out, "belief_error", dpi)
    return paths


def series_by_package(ts: pd.DataFrame, out: Path, title: str, scale: float,
                      dpi: int = 120) -> list:  # fmt: skip
    """Key series of every package (median and 5-95% band over the seeds)."""
    panels = [
        ("deaths at sea, cumulative", ["dead_sea", "missing_sea"], True),
        ("arrivals at the end of a route, cumulative", ["arrivals"], True),
        ("asylum claims pending", ["backlog"], False),
        ("people in the asylum and reception system",
         STATUS_GROUPS["in the asylum and reception system"], False),
    ]  # fmt: skip
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), sharex=True, layout="constrained")
    packages = list(dict.fromkeys(ts["package"]))
    for ax, (label, variables, cum) in zip(axes.flat, panels, strict=True):
        for k, name in enumerate(packages):
            part = ts[ts["package"] == name]
            _band(ax, _per_seed(part, variables, scale=scale), OKABE_ITO[k % 8], name, cum)
        ax.set_title(label, fontsize=10)
        _finish(ax, "persons")
    axes.flat[0].legend(fontsize=8, loc="upper left")
    n = ts["seed"].nunique()
    fig.suptitle(f"{title}: packages over time (median over {n} seeds, band 5th-95th percentile)")
    return save(fig, out, "series", dpi)


def comparison_chart(table: pd.DataFrame, out: Path, title: str, dpi: int = 120) -> list:
    """Each outcome's paired difference from the base with its 95% interval, per package."""
    others = table[table["package"] != table["package"].iloc[0]]
    outcomes = list(dict.fromkeys(table["outcome"]))
    packages = list(dict.fromkeys(others["package"]))
    cols = 3 if len(outcomes) > 4 else max(1, len(outcomes))
    rows = int(np.ceil(len(outcomes) / cols))
    height = max(2.0, 0.45 * len(packages) + 1.2)
    fig, axes = plt.subplots(rows, cols, figsize=(4.4 * cols, height * rows),
                             layout="constrained", squeeze=False)  # fmt: skip
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        o = describe(outcome)
        part = others[others["outcome"] == outcome].set_index("package").reindex(packages)
        y = np.arange(len(packages))[::-1]
        for yy, (_, r) in zip(y, part.iterrows(), strict=True):
            if not np.isfinite(r["diff"]):
                continue
            lo = r["lo"] if np.isfinite(r["lo"]) else r["diff"]
            hi = r["hi"] if np.isfinite(r["hi"]) else r["diff"]
            better = (o.better == "lower" and hi < 0) or (o.better == "higher" and lo > 0)
            worse = (o.better == "lower" and lo > 0) or (o.better == "higher" and hi < 0)
            colour = OKABE_ITO[2] if better else OKABE_ITO[5] if worse else "#777777"
            ax.errorbar(r["diff"], yy, xerr=[[r["diff"] - lo], [hi - r["diff"]]], fmt="o",
                        color=colour, capsize=3, ms=5)  # fmt: skip
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y, packages, fontsize=8)
        ax.set_ylim(-0.6, len(packages) - 0.4)
        ax.set_title(f"{outcome}\n({o.unit}; {o.better} is better)" if o.better != "neither"
                     else f"{outcome}\n({o.unit})", fontsize=9)  # fmt: skip
        ax.set_xlabel("difference from base", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(outcomes) :]:
        ax.set_visible(False)
    fig.suptitle(f"{title}: difference from the base package, mean over seeds with 95% "
                 "interval\n(green: better, orange: worse, grey: interval includes 0 or no "
                 "direction)", fontsize=10)  # fmt: skip
    return save(fig, out, "comparison", dpi)


def sweep_charts(samples: pd.DataFrame, factors: list[str], outcomes: list[str], out: Path,
                 title: str, dpi: int = 120) -> list:  # fmt: skip
    """For each outcome, its mean over seeds at each sample against each factor."""
    paths = []
    for k, outcome in enumerate(outcomes):
        o = describe(outcome)
        cols = min(3, len(factors))
        rows = int(np.ceil(len(factors) / cols))
        fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows),
                                 layout="constrained", squeeze=False)  # fmt: skip
        for ax, factor in zip(axes.flat, factors, strict=False):
            x = samples[factor]
            if x.dtype == object:
                codes = {v: i for i, v in enumerate(dict.fromkeys(x))}
                ax.scatter(x.map(codes), samples[outcome], s=14, color=OKABE_ITO[0])
                ax.set_xticks(list(codes.values()), list(codes), fontsize=8)
            else:
                ax.scatter(x, samples[outcome], s=14, color=OKABE_ITO[0])
            ax.set_xlabel(factor, fontsize=8)
            ax.set_ylabel(f"{outcome} ({o.unit})", fontsize=8)
            ax.grid(alpha=0.3)
        for ax in list(axes.flat)[len(factors) :]:
            ax.set_visible(False)
        fig.suptitle(f"{title}: {o.meaning} (mean over seeds, one point per sample)", fontsize=10)
        paths += save(fig, out, f"sweep_{k + 1:02d}_{_slug(outcome)}", dpi)
    return paths


def sensitivity_chart(indices: pd.DataFrame, outcome: str, method: str, out: Path, title: str,
                      number: int, dpi: int = 120) -> list:  # fmt: skip
    """Morris mu* (with its interval) and sigma, or Sobol S1 and ST with intervals, by factor."""
    part = indices[indices["outcome"] == outcome]
    o = describe(outcome)
    keys = ("mu_star", "sigma") if method == "morris" else ("ST", "S1")
    main = part[part["index"] == keys[0]].sort_values("value")
    factors = list(main["factor"])
    y = np.arange(len(factors))
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(factors) + 1.8), layout="constrained")
    for j, (key, colour) in enumerate(zip(keys, (OKABE_ITO[0], OKABE_ITO[1]), strict=True)):
        rows = part[part["index"] == key].set_index("factor").reindex(factors)
        conf = rows["conf"].fillna(0).to_numpy()
        ax.barh(y + (j - 0.5) * 0.38, rows["value"], height=0.38, color=colour,
                xerr=conf if np.any(conf) else None, capsize=3, label=_index_label(key))  # fmt: skip
    ax.set_yticks(y, factors, fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    ax.legend(fontsize=8, loc="lower right")
    unit = f" ({o.unit})" if method == "morris" else " (share of variance)"
    ax.set_xlabel(f"{method} index{unit}", fontsize=9)
    ax.set_title(f"{title}: what drives {outcome}\n{o.meaning}; bars: 95% intervals",
                 fontsize=10)  # fmt: skip
    ax.grid(axis="x", alpha=0.3)
    return save(fig, out, f"sensitivity_{number:02d}_{_slug(outcome)}", dpi)


def _index_label(key: str) -> str:
    return {"mu_star": "mu* (mean absolute elementary effect)",
            "sigma": "sigma (interactions, non-linearity)",
            "ST": "ST (total effect)", "S1": "S1 (first order)"}[key]  # fmt: skip


def _slug(path: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in path).strip("_")[:60]
