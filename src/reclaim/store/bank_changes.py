"""What changed in the banks since a point of the audit trail: for followers of the bank.

Every change to the banks is an audit event that lists the entry ids it touched (``bank.*``
events, and ``case.withdraw``). The trail, not the entry rows, is read because a case's
withdrawal deletes her rows outright: only its event still says which entries went.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import ColumnElement, Engine, func, or_, select

from reclaim.bank.entries import EntryStatus
from reclaim.store.models import AuditEvent, Bank, BankEntry
from reclaim.store.withdrawals import WITHDRAW_ACTION

# How far back the change marker looks for events that committed after a later one did
# (two writers at once): an event id is taken at insert, its row is seen only at commit.
_MARKER_WINDOW: Final = 1000
_EVENT_BATCH: Final = 200


@dataclass(frozen=True, slots=True)
class EntryState:
    """An entry as a follower sees it now: its signal while active, only its id otherwise."""

    entry_id: int
    status: str  # "active", "quarantined" or "withdrawn"
    signal_type: str | None  # None when the entry was deleted with its case
    value: str | None
    quality: int | None
    bank: str | None
    case_bank: bool


@dataclass(frozen=True, slots=True)
class ChangeMarker:
    """Cheap to read, and different whenever a bank changed since it was read."""

    floor: int
    count: int
    latest: int


def _bank_event() -> ColumnElement[bool]:
    return or_(AuditEvent.action.like("bank.%"), AuditEvent.action == WITHDRAW_ACTION)


def change_marker(engine: Engine, floor: int | None = None) -> ChangeMarker:
    """The bank events above ``floor`` (counted, and the latest id); a new floor when None."""
    condition = _bank_event()
    with engine.connect() as connection:
        if floor is None:
            latest = connection.scalar(select(func.max(AuditEvent.id)).where(condition)) or 0
            floor = max(0, latest - _MARKER_WINDOW)
        count, latest = connection.execute(
            select(func.count(), func.coalesce(func.max(AuditEvent.id), 0)).where(
                AuditEvent.id > floor, condition
            )
        ).one()
    return ChangeMarker(floor, int(count), int(latest))


def changed_entry_ids(engine: Engine, after_event: int, skip: int) -> Iterator[tuple[int, int, int]]:
    """(event id, position in the event, entry id) of every entry bank events after a point name.

    The point is event ``after_event``, of which the first ``skip`` entries were already seen;
    with ``skip`` 0 the event itself is skipped whole.
    """
    condition = _bank_event()
    start = after_event if skip else after_event + 1
    while True:
        query = (
            select(AuditEvent.id, AuditEvent.detail)
            .where(AuditEvent.id >= start, condition)
            .order_by(AuditEvent.id)
            .limit(_EVENT_BATCH)
        )
        with engine.connect() as connection:
            events = list(connection.execute(query))
        if not events:
            return
        for event_id, detail in events:
            entry_ids = (detail.get("entry_ids") or []) if isinstance(detail, dict) else []
            first = skip if event_id == after_event else 0
            for position in range(first, len(entry_ids)):
                yield event_id, position, int(entry_ids[position])
        start = events[-1][0] + 1


def entry_states(engine: Engine, entry_ids: list[int]) -> dict[int, EntryState]:
    """The present state of each entry; an entry deleted with its case is withdrawn."""
    query = (
        select(
            BankEntry.id,
            BankEntry.status,
            BankEntry.signal_type,
            BankEntry.value,
            BankEntry.quality,
            Bank.name,
        )
        .add_columns(Bank.kind, BankEntry.quarantined_at)
        .join(Bank, Bank.id == BankEntry.bank_id)
        .where(BankEntry.id.in_(entry_ids))
    )
    with engine.connect() as connection:
        found = {
            entry_id: _state(entry_id, status, signal_type, value, quality, bank, kind, held)
            for entry_id, status, signal_type, value, quality, bank, kind, held in connection.execute(query)
        }
    return {
        entry_id: found.get(entry_id)
        or EntryState(entry_id, EntryStatus.WITHDRAWN, None, None, None, None, case_bank=True)
        for entry_id in entry_ids
    }


def _state(  # noqa: PLR0917 - one query row, in its column order
    entry_id: int,
    status: str,
    signal_type: str,
    value: str | None,
    quality: int | None,
    bank: str,
    kind: str,
    quarantined_at: datetime | None,
) -> EntryState:
    # A held entry is shown without its value: a follower suspends it as it would delete it.
    if status == EntryStatus.ACTIVE and quarantined_at is not None:
        status = EntryStatus.QUARANTINED
    return EntryState(
        entry_id=entry_id,
        status=status,
        signal_type=signal_type,
        value=value if status == EntryStatus.ACTIVE else None,
        quality=quality,
        bank=bank,
        case_bank=kind == "case",
    )
