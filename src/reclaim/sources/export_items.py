"""A parsed Telegram Desktop export as the items a scan reads: one per message that has text or media."""

from __future__ import annotations

from collections.abc import Iterator

from reclaim.sources.found import FoundChannel, FoundItem
from reclaim.sources.telegram_export import ExportItem, ExportScan
from reclaim.sources.telegram_ids import CHANNEL_TYPES

PLATFORM = "telegram"


def chat_peer_id(chat_type: str, chat_id: int) -> str:
    """The chat's id in the form forwards name it ("channel…", "chat…", "user…")."""
    if chat_type in CHANNEL_TYPES:
        return f"channel{chat_id}"
    if chat_type == "private_group":
        return f"chat{chat_id}"
    return f"user{chat_id}"


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
        forwarded_from_id=item.forwarded_from_id,
        media_path=media.path if present and media is not None else None,
        skipped_media=None
        if media is None or present
        else ("missing" if media.status == "missing" else "not_included"),
    )
