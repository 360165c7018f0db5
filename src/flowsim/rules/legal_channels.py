"""Legal channels: the alternatives to smugglers (10-Point Plan point 9; seeds/002:1879, 002:1891,
002:1917).

Each day, before route choice, people who have decided to leave and are still at their origin
(status at_origin) look at the legal channels that have places left today, in this order:
family reunification (to the node where they have family), humanitarian visas (people in need),
labour visas (people whose dominant motive is livelihood). A person uses a channel only if it
knows of it (a bit of ``aware``: drawn when it is created with ``behaviour.legal.awareness``),
qualifies, and can pay the channel's cost (``behaviour.legal.cost_*``; people who cannot afford
it "still turn to smugglers", seeds/002:1891). Places a day are the yearly quota / 365 per
destination node, fractions carried over; first come (agent order), first served. Among
destinations with places, the one most attractive for the person's motive is taken.

A legal traveller pays the cost and reaches the destination the same day (a flight): labour and
family migrants are legal_migrant there; a humanitarian-visa holder is registered there the same
day, referred to asylum (it claims on arrival) and not counted as an irregular arrival.

Free movement (``policy.legal.free_movement``, by edge) works on the route network instead: a
free-movement leg needs no smuggler (its smuggler's markup, ``behaviour.legal.smuggler_markup``
of its cost, and its robbery hazard fall away) and does not make a route irregular.
"""

from numba import njit

from flowsim.population import LEGAL, Status
from flowsim.rules import EV_DEPARTURES, EV_LEGAL_FAMILY, EV_LEGAL_HUMANITARIAN, EV_LEGAL_LABOUR

# channels: index into slots[channel, node], costs[channel] and the bits of ``aware``
FAMILY, HUMANITARIAN, LABOUR = 0, 1, 2
CHANNELS = ("family_reunification", "humanitarian_visas", "labour_quota")
AWARE_BIT = (1, 2, 4)
EVENT = (EV_LEGAL_FAMILY, EV_LEGAL_HUMANITARIAN, EV_LEGAL_LABOUR)
AT_ORIGIN = int(Status.AT_ORIGIN)
IN_PROCEDURE = int(Status.IN_PROCEDURE)
LEGAL_MIGRANT = int(Status.LEGAL_MIGRANT)


@njit(cache=True)
def qualifies(channel, dest, motive, tie, need, livelihood):
    """Whether a person with this motive, tie and need qualifies for ``channel`` to ``dest``."""
    if channel == FAMILY:
        return tie == dest
    if channel == HUMANITARIAN:
        return need
    return motive == livelihood


@njit(cache=True)
def pick(channel, motive, tie, need, resources, aware, slots, costs, node_attract, livelihood):
    """The destination node a person takes through ``channel`` today, or -1."""
    if not aware & AWARE_BIT[channel] or resources < costs[channel]:
        return -1
    best = -1
    best_u = -1e300
    for dest in range(slots.shape[1]):
        if slots[channel, dest] < 1.0 or not qualifies(
            channel, dest, motive, tie, need, livelihood
        ):
            continue
        u = node_attract[dest, motive]
        if u > best_u:
            best, best_u = dest, u
    return best


@njit(cache=True)
def use_channels(
    day, status, status_day, flags, node, departure_day, first_arrival_node, motive, tie, need,
    resources, aware, slots, costs, node_attract, livelihood, events,
):  # fmt: skip
    """People at their origin who know of, qualify for and can afford a channel with a place."""
    for i in range(status.shape[0]):
        if status[i] != AT_ORIGIN:
            continue
        for channel in range(3):
            dest = pick(channel, motive[i], tie[i], need[i], resources[i], aware[i], slots,
                        costs, node_attract, livelihood)  # fmt: skip
            if dest < 0:
                continue
            slots[channel, dest] -= 1.0
            resources[i] -= costs[channel]
            node[i] = dest
            # a visa holder is registered as referred to asylum, like the screened in
            status[i] = IN_PROCEDURE if channel == HUMANITARIAN else LEGAL_MIGRANT
            status_day[i] = day
            departure_day[i] = day
            flags[i] |= LEGAL
            if first_arrival_node[i] < 0:
                first_arrival_node[i] = dest
            events[EV_DEPARTURES] += 1
            events[EVENT[channel]] += 1
            break
