"""The audit trail: who did what, when; written in the same transaction as the change it records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from reclaim.store.models import AuditEvent


def record_audit_event(
    session: Session, *, actor: str, action: str, case_id: str | None, detail: dict[str, Any]
) -> None:
    session.add(AuditEvent(at=datetime.now(UTC), actor=actor, action=action, case_id=case_id, detail=detail))
