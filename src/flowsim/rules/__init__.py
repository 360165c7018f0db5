"""One module per mechanism, in the order of the journey (see ``flowsim.model.Model.step``).

Kernels count what happens each day into an ``events`` array indexed by the constants below.
Event names differ from status names: ``settlements`` (an event) fills ``settled`` (a stock).
"""

EV_DEPARTURES = 0  # agents who left their origin
EV_ARRIVALS = 1  # agents who reached the end of their route
EV_SETTLED = 2  # agents who got a place at a destination
EV_DEAD_LAND = 3
EV_MISSING_LAND = 4
EV_DEAD_SEA = 5
EV_MISSING_SEA = 6
EV_ROBBED = 7
EV_STRANDED = 8  # agents who became stranded
EV_BOARDED = 9  # agents who boarded a boat (sea crossing attempts)
EV_LANDED = 10  # agents who reached the far shore
EV_ONWARD = 11  # agents who moved on from a destination without a place
EV_NEW_AGENTS = 12  # agents who entered the simulation
EV_BOATS = 13  # boats launched (with at least one person aboard)
EV_RESCUED = 14  # people rescued at sea
EV_INTERCEPTED = 15  # people on intercepted boats
EV_PULLED_BACK = 16  # intercepted people taken back to the departure country
EV_REFOULED = 17  # pulled back although in need of protection (returned toward danger)
EV_SCREENED_IN = 18  # intercepted people identified as in need and given access to asylum
EV_FORCED_OVERBOARD = 19  # people forced into the sea by smugglers offshore

EVENT_NAMES = [
    "departures",
    "arrivals",
    "settlements",
    "dead_land",
    "missing_land",
    "dead_sea",
    "missing_sea",
    "robberies",
    "strandings",
    "sea_attempts",
    "sea_arrivals",
    "onward_moves",
    "new_agents",
    "boats",
    "rescued",
    "intercepted",
    "pulled_back",
    "refouled",
    "screened_in",
    "forced_overboard",
]
N_EVENTS = len(EVENT_NAMES)
