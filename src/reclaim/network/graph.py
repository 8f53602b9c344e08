"""The channel graph: who forwarded whom, who reposted whose media, who continues whom."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import networkx as nx

from reclaim.network.observations import ChannelActivity, ChannelRef
from reclaim.network.reincarnation import find_reincarnations
from reclaim.network.shared_media import count_shared_media

EdgeKind = Literal["reincarnation", "forwards", "shared_media"]
# Strongest first: an edge that carries several ties is drawn as the first of them.
EDGE_KINDS: tuple[EdgeKind, ...] = ("reincarnation", "forwards", "shared_media")


def build_graph(activities: Sequence[ChannelActivity], min_score: float = 0.5) -> nx.DiGraph:
    """A directed graph of channels, edges pointing from the earlier channel to the later one.

    Edge attributes: `forwards` (True when the later forwarded the earlier), `shared_media` (how many of
    the later's media near-duplicate the earlier's), `reincarnation` (the score, when named) and `weight`:
    the reincarnation score where there is one, else the number of ties (forwards plus shared media).
    Node attributes: `observed`, and for observed channels `title`, `first_seen` and `last_seen`;
    channels forwarded from but not observed appear as nodes without a title. A channel forwarding
    its own posts is no tie, so the graph has no self-loops.
    """
    graph = nx.DiGraph()
    for activity in activities:
        graph.add_node(
            activity.channel.id,
            title=activity.channel.title,
            first_seen=activity.first_seen,
            last_seen=activity.last_seen,
            observed=True,
        )
    for activity in activities:
        for source in sorted(activity.forwards_from - {activity.channel.id}):
            _tie(graph, source, activity.channel.id, forwards=True)
    ordered = sorted(activities, key=lambda item: (item.first_seen, item.channel.id))
    for position, earlier in enumerate(ordered):
        for later in ordered[position + 1 :]:
            shared = count_shared_media(earlier.media_pdq, later.media_pdq)
            if shared:
                _tie(graph, earlier.channel.id, later.channel.id, shared_media=shared)
    for found in find_reincarnations(activities, min_score):
        _tie(graph, found.predecessor.id, found.channel.id, reincarnation=found.score)
    for _, _, data in graph.edges(data=True):
        ties = int(data.get("forwards", False)) + int(data.get("shared_media", 0))
        data["weight"] = float(data.get("reincarnation", ties))
    for _, data in graph.nodes(data=True):
        data.setdefault("observed", False)
    return graph


def edge_kinds(data: Mapping[str, object]) -> tuple[EdgeKind, ...]:
    """The ties one edge's attributes carry, strongest first, in the order of `EDGE_KINDS`."""
    carried = {
        "reincarnation": data.get("reincarnation") is not None,
        "forwards": bool(data.get("forwards", False)),
        "shared_media": bool(data.get("shared_media", 0)),
    }
    return tuple(kind for kind in EDGE_KINDS if carried[kind])


def channel_ref(graph: nx.DiGraph, node: str) -> ChannelRef:
    """The channel behind a node; one that was only forwarded from has an empty title."""
    return ChannelRef(node, str(graph.nodes[node].get("title", "")))


def _tie(graph: nx.DiGraph, source: str, target: str, **attributes: object) -> None:
    if graph.has_edge(source, target):
        graph.edges[source, target].update(attributes)
    else:
        graph.add_edge(source, target, **attributes)
