"""What happens in a day, counted: the one table of events.

Kernels count into an ``events`` array indexed by :class:`Event` (``events[Event.BOATS] += 1``);
the name of each column of ``events_by_day``, of ``summary.json``'s ``totals`` and of the
timeseries is the member's name in lower case (:data:`EVENT_NAMES`). Event names differ from
status names: ``receptions`` (an event) fills ``in_reception`` (a stock).
"""

from __future__ import annotations

from enum import IntEnum


class Event(IntEnum):
    DEPARTURES = 0  # agents who left their origin
    ARRIVALS = 1  # agents who reached the end of their route
    RECEPTIONS = 2  # agents who got a reception place (on arrival, or later when one freed up)
    DEAD_LAND = 3
    MISSING_LAND = 4
    DEAD_SEA = 5
    MISSING_SEA = 6
    ROBBERIES = 7
    STRANDINGS = 8  # agents who became stranded
    SEA_ATTEMPTS = 9  # agents who boarded a boat (sea crossing attempts)
    SEA_ARRIVALS = 10  # agents who reached the far shore
    ONWARD_MOVES = 11  # agents who moved on from a destination without a place
    NEW_AGENTS = 12  # agents who entered the simulation
    BOATS = 13  # boats launched (with at least one person aboard)
    RESCUED = 14  # people rescued at sea
    INTERCEPTED = 15  # people on intercepted boats
    PULLED_BACK = 16  # intercepted people taken back to the departure country
    REFOULED = 17  # pulled back although in need of protection (returned toward danger)
    SCREENED_IN = 18  # intercepted people identified as in need and given access to asylum
    FORCED_OVERBOARD = 19  # people forced into the sea by smugglers offshore
    # arrival and protection (reception, detention, profiling, asylum procedures)
    REGISTRATIONS = 20  # people registered at a protection node (arrivals and the screened in)
    DESTITUTIONS = 21  # people left without a place because reception was full
    DETENTIONS = 22  # people put in detention
    DETAINED_CHILDREN = 23  # ... of them unaccompanied or separated children
    DETAINED_TRAFFICKING_VICTIMS = 24  # ... of them trafficking victims
    ALTERNATIVES_TO_DETENTION = 25  # people given an alternative to detention instead
    DETENTION_RELEASES = 26  # people released from detention at the maximum stay
    PROFILED = 27  # people screened by profiling
    TRAFFICKING_IDENTIFIED = 28  # trafficking victims identified and referred
    TRAFFICKING_MISSED = 29  # trafficking victims registered but not identified
    CHILDREN_IDENTIFIED = 30  # unaccompanied or separated children identified and referred
    CHILDREN_MISSED = 31  # children registered but not identified
    COUNSELLED = 32  # people referred to return and migration counselling
    CLAIMS = 33  # asylum claims lodged
    PRIMA_FACIE = 34  # ... recognized at once on a prima facie basis
    DECISIONS = 35  # first-instance decisions
    ACCELERATED_DECISIONS = 36  # ... of them in the accelerated procedure
    RECOGNIZED_FIRST_INSTANCE = 37  # first-instance recognitions
    WRONGFUL_REJECTIONS = 38  # first-instance rejections of people in need
    WRONGFUL_RECOGNITIONS = 39  # first-instance recognitions of people not in need
    APPEALS = 40  # appeals lodged
    APPEALS_GRANTED = 41  # appeals that ended in recognition
    RECOGNITIONS = 42  # final recognitions (prima facie, first instance, appeal)
    REJECTIONS = 43  # final rejections
    WRONGFUL_REJECTIONS_FINAL = 44  # final rejections of people in need
    CLAIMS_ABANDONED = 45  # pending claims abandoned by moving on
    # solutions, secondary movement, returns, legal channels
    SMUGGLED_ARRIVALS = 46  # arrivals registered whose route had a sea or a smuggled leg
    SECONDARY_MOVEMENTS = 47  # onward moves of people who had reached a protection system
    READMITTED = 48  # secondary movers sent back to their first country of protection
    INTEGRATIONS = 49
    RESETTLEMENTS = 50
    REPATRIATED = 51  # recognized refugees who returned home voluntarily
    RETURNS_VOLUNTARY = 52  # rejected people who took assisted voluntary return
    RETURNS_FORCED = 53
    RETURNED_TO_TRANSIT = 54  # deported into a transit country that readmits them
    IRREGULAR_STAYS = 55  # rejected people who absconded into irregular stay
    REGULARIZATIONS = 56
    RE_MIGRATIONS = 57  # returned people who left their origin again
    LEGAL_FAMILY_REUNIFICATION = 58  # legal entries by family reunification
    LEGAL_HUMANITARIAN_VISAS = 59  # legal entries with a humanitarian visa
    LEGAL_LABOUR = 60  # legal entries with a labour visa
    # information
    DEPARTURES_DETERRED = 61  # people at their origin who, for the first time, chose to stay
    # though a route was within reach (what they believe made every route worth less)
    CAMPAIGN_REACH = 62  # people reached by a campaign (a person reached twice counts twice)
    DEATHS_NOTICED = 63  # contacts who heard of a death or disappearance at sea
    CONVERSATIONS = 64  # contacts talked to about the crossings
    # what follows a pull-back (rules/pullback.py)
    DETAINED_AFTER_PULLBACK = 65  # pulled-back people taken to detention in the departure country
    DEAD_DETENTION = 66  # deaths in detention after a pull-back (bodies found)
    RELEASED_TO_TRY_AGAIN = 67  # released at the hub, to save again and try again
    MOVED_BACK_TO_TRANSIT = 68  # released and moved back to a transit country
    RETURNED_HOME_AFTER_PULLBACK = 69  # released and returned home (to their origin)
    RE_ATTEMPTS = 70  # boardings of people who had been pulled back before
    # responsibility sharing (rules/sharing.py)
    RELOCATED = 71  # asylum seekers or refugees moved to another country by relocation
    RELOCATIONS_REFUSED = 72  # offers of relocation refused (each person is offered once)
    RELOCATED_MOVED_ON = 73  # relocated people who moved on again at once
    SHARED_DECISIONS = 74  # first-instance decisions made with a partner's lent capacity
    DISEMBARKED_SHARED = 75  # rescued people brought ashore by a zone's agreed shares


EVENT_NAMES = [e.name.lower() for e in Event]
N_EVENTS = len(Event)
