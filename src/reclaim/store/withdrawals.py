"""A case's withdrawal in the database: every row it owned deleted at once, and the fact recorded.

What stays is one audit event (action ``case.withdraw``: who, when, the case id, how many rows of
each kind went and the entry numbers), so a helpline can answer "was it withdrawn, and when?" and
nothing more. Why nothing else stays: docs/withdrawal.md.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Final

from sqlalchemy import ColumnElement, Delete, Engine, FromClause, Table, delete, exists, func, select
from sqlalchemy.orm import Session

from reclaim.store.models import (
    AuditEvent,
    BankEntry,
    Base,
    Case,
    EvidenceCapture,
    EvidenceEntry,
    NoticeRow,
    ProtectedIdentifierRow,
    ReviewItemRow,
    ScannedItemRow,
)

WITHDRAW_ACTION: Final = "case.withdraw"
# Outlives the case by design (models.AuditEvent); her own past events are deleted explicitly.
_KEPT_TABLES: Final = frozenset({AuditEvent.__tablename__})


@dataclass(frozen=True, slots=True)
class CaseContents:
    """How much a case holds: what its withdrawal deletes."""

    entries: int  # bank entries, active and withdrawn
    identifiers: int
    sightings: int
    captures: int
    notices: int
    leads: int

    def to_json(self) -> dict[str, int]:
        return {
            "entries": self.entries,
            "identifiers": self.identifiers,
            "sightings": self.sightings,
            "captures": self.captures,
            "notices": self.notices,
            "leads": self.leads,
        }


@dataclass(frozen=True, slots=True)
class WithdrawalRecord:
    """The audit event a withdrawal left: all that remains of the case."""

    case_id: str
    at: datetime
    actor: str
    deleted: CaseContents


def case_contents(engine: Engine, case_id: str) -> CaseContents:
    with Session(engine) as session:
        return _contents(session, case_id)


def delete_case_rows(engine: Engine, case_id: str, *, actor: str, at: datetime) -> WithdrawalRecord:
    """Delete the case and every row it owned, and record the withdrawal, in one transaction.

    Deletes run on the database (foreign-key cascades included), never row by row in Python, so
    a case with a large bank goes in a few statements.
    """
    with Session(engine) as session, session.begin():
        contents = _contents(session, case_id)
        entry_ids = list(session.scalars(select(BankEntry.id).where(BankEntry.case_id == case_id)))
        _delete_found_items_only_she_matched(session, case_id)
        # Her past events go too: their times alone (when she protected, when leads were
        # accepted) sketch her history, and only the fact and time of the withdrawal may stay.
        # The event added below is that fact.
        session.execute(_unsynchronized(delete(AuditEvent).where(AuditEvent.case_id == case_id)))
        for table in _case_owned_tables():
            session.execute(delete(table).where(table.c.case_id == case_id))
        session.execute(_unsynchronized(delete(Case).where(Case.id == case_id)))
        # The case row is gone, so the event names the case in its detail (the column would be
        # set NULL anyway); the id is random and says nothing about her. The entry numbers, too,
        # say nothing of her photos, and let platforms that follow the bank drop their copies.
        detail = {"case_id": case_id, "deleted": contents.to_json(), "entry_ids": entry_ids}
        session.add(AuditEvent(at=at, actor=actor, action=WITHDRAW_ACTION, case_id=None, detail=detail))
    return WithdrawalRecord(case_id=case_id, at=at, actor=actor, deleted=contents)


def find_withdrawal(engine: Engine, case_id: str) -> WithdrawalRecord | None:
    """The record of the case's withdrawal, or None when it was never withdrawn."""
    # Withdrawals are few: filtering their detail here avoids JSON operators that differ by database.
    query = select(AuditEvent).where(AuditEvent.action == WITHDRAW_ACTION).order_by(AuditEvent.id)
    with Session(engine) as session:
        for event in session.scalars(query):
            if event.detail.get("case_id") != case_id:
                continue
            counts = event.detail.get("deleted") or {}
            deleted = CaseContents(**{f.name: int(counts.get(f.name, 0)) for f in fields(CaseContents)})
            return WithdrawalRecord(case_id=case_id, at=event.at, actor=event.actor, deleted=deleted)
    return None


def touched_tables() -> list[str]:
    """Every table a withdrawal deletes from, cascades included (for VACUUM on PostgreSQL)."""
    touched = {AuditEvent.__tablename__, Case.__tablename__, ScannedItemRow.__tablename__}
    # Parents come first in sorted_tables, so one pass reaches the grandchildren (notice_events).
    for table in Base.metadata.sorted_tables:
        if any(key.column.table.name in touched for key in table.foreign_keys):
            touched.add(table.name)
    return sorted(touched)


def _case_owned_tables() -> list[Table]:
    """Tables with a case_id, children first: a table added later (notices) is covered unnamed."""
    return [
        table
        for table in reversed(Base.metadata.sorted_tables)
        if "case_id" in table.c and table.name not in _KEPT_TABLES
    ]


def _delete_found_items_only_she_matched(session: Session, case_id: str) -> None:
    """Found items (their SHA-256 and PDQ are hashes of her content) that only her leads name.

    An item another case's lead also names stays: that case's evidence needs it. Deleting an
    item cascades to her leads on it; her leads on shared items go with the case's tables.
    """
    hers = select(ReviewItemRow.item_id).where(ReviewItemRow.case_id == case_id)
    others = (
        exists()
        .where(ReviewItemRow.item_id == ScannedItemRow.id, ReviewItemRow.case_id != case_id)
        .correlate(ScannedItemRow)
    )
    statement = delete(ScannedItemRow).where(ScannedItemRow.id.in_(hers), ~others)
    session.execute(_unsynchronized(statement))


def _unsynchronized(statement: Delete) -> Delete:
    # Nothing is loaded in these sessions, so there are no objects to keep in step.
    return statement.execution_options(synchronize_session=False)


def _contents(session: Session, case_id: str) -> CaseContents:
    def count(table: FromClause, *where: ColumnElement[bool]) -> int:
        query = select(func.count()).select_from(table).where(table.c.case_id == case_id, *where)
        return int(session.scalar(query) or 0)

    return CaseContents(
        entries=count(BankEntry.__table__),
        identifiers=count(ProtectedIdentifierRow.__table__),
        sightings=count(EvidenceEntry.__table__, EvidenceEntry.__table__.c.kind == "sighting"),
        captures=count(EvidenceCapture.__table__),
        notices=count(NoticeRow.__table__),
        leads=count(ReviewItemRow.__table__),
    )
