"""The audit trail: who did what, when; written in the same transaction as the change it records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reclaim.store.models import AuditEvent

# Any fixed number: the transaction-level advisory lock that orders writers of the trail.
_TRAIL_LOCK: Final = 0x7265636C61696D  # "reclaim"


def record_audit_event(
    session: Session, *, actor: str, action: str, case_id: str | None, detail: dict[str, Any]
) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # Followers of the bank read the trail by id (a cursor). On PostgreSQL an id is taken at
        # insert and seen at commit, so two writers could commit out of order and a follower past
        # the later id would never see the earlier one. Writers take turns until they commit;
        # bank changes are rare, so the wait costs nothing. SQLite already has one writer.
        session.execute(select(func.pg_advisory_xact_lock(_TRAIL_LOCK)))
    session.add(AuditEvent(at=datetime.now(UTC), actor=actor, action=action, case_id=case_id, detail=detail))
