"""What each agent believes, as arrays beside the population (rows are the same agents).

- ``alpha``, ``beta`` [agent, hub]: a Beta belief about the chance of dying on a sea crossing from
  each embarkation hub: believed risk ``alpha / (alpha + beta)``, confidence ``alpha + beta``
  (pseudo-crossings). Route choice reads the believed risk, never the true one.
- ``contacts`` [agent, slot]: the people it hears from and who hear of it (family and community
  from its origin, who left before it or with it: fellow travellers and, once arrived, diaspora);
  -1 for an empty slot.

Which legal channels a person knows of is the population's ``aware`` bit set.
"""

from __future__ import annotations

import numpy as np


class Beliefs:
    def __init__(self, n_hubs: int, n_contacts: int, capacity: int = 1024):
        self.n_hubs, self.n_contacts = n_hubs, n_contacts
        self.alpha = np.zeros((0, n_hubs), np.float32)
        self.beta = np.zeros((0, n_hubs), np.float32)
        self.contacts = np.zeros((0, n_contacts), np.int32)
        self.n = 0
        self.reserve(capacity)

    def reserve(self, capacity: int) -> None:
        if capacity <= self.alpha.shape[0]:
            return
        for name, fill in (("alpha", 0.0), ("beta", 0.0), ("contacts", -1)):
            old = getattr(self, name)
            new = np.full((capacity, old.shape[1]), fill, old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def add(self, alpha: np.ndarray, beta: np.ndarray, contacts: np.ndarray) -> None:
        """Append rows for agents ``n .. n + len(alpha) - 1``."""
        k = alpha.shape[0]
        if self.n + k > self.alpha.shape[0]:
            self.reserve(max(self.n + k, 2 * self.alpha.shape[0]))
        rows = slice(self.n, self.n + k)
        self.alpha[rows], self.beta[rows], self.contacts[rows] = alpha, beta, contacts
        self.n += k

    def view(self, name: str) -> np.ndarray:
        return getattr(self, name)[: self.n]

    def risk(self) -> np.ndarray:
        """Believed risk [agent, hub]."""
        a, b = self.view("alpha"), self.view("beta")
        return a / np.maximum(a + b, 1e-12)

    @property
    def bytes_per_agent(self) -> int:
        return 8 * self.n_hubs + 4 * self.n_contacts
