"""API token rows: issue, list, revoke, and find one by the hash of its secret."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reclaim.store.audit import record_audit_event
from reclaim.store.models import ApiTokenRow


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """What is known of a token, its secret aside."""

    token_id: str
    role: str
    case_id: str | None
    name: str | None
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None

    def status(self, now: datetime) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if now < self.expires_at else "expired"

    def to_json(self, now: datetime) -> dict[str, object]:
        return {
            "token_id": self.token_id,
            "role": self.role,
            "case_id": self.case_id,
            "name": self.name,
            "status": self.status(now),
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "revoked_by": self.revoked_by,
        }


def insert_token(engine: Engine, record: TokenRecord, secret_sha256: str) -> None:
    """Store a new token and record who issued it, in one transaction."""
    with Session(engine) as session, session.begin():
        session.add(
            ApiTokenRow(
                id=record.token_id,
                secret_sha256=secret_sha256,
                role=record.role,
                case_id=record.case_id,
                name=record.name,
                created_by=record.created_by,
                created_at=record.created_at,
                expires_at=record.expires_at,
            )
        )
        session.flush()  # the token row before the audit event that names it
        record_audit_event(
            session,
            actor=record.created_by,
            action="token.create",
            case_id=record.case_id,
            detail={
                "token_id": record.token_id,
                "role": record.role,
                "expires_at": record.expires_at.isoformat(),
            },
        )


def list_token_records(engine: Engine) -> list[TokenRecord]:
    with Session(engine) as session:
        return [_record(row) for row in session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.created_at))]


def revoke_token_row(engine: Engine, token_id: str, *, actor: str, at: datetime) -> TokenRecord | None:
    """Revoke a token (a second revocation changes nothing); None when there is no such token."""
    with Session(engine) as session, session.begin():
        row = session.get(ApiTokenRow, token_id)
        if row is None:
            return None
        if row.revoked_at is None:
            row.revoked_at = at
            row.revoked_by = actor
            record_audit_event(
                session, actor=actor, action="token.revoke", case_id=row.case_id, detail={"token_id": row.id}
            )
            session.flush()
        return _record(row)


def token_by_secret_hash(engine: Engine, secret_sha256: str) -> TokenRecord | None:
    with Session(engine) as session:
        row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.secret_sha256 == secret_sha256))
        return _record(row) if row is not None else None


def _record(row: ApiTokenRow) -> TokenRecord:
    return TokenRecord(
        token_id=row.id,
        role=row.role,
        case_id=row.case_id,
        name=row.name,
        created_by=row.created_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        revoked_by=row.revoked_by,
    )
