"""Sightings and notice records as the store gives them, for the pure tests of reclaim.cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reclaim.cases.drafting import NoticeSighting
from reclaim.store.notices import NoticeEvent, NoticeRecord

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def sighting(leaf: int, url: str, *, days: float = 0, **fields: object) -> NoticeSighting:
    values: dict[str, object] = {
        "leaf_index": leaf,
        "url": url,
        "platform": "telegram",
        "seen_at": T0 + timedelta(days=days),
        "posted_at": None,
        "channel": "面具公园",
        "message_id": url.rsplit("/", 1)[-1],
        "kind": "media",
        "signal": "pdq",
        "distance": 12,
        "capture_sha256": f"{leaf:064x}",
        **fields,
    }
    return NoticeSighting(**values)  # type: ignore[arg-type]


def notice(
    number: int,
    leaves: list[int],
    status: str,
    *,
    route: str = "telegram-in-app",
    sent_days: float | None = 1,
    closed_days: float | None = None,
    due_days: float = 3,
) -> NoticeRecord:
    sent = T0 + timedelta(days=sent_days) if sent_days is not None else None
    closed = T0 + timedelta(days=closed_days) if closed_days is not None else None
    events = [NoticeEvent("draft", T0, "wang", None)]
    if sent:
        events.append(NoticeEvent("sent", sent, "wang", None))
    if closed:
        events.append(NoticeEvent(status, closed, "wang", "ticket 42"))
    return NoticeRecord(
        id=f"RC-case-{number:03d}",
        case_id="case",
        number=number,
        platform="telegram",
        route=route,
        lang="zh",
        status=status,
        text="",
        sighting_leaves=leaves,
        possible_minor=False,
        escalated_from=None,
        created_by="wang",
        created_at=T0,
        sent_at=sent,
        due_at=T0 + timedelta(days=due_days),
        closed_at=closed,
        events=tuple(events),
    )
