"""Return of people found not in need of protection, and re-migration (10-Point Plan point 9;
seeds/001:707-714, seeds/003, seeds/002:1568, 002:2065).

Each day, in this order:

- Forced return. A country can return ``policy.return.forced_capacity`` people a day (fractions
  carried over): finally rejected people in detention first, then other finally rejected people,
  then people in irregular stay, each in agent order. A return to the origin goes ahead with the
  origin's ``policy.return.origin_cooperation``; if it cannot, and the country the person came
  through (the start of its last sea leg, or of its last leg) readmits with
  ``policy.readmission.agreements``, the person is deported into that transit country instead:
  in transit there, with no route, so it may cross again with smugglers (seeds/002:2065). A
  return that goes ahead uses a place; one that cannot does not.
- Assisted voluntary return. A finally rejected person not in detention takes it with probability
  ``behaviour.returns.avr_rate`` x ``policy.return.avr_support`` (x ``counselled_factor`` after
  return counselling at profiling): returned_voluntary at the origin.
- Absconding. A finally rejected person not in detention who has not returned leaves for
  irregular stay with probability ``abscond_rate`` (irregular_stay, at the same node).
- Regularization. A person in irregular stay is regularized with the daily equivalent of the
  country's yearly ``policy.legal.regularization`` share (regularized, absorbing).
- Re-migration. A returned person (voluntary or forced) leaves again with probability
  ``remigration_rate`` x (1 - ``policy.return.reintegration``) x (1 - safety / 2) at its origin
  (seeds/001:807: reintegration prevents "recycling"; seeds/002:1568): in transit at the origin,
  no route; route choice takes it from there.

People with an unknown origin (met on the way at the start) cannot be returned there.
"""

from numba import njit

from flowsim.population import HOUSED, REGISTERED, Claim, Referral, Status
from flowsim.rng import uniform
from flowsim.rules import (
    EV_IRREGULAR_STAY,
    EV_REGULARIZED,
    EV_REMIGRATIONS,
    EV_RETURNED_TO_TRANSIT,
    EV_RETURNS_FORCED,
    EV_RETURNS_VOLUNTARY,
)

IN_TRANSIT = int(Status.IN_TRANSIT)
DETAINED = int(Status.DETAINED)
REJECTED = int(Status.REJECTED)
IRREGULAR_STAY = int(Status.IRREGULAR_STAY)
RETURNED_VOLUNTARY = int(Status.RETURNED_VOLUNTARY)
RETURNED_FORCED = int(Status.RETURNED_FORCED)
REGULARIZED = int(Status.REGULARIZED)
CLAIM_NONE = int(Claim.NONE)
CLAIM_REJECTED = int(Claim.REJECTED)
REF_COUNSELLING = int(Referral.COUNSELLING)
OUT_OF_SYSTEM = 255 ^ (HOUSED | REGISTERED)


@njit(cache=True)
def leave(i, day, new_status, where, status, status_day, flags, claim, claim_day, node, returns):
    """Agent ``i`` leaves the country's protection system for ``where`` with ``new_status``."""
    node[i] = where
    status[i] = new_status
    status_day[i] = day
    flags[i] &= OUT_OF_SYSTEM
    claim[i] = CLAIM_NONE
    claim_day[i] = -1
    if returns[i] < 255:
        returns[i] += 1


@njit(cache=True)
def forced_returns(day, key, status, status_day, flags, claim, claim_day, node, origin,
                   entry_from, returns, node_country, places, cooperation, agreements,
                   events):  # fmt: skip
    """Forced returns into today's places per country (``places`` is decremented)."""
    for stage in range(3):  # detained rejected, other rejected, irregular stay
        for i in range(status.shape[0]):
            st = status[i]
            if stage == 0 and not (st == DETAINED and claim[i] == CLAIM_REJECTED):
                continue
            if (stage == 1 and st != REJECTED) or (stage == 2 and st != IRREGULAR_STAY):
                continue
            c = node_country[node[i]]
            if places[c] < 1.0:
                continue
            o = origin[i]
            if o >= 0 and uniform(key, i, 0) < cooperation[o]:
                places[c] -= 1.0
                leave(i, day, RETURNED_FORCED, o, status, status_day, flags, claim, claim_day,
                      node, returns)  # fmt: skip
                events[EV_RETURNS_FORCED] += 1
                continue
            t = entry_from[i]
            if t >= 0 and node_country[t] != c and uniform(key, i, 1) < agreements[node_country[t]]:
                places[c] -= 1.0
                leave(i, day, IN_TRANSIT, t, status, status_day, flags, claim, claim_day, node,
                      returns)  # fmt: skip
                events[EV_RETURNED_TO_TRANSIT] += 1


@njit(cache=True)
def voluntary_returns(day, key, status, status_day, flags, claim, claim_day, node, origin,
                      referral, returns, node_country, avr_rate, avr_support, counselled_factor,
                      abscond_rate, regularization, events):  # fmt: skip
    """Assisted voluntary return or absconding of the rejected; regularization."""
    for i in range(status.shape[0]):
        st = status[i]
        c = node_country[node[i]]
        if st == REJECTED:
            p = avr_rate * avr_support[c]
            if referral[i] == REF_COUNSELLING:
                p = min(1.0, p * counselled_factor)
            if origin[i] >= 0 and uniform(key, i, 2) < p:
                leave(i, day, RETURNED_VOLUNTARY, origin[i], status, status_day, flags, claim,
                      claim_day, node, returns)  # fmt: skip
                events[EV_RETURNS_VOLUNTARY] += 1
            elif uniform(key, i, 3) < abscond_rate:
                status[i] = IRREGULAR_STAY
                status_day[i] = day
                flags[i] &= OUT_OF_SYSTEM
                claim[i] = CLAIM_NONE
                claim_day[i] = -1
                events[EV_IRREGULAR_STAY] += 1
        elif st == IRREGULAR_STAY and uniform(key, i, 4) < 1.0 - (1.0 - regularization[c]) ** (
            1.0 / 365.0
        ):
            status[i] = REGULARIZED
            status_day[i] = day
            events[EV_REGULARIZED] += 1


@njit(cache=True)
def remigrate(day, key, status, status_day, route, remigration_rate, reintegration, safety,
              node, events):  # fmt: skip
    """Returned people leave their origin again."""
    for i in range(status.shape[0]):
        st = status[i]
        if st != RETURNED_VOLUNTARY and st != RETURNED_FORCED:
            continue
        n = node[i]
        p = remigration_rate * (1.0 - reintegration[n]) * (1.0 - 0.5 * safety[n])
        if uniform(key, i, 5) < p:
            status[i] = IN_TRANSIT
            status_day[i] = day
            route[i] = -1
            events[EV_REMIGRATIONS] += 1
