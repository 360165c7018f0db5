"""Secondary movement: people in the protection system move on (10-Point Plan point 8;
seeds/001:209-219, seeds/002:1939, 002:3143).

Each day asylum seekers, recognized refugees and destitute people re-evaluate. A person moves on
with probability ``behaviour.arrival.onward_probability`` x push, where push is

- 1 for the destitute (no place: reception was full);
- ``1 - conditions`` for people with a place, in reception or in procedure, plus
  ``wait_push`` x (days since the claim was lodged / 365, at most 1) while a claim is pending
  ("indefinite delays", seeds/002:3143);
- ``recognized_push`` x (1 - quality of protection) for recognized refugees (quality: the mean of
  work rights, freedom of movement and reception conditions; seeds/002:1939);

times 1 + ``tie_push`` if the person has family or diaspora at another node. Moving on abandons a
pending claim (a recognition is left behind too), frees the place and sends the person back to
route choice at that node, with smugglers if the routes need them. Every onward move of someone
who had reached a protection system is a secondary movement (event secondary_movements).
"""

from numba import njit

from flowsim.population import HOUSED, REACHED, REGISTERED, Claim, Status
from flowsim.rng import uniform
from flowsim.rules import EV_ABANDONED, EV_ONWARD, EV_SECONDARY

IN_TRANSIT = int(Status.IN_TRANSIT)
IN_RECEPTION = int(Status.IN_RECEPTION)
IN_PROCEDURE = int(Status.IN_PROCEDURE)
DESTITUTE = int(Status.DESTITUTE)
RECOGNIZED = int(Status.RECOGNIZED)
CLAIM_NONE = int(Claim.NONE)
CLAIM_APPEAL = int(Claim.APPEAL)
LEAVING = 255 ^ (REGISTERED | HOUSED)


@njit(cache=True)
def push(status, days_waiting, conditions, quality, wait_push, recognized_push):
    """How strongly one person's situation pushes it on (0 = not at all)."""
    if status == DESTITUTE:
        return 1.0
    if status == IN_RECEPTION:
        return 1.0 - conditions
    if status == IN_PROCEDURE:
        return 1.0 - conditions + wait_push * min(1.0, days_waiting / 365.0)
    if status == RECOGNIZED:
        return recognized_push * (1.0 - quality)
    return 0.0


@njit(cache=True)
def move_on(day, key, status, status_day, flags, claim, claim_day, node, route, tie,
            onward_moves, onward_probability, conditions, quality, wait_push, recognized_push,
            tie_push, events):  # fmt: skip
    """People without a place, with a poor one, waiting long, or poorly protected move on."""
    for i in range(status.shape[0]):
        st = status[i]
        if not (st == DESTITUTE or st == IN_RECEPTION or st == IN_PROCEDURE or st == RECOGNIZED):
            continue
        n = node[i]
        waiting = day - claim_day[i] if claim_day[i] >= 0 else 0
        p = onward_probability * push(st, waiting, conditions[n], quality[n], wait_push,
                                      recognized_push)  # fmt: skip
        if tie[i] >= 0 and tie[i] != n:
            p *= 1.0 + tie_push
        if p <= 0.0 or uniform(key, i, 0) >= p:
            continue
        c = claim[i]
        if c != CLAIM_NONE and c <= CLAIM_APPEAL:
            events[EV_ABANDONED] += 1
        claim[i] = CLAIM_NONE
        claim_day[i] = -1
        if flags[i] & REACHED:
            events[EV_SECONDARY] += 1
        flags[i] &= LEAVING
        status[i] = IN_TRANSIT
        status_day[i] = day
        route[i] = -1
        if onward_moves[i] < 255:
            onward_moves[i] += 1
        events[EV_ONWARD] += 1
