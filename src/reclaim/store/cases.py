"""Case rows: create, find and list; each case gets its own bank in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Engine, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from reclaim.store.audit import record_audit_event
from reclaim.store.models import Bank, BankEntry, Case


@dataclass(frozen=True, slots=True)
class CaseRecord:
    id: str
    title: str
    created_at: datetime
    status: str
    bank: str
    active_entries: int
    withdrawn_entries: int
    protected_items: int

    def to_json(self) -> dict[str, object]:
        return {
            "case_id": self.id,
            "title": self.title,
            "created_at": self.created_at.isoformat(),
            "status": self.status,
            "bank": self.bank,
            "active_entries": self.active_entries,
            "withdrawn_entries": self.withdrawn_entries,
            "protected_items": self.protected_items,
        }


def create_case(engine: Engine, *, case_id: str, title: str, created_at: datetime, actor: str) -> None:
    with Session(engine) as session, session.begin():
        session.add(Case(id=case_id, title=title, created_at=created_at, status="open"))
        session.flush()  # the bank's foreign key needs the case row first (PostgreSQL checks at once)
        session.add(Bank(name=case_bank_name(case_id), kind="case", case_id=case_id, created_at=created_at))
        record_audit_event(session, actor=actor, action="case.create", case_id=case_id, detail={})


def case_bank_name(case_id: str) -> str:
    return f"case-{case_id}"


def find_case_ids(engine: Engine, reference: str) -> list[str]:
    """Ids of the cases whose id is ``reference``, or failing that whose title is exactly it."""
    with Session(engine) as session:
        if session.get(Case, reference) is not None:
            return [reference]
        return list(session.scalars(select(Case.id).where(Case.title == reference).order_by(Case.id)))


def get_case(engine: Engine, case_id: str) -> CaseRecord | None:
    records = _case_records(engine, case_id)
    return records[0] if records else None


def list_cases(engine: Engine) -> list[CaseRecord]:
    return _case_records(engine, None)


def _case_records(engine: Engine, case_id: str | None) -> list[CaseRecord]:
    counts = (
        select(
            BankEntry.case_id,
            func.sum(_is(BankEntry.status, "active")).label("active"),
            func.sum(_is(BankEntry.status, "withdrawn")).label("withdrawn"),
            func.count(func.distinct(BankEntry.item_id)).label("item_count"),
        )
        .group_by(BankEntry.case_id)
        .subquery()
    )
    query = (
        select(Case, Bank.name, counts.c.active, counts.c.withdrawn, counts.c.item_count)
        .join(Bank, Bank.case_id == Case.id)
        .outerjoin(counts, counts.c.case_id == Case.id)
        .order_by(Case.created_at, Case.id)
    )
    if case_id is not None:
        query = query.where(Case.id == case_id)
    with Session(engine) as session:
        return [
            CaseRecord(
                id=case.id,
                title=case.title,
                created_at=case.created_at,
                status=case.status,
                bank=bank,
                active_entries=int(active or 0),
                withdrawn_entries=int(withdrawn or 0),
                protected_items=int(items or 0),
            )
            for case, bank, active, withdrawn, items in session.execute(query)
        ]


def _is(column: InstrumentedAttribute[str], value: str) -> ColumnElement[int]:
    return case((column == value, 1), else_=0)
