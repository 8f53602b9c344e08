"""Scan rows: runs, the items they finished, the review queue those items fed, and channels.

An item and the leads it produced are written in one transaction, keyed by the item's stable
key: a scan killed part-way and run again finds the item finished, so it neither hashes it
again nor queues its leads twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from reclaim.store.audit import record_audit_event
from reclaim.store.models import ChannelRow, ReviewItemRow, ScannedItemRow, ScanRow

PENDING: Final = "pending"
ACCEPTED: Final = "accepted"
REJECTED: Final = "rejected"
REVIEW_STATUSES: Final = (PENDING, ACCEPTED, REJECTED)
_KEY_CHUNK: Final = 500  # keys per IN (...) query: well under SQLite's bound-parameter limit


@dataclass(frozen=True, slots=True)
class NewLead:
    """A match or a personal detail found in one item, for one case."""

    case_id: str
    kind: str  # "media" or "identifier"
    signal: str
    distance: int
    via: str
    entry_id: int | None = None
    media_path: str | None = None
    media_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class FinishedItem:
    """What a scan keeps of one item once it is done with it: never its media or its text."""

    key: str
    platform: str
    channel_id: str | None
    channel_title: str | None
    message_id: int | None
    url: str | None
    posted_at: datetime | None
    forwarded_from_id: str | None
    outcome: str  # "hashed", "text", "skipped", "failed"
    skip_reason: str | None = None
    sha256: str | None = None
    pdq: str | None = None
    mentions: dict[str, list[str]] | None = None
    leads: tuple[NewLead, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredReview:
    """A queued lead and where its item was found, as `reclaim review list --json` prints it."""

    id: int
    case_id: str
    kind: str
    signal: str
    entry_id: int | None
    distance: int
    via: str
    status: str
    possible_minor: bool
    platform: str
    channel_id: str | None
    channel_title: str | None
    message_id: int | None
    url: str | None
    posted_at: datetime | None
    media_path: str | None
    media_sha256: str | None
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    leaf_index: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "review_id": self.id,
            "case_id": self.case_id,
            "kind": self.kind,
            "source": {
                "platform": self.platform,
                "channel_id": self.channel_id,
                "channel_title": self.channel_title,
                "message_id": self.message_id,
                "url": self.url,
                "posted_at": self.posted_at.isoformat() if self.posted_at else None,
            },
            "signal": self.signal,
            "distance": self.distance,
            "via": self.via,
            "entry_id": self.entry_id,
            "status": self.status,
            "possible_minor": self.possible_minor,
            "leaf_index": self.leaf_index,
        }


@dataclass(frozen=True, slots=True)
class ChannelItem:
    """One finished item of a channel, as the channel network reads it."""

    platform: str
    channel_id: str
    title: str
    posted_at: datetime | None
    forwarded_from_id: str | None
    pdq: str | None
    mentions: dict[str, list[str]] | None


def start_scan(engine: Engine, *, source: str, location: str, actor: str, at: datetime) -> int:
    with Session(engine) as session, session.begin():
        row = ScanRow(source=source, location=location, started_by=actor, started_at=at)
        session.add(row)
        session.flush()
        record_audit_event(
            session,
            actor=actor,
            action="scan.start",
            case_id=None,
            detail={"scan_id": row.id, "source": source},
        )
        return row.id


def finish_scan(engine: Engine, scan_id: int, summary: dict[str, Any], at: datetime) -> None:
    with Session(engine) as session, session.begin():
        row = session.get_one(ScanRow, scan_id)
        row.finished_at = at
        row.summary = summary


def finished_keys(engine: Engine, keys: Iterable[str]) -> set[str]:
    """Which of these item keys an earlier scan already finished."""
    wanted = list(keys)
    found: set[str] = set()
    with Session(engine) as session:
        for start in range(0, len(wanted), _KEY_CHUNK):
            chunk = wanted[start : start + _KEY_CHUNK]
            found.update(session.scalars(select(ScannedItemRow.key).where(ScannedItemRow.key.in_(chunk))))
    return found


def record_items(engine: Engine, scan_id: int, items: Sequence[FinishedItem], at: datetime) -> int:
    """Store finished items and queue their leads in one transaction; returns how many leads were queued.

    An item already stored (an earlier run finished it) is left as it was. A media lead is not
    queued again for a case that rejected the same file before.
    """
    queued = 0
    with Session(engine) as session, session.begin():
        present = set(
            session.scalars(select(ScannedItemRow.key).where(ScannedItemRow.key.in_([i.key for i in items])))
        )
        channels: dict[tuple[str, str], ChannelRow] = {}
        for item in items:
            if item.key in present:
                continue
            present.add(item.key)
            channel = _channel(session, channels, item)
            row = ScannedItemRow(
                key=item.key,
                scan_id=scan_id,
                platform=item.platform,
                channel_row_id=channel.id if channel else None,
                message_id=item.message_id,
                url=item.url,
                posted_at=item.posted_at,
                forwarded_from_id=item.forwarded_from_id,
                outcome=item.outcome,
                skip_reason=item.skip_reason,
                sha256=item.sha256,
                pdq=item.pdq,
                mentions=item.mentions,
                scanned_at=at,
            )
            session.add(row)
            session.flush()
            for lead in item.leads:
                if lead.media_sha256 and _rejected_before(session, lead.case_id, lead.media_sha256):
                    continue
                session.add(
                    ReviewItemRow(
                        case_id=lead.case_id,
                        item_id=row.id,
                        kind=lead.kind,
                        signal=lead.signal,
                        entry_id=lead.entry_id,
                        distance=lead.distance,
                        via=lead.via,
                        media_path=lead.media_path,
                        media_sha256=lead.media_sha256,
                        status=PENDING,
                        possible_minor=False,
                        created_at=at,
                    )
                )
                queued += 1
    return queued


def list_reviews(
    engine: Engine, *, statuses: Sequence[str] = (PENDING,), case_id: str | None = None
) -> list[StoredReview]:
    query = _review_query().where(ReviewItemRow.status.in_(list(statuses))).order_by(ReviewItemRow.id)
    if case_id is not None:
        query = query.where(ReviewItemRow.case_id == case_id)
    with Session(engine) as session:
        return [_review(*row) for row in session.execute(query)]


def get_review(engine: Engine, review_id: int) -> StoredReview | None:
    with Session(engine) as session:
        row = session.execute(_review_query().where(ReviewItemRow.id == review_id)).first()
        return _review(*row) if row else None


def decide_review(
    engine: Engine,
    review_id: int,
    *,
    status: str,
    actor: str,
    at: datetime,
    possible_minor: bool = False,
    leaf_index: int | None = None,
) -> bool:
    """Record a pending lead's decision; False when it was already decided (nothing changes then)."""
    with Session(engine) as session, session.begin():
        row = session.get(ReviewItemRow, review_id)
        if row is None or row.status != PENDING:
            return False
        row.status = status
        row.decided_by = actor
        row.decided_at = at
        row.possible_minor = possible_minor
        row.leaf_index = leaf_index
        if possible_minor:
            # Nothing that may show a child is kept: not even where the file lay on disk.
            row.media_path = None
        record_audit_event(
            session,
            actor=actor,
            action=f"review.{status}",
            case_id=row.case_id,
            detail={"review_id": review_id, "possible_minor": possible_minor},
        )
    return True


def channel_items(engine: Engine) -> list[ChannelItem]:
    """Every finished item that was posted in a channel, oldest first."""
    query = (
        select(ChannelRow.platform, ChannelRow.channel_id, ChannelRow.title, ScannedItemRow)
        .join(ChannelRow, ScannedItemRow.channel_row_id == ChannelRow.id)
        .order_by(ScannedItemRow.posted_at, ScannedItemRow.id)
    )
    with Session(engine) as session:
        return [
            ChannelItem(
                platform, channel_id, title, row.posted_at, row.forwarded_from_id, row.pdq, row.mentions
            )
            for platform, channel_id, title, row in session.execute(query)
        ]


def channel_matched_entries(engine: Engine) -> dict[str, set[int]]:
    """Per channel id, the bank entries its posts matched (leads not rejected): the same protected
    photo, however differently edited, posted by two channels."""
    query = (
        select(ChannelRow.channel_id, ReviewItemRow.entry_id)
        .join(ScannedItemRow, ReviewItemRow.item_id == ScannedItemRow.id)
        .join(ChannelRow, ScannedItemRow.channel_row_id == ChannelRow.id)
        .where(
            ReviewItemRow.kind == "media",
            ReviewItemRow.status != REJECTED,
            ReviewItemRow.entry_id.is_not(None),
        )
    )
    found: dict[str, set[int]] = {}
    with Session(engine) as session:
        for channel_id, entry_id in session.execute(query):
            if entry_id is not None:
                found.setdefault(channel_id, set()).add(int(entry_id))
    return found


def last_message_id(engine: Engine, platform: str, channel_id: str) -> int | None:
    """The newest message of a channel any scan finished: where a live watch resumes."""
    query = (
        select(func.max(ScannedItemRow.message_id))
        .join(ChannelRow, ScannedItemRow.channel_row_id == ChannelRow.id)
        .where(ChannelRow.platform == platform, ChannelRow.channel_id == channel_id)
    )
    with Session(engine) as session:
        value = session.scalar(query)
        return int(value) if value is not None else None


def _channel(
    session: Session, cache: dict[tuple[str, str], ChannelRow], item: FinishedItem
) -> ChannelRow | None:
    if item.channel_id is None:
        return None
    key = (item.platform, item.channel_id)
    row = (
        cache.get(key)
        or session.scalars(
            select(ChannelRow).where(ChannelRow.platform == key[0], ChannelRow.channel_id == key[1])
        ).first()
    )
    if row is None:
        row = ChannelRow(platform=key[0], channel_id=key[1], title=item.channel_title or key[1])
        session.add(row)
        session.flush()
    elif item.channel_title and row.title != item.channel_title:
        row.title = item.channel_title
    cache[key] = row
    return row


def _rejected_before(session: Session, case_id: str, sha256: str) -> bool:
    query = select(ReviewItemRow.id).where(
        ReviewItemRow.case_id == case_id,
        ReviewItemRow.media_sha256 == sha256,
        ReviewItemRow.status == REJECTED,
    )
    return session.scalars(query.limit(1)).first() is not None


def _review_query() -> Any:
    return (
        select(ReviewItemRow, ScannedItemRow, ChannelRow)
        .join(ScannedItemRow, ReviewItemRow.item_id == ScannedItemRow.id)
        .outerjoin(ChannelRow, ScannedItemRow.channel_row_id == ChannelRow.id)
    )


def _review(row: ReviewItemRow, item: ScannedItemRow, channel: ChannelRow | None) -> StoredReview:
    return StoredReview(
        id=row.id,
        case_id=row.case_id,
        kind=row.kind,
        signal=row.signal,
        entry_id=row.entry_id,
        distance=row.distance,
        via=row.via,
        status=row.status,
        possible_minor=row.possible_minor,
        platform=item.platform,
        channel_id=channel.channel_id if channel else None,
        channel_title=channel.title if channel else None,
        message_id=item.message_id,
        url=item.url,
        posted_at=item.posted_at,
        media_path=row.media_path,
        media_sha256=row.media_sha256,
        created_at=row.created_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        leaf_index=row.leaf_index,
    )
