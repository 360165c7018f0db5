"""The route network: a networkx graph to build and inspect, compiled to flat arrays for kernels.

Nodes and directed edges get dense indices. Out-edges are stored as CSR (``out_ptr``/``out_edges``).
Candidate routes are precomputed once: for every node and every node with a destination role, the
``routes_per_destination`` shortest simple paths by travel days (at most ``max_legs`` legs). The
routes that start at node ``n`` are ``route_ptr[n]:route_ptr[n+1]``; the edges of route ``r`` are
``route_edges[route_edge_ptr[r]:route_edge_ptr[r+1]]``. Route choice then only scores a short list.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import NamedTuple

import networkx as nx
import numpy as np

from flowsim.errors import ScenarioError
from flowsim.population import MAX_ROUTES
from flowsim.scenario import (
    DESTINATION_ROLES,
    MODES,
    MOTIVES,
    Scenario,
    country_id,
    country_ids,
    sea_zones,
)

MODE_CODE = {m: i for i, m in enumerate(MODES)}
SEA = MODE_CODE["sea"]


def build_graph(scenario: Scenario) -> nx.DiGraph:
    """A directed graph with every node and edge attribute of the scenario (both_ways expanded)."""
    g = nx.DiGraph(name=scenario.simulation.name)
    for n in scenario.nodes:
        g.add_node(n.id, **n.model_dump(exclude={"id"}))
    for e in scenario.edges:
        attrs = e.model_dump(exclude={"source", "target", "both_ways"})
        pairs = [(e.source, e.target, e.id)]
        if e.both_ways:
            pairs.append((e.target, e.source, f"{e.target}-{e.source}"))
        for a, b, ident in pairs:
            if g.has_edge(a, b):
                raise ScenarioError(
                    f"{scenario.source}: edges.{e.id}: a second edge from '{a}' to '{b}'; "
                    "allowed: one edge per direction between two nodes"
                )
            g.add_edge(a, b, **{**attrs, "id": ident})
    return g


class Network(NamedTuple):
    """The network as kernels take it (arrays of ``CompiledNetwork``; see there)."""

    node_country: np.ndarray
    node_is_camp: np.ndarray
    node_is_destination: np.ndarray
    node_hub: np.ndarray
    node_destination: np.ndarray
    edge_src: np.ndarray
    edge_dst: np.ndarray
    edge_mode: np.ndarray
    edge_days: np.ndarray
    edge_hazard: np.ndarray
    route_ptr: np.ndarray
    route_dest: np.ndarray
    route_days: np.ndarray
    route_edge_ptr: np.ndarray
    route_edges: np.ndarray
    route_entry_node: np.ndarray


@dataclass
class CompiledNetwork:
    node_ids: list[str]
    edge_ids: list[str]
    index: dict[str, int]
    graph: nx.DiGraph
    # nodes
    node_lat: np.ndarray
    node_lon: np.ndarray
    node_capacity: np.ndarray  # agents that can settle; inf where unlimited
    node_attract: np.ndarray  # [node, motive]
    node_is_destination: np.ndarray
    node_is_camp: np.ndarray  # camps keep recognized refugees in their places
    country_ids: list[str]  # asylum systems: one per country (see scenario.country_ids)
    node_country: np.ndarray  # country index of each node
    edge_src: np.ndarray
    edge_dst: np.ndarray
    edge_mode: np.ndarray
    edge_days: np.ndarray
    edge_cost: np.ndarray
    edge_hazard: np.ndarray
    edge_robbery: np.ndarray
    edge_smuggler: np.ndarray  # a smuggler's service is needed on the leg
    out_ptr: np.ndarray
    out_edges: np.ndarray
    # candidate routes
    route_ptr: np.ndarray
    route_dest: np.ndarray
    route_days: np.ndarray
    route_cost: np.ndarray
    route_risk: np.ndarray
    route_edge_ptr: np.ndarray
    route_edges: np.ndarray
    route_irregular: np.ndarray  # the route has a sea leg, or a smuggled leg (no free movement)
    route_entry_node: np.ndarray  # start of the route's last sea leg, else of its last leg
    route_sea_edge: np.ndarray  # the route's first sea leg, -1 if it has none
    # embarkation hubs (start nodes of sea legs): what beliefs about the sea are about
    hub_nodes: np.ndarray  # node index of each hub
    node_hub: np.ndarray  # hub index of each node, -1 if it is not a hub
    node_min_route_cost: np.ndarray  # cost of the cheapest candidate route from each node
    # the sea: zones, boat types and which boats each sea leg sees
    zone_ids: list[str]
    edge_zone: np.ndarray  # zone index of a sea leg, -1 for other legs
    edge_forced_overboard: np.ndarray
    edge_boat_mix: np.ndarray  # [edge, boat type] shares (rows sum to 1 for sea legs)
    type_ids: list[str]
    type_capacity: np.ndarray
    type_distress: np.ndarray
    type_survival_days: np.ndarray
    type_price_factor: np.ndarray
    # destination-role nodes: what beliefs about the welcome are about
    destination_nodes: np.ndarray  # node index of each destination-role node
    node_destination: np.ndarray  # its index among them, -1 for other nodes

    def arrays(self) -> Network:
        """The arrays kernels read, as one named tuple."""
        return Network(*(getattr(self, name) for name in Network._fields))

    @property
    def sea_edges(self) -> np.ndarray:
        return np.flatnonzero(self.edge_mode == SEA)

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def n_edges(self) -> int:
        return len(self.edge_ids)

    @property
    def n_routes(self) -> int:
        return len(self.route_dest)

    def route_path(self, r: int) -> list[str]:
        """The node ids of route ``r``, for inspection."""
        edges = self.route_edges[self.route_edge_ptr[r] : self.route_edge_ptr[r + 1]]
        return [self.node_ids[self.edge_src[edges[0]]]] + [
            self.node_ids[self.edge_dst[e]] for e in edges
        ]


def compile_network(scenario: Scenario, graph: nx.DiGraph | None = None) -> CompiledNetwork:
    g = graph if graph is not None else build_graph(scenario)
    scale = scenario.simulation.persons_per_agent
    node_ids = [n.id for n in scenario.nodes]
    index = {nid: i for i, nid in enumerate(node_ids)}
    nodes = scenario.nodes

    cap = np.array([np.inf if n.capacity is None else n.capacity / scale for n in nodes])
    attract = np.array([[n.attractiveness.get(m, 0.0) for m in MOTIVES] for n in nodes], float)
    is_dest = np.array([bool(set(n.roles) & set(DESTINATION_ROLES)) for n in nodes])

    edges = sorted(g.edges(data=True), key=lambda t: (index[t[0]], index[t[1]]))
    edge_ids = [d["id"] for _, _, d in edges]
    edge_index = {(a, b): k for k, (a, b, _) in enumerate(edges)}
    src = np.array([index[a] for a, _, _ in edges], np.int32)
    dst = np.array([index[b] for _, b, _ in edges], np.int32)
    out_ptr = np.zeros(len(nodes) + 1, np.int64)
    np.add.at(out_ptr, src + 1, 1)
    out_ptr = np.cumsum(out_ptr)

    rc = scenario.behaviour.route_choice
    r_ptr, r_dest, r_days, re_ptr, re_edges = [0], [], [], [0], []
    for start in node_ids:
        for dest in node_ids:
            if dest == start or not is_dest[index[dest]]:
                continue
            for path in _k_paths(g, start, dest, rc.routes_per_destination, rc.max_legs):
                ks = [edge_index[(a, b)] for a, b in itertools.pairwise(path)]
                r_dest.append(index[dest])
                r_days.append(sum(edges[k][2]["days"] for k in ks))
                re_edges.extend(ks)
                re_ptr.append(len(re_edges))
        r_ptr.append(len(r_dest))
    if len(r_dest) > MAX_ROUTES:
        raise ScenarioError(
            f"{scenario.source}: {len(r_dest):,} candidate routes; at most {MAX_ROUTES:,} (agents "
            "hold a route as int16): lower behaviour.route_choice.routes_per_destination or "
            "max_legs"
        )
    if len(edges) > MAX_ROUTES or len(node_ids) > MAX_ROUTES:
        raise ScenarioError(f"{scenario.source}: at most {MAX_ROUTES:,} nodes and edges")

    entry, first_sea = [], []
    for a, b in itertools.pairwise(re_ptr):
        ks = re_edges[a:b]
        sea = [k for k in ks if edges[k][2]["mode"] == "sea"]
        entry.append(index[edges[(sea or ks)[-1]][0]])
        first_sea.append(sea[0] if sea else -1)
    hubs = sorted({index[a] for a, _, d in edges if d["mode"] == "sea"})
    node_hub = np.full(len(nodes), -1, np.int32)
    node_hub[hubs] = np.arange(len(hubs))
    countries = country_ids(scenario)

    zone_ids = sea_zones(scenario)
    types = scenario.boat_types
    type_index = {t.id: k for k, t in enumerate(types)}
    mix = np.zeros((len(edges), len(types)))
    zone = np.full(len(edges), -1, np.int16)
    forced = np.zeros(len(edges))
    for k, (_, _, d) in enumerate(edges):
        if d["mode"] != "sea":
            continue
        zone[k] = zone_ids.index(d["zone"] or d["id"])
        forced[k] = d["forced_overboard"]
        shares = d["boat_types"] or {t.id: 1.0 for t in types}
        for t, share in shares.items():
            mix[k, type_index[t]] = share
        mix[k] /= mix[k].sum()

    net = CompiledNetwork(
        zone_ids=zone_ids,
        edge_zone=zone,
        edge_forced_overboard=forced,
        edge_boat_mix=mix,
        type_ids=[t.id for t in types],
        type_capacity=np.array([t.capacity / scale for t in types]),  # in agents
        type_distress=np.array([t.distress for t in types]),
        type_survival_days=np.array([t.survival_days for t in types]),
        type_price_factor=np.array([t.price_factor for t in types]),
        node_ids=node_ids,
        edge_ids=edge_ids,
        index=index,
        graph=g,
        node_lat=np.array([n.lat for n in nodes]),
        node_lon=np.array([n.lon for n in nodes]),
        node_capacity=cap,
        node_attract=attract,
        node_is_destination=is_dest,
        node_is_camp=np.array(["camp" in n.roles for n in nodes]),
        country_ids=countries,
        node_country=np.array([countries.index(country_id(n)) for n in nodes], np.int32),
        edge_src=src,
        edge_dst=dst,
        edge_mode=np.array([MODE_CODE[d["mode"]] for _, _, d in edges], np.int8),
        edge_days=np.array([d["days"] for _, _, d in edges], np.int32),
        edge_cost=np.array([d["cost"] for _, _, d in edges], float),
        edge_hazard=np.array([d["hazard"] for _, _, d in edges], float),
        edge_robbery=np.array([d["robbery"] for _, _, d in edges], float),
        edge_smuggler=np.array([d["smuggler"] for _, _, d in edges], bool),
        out_ptr=out_ptr,
        out_edges=np.argsort(src, kind="stable").astype(np.int32),
        route_ptr=np.array(r_ptr, np.int64),
        route_dest=np.array(r_dest, np.int32),
        route_days=np.array(r_days, float),
        route_cost=np.zeros(0),  # set below from the edges
        route_risk=np.zeros(0),
        route_edge_ptr=np.array(re_ptr, np.int64),
        route_edges=np.array(re_edges, np.int32),
        route_irregular=np.zeros(0, bool),  # set below
        route_entry_node=np.array(entry, np.int32),
        route_sea_edge=np.array(first_sea, np.int32),
        hub_nodes=np.array(hubs, np.int32),
        node_hub=node_hub,
        node_min_route_cost=np.zeros(0),
        destination_nodes=np.flatnonzero(is_dest),
        node_destination=np.full(len(nodes), -1, np.int32),
    )
    net.node_destination[net.destination_nodes] = np.arange(net.destination_nodes.size)
    net.route_cost, net.route_risk, net.node_min_route_cost = route_totals(
        net, net.edge_cost, net.edge_hazard
    )
    net.route_irregular = irregular_routes(net, np.zeros(net.n_edges, bool))
    return net


def irregular_routes(net: CompiledNetwork, free_movement: np.ndarray) -> np.ndarray:
    """Routes with a sea leg, or a smuggled leg outside free movement (``free_movement`` by edge)."""
    if net.n_routes == 0:
        return np.zeros(0, bool)
    irregular = (net.edge_mode == SEA) | (net.edge_smuggler & ~free_movement)
    return np.logical_or.reduceat(irregular[net.route_edges], net.route_edge_ptr[:-1])


def route_totals(net: CompiledNetwork, edge_cost: np.ndarray, edge_hazard: np.ndarray):
    """Route cost, route risk and each node's cheapest route for given edge costs and hazards."""
    if net.n_routes == 0:
        return np.zeros(0), np.zeros(0), np.full(net.n_nodes, np.inf)
    starts = net.route_edge_ptr[:-1]
    cost = np.add.reduceat(edge_cost[net.route_edges], starts)
    risk = 1.0 - np.exp(
        np.add.reduceat(np.log1p(-np.minimum(edge_hazard, 1 - 1e-12)[net.route_edges]), starts)
    )
    node_min = np.array(
        [cost[a:b].min(initial=np.inf) for a, b in itertools.pairwise(net.route_ptr)]
    )
    return cost, risk, node_min


def _k_paths(g: nx.DiGraph, a: str, b: str, k: int, max_legs: int) -> list[list[str]]:
    """The k shortest simple paths by days from a to b with max_legs legs or fewer."""
    if not nx.has_path(g, a, b):
        return []
    out = []
    # Paths come shortest first; look at a bounded number so dense graphs stay cheap.
    for path in itertools.islice(nx.shortest_simple_paths(g, a, b, weight="days"), 20 * k):
        if len(path) - 1 <= max_legs:
            out.append(path)
            if len(out) == k:
                break
    return out


def hub_hazards(net: CompiledNetwork) -> tuple[np.ndarray, np.ndarray]:
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
