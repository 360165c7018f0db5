"""One module per mechanism, in the order of the journey (see ``flowsim.model.Model.step``).

Kernels count what happens each day into an ``events`` array indexed by the constants below.
Event names differ from status names: ``receptions`` (an event) fills ``in_reception`` (a stock).
"""

EV_DEPARTURES = 0  # agents who left their origin
EV_ARRIVALS = 1  # agents who reached the end of their route
EV_RECEIVED = 2  # agents who got a reception place (on arrival, or later when one freed up)
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
# arrival and protection (reception, detention, profiling, asylum procedures)
EV_REGISTERED = 20  # people registered at a protection node (arrivals and the screened in)
EV_DESTITUTE = 21  # people left without a place because reception was full
EV_DETAINED = 22  # people put in detention
EV_DETAINED_CHILDREN = 23  # ... of them unaccompanied or separated children
EV_DETAINED_TRAFFICKED = 24  # ... of them trafficking victims
EV_ALTERNATIVES = 25  # people given an alternative to detention instead
EV_RELEASED = 26  # people released from detention at the maximum stay
EV_PROFILED = 27  # people screened by profiling
EV_TRAFFICKING_IDENTIFIED = 28  # trafficking victims identified and referred
EV_TRAFFICKING_MISSED = 29  # trafficking victims registered but not identified
EV_CHILDREN_IDENTIFIED = 30  # unaccompanied or separated children identified and referred
EV_CHILDREN_MISSED = 31  # children registered but not identified
EV_COUNSELLED = 32  # people referred to return and migration counselling
EV_CLAIMS = 33  # asylum claims lodged
EV_PRIMA_FACIE = 34  # ... recognized at once on a prima facie basis
EV_DECISIONS = 35  # first-instance decisions
EV_ACCELERATED_DECISIONS = 36  # ... of them in the accelerated procedure
EV_RECOGNIZED_FIRST = 37  # first-instance recognitions
EV_WRONGFUL_REJECTIONS = 38  # first-instance rejections of people in need
EV_WRONGFUL_RECOGNITIONS = 39  # first-instance recognitions of people not in need
EV_APPEALS = 40  # appeals lodged
EV_APPEALS_GRANTED = 41  # appeals that ended in recognition
EV_RECOGNIZED = 42  # final recognitions (prima facie, first instance, appeal)
EV_REJECTED = 43  # final rejections
EV_WRONGFUL_REJECTIONS_FINAL = 44  # final rejections of people in need
EV_ABANDONED = 45  # pending claims abandoned by moving on
# solutions, secondary movement, returns, legal channels
EV_SMUGGLED_ARRIVALS = 46  # arrivals registered whose route had a sea leg or a smuggled leg
# outside free movement
EV_SECONDARY = 47  # onward moves of people who had reached a protection system
EV_READMITTED = 48  # secondary movers sent back to their first country of protection
EV_INTEGRATED = 49
EV_RESETTLED = 50
EV_REPATRIATED = 51  # recognized refugees who returned home voluntarily
EV_RETURNS_VOLUNTARY = 52  # rejected people who took assisted voluntary return
EV_RETURNS_FORCED = 53
EV_RETURNED_TO_TRANSIT = 54  # deported into a transit country that readmits them
EV_IRREGULAR_STAY = 55  # rejected people who absconded into irregular stay
EV_REGULARIZED = 56
EV_REMIGRATIONS = 57  # returned people who left their origin again
EV_LEGAL_FAMILY = 58  # legal entries by family reunification
EV_LEGAL_HUMANITARIAN = 59  # legal entries with a humanitarian visa
EV_LEGAL_LABOUR = 60  # legal entries with a labour visa
# information
EV_DETERRED = 61  # people at their origin who, for the first time, chose to stay though a route
# was within reach (what they believe made every route worth less than staying)
EV_CAMPAIGN_REACH = 62  # people reached by a campaign (a person reached on two days counts twice)
EV_DEATHS_NOTICED = 63  # contacts who heard of a death or disappearance at sea
EV_CONVERSATIONS = 64  # contacts talked to about the crossings

EVENT_NAMES = [
    "departures",
    "arrivals",
    "receptions",
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
    "registrations",
    "destitutions",
    "detentions",
    "detained_children",
    "detained_trafficking_victims",
    "alternatives_to_detention",
    "detention_releases",
    "profiled",
    "trafficking_identified",
    "trafficking_missed",
    "children_identified",
    "children_missed",
    "counselled",
    "claims",
    "prima_facie",
    "decisions",
    "accelerated_decisions",
    "recognized_first_instance",
    "wrongful_rejections",
    "wrongful_recognitions",
    "appeals",
    "appeals_granted",
    "recognitions",
    "rejections",
    "wrongful_rejections_final",
    "claims_abandoned",
    "smuggled_arrivals",
    "secondary_movements",
    "readmitted",
    "integrations",
    "resettlements",
    "repatriated",
    "returns_voluntary",
    "returns_forced",
    "returned_to_transit",
    "irregular_stays",
    "regularizations",
    "re_migrations",
    "legal_family_reunification",
    "legal_humanitarian_visas",
    "legal_labour",
    "departures_deterred",
    "campaign_reach",
    "deaths_noticed",
    "conversations",
]
N_EVENTS = len(EVENT_NAMES)
