"""The population as a struct of arrays: one row per agent, one numpy array per attribute.

Rows are never removed, so an agent keeps its index (its id) for the whole run and can be inspected
with :meth:`Population.agent`. Arrays grow by doubling when departures need more rows.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from flowsim.scenario import MOTIVES, VULNERABILITIES


class Status(IntEnum):
    AT_ORIGIN = 0  # decided to leave, has not left the origin yet (no affordable route so far)
    IN_TRANSIT = 1  # on a land or air leg, or at a node between legs
    WAITING_TO_CROSS = 2  # at an embarkation node, waiting for a boat
    AT_SEA = 3  # on a sea leg
    STRANDED = 4  # at a node, cannot afford any onward route; earns a little each day
    ARRIVED = 5  # transient within a day: reached the end of its route, released from detention,
    # or an onward mover with no route at a destination; registered and received the same day
    IN_RECEPTION = 6  # has a reception (or camp) place, no asylum claim pending
    DEAD = 7  # died; body found
    MISSING = 8  # lost and never found
    IN_PROCEDURE = 9  # asylum claim pending (first instance or appeal) with a place; also the
    # screened in at sea and humanitarian-visa holders until they are registered (same day)
    DESTITUTE = 10  # in the protection system without a place: reception was full
    DETAINED = 11  # held in immigration detention (a claim may be pending)
    RECOGNIZED = 12  # granted protection (final)
    REJECTED = 13  # claim finally rejected (out of reception)
    IN_TRAFFICKING_PROTECTION = 14  # identified as a trafficking victim and referred
    IN_CHILD_PROTECTION = 15  # identified as an unaccompanied or separated child and referred
    INTEGRATED = 16  # a recognized refugee integrated locally (absorbing)
    RESETTLED = 17  # resettled to a third country: left the network (counted where it left)
    RETURNED_VOLUNTARY = 18  # back at its origin by assisted voluntary return or repatriation
    RETURNED_FORCED = 19  # back at its origin by forced return
    IRREGULAR_STAY = 20  # rejected, stays without status (absconded)
    LEGAL_MIGRANT = 21  # came by a legal labour or family channel (absorbing)
    REGULARIZED = 22  # regularized from irregular stay (absorbing)
    DETAINED_AFTER_PULLBACK = 23  # held in the departure country after a pull-back at sea


# statuses of people who have reached the protection system at a node (counted at camps, etc.)
PROTECTION_STATUSES = (
    Status.IN_RECEPTION,
    Status.IN_PROCEDURE,
    Status.DESTITUTE,
    Status.DETAINED,
    Status.RECOGNIZED,
    Status.REJECTED,
    Status.IN_TRAFFICKING_PROTECTION,
    Status.IN_CHILD_PROTECTION,
)


class Claim(IntEnum):
    """Where an agent's asylum claim stands (field ``claim``)."""

    NONE = 0  # never lodged, or abandoned by moving on
    FULL = 1  # pending in the full (regular) procedure
    ACCELERATED = 2  # pending in the accelerated procedure (a clear case)
    APPEAL = 3  # rejected at first instance, appeal pending
    RECOGNIZED = 4  # final: protection granted
    REJECTED = 5  # final: rejected


class Referral(IntEnum):
    """What profiling at registration referred an agent to (field ``referral``)."""

    NONE = 0  # not profiled (or not yet registered)
    ASYLUM = 1
    TRAFFICKING = 2  # trafficking protection process
    CHILD = 3  # child protection
    COUNSELLING = 4  # return and migration counselling (estimated not in need)


class Flag(IntEnum):
    """Bits of the ``flags`` field."""

    REGISTERED = 1  # registered at its current node (cleared when it moves on or leaves)
    HOUSED = 2  # holds a reception or camp place
    PROFILED = 4  # was screened by profiling at registration
    REACHED = 8  # has been registered at a protection node at least once (never cleared)
    PROTECTED = 16  # has been recognized at least once (never cleared)
    LEGAL = 32  # entered through a legal channel (never cleared)
    DETERRED = 64  # chose at least once to stay at its origin though a route was within reach
    PULLED_BACK = 128  # was pulled back at sea at least once (never cleared)


# ``flags &= OUT_OF_SYSTEM``: leaves a country's protection system (no longer registered there,
# no place); ``flags &= NOT_HOUSED``: gives up its place only
OUT_OF_SYSTEM = 0xFF ^ (Flag.REGISTERED | Flag.HOUSED)
NOT_HOUSED = 0xFF ^ Flag.HOUSED


class Aware(IntEnum):
    """Bits of the ``aware`` field: what a person knows of."""

    FAMILY_REUNIFICATION = 1  # the legal channels, in the order of legal_channels.CHANNELS
    HUMANITARIAN_VISAS = 2
    LABOUR_QUOTA = 4
    PROTECTION = 8  # the protection available in first-asylum countries


LEGAL_CHANNELS = Aware.FAMILY_REUNIFICATION | Aware.HUMANITARIAN_VISAS | Aware.LABOUR_QUOTA


class Vulnerability(IntEnum):
    """Bits of the ``vulnerability`` field, in the order of ``scenario.VULNERABILITIES``."""

    CHILD = 1  # unaccompanied or separated child
    VIOLENCE_SURVIVOR = 2
    TRAFFICKING = 4  # trafficking victim or at risk of being trafficked
    STATELESS = 8


STATUS_NAMES = [s.name.lower() for s in Status]
FLAG_BITS = {f.name.lower(): f for f in Flag}
AWARE_BITS = {a.name.lower(): a for a in Aware if a != Aware.PROTECTION}  # the legal channels
N_STATUS = len(Status)
# kernels that run in parallel take the agents in chunks of CHUNK_WORDS words of 64 (4,096
# agents): fixed chunks, whatever the number of threads, so results never depend on it
CHUNK_WORDS = 64
VULN_BIT = {v.name.lower(): v for v in Vulnerability}
assert tuple(VULN_BIT) == VULNERABILITIES

# name -> dtype; one row of these is the whole per-agent state (see bytes_per_agent)
FIELDS: dict[str, np.dtype] = {
    # who
    "profile": np.dtype(np.uint8),  # index of the profile it was drawn from
    "origin": np.dtype(np.int16),  # -1 for agents placed on the way at the start
    "protection_need": np.dtype(np.bool_),  # latent: read by screening, profiling, decisions
    "motive": np.dtype(np.uint8),  # index into MOTIVES
    "vulnerability": np.dtype(np.uint8),  # bit set over Vulnerability
    "risk_tolerance": np.dtype(np.uint8),  # in steps of 1/255: 0 avoids all risk, 255 ignores it
    "tie": np.dtype(np.int16),  # node with family or diaspora, -1 if none
    "aware": np.dtype(np.uint8),  # bit set over Aware
    # where, and with what
    "status": np.dtype(np.uint8),
    "status_day": np.dtype(np.int16),  # day the current status began
    "node": np.dtype(np.int16),  # current node, or the node a current leg started from
    "edge": np.dtype(np.int16),  # current leg, -1 when at a node
    "days_left": np.dtype(np.int16),  # days to the end of the current leg
    "route": np.dtype(np.int16),  # chosen candidate route, -1 if none
    "route_pos": np.dtype(np.uint8),  # index of the next leg on the route
    "resources": np.dtype(np.float32),  # USD
    # history and protection
    "departure_day": np.dtype(np.int16),  # day it left its origin, -1 if it has not
    "flags": np.dtype(np.uint8),  # bit set over Flag
    "referral": np.dtype(np.uint8),  # Referral
    "claim": np.dtype(np.uint8),  # Claim
    "claim_day": np.dtype(np.int16),  # day the asylum claim was lodged, -1 if none
    "first_protection_node": np.dtype(np.int16),  # node of the first registration, -1 if none
    "entry_from": np.dtype(np.int16),  # start of the last sea leg (or last leg) before registering
    "returns": np.dtype(np.uint8),  # times returned or deported as a rejected person (not
    # repatriation of refugees; saturates at 255)
}
RISK_TOLERANCE_STEPS = 255.0  # risk tolerance t is stored as round(t x 255)
MAX_ROUTES = 32767  # routes are int16 (network.compile_network checks)
MAX_PROFILES = 256  # profiles are uint8 (rules.departures checks)


class Agents(NamedTuple):
    """The population as kernels take it: the live rows of every array of ``FIELDS``, and the
    members of each status."""

    profile: np.ndarray
    origin: np.ndarray
    protection_need: np.ndarray
    motive: np.ndarray
    vulnerability: np.ndarray
    risk_tolerance: np.ndarray
    tie: np.ndarray
    aware: np.ndarray
    status: np.ndarray
    status_day: np.ndarray
    node: np.ndarray
    edge: np.ndarray
    days_left: np.ndarray
    route: np.ndarray
    route_pos: np.ndarray
    resources: np.ndarray
    departure_day: np.ndarray
    flags: np.ndarray
    referral: np.ndarray
    claim: np.ndarray
    claim_day: np.ndarray
    first_protection_node: np.ndarray
    entry_from: np.ndarray
    returns: np.ndarray
    # who is in each status: bit (i & 63) of word (i >> 6) is set when agent i has that status;
    # kernels visit the members of the statuses they act on instead of every agent
    members: np.ndarray  # uint64 [word, status]
    changed: np.ndarray  # uint64 [word]: agents whose status changed today


assert Agents._fields[: len(FIELDS)] == tuple(FIELDS)


class Journey(NamedTuple):
    """Where agents are and with what: the fields the helpers of the journey change (travel,
    the sea, interception), handed to them instead of the whole population (a call with every
    array of ``Agents`` costs hundreds of nanoseconds)."""

    status: np.ndarray
    status_day: np.ndarray
    members: np.ndarray
    changed: np.ndarray
    node: np.ndarray
    edge: np.ndarray
    days_left: np.ndarray
    route: np.ndarray
    route_pos: np.ndarray
    resources: np.ndarray


class Case(NamedTuple):
    """Agents' standing with a protection system: what the helpers of decisions and returns
    change beside the status."""

    status: np.ndarray
    status_day: np.ndarray
    members: np.ndarray
    changed: np.ndarray
    node: np.ndarray
    flags: np.ndarray
    claim: np.ndarray
    claim_day: np.ndarray
    returns: np.ndarray


@njit(cache=True, inline="always")
def journey(a):
    return Journey(
        a.status,
        a.status_day,
        a.members,
        a.changed,
        a.node,
        a.edge,
        a.days_left,
        a.route,
        a.route_pos,
        a.resources,
    )


@njit(cache=True, inline="always")
def case(a):
    return Case(
        a.status,
        a.status_day,
        a.members,
        a.changed,
        a.node,
        a.flags,
        a.claim,
        a.claim_day,
        a.returns,
    )


_DEFAULTS = {
    "tie": -1,
    "edge": -1,
    "route": -1,
    "departure_day": -1,
    "claim_day": -1,
    "first_protection_node": -1,
    "entry_from": -1,
}


class Population:
    def __init__(self, capacity: int = 1024):
        self.n = 0
        self._cap = 0
        self._agents: Agents | None = None
        self._born: list[tuple[int, int]] = []  # (first row, day) of each batch of new agents
        for name in FIELDS:
            setattr(self, name, np.empty(0, FIELDS[name]))
        self.members = np.zeros((0, N_STATUS), np.uint64)
        self.changed = np.zeros(0, np.uint64)
        self.reserve(max(capacity, 16))

    @staticmethod
    def bytes_per_agent() -> int:
        return sum(dt.itemsize for dt in FIELDS.values())

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in FIELDS)

    def reserve(self, capacity: int) -> None:
        if capacity <= self._cap:
            return
        for name, dtype in FIELDS.items():
            new = np.full(capacity, _DEFAULTS.get(name, 0), dtype)
            new[: self.n] = getattr(self, name)[: self.n]
            setattr(self, name, new)
        words = (capacity + 63) >> 6
        members = np.zeros((words, N_STATUS), np.uint64)
        members[: self.members.shape[0]] = self.members
        changed = np.zeros(words, np.uint64)
        changed[: self.changed.size] = self.changed
        self.members, self.changed = members, changed
        self._cap = capacity
        self._agents = None

    def add(self, count: int, born_day: int = 0, **values: np.ndarray | int | float) -> slice:
        """Append ``count`` agents who enter on day ``born_day`` (-1: placed before the run);
        unnamed attributes take their defaults. Returns their rows."""
        if count <= 0:
            return slice(self.n, self.n)
        if not self._born or self._born[-1][1] != born_day:
            self._born.append((self.n, born_day))
        need = self.n + count
        if need > self._cap:
            self.reserve(max(need, 2 * self._cap))
        rows = slice(self.n, need)
        for name in FIELDS:
            getattr(self, name)[rows] = values.pop(name, _DEFAULTS.get(name, 0))
        if values:
            raise TypeError(f"unknown population fields: {sorted(values)}")
        add_members(self.members, rows.start, self.status[rows])
        self.n = need
        return rows

    def new_day(self) -> None:
        """Nobody's status has changed yet today."""
        self.changed[:] = 0

    def view(self, name: str) -> np.ndarray:
        """The live part of one attribute array (rows 0..n-1). ``born_day``, the day each agent
        entered the run, is not stored: rows are added in the order of the days."""
        if name == "born_day":
            firsts = [first for first, _ in self._born] + [self.n]
            days = [day for _, day in self._born]
            return np.repeat(np.array(days, np.int16), np.diff(firsts))
        return getattr(self, name)[: self.n]

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: self.view(name) for name in FIELDS}

    def agents(self) -> Agents:
        """The live rows as kernels take them (views: kernels change the population in place;
        the same tuple until agents are added)."""
        if self._agents is None or self._agents.status.shape[0] != self.n:
            words = (self.n + 63) >> 6
            views = (getattr(self, name)[: self.n] for name in FIELDS)
            self._agents = Agents(
                *views, members=self.members[:words], changed=self.changed[:words]
            )
        return self._agents

    def agent(self, i: int) -> dict:
        """One agent's row as a readable dict."""
        if not 0 <= i < self.n:
            raise IndexError(f"agent {i} does not exist (0..{self.n - 1})")
        row = {name: getattr(self, name)[i].item() for name in FIELDS}
        row["status"] = STATUS_NAMES[row["status"]]
        row["motive"] = MOTIVES[row["motive"]]
        row["referral"] = Referral(row["referral"]).name.lower()
        row["claim"] = Claim(row["claim"]).name.lower()
        row["flags"] = [name for name, bit in FLAG_BITS.items() if row["flags"] & bit]
        row["aware"] = [a.name.lower() for a in Aware if row["aware"] & a]
        row["vulnerability"] = [v for v, bit in VULN_BIT.items() if row["vulnerability"] & bit]
        row["risk_tolerance"] = row["risk_tolerance"] / RISK_TOLERANCE_STEPS
        row["born_day"] = int(self.view("born_day")[i])
        return row


@intrinsic
def _cttz(typingctx, x):
    """LLVM's count of trailing zero bits."""
    if not isinstance(x, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        return builder.cttz(args[0], ir.Constant(ir.IntType(1), 0))

    return x(x), codegen


@njit("int64(uint64)", cache=True)
def lowest_bit(bits):
    """The index of the lowest set bit of ``bits`` (not 0): members of a status are visited with
    ``while bits: i = 64 * word + lowest_bit(bits); bits &= bits - 1``."""
    return np.int64(_cttz(bits))


@njit(cache=True)
def add_members(members, first, status):
    """Rows ``first, first + 1, ...`` join the members of their ``status``."""
    for k in range(status.shape[0]):
        i = first + k
        members[i >> 6, status[k]] |= np.uint64(1) << np.uint64(i & 63)


@njit(cache=True, inline="always")
def set_status(agents, i, status, day):
    """Agent ``i`` takes ``status`` today: every status change goes through here (or, in
    parallel kernels, through :func:`move`), which keeps the members of each status and
    today's changes exact."""
    move(agents.status, agents.status_day, agents.members, agents.changed, i, status, day)


@njit(cache=True, inline="always")
def move(status, status_day, members, changed, i, new_status, day):
    """:func:`set_status` on the arrays themselves (numba loses writes made through a named
    tuple inside a parallel loop: numba issues 5872, 7135)."""
    w = i >> 6
    bit = np.uint64(1) << np.uint64(i & 63)
    members[w, status[i]] &= ~bit
    members[w, new_status] |= bit
    changed[w] |= bit
    status[i] = new_status
    status_day[i] = day


@njit(cache=True, nogil=True)
def census(first, last, step, agents, node_country, by_node, pending, housed):
    """The end-of-day records of chunks ``first, first + step, ...`` below ``last`` of the agents (``flowsim.chunks``),
    into their rows of the outputs: agents by node and status, pending claims (first instance
    and appeal) by country, places held by node."""
    status, node, claim, flags = agents.status, agents.node, agents.claim, agents.flags
    n = status.shape[0]
    size = CHUNK_WORDS * 64
    for chunk in range(first, last, step):
        for i in range(chunk * size, min(n, (chunk + 1) * size)):
            by_node[chunk, node[i], status[i]] += 1
            c = claim[i]
            if c == Claim.FULL or c == Claim.ACCELERATED or c == Claim.APPEAL:
                pending[chunk, node_country[node[i]]] += 1
            if flags[i] & Flag.HOUSED:
                housed[chunk, node[i]] += 1
