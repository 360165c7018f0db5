"""What each agent believes, as arrays beside the population (rows are the same agents).

- ``alpha``, ``beta`` [agent, hub]: a Beta belief about the chance of dying on a sea crossing from
  each embarkation hub: believed risk ``alpha / (alpha + beta)``, confidence ``alpha + beta``
  (pseudo-crossings). Route choice reads the believed risk, never the true one.
- ``good``, ``bad`` [agent, destination]: a Beta belief about the chance of being received well
  at each destination-role node (a place, protection, a legal stay, rather than destitution,
  detention or rejection): believed welcome ``good / (good + bad)``. Route choice discounts a
  destination believed unwelcoming by ``behaviour.route_choice.w_welcome``.
- ``contacts`` [agent, slot]: the people it hears from and who hear of it (family and community
  from its origin, who left before it or with it: fellow travellers and, once arrived, diaspora);
  -1 for an empty slot.

Which legal channels a person knows of is the population's ``aware`` bit set.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

FIELDS = (("alpha", 0.0), ("beta", 0.0), ("good", 0.0), ("bad", 0.0), ("contacts", -1))


class BeliefState(NamedTuple):
    """The beliefs as kernels take them: live rows of every array of ``FIELDS``."""

    alpha: np.ndarray
    beta: np.ndarray
    good: np.ndarray
    bad: np.ndarray
    contacts: np.ndarray


FLOOR = np.float32(1e-12)  # divisor floor: a pair with no confidence at all believes 0


@njit(cache=True)
def believed(lost, kept):
    """The believed share ``lost / (lost + kept)`` of one float32 pseudo-count pair, in float32
    as ``Beliefs.risk`` and ``Beliefs.welcome`` compute it: for kernels, which read it only for
    the agents they need instead of a whole [agent, column] array."""
    return lost / max(lost + kept, FLOOR)


class Beliefs:
    def __init__(self, n_hubs: int, n_contacts: int, capacity: int = 1024, n_destinations: int = 0):
        self.n_hubs, self.n_contacts, self.n_destinations = n_hubs, n_contacts, n_destinations
        self.alpha = np.zeros((0, n_hubs), np.float32)
        self.beta = np.zeros((0, n_hubs), np.float32)
        self.good = np.zeros((0, n_destinations), np.float32)
        self.bad = np.zeros((0, n_destinations), np.float32)
        self.contacts = np.zeros((0, n_contacts), np.int32)
        self.n = 0
        self.reserve(capacity)

    def reserve(self, capacity: int) -> None:
        if capacity <= self.alpha.shape[0]:
            return
        for name, fill in FIELDS:
            old = getattr(self, name)
            new = np.full((capacity, old.shape[1]), fill, old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def add(self, **rows: np.ndarray) -> None:
        """Append rows for agents ``n .. n + k - 1``: every field of ``FIELDS`` by name."""
        k = rows["alpha"].shape[0]
        if self.n + k > self.alpha.shape[0]:
            self.reserve(max(self.n + k, 2 * self.alpha.shape[0]))
        for name, _ in FIELDS:
            getattr(self, name)[self.n : self.n + k] = rows[name]
        self.n += k

    def view(self, name: str) -> np.ndarray:
        return getattr(self, name)[: self.n]

    def state(self) -> BeliefState:
        return BeliefState(*(self.view(name) for name, _ in FIELDS))

    def risk(self) -> np.ndarray:
        """Believed risk [agent, hub]."""
        a, b = self.view("alpha"), self.view("beta")
        return a / np.maximum(a + b, FLOOR)

    def welcome(self) -> np.ndarray:
        """Believed welcome [agent, destination]."""
        g, b = self.view("good"), self.view("bad")
        return g / np.maximum(g + b, FLOOR)

    @property
    def bytes_per_agent(self) -> int:
        return 8 * self.n_hubs + 8 * self.n_destinations + 4 * self.n_contacts
