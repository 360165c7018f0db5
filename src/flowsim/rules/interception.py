"""Interception and pull-back by the departure state's coast guard (seeds/000:154, 002:1367).

Each sailing day a boat in sea zone z is intercepted with probability
``1 - (1 - rate_z) ** (1 / crossing days)``, so that ``policy.interception.rate`` is the share of
crossings intercepted. Everyone aboard is taken back to the embarkation hub; a share
``loss_if_intercepted`` is lost in the operation. ``policy.interception.screening`` is the share of
intercepted people screened (true = everyone); a screened person with a protection need is
identified with probability ``screening_sensitivity`` and gets access to asylum in the departure
country (status in_procedure, event screened_in). Everyone else
is pulled back (event pulled_back): they lose ``pullback_resource_loss`` of their resources to
detention and extortion and choose a route again, so they may try the sea again (seeds/002:2065).
A pulled-back person with a protection need has been returned toward danger: refoulement (event
refouled).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from flowsim.population import Status
from flowsim.rules import EV_PULLED_BACK, EV_REFOULED, EV_SCREENED_IN

IN_TRANSIT = int(Status.IN_TRANSIT)
IN_PROCEDURE = int(Status.IN_PROCEDURE)


def intercepted(crossing_days: np.ndarray, rate: np.ndarray, rng: np.random.Generator):
    """Which of these sailing boats are intercepted today (``rate`` per crossing, per boat)."""
    p_day = 1.0 - (1.0 - rate) ** (1.0 / crossing_days)
    return rng.random(len(crossing_days)) < p_day


@njit(cache=True)
def pull_back(
    i, day, u, hub, status, status_day, node, edge, days_left, route, boat, resources,
    protection_need, screening, sensitivity, resource_loss, events,
):  # fmt: skip
    """Agent ``i``, intercepted, is back at ``hub``: screened in, or pulled back."""
    node[i] = hub
    edge[i] = -1
    days_left[i] = 0
    route[i] = -1
    boat[i] = -1
    status_day[i] = day
    if protection_need[i] and u < screening * sensitivity:
        status[i] = IN_PROCEDURE
        events[EV_SCREENED_IN] += 1
        return
    status[i] = IN_TRANSIT
    resources[i] *= 1.0 - resource_loss
    events[EV_PULLED_BACK] += 1
    if protection_need[i]:
        events[EV_REFOULED] += 1
