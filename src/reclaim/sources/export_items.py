"""A parsed Telegram Desktop export as the items a scan reads: one per message that has text or media."""

from __future__ import annotations

from collections.abc import Iterator

from reclaim.sources.found import FoundChannel, FoundItem
from reclaim.sources.telegram_export import ExportItem, ExportScan
from reclaim.sources.telegram_ids import CHANNEL_TYPES

PLATFORM = "telegram"


def chat_peer_id(chat_type: str, chat_id: int) -> str:
    """The chat's id as people and links know it: a channel's bare number (as in t.me/c/<id>/...),
    "chat…" for a basic group, "user…" for a person or bot."""
    if chat_type in CHANNEL_TYPES:
        return str(chat_id)
    if chat_type == "private_group":
        return f"chat{chat_id}"
    return f"user{chat_id}"


def peer_id(exported: str | None) -> str | None:
    """An export's "channel1741241258" (forwarded_from_id, from_id) in chat_peer_id's form."""
    if exported is not None and exported.startswith("channel") and exported[7:].isdigit():
        return exported[7:]
    return exported


def found_items(scan: ExportScan) -> Iterator[FoundItem]:
    """Every message worth reading; service messages (joins, title changes) carry no content."""
    for item in scan.items:
        if not item.is_service:
            yield found_item(item)


def found_item(item: ExportItem) -> FoundItem:
    peer = chat_peer_id(item.chat_type, item.chat_id)
    media = item.media
    present = media is not None and media.status == "present" and media.path is not None
    return FoundItem(
        key=f"{PLATFORM}:{peer}:{item.message_id}",
        platform=PLATFORM,
        channel=FoundChannel(peer, item.chat_title),
        message_id=item.message_id,
        url=item.url,
        posted_at=item.posted_at,
        text=item.text,
        links=item.links,
        forwarded_from_id=peer_id(item.forwarded_from_id),
        media_path=media.path if present and media is not None else None,
        skipped_media=None
        if media is None or present
        else ("missing" if media.status == "missing" else "not_included"),
    )
