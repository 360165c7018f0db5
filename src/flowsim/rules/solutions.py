"""Solutions for refugees (10-Point Plan point 7; seeds/001:652-660, seeds/002:1939, 002:3173).

The quality of protection at a node is the mean of the country's ``policy.integration.work_rights``
and ``freedom_of_movement`` and the node's ``policy.reception.conditions`` (0 to 1).
Each day a recognized refugee:

- repatriates voluntarily with probability ``behaviour.solutions.repatriation_rate`` times the
  safety of its origin (``policy.origin.safety``; never to an unknown origin): returned_voluntary
  at the origin (event repatriated);
- integrates locally with probability ``integration_rate`` times the quality of protection:
  integrated (absorbing; a place at a camp is given up).

Resettlement: each node offers ``policy.resettlement.quota`` / 365 places a day (fractions carried
over). The whole places in ``priority`` x today's places (fraction included) go first to the most
vulnerable
recognized refugees there (any vulnerability), in agent order; the rest to any recognized refugee
there, in agent order. Resettled people leave the network (status resettled, counted at the node
they left). A quota also makes the node more attractive to people choosing routes
(``resettlement_pull``, seeds/002:3173: "the prospect of resettlement ... can be a pull factor").
"""

import numpy as np
from numba import njit

from flowsim.population import HOUSED, REGISTERED, Claim, Status
from flowsim.rng import uniform
from flowsim.rules import EV_INTEGRATED, EV_REPATRIATED, EV_RESETTLED

RECOGNIZED = int(Status.RECOGNIZED)
INTEGRATED = int(Status.INTEGRATED)
RESETTLED = int(Status.RESETTLED)
RETURNED_VOLUNTARY = int(Status.RETURNED_VOLUNTARY)
CLAIM_NONE = int(Claim.NONE)
OUT_OF_RECEPTION = 255 ^ (HOUSED | REGISTERED)


@njit(cache=True)
def settle_refugees(day, key, status, status_day, flags, claim, claim_day, node, origin,
                    repatriation_rate, safety, integration_rate, quality, events):  # fmt: skip
    """Voluntary repatriation, then local integration, for today's recognized refugees."""
    for i in range(status.shape[0]):
        if status[i] != RECOGNIZED:
            continue
        o = origin[i]
        if o >= 0 and uniform(key, i, 0) < repatriation_rate * safety[o]:
            node[i] = o
            status[i] = RETURNED_VOLUNTARY
            status_day[i] = day
            flags[i] &= OUT_OF_RECEPTION
            claim[i] = CLAIM_NONE
            claim_day[i] = -1
            events[EV_REPATRIATED] += 1
        elif uniform(key, i, 1) < integration_rate * quality[node[i]]:
            status[i] = INTEGRATED
            status_day[i] = day
            flags[i] &= OUT_OF_RECEPTION
            events[EV_INTEGRATED] += 1


@njit(cache=True)
def resettle(day, status, status_day, flags, node, vulnerability, places, priority, events):
    """Resettle recognized refugees into today's places per node (``places`` is decremented)."""
    first = places.copy()  # places for the most vulnerable first: the share, whole places
    for n in range(first.shape[0]):
        first[n] = np.floor(places[n] * priority[n]) if priority[n] > 0 else 0.0
    for vulnerable_pass in (True, False):
        for i in range(status.shape[0]):
            n = node[i]
            if status[i] != RECOGNIZED or places[n] < 1.0:
                continue
            if vulnerable_pass and (first[n] < 1.0 or vulnerability[i] == 0):
                continue
            if vulnerable_pass:
                first[n] -= 1.0
            places[n] -= 1.0
            status[i] = RESETTLED
            status_day[i] = day
            flags[i] &= OUT_OF_RECEPTION
            events[EV_RESETTLED] += 1
