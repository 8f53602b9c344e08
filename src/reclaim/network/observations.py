"""What a scan observed about a channel: the values the network analysis is fed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ChannelRef:
    """A channel as a user knows it: a stable id and its current title."""

    id: str
    title: str


@dataclass(frozen=True)
class ChannelActivity:
    """One channel's observed life: when it posted, whom it forwarded, what media and mentions it carried.

    `media_pdq` holds 32-byte PDQ hashes; `handles` and `links` are already normalized (or keyed) by
    the scan. `forward_counts` says how often each channel in `forwards_from` was forwarded, where known.
    """

    channel: ChannelRef
    first_seen: datetime
    last_seen: datetime
    forwards_from: frozenset[str] = field(default_factory=frozenset)
    media_pdq: tuple[bytes, ...] = ()
    handles: frozenset[str] = field(default_factory=frozenset)
    links: frozenset[str] = field(default_factory=frozenset)
    forward_counts: Mapping[str, int] = field(default_factory=dict)
    # Bank entries (protected photos and videos) its posts matched: the same victim's picture,
    # however differently each channel edited it.
    protected_matches: frozenset[int] = field(default_factory=frozenset)
