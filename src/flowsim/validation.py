"""Validation against observed camp counts, measured as Flee measures it (the ARD).

ARD(t) = Σ_camps |sim − obs| / Σ_camps obs (Averaged Relative Difference), and the rescaled
variant with the simulated camp counts scaled so their total equals the observed total that day;
each is averaged over all days of the run. ``validate_flee`` runs a Flee case in forced-inflow
mode over several seeds and reports mean ± sd over seeds of the time-averaged ARDs, and each
camp's share of them (``ard_terms``: the camp's |sim − obs| / Σ obs, which add up to the ARD).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from flowsim.errors import ScenarioError
from flowsim.flee import load_flee_case
from flowsim.model import Model
from flowsim.output import atomic_write
from flowsim.population import PROTECTION_STATUSES


def ard(sim: np.ndarray, obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Daily ARD and rescaled ARD for [day, camp] arrays of simulated and observed counts."""
    obs_total = obs.sum(axis=1)
    sim_total = sim.sum(axis=1)
    safe = np.where(obs_total > 0, obs_total, np.nan)
    plain = np.abs(sim - obs).sum(axis=1) / safe
    scale = np.where(sim_total > 0, obs_total / np.where(sim_total > 0, sim_total, 1), 0.0)
    rescaled = np.abs(sim * scale[:, None] - obs).sum(axis=1) / safe
    return plain, rescaled


def ard_terms(sim: np.ndarray, obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each camp's part of the daily ARD and rescaled ARD, [day, camp]: |sim − obs| / Σ obs that
    day (NaN on a day with nothing observed); summed over camps they give ``ard``."""
    obs_total = obs.sum(axis=1)
    sim_total = sim.sum(axis=1)
    safe = np.where(obs_total > 0, obs_total, np.nan)[:, None]
    scale = np.where(sim_total > 0, obs_total / np.where(sim_total > 0, sim_total, 1), 0.0)
    return np.abs(sim - obs) / safe, np.abs(sim * scale[:, None] - obs) / safe


def camp_counts(model: Model, camp_nodes: list[int]) -> np.ndarray:
    """[day, camp] agents at each camp (in any protection status there) at the end of each day."""
    stocks = model.node_status_by_day[: model.day][:, camp_nodes]
    return stocks[..., list(PROTECTION_STATUSES)].sum(axis=-1) * (
        model.scenario.simulation.persons_per_agent
    )


def validate_flee(
    input_dir: str | Path,
    validation_dir: str | Path,
    *,
    seeds: int = 10,
    out: str | Path | None = None,
    overrides: dict | list | None = None,
    progress=None,
    inflow: str | Path | None = None,
) -> dict[str, Any]:
    """Run a Flee case over ``seeds`` seeds and compare its camps with the observed counts (the
    camps of data_layout.csv that are camps in locations.csv); ``inflow``: an inflow file in
    place of the camp counts' rises (``flowsim.flee.read_inflow``)."""
    scenario, case = load_flee_case(input_dir, validation_dir, overrides, inflow=inflow)
    sim_ = scenario.simulation
    names, obs = case.camps, case.observed
    if not names:
        raise ScenarioError(f"{Path(validation_dir) / 'data_layout.csv'}: no camp of it is a camp "
                            "in locations.csv: nothing to compare")  # fmt: skip
    by_name = {n.name: k for k, n in enumerate(scenario.nodes)}
    camps = [by_name[n] for n in names]
    Model(scenario, seed=0, days=2).run()  # load the compiled kernels before timing anything
    per_seed, sims, steps, seconds = [], [], 0, 0.0
    by_camp = np.zeros((2, len(names)))
    for seed in range(1, seeds + 1):
        model = Model(scenario, seed=seed)
        t0 = time.perf_counter()
        for _ in range(model.days):
            model.step()
            steps += model.pop.n
        seconds += time.perf_counter() - t0
        sim = camp_counts(model, camps)
        plain, rescaled = ard(sim, obs)
        per_seed.append((float(np.nanmean(plain)), float(np.nanmean(rescaled))))
        if np.isfinite(plain).any():
            terms = ard_terms(sim, obs)
            by_camp += [np.nanmean(t, axis=0) for t in terms]
        sims.append(sim)
        if progress is not None:
            progress(seed)
    a = np.array(per_seed)
    result = {
        "case": sim_.name,
        "input_dir": str(input_dir),
        "validation_dir": str(validation_dir),
        "seeds": seeds,
        "days": sim_.days,
        "ard_mean": float(a[:, 0].mean()),
        "ard_sd": float(a[:, 0].std(ddof=1)) if seeds > 1 else 0.0,
        "ard_rescaled_mean": float(a[:, 1].mean()),
        "ard_rescaled_sd": float(a[:, 1].std(ddof=1)) if seeds > 1 else 0.0,
        "ard_by_seed": [p[0] for p in per_seed],
        "ard_rescaled_by_seed": [p[1] for p in per_seed],
        "agent_steps_per_s": steps / seconds if seconds > 0 else None,
        "camps": names,
        "ard_by_camp": dict(zip(names, (by_camp[0] / seeds).tolist(), strict=True)),
        "ard_rescaled_by_camp": dict(zip(names, (by_camp[1] / seeds).tolist(), strict=True)),
    }
    if out is not None:
        write_validation(Path(out), result, np.array(sims), obs, sim_.start_date)
    return result


def write_validation(out: Path, result: dict, sims: np.ndarray, obs: np.ndarray, start) -> None:
    """Charts per camp (simulated mean and range over seeds vs observed), then validation.json."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    out.mkdir(parents=True, exist_ok=True)
    (out / "validation.json").unlink(missing_ok=True)
    dates = pd.date_range(start, periods=obs.shape[0], freq="D")
    for k, name in enumerate(result["camps"]):
        fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        ax.fill_between(dates, sims[:, :, k].min(axis=0), sims[:, :, k].max(axis=0),
                        color="#1f77b4", alpha=0.25, label="simulated, range over seeds")  # fmt: skip
        ax.plot(dates, sims[:, :, k].mean(axis=0), color="#1f77b4", label="simulated, mean")
        ax.plot(dates, obs[:, k], color="black", lw=1.5, ls="--", label="observed (UNHCR)")
        ax.set_title(f"{result['case']}: {name}")
        ax.set_ylabel("people in camp")
        ax.legend(fontsize=8)
        path = out / f"camp_{name.replace(' ', '_')}.png"
        atomic_write(path, lambda p, fig=fig: fig.savefig(p, dpi=110, format="png"))
        plt.close(fig)
    text = json.dumps(result, indent=2)
    atomic_write(out / "validation.json", lambda p: p.write_text(text + "\n", encoding="utf-8"))
