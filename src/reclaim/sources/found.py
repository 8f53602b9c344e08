"""What every source yields for a scan: one found message or file, its text and its media.

Sources (an export, a folder, a live channel) only read; the scan service hashes, matches and
stores. ``key`` is what makes a scan resumable: the same message or file always gets the same
key, so an item finished once is not hashed again and a hit is never queued twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

# not_included, missing: an export left the file out or lost it; over_limit: a live post's file is
# larger than the size limit, so it was not downloaded; not_downloaded: Telegram did not send it.
SkipReason = Literal["not_included", "missing", "over_limit", "not_downloaded"]


@dataclass(frozen=True, slots=True)
class FoundChannel:
    """Where an item was posted: the channel id (a channel's bare number, "1741241258") and its title."""

    channel_id: str
    title: str


@dataclass(frozen=True, slots=True)
class FoundItem:
    """One found message or file. Media is a path (export, folder) or bytes held in memory only (live)."""

    key: str  # stable across runs: "telegram:1741241258:456", "folder:/abs/path:size:mtime"
    platform: str  # "telegram", "folder"
    channel: FoundChannel | None
    message_id: int | None
    url: str | None
    posted_at: datetime | None  # aware, UTC
    text: str = ""
    links: tuple[str, ...] = ()
    forwarded_from_id: str | None = None  # the channel a forward came from, same id form as channel_id
    media_path: Path | None = None
    media_bytes: bytes | None = None
    skipped_media: SkipReason | None = None  # the message had media the scan cannot read

    @property
    def has_media(self) -> bool:
        return self.media_path is not None or self.media_bytes is not None
