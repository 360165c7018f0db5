"""Helpers shared by test files (pytest puts this folder on the import path)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from hypothesis import strategies as st

from flowsim import Model

REPO = Path(__file__).resolve().parents[1]


def run_flowsim(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """``python -m flowsim ARGS`` in ``cwd``, with wide tables so names and numbers never wrap."""
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "flowsim", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def run_model(
    scenario,
    overrides: dict | None = None,
    seed: int = 1,
    each_day: Callable[[Model], None] | None = None,
    days: int | None = None,
) -> Model:
    """Run the scenario to its end (or ``days``), calling ``each_day(model)`` after every day."""
    model = Model(scenario, seed=seed, days=days, overrides=overrides)
    while model.day < model.days:
        model.step()
        if each_day is not None:
            each_day(model)
    return model


def per_seed(run, outcomes, seeds, each_day_factory=None) -> dict[str, list]:
    """``outcomes(model)`` of ``run(seed, tracker)`` for each seed, as {key: [value per seed]};
    a tracker made by ``each_day_factory`` is called after every day and adds the keys of its
    ``result(model)``."""
    out: dict[str, list] = {}
    for seed in seeds:
        tracker = each_day_factory() if each_day_factory is not None else None
        model = run(seed, tracker)
        values = outcomes(model)
        if tracker is not None:
            values.update(tracker.result(model))
        for k, v in values.items():
            out.setdefault(k, []).append(v)
    return out


@st.composite
def lever(draw, values: st.SearchStrategy, keys: list[str], last_day: int = 30):
    """A lever as a scenario gives it (docs/MODEL.md §6.6): a value drawn from ``values``, a
    step timeline of such values (days 0 .. ``last_day``), or a table keyed by some of ``keys``
    whose entries may be timelines, with or without a ``default``."""

    def value():
        if draw(st.integers(0, 3)) == 0:
            days = sorted(draw(st.sets(st.integers(0, last_day), min_size=1, max_size=3)))
            return [[d, draw(values)] for d in days]
        return draw(values)

    if keys and draw(st.booleans()):
        table = {k: value() for k in draw(st.lists(st.sampled_from(keys), unique=True))}
        if draw(st.booleans()):
            table["default"] = value()
        return table
    return value()
