"""Notice rows: drafted, status changes recorded with when they happened, read back per case."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from reclaim.store.audit import record_audit_event
from reclaim.store.models import NoticeEventRow, NoticeRow


@dataclass(frozen=True, slots=True)
class NoticeEvent:
    status: str
    at: datetime
    recorded_by: str
    note: str | None


@dataclass(frozen=True, slots=True)
class NoticeRecord:
    id: str
    case_id: str
    number: int
    platform: str
    route: str
    lang: str
    status: str
    text: str  # without her identity: placeholders stand where it goes
    sighting_leaves: list[int]
    possible_minor: bool
    escalated_from: str | None
    created_by: str
    created_at: datetime
    sent_at: datetime | None
    due_at: datetime
    closed_at: datetime | None
    events: tuple[NoticeEvent, ...] = field(default=())

    @property
    def reference(self) -> str:
        return self.id


@dataclass(frozen=True, slots=True)
class NewNotice:
    platform: str
    route: str
    lang: str
    text: str
    sighting_leaves: list[int]
    possible_minor: bool
    escalated_from: str | None
    created_at: datetime
    due_at: datetime


def next_notice_number(engine: Engine, case_id: str) -> int:
    with Session(engine) as session:
        current = session.scalar(select(func.max(NoticeRow.number)).where(NoticeRow.case_id == case_id))
    return int(current or 0) + 1


def notice_reference(case_id: str, number: int) -> str:
    return f"RC-{case_id}-{number:03d}"


def create_notices(
    engine: Engine, case_id: str, notices: Sequence[tuple[int, NewNotice]], *, actor: str
) -> None:
    """Store drafted notices (number, notice) in one transaction, with the audit record of each."""
    with Session(engine) as session, session.begin():
        for number, notice in notices:
            notice_id = notice_reference(case_id, number)
            session.add(
                NoticeRow(
                    id=notice_id,
                    case_id=case_id,
                    number=number,
                    platform=notice.platform,
                    route=notice.route,
                    lang=notice.lang,
                    status="draft",
                    text=notice.text,
                    sighting_leaves={"leaves": list(notice.sighting_leaves)},
                    possible_minor=notice.possible_minor,
                    escalated_from=notice.escalated_from,
                    created_by=actor,
                    created_at=notice.created_at,
                    sent_at=None,
                    due_at=notice.due_at,
                    closed_at=None,
                )
            )
            session.flush()  # the event's foreign key needs the notice row first
            session.add(
                NoticeEventRow(
                    notice_id=notice_id,
                    status="draft",
                    at=notice.created_at,
                    recorded_by=actor,
                    recorded_at=notice.created_at,
                    note=None,
                )
            )
            record_audit_event(
                session,
                actor=actor,
                action="notice.draft",
                case_id=case_id,
                detail={
                    "notice_id": notice_id,
                    "platform": notice.platform,
                    "route": notice.route,
                    "sightings": len(notice.sighting_leaves),
                },
            )


def record_status(
    engine: Engine,
    notice_id: str,
    *,
    status: str,
    at: datetime,
    sent_at: datetime | None,
    due_at: datetime,
    closed_at: datetime | None,
    actor: str,
    recorded_at: datetime,
    note: str | None,
) -> None:
    with Session(engine) as session, session.begin():
        row = session.get(NoticeRow, notice_id)
        assert row is not None
        row.status, row.sent_at, row.due_at, row.closed_at = status, sent_at, due_at, closed_at
        session.add(
            NoticeEventRow(
                notice_id=notice_id,
                status=status,
                at=at,
                recorded_by=actor,
                recorded_at=recorded_at,
                note=note,
            )
        )
        # The note may name people or places: the audit trail keeps only the change.
        record_audit_event(
            session,
            actor=actor,
            action="notice.status",
            case_id=row.case_id,
            detail={"notice_id": notice_id, "status": status},
        )


def get_notice(engine: Engine, notice_id: str) -> NoticeRecord | None:
    records = _records(engine, select(NoticeRow).where(NoticeRow.id == notice_id))
    return records[0] if records else None


def list_notices(engine: Engine, case_id: str | None = None) -> list[NoticeRecord]:
    """A case's notices (every case's without ``case_id``), oldest first."""
    query = select(NoticeRow).order_by(NoticeRow.case_id, NoticeRow.number)
    if case_id is not None:
        query = query.where(NoticeRow.case_id == case_id)
    return _records(engine, query)


def _records(engine: Engine, query: Any) -> list[NoticeRecord]:
    with Session(engine) as session:
        rows = list(session.scalars(query))
        events: dict[str, list[NoticeEvent]] = {row.id: [] for row in rows}
        if rows:
            found = session.scalars(
                select(NoticeEventRow)
                .where(NoticeEventRow.notice_id.in_(events))
                .order_by(NoticeEventRow.at, NoticeEventRow.id)
            )
            for event in found:
                events[event.notice_id].append(
                    NoticeEvent(event.status, event.at, event.recorded_by, event.note)
                )
        return [
            NoticeRecord(
                id=row.id,
                case_id=row.case_id,
                number=row.number,
                platform=row.platform,
                route=row.route,
                lang=row.lang,
                status=row.status,
                text=row.text,
                sighting_leaves=[int(leaf) for leaf in row.sighting_leaves.get("leaves", [])],
                possible_minor=row.possible_minor,
                escalated_from=row.escalated_from,
                created_by=row.created_by,
                created_at=row.created_at,
                sent_at=row.sent_at,
                due_at=row.due_at,
                closed_at=row.closed_at,
                events=tuple(events[row.id]),
            )
            for row in rows
        ]
