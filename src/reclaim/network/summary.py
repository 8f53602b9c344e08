"""What a channel graph says in a few numbers and chains, for a text summary beside its picture."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import networkx as nx

from reclaim.network.graph import EDGE_KINDS, EdgeKind, channel_ref, edge_kinds
from reclaim.network.observations import ChannelRef


@dataclass(frozen=True)
class GraphSummary:
    """Counts of channels and ties, and each reincarnation chain from the first channel to the last.

    `edges_by_kind` counts an edge once under every tie it carries, so its values may add up to more
    than `edges`. A channel continued by two successors starts two chains, one per line of descent.
    """

    channels: int
    unobserved: int
    edges: int
    edges_by_kind: Mapping[EdgeKind, int]
    chains: tuple[tuple[ChannelRef, ...], ...]


def summarize_graph(graph: nx.DiGraph) -> GraphSummary:
    """Summarize a graph from `build_graph`: counts, and chains ordered by when their channels began."""
    edges_by_kind = dict.fromkeys(EDGE_KINDS, 0)
    for _, _, data in graph.edges(data=True):
        for kind in edge_kinds(data):
            edges_by_kind[kind] += 1
    unobserved = sum(1 for _, data in graph.nodes(data=True) if not data.get("observed", True))
    return GraphSummary(
        channels=graph.number_of_nodes(),
        unobserved=unobserved,
        edges=graph.number_of_edges(),
        edges_by_kind=edges_by_kind,
        chains=tuple(
            tuple(channel_ref(graph, node) for node in chain) for chain in reincarnation_chains(graph)
        ),
    )


def reincarnation_chains(graph: nx.DiGraph) -> list[list[str]]:
    """Node ids along each reincarnation line, from a channel with no predecessor to one with no successor.

    Scoring gives each channel one predecessor, so the lines form trees; two channels that began on the
    same day may still name each other, and such a loop is cut where it would return to its start.
    """
    lines = nx.DiGraph()
    lines.add_edges_from(
        (u, v) for u, v, data in graph.edges(data=True) if "reincarnation" in edge_kinds(data)
    )

    def began(node: str) -> tuple[int, float, str]:
        first_seen = graph.nodes[node].get("first_seen")
        if isinstance(first_seen, datetime):
            return (0, first_seen.timestamp(), node)
        return (1, 0.0, node)  # never observed: after every channel that was

    chains: list[list[str]] = []
    covered: set[str] = set()
    starts = sorted((node for node in lines if lines.in_degree(node) == 0), key=began)
    while True:
        for start in starts:
            for chain in _paths_from(lines, start, began):
                chains.append(chain)
                covered.update(chain)
        # Whatever no start reached lies on or hangs off a loop: begin there at its earliest channel.
        left = sorted((node for node in lines if node not in covered), key=began)
        if not left:
            return chains
        starts = left[:1]


def _paths_from(
    lines: nx.DiGraph, start: str, began: Callable[[str], tuple[int, float, str]]
) -> list[list[str]]:
    paths: list[list[str]] = []
    pending = [[start]]
    while pending:
        path = pending.pop()
        onward = [node for node in sorted(lines.successors(path[-1]), key=began) if node not in path]
        if not onward:
            paths.append(path)
        # Pushed latest first, so the earliest successor's line comes out first.
        pending.extend([*path, node] for node in reversed(onward))
    return paths
