"""``flowsim.Model``: one step is one day of the journey, rule by rule in the order lived."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from flowsim.beliefs import Beliefs
from flowsim.boats import Boats, BoatState
from flowsim.errors import ScenarioError
from flowsim.levers import resolve
from flowsim.network import (
    SEA,
    CompiledNetwork,
    build_graph,
    compile_network,
    irregular_routes,
    route_totals,
)
from flowsim.population import (
    N_STATUS,
    STATUS_NAMES,
    VULN_BIT,
    Population,
    Status,
    count_node_status,
)
from flowsim.rng import RuleKeys
from flowsim.rules import (
    EV_BOATS,
    EV_CAMPAIGN_REACH,
    EV_NEW_AGENTS,
    EVENT_NAMES,
    N_EVENTS,
    information,
    smuggling,
)
from flowsim.rules.asylum import count_backlog, count_queue, cutoffs, decide, decide_appeals
from flowsim.rules.departures import (
    add_agents,
    depart,
    depart_forced,
    departure_table,
    forced_inflow_table,
)
from flowsim.rules.detention import release
from flowsim.rules.legal_channels import CHANNELS, use_channels
from flowsim.rules.reception import count_housed, place, register
from flowsim.rules.returns import forced_returns, remigrate, voluntary_returns
from flowsim.rules.route_choice import choose_routes
from flowsim.rules.sea_crossing import passengers, sail
from flowsim.rules.secondary_movement import move_on
from flowsim.rules.solutions import resettle, settle_refugees
from flowsim.rules.travel import travel
from flowsim.scenario import (
    DESTINATION_ROLES,
    MAX_DAYS,
    MOTIVES,
    Scenario,
    load_scenario,
    with_overrides,
)
from flowsim.timeline import day_number

# rule numbers for RuleKeys (INITIAL is no longer used; the numbers stay for reproducibility)
INITIAL, ROUTE_CHOICE, TRAVEL, SEA_CROSSING, ARRIVAL, SMUGGLING, BOATS = range(7)
REGISTRATION, DECISIONS, SOLUTIONS, RETURNS, INFORMATION = 7, 8, 9, 10, 11
LIVELIHOOD = MOTIVES.index("livelihood")


class NodeAgent(mesa.Agent):
    """A place on the route network: few and rich, so a Mesa agent (migrants are array rows)."""

    def __init__(self, model: Model, index: int, spec):
        super().__init__(model)
        self.index = index
        self.node_id = spec.id
        self.name = spec.name or spec.id
        self.country = spec.country
        self.roles = list(spec.roles)
        self.capacity = spec.capacity  # persons, None = unlimited
        self.country_id = model.net.country_ids[model.net.node_country[index]]  # lever key

    def stock(self) -> dict[str, int]:
        """Agents at this node (or on a leg that started here) by status, as of the last day."""
        return dict(zip(STATUS_NAMES, self.model.node_status[self.index].tolist(), strict=True))


class Model(mesa.Model):
    def __init__(
        self,
        scenario: Scenario | str | Path,
        *,
        seed: int | None = None,
        days: int | None = None,
        overrides: dict[str, Any] | list[str] | None = None,
    ):
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        scenario = with_overrides(scenario, overrides)
        self.scenario = scenario
        self.seed = scenario.simulation.seed if seed is None else int(seed)
        super().__init__(rng=self.seed)
        self.keys = RuleKeys(self.rng)  # kernels' random keys, one per (rule, day)
        sim = scenario.simulation
        self.days = sim.days if days is None else int(days)
        if not 1 <= self.days <= MAX_DAYS:
            raise ScenarioError(f"{scenario.source}: days = {self.days}: allowed: 1 to {MAX_DAYS}")
        self.start_date: dt.date = sim.start_date
        self.day = 0  # the day the next step simulates
        self.graph = build_graph(scenario)
        self.net: CompiledNetwork = compile_network(scenario, self.graph)
        self.nodes = [NodeAgent(self, k, n) for k, n in enumerate(scenario.nodes)]
        self.departures = departure_table(scenario, self.net.index, self.days)
        self.forced_inflow = forced_inflow_table(scenario, self.net.index, self.days)
        self.occupancy = np.zeros(self.net.n_nodes)  # people holding a reception place per node
        b = scenario.behaviour
        self._rc, self._hz, self._sea, self._arr = b.route_choice, b.hazards, b.sea, b.arrival
        self._pr, self._so, self._rt, self._lg = b.protection, b.solutions, b.returns, b.legal
        self._info = b.information
        self._sm = b.smugglers
        self._resolve_levers()
        self.boats = Boats()
        self._earnings = np.zeros(N_STATUS)  # money earned or saved a day, by status
        self._deciding = np.isin(np.arange(N_STATUS), DECIDING)  # by status: not yet arrived
        self._earnings[Status.AT_ORIGIN] = b.hazards.origin_savings
        self._earnings[Status.STRANDED] = b.hazards.stranded_earnings

        self.pop = Population(capacity=self._expected_agents())
        # daily records: what happened (events, flows) and stocks at the end of the day
        self.events_by_day = np.zeros((self.days, N_EVENTS), np.int64)
        self.edge_flow_by_day = np.zeros((self.days, self.net.n_edges), np.int64)
        self.arrivals_by_day = np.zeros((self.days, self.net.n_nodes), np.int64)
        self.node_status_by_day = np.zeros((self.days, self.net.n_nodes, N_STATUS), np.int64)
        self.node_status = np.zeros((self.net.n_nodes, N_STATUS), np.int64)
        self.revenue_by_day = np.zeros(self.days)  # fares paid per agent (USD per person)
        self._waiting = np.zeros(self.net.n_edges, np.int64)
        # asylum: the queue by [country, procedure, lodging day], capacity carried over, backlog
        n_c = len(self.net.country_ids)
        self._queue = np.zeros((n_c, 2, self.days), np.int64)
        self._credit = np.zeros(n_c)
        self.backlog_by_day = np.zeros((self.days, n_c), np.int64)  # pending claims, end of day
        # waits from lodging to the first-instance / final decision: [true need, days]
        self.first_wait = np.zeros((2, self.days + 1), np.int64)
        self.final_wait = np.zeros((2, self.days + 1), np.int64)
        # places carried over (fractions): legal channels [channel, node], resettlement [node],
        # forced returns [country]
        self._legal_credit = np.zeros((len(CHANNELS), self.net.n_nodes))
        self._resettle_credit = np.zeros(self.net.n_nodes)
        self._return_credit = np.zeros(n_c)
        self._legal_costs = np.array([getattr(self._lg, f"cost_{c}") for c in CHANNELS])
        self._longest_wait = np.zeros(self.net.n_edges, np.int64)
        # beliefs about the sea, per embarkation hub; the true risk as sailed so far
        net = self.net
        n_hubs = len(net.hub_nodes)
        # beliefs about the welcome, per destination-role node; the true welcome as reported
        self._dest_nodes = np.flatnonzero(net.node_is_destination)
        self._dest_of_node = np.full(net.n_nodes, -1, np.int32)
        self._dest_of_node[self._dest_nodes] = np.arange(self._dest_nodes.size)
        self._outcome = information.outcome_table()
        self._welcome_good = np.zeros(self._dest_nodes.size)
        self._welcome_seen = np.zeros(self._dest_nodes.size)
        self.true_welcome = np.full(self._dest_nodes.size, information.WELCOME_PRIOR)
        self.welcome_error_by_day = np.full(self.days, np.nan)
        self.beliefs = Beliefs(n_hubs, self._info.contacts, capacity=self.pop._cap,
                               n_destinations=self._dest_nodes.size)  # fmt: skip
        self._community: dict[int, np.ndarray] = {}
        self._sea_lost = np.zeros(n_hubs)
        self._sea_sailed = np.zeros(n_hubs)
        self._hub_prior, self._sea_rel = _hub_hazards(net)
        self.true_risk = self._hub_prior.copy()
        self.belief_error_by_day = np.full(self.days, np.nan)
        # [day, hub]: mean believed risk of people still deciding, and the true risk
        self.believed_risk_by_day = np.full((self.days, n_hubs), np.nan)
        self.true_risk_by_day = np.full((self.days, n_hubs), np.nan)
        self._campaigns = _compile_campaigns(self.scenario, net.index, self._info)
        self._place_initial_population()
        reporters = {name: _status_reporter(k) for k, name in enumerate(STATUS_NAMES)}
        reporters.update({name: _event_reporter(k) for k, name in enumerate(EVENT_NAMES)})
        self.datacollector = mesa.DataCollector(model_reporters={"day": "day", **reporters})

    # -- the day -------------------------------------------------------------------------------
    def step(self) -> None:
        if self.day >= self.days:
            self.running = False
            return
        d = self.day
        self._events = self.events_by_day[d]
        self._flow = self.edge_flow_by_day[d]
        self._arrivals = self.arrivals_by_day[d]
        self.depart()
        self.choose_routes()
        self.travel()
        self.smuggle()
        self.cross_sea()
        self.arrive_and_receive()
        self.decide_claims()
        self.solutions()
        self.returns()
        self.inform()
        self._record()
        self.day += 1
        self.running = self.day < self.days

    def depart(self) -> None:
        aware = self._lg.awareness
        n = depart(self.pop, self.departures, self.scenario.profiles, self.day, self.rng,
                   self.net.index, aware)  # fmt: skip
        if self.forced_inflow is not None:
            n += depart_forced(self.pop, self.forced_inflow, self.scenario.profiles, self.day,
                               self.rng, self.net.index, aware)  # fmt: skip
        self._new_beliefs()
        self._events[EV_NEW_AGENTS] += n

    def choose_routes(self) -> None:
        """Legal channels first (for those who know, qualify and can pay), then routes."""
        p, net, rc, d, bl = self.pop, self.net, self._rc, self.day, self.beliefs
        self._update_perceived_routes()
        self._legal_credit += self.levers["legal_quota"][d] / 365.0
        use_channels(
            d, p.view("status"), p.view("status_day"), p.view("flags"), p.view("node"),
            p.view("departure_day"), p.view("first_arrival_node"), p.view("motive"),
            p.view("tie"), p.view("protection_need"), p.view("resources"), p.view("aware"),
            self._legal_credit, self._legal_costs, self.node_attract, LIVELIHOOD, self._events,
        )  # fmt: skip
        _keep_fraction(self._legal_credit)
        choose_routes(
            self.day, self.keys(ROUTE_CHOICE, self.day), p.view("status"), p.view("status_day"),
            p.view("node"), p.view("edge"), p.view("route"), p.view("route_pos"),
            p.view("destination"), p.view("departure_day"), p.view("motive"), p.view("tie"),
            p.view("resources"), p.view("risk_tolerance"), p.view("flags"), p.view("aware"),
            net.route_ptr, net.route_dest, net.route_days, self.route_cost, self.route_land_risk,
            self.route_hub, self.route_sea_factor, bl.view("alpha"), bl.view("beta"),
            self.node_min_route_cost, self.node_attract, net.node_is_destination,
            self._node_is_asylum, self._info.protection_unknown_discount, bl.view("good"),
            bl.view("bad"), self._dest_of_node, rc.w_welcome,
            -np.inf if rc.stay_utility is None else rc.stay_utility,
            rc.w_attractiveness, rc.w_risk, rc.w_cost, rc.w_days, rc.tie_bonus, rc.noise,
            self._events,
        )  # fmt: skip

    def travel(self) -> None:
        p, net, hz = self.pop, self.net, self._hz
        travel(
            self.day, self.keys(TRAVEL, self.day), p.view("status"), p.view("status_day"),
            p.view("node"),
            p.view("edge"), p.view("days_left"), p.view("route"), p.view("route_pos"),
            p.view("legs"), p.view("first_arrival_node"), p.view("resources"),
            net.edge_dst, net.edge_mode, net.edge_days, self._edge_cost, net.edge_hazard,
            self._edge_robbery, net.route_edge_ptr, net.route_edges,
            self.levers["closed"][self.day],
            hz.robbery_loss, hz.missing_share_land, self._earnings, self._flow, self._arrivals,
            self._events,
        )  # fmt: skip

    def smuggle(self) -> None:
        """Smugglers launch boats from the hubs and the waiting board them."""
        p, net, d = self.pop, self.net, self.day
        smuggling.count_waiting(
            d, p.view("status"), p.view("status_day"), p.view("route"), p.view("route_pos"),
            net.route_edge_ptr, net.route_edges, self._waiting, self._longest_wait,
        )  # fmt: skip
        first, last = smuggling.launch(
            self.boats, net, self._sea, self._sm, d, self._months[d], self._waiting,
            self._longest_wait, self.levers["enforcement"][d], self.levers["rescue_capacity"][d],
            np.random.default_rng(self.keys(SMUGGLING, d)),
        )  # fmt: skip
        if (last < 0).all():
            return
        b = self.boats
        smuggling.board(
            d, p.view("status"), p.view("status_day"), p.view("edge"), p.view("days_left"),
            p.view("route"), p.view("route_pos"), p.view("boat"), p.view("resources"),
            net.route_edge_ptr, net.route_edges, net.edge_days, first, last,
            b.view("room"), b.view("passengers"), b.view("fare"),
            self._flow, self.revenue_by_day[d : d + 1], self._events,
        )  # fmt: skip
        today = np.arange(first[first >= 0].min(), last.max())  # launch adds them in a block
        empty = today[b.passengers[today] == 0]
        b.state[empty] = BoatState.DONE  # nobody could pay: the boat never leaves
        self._events[EV_BOATS] += today.size - empty.size

    def cross_sea(self) -> None:
        """Boats at sea: interception, distress and rescue, landing, disembarkation."""
        p, net, d, lv, sea, hz = self.pop, self.net, self.day, self.levers, self._sea, self._hz
        b = self.boats
        sail(
            b, net, sea, d, self._months[d], lv["interception_rate"][d],
            lv["rescue_capacity"][d], lv["response_days"][d], lv["delay_days"][d],
            np.random.default_rng(self.keys(BOATS, d)),
        )  # fmt: skip
        status = p.view("status")
        aboard = np.flatnonzero(status == Status.AT_SEA)  # who may land or be lost today
        boat_before, hub_before = p.view("boat")[aboard].copy(), p.view("node")[aboard].copy()
        passengers(
            d, self.keys(SEA_CROSSING, d), p.view("status"), p.view("status_day"),
            p.view("node"), p.view("edge"), p.view("days_left"), p.view("route"),
            p.view("route_pos"), p.view("legs"), p.view("first_arrival_node"), p.view("boat"),
            p.view("resources"), p.view("protection_need"),
            b.view("fate"), b.view("state"), b.view("days_left"), b.view("standoff_left"),
            b.view("hub"), b.view("zone"), net.edge_dst, net.route_edge_ptr,
            lv["screening"][d], self._arrivals, self._events,
            hz.missing_share_sea, sea.loss_if_sunk, sea.loss_if_rescued, sea.loss_if_intercepted,
            sea.standoff_daily_hazard, sea.forced_overboard_loss, sea.screening_sensitivity,
            sea.pullback_resource_loss,
        )  # fmt: skip
        now = status[aboard]
        lost = (now == Status.DEAD) | (now == Status.MISSING)
        landed = (now != Status.AT_SEA) & ~lost & (p.view("node")[aboard] != hub_before)
        news = lost | landed
        self._sea_news = (aboard[news], self.net.node_hub[hub_before[news]],
                          now[news] == Status.MISSING, landed[news])  # fmt: skip
        # survivors of a boat on which people were lost saw it happen
        witnessed = np.isin(boat_before, boat_before[lost]) & ~lost
        self._witnesses = (aboard[witnessed], self.net.node_hub[hub_before[witnessed]])

    def arrive_and_receive(self) -> None:
        """Release from detention, registration (profiling, claims, detention), places, leaving."""
        p, net, d, lv, pr = self.pop, self.net, self.day, self.levers, self._pr
        status, status_day, flags = p.view("status"), p.view("status_day"), p.view("flags")
        claim, claim_day, node = p.view("claim"), p.view("claim_day"), p.view("node")
        release(d, status, status_day, claim, node, net.node_country, lv["max_days"][d],
                self._events)  # fmt: skip
        register(
            d, self.keys(REGISTRATION, d), status, status_day, flags, p.view("referral"), claim,
            claim_day, node, p.view("route"), p.view("profile"), p.view("protection_need"),
            p.view("vulnerability"), VULN_BIT["child"], VULN_BIT["trafficking"],
            p.view("first_protection_node"), p.view("entry_from"), net.node_country,
            net.node_is_camp, self._route_irregular, net.route_entry_node, lv["agreements"][d],
            lv["profiling_coverage"][d], lv["profiling_accuracy"][d], pr.false_alarm_scale,
            pr.apply_in_need, pr.apply_not_in_need, pr.counselled_apply_factor,
            lv["prima_facie"][d], pr.clear_share, lv["accelerated"][d], lv["detention_mode"][d],
            lv["alternatives"][d], self.final_wait, self._events,
        )  # fmt: skip
        place(d, status, status_day, flags, claim, node, self.occupancy,
              lv["reception_capacity"][d], net.node_is_camp, self._events)  # fmt: skip
        ar = self._arr
        move_on(d, self.keys(ARRIVAL, d), status, status_day, flags, claim, claim_day, node,
                p.view("route"), p.view("tie"), p.view("onward_moves"), ar.onward_probability,
                lv["conditions"][d], self._quality(d), ar.wait_push, ar.recognized_push,
                ar.tie_push, self._events)  # fmt: skip

    def decide_claims(self) -> None:
        """Asylum procedures: appeals decided, then today's first-instance decisions."""
        p, net, d, lv, pr = self.pop, self.net, self.day, self.levers, self._pr
        args = (p.view("status"), p.view("status_day"), p.view("flags"), p.view("claim"),
                p.view("claim_day"), p.view("node"), p.view("protection_need"))  # fmt: skip
        key = self.keys(DECISIONS, d)
        decide_appeals(d, key, *args, net.node_is_camp, pr.appeal_days, pr.appeal_corrects,
                       pr.appeal_overturns_right, self.final_wait, self._events)  # fmt: skip
        queue = self._queue[:, :, : d + 1]
        count_queue(d, p.view("claim"), p.view("claim_day"), p.view("node"), net.node_country,
                    queue)  # fmt: skip
        cut, take = cutoffs(queue, self._credit, lv["asylum_capacity"][d], pr.accelerated_effort)
        accuracy = lv["asylum_accuracy"][d]
        decide(d, key, *args, net.node_country, net.node_is_camp, cut, take, accuracy[0],
               accuracy[1], pr.accelerated_accuracy_loss, lv["appeals"][d], self.first_wait,
               self.final_wait, self._events)  # fmt: skip

    def solutions(self) -> None:
        """Recognized refugees: voluntary repatriation, local integration, resettlement."""
        p, d, lv, so = self.pop, self.day, self.levers, self._so
        status, status_day, flags = p.view("status"), p.view("status_day"), p.view("flags")
        settle_refugees(d, self.keys(SOLUTIONS, d), status, status_day, flags, p.view("claim"),
                        p.view("claim_day"), p.view("node"), p.view("origin"),
                        so.repatriation_rate, lv["safety"][d], so.integration_rate,
                        self._quality(d), self._events)  # fmt: skip
        self._resettle_credit += lv["resettlement_quota"][d] / 365.0
        resettle(d, status, status_day, flags, p.view("node"), p.view("vulnerability"),
                 self._resettle_credit, lv["resettlement_priority"][d], self._events)  # fmt: skip
        _keep_fraction(self._resettle_credit)

    def returns(self) -> None:
        """The rejected: forced and voluntary return, absconding; regularization; re-migration."""
        p, net, d, lv, rt = self.pop, self.net, self.day, self.levers, self._rt
        key = self.keys(RETURNS, d)
        args = (p.view("status"), p.view("status_day"), p.view("flags"), p.view("claim"),
                p.view("claim_day"), p.view("node"), p.view("origin"))  # fmt: skip
        self._return_credit += lv["forced_capacity"][d]
        forced_returns(d, key, *args, p.view("entry_from"), p.view("returns"), net.node_country,
                       self._return_credit, lv["origin_cooperation"][d], lv["agreements"][d],
                       self._events)  # fmt: skip
        _keep_fraction(self._return_credit)
        voluntary_returns(d, key, *args, p.view("referral"), p.view("returns"), net.node_country,
                          rt.avr_rate, lv["avr_support"][d], rt.counselled_factor,
                          rt.abscond_rate, lv["regularization"][d], self._events)  # fmt: skip
        remigrate(d, key, p.view("status"), p.view("status_day"), p.view("route"),
                  rt.remigration_rate, lv["reintegration"][d], lv["safety"][d], p.view("node"),
                  self._events)  # fmt: skip

    def inform(self) -> None:
        """What people heard today: news of the sea, smugglers, campaigns, their contacts."""
        p, net, d, lv, info, bl = (
            self.pop,
            self.net,
            self.day,
            self.levers,
            self._info,
            self.beliefs,
        )
        key = self.keys(INFORMATION, d)
        status, node, alpha, beta = (
            p.view("status"),
            p.view("node"),
            bl.view("alpha"),
            bl.view("beta"),
        )
        who, hub, missing, landed = self._sea_news
        np.add.at(self._sea_lost, hub[~landed], 1.0)
        sea = net.sea_edges
        np.add.at(self._sea_sailed, net.node_hub[net.edge_src[sea]], self._flow[sea])
        self.true_risk = (self._sea_lost + 50.0 * self._hub_prior) / (self._sea_sailed + 50.0)
        information.hear_news(key, who, hub, missing, landed, bl.view("contacts"), status, alpha,
                              beta, info.notice_dead, info.notice_missing, info.news_weight,
                              self._events)  # fmt: skip
        w_who, w_hub = self._witnesses
        np.add.at(alpha, (w_who, w_hub), np.float32(info.witness_weight))
        information.hear_smugglers(status, node, net.node_hub, alpha, beta, self.true_risk,
                                   info.smuggler_claim, lv["trust_smugglers"][d],
                                   info.smuggler_weight)  # fmt: skip
        for slot, c in enumerate(self._campaigns):
            if c.start <= d <= c.end:
                before = int(self._events[EV_CAMPAIGN_REACH])
                information.reach_campaign(
                    key, slot + 1, status, node, c.at_node, c.reach, c.credibility, c.content,
                    lv["trust_officials"][d], info.campaign_weight, self.true_risk, alpha, beta,
                    p.view("aware"), self._events,
                )  # fmt: skip
                c.reached += int(self._events[EV_CAMPAIGN_REACH]) - before
        good, bad = bl.view("good"), bl.view("bad")
        information.hear_outcomes(d, status, p.view("status_day"), node, self._dest_of_node,
                                  self._outcome, bl.view("contacts"), good, bad,
                                  info.report_weight, self._welcome_good, self._welcome_seen)  # fmt: skip
        w0, n0 = information.WELCOME_PRIOR, information.WELCOME_PRIOR_WEIGHT
        self.true_welcome = (self._welcome_good + n0 * w0) / (self._welcome_seen + n0)
        information.exchange(key, status, node, bl.view("contacts"), alpha, beta, good, bad,
                             lv["contact_probability"][d], lv["trust_contacts"][d],
                             info.exchange_weight, self._events)  # fmt: skip
        keep, floor = np.float32(1.0 - info.forgetting), np.float32(information.MIN_CONFIDENCE)
        information.fade(alpha, beta, keep, floor)
        information.fade(bad, good, keep, floor)
        self.true_risk_by_day[d] = self.true_risk
        believed = np.zeros(alpha.shape[1])
        gap, n = information.belief_gap(status, self._deciding, alpha, beta, self.true_risk,
                                        believed)  # fmt: skip
        if n and believed.size:
            self.belief_error_by_day[d] = gap / (n * believed.size)
            self.believed_risk_by_day[d] = believed / n
        welcome = np.zeros(good.shape[1])
        gap, n = information.belief_gap(status, self._deciding, good, bad, self.true_welcome,
                                        welcome)  # fmt: skip
        if n and welcome.size:
            self.welcome_error_by_day[d] = gap / (n * welcome.size)

    def _new_beliefs(self) -> None:
        """Beliefs and contacts for the agents added since the last call."""
        first, n = self.beliefs.n, self.pop.n
        if n == first:
            return
        info = self._info
        alpha, beta = information.initial_beliefs(n - first, self.true_risk, info, self.rng)
        contacts = information.draw_contacts(self.pop.origin[first:n], first, self._community,
                                             info.contacts, info.community_size, self.rng)  # fmt: skip
        good, bad = information.initial_welcome(n - first, self.true_welcome, info)
        self.beliefs.add(alpha=alpha, beta=beta, good=good, bad=bad, contacts=contacts)

    def _quality(self, d: int) -> np.ndarray:
        """Quality of protection per node: work rights, freedom of movement, conditions."""
        c = self.net.node_country
        lv = self.levers
        return (lv["work_rights"][d][c] + lv["freedom_of_movement"][d][c]
                + lv["conditions"][d]) / 3.0  # fmt: skip

    # -- running and records -------------------------------------------------------------------
    def run(self, days: int | None = None, progress=None) -> Model:
        """Run ``days`` more days (default: to the end); ``progress(day)`` is called after each."""
        end = self.days if days is None else min(self.days, self.day + days)
        while self.day < end:
            self.step()
            if progress is not None:
                progress(self.day)
        return self

    @property
    def date(self) -> dt.date:
        return self.start_date + dt.timedelta(days=self.day)

    def _record(self) -> None:
        p = self.pop
        count_node_status(p.view("status"), p.view("node"), self.node_status)
        self.node_status_by_day[self.day] = self.node_status
        count_backlog(p.view("claim"), p.view("node"), self.net.node_country,
                      self.backlog_by_day[self.day])  # fmt: skip
        count_housed(p.view("flags"), p.view("node"), self.occupancy)
        self.datacollector.collect(self)

    def agent(self, i: int) -> dict:
        """Agent ``i`` with its places, leg, route and profile named by their ids."""
        row = self.pop.agent(i)
        nodes = self.net.node_ids
        for field in ("origin", "node", "destination", "tie", "first_arrival_node",
                      "first_protection_node", "entry_from"):  # fmt: skip
            row[field] = nodes[row[field]] if row[field] >= 0 else None
        row["edge"] = self.net.edge_ids[row["edge"]] if row["edge"] >= 0 else None
        row["route"] = self.net.route_path(row["route"]) if row["route"] >= 0 else None
        row["profile"] = self.scenario.profiles[row["profile"]].id
        hubs = [nodes[h] for h in self.net.hub_nodes]
        risk = self.beliefs.risk()[i]
        row["believed_sea_risk"] = {h: float(r) for h, r in zip(hubs, risk, strict=True)}
        welcome = self.beliefs.welcome()[i]
        row["believed_welcome"] = {
            nodes[n]: float(w) for n, w in zip(self._dest_nodes, welcome, strict=True)
        }
        row["contacts"] = [int(c) for c in self.beliefs.view("contacts")[i] if c >= 0]
        return row

    def contact_graph(self):
        """The contact network as a ``networkx.Graph``: a node per agent row (with its origin),
        an edge per filled contact slot (news and reports travel both ways along it). For
        inspection and analysis; the model itself reads the contact arrays."""
        import networkx as nx

        contacts = self.beliefs.view("contacts")
        origins = self.pop.view("origin")
        graph = nx.Graph()
        graph.add_nodes_from(
            (i, {"origin": self.net.node_ids[o] if o >= 0 else None})
            for i, o in enumerate(origins.tolist())
        )
        rows, slots = np.nonzero(contacts >= 0)
        graph.add_edges_from(zip(rows.tolist(), contacts[rows, slots].tolist(), strict=True))
        return graph

    def status_counts(self) -> np.ndarray:
        return self.node_status.sum(axis=0)

    def _resolve_levers(self) -> None:
        """Every lever as a [day, zone or node] array over the run; months for the weather."""
        pol, net, start, days = self.scenario.policy, self.net, self.start_date, self.days
        zones = net.zone_ids
        self.levers = {
            "rescue_capacity": resolve(pol, "policy.rescue.capacity", zones, start, days),
            "response_days": resolve(pol, "policy.rescue.response_days", zones, start, days),
            "interception_rate": resolve(pol, "policy.interception.rate", zones, start, days),
            "screening": resolve(pol, "policy.interception.screening", zones, start, days),
            "delay_days": resolve(pol, "policy.disembarkation.delay_days", zones, start, days),
            "enforcement": resolve(pol, "policy.enforcement.level", net.node_ids, start, days),
            "closed": resolve(pol, "policy.closures.closed", net.edge_ids, start, days) > 0.5,
        }
        scale = self.scenario.simulation.persons_per_agent
        countries = net.country_ids
        by_node = {
            "contact_probability": "policy.information.contact_probability",
            "trust_contacts": "policy.information.trust_contacts",
            "trust_officials": "policy.information.trust_officials",
            "trust_smugglers": "policy.information.trust_smugglers",
            "safety": "policy.origin.safety",
            "resettlement_priority": "policy.resettlement.priority",
            "origin_cooperation": "policy.return.origin_cooperation",
            "reintegration": "policy.return.reintegration",
        }
        for name, path in by_node.items():
            self.levers[name] = resolve(pol, path, net.node_ids, start, days)
        # yearly quotas (persons) in agents
        self.levers["resettlement_quota"] = (
            resolve(pol, "policy.resettlement.quota", net.node_ids, start, days) / scale
        )
        self.levers["legal_quota"] = np.stack(
            [resolve(pol, f"policy.legal.{c}", net.node_ids, start, days) / scale
             for c in CHANNELS], axis=1,
        )  # [day, channel, node]  # fmt: skip
        self.levers["free_movement"] = (
            resolve(pol, "policy.legal.free_movement", net.edge_ids, start, days) > 0.5
        )
        self.levers["forced_capacity"] = (
            resolve(pol, "policy.return.forced_capacity", countries, start, days) / scale
        )
        by_country = {
            "detention_mode": "policy.detention.mode",
            "max_days": "policy.detention.max_days",
            "alternatives": "policy.detention.alternatives",
            "profiling_coverage": "policy.profiling.coverage",
            "profiling_accuracy": "policy.profiling.accuracy",
            "accelerated": "policy.asylum.accelerated",
            "appeals": "policy.asylum.appeals",
            "work_rights": "policy.integration.work_rights",
            "freedom_of_movement": "policy.integration.freedom_of_movement",
            "agreements": "policy.readmission.agreements",
            "avr_support": "policy.return.avr_support",
            "regularization": "policy.legal.regularization",
        }
        for name, path in by_country.items():
            self.levers[name] = resolve(pol, path, countries, start, days)
        self.levers["asylum_capacity"] = (
            resolve(pol, "policy.asylum.capacity", countries, start, days) / scale
        )
        self.levers["reception_capacity"] = resolve(
            pol, "policy.reception.capacity", net.node_ids, start, days,
            fallback=net.node_capacity * scale,
        ) / scale  # fmt: skip
        self.levers["conditions"] = resolve(pol, "policy.reception.conditions", net.node_ids,
                                            start, days)  # fmt: skip
        self.levers["asylum_accuracy"] = resolve(
            pol, "policy.asylum.accuracy", ["in_need", "not_in_need"], start, days
        )
        profiles = [pf.id for pf in self.scenario.profiles]
        pairs = [(pf, c) for pf in profiles for c in countries]
        self.levers["prima_facie"] = resolve(
            pol, "policy.asylum.prima_facie", [f"{pf}@{c}" for pf, c in pairs], start, days,
            keys=[[f"{pf}@{c}", pf] for pf, c in pairs],
        ).reshape(days, len(profiles), len(countries))  # fmt: skip
        self._months = np.array(
            [(start + dt.timedelta(days=k)).month - 1 for k in range(days)], np.int64
        )
        self._perceived_for = None  # the levers the perceived routes were computed for

    def _update_perceived_routes(self) -> None:
        """Routes and destinations as agents see them today: enforcement (P1), closures, free
        movement (legs without smugglers) and resettlement prospects (P10)."""
        net, d, lv = self.net, self.day, self.levers
        level, closed, free = lv["enforcement"][d], lv["closed"][d], lv["free_movement"][d]
        quota = lv["resettlement_quota"][d]
        today = np.concatenate([level, closed, free, quota])
        if self._perceived_for is not None and np.array_equal(today, self._perceived_for):
            return
        legal = free & net.edge_smuggler
        self._edge_cost = np.where(legal, net.edge_cost * (1 - self._lg.smuggler_markup),
                                   net.edge_cost)  # fmt: skip
        self._edge_robbery = np.where(free, 0.0, net.edge_robbery)
        self._route_irregular = irregular_routes(net, free)
        cost, _ = smuggling.perceived_edges(net, self._sm, level)
        land = net.edge_mode != SEA
        cost[land] = self._edge_cost[land]
        cost[closed] = np.inf  # a closed leg makes every route through it unaffordable
        land_hazard = np.where(land, net.edge_hazard, 0.0)  # the sea is what people believe
        self.route_cost, self.route_land_risk, self.node_min_route_cost = route_totals(
            net, cost, land_hazard
        )
        e = net.route_sea_edge
        self.route_hub = np.where(e >= 0, net.node_hub[net.edge_src[e]], -1).astype(np.int32)
        enforcement = 1.0 + self._sm.risk_enforcement * level[net.edge_src[e]]
        self.route_sea_factor = np.where(e >= 0, self._sea_rel[e] * enforcement, 0.0)
        so, scale = self._so, self.scenario.simulation.persons_per_agent
        persons = quota * scale
        with np.errstate(invalid="ignore"):
            share = np.where(
                np.isinf(persons), 1.0, persons / (persons + so.resettlement_half_quota)
            )
        pull = so.resettlement_pull * share
        self.node_attract = net.node_attract + pull[:, None]
        self._node_is_asylum = np.array(
            [bool({"first_asylum", "camp"} & set(n.roles)) for n in self.scenario.nodes]
        )
        self._perceived_for = today

    def _expected_agents(self) -> int:
        initial = (
            sum(sum(n.initial_population.values()) for n in self.scenario.nodes)
            / self.scenario.simulation.persons_per_agent
        )
        flow = self.departures.rate.sum()
        if self.forced_inflow is not None:
            flow += self.forced_inflow.count.sum()
        return int(1.1 * (initial + flow)) + 1024

    def _place_initial_population(self) -> None:
        scale = self.scenario.simulation.persons_per_agent
        for k, node in enumerate(self.scenario.nodes):
            for pid, persons in node.initial_population.items():
                n = int(round(persons / scale))
                if "origin" in node.roles:
                    status = Status.AT_ORIGIN
                elif set(node.roles) & set(DESTINATION_ROLES):
                    status = Status.ARRIVED  # places now, while they last; never registered
                else:
                    status = Status.IN_TRANSIT  # at a node with no route: route choice decides
                pidx = next(j for j, p in enumerate(self.scenario.profiles) if p.id == pid)
                origin = k if status == Status.AT_ORIGIN else -1  # met on the way: origin unknown
                add_agents(self.pop, self.scenario.profiles[pidx], pidx, k, n, -1, status,
                           self.rng, self.net.index, origin, self._lg.awareness)  # fmt: skip
                self.events_by_day[0, EV_NEW_AGENTS] += n
        self._new_beliefs()
        p = self.pop
        place(-1, p.view("status"), p.view("status_day"), p.view("flags"), p.view("claim"),
              p.view("node"), self.occupancy, self.levers["reception_capacity"][0],
              self.net.node_is_camp, np.zeros(N_EVENTS, np.int64))  # fmt: skip


DECIDING = [Status.AT_ORIGIN, Status.IN_TRANSIT, Status.WAITING_TO_CROSS, Status.STRANDED]


def _hub_hazards(net: CompiledNetwork) -> tuple[np.ndarray, np.ndarray]:
    """Mean hazard of each hub's sea legs, and each sea leg's hazard relative to its hub's."""
    sea = net.sea_edges
    hub = net.node_hub[net.edge_src[sea]]
    n = len(net.hub_nodes)
    total = np.bincount(hub, weights=net.edge_hazard[sea], minlength=n)
    mean = total / np.maximum(np.bincount(hub, minlength=n), 1)
    rel = np.ones(net.n_edges)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel[sea] = np.where(mean[hub] > 0, net.edge_hazard[sea] / mean[hub], 1.0)
    return mean, rel


@dataclass
class _Campaign:
    at_node: np.ndarray  # bool per node
    start: int
    end: int
    reach: float
    credibility: float  # effective, before trust in officials
    content: int  # bit set over information.RISKS, LEGAL_OPTIONS, PROTECTION
    name: str
    reached: int = 0  # people reached so far (a person reached on two days counts twice)


def _compile_campaigns(scenario: Scenario, index: dict[str, int], info) -> list[_Campaign]:
    out = []
    start = scenario.simulation.start_date
    bits = {"risks": information.RISKS, "legal_options": information.LEGAL_OPTIONS,
            "protection": information.PROTECTION}  # fmt: skip
    for k, c in enumerate(scenario.policy.information.campaigns):
        at = np.zeros(len(index), bool)
        at[[index[n] for n in c.nodes]] = True
        content = 0
        for item in c.content:
            content |= bits[item]
        end = MAX_DAYS if c.end is None else day_number(c.end, start)
        out.append(_Campaign(
            at_node=at, start=day_number(c.start, start), end=min(end, MAX_DAYS), reach=c.reach,
            credibility=information.campaign_credibility(c.credibility, content, info),
            content=content, name=c.name or f"campaign {k + 1}",
        ))  # fmt: skip
    return out


def _keep_fraction(credit: np.ndarray) -> None:
    """Places not used today are not saved up: keep only the fraction of a place (an unlimited
    quota starts again from nothing: tomorrow adds inf)."""
    finite = np.isfinite(credit)
    credit[finite] -= np.floor(credit[finite])
    credit[~finite] = 0.0


def _status_reporter(k: int):
    return lambda m: int(m.node_status[:, k].sum())


def _event_reporter(k: int):
    return lambda m: int(m.events_by_day[m.day, k])
