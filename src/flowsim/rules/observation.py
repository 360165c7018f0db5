"""What authorities record: an observation model beside the truth (10-Point Plan point 2,
seeds/001:624-626, 001:695; BRIEF P12, seeds/002:1232).

The model's own records are the truth: every arrival, death and interception. Authorities see
less, and later. Each day, after the day's records, this unit draws what is recorded of the day:

- **registered arrivals** at each node: each person whose route ended there today is recorded
  with probability ``policy.observation.arrivals_coverage`` of the node's country, on day
  ``today + registration_delay`` (a record due after the last day is never made);
- **deaths at sea** by sea zone: a death with the body found is ever reported with probability
  ``dead_reported``, a disappearance with probability ``missing_reported``, each
  ``sea_report_delay`` days later; deaths on land (and any death outside a boat) likewise by the
  country of the node the leg started from (``land_dead_reported``, ``land_missing_reported``,
  ``land_report_delay``). Reported deaths are therefore a lower bound of true deaths (P12);
- **interceptions** by sea zone: people on intercepted boats, each reported with probability
  ``interceptions_reported``, ``sea_report_delay`` days later;
- **asylum statistics** by country: claims pending (the backlog) and recognitions, complete but
  published ``asylum_delay`` days late (the backlog figure of day t is the true one of day
  t - delay).

Recording draws are binomial thinnings of the day's counts under their own key
(``Rule.OBSERVATION``), so the truth and every other rule's numbers are the same with or without
observation. Counts are agents (``persons_per_agent`` persons each), like the model's records.
Rules of adaptive policy (``rules/adaptive.py``) read only these observed arrays.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from flowsim.events import Event
from flowsim.population import Status, lowest_bit
from flowsim.rng import Rule
from flowsim.rules import Mechanism


class Observation(Mechanism):
    LEVERS = {
        "arrivals_coverage": "policy.observation.arrivals_coverage",
        "registration_delay": "policy.observation.registration_delay",
        "dead_reported": "policy.observation.dead_reported",
        "missing_reported": "policy.observation.missing_reported",
        "interceptions_reported": "policy.observation.interceptions_reported",
        "sea_report_delay": "policy.observation.sea_report_delay",
        "land_dead_reported": "policy.observation.land_dead_reported",
        "land_missing_reported": "policy.observation.land_missing_reported",
        "land_report_delay": "policy.observation.land_report_delay",
        "asylum_delay": "policy.observation.asylum_delay",
    }

    def __init__(self, model) -> None:
        super().__init__(model)
        days, net = model.days, model.net
        n_nodes, n_zones, n_c = net.n_nodes, len(net.zone_ids), len(net.country_ids)

        def zeros(n: int) -> np.ndarray:
            return np.zeros((days, n), np.int64)

        # the truth the model's other records do not keep by place (agents, by the day it
        # happened): lost at sea and intercepted by zone, lost on land and recognized by country
        self.true_dead_sea, self.true_missing_sea = zeros(n_zones), zeros(n_zones)
        self.true_intercepted = zeros(n_zones)
        self.true_dead_land, self.true_missing_land = zeros(n_c), zeros(n_c)
        self.true_recognized = zeros(n_c)
        # what is recorded, by the day it is recorded (agents)
        self.arrivals = zeros(n_nodes)
        self.dead_sea, self.missing_sea, self.intercepted = zeros(n_zones), zeros(n_zones), zeros(n_zones)  # fmt: skip
        self.dead_land, self.missing_land = zeros(n_c), zeros(n_c)
        self.recognized = zeros(n_c)
        self.backlog = zeros(n_c)  # claims pending as published on each day
        self._sea_lost = (np.zeros(n_c, np.int64), np.zeros(n_c, np.int64))  # today, by country

    def at_sea(self, model, day: int, zone: np.ndarray, lost: np.ndarray, missing: np.ndarray,
               intercepted: np.ndarray, country: np.ndarray) -> None:  # fmt: skip
        """Today's people aboard boats at sea (``sea_crossing``): the zone of each one's boat,
        whether it was lost (and missing), whether its boat was intercepted today, and the
        country of its hub."""
        n_zones, n_c = self.true_dead_sea.shape[1], self.true_dead_land.shape[1]
        dead = lost & ~missing
        gone = lost & missing
        self.true_dead_sea[day] += np.bincount(zone[dead], minlength=n_zones)
        self.true_missing_sea[day] += np.bincount(zone[gone], minlength=n_zones)
        self.true_intercepted[day] += np.bincount(zone[intercepted], minlength=n_zones)
        self._sea_lost[0][:] += np.bincount(country[dead], minlength=n_c)
        self._sea_lost[1][:] += np.bincount(country[gone], minlength=n_c)

    def step(self, model, day: int) -> None:
        """Record what authorities see of today (after the day's records)."""
        net, lv, d = model.net, model.levers, day
        a = model.pop.agents()
        dead, missing, recognized = (self.true_dead_land[d], self.true_missing_land[d],
                                     self.true_recognized[d])  # fmt: skip
        changed_today(d, a.changed, a.status, a.status_day, a.node, net.node_country, dead,
                      missing, recognized)  # fmt: skip
        dead -= self._sea_lost[0]  # lost at sea are counted by zone
        missing -= self._sea_lost[1]
        for x in self._sea_lost:
            x[:] = 0
        rng = np.random.default_rng(model.keys(Rule.OBSERVATION, d))
        c = net.node_country
        _thin(self.arrivals, d, model.arrivals_by_day[d], lv["arrivals_coverage"][d][c],
              lv["registration_delay"][d][c], rng)  # fmt: skip
        sea_delay = lv["sea_report_delay"][d]
        _thin(self.dead_sea, d, self.true_dead_sea[d], lv["dead_reported"][d], sea_delay, rng)
        _thin(self.missing_sea, d, self.true_missing_sea[d], lv["missing_reported"][d], sea_delay,
              rng)  # fmt: skip
        _thin(self.intercepted, d, self.true_intercepted[d], lv["interceptions_reported"][d],
              sea_delay, rng)  # fmt: skip
        land_delay = lv["land_report_delay"][d]
        _thin(self.dead_land, d, dead, lv["land_dead_reported"][d], land_delay, rng)
        _thin(self.missing_land, d, missing, lv["land_missing_reported"][d], land_delay, rng)
        asylum_delay = np.rint(lv["asylum_delay"][d]).astype(np.int64)
        _thin(self.recognized, d, recognized, np.ones(recognized.size), asylum_delay, rng)
        known = d - asylum_delay  # the day whose backlog is published today
        cols = np.flatnonzero(known >= 0)
        self.backlog[d, cols] = model.backlog_by_day[known[cols], cols]

    # -- for the outputs ---------------------------------------------------------------------
    def summary(self, model) -> dict:
        """``summary.json``'s ``observed``: what was recorded by the last day (agents)."""
        n, net = model.day, model.net
        arrivals = self.arrivals[:n].sum(axis=0)
        dead_sea, missing_sea = self.dead_sea[:n].sum(axis=0), self.missing_sea[:n].sum(axis=0)
        dead_land, missing_land = self.dead_land[:n].sum(), self.missing_land[:n].sum()
        sea = int(dead_sea.sum() + missing_sea.sum())
        land = int(dead_land + missing_land)
        true_sea = self.true_dead_sea[:n].sum(axis=0) + self.true_missing_sea[:n].sum(axis=0)
        true_total = int(model.events_by_day[:n, _LOST].sum())
        backlog = self.backlog[n - 1] if n else np.zeros(len(net.country_ids), np.int64)
        return {
            "arrivals": int(arrivals.sum()),
            "arrivals_by_node": _by_id(net.node_ids, arrivals),
            "deaths_reported": sea + land,
            "deaths_reported_sea": sea,
            "deaths_reported_land": land,
            "dead_reported": int(dead_sea.sum() + dead_land),
            "missing_reported": int(missing_sea.sum() + missing_land),
            "deaths_reported_share": (sea + land) / true_total if true_total else None,
            "deaths_reported_by_zone": _by_id(net.zone_ids, dead_sea + missing_sea),
            "true_deaths_by_zone": _by_id(net.zone_ids, true_sea),
            "interceptions": int(self.intercepted[:n].sum()),
            "interceptions_by_zone": _by_id(net.zone_ids, self.intercepted[:n].sum(axis=0)),
            "backlog": int(backlog.sum()),
            "backlog_by_country": _by_id(net.country_ids, backlog),
            "recognitions": int(self.recognized[:n].sum()),
        }

    def series(self, model) -> list[tuple[str, list[str], list[str], np.ndarray]]:
        """(scope, ids, variables, [day, id, variable]) blocks of the timeseries: observed
        figures by the day recorded, and the truth by zone and country they are drawn from."""
        n, net = model.day, model.net
        obs_sea = self.dead_sea[:n] + self.missing_sea[:n]
        obs_land = self.dead_land[:n] + self.missing_land[:n]
        model_rows = np.stack(
            [
                self.arrivals[:n].sum(axis=1),
                obs_sea.sum(axis=1),
                obs_land.sum(axis=1),
                (self.dead_sea[:n].sum(axis=1) + self.dead_land[:n].sum(axis=1)),
                (self.missing_sea[:n].sum(axis=1) + self.missing_land[:n].sum(axis=1)),
                self.intercepted[:n].sum(axis=1),
                self.backlog[:n].sum(axis=1),
                self.recognized[:n].sum(axis=1),
            ],
            axis=1,
        )
        true_sea = self.true_dead_sea[:n] + self.true_missing_sea[:n]
        true_land = self.true_dead_land[:n] + self.true_missing_land[:n]
        return [
            ("model", ["all"], MODEL_VARIABLES, model_rows[:, None, :]),
            ("node", net.node_ids, ["observed_arrivals"], self.arrivals[:n, :, None]),
            ("zone", net.zone_ids, ["deaths_sea", "observed_deaths_sea", "intercepted",
             "observed_interceptions"], np.stack([true_sea, obs_sea, self.true_intercepted[:n],
                                                  self.intercepted[:n]], axis=2)),
            ("country", net.country_ids, ["deaths_land", "observed_deaths_land",
             "observed_backlog", "observed_recognitions"], np.stack([true_land, obs_land,
                                                                     self.backlog[:n], self.recognized[:n]], axis=2)),
        ]  # fmt: skip


MODEL_VARIABLES = [
    "observed_arrivals",
    "observed_deaths_sea",
    "observed_deaths_land",
    "observed_dead",
    "observed_missing",
    "observed_interceptions",
    "observed_backlog",
    "observed_recognitions",
]
_LOST = [Event.DEAD_LAND, Event.MISSING_LAND, Event.DEAD_SEA, Event.MISSING_SEA]


def _by_id(ids: list[str], values: np.ndarray) -> dict[str, int]:
    return {i: int(v) for i, v in zip(ids, values, strict=True) if v}


def _thin(out: np.ndarray, day: int, true: np.ndarray, share: np.ndarray, delay: np.ndarray,
          rng: np.random.Generator) -> None:  # fmt: skip
    """Record each of today's ``true`` counts (per id) with probability ``share`` of the id,
    ``delay`` days later (days rounded; a record due after the last day is not made)."""
    n = rng.binomial(true, np.clip(share, 0.0, 1.0))
    when = day + np.rint(delay).astype(np.int64)
    ok = (when < out.shape[0]) & (n > 0)
    np.add.at(out, (when[ok], np.flatnonzero(ok)), n[ok])


@njit(cache=True)
def changed_today(day, changed, status, status_day, node, node_country, dead, missing, recognized):
    """Count, by the country of their node, the agents whose status changed today to dead,
    missing or recognized (a serial pass over the words of today's changes)."""
    for w in range(changed.shape[0]):
        bits = changed[w]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            if status_day[i] != day or node[i] < 0:
                continue
            s = status[i]
            c = node_country[node[i]]
            if s == Status.DEAD:
                dead[c] += 1
            elif s == Status.MISSING:
                missing[c] += 1
            elif s == Status.RECOGNIZED:
                recognized[c] += 1
