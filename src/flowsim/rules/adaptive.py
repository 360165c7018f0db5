"""Adaptive policy: rules that set a lever on what authorities observe (issue 16, point 3).

``[[policy.rules]]`` are data, never expressions. Each names an observed indicator (a fixed
list, :data:`flowsim.levers.INDICATORS`) and the ids it is summed over (``at``; none = all),
a ``window`` in days, a ``threshold`` and a ``release`` threshold (persons), a reaction
``delay`` in days, a lever path, the lever's ``ids`` (none = all) and a ``value``.

At the end of each day ``t`` (after the observation unit has recorded the day) a rule reads its
indicator: the sum of what was *recorded* on days ``t - window + 1 .. t`` (for the asylum
backlog, a stock, the mean of the published figures over the window), in persons. An inactive
rule whose indicator is at or above ``threshold`` is activated: the lever takes ``value`` for
its ids from day ``t + delay`` to the end of the run (``model.levers`` is overwritten from that
day on). An active rule whose indicator is below ``release`` is released: from day
``t + delay`` the lever takes back the values the scenario gives it. A rule without a release
threshold stays active. Rules act in their order, so where two set the same lever and id on the
same days the later one wins; a release restores the scenario's value, not another rule's.

Rules read only the observation unit's arrays (``rules/observation.py``), never the model's
records of the truth, so a figure that is never observed (coverage 0) never fires a rule. Every
activation and release is an event with its day and reason (``summary.json``'s ``rules``; the
timeseries, scope ``rule``). Rules draw no random numbers: results stay bit-identical for any
number of threads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from flowsim.errors import ScenarioError
from flowsim.levers import lever_ids, lever_spec
from flowsim.rules import Mechanism
from flowsim.rules.legal_channels import CHANNELS

ACTIVATED, RELEASED = 1, -1


@dataclass
class _Rule:
    name: str
    spec: object  # levers.PolicyRule
    cols: np.ndarray  # the indicator's columns summed
    target: np.ndarray  # [day, id] view of model.levers that the rule sets
    ids: np.ndarray  # the lever's ids it sets
    value: float | bool
    original: np.ndarray  # the scenario's values of target[:, ids]
    active: bool = False
    indicator: np.ndarray = field(default_factory=lambda: np.zeros(0))  # persons, by day
    events: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # by day


class AdaptivePolicy(Mechanism):
    """Built after every other unit (it overwrites the levers they resolved)."""

    def __init__(self, model) -> None:
        super().__init__(model)
        self.log: list[dict] = []
        self.rules: list[_Rule] = []
        paths = _lever_names(model)
        net, days = model.net, model.days
        ppa = model.scenario.simulation.persons_per_agent
        profiles = [p.id for p in model.scenario.profiles]
        for k, r in enumerate(model.scenario.policy.rules):
            name = r.name or f"rule {k + 1}"
            if r.lever not in paths:
                raise ScenarioError(f"policy.rules[{k}].lever = '{r.lever}': no unit reads it")
            lever_name, channel = paths[r.lever]
            target = model.levers[lever_name]
            if channel is not None:
                target = target[:, channel, :]  # a view: writes go to model.levers
            spec = lever_spec(r.lever)
            ids, _ = lever_ids(spec["keyed_by"], net, profiles)
            cols = np.array([ids.index(i) for i in r.ids] if r.ids else range(len(ids)), np.int64)
            value = r.value
            if isinstance(value, str):
                value = float(spec["choices"].index(value))
            value = float(value)
            if spec["in_persons"]:
                value /= ppa
            if spec["switch"]:
                value = value > 0.5
            at_ids = _indicator_ids(r.indicator, net)
            at = np.array([at_ids.index(i) for i in r.at] if r.at else range(len(at_ids)), np.int64)
            self.rules.append(
                _Rule(
                    name=name,
                    spec=r,
                    cols=at,
                    target=target,
                    ids=cols,
                    value=value,
                    original=target[:, cols].copy(),
                    indicator=np.zeros(days),
                    events=np.zeros(days, np.int64),
                )  # fmt: skip
            )

    def step(self, model, day: int) -> None:
        obs, ppa = model.observation, model.scenario.simulation.persons_per_agent
        for rule in self.rules:
            r = rule.spec
            first = max(0, day - r.window + 1)
            window = _window(obs, model.net, r.indicator, first, day + 1)[:, rule.cols]
            if r.indicator == "asylum_backlog":
                value = float(window.sum(axis=1).mean()) * ppa
            else:
                value = float(window.sum()) * ppa
            rule.indicator[day] = value
            if not rule.active and value >= r.threshold:
                self._act(model, rule, day, value, ACTIVATED)
            elif rule.active and r.release is not None and value < r.release:
                self._act(model, rule, day, value, RELEASED)

    def _act(self, model, rule: _Rule, day: int, value: float, action: int) -> None:
        r = rule.spec
        start = day + r.delay
        if start < model.days:
            if action == ACTIVATED:
                rule.target[start:, rule.ids] = rule.value
            else:
                rule.target[start:, rule.ids] = rule.original[start:]
        rule.active = action == ACTIVATED
        rule.events[day] = action
        where = f" at {', '.join(r.at)}" if r.at else ""
        if action == ACTIVATED:
            reason = (f"observed {r.indicator}{where} over {r.window} days = {value:,.0f} "
                      f"persons >= threshold {r.threshold:,g}")  # fmt: skip
        else:
            reason = (f"observed {r.indicator}{where} over {r.window} days = {value:,.0f} "
                      f"persons < release {r.release:,g}")  # fmt: skip
        self.log.append(
            {
                "day": day,
                "date": (model.start_date + dt.timedelta(days=day)).isoformat(),
                "rule": rule.name,
                "action": "activated" if action == ACTIVATED else "released",
                "reason": reason,
                "indicator": r.indicator,
                "value": round(value, 3),
                "lever": r.lever,
                "ids": list(r.ids),
                "set_to": r.value if action == ACTIVATED else "scenario value",
                "from_day": start,
                "in_run": start < model.days,
            }
        )

    # -- for the outputs ---------------------------------------------------------------------
    def active_days(self, model) -> dict[str, np.ndarray]:
        """{rule: [day] 1 where its value is in force}: from the day after each activation's
        delay to the day before its release's (a rule never released: to the end)."""
        out = {}
        for rule in self.rules:
            on = np.zeros(model.days, np.int64)
            for day in np.flatnonzero(rule.events):
                start = min(day + rule.spec.delay, model.days)
                on[start:] = 1 if rule.events[day] == ACTIVATED else 0
            out[rule.name] = on[: model.day]
        return out

    def summary(self, model) -> dict:
        active = self.active_days(model)
        return {
            "activations": sum(e["action"] == "activated" for e in self.log),
            "releases": sum(e["action"] == "released" for e in self.log),
            "days_active": {name: int(on.sum()) for name, on in active.items()},
            "events": self.log,
        }

    def series(self, model) -> list[tuple[str, list[str], list[str], np.ndarray]]:
        if not self.rules:
            return []
        n = model.day
        active = self.active_days(model)
        values = np.stack(
            [
                np.stack([active[r.name], np.rint(r.indicator[:n]), r.events[:n]], axis=1)
                for r in self.rules
            ],
            axis=1,
        )  # [day, rule, variable]
        names = [r.name for r in self.rules]
        return [("rule", names, ["rule_active", "rule_indicator", "rule_event"], values)]


def _lever_names(model) -> dict[str, tuple[str, int | None]]:
    """{lever path: (name in model.levers, channel index or None)} for every lever a unit
    reads day by day."""
    out: dict[str, tuple[str, int | None]] = {}
    for unit in vars(model).values():
        if isinstance(unit, Mechanism):
            for name, path in type(unit).LEVERS.items():
                out.setdefault(path, (name, None))
    for k, c in enumerate(CHANNELS):
        out[f"policy.legal.{c}"] = ("legal_quota", k)
    return out


def _indicator_ids(indicator: str, net) -> list[str]:
    if indicator == "arrivals_at_node":
        return list(net.node_ids)
    if indicator in ("deaths_at_sea", "interceptions"):
        return list(net.zone_ids)
    return list(net.country_ids)


def _window(obs, net, indicator: str, lo: int, hi: int) -> np.ndarray:
    """[day, id] of the observed figure an indicator reads, days lo to hi - 1 (agents)."""
    days = slice(lo, hi)
    if indicator == "arrivals_at_node":
        return obs.arrivals[days]
    if indicator == "arrivals_in_country":
        by_country = np.zeros((hi - lo, len(net.country_ids)), np.int64)
        for n, c in enumerate(net.node_country):
            by_country[:, c] += obs.arrivals[days, n]
        return by_country
    if indicator == "deaths_at_sea":
        return obs.dead_sea[days] + obs.missing_sea[days]
    if indicator == "deaths_on_land":
        return obs.dead_land[days] + obs.missing_land[days]
    if indicator == "interceptions":
        return obs.intercepted[days]
    return obs.backlog[days]
