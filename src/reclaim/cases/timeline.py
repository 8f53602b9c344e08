"""A case's timeline and what needs attention: overdue notices, re-uploads, the police deadline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from reclaim.cases.drafting import NoticeSighting
from reclaim.cases.notice_states import NoticeStatus, is_overdue

if TYPE_CHECKING:
    from reclaim.store.notices import NoticeRecord

# Public Security Administration Punishments Law art. 25 (art. 22 before 2026): an act the
# police have not discovered within six months is no longer punished (docs/legal-basis.md).
POLICE_DEADLINE_MONTHS: Final = 6


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    at: datetime
    kind: str  # "opened", "sighting", "notice"
    leaf_index: int | None = None
    url: str | None = None
    notice_id: str | None = None
    status: str | None = None
    route: str | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"at": self.at.isoformat(), "kind": self.kind}
        for name in ("leaf_index", "url", "notice_id", "status", "route", "note"):
            if getattr(self, name) is not None:
                record[name] = getattr(self, name)
        return record


@dataclass(frozen=True, slots=True)
class CaseFlag:
    kind: str  # "overdue", "unsent", "re-upload", "police-deadline", "police-deadline-passed"
    at: datetime  # the due date, the time seen again, or the deadline
    notice_id: str | None = None
    route: str | None = None
    leaf_index: int | None = None
    url: str | None = None
    removed_by: str | None = None  # for a re-upload: the notice that had it removed

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"kind": self.kind, "at": self.at.isoformat()}
        for name in ("notice_id", "route", "leaf_index", "url", "removed_by"):
            if getattr(self, name) is not None:
                record[name] = getattr(self, name)
        return record


def case_timeline(
    opened_at: datetime, sightings: Sequence[NoticeSighting], notices: Sequence[NoticeRecord]
) -> list[TimelineEvent]:
    events = [TimelineEvent(opened_at, "opened")]
    events += [
        TimelineEvent(s.seen_at, "sighting", leaf_index=s.leaf_index, url=s.url)
        for s in sightings
        if s.seen_at is not None
    ]
    events += [
        TimelineEvent(
            event.at, "notice", notice_id=notice.id, status=event.status, route=notice.route, note=event.note
        )
        for notice in notices
        for event in notice.events
    ]
    return sorted(events, key=lambda event: event.at)


def case_flags(
    sightings: Sequence[NoticeSighting], notices: Sequence[NoticeRecord], now: datetime
) -> list[CaseFlag]:
    flags = [
        CaseFlag(
            "unsent" if notice.status == NoticeStatus.DRAFT else "overdue",
            notice.due_at,
            notice_id=notice.id,
            route=notice.route,
        )
        for notice in notices
        if is_overdue(NoticeStatus(notice.status), notice.due_at, now)
    ]
    flags += reuploads(sightings, notices)
    deadline = police_deadline(sightings, notices, now)
    if deadline is not None:
        flags.append(deadline)
    return flags


def reuploads(sightings: Sequence[NoticeSighting], notices: Sequence[NoticeRecord]) -> list[CaseFlag]:
    """Sightings seen after a notice had the same content removed: same link, same protected
    photo or video, or the same file."""
    by_leaf = {s.leaf_index: s for s in sightings}
    removed = [
        (notice, by_leaf[leaf])
        for notice in notices
        if notice.status == NoticeStatus.REMOVED and notice.closed_at is not None
        for leaf in notice.sighting_leaves
        if leaf in by_leaf
    ]
    flags = []
    for sighting in sightings:
        if sighting.seen_at is None:
            continue
        for notice, earlier in removed:
            assert notice.closed_at is not None
            if sighting.seen_at > notice.closed_at and _same_content(sighting, earlier):
                flags.append(
                    CaseFlag(
                        "re-upload",
                        sighting.seen_at,
                        leaf_index=sighting.leaf_index,
                        url=sighting.url,
                        removed_by=notice.id,
                    )
                )
                break
    return flags


def police_deadline(
    sightings: Sequence[NoticeSighting], notices: Sequence[NoticeRecord], now: datetime
) -> CaseFlag | None:
    """Six months from the first post seen, unless the police already have a report."""
    if any(notice.route == "police" and notice.sent_at is not None for notice in notices):
        return None
    known = [t for t in (s.posted_at or s.seen_at for s in sightings) if t is not None]
    if not known:
        return None
    deadline = add_months(min(known), POLICE_DEADLINE_MONTHS)
    return CaseFlag("police-deadline-passed" if deadline < now else "police-deadline", deadline)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later; the month's last day when it is shorter (31 Aug → 28/29 Feb)."""
    import calendar

    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _same_content(later: NoticeSighting, earlier: NoticeSighting) -> bool:
    if later.leaf_index == earlier.leaf_index:
        return False
    if later.url and later.url == earlier.url:
        return True
    if later.kind == "identifier" or earlier.kind == "identifier":
        return False  # her details posted again are a new sighting, not the same upload
    if later.matched_entry is not None and later.matched_entry == earlier.matched_entry:
        return True
    return later.media_sha256 is not None and later.media_sha256 == earlier.media_sha256
