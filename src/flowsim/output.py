"""Results of a run: ``summary.json``, the tidy daily ``timeseries``, written atomically."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from flowsim.model import DECIDING, Model
from flowsim.population import LEGAL_CHANNELS, STATUS_NAMES, Flag, Status
from flowsim.rules import EVENT_NAMES
from flowsim.scenario import Scenario


@dataclass
class Result:
    summary: dict[str, Any]
    timeseries: pd.DataFrame  # tidy: day, date, scope, id, variable, value
    model: Model = field(repr=False)
    overrides: Any = None  # as given to run(), for provenance.json
    started: dt.datetime | None = None

    @property
    def indicators(self) -> pd.DataFrame:
        """Model-level daily indicators (one row a day) from the Mesa DataCollector."""
        return self.model.datacollector.get_model_vars_dataframe().set_index("day")

    def write(self, out: str | Path, charts: bool = True, dpi: int = 120) -> Path:
        """Write the result folder (replacing an older flowsim result there, never another
        folder): see :func:`write_outputs`."""
        return write_outputs(self, Path(out), charts=charts, dpi=dpi)

    def write_to(self, out: Path, *, charts: bool, stage: Path, overrides: Any,
                 dpi: int = 120) -> Path:  # fmt: skip
        return write_outputs(self, out, charts=charts, stage=stage, overrides=overrides,
                             dpi=dpi)  # fmt: skip


def run(
    scenario: Scenario | str | Path,
    *,
    days: int | None = None,
    seed: int | None = None,
    overrides: dict[str, Any] | list[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Result:
    """Run a scenario (object, path or bundled name) and return its summary and timeseries."""
    from flowsim.check import require_memory
    from flowsim.scenario import load_scenario, with_overrides

    started = dt.datetime.now(dt.UTC)
    spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    spec = with_overrides(spec, overrides)
    require_memory(spec, days)  # before anything is allocated
    model = Model(spec, seed=seed, days=days)
    model.run(progress=progress)
    return Result(summary=summarise(model), timeseries=timeseries(model), model=model,
                  overrides=overrides, started=started)  # fmt: skip


def summarise(m: Model) -> dict[str, Any]:
    from flowsim import __version__

    status = dict(zip(STATUS_NAMES, (int(x) for x in m.status_counts()), strict=True))
    totals = dict(zip(EVENT_NAMES, (int(x) for x in m.events_by_day.sum(axis=0)), strict=True))
    arrivals_by_node = m.arrivals_by_day.sum(axis=0)
    deaths_sea = totals["dead_sea"] + totals["missing_sea"]
    deaths_land = totals["dead_land"] + totals["missing_land"]
    return {
        "flowsim_version": __version__,
        "scenario": m.scenario.simulation.name,
        "scenario_file": m.scenario.source,
        "seed": m.seed,
        "days": m.day,
        "start_date": m.start_date.isoformat(),
        "end_date": (m.start_date + dt.timedelta(days=m.day - 1)).isoformat(),
        "persons_per_agent": m.scenario.simulation.persons_per_agent,
        "agents_total": int(m.pop.n),
        "by_status": status,
        "deaths": {"sea": deaths_sea, "land": deaths_land, "total": deaths_sea + deaths_land},
        "missing": {"sea": totals["missing_sea"], "land": totals["missing_land"]},
        "arrivals": {
            "total": totals["arrivals"],
            "by_node": {
                m.net.node_ids[k]: int(arrivals_by_node[k])
                for k in np.flatnonzero(arrivals_by_node)
            },
        },
        "totals": totals,
        "sea": sea_summary(m, totals),
        "protection": protection_summary(m, totals),
        "solutions": solutions_summary(m, totals, status),
        "information": information_summary(m, totals),
        "pullback": pullback_summary(m, totals),
        "sharing": sharing_summary(m, totals),
        "observed": m.observation.summary(m),  # what authorities recorded (agents)
        "rules": m.adaptive.summary(m),  # adaptive policy: activations and releases
    }


def sea_summary(m: Model, totals: dict[str, int]) -> dict[str, Any]:
    """Sea outcomes (agents); deaths include the missing, as in ``deaths``."""
    attempts, arrivals = totals["sea_attempts"], totals["sea_arrivals"]
    scale = m.scenario.simulation.persons_per_agent  # fares are per person
    lost = totals["dead_sea"] + totals["missing_sea"]
    return {
        "attempts": attempts,
        "boats": totals["boats"],
        "arrivals": arrivals,
        "dead": totals["dead_sea"],
        "missing": totals["missing_sea"],
        "rescued": totals["rescued"],
        "intercepted": totals["intercepted"],
        "pulled_back": totals["pulled_back"],
        "refouled": totals["refouled"],
        "screened_in": totals["screened_in"],
        "forced_overboard": totals["forced_overboard"],
        "deaths_per_attempt": lost / attempts if attempts else None,
        "deaths_per_arrival": lost / arrivals if arrivals else None,
        "smuggler_revenue": round(float(m.revenue_by_day[: m.day].sum()) * scale, 2),  # USD
        "departures_by_hub": {
            m.net.node_ids[k]: int(v) for k, v in enumerate(hub_departures(m).sum(axis=0)) if v
        },
    }


def protection_summary(m: Model, totals: dict[str, int]) -> dict[str, Any]:
    """Arrival and protection outcomes (agents; waits in days from lodging a claim)."""
    backlog = m.backlog_by_day[: m.day]
    stocks = m.node_status_by_day[: m.day].sum(axis=1)  # [day, status]
    flags, need = m.pop.view("flags"), m.pop.view("protection_need")
    reached_in_need = int(((flags & Flag.REACHED) > 0)[need].sum())
    protected = int(((flags & Flag.PROTECTED) > 0)[need].sum())
    first, final = m.first_wait, m.final_wait
    decisions = totals["decisions"]
    return {
        "registered": totals["registrations"],
        "claims": totals["claims"],
        "backlog": int(backlog[-1].sum()) if m.day else 0,
        "backlog_max": int(backlog.sum(axis=1).max()) if m.day else 0,
        "backlog_by_country": {
            c: int(v) for c, v in zip(m.net.country_ids, backlog[-1], strict=True) if v
        }
        if m.day
        else {},  # fmt: skip
        "decisions": decisions,
        "accelerated_decisions": totals["accelerated_decisions"],
        "prima_facie": totals["prima_facie"],
        "days_to_decision_mean": _mean_wait(first.sum(axis=0)),
        "days_to_decision_p95": _quantile_wait(first.sum(axis=0), 0.95),
        "days_to_decision_mean_in_need": _mean_wait(first[1]),
        "days_to_decision_mean_not_in_need": _mean_wait(first[0]),
        "days_to_final_decision_mean": _mean_wait(final.sum(axis=0)),
        "days_to_final_decision_p95": _quantile_wait(final.sum(axis=0), 0.95),
        "in_need_reached": reached_in_need,
        "in_need_recognized": protected,
        "protection_rate": protected / reached_in_need if reached_in_need else None,
        "recognition_rate_first_instance": (
            totals["recognized_first_instance"] / decisions if decisions else None
        ),
        "recognitions": totals["recognitions"],
        "rejections": totals["rejections"],
        "wrongful_rejections": totals["wrongful_rejections"],
        "wrongful_rejections_final": totals["wrongful_rejections_final"],
        "wrongful_recognitions": totals["wrongful_recognitions"],
        "appeals": totals["appeals"],
        "appeals_granted": totals["appeals_granted"],
        "claims_abandoned": totals["claims_abandoned"],
        "detained": totals["detentions"],
        "detention_person_days": int(stocks[:, Status.DETAINED].sum()),
        "detained_children": totals["detained_children"],
        "detained_trafficking_victims": totals["detained_trafficking_victims"],
        "alternatives_to_detention": totals["alternatives_to_detention"],
        "reception_overcapacity_person_days": int(stocks[:, Status.DESTITUTE].sum()),
        "profiled": totals["profiled"],
        "counselled": totals["counselled"],
        "trafficking_identified": totals["trafficking_identified"],
        "trafficking_missed": totals["trafficking_missed"],
        "children_identified": totals["children_identified"],
        "children_missed": totals["children_missed"],
    }


def solutions_summary(m: Model, totals: dict[str, int], status: dict[str, int]) -> dict:
    """Solutions, secondary movement, returns and legal channels (agents)."""
    legal = {
        "family_reunification": totals["legal_family_reunification"],
        "humanitarian_visas": totals["legal_humanitarian_visas"],
        "labour": totals["legal_labour"],
    }
    entries = totals["arrivals"] + sum(legal.values())
    returned = m.pop.view("returns") > 0
    return {
        "integrated": totals["integrations"],
        "resettled": totals["resettlements"],
        "repatriated": totals["repatriated"],
        "secondary_movements": totals["secondary_movements"],
        "readmitted": totals["readmitted"],
        "returns_voluntary": totals["returns_voluntary"],
        "returns_forced": totals["returns_forced"],
        "returns": totals["returns_voluntary"] + totals["returns_forced"],
        "returned_to_transit": totals["returned_to_transit"],
        "re_migrations": totals["re_migrations"],
        "returned_recrossing_now": int(_recrossing(m, returned)),
        "irregular_stay": status["irregular_stay"],
        "irregular_stays_begun": totals["irregular_stays"],
        "regularized": totals["regularizations"],
        "legal_entries": {**legal, "total": sum(legal.values())},
        "legal_migrants": int(((m.pop.view("flags") & Flag.LEGAL) > 0).sum()),
        "smuggled_arrivals": totals["smuggled_arrivals"],
        "smuggled_share": totals["smuggled_arrivals"] / entries if entries else None,
    }


def pullback_summary(m: Model, totals: dict[str, int]) -> dict[str, Any]:
    """What follows a pull-back (``rules/pullback.py``): detention in the departure country,
    deaths there, where the released went, and later boardings by people pulled back before."""
    stocks = m.node_status_by_day[: m.day].sum(axis=1)  # [day, status]
    return {
        "detained": totals["detained_after_pullback"],
        "detention_person_days": int(stocks[:, Status.DETAINED_AFTER_PULLBACK].sum()),
        "in_detention_now": int(stocks[-1, Status.DETAINED_AFTER_PULLBACK]) if m.day else 0,
        "dead_in_detention": totals["dead_detention"],
        "released_to_try_again": totals["released_to_try_again"],
        "moved_back_to_transit": totals["moved_back_to_transit"],
        "returned_home": totals["returned_home_after_pullback"],
        "re_attempts": totals["re_attempts"],
    }


def sharing_summary(m: Model, totals: dict[str, int]) -> dict[str, Any]:
    """Responsibility sharing (``rules/sharing.py``, ``rules/disembarkation.py``): relocation,
    shared processing, disembarkation sharing, and the backlog and reception pressure of each
    country at the end."""
    countries = m.net.country_ids
    last = m.node_status_by_day[m.day - 1] if m.day else m.node_status  # [node, status]
    node_country = m.net.node_country
    places = m.levers["reception_capacity"][max(m.day - 1, 0)]
    housed = m.occupancy
    by_country = {}
    for c, cid in enumerate(countries):
        at = node_country == c
        cap = float(places[at].sum())
        need = float(housed[at].sum()) + int(last[at, Status.DESTITUTE].sum())
        by_country[cid] = {
            "backlog": int(m.backlog_by_day[m.day - 1, c]) if m.day else 0,
            "destitute": int(last[at, Status.DESTITUTE].sum()),
            "housed": int(housed[at].sum()),
            "reception_pressure": _round(need / cap) if 0 < cap < np.inf else None,
        }
    return {
        "relocated": totals["relocated"],
        "relocations_refused": totals["relocations_refused"],
        "relocated_moved_on": totals["relocated_moved_on"],
        "shared_decisions": totals["shared_decisions"],
        "disembarked_shared": totals["disembarked_shared"],
        "disembarked_by_country": {
            cid: int(n)
            for cid, n in zip(countries, m.disembarkation.shared_by_country, strict=True)
        },
        "by_country": by_country,
    }


def information_summary(m: Model, totals: dict[str, int]) -> dict[str, Any]:
    """Beliefs about the sea and the welcome at destinations against the truth; awareness;
    deterrence; campaigns."""
    status, flags, aware = m.pop.view("status"), m.pop.view("flags"), m.pop.view("aware")
    alive = ~np.isin(status, [Status.DEAD, Status.MISSING, Status.RESETTLED])
    errors = m.belief_error_by_day[: m.day]
    hubs = [m.net.node_ids[h] for h in m.net.hub_nodes]
    dests = [m.net.node_ids[n] for n in m.net.destination_nodes]
    deciding = np.isin(status, DECIDING)

    def by_id(ids: list[str], rows: np.ndarray) -> dict[str, float]:
        """{id: mean of the rows' column}, rounded; {} without rows or columns."""
        return dict(zip(ids, map(_round, rows.mean(axis=0)), strict=True)) if rows.size else {}

    return {
        "belief_error": _last(errors),
        "belief_error_mean": _mean(errors),
        "true_sea_risk_by_hub": by_id(hubs, m.true_risk[None, :]),
        "believed_sea_risk_by_hub": by_id(hubs, m.beliefs.risk()[deciding]),
        "welcome_error": _last(m.welcome_error_by_day[: m.day]),
        "welcome_error_mean": _mean(m.welcome_error_by_day[: m.day]),
        "true_welcome_by_node": by_id(dests, m.true_welcome[None, :]),
        "believed_welcome_by_node": by_id(dests, m.beliefs.welcome()[deciding]),
        "outcomes_reported": int(m.information.welcome_seen.sum()),
        "aware_of_legal_channels": (
            float(((aware[alive] & LEGAL_CHANNELS) > 0).mean()) if alive.any() else None
        ),
        "departures_deterred": int(((flags & Flag.DETERRED) > 0).sum()),
        "deterred_at_origin": int(
            (((flags & Flag.DETERRED) > 0) & (status == Status.AT_ORIGIN)).sum()
        ),
        "campaign_reach": {c.name: c.reached for c in m.information.campaigns},
        "deaths_noticed": totals["deaths_noticed"],
        "conversations": totals["conversations"],
    }


def _last(series: np.ndarray) -> float | None:
    return _round(series[-1]) if series.size and np.isfinite(series[-1]) else None


def _mean(series: np.ndarray) -> float | None:
    return _round(np.nanmean(series)) if np.isfinite(series).any() else None


def _round(x: float) -> float:
    return round(float(x), 6)


def _recrossing(m: Model, returned: np.ndarray) -> int:
    """People returned or deported (as rejected) who, at the end, wait to cross or are at sea
    again: a snapshot of re-crossings under way, not a count over the run."""
    status = m.pop.view("status")
    again = (status == Status.WAITING_TO_CROSS) | (status == Status.AT_SEA)
    return int((again & returned).sum())


def _mean_wait(hist: np.ndarray) -> float | None:
    n = hist.sum()
    return round(float((hist * np.arange(hist.size)).sum() / n), 2) if n else None


def _quantile_wait(hist: np.ndarray, q: float) -> int | None:
    n = hist.sum()
    return int(np.searchsorted(np.cumsum(hist), q * n)) if n else None


def hub_departures(m: Model) -> np.ndarray:
    """[day, node] people boarding boats at each embarkation hub."""
    out = np.zeros((m.day, m.net.n_nodes), np.int64)
    for e in m.net.sea_edges:
        out[:, m.net.edge_src[e]] += m.edge_flow_by_day[: m.day, e]
    return out


def timeseries(m: Model) -> pd.DataFrame:
    """Tidy daily table: model stocks, events, smugglers' revenue and the asylum backlog; node
    stocks, arrivals and (at embarkation hubs) sea departures; edge flows; backlog by country;
    the mean gap between believed and true sea risk (parts per million)."""
    days = np.arange(m.day)
    dates = pd.to_datetime(m.start_date) + pd.to_timedelta(days, unit="D")
    stocks = m.node_status_by_day[: m.day]
    hubs = np.unique(m.net.edge_src[m.net.sea_edges])
    revenue = np.round(
        m.revenue_by_day[: m.day, None, None] * m.scenario.simulation.persons_per_agent
    )
    parts = [
        _block(days, dates, "model", ["all"], STATUS_NAMES, stocks.sum(axis=1)[:, None, :]),
        _block(days, dates, "model", ["all"], EVENT_NAMES, m.events_by_day[: m.day, None, :]),
        _block(days, dates, "node", m.net.node_ids, STATUS_NAMES, stocks),
        _block(
            days, dates, "node", m.net.node_ids, ["arrivals"], m.arrivals_by_day[: m.day, :, None]
        ),
        _block(days, dates, "edge", m.net.edge_ids, ["flow"], m.edge_flow_by_day[: m.day, :, None]),
        _block(days, dates, "model", ["all"], ["smuggler_revenue"], revenue),
        _block(
            days,
            dates,
            "node",
            [m.net.node_ids[h] for h in hubs],
            ["sea_departures"],
            hub_departures(m)[:, hubs, None],
        ),  # fmt: skip
        _block(
            days,
            dates,
            "model",
            ["all"],
            ["backlog"],
            m.backlog_by_day[: m.day].sum(axis=1)[:, None, None],
        ),  # fmt: skip
        _block(
            days,
            dates,
            "country",
            m.net.country_ids,
            ["backlog"],
            m.backlog_by_day[: m.day, :, None],
        ),  # fmt: skip
    ]
    errors = np.stack([m.belief_error_by_day[: m.day], m.welcome_error_by_day[: m.day]], axis=1)
    ppm = np.nan_to_num(errors * 1e6).round()  # integers, like the rest
    parts.append(_block(days, dates, "model", ["all"], ["belief_error_ppm", "welcome_error_ppm"],
                        ppm[:, None, :]))  # fmt: skip
    if len(m.net.hub_nodes):  # the risk of a crossing from each hub: true (as sailed) and believed
        risk = np.stack([m.true_risk_by_day[: m.day], m.believed_risk_by_day[: m.day]], axis=2)
        hubs_ids = [m.net.node_ids[h] for h in m.net.hub_nodes]
        parts.append(_block(days, dates, "node", hubs_ids, ["true_sea_risk_ppm",
                            "believed_sea_risk_ppm"], np.nan_to_num(risk * 1e6, nan=-1).round()))  # fmt: skip
    # what authorities recorded, the truth by zone and country, and the rules of adaptive policy
    for scope, ids, variables, values in m.observation.series(m) + m.adaptive.series(m):
        parts.append(_block(days, dates, scope, ids, variables, values))
    return pd.concat(parts, ignore_index=True)


def _block(days, dates, scope: str, ids: list[str], variables: list[str], values: np.ndarray):
    """Long rows for a [day, id, variable] array."""
    d, i, v = values.shape
    return pd.DataFrame(
        {
            "day": np.repeat(days, i * v),
            "date": np.repeat(dates, i * v),
            "scope": scope,
            "id": np.tile(np.repeat(np.asarray(ids, dtype=object), v), d),
            "variable": np.tile(np.asarray(variables, dtype=object), d * i),
            "value": values.reshape(-1).astype(np.int64),
        }
    )


# -- writing ------------------------------------------------------------------------------------


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_outputs(result: Result, out: Path, charts: bool = True, stage: Path | None = None,
                  overrides: Any = None, dpi: int = 120) -> Path:  # fmt: skip
    """Write the result folder: ``timeseries.csv``, the charts, ``scenario.toml`` (the effective
    scenario), ``provenance.json`` and ``summary.json``, all into a staging folder that replaces
    ``out`` only when everything is written (``flowsim.resultdir``). ``stage``: a staging
    folder made beforehand (the command line makes it before the run, to fail early)."""
    from flowsim.resultdir import provenance, staged, write_provenance, write_scenario

    with staged(out, stage=stage) as d:
        atomic_write(d / "timeseries.csv", lambda p: result.timeseries.to_csv(p, index=False))
        if charts:
            from flowsim.charts import ChartData, write_charts

            data = ChartData(result.model.scenario, result.timeseries,
                             label=f"seed {result.model.seed}")  # fmt: skip
            write_charts(data, d, dpi=dpi)
        m = result.model
        write_scenario(d, m.scenario)
        record = provenance(
            "run", scenario=m.scenario, seeds=[m.seed], days=m.day,
            overrides=overrides if overrides is not None else result.overrides,
            started=result.started or dt.datetime.now(dt.UTC),
        )  # fmt: skip
        write_provenance(d, record)
        text = json.dumps(result.summary, indent=2)
        atomic_write(d / "summary.json", lambda p: p.write_text(text + "\n", encoding="utf-8"))
    return out
