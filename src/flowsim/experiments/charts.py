"""Charts of many runs: packages over time, paired differences, sweeps, sensitivity indices.

Each ``*_figure`` function builds a figure (the report embeds it); ``write_*`` saves it as PNG and
SVG. Lines and bands follow ``flowsim.charts``: median over seeds, band from the 5th to the 95th
percentile, counts in persons, the Okabe-Ito palette.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from flowsim.charts import (  # noqa: E402
    CYCLE,
    OKABE_ITO,
    STATUS_GROUPS,
    ChartData,
    _axes,
    _line,
    savefig,
)
from flowsim.outcomes import describe  # noqa: E402


def save(fig, out: Path, name: str, dpi: int = 120) -> list[Path]:
    """``name``.png and ``name``.svg in ``out``, each written atomically; the figure is closed."""
    from flowsim.output import atomic_write

    paths = []
    for ext in ("png", "svg"):
        path = out / f"{name}.{ext}"
        atomic_write(path, lambda p, ext=ext: savefig(fig, p, dpi, ext))
        paths.append(path)
    plt.close(fig)
    return paths


SERIES_PANELS = [
    ("deaths at sea since the start", ["dead_sea", "missing_sea"], True),
    ("arrivals at the end of a route, since the start", ["arrivals"], True),
    ("asylum claims pending", ["backlog"], False),
    ("people in the asylum and reception system",
     STATUS_GROUPS["in the asylum and reception system"], False),
]  # fmt: skip


def series_figure(ts: pd.DataFrame, scenario, title: str):
    """Key series of every package (median and 5-95% band over the seeds)."""
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), sharex=True, layout="constrained")
    packages = list(dict.fromkeys(ts["package"]))
    for ax, (label, variables, cum) in zip(axes.flat, SERIES_PANELS, strict=True):
        for k, name in enumerate(packages):
            part = ChartData(scenario, ts[ts["package"] == name].drop(columns="package"))
            _line(ax, part.per_seed(variables), CYCLE[k % len(CYCLE)], name, cum)
        ax.set_title(label, fontsize=10, loc="left")
        _axes(ax, "persons")
    axes.flat[0].legend(fontsize=8, frameon=False, loc="upper left")
    n = ts["seed"].nunique()
    fig.suptitle(f"{title}: packages over time (median over {n} seeds, band 5th-95th "
                 "percentile)", fontsize=11)  # fmt: skip
    return fig


def comparison_figure(table: pd.DataFrame, title: str):
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
            colour = OKABE_ITO["green"] if better else OKABE_ITO["vermillion"] if worse else \
                "#777777"  # fmt: skip
            ax.errorbar(r["diff"], yy, xerr=[[r["diff"] - lo], [hi - r["diff"]]], fmt="o",
                        color=colour, capsize=3, ms=5)  # fmt: skip
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y, packages, fontsize=8)
        ax.set_ylim(-0.6, len(packages) - 0.4)
        unit = "%-points" if o.unit.startswith("share") else o.unit
        ax.set_title(f"{outcome}\n({o.better} is better)" if o.better != "neither"
                     else outcome, fontsize=9)  # fmt: skip
        ax.set_xlabel(f"difference from base ({unit})", fontsize=8)
        if o.unit.startswith("share"):
            ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
                lambda v, _: f"{100 * v:+.1f}"))  # fmt: skip
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(outcomes) :]:
        ax.set_visible(False)
    fig.suptitle(f"{title}: difference from the base, mean over seeds with its 95% interval\n"
                 "(green: better, vermillion: worse, grey: the interval includes 0, or no "
                 "direction is better)", fontsize=10)  # fmt: skip
    return fig


def sweep_figure(samples: pd.DataFrame, factors: list[str], outcome: str, title: str):
    """An outcome's mean over seeds at each sample, against each factor."""
    o = describe(outcome)
    cols = min(3, len(factors))
    rows = int(np.ceil(len(factors) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows),
                             layout="constrained", squeeze=False)  # fmt: skip
    for ax, factor in zip(axes.flat, factors, strict=False):
        x = samples[factor]
        if x.dtype == object:
            codes = {v: i for i, v in enumerate(dict.fromkeys(x))}
            ax.scatter(x.map(codes), samples[outcome], s=14, color=OKABE_ITO["blue"])
            ax.set_xticks(list(codes.values()), list(codes), fontsize=8)
        else:
            ax.scatter(x, samples[outcome], s=14, color=OKABE_ITO["blue"])
        ax.set_xlabel(factor, fontsize=8)
        ax.set_ylabel(f"{outcome} ({o.unit})", fontsize=8)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(factors) :]:
        ax.set_visible(False)
    fig.suptitle(f"{title}: {o.meaning}\n(mean over seeds, one point per sample)", fontsize=10)
    return fig


def sensitivity_figure(indices: pd.DataFrame, outcome: str, method: str, title: str):
    """Morris mu* (with its interval) and sigma, or Sobol S1 and ST with intervals, by factor."""
    part = indices[indices["outcome"] == outcome]
    o = describe(outcome)
    keys = ("mu_star", "sigma") if method == "morris" else ("ST", "S1")
    main = part[part["index"] == keys[0]].sort_values("value")
    factors = list(main["factor"])
    y = np.arange(len(factors))
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(factors) + 1.9), layout="constrained")
    for j, (key, colour) in enumerate(zip(keys, (OKABE_ITO["blue"], OKABE_ITO["orange"]),
                                          strict=True)):  # fmt: skip
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
                 fontsize=10, loc="left")  # fmt: skip
    ax.grid(axis="x", alpha=0.3)
    return fig


def write_series(ts, scenario, out: Path, title: str, dpi: int = 120) -> list[Path]:
    return save(series_figure(ts, scenario, title), out, "series", dpi)


def write_comparison(table: pd.DataFrame, out: Path, title: str, dpi: int = 120) -> list[Path]:
    return save(comparison_figure(table, title), out, "comparison", dpi)


def write_sweep(samples, factors, outcomes, out: Path, title: str, dpi: int = 120) -> list[Path]:
    paths = []
    for k, outcome in enumerate(outcomes):
        fig = sweep_figure(samples, factors, outcome, title)
        paths += save(fig, out, f"sweep_{k + 1:02d}_{_slug(outcome)}", dpi)
    return paths


def write_sensitivity(indices, outcomes, method: str, out: Path, title: str,
                      dpi: int = 120) -> list[Path]:  # fmt: skip
    paths = []
    for k, outcome in enumerate(outcomes):
        if (indices["outcome"] == outcome).any():
            fig = sensitivity_figure(indices, outcome, method, title)
            paths += save(fig, out, f"sensitivity_{k + 1:02d}_{_slug(outcome)}", dpi)
    return paths


def _index_label(key: str) -> str:
    return {"mu_star": "mu* (mean absolute elementary effect)",
            "sigma": "sigma (interactions, non-linearity)",
            "ST": "ST (total effect)", "S1": "S1 (first order)"}[key]  # fmt: skip


def _slug(path: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in path).strip("_")[:60]
