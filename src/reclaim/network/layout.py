"""Where each channel goes in the picture: a spring layout per group of tied channels, groups side by side."""

from __future__ import annotations

import math
from typing import Final

import networkx as nx

Point = tuple[float, float]

LAYOUT_SEED: Final = 20240301
# Layout units between neighbouring groups; nodes inside a group lie about two units apart.
GROUP_GAP: Final = 2.0


def layout_graph(graph: nx.DiGraph) -> dict[str, Point]:
    """Positions for every node, the same for the same graph whatever order its nodes were added in.

    One spring layout over a graph with separate groups flings the small groups, lone channels most of
    all, to the rim and squeezes the large group into the middle once the whole is rescaled. So each
    weakly connected group is laid out alone, scaled by the root of its size, and the groups are packed
    in rows, largest first, with lone channels filling the last rows.
    """
    groups = sorted(
        (sorted(group, key=str) for group in nx.weakly_connected_components(graph)),
        key=lambda group: (-len(group), str(group[0])),
    )
    blocks = [_group_layout(graph, group) for group in groups]
    area = sum((width + GROUP_GAP) * (height + GROUP_GAP) for _, width, height in blocks)
    row_limit = max([math.sqrt(area), *(width for _, width, _ in blocks)], default=0.0)
    positions: dict[str, Point] = {}
    left = top = row_height = 0.0
    for block, width, height in blocks:
        if left > 0 and left + width > row_limit:
            left, top, row_height = 0.0, top - row_height - GROUP_GAP, 0.0
        for node, (x, y) in block.items():
            positions[node] = (left + x, top - y)
        left += width + GROUP_GAP
        row_height = max(row_height, height)
    return positions


def _group_layout(graph: nx.DiGraph, group: list[str]) -> tuple[dict[str, Point], float, float]:
    """One group's positions shifted to start at (0, 0) and grow right and down, with its width and height."""
    if len(group) == 1:
        return {group[0]: (0.0, 0.0)}, 0.0, 0.0
    # Undirected, because on a directed graph the springs pull one way only and fold a chain onto itself;
    # unweighted, because a pair sharing fifty images would be pulled into one dot.
    ordered = nx.Graph()
    ordered.add_nodes_from(group)
    ordered.add_edges_from(
        sorted(graph.subgraph(group).edges(), key=lambda edge: (str(edge[0]), str(edge[1])))
    )
    layout = nx.spring_layout(
        ordered, weight=None, iterations=200, seed=LAYOUT_SEED, scale=math.sqrt(len(group))
    )
    xs = [float(point[0]) for point in layout.values()]
    ys = [float(point[1]) for point in layout.values()]
    block = {node: (float(x) - min(xs), max(ys) - float(y)) for node, (x, y) in layout.items()}
    return block, max(xs) - min(xs), max(ys) - min(ys)
