"""Counter-based random numbers for kernels.

Kernels never touch a global random state. When a model is built, :class:`RuleKeys` takes one
root number from the model's seeded ``numpy.random.Generator``; from it each rule gets one 64-bit
key per day (the root, rule and day mixed by SplitMix64), and a kernel turns (key, agent, stream)
into a uniform number with a SplitMix64 hash. The numbers do not depend on the order agents are
visited in, two models in one process never share state, and a plain-Python reference of a rule
can reproduce a kernel's draws exactly by calling :func:`uniform` itself. Because a key depends
only on (seed, rule, day), two policy variants run with the same seed give the same agent the same
draws in every rule (common random numbers), which sharpens paired comparisons.
"""

from enum import IntEnum

import numpy as np
from numba import njit, uint64


class Rule(IntEnum):
    """Each rule's own random stream: it draws under one key per day, ``model.keys(rule, day)``.
    The numbers are part of a seed's results: keep them."""

    INITIAL = 0  # not used any more
    ROUTE_CHOICE = 1
    TRAVEL = 2
    SEA_CROSSING = 3  # what happens to the people aboard (passengers)
    ARRIVAL = 4  # secondary movement
    SMUGGLING = 5  # launches (a Generator)
    BOATS = 6  # boats' fates (a Generator)
    REGISTRATION = 7
    DECISIONS = 8
    SOLUTIONS = 9
    RETURNS = 10
    INFORMATION = 11
    PULLBACK = 12  # detention after a pull-back
    RELOCATION = 13  # relocation offers refused, relocated who move on
    OBSERVATION = 14  # what authorities record (rules/observation.py; a Generator)


_GOLDEN = uint64(0x9E3779B97F4A7C15)
_M1 = uint64(0xBF58476D1CE4E5B9)
_M2 = uint64(0x94D049BB133111EB)
_STREAM = uint64(0xD6E8FEB86659FD93)


@njit(cache=True)
def _mix(z):
    z = (z ^ (z >> uint64(30))) * _M1
    z = (z ^ (z >> uint64(27))) * _M2
    return z ^ (z >> uint64(31))


@njit("uint64(int64, int64, int64)", cache=True)
def bits(key, i, stream):
    """64 random bits for agent ``i`` and draw ``stream`` under the day's ``key``."""
    z = uint64(key) + (uint64(i) + uint64(1)) * _GOLDEN + uint64(stream) * _STREAM
    return _mix(_mix(z))


@njit("float64(int64, int64, int64)", cache=True)
def uniform(key, i, stream):
    """A uniform number in [0, 1) for agent ``i`` and draw ``stream`` under the day's ``key``."""
    z = uint64(key) + (uint64(i) + uint64(1)) * _GOLDEN + uint64(stream) * _STREAM
    return float(_mix(_mix(z)) >> uint64(11)) * (1.0 / 9007199254740992.0)


@njit("float64(int64, int64, int64)", cache=True)
def gumbel(key, i, stream):
    """A standard Gumbel draw (for random-utility choice)."""
    u = uniform(key, i, stream)
    if u <= 0.0:
        u = 1e-300
    return -np.log(-np.log(u))


class RuleKeys:
    """Per-(rule, day) keys derived from one root number of the model's generator: the root,
    the rule and the day mixed by the same SplitMix64 hash (a few microseconds a key)."""

    def __init__(self, rng: np.random.Generator):
        self._root = int(rng.integers(0, 2**63 - 1, dtype=np.int64))

    def __call__(self, rule: Rule, day: int) -> int:
        z = _mix_int(self._root + (int(rule) + 1) * _GOLDEN_INT)
        z = _mix_int(z + (day + 2) * _STREAM_INT)
        return z & 0x7FFF_FFFF_FFFF_FFFF  # int64 for numba


_MASK = (1 << 64) - 1
_GOLDEN_INT, _STREAM_INT = int(_GOLDEN), int(_STREAM)


def _mix_int(z: int) -> int:
    """:func:`_mix` on Python integers."""
    z &= _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)
