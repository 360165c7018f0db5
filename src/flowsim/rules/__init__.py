"""One module per mechanism, in the order of the journey (see ``flowsim.model.Model.step``).

Each module holds one mechanism whole, like a LASER component or a Starsim module: its
parameters (a ``NamedTuple`` made from its ``[behaviour]`` section), the levers it reads (paths
into ``levers.py``, resolved over the run from their metadata), its own state (credits, queues,
counters), its kernels, a :class:`Mechanism` subclass whose ``step(model, day)`` runs its part
of the day, and what it contributes to the outputs. Kernels take a few named tuples of arrays:
the population (``population.Agents``), the network (``network.Network``), the beliefs
(``beliefs.BeliefState``), today's levers and the mechanism's parameters, and count what
happens into the day's tallies (:class:`Tally`, events indexed by ``events.Event``).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from flowsim.events import EVENT_NAMES, N_EVENTS, Event
from flowsim.levers import resolve_lever

__all__ = ["EVENT_NAMES", "N_EVENTS", "Event", "Mechanism", "Tally", "keep_fraction", "params_of"]


class Tally(NamedTuple):
    """Today's rows of the model's daily records, which kernels add to."""

    events: np.ndarray  # int64 [event]
    edge_flow: np.ndarray  # int64 [edge]: people who started each leg today
    arrivals: np.ndarray  # int64 [node]: people who reached the end of their route there
    revenue: np.ndarray  # float64 [1]: fares paid today (per agent)
    first_wait: np.ndarray  # int64 [true need, days]: waits from lodging to first decision
    final_wait: np.ndarray  # int64 [true need, days]: waits from lodging to final decision


class Mechanism:
    """One mechanism of the day. ``LEVERS`` maps the names it uses in ``model.levers`` to lever
    paths (``levers.py``); they are resolved once, over the run, when the model is built."""

    LEVERS: dict[str, str] = {}
    FALLBACKS: dict[str, str] = {}  # lever name -> CompiledNetwork attribute (in agents)

    def __init__(self, model) -> None:
        scale = model.scenario.simulation.persons_per_agent
        for name, path in self.LEVERS.items():
            if name in model.levers:
                continue
            fallback = None
            if name in self.FALLBACKS:
                fallback = getattr(model.net, self.FALLBACKS[name]) * scale
            model.levers[name] = resolve_lever(
                path, model.scenario, model.net, model.days, fallback=fallback
            )

    def step(self, model, day: int) -> None:
        """This mechanism's part of the day (none for mechanisms that act inside another's step,
        like profiling at registration)."""


def params_of(cls: type[NamedTuple], section) -> NamedTuple:
    """A kernel parameter tuple from a ``[behaviour]`` section: the same fields; an unset
    (None) value is -inf, a list an array."""
    values = {}
    for name in cls._fields:
        v = getattr(section, name)
        if v is None:
            v = -math.inf
        elif isinstance(v, list):
            v = np.asarray(v, float)
        values[name] = v
    return cls(**values)


def keep_fraction(credit: np.ndarray) -> None:
    """Places not used today are not saved up: keep only the fraction of a place (an unlimited
    quota starts again from nothing: tomorrow adds inf)."""
    finite = np.isfinite(credit)
    credit[finite] -= np.floor(credit[finite])
    credit[~finite] = 0.0
