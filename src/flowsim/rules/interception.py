"""Interception and pull-back by the departure state's coast guard (seeds/000:154, 002:1367).

Each sailing day a boat in sea zone z is intercepted with probability
``1 - (1 - rate_z) ** (1 / crossing days)``, so that ``policy.interception.rate`` is the share of
crossings intercepted. Everyone aboard is taken back to the embarkation hub; a share
``loss_if_intercepted`` is lost in the operation. ``policy.interception.screening`` is the share of
intercepted people screened (true = everyone); a screened person with a protection need is
identified with probability ``screening_sensitivity`` and gets access to asylum in the departure
country (status in_procedure, event screened_in). Everyone else
is pulled back (event pulled_back, flag pulled_back): they lose ``pullback_resource_loss`` of
their resources to extortion. A share ``policy.pullback.detention`` of them (by hub) is taken to
detention in the departure country (status detained_after_pullback; what follows is
``rules/pullback.py``); the others choose a route again, so they may try the sea again
(seeds/002:2065). A pulled-back person with a protection need has been returned toward danger:
refoulement (event refouled).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from flowsim.events import Event
from flowsim.population import Flag, Status, set_status
from flowsim.rules import Mechanism


class Interception(Mechanism):
    """Acts inside the sea crossing's day (``sea_crossing.sail``): which sailing boats are
    intercepted; the passenger kernel then applies :func:`pull_back` to the people aboard."""

    LEVERS = {
        "interception_rate": "policy.interception.rate",
        "screening": "policy.interception.screening",
        "pullback_detention": "policy.pullback.detention",
    }

    def step(self, model, day: int, crossing_days: np.ndarray, zone: np.ndarray, rng):
        """Which of today's sailing boats (crossing days, zone) are intercepted."""
        return intercepted(crossing_days, model.levers["interception_rate"][day][zone], rng)


def intercepted(crossing_days: np.ndarray, rate: np.ndarray, rng: np.random.Generator):
    """Which of these sailing boats are intercepted today (``rate`` per crossing, per boat)."""
    p_day = 1.0 - (1.0 - rate) ** (1.0 / crossing_days)
    return rng.random(len(crossing_days)) < p_day


@njit(cache=True)
def pull_back(
    i, day, u, u_detained, hub, journey, flags, need, screening, sensitivity, resource_loss,
    detention, events,
):  # fmt: skip
    """Agent ``i`` (in need of protection or not: ``need``), intercepted, is back at ``hub``:
    screened in, or pulled back (then detained there with probability ``detention``).
    ``journey``: ``population.Journey``."""
    j = journey
    j.node[i] = hub
    j.edge[i] = -1
    j.days_left[i] = 0
    j.route[i] = -1
    if need and u < screening * sensitivity:
        set_status(j, i, Status.IN_PROCEDURE, day)
        events[Event.SCREENED_IN] += 1
        return
    flags[i] |= Flag.PULLED_BACK
    j.resources[i] = float(j.resources[i]) * (1.0 - resource_loss)
    events[Event.PULLED_BACK] += 1
    if need:
        events[Event.REFOULED] += 1
    if u_detained < detention:
        set_status(j, i, Status.DETAINED_AFTER_PULLBACK, day)
        events[Event.DETAINED_AFTER_PULLBACK] += 1
    else:
        set_status(j, i, Status.IN_TRANSIT, day)
