"""The sea crossing: distress, rescue, loss of life, landing (seeds/001:725-836, 002:88-124).

Boats launched on day t sail from day t+1. Each day, for every boat still at sea, in this order:

1. Boats carrying rescued people advance their stand-off (see ``disembarkation``).
2. Sailing boats may be intercepted (see ``interception``).
3. A sailing boat falls into distress with the daily probability that makes its crossing
   probability ``min(1, distress(type) * weather[month] * (load / capacity) ** overload_exponent)``.
4. Rescue: in each sea zone, boats in distress are answered in random order while the zone's
   ``policy.rescue.capacity`` (boats a day; a fraction is a chance of one more) lasts. An answered
   boat is rescued if it is still afloat when help arrives: probability
   ``exp(-response_days / survival_days(type))``. Boats not rescued are lost: each person aboard is
   lost with ``loss_if_sunk``, the others reach the shore. A share ``missing_share_sea`` of those
   lost is never found (missing), the rest are found dead.
5. A sailing boat at the end of its crossing lands; with the leg's ``forced_overboard`` probability
   the smugglers first force its people into the sea offshore (seeds/002:90, 002:261), and each of
   them is lost with ``forced_overboard_loss``.

Boat-level draws come from a generator keyed by (seed, rule, day); the passenger kernel applies
each boat's fate to everyone aboard with counter-based draws.
"""

from __future__ import annotations

import datetime as dt
from enum import IntEnum
from typing import NamedTuple

import numpy as np
from numba import njit

from flowsim.boats import Boats, BoatState, Fate
from flowsim.events import Event
from flowsim.population import Status, journey
from flowsim.rng import Rule, uniform
from flowsim.rules import Mechanism, params_of
from flowsim.rules.disembarkation import disembark, disembark_shared, shared_country
from flowsim.rules.interception import pull_back
from flowsim.rules.travel import lose


class SeaParams(NamedTuple):
    """``[behaviour.sea]``: boats, the sea and what happens aboard."""

    launch_probability: float  # daily chance smugglers at a hub launch for a leg
    min_load: float  # launch only when the waiting fill this share of a boat ...
    max_wait_days: int  # ... or someone has waited this long
    overload: float  # persons loaded / boat capacity
    overload_exponent: float  # distress grows with (load / capacity) ** exponent
    weather: np.ndarray  # [month] distress multiplier
    loss_if_sunk: float  # a boat in distress not rescued in time: share of people lost
    loss_if_rescued: float  # share lost during a rescue
    loss_if_intercepted: float  # share lost during an interception
    standoff_daily_hazard: float  # per person and day aboard awaiting disembarkation
    forced_overboard_loss: float  # share lost when smugglers force people into the sea
    screening_sensitivity: float  # share of people in need whom screening identifies
    pullback_resource_loss: float  # share of resources lost to detention and extortion


class Draw(IntEnum):
    """The passenger kernel's draws per agent."""

    LOSS = 0
    MISSING = 1
    SCREENING = 2
    DETAINED = 3  # after a pull-back
    SHARE = 4  # the landing country under disembarkation sharing


class SeaCrossing(Mechanism):
    """Boats at sea: interception, distress and rescue, landing, disembarkation; then what
    happened to the people aboard, and the news of it (for ``information``)."""

    LEVERS = {
        "rescue_capacity": "policy.rescue.capacity",
        "response_days": "policy.rescue.response_days",
    }

    def __init__(self, model) -> None:
        super().__init__(model)
        self.params = params_of(SeaParams, model.scenario.behaviour.sea)
        self.missing_share = model.scenario.behaviour.hazards.missing_share_sea
        start = model.start_date
        self.months = np.array(
            [(start + dt.timedelta(days=k)).month - 1 for k in range(model.days)], np.int64
        )

    def step(self, model, day: int) -> None:
        net, boats = model.net, model.boats
        at_sea = boats.active()  # boats at sea this morning
        if at_sea.size == 0:
            none = np.zeros(0, np.int64)
            model.information.hear_of_sea(
                none, none, none.astype(bool), none.astype(bool), none, none
            )
            return
        a = model.pop.agents()
        aboard, boat_before = boats.aboard(a.status)  # who may land or be lost today
        hub_before = a.node[aboard].copy()
        self.sail(model, day, np.random.default_rng(model.keys(Rule.BOATS, day)))
        key, fleet = model.keys(Rule.SEA_CROSSING, day), boats.fleet()
        screening = model.levers["screening"][day]
        passengers(
            day,
            key,
            a,
            net.arrays(),
            fleet,
            boats.manifest,
            at_sea,
            screening,
            model.levers["pullback_detention"][day],
            self.params,
            self.missing_share,
            model.tally,
            model.disembarkation.cumulative[day],
            model.disembarkation.landing,
            model.disembarkation.shared_by_country,
        )
        now = a.status[aboard]
        lost = (now == Status.DEAD) | (now == Status.MISSING)
        landed = (now != Status.AT_SEA) & ~lost & (a.node[aboard] != hub_before)
        model.observation.at_sea(model, day, boats.zone[boat_before], lost,
                                 now == Status.MISSING, boats.fate[boat_before] == Fate.INTERCEPTED,
                                 net.node_country[hub_before])  # fmt: skip
        news = lost | landed
        # survivors of a boat on which people were lost saw it happen
        witnessed = np.isin(boat_before, boat_before[lost]) & ~lost
        model.information.hear_of_sea(
            who=aboard[news],
            hub=net.node_hub[hub_before[news]],
            missing=now[news] == Status.MISSING,
            landed=landed[news],
            witnesses=aboard[witnessed],
            witness_hub=net.node_hub[hub_before[witnessed]],
        )

    def sail(self, model, day: int, rng: np.random.Generator) -> None:
        """Set today's fate of every boat at sea."""
        boats, net, sea = model.boats, model.net, self.params
        active = boats.active()
        boats.fate[active] = Fate.NONE
        state = boats.state[active]
        model.disembarkation.step(model, day, active[state == BoatState.RESCUED])
        sailing = active[(state == BoatState.SAILING) & (boats.depart_day[active] < day)]
        if sailing.size == 0:
            return
        days = net.edge_days[boats.edge[sailing]].astype(float)
        zone = boats.zone[sailing]

        caught = model.interception.step(model, day, days, zone, rng)
        _end(boats, sailing[caught], Fate.INTERCEPTED)
        sailing, days, zone = sailing[~caught], days[~caught], zone[~caught]

        t = boats.type[sailing]
        load = boats.passengers[sailing] / net.type_capacity[t]
        p_cross = np.minimum(
            1.0, net.type_distress[t] * sea.weather[self.months[day]] * load**sea.overload_exponent
        )
        distress = rng.random(sailing.size) < 1.0 - (1.0 - p_cross) ** (1.0 / days)
        lv = model.levers
        _rescue(
            boats,
            net,
            sailing[distress],
            lv["rescue_capacity"][day],
            lv["response_days"][day],
            lv["delay_days"][day],
            rng,
        )

        going = sailing[~distress]
        boats.days_left[going] -= 1
        ashore = going[boats.days_left[going] <= 0]
        forced = rng.random(ashore.size) < net.edge_forced_overboard[boats.edge[ashore]]
        _end(boats, ashore[forced], Fate.FORCED)
        _end(boats, ashore[~forced], Fate.LANDED)


def _rescue(boats, net, distress, capacity, response_days, delay_days, rng) -> None:
    """Answer boats in distress zone by zone while capacity lasts; the rest are lost."""
    for z in np.unique(boats.zone[distress]):
        here = rng.permutation(distress[boats.zone[distress] == z])
        cap = capacity[z]
        answered = int(cap) + int(rng.random() < cap - int(cap))
        reached = here[:answered]
        in_time = rng.random(reached.size) < np.exp(
            -response_days[z] / net.type_survival_days[boats.type[reached]]
        )
        saved = reached[in_time]
        boats.state[saved] = BoatState.RESCUED
        boats.fate[saved] = Fate.RESCUED
        boats.standoff_left[saved] = int(round(delay_days[z]))
        _end(boats, np.concatenate([reached[~in_time], here[answered:]]), Fate.LOST)


def _end(boats: Boats, idx: np.ndarray, fate: Fate) -> None:
    boats.fate[idx] = fate
    boats.outcome[idx] = fate
    boats.state[idx] = BoatState.DONE


@njit(cache=True)
def passengers(
    day, key, agents, net, fleet, manifest, at_sea, screening, detention, params, missing_share,
    tally, shares, landing, shared_by_country,
):  # fmt: skip
    """Apply the fate today of each boat that was at sea this morning (``at_sea``) to everyone
    still aboard it (its manifest); ``shares`` [zone, country] (cumulative) and ``landing``
    [zone, country]: disembarkation sharing of rescued people (``disembarkation``)."""
    f, p, events = fleet, params, tally.events
    j = journey(agents)
    for b in at_sea:
        fate = f.fate[b]
        for k in range(f.first[b], f.first[b] + f.passengers[b]):
            i = np.int64(manifest[k])
            if j.status[i] != Status.AT_SEA:
                continue  # lost on a day of the stand-off
            u = uniform(key, i, Draw.LOSS)
            lost_p = 0.0
            if fate == Fate.LOST:
                lost_p = p.loss_if_sunk
            elif fate == Fate.RESCUED:
                events[Event.RESCUED] += 1
                lost_p = p.loss_if_rescued
            elif fate == Fate.STANDOFF:
                lost_p = p.standoff_daily_hazard
            elif fate == Fate.INTERCEPTED:
                events[Event.INTERCEPTED] += 1
                lost_p = p.loss_if_intercepted
            elif fate == Fate.FORCED:
                events[Event.FORCED_OVERBOARD] += 1
                lost_p = p.forced_overboard_loss
            if u < lost_p:
                lose(
                    i,
                    day,
                    uniform(key, i, Draw.MISSING),
                    missing_share,
                    j,
                    events,
                    Event.DEAD_SEA,
                    Event.MISSING_SEA,
                )
            elif fate == Fate.INTERCEPTED:
                pull_back(
                    i,
                    day,
                    uniform(key, i, Draw.SCREENING),
                    uniform(key, i, Draw.DETAINED),
                    f.hub[b],
                    j,
                    agents.flags,
                    agents.protection_need[i],
                    screening[f.zone[b]],
                    p.screening_sensitivity,
                    p.pullback_resource_loss,
                    detention[f.hub[b]],
                    events,
                )
            elif fate == Fate.DISEMBARKED and shares[f.zone[b], -1] > 0.0:
                c = shared_country(uniform(key, i, Draw.SHARE), shares[f.zone[b]])
                if c < 0:
                    disembark(
                        i, day, j.edge[i], j, net.edge_dst, net.route_edge_ptr, tally.arrivals,
                        events,
                    )  # fmt: skip
                else:
                    disembark_shared(
                        i, day, j.edge[i], c, landing[f.zone[b]], net.node_country, j,
                        net.edge_dst, net.route_edge_ptr, tally.arrivals, events,
                        shared_by_country,
                    )  # fmt: skip
            elif (
                fate == Fate.LOST
                or fate == Fate.LANDED
                or fate == Fate.FORCED
                or fate == Fate.DISEMBARKED
            ):
                disembark(
                    i, day, j.edge[i], j, net.edge_dst, net.route_edge_ptr, tally.arrivals, events
                )
            elif f.state[b] == BoatState.SAILING:
                j.days_left[i] = max(f.days_left[b], 1)
            else:
                j.days_left[i] = f.standoff_left[b] + 1
