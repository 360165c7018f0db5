"""Boats: few and rich, one row per boat launched (a struct of arrays, like the population)."""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

import numpy as np


class BoatState(IntEnum):
    SAILING = 0
    RESCUED = 1  # its people are aboard a rescue vessel, waiting to disembark
    DONE = 2  # landed, disembarked, lost or pulled back


class Fate(IntEnum):
    """What happened to a boat today; the passenger kernel applies it to everyone aboard."""

    NONE = 0
    LOST = 1  # in distress and not rescued in time
    RESCUED = 2
    INTERCEPTED = 3
    LANDED = 4  # reached the far shore by itself
    FORCED = 5  # smugglers forced its people into the sea offshore, then left
    DISEMBARKED = 6  # rescued people brought ashore at the place of safety
    STANDOFF = 7  # rescued people still aboard, waiting for a place to disembark


FIELDS = {
    "edge": np.int32,
    "hub": np.int16,
    "zone": np.int16,
    "type": np.int16,
    "room": np.int32,  # places left to fill on its launch day
    "passengers": np.int32,
    "depart_day": np.int16,
    "days_left": np.int16,  # sailing days to the far shore
    "standoff_left": np.int16,  # days until rescued people disembark
    "state": np.int8,
    "fate": np.int8,  # today's fate
    "outcome": np.int8,  # the fate that ended its voyage (NONE while it lasts)
    "fare": np.float64,  # price per person
    "first": np.int64,  # where its passengers start in the manifest (see Boats.board)
}


class Fleet(NamedTuple):
    """The boats as kernels take them: the launched rows of every array of ``FIELDS``."""

    edge: np.ndarray
    hub: np.ndarray
    zone: np.ndarray
    type: np.ndarray
    room: np.ndarray
    passengers: np.ndarray
    depart_day: np.ndarray
    days_left: np.ndarray
    standoff_left: np.ndarray
    state: np.ndarray
    fate: np.ndarray
    outcome: np.ndarray
    fare: np.ndarray
    first: np.ndarray


assert Fleet._fields == tuple(FIELDS)


class Boats:
    """The boats, and their manifests: the agents who boarded boat ``b`` are
    ``manifest[first[b] : first[b] + passengers[b]]``, in agent order (who is aboard is known
    from the boat, not stored with every agent)."""

    def __init__(self, capacity: int = 256):
        self.n = 0
        self._cap = 0
        self.reserve(capacity)
        self.manifest = np.zeros(1024, np.int32)
        self.manifest_n = 0

    def reserve(self, capacity: int) -> None:
        if capacity <= self._cap:
            return
        for name, dtype in FIELDS.items():
            new = np.zeros(capacity, dtype)
            if self._cap:
                new[: self.n] = getattr(self, name)[: self.n]
            setattr(self, name, new)
        self._cap = capacity

    def add(self, count: int, **values) -> slice:
        need = self.n + count
        if need > self._cap:
            self.reserve(max(need, 2 * self._cap))
        rows = slice(self.n, need)
        for name in FIELDS:
            getattr(self, name)[rows] = values.pop(name, 0)
        if values:
            raise TypeError(f"unknown boat fields: {sorted(values)}")
        self.n = need
        return rows

    def view(self, name: str) -> np.ndarray:
        return getattr(self, name)[: self.n]

    def fleet(self) -> Fleet:
        return Fleet(*(self.view(name) for name in FIELDS))

    def board(self, agent: np.ndarray, boat: np.ndarray) -> None:
        """Today's boarders (in agent order) and the boat each took: their manifests."""
        if agent.size == 0:
            return
        order = np.argsort(boat, kind="stable")
        need = self.manifest_n + agent.size
        if need > self.manifest.size:
            grown = np.zeros(max(need, 2 * self.manifest.size), np.int32)
            grown[: self.manifest_n] = self.manifest[: self.manifest_n]
            self.manifest = grown
        self.manifest[self.manifest_n : need] = agent[order]
        boats, starts = np.unique(boat[order], return_index=True)
        self.first[boats] = self.manifest_n + starts
        self.manifest_n = need

    def aboard(self, status: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(agents, boat of each) for everyone at sea (status ``at_sea``) on a boat still at
        sea, sorted by agent."""
        from flowsim.population import Status

        active = self.active()
        counts = self.passengers[active]
        rows = np.repeat(self.first[active], counts) + (
            np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        )
        agents = self.manifest[rows].astype(np.int64)
        boats = np.repeat(active, counts)
        keep = status[agents] == Status.AT_SEA
        order = np.argsort(agents[keep], kind="stable")
        return agents[keep][order], boats[keep][order]

    def active(self) -> np.ndarray:
        """Indices of boats still at sea (sailing, or carrying rescued people)."""
        return np.flatnonzero(self.view("state") != BoatState.DONE)
