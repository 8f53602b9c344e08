"""Quarantined bank entries, the hourly match counts that flag floods, and platforms' feedback.

A quarantined entry keeps its value but is left out of every matcher (``active_signal_table``
reads ``quarantined_at IS NULL``) until a person clears it. Quarantining and clearing are
``bank.*`` audit events naming the entries, so live banks reload and platforms that follow the
feed see the entry suspended, then back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from reclaim.bank.entries import EntryStatus
from reclaim.store.audit import record_audit_event
from reclaim.store.models import Bank, EntryFeedback, EntryMatchCount
from reclaim.store.models import BankEntry as BankEntryRow

QUARANTINE_ACTION: Final = "bank.quarantine"
CLEAR_ACTION: Final = "bank.clear"
# Not a bank.* action: feedback changes no entry by itself, so followers need not look.
FEEDBACK_ACTION: Final = "feedback.entry"


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    verdict: str
    token_id: str
    note: str | None
    created_at: datetime

    def to_json(self) -> dict[str, object]:
        return {
            "verdict": self.verdict,
            "token_id": self.token_id,
            "note": self.note,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class QuarantinedEntry:
    """An entry held back from matching, why, and what platforms said of it."""

    entry_id: int
    bank: str
    case_id: str | None
    signal_type: str
    reason: str  # "flood" or "feedback"
    quarantined_at: datetime
    recent_matches: int
    feedback: tuple[FeedbackRecord, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "entry_id": self.entry_id,
            "bank": self.bank,
            "case_id": self.case_id,
            "signal_type": self.signal_type,
            "reason": self.reason,
            "quarantined_at": self.quarantined_at.isoformat(),
            "recent_matches": self.recent_matches,
            "feedback": [item.to_json() for item in self.feedback],
        }


@dataclass(frozen=True, slots=True)
class EntryStanding:
    """What feedback needs to know of an entry: is it live, held, or cleared by a person."""

    entry_id: int
    status: str
    case_id: str | None
    quarantined: bool
    cleared_at: datetime | None


def add_match_counts(engine: Engine, counts: Mapping[int, int], hour: datetime) -> None:
    """Add ``counts`` (entry id -> matches) to the hour's totals; entries gone since are skipped."""
    if not counts:
        return
    with Session(engine) as session, session.begin():
        # A case withdrawn since the matches were counted took its entries with it.
        present = set(session.scalars(select(BankEntryRow.id).where(BankEntryRow.id.in_(list(counts)))))
        rows = [
            {"entry_id": e, "hour": hour, "matches": n} for e, n in sorted(counts.items()) if e in present
        ]
        if not rows:
            return
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(EntryMatchCount).values(rows)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["entry_id", "hour"],
                set_={"matches": EntryMatchCount.matches + statement.excluded.matches},
            )
        )


def flooding_entries(engine: Engine, *, threshold: int, since: datetime) -> dict[int, int]:
    """Live, never-cleared entries matched ``threshold`` times or more since ``since``: id -> matches.

    An entry a person has cleared is not judged by counts again: she looked at why it matched so
    often (a leaked photo can go viral) and her decision stands.
    """
    total = func.sum(EntryMatchCount.matches)
    query = (
        select(EntryMatchCount.entry_id, total)
        .join(BankEntryRow, BankEntryRow.id == EntryMatchCount.entry_id)
        .where(
            EntryMatchCount.hour >= since,
            BankEntryRow.status == EntryStatus.ACTIVE,
            BankEntryRow.quarantined_at.is_(None),
            BankEntryRow.cleared_at.is_(None),
        )
        .group_by(EntryMatchCount.entry_id)
        .having(total >= threshold)
    )
    with engine.connect() as connection:
        return {int(entry_id): int(matches) for entry_id, matches in connection.execute(query)}


def quarantine_entries(
    engine: Engine, matches: Mapping[int, int], *, reason: str, actor: str, at: datetime
) -> list[int]:
    """Hold back the live, unheld entries among ``matches`` (id -> recent matches); their ids."""
    with Session(engine) as session, session.begin():
        rows = list(
            session.scalars(
                select(BankEntryRow).where(
                    BankEntryRow.id.in_(list(matches)),
                    BankEntryRow.status == EntryStatus.ACTIVE,
                    BankEntryRow.quarantined_at.is_(None),
                )
            )
        )
        for row in rows:
            row.quarantined_at = at
            row.quarantine_reason = reason
            row.updated_at = at
        for case_id in sorted({row.case_id or "" for row in rows}):
            held = [row.id for row in rows if (row.case_id or "") == case_id]
            record_audit_event(
                session,
                actor=actor,
                action=QUARANTINE_ACTION,
                case_id=case_id or None,
                detail={"entry_ids": held, "reason": reason, "matches": {str(i): matches[i] for i in held}},
            )
        return sorted(row.id for row in rows)


def clear_entry(engine: Engine, entry_id: int, *, actor: str, at: datetime) -> bool:
    """Let a quarantined entry match again; False when it was not quarantined."""
    with Session(engine) as session, session.begin():
        row = session.get(BankEntryRow, entry_id)
        if row is None or row.quarantined_at is None:
            return False
        reason = row.quarantine_reason
        row.quarantined_at = None
        row.quarantine_reason = None
        row.cleared_at = at
        row.cleared_by = actor
        row.updated_at = at
        session.execute(delete(EntryMatchCount).where(EntryMatchCount.entry_id == entry_id))
        record_audit_event(
            session,
            actor=actor,
            action=CLEAR_ACTION,
            case_id=row.case_id,
            detail={"entry_ids": [entry_id], "was": reason},
        )
        return True


def entry_standing(engine: Engine, entry_id: int) -> EntryStanding | None:
    with Session(engine) as session:
        row = session.get(BankEntryRow, entry_id)
        if row is None:
            return None
        return EntryStanding(
            entry_id=row.id,
            status=row.status,
            case_id=row.case_id,
            quarantined=row.quarantined_at is not None,
            cleared_at=row.cleared_at,
        )


def record_feedback(
    engine: Engine, entry_id: int, *, verdict: str, token_id: str, note: str | None, actor: str, at: datetime
) -> None:
    with Session(engine) as session, session.begin():
        case_id = session.scalar(select(BankEntryRow.case_id).where(BankEntryRow.id == entry_id))
        session.add(
            EntryFeedback(entry_id=entry_id, verdict=verdict, token_id=token_id, note=note, created_at=at)
        )
        record_audit_event(
            session,
            actor=actor,
            action=FEEDBACK_ACTION,
            case_id=case_id,
            detail={"entry_id": entry_id, "verdict": verdict, "token_id": token_id},
        )


def earlier_feedback_at(engine: Engine, entry_id: int, *, token_id: str, verdict: str) -> datetime | None:
    """When ``token_id`` last gave ``verdict`` on the entry; None when it never did."""
    with engine.connect() as connection:
        return connection.scalar(
            select(func.max(EntryFeedback.created_at)).where(
                EntryFeedback.entry_id == entry_id,
                EntryFeedback.token_id == token_id,
                EntryFeedback.verdict == verdict,
            )
        )


def quarantined_entries(
    engine: Engine, *, since: datetime, case_id: str | None = None
) -> list[QuarantinedEntry]:
    """Every quarantined entry, oldest hold first, with its matches since ``since`` and its feedback."""
    query = (
        select(BankEntryRow, Bank.name)
        .join(Bank, Bank.id == BankEntryRow.bank_id)
        .where(BankEntryRow.quarantined_at.is_not(None), BankEntryRow.status == EntryStatus.ACTIVE)
        .order_by(BankEntryRow.quarantined_at, BankEntryRow.id)
    )
    if case_id is not None:
        query = query.where(BankEntryRow.case_id == case_id)
    with Session(engine) as session:
        held = list(session.execute(query))
        ids = [row.id for row, _ in held]
        counted = (
            select(EntryMatchCount.entry_id, func.sum(EntryMatchCount.matches))
            .where(EntryMatchCount.entry_id.in_(ids), EntryMatchCount.hour >= since)
            .group_by(EntryMatchCount.entry_id)
        )
        matches = {int(entry_id): int(total) for entry_id, total in session.execute(counted)}
        feedback: dict[int, list[FeedbackRecord]] = {}
        for item in session.scalars(
            select(EntryFeedback).where(EntryFeedback.entry_id.in_(ids)).order_by(EntryFeedback.id)
        ):
            feedback.setdefault(item.entry_id, []).append(
                FeedbackRecord(item.verdict, item.token_id, item.note, item.created_at)
            )
        return [
            QuarantinedEntry(
                entry_id=row.id,
                bank=bank,
                case_id=row.case_id,
                signal_type=row.signal_type,
                reason=row.quarantine_reason or "",
                quarantined_at=row.quarantined_at,
                recent_matches=int(matches.get(row.id, 0)),
                feedback=tuple(feedback.get(row.id, ())),
            )
            for row, bank in held
            if row.quarantined_at is not None
        ]
