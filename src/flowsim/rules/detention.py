"""Immigration detention on arrival (10-Point Plan point 4; seeds/002:1379, 002:1381).

``policy.detention.mode`` says who a country detains at registration: nobody (``none``), people
who arrived irregularly (``irregular``: their route had a sea leg or a smuggled leg), or
everyone (``all``). A share ``policy.detention.alternatives`` of them is given an alternative to
detention instead and goes to reception. People identified by profiling as trafficking victims
or children are referred to their protection process instead; victims and children who were not
identified are detained like anyone else (counted: P11, seeds/002:916, 002:1468). Detained people
may lodge claims, and their claims are decided as usual; recognition ends detention at once.
After ``policy.detention.max_days`` people are released to reception, except those finally
rejected, who leave detention as rejected.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from flowsim.events import Event
from flowsim.population import Claim, Status, lowest_bit, set_status
from flowsim.rules import Mechanism

NOT_DETAINED, DETAINED_NOW, ALTERNATIVE = 0, 1, 2  # what detains() decides
IRREGULAR, ALL = 1, 2  # detention modes (policy.detention.mode: none, irregular, all)


class Detention(Mechanism):
    """Releases at the maximum stay (:meth:`step`, first thing on arrival day); who is detained
    is decided at registration (:func:`detains`, in ``reception.register``)."""

    LEVERS = {
        "detention_mode": "policy.detention.mode",
        "max_days": "policy.detention.max_days",
        "alternatives": "policy.detention.alternatives",
    }

    def step(self, model, day: int) -> None:
        release(
            day, model.pop.agents(), model.net.arrays(), model.levers["max_days"][day], model.tally
        )


@njit(cache=True)
def detains(u_alternative, irregular, mode, alternatives):
    """Whether one registering person is detained, given an alternative, or neither."""
    m = int(mode + 0.5)
    if m == ALL or (m == IRREGULAR and irregular):
        return ALTERNATIVE if u_alternative < alternatives else DETAINED_NOW
    return NOT_DETAINED


@njit(cache=True)
def release(day, agents, net, max_days, tally):
    """Release everyone who has been detained ``max_days`` of their country (or longer).

    Released people are back to ``arrived`` (still registered) and get a place or not in
    reception the same day; the finally rejected leave as ``rejected``.
    """
    a = agents
    for w in range(a.changed.shape[0]):
        bits = a.members[w, Status.DETAINED]
        while bits:
            i = w * 64 + lowest_bit(bits)
            bits &= bits - np.uint64(1)
            if day - a.status_day[i] < max_days[net.node_country[a.node[i]]]:
                continue
            rejected = a.claim[i] == Claim.REJECTED
            set_status(a, i, Status.REJECTED if rejected else Status.ARRIVED, day)
            tally.events[Event.DETENTION_RELEASES] += 1
