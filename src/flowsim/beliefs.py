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
- ``contacts`` [agent, slot]: the people it hears from and who hear of it (family and community
  from its origin, who left before it or with it: fellow travellers and, once arrived, diaspora);
  -1 for an empty slot.

Storage (4 bytes a belief): a mean is a uint16 in steps of 1/65535, rounded at random up or down
in proportion (so that no update is lost on average, however small); a confidence is a 16-bit
float (6-bit exponent, 10-bit mantissa: within 0.05% from 5e-10 to 1.7e10), rounded to the
nearest.

Forgetting costs nothing a day: every confidence fades by the same factor ``keep`` a day, so a
confidence is stored as it would stand on the base day ``Beliefs.base_day`` had it not faded
since, ``stored = n / keep^(t - base_day)``, and read on day t as ``max(stored x scale,
MIN_CONFIDENCE)`` with the day's ``scale = keep^(t - base_day)`` (:meth:`Beliefs.scale`). Nothing is
rewritten as days pass, except when the scale falls below REBASE_BELOW: then every stored
confidence is brought to that day once, which becomes the base day (:meth:`Beliefs.rebase`, every
~1,000 days at the default forgetting of 1/180).

Evidence is added with :func:`add_evidence`: ``hits`` and ``misses`` pseudo-observations (deaths
and safe crossings; good and bad outcomes), which moves the mean to (mean x confidence + hits) /
(confidence + hits + misses), the confidence as read today.

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
REBASE_BELOW = 2.0**-8  # stored confidences are rebased when the day's scale falls below this
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
def add_evidence(means, confidences, i, col, hits, misses, u, scale):
    """Agent ``i`` adds ``hits`` and ``misses`` pseudo-observations to its belief in column
    ``col`` of ``means`` / ``confidences``, on a day whose scale of confidences is ``scale``
    (:meth:`Beliefs.scale`): the mean is the share of hits (deaths for a risk, good outcomes for
    a welcome) in the confidence as read today plus the new observations. The new mean is
    rounded up with the chance of its fraction (``u``: a uniform draw, :func:`rounding`)."""
    n = max(decode_confidence(confidences[i, col]) * scale, MIN_CONFIDENCE)
    total = n + hits + misses
    if total <= 0.0:
        return
    m = (means[i, col] / MEAN_SCALE * n + hits) / total
    x = m * MEAN_SCALE
    low = math.floor(x)
    if u < x - low:
        low += 1.0
    means[i, col] = np.uint16(min(max(low, 0.0), MEAN_SCALE))
    confidences[i, col] = encode_confidence(total / scale)


def encode_means(p: np.ndarray) -> np.ndarray:
    """Means (0 to 1) as stored, rounded to the nearest step."""
    return np.floor(np.clip(p, 0.0, 1.0) * MEAN_SCALE + 0.5).astype(np.uint16)


def encode_confidences(x: np.ndarray) -> np.ndarray:
    """:func:`encode_confidence` of every element of ``x`` (numpy)."""
    u = np.asarray(x, np.float64).view(np.int64)
    e = ((u >> 52) & 0x7FF) - 1023
    r = ((u & 0xFFFFFFFFFFFFF) + (1 << 41)) >> 42
    e = np.where(r == 1024, e + 1, e)
    r = np.where(r == 1024, 0, r)
    code = ((e + 31) << 10) | r
    return np.where(e < -31, 0, np.where(e > 32, 65535, code)).astype(np.uint16)


def decode_confidences(codes: np.ndarray) -> np.ndarray:
    c = codes.astype(np.int64)
    return ((((c >> 10) - 31 + 1023) << 52) | ((c & 1023) << 42)).view(np.float64)


FIELDS = (
    ("risk_mean", 0),
    ("risk_n", 0),
    ("welcome_mean", 0),
    ("welcome_n", 0),
    ("contacts", -1),
)
DTYPES = {
    "risk_mean": np.uint16,
    "risk_n": np.uint16,
    "welcome_mean": np.uint16,
    "welcome_n": np.uint16,
    "contacts": np.int32,
}


class Beliefs:
    def __init__(
        self,
        n_hubs: int,
        n_contacts: int,
        capacity: int = 1024,
        n_destinations: int = 0,
        keep: float = 1.0,
    ):
        self.n_hubs, self.n_contacts, self.n_destinations = n_hubs, n_contacts, n_destinations
        self.keep = keep  # 1 - forgetting: what is left of a confidence after a day
        self.base_day = 0  # the day stored confidences stand for (module docstring)
        self.columns = {
            "risk_mean": n_hubs,
            "risk_n": n_hubs,
            "welcome_mean": n_destinations,
            "welcome_n": n_destinations,
            "contacts": n_contacts,
        }
        for name, _ in FIELDS:
            setattr(self, name, np.zeros((0, self.columns[name]), DTYPES[name]))
        self.n = 0
        self.reserve(capacity)

    def reserve(self, capacity: int) -> None:
        if capacity <= self.contacts.shape[0]:
            return
        for name, fill in FIELDS:
            old = getattr(self, name)
            new = np.full((capacity, *old.shape[1:]), fill, old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def add(self, **rows: np.ndarray) -> None:
        """Append rows for agents ``n .. n + k - 1``: every field of ``FIELDS`` by name."""
        k = rows["contacts"].shape[0]
        if self.n + k > self.contacts.shape[0]:
            self.reserve(max(self.n + k, 2 * self.contacts.shape[0]))
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

    def scale(self, day: int) -> float:
        """What a stored confidence is multiplied by to read it on ``day``."""
        return self.keep ** (day - self.base_day)

    def stored(self, n: np.ndarray, day: int) -> np.ndarray:
        """Confidences ``n`` (pseudo-observations on ``day``) as stored."""
        return encode_confidences(np.asarray(n, float) / self.scale(day))

    def rebase(self, day: int) -> None:
        """If the scale of ``day`` has fallen below REBASE_BELOW, bring every stored confidence
        to ``day`` (forgetting applied, never below MIN_CONFIDENCE) and make it the base day."""
        scale = self.scale(day)
        if scale >= REBASE_BELOW:
            return
        for name in ("risk_n", "welcome_n"):
            codes = self.view(name)
            codes[:] = encode_confidences(
                np.maximum(decode_confidences(codes) * scale, MIN_CONFIDENCE)
            )
        self.base_day = day

    def confidence(self, name: str, day: int) -> np.ndarray:
        """Confidence [agent, column] of ``risk`` or ``welcome`` as read on ``day`` (the
        forgetting of the days since it last changed applied)."""
        n = decode_confidences(self.view(f"{name}_n"))  # name: "risk" or "welcome"
        return np.maximum(n * self.scale(day), MIN_CONFIDENCE)

    @property
    def bytes_per_agent(self) -> int:
        return sum(np.dtype(DTYPES[name]).itemsize * self.columns[name] for name, _ in FIELDS)
