"""Channel graph and reincarnation scoring for leak channels: pure library, no I/O."""

from reclaim.network.drawing import LegendText, cjk_font, render_graph
from reclaim.network.graph import EDGE_KINDS, EdgeKind, build_graph
from reclaim.network.observations import ChannelActivity, ChannelRef
from reclaim.network.reincarnation import Reason, ReasonKind, Reincarnation, find_reincarnations, to_json
from reclaim.network.shared_media import count_shared_media
from reclaim.network.summary import GraphSummary, summarize_graph
from reclaim.network.titles import title_core, title_similarity

__all__ = [
    "EDGE_KINDS",
    "ChannelActivity",
    "ChannelRef",
    "EdgeKind",
    "GraphSummary",
    "LegendText",
    "Reason",
    "ReasonKind",
    "Reincarnation",
    "build_graph",
    "cjk_font",
    "count_shared_media",
    "find_reincarnations",
    "render_graph",
    "summarize_graph",
    "title_core",
    "title_similarity",
    "to_json",
]
