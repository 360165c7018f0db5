"""The catalogue of outcomes: what a run measures, as paths into ``summary.json``.

Every experiment (replicates, comparisons, sweeps, sensitivity studies, the report) names its
outcomes by these paths (``sea.deaths_per_attempt``, ``arrivals.total``, ``protection.backlog``)
and reads them through :func:`extract`. Each outcome has a meaning in words, a unit and the
direction an analyst would call better. Counts of people are given in **persons**: the summary
counts agents, and :func:`extract` multiplies counts by ``persons_per_agent`` (1 in the bundled
scenarios). A few families are keyed by the scenario's ids (``arrivals.by_node.<node>``); their
paths are listed per scenario by :func:`outcome_paths`.

``flowsim outcomes`` prints the catalogue.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

from flowsim.errors import ScenarioError

PERSONS, SHARE, DAYS, USD, PERSON_DAYS, TIMES = (
    "persons", "share (0-1)", "days", "USD", "person-days", "times",
)  # fmt: skip
LOWER, HIGHER, NEITHER = "lower", "higher", "neither"
SCALED_UNITS = (PERSONS, PERSON_DAYS, TIMES)  # counts of agents: times persons_per_agent


@dataclass(frozen=True)
class Outcome:
    path: str  # into summary.json; a family ends in ".<id>" (see FAMILIES)
    meaning: str
    unit: str
    better: str  # "lower", "higher" or "neither": which way an analyst would call an improvement

    @property
    def scaled(self) -> bool:
        return self.unit in SCALED_UNITS


def _o(path: str, unit: str, better: str, meaning: str) -> Outcome:
    return Outcome(path, meaning, unit, better)


OUTCOMES: list[Outcome] = [
    # deaths and arrivals
    _o("deaths.sea", PERSONS, LOWER, "people who died or went missing at sea"),
    _o("deaths.land", PERSONS, LOWER, "people who died or went missing on land legs"),
    _o("deaths.total", PERSONS, LOWER, "people who died or went missing, at sea and on land"),
    _o("missing.sea", PERSONS, LOWER, "people missing at sea (never found; part of deaths.sea)"),
    _o("missing.land", PERSONS, LOWER, "people missing on land (part of deaths.land)"),
    _o("arrivals.total", PERSONS, NEITHER,
       "people who reached the end of their route (a destination, first-asylum country or camp)"),
    _o("agents_total", PERSONS, NEITHER, "people simulated (everyone who entered the run)"),
    # the sea
    _o("sea.attempts", PERSONS, LOWER, "sea crossing attempts (people boarding a boat)"),
    _o("sea.boats", TIMES, NEITHER, "boats launched with people aboard"),
    _o("sea.arrivals", PERSONS, NEITHER, "people who reached the far shore"),
    _o("sea.dead", PERSONS, LOWER, "people who died at sea (bodies found)"),
    _o("sea.missing", PERSONS, LOWER, "people missing at sea"),
    _o("sea.deaths_per_attempt", SHARE, LOWER,
       "deaths and missing at sea per crossing attempt (denominator: people who boarded)"),
    _o("sea.deaths_per_arrival", SHARE, LOWER,
       "deaths and missing at sea per person landed (denominator: arrivals by sea)"),
    _o("sea.rescued", PERSONS, NEITHER, "people rescued from boats in distress"),
    _o("sea.intercepted", PERSONS, NEITHER, "people on boats intercepted at sea"),
    _o("sea.pulled_back", PERSONS, NEITHER, "intercepted people taken back to the departure hub"),
    _o("sea.refouled", PERSONS, LOWER,
       "people pulled back although in need of protection (refoulement, BRIEF P3)"),
    _o("sea.screened_in", PERSONS, NEITHER,
       "intercepted people identified as in need by screening and let into an asylum procedure"),
    _o("sea.forced_overboard", PERSONS, LOWER, "people forced into the sea by smugglers"),
    _o("sea.smuggler_revenue", USD, LOWER, "fares paid to smugglers for boats"),
    # protection
    _o("protection.registered", PERSONS, NEITHER, "registrations in a protection system"),
    _o("protection.claims", PERSONS, NEITHER, "asylum claims lodged"),
    _o("protection.backlog", PERSONS, LOWER,
       "asylum claims pending (first instance or appeal) at the end"),
    _o("protection.backlog_max", PERSONS, LOWER, "the most claims pending on any day"),
    _o("protection.decisions", PERSONS, NEITHER, "first-instance asylum decisions"),
    _o("protection.accelerated_decisions", PERSONS, NEITHER,
       "first-instance decisions in the accelerated procedure"),
    _o("protection.prima_facie", PERSONS, NEITHER, "claims recognized on lodging as a group"),
    _o("protection.days_to_decision_mean", DAYS, LOWER,
       "mean days from lodging a claim to the first-instance decision (decisions made)"),
    _o("protection.days_to_decision_p95", DAYS, LOWER,
       "95th percentile of days from lodging to the first-instance decision"),
    _o("protection.days_to_decision_mean_in_need", DAYS, LOWER,
       "mean days to a first-instance decision, people in need of protection"),
    _o("protection.days_to_decision_mean_not_in_need", DAYS, NEITHER,
       "mean days to a first-instance decision, people not in need"),
    _o("protection.days_to_final_decision_mean", DAYS, LOWER,
       "mean days from lodging to the final decision, appeals included"),
    _o("protection.days_to_final_decision_p95", DAYS, LOWER,
       "95th percentile of days to the final decision"),
    _o("protection.in_need_reached", PERSONS, HIGHER,
       "people in need of protection who reached a protection system"),
    _o("protection.in_need_recognized", PERSONS, HIGHER,
       "people in need who were finally recognized at some point"),
    _o("protection.protection_rate", SHARE, HIGHER,
       "share of the people in need who reached a protection system and obtained protection"),
    _o("protection.recognition_rate_first_instance", SHARE, NEITHER,
       "share of first-instance decisions that recognize"),
    _o("protection.recognitions", PERSONS, NEITHER, "final recognitions"),
    _o("protection.rejections", PERSONS, NEITHER, "final rejections"),
    _o("protection.wrongful_rejections", PERSONS, LOWER,
       "people in need rejected at first instance"),
    _o("protection.wrongful_rejections_final", PERSONS, LOWER,
       "people in need finally rejected, after appeals"),
    _o("protection.wrongful_recognitions", PERSONS, NEITHER,
       "people not in need recognized at first instance"),
    _o("protection.appeals", PERSONS, NEITHER, "appeals lodged"),
    _o("protection.appeals_granted", PERSONS, NEITHER, "appeals ending in recognition"),
    _o("protection.claims_abandoned", PERSONS, LOWER,
       "pending claims dropped by people who moved on (BRIEF P5)"),
    _o("protection.detained", PERSONS, LOWER, "people detained on arrival"),
    _o("protection.detention_person_days", PERSON_DAYS, LOWER, "days spent in detention, summed"),
    _o("protection.detained_children", PERSONS, LOWER, "children among the detained"),
    _o("protection.detained_trafficking_victims", PERSONS, LOWER,
       "trafficking victims among the detained (not identified, BRIEF P11)"),
    _o("protection.alternatives_to_detention", PERSONS, NEITHER,
       "people given an alternative to detention"),
    _o("protection.reception_overcapacity_person_days", PERSON_DAYS, LOWER,
       "days people spent registered without a reception place (reception full), summed"),
    _o("protection.profiled", PERSONS, NEITHER, "people screened by profiling"),
    _o("protection.counselled", PERSONS, NEITHER, "people referred to return counselling"),
    _o("protection.trafficking_identified", PERSONS, HIGHER,
       "trafficking victims identified and referred"),
    _o("protection.trafficking_missed", PERSONS, LOWER,
       "trafficking victims registered but not identified (BRIEF P11)"),
    _o("protection.children_identified", PERSONS, HIGHER,
       "unaccompanied or separated children identified and referred"),
    _o("protection.children_missed", PERSONS, LOWER, "children registered but not identified"),
    # solutions, secondary movement, returns, legal channels
    _o("solutions.integrated", PERSONS, HIGHER, "refugees integrated locally"),
    _o("solutions.resettled", PERSONS, HIGHER, "refugees resettled to a third country"),
    _o("solutions.repatriated", PERSONS, NEITHER, "refugees who went home voluntarily"),
    _o("solutions.secondary_movements", PERSONS, LOWER,
       "moves on by people who had already reached a protection system (BRIEF P5)"),
    _o("solutions.readmitted", PERSONS, NEITHER,
       "secondary movers sent back to the country where they first registered"),
    _o("solutions.returns", PERSONS, NEITHER,
       "returns of rejected people to their origin, voluntary and forced"),
    _o("solutions.returns_voluntary", PERSONS, NEITHER, "assisted voluntary returns"),
    _o("solutions.returns_forced", PERSONS, NEITHER, "forced returns to the origin"),
    _o("solutions.returned_to_transit", PERSONS, LOWER,
       "rejected people deported into a transit country (BRIEF P9)"),
    _o("solutions.re_migrations", PERSONS, LOWER,
       "returned or repatriated people who left their origin again (BRIEF P8)"),
    _o("solutions.returned_recrossing_now", PERSONS, LOWER,
       "returned people waiting for a boat or at sea at the end (a snapshot)"),
    _o("solutions.irregular_stay", PERSONS, LOWER, "people in irregular stay at the end"),
    _o("solutions.irregular_stays_begun", PERSONS, LOWER, "rejected people who absconded"),
    _o("solutions.regularized", PERSONS, NEITHER, "people regularized"),
    _o("solutions.legal_entries.total", PERSONS, HIGHER,
       "people who left by a legal channel (labour, humanitarian, family visas)"),
    _o("solutions.legal_migrants", PERSONS, NEITHER,
       "everyone who ever entered by a legal channel"),
    _o("solutions.smuggled_arrivals", PERSONS, LOWER,
       "registrations after a route with a sea leg or a smuggler's leg"),
    _o("solutions.smuggled_share", SHARE, LOWER,
       "share of all entries (route ends and legal entries) that used smugglers (BRIEF P6)"),
    # information
    _o("information.belief_error", SHARE, LOWER,
       "mean gap between believed and true sea risk, people on their way, last day"),
    _o("information.belief_error_mean", SHARE, LOWER,
       "mean gap between believed and true sea risk, people on their way, averaged over days"),
    _o("information.welcome_error", SHARE, LOWER,
       "mean gap between believed and true welcome at destinations, last day"),
    _o("information.welcome_error_mean", SHARE, LOWER,
       "mean gap between believed and true welcome at destinations, averaged over days"),
    _o("information.outcomes_reported", TIMES, NEITHER,
       "outcomes at destinations reported home (good or bad)"),
    _o("information.aware_of_legal_channels", SHARE, HIGHER,
       "share of the people in the network at the end who know of a legal channel"),
    _o("information.departures_deterred", PERSONS, NEITHER,
       "people who stayed at their origin at least once although they could afford a route"),
    _o("information.deterred_at_origin", PERSONS, NEITHER,
       "people deterred who were still at their origin at the end"),
    _o("information.deaths_noticed", TIMES, NEITHER,
       "times a contact heard of a death or disappearance at sea"),
    _o("information.conversations", TIMES, NEITHER, "conversations between contacts"),
]  # fmt: skip

# what follows a pull-back (rules/pullback.py)
OUTCOMES += [
    _o("pullback.detained", PERSONS, LOWER,
       "pulled-back people taken to detention in the departure country"),
    _o("pullback.detention_person_days", PERSON_DAYS, LOWER,
       "days spent in detention after a pull-back, summed"),
    _o("pullback.in_detention_now", PERSONS, LOWER,
       "people in detention after a pull-back at the end (a snapshot)"),
    _o("pullback.dead_in_detention", PERSONS, LOWER,
       "deaths in detention after a pull-back (part of deaths.land)"),
    _o("pullback.released_to_try_again", PERSONS, NEITHER,
       "people released from detention at the hub, free to save again and try again"),
    _o("pullback.moved_back_to_transit", PERSONS, NEITHER,
       "people released from detention and moved back to a transit country (BRIEF P9)"),
    _o("pullback.returned_home", PERSONS, NEITHER,
       "people released from detention and returned to their origin"),
    _o("pullback.re_attempts", PERSONS, LOWER,
       "boardings by people who had been pulled back before (a person may count twice)"),
]  # fmt: skip

# responsibility sharing (rules/sharing.py)
OUTCOMES += [
    _o("sharing.relocated", PERSONS, NEITHER,
       "asylum seekers and refugees moved to another country by relocation"),
    _o("sharing.relocations_refused", PERSONS, NEITHER, "relocation offers refused"),
    _o("sharing.relocated_moved_on", PERSONS, LOWER,
       "relocated people who moved on again at once (part of sharing.relocated)"),
    _o("sharing.shared_decisions", PERSONS, NEITHER,
       "first-instance decisions made with a partner country's lent capacity"),
    _o("sharing.disembarked_shared", PERSONS, NEITHER,
       "people rescued at sea brought ashore by their zone's agreed disembarkation shares"),
]  # fmt: skip

# what authorities recorded (policy.observation, docs/MODEL.md §7.13) and adaptive rules (§7.14)
OUTCOMES += [
    _o("observed.arrivals", PERSONS, NEITHER,
       "arrivals recorded by the authorities by the last day (coverage and registration delay)"),
    _o("observed.deaths_reported", PERSONS, NEITHER,
       "deaths and disappearances ever reported by the last day, at sea and on land: a lower "
       "bound of deaths.total (BRIEF P12)"),
    _o("observed.deaths_reported_sea", PERSONS, NEITHER, "reported deaths and missing at sea"),
    _o("observed.deaths_reported_land", PERSONS, NEITHER, "reported deaths and missing on land"),
    _o("observed.dead_reported", PERSONS, NEITHER, "reported deaths with the body found"),
    _o("observed.missing_reported", PERSONS, NEITHER, "reported disappearances"),
    _o("observed.deaths_reported_share", SHARE, HIGHER,
       "reported deaths over true deaths (dead and missing): how complete the death count is"),
    _o("observed.interceptions", PERSONS, NEITHER, "people intercepted at sea, as reported"),
    _o("observed.backlog", PERSONS, NEITHER,
       "asylum claims pending as published on the last day (asylum_delay days old)"),
    _o("observed.recognitions", PERSONS, NEITHER, "recognitions recorded by the last day"),
    _o("rules.activations", TIMES, NEITHER, "activations of adaptive rules (policy.rules)"),
    _o("rules.releases", TIMES, NEITHER, "releases of adaptive rules"),
]  # fmt: skip

HEADLINE = [
    "deaths.sea",
    "deaths.land",
    "sea.deaths_per_attempt",
    "arrivals.total",
    "sea.refouled",
    "protection.protection_rate",
    "protection.wrongful_rejections_final",
    "protection.backlog",
    "solutions.secondary_movements",
    "solutions.smuggled_share",
    "solutions.returns",
    "solutions.re_migrations",
    "information.belief_error_mean",
]

# Families: one outcome per id of the scenario. (prefix, id kind, unit, better, meaning with {id})
FAMILIES: list[tuple[str, str, str, str, str]] = [
    ("by_status", "status", PERSONS, NEITHER, "people in status '{id}' at the end"),
    ("totals", "event", TIMES, NEITHER, "daily event '{id}' summed over the run"),
    ("arrivals.by_node", "node", PERSONS, NEITHER, "people whose route ended at {id}"),
    ("sea.departures_by_hub", "embarkation hub", PERSONS, NEITHER,
     "people who boarded a boat at {id} (BRIEF P1)"),
    ("protection.backlog_by_country", "country", PERSONS, LOWER,
     "asylum claims pending in {id} at the end"),
    ("sharing.disembarked_by_country", "country", PERSONS, NEITHER,
     "people rescued at sea brought ashore in {id} under disembarkation sharing"),
    ("solutions.legal_entries", "legal channel", PERSONS, HIGHER,
     "people who left by the legal channel {id}"),
    ("information.true_sea_risk_by_hub", "embarkation hub", SHARE, LOWER,
     "share of the people who sailed from {id} who were lost, at the end"),
    ("information.believed_sea_risk_by_hub", "embarkation hub", SHARE, NEITHER,
     "risk of sailing from {id} believed by the people on their way, at the end"),
    ("information.true_welcome_by_node", "node", SHARE, HIGHER,
     "share of good outcomes reported at {id}"),
    ("information.believed_welcome_by_node", "node", SHARE, NEITHER,
     "welcome at {id} believed by the people on their way, at the end"),
    ("information.campaign_reach", "campaign", TIMES, NEITHER,
     "people reached by the campaign '{id}' (a person counts on each day reached)"),
]  # fmt: skip
FAMILIES += [
    ("observed.arrivals_by_node", "node", PERSONS, NEITHER, "arrivals recorded at {id}"),
    ("observed.deaths_reported_by_zone", "sea zone", PERSONS, NEITHER,
     "reported deaths and missing in the sea zone {id}"),
    ("observed.true_deaths_by_zone", "sea zone", PERSONS, LOWER,
     "true deaths and missing in the sea zone {id}"),
    ("observed.interceptions_by_zone", "sea zone", PERSONS, NEITHER,
     "reported interceptions in the sea zone {id}"),
    ("observed.backlog_by_country", "country", PERSONS, NEITHER,
     "claims pending in {id} as published on the last day"),
    ("rules.days_active", "rule", DAYS, NEITHER, "days the rule '{id}' was in force"),
]  # fmt: skip

BY_PATH: dict[str, Outcome] = {o.path: o for o in OUTCOMES}


def family_of(path: str) -> tuple[str, str, str, str, str] | None:
    """The family a path like ``arrivals.by_node.italy`` belongs to (the longest prefix)."""
    best = None
    for fam in FAMILIES:
        if path.startswith(fam[0] + ".") and (best is None or len(fam[0]) > len(best[0])):
            best = fam
    return best


def describe(path: str) -> Outcome:
    """The catalogue entry of a path (a family member gets its family's words)."""
    if path in BY_PATH:
        return BY_PATH[path]
    fam = family_of(path)
    if fam is None:
        raise KeyError(path)
    prefix, _, unit, better, meaning = fam
    return Outcome(path, meaning.format(id=path[len(prefix) + 1 :]), unit, better)


def outcome_paths(scenario=None) -> list[str]:
    """Every outcome path: the catalogue, and, for a scenario, each family member of its ids."""
    paths = [o.path for o in OUTCOMES]
    if scenario is None:
        return paths
    for prefix, ids in family_ids(scenario).items():
        paths += [f"{prefix}.{i}" for i in ids if f"{prefix}.{i}" not in BY_PATH]
    return paths


def family_ids(scenario) -> dict[str, list[str]]:
    """The ids each family takes in a scenario."""
    from flowsim.population import STATUS_NAMES
    from flowsim.rules import EVENT_NAMES
    from flowsim.scenario import DESTINATION_ROLES, country_ids

    hubs = sorted({e.source for e in scenario.edges if e.mode == "sea"},
                  key=[n.id for n in scenario.nodes].index)  # fmt: skip
    nodes = [n.id for n in scenario.nodes]
    dests = [n.id for n in scenario.nodes if set(n.roles) & set(DESTINATION_ROLES)]
    campaigns = [c.name or f"campaign {k + 1}"
                 for k, c in enumerate(scenario.policy.information.campaigns)]  # fmt: skip
    return {
        "by_status": list(STATUS_NAMES),
        "totals": list(EVENT_NAMES),
        "arrivals.by_node": nodes,
        "sea.departures_by_hub": hubs,
        "protection.backlog_by_country": country_ids(scenario),
        "sharing.disembarked_by_country": country_ids(scenario),
        "solutions.legal_entries": ["family_reunification", "humanitarian_visas", "labour"],
        "information.true_sea_risk_by_hub": hubs,
        "information.believed_sea_risk_by_hub": hubs,
        "information.true_welcome_by_node": dests,
        "information.believed_welcome_by_node": dests,
        "information.campaign_reach": campaigns,
        **observation_ids(scenario),
    }


def observation_ids(scenario) -> dict[str, list[str]]:
    """The ids of the observation and rules families in a scenario."""
    from flowsim.scenario import country_ids, sea_zones

    zones = sea_zones(scenario)
    rules = [r.name or f"rule {k + 1}" for k, r in enumerate(scenario.policy.rules)]
    return {
        "observed.arrivals_by_node": [n.id for n in scenario.nodes],
        "observed.deaths_reported_by_zone": zones,
        "observed.true_deaths_by_zone": zones,
        "observed.interceptions_by_zone": zones,
        "observed.backlog_by_country": country_ids(scenario),
        "rules.days_active": rules,
    }


def check_outcomes(paths: list[str], scenario=None, where: str = "--outcome") -> list[str]:
    """The paths, each checked against the catalogue (and the scenario's ids); an unknown one is
    a :class:`ScenarioError` with a suggestion."""
    known = outcome_paths(scenario)
    out = []
    for p in paths:
        if p in known or (scenario is None and family_of(p) is not None):
            out.append(p)
            continue
        close = difflib.get_close_matches(p, known, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise ScenarioError(
            f"{where} {p}: unknown outcome{hint} (`flowsim outcomes` lists them all)"
        )
    return out


def extract(summary: dict[str, Any], paths: list[str] | None = None) -> dict[str, float]:
    """Outcome values of a run's summary, counts in persons; a missing or null value is NaN.

    Without ``paths``: every catalogue outcome and every family member present in the summary.
    """
    scale = float(summary.get("persons_per_agent", 1.0))
    if paths is None:
        paths = [o.path for o in OUTCOMES]
        for prefix, *_ in FAMILIES:
            node = _get(summary, prefix)
            if isinstance(node, dict):
                paths += [f"{prefix}.{k}" for k in node if f"{prefix}.{k}" not in BY_PATH]
    out = {}
    for p in paths:
        value = _get(summary, p)
        if isinstance(value, bool) or not isinstance(value, int | float):
            out[p] = math.nan
            continue
        out[p] = float(value) * (scale if describe(p).scaled else 1.0)
    return out


def _get(summary: dict, path: str) -> Any:
    """The value at a dotted path; ids may contain dots or spaces, so try the longest keys."""
    cur: Any = summary
    rest = path
    while rest:
        if not isinstance(cur, dict):
            return None
        if rest in cur:
            return cur[rest]
        head, sep, tail = rest.partition(".")
        if not sep or head not in cur:
            return None
        cur, rest = cur[head], tail
    return cur
