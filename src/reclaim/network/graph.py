"""The channel graph: who forwarded whom, who reposted whose media, who continues whom."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from reclaim.network.observations import ChannelActivity
from reclaim.network.reincarnation import find_reincarnations
from reclaim.network.shared_media import count_shared_media


def build_graph(activities: Sequence[ChannelActivity], min_score: float = 0.5) -> nx.DiGraph:
    """A directed graph of channels, edges pointing from the earlier channel to the later one.

    Edge attributes: `forwards` (True when the later forwarded the earlier), `shared_media` (how many of
    the later's media near-duplicate the earlier's), `reincarnation` (the score, when named) and `weight`:
    the reincarnation score where there is one, else the number of ties (forwards plus shared media).
    Channels forwarded from but not observed appear as nodes without a title.
    """
    graph = nx.DiGraph()
    for activity in activities:
        graph.add_node(
            activity.channel.id,
            title=activity.channel.title,
            first_seen=activity.first_seen,
            last_seen=activity.last_seen,
        )
    for activity in activities:
        for source in sorted(activity.forwards_from):
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
    return graph


def _tie(graph: nx.DiGraph, source: str, target: str, **attributes: object) -> None:
    if graph.has_edge(source, target):
        graph.edges[source, target].update(attributes)
    else:
        graph.add_edge(source, target, **attributes)
