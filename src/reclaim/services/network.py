"""The channel network from what every scan kept: which channels exist, and which continues which."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.network.observations import ChannelActivity


@dataclass
class _Gathered:
    title: str
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    forwards: Counter[str] = field(default_factory=Counter)
    media: list[bytes] = field(default_factory=list)
    handles: set[str] = field(default_factory=set)
    links: set[str] = field(default_factory=set)


def channel_activities(engine: Engine) -> list[ChannelActivity]:
    """Each channel a scan saw posts in, with its dates, forwards, media hashes and mentions.

    A channel only forwarded from, never scanned itself, has no activity of its own: it shows
    in the graph through the forwards, not as a candidate predecessor.
    """
    from reclaim.network.observations import ChannelActivity, ChannelRef
    from reclaim.store.scans import channel_items, channel_matched_entries

    gathered: dict[str, _Gathered] = {}
    for item in channel_items(engine):
        if item.posted_at is None:
            continue
        channel = gathered.setdefault(item.channel_id, _Gathered(item.title))
        channel.title = item.title
        channel.first_seen = min(channel.first_seen or item.posted_at, item.posted_at)
        channel.last_seen = max(channel.last_seen or item.posted_at, item.posted_at)
        if item.forwarded_from_id and item.forwarded_from_id != item.channel_id:
            channel.forwards[item.forwarded_from_id] += 1
        if item.pdq:
            channel.media.append(bytes.fromhex(item.pdq))
        if item.mentions:
            channel.handles.update(item.mentions.get("handles", []))
            channel.links.update(item.mentions.get("links", []))
    matched = channel_matched_entries(engine)
    return [
        ChannelActivity(
            channel=ChannelRef(channel_id, channel.title),
            first_seen=channel.first_seen,
            last_seen=channel.last_seen,
            forwards_from=frozenset(channel.forwards),
            media_pdq=tuple(channel.media),
            handles=frozenset(channel.handles),
            links=frozenset(channel.links),
            forward_counts=dict(channel.forwards),
            protected_matches=frozenset(matched.get(channel_id, ())),
        )
        for channel_id, channel in sorted(gathered.items())
        if channel.first_seen is not None and channel.last_seen is not None
    ]
