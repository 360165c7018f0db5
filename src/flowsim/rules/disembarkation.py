"""Disembarkation of rescued people at a place of safety (seeds/001:757, 001:788).

A rescued boat's people wait aboard the rescue vessel for ``policy.disembarkation.delay_days`` of
its sea zone (fixed on the day of the rescue), each facing ``standoff_daily_hazard`` a day, and are
brought ashore at the leg's far end the day after the stand-off ends. People who land by
themselves come ashore there too.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from flowsim.boats import Boats, BoatState, Fate
from flowsim.events import Event
from flowsim.rules import Mechanism
from flowsim.rules.travel import reach_node


class Disembarkation(Mechanism):
    """Acts inside the sea crossing's day: the stand-off of rescued boats (:meth:`step`), the
    delay a rescue fixes (``policy.disembarkation.delay_days``), and people coming ashore
    (:func:`disembark`, in the passenger kernel)."""

    LEVERS = {"delay_days": "policy.disembarkation.delay_days"}

    def step(self, model, day: int, rescued: np.ndarray) -> None:
        stand_off(model.boats, rescued)


def stand_off(boats: Boats, rescued: np.ndarray) -> None:
    """Advance the stand-off of boats carrying rescued people; disembark those whose wait is over."""
    done = boats.standoff_left[rescued] <= 0
    ashore, waiting = rescued[done], rescued[~done]
    boats.fate[ashore] = Fate.DISEMBARKED
    boats.outcome[ashore] = Fate.DISEMBARKED
    boats.state[ashore] = BoatState.DONE
    boats.fate[waiting] = Fate.STANDOFF
    boats.standoff_left[waiting] -= 1


@njit(cache=True)
def disembark(i, day, e, journey, edge_dst, route_edge_ptr, arrivals, events):
    """Agent ``i`` comes ashore at the far end of sea leg ``e``."""
    events[Event.SEA_ARRIVALS] += 1
    reach_node(i, day, e, journey, edge_dst, route_edge_ptr, arrivals, events)
