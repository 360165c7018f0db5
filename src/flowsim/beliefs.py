"""What each agent believes, as arrays beside the population (rows are the same agents).

Each belief is a Beta distribution over a chance, held as its mean and its confidence (the sum
of its pseudo-counts: alpha = mean x confidence lost or bad outcomes, beta = the rest):

- ``risk_mean`` [agent, hub]: the believed chance of dying on a sea crossing from each embarkation
  hub; ``risk_n`` its confidence (pseudo-crossings). Route choice reads the believed risk, never
  the true one.
- ``welcome_mean`` [agent, destination]: the believed chance of being received well at each
  destination-role node (a place, protection, a legal stay, rather than destitution, detention or
  rejection); ``welcome_n`` its confidence (pseudo-outcomes). Route choice discounts a
  destination believed unwelcoming by ``behaviour.route_choice.w_welcome``.
- ``heard`` [agent]: the day up to which forgetting has been applied to the agent's confidences
  (forgetting is applied when a belief is next changed, :func:`bring_to_day`).
- ``contacts`` [agent, slot]: the people it hears from and who hear of it (family and community
  from its origin, who left before it or with it: fellow travellers and, once arrived, diaspora);
  -1 for an empty slot.

Storage (4 bytes a belief): a mean is a uint16 in steps of 1/65535, rounded at random up or down
in proportion (so that no update is lost on average, however small); a confidence is a 16-bit
float (6-bit exponent, 10-bit mantissa: steps of 0.05% from 5e-10 to 1.7e10), rounded to the
nearest.
Evidence is added with :func:`add_evidence`: ``hits`` and ``misses`` pseudo-observations (deaths
and safe crossings; good and bad outcomes), which moves the mean to (mean x confidence + hits) /
(confidence + hits + misses).

Which legal channels a person knows of is the population's ``aware`` bit set.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from flowsim.rng import bits, uniform

MEAN_SCALE = 65535.0  # a mean m is stored as m x MEAN_SCALE
MIN_CONFIDENCE = 0.01  # pseudo-observations: forgetting never takes a belief below this
# the draws of the random rounding of means: ROUNDING + column for a belief changed alone (news,
# promises, campaigns); ROUNDING_WORDS + g for the 16-bit draws of columns 4g .. 4g + 3 of a
# person changing them all at once (talk, :func:`rounding_word`)
ROUNDING = 1 << 24
ROUNDING_WORDS = ROUNDING + (1 << 20)


class BeliefState(NamedTuple):
    """The beliefs as kernels take them: the live rows of every array."""

    risk_mean: np.ndarray  # uint16 [agent, hub]
    risk_n: np.ndarray  # uint16 [agent, hub]
    welcome_mean: np.ndarray  # uint16 [agent, destination]
    welcome_n: np.ndarray  # uint16 [agent, destination]
    heard: np.ndarray  # int16 [agent]
    contacts: np.ndarray  # int32 [agent, slot]


@intrinsic
def _bits(typingctx, x):
    """The bits of a float64, as an int64."""
    if not isinstance(x, types.Float):
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@intrinsic
def _float(typingctx, u):
    """The float64 with these bits."""
    if not isinstance(u, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@njit("uint16(float64)", cache=True)
def encode_confidence(x):
    """The 16-bit float nearest to ``x`` > 0 (6-bit exponent, 10-bit mantissa; clipped to
    2^-31 .. 2^33), from the bits of ``x``."""
    u = _bits(x)
    e = ((u >> 52) & 0x7FF) - 1023
    r = ((u & 0xFFFFFFFFFFFFF) + (1 << 41)) >> 42  # the top 10 bits of the mantissa, rounded
    if r == 1024:
        r = 0
        e += 1
    if e < -31:
        return np.uint16(0)
    if e > 32:
        return np.uint16(65535)
    return np.uint16(((e + 31) << 10) | r)


@njit("float64(uint16)", cache=True)
def decode_confidence(code):
    c = np.int64(code)
    return _float((((c >> 10) - 31 + 1023) << 52) | ((c & 1023) << 42))


@njit(cache=True, inline="always")
def mean(code):
    """A stored mean as a float."""
    return code / MEAN_SCALE


@njit(cache=True, inline="always")
def bring_to_day(risk_n, welcome_n, heard, i, day, keep):
    """Apply to agent ``i``'s confidences (``risk_n``, ``welcome_n``) the forgetting of the days
    since it last heard anything (a factor ``keep`` a day, never below MIN_CONFIDENCE); its
    beliefs are now as of today, before today's news."""
    days = day - heard[i]
    if days <= 0:
        return
    factor = keep**days
    for h in range(risk_n.shape[1]):
        risk_n[i, h] = encode_confidence(
            max(decode_confidence(risk_n[i, h]) * factor, MIN_CONFIDENCE)
        )
    for k in range(welcome_n.shape[1]):
        welcome_n[i, k] = encode_confidence(
            max(decode_confidence(welcome_n[i, k]) * factor, MIN_CONFIDENCE)
        )
    heard[i] = day


@njit(cache=True, inline="always")
def rounding(key, i, col):
    """The draw rounding agent ``i``'s mean in column ``col`` (risk columns first, then
    welcome columns) when it changes alone."""
    return uniform(key, i, ROUNDING + col)


@njit(cache=True, inline="always")
def rounding_word(key, i, group):
    """Four 16-bit rounding draws, for columns ``4 group .. 4 group + 3`` of agent ``i``
    (:func:`from_word`)."""
    return bits(key, i, ROUNDING_WORDS + group)


@njit("float64(uint64, int64)", cache=True, inline="always")
def from_word(word, col):
    """The rounding draw of column ``col`` from its :func:`rounding_word` (16 bits, centred)."""
    return ((word >> np.uint64(16 * (col & 3))) & np.uint64(0xFFFF)) * (1.0 / 65536) + 2.0**-17


@njit(cache=True, inline="always")
def add_evidence(means, confidences, i, col, hits, misses, u):
    """Agent ``i`` adds ``hits`` and ``misses`` pseudo-observations to its belief in column
    ``col`` of ``means`` / ``confidences`` (call :func:`bring_to_day` first): the mean is the
    share of hits (deaths for a risk, good outcomes for a welcome). The new mean is rounded up
    with the chance of its fraction (``u``: a uniform draw, :func:`rounding`)."""
    n = decode_confidence(confidences[i, col])
    total = n + hits + misses
    if total <= 0.0:
        return
    m = (means[i, col] / MEAN_SCALE * n + hits) / total
    x = m * MEAN_SCALE
    low = math.floor(x)
    if u < x - low:
        low += 1.0
    means[i, col] = np.uint16(min(max(low, 0.0), MEAN_SCALE))
    confidences[i, col] = encode_confidence(total)


def encode_means(p: np.ndarray) -> np.ndarray:
    """Means (0 to 1) as stored, rounded to the nearest step."""
    return np.floor(np.clip(p, 0.0, 1.0) * MEAN_SCALE + 0.5).astype(np.uint16)


def encode_confidences(x: np.ndarray) -> np.ndarray:
    return np.array([encode_confidence(float(v)) for v in np.ravel(x)], np.uint16).reshape(
        np.shape(x)
    )


def decode_confidences(codes: np.ndarray) -> np.ndarray:
    c = codes.astype(np.int64)
    return ((((c >> 10) - 31 + 1023) << 52) | ((c & 1023) << 42)).view(np.float64)


FIELDS = (
    ("risk_mean", 0),
    ("risk_n", 0),
    ("welcome_mean", 0),
    ("welcome_n", 0),
    ("heard", 0),
    ("contacts", -1),
)
DTYPES = {
    "risk_mean": np.uint16,
    "risk_n": np.uint16,
    "welcome_mean": np.uint16,
    "welcome_n": np.uint16,
    "heard": np.int16,
    "contacts": np.int32,
}


class Beliefs:
    def __init__(self, n_hubs: int, n_contacts: int, capacity: int = 1024, n_destinations: int = 0):
        self.n_hubs, self.n_contacts, self.n_destinations = n_hubs, n_contacts, n_destinations
        self.columns = {
            "risk_mean": n_hubs,
            "risk_n": n_hubs,
            "welcome_mean": n_destinations,
            "welcome_n": n_destinations,
            "heard": 0,
            "contacts": n_contacts,
        }
        for name, _ in FIELDS:
            shape = (0, self.columns[name]) if name != "heard" else (0,)
            setattr(self, name, np.zeros(shape, DTYPES[name]))
        self.n = 0
        self.reserve(capacity)

    def reserve(self, capacity: int) -> None:
        if capacity <= self.heard.shape[0]:
            return
        for name, fill in FIELDS:
            old = getattr(self, name)
            new = np.full((capacity, *old.shape[1:]), fill, old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def add(self, **rows: np.ndarray) -> None:
        """Append rows for agents ``n .. n + k - 1``: every field of ``FIELDS`` by name."""
        k = rows["heard"].shape[0]
        if self.n + k > self.heard.shape[0]:
            self.reserve(max(self.n + k, 2 * self.heard.shape[0]))
        for name, _ in FIELDS:
            getattr(self, name)[self.n : self.n + k] = rows[name]
        self.n += k

    def view(self, name: str) -> np.ndarray:
        return getattr(self, name)[: self.n]

    def state(self) -> BeliefState:
        return BeliefState(*(self.view(name) for name, _ in FIELDS))

    def risk(self) -> np.ndarray:
        """Believed risk [agent, hub]."""
        return self.view("risk_mean") / np.float32(MEAN_SCALE)

    def welcome(self) -> np.ndarray:
        """Believed welcome [agent, destination]."""
        return self.view("welcome_mean") / np.float32(MEAN_SCALE)

    def confidence(self, name: str, day: int, keep: float) -> np.ndarray:
        """Confidence [agent, column] of ``risk`` or ``welcome`` as of ``day`` (forgetting of
        the days since each agent last heard anything applied)."""
        n = decode_confidences(self.view(f"{name}_n"))  # name: "risk" or "welcome"
        days = np.maximum(day - self.view("heard").astype(np.int64), 0)
        return np.maximum(n * keep ** days[:, None], MIN_CONFIDENCE)

    @property
    def bytes_per_agent(self) -> int:
        return sum(
            np.dtype(DTYPES[name]).itemsize * max(self.columns[name], 1) for name, _ in FIELDS
        )
