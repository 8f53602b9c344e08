"""Channel graph and reincarnation scoring for leak channels: pure library, no I/O."""

from reclaim.network.graph import build_graph
from reclaim.network.observations import ChannelActivity, ChannelRef
from reclaim.network.reincarnation import Reason, ReasonKind, Reincarnation, find_reincarnations, to_json
from reclaim.network.shared_media import count_shared_media
from reclaim.network.titles import title_core, title_similarity

__all__ = [
    "ChannelActivity",
    "ChannelRef",
    "Reason",
    "ReasonKind",
    "Reincarnation",
    "build_graph",
    "count_shared_media",
    "find_reincarnations",
    "title_core",
    "title_similarity",
    "to_json",
]
