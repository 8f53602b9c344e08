"""What a case report states: the facts of one case, gathered by ``reclaim.services.report``.

Plain frozen values, no prose and no language: ``compose`` words them. The only picture a
report may carry is ``SightingFacts.thumbnail``, a blurred JPEG made before it gets here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SightingFacts:
    """One sighting of the case's log, as a report shows it."""

    leaf_index: int
    seen_at: datetime  # when it was seen (given), else when it was recorded
    recorded_at: datetime
    recorded_by: str
    platform: str
    url: str
    channel: str | None  # a public username
    channel_id: str | None  # a private channel's number
    channel_title: str | None
    message_id: str | None
    sender: str | None  # the poster's identifier, where the source showed one
    leaf_hash: str
    capture_sha256: str | None
    capture_kind: str | None  # "image", "video" or "file"
    archive_sha256: str | None  # the web archive (WARC), when the page was archived
    screenshot_sha256: str | None
    note: str | None
    possible_minor: bool
    thumbnail: bytes | None  # a blurred JPEG, never the capture itself

    @property
    def channel_label(self) -> str:
        """How the channel is named: its public @username, else its number, else the web host."""
        if self.channel:
            return f"@{self.channel}"
        if self.channel_id:
            return f"c/{self.channel_id}"
        return ""


class NoticeLike(Protocol):
    """The fields of a takedown notice a report uses (``reclaim.store.notices.NoticeRecord``)."""

    @property
    def id(self) -> str: ...
    @property
    def platform(self) -> str: ...
    @property
    def route(self) -> str: ...
    @property
    def status(self) -> object: ...
    @property
    def reference(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def sent_at(self) -> datetime | None: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def closed_at(self) -> datetime | None: ...
    @property
    def sighting_leaves(self) -> Sequence[int]: ...
    @property
    def escalated_from(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """One takedown notice and where it stands."""

    id: str
    platform: str
    route: str
    status: str  # draft, sent, acknowledged, removed, refused, no-response
    reference: str
    created_at: datetime
    sent_at: datetime | None
    due_at: datetime | None
    closed_at: datetime | None
    sighting_leaves: tuple[int, ...]
    escalated_from: str | None

    @classmethod
    def from_record(cls, record: NoticeLike) -> NoticeFacts:
        status = record.status
        return cls(
            id=record.id,
            platform=record.platform,
            route=record.route,
            status=str(getattr(status, "value", status)),  # a StrEnum or its text
            reference=record.reference,
            created_at=record.created_at,
            sent_at=record.sent_at,
            due_at=record.due_at,
            closed_at=record.closed_at,
            sighting_leaves=tuple(record.sighting_leaves),
            escalated_from=record.escalated_from,
        )


@dataclass(frozen=True, slots=True)
class TreeHeadFacts:
    """The latest signed tree head of the case's log, checked when the report was made."""

    tree_size: int
    root_hash: str
    signed_at: datetime
    signature_verified: bool  # the signature verifies with the installation's public key
    root_matches_entries: bool  # the stored entries hash to this root


@dataclass(frozen=True, slots=True)
class ReportContent:
    """Everything one report states about one case."""

    case_id: str
    display_name: str  # the case title she chose: a pseudonym, never her legal name
    case_opened_at: datetime
    generated_at: datetime
    generated_by: str
    tool_version: str
    installation_id: str
    key_fingerprint: str
    public_key: str
    head: TreeHeadFacts | None
    sightings: tuple[SightingFacts, ...]
    notices: tuple[NoticeFacts, ...]
    child_protection_routes: tuple[tuple[str, str], ...]  # (name, address)

    @property
    def platforms(self) -> list[str]:
        return sorted({sighting.platform for sighting in self.sightings})

    @property
    def channels(self) -> list[str]:
        return sorted({s.channel_label for s in self.sightings if s.channel_label})

    @property
    def first_seen(self) -> datetime | None:
        return min((s.seen_at for s in self.sightings), default=None)

    @property
    def last_seen(self) -> datetime | None:
        return max((s.seen_at for s in self.sightings), default=None)

    def notice_counts(self) -> dict[str, int]:
        """Notices per status, in the order a notice moves through them."""
        order = ("draft", "sent", "acknowledged", "removed", "refused", "no-response")
        counts = {status: 0 for status in order}
        for notice in self.notices:
            counts[notice.status] = counts.get(notice.status, 0) + 1
        return {status: count for status, count in counts.items() if count}


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later (the month's last day when it is shorter), as a legal period counts."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    days = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return moment.replace(year=year, month=month, day=min(moment.day, days))


def utc(moment: datetime) -> datetime:
    """A stored time in UTC; SQLite gives times back without their zone, which is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
