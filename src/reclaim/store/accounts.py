"""Rows of the web app's accounts, their sessions and refused logins; every change is audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from reclaim.store.audit import record_audit_event
from reclaim.store.models import AccountRow, LoginFailureRow, WebSessionRow


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """What is known of an account, its password hash aside."""

    account_id: str
    login: str
    role: str
    case_id: str | None
    created_by: str
    created_at: datetime
    disabled_at: datetime | None
    disabled_by: str | None

    @property
    def actor(self) -> str:
        """How the audit trail names this person: by id, since a victim may choose her name as login."""
        return f"account:{self.account_id}"

    def to_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "login": self.login,
            "role": self.role,
            "case_id": self.case_id,
            "status": "disabled" if self.disabled_at else "active",
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "disabled_at": self.disabled_at.isoformat() if self.disabled_at else None,
            "disabled_by": self.disabled_by,
        }


@dataclass(frozen=True, slots=True)
class SessionRecord:
    account: AccountRecord
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


def insert_account(engine: Engine, record: AccountRecord, password_hash: str) -> bool:
    """Store a new account and who made it; False when the login name is taken."""
    with Session(engine) as session, session.begin():
        if session.scalar(select(AccountRow.id).where(AccountRow.login == record.login)) is not None:
            return False
        session.add(
            AccountRow(
                id=record.account_id,
                login=record.login,
                password_hash=password_hash,
                role=record.role,
                case_id=record.case_id,
                created_by=record.created_by,
                created_at=record.created_at,
            )
        )
        session.flush()
        record_audit_event(
            session,
            actor=record.created_by,
            action="account.create",
            case_id=record.case_id,
            detail={"account_id": record.account_id, "login": record.login, "role": record.role},
        )
    return True


def account_with_hash(engine: Engine, login: str) -> tuple[AccountRecord, str] | None:
    with Session(engine) as session:
        row = session.scalar(select(AccountRow).where(AccountRow.login == login))
        return (_account(row), row.password_hash) if row is not None else None


def replace_password_hash(engine: Engine, account_id: str, password_hash: str) -> None:
    """A stronger hash of the same password (after the parameters were raised)."""
    with Session(engine) as session, session.begin():
        row = session.get(AccountRow, account_id)
        if row is not None:
            row.password_hash = password_hash
            record_audit_event(
                session,
                actor=f"account:{account_id}",
                action="account.rehash",
                case_id=row.case_id,
                detail={},
            )


def list_account_records(engine: Engine) -> list[AccountRecord]:
    with Session(engine) as session:
        return [_account(row) for row in session.scalars(select(AccountRow).order_by(AccountRow.created_at))]


def disable_account_row(engine: Engine, login: str, *, actor: str, at: datetime) -> AccountRecord | None:
    """Disable an account and end its sessions; None when there is no such account."""
    with Session(engine) as session, session.begin():
        row = session.scalar(select(AccountRow).where(AccountRow.login == login))
        if row is None:
            return None
        if row.disabled_at is None:
            row.disabled_at = at
            row.disabled_by = actor
            session.execute(
                update(WebSessionRow)
                .where(WebSessionRow.account_id == row.id, WebSessionRow.revoked_at.is_(None))
                .values(revoked_at=at)
            )
            record_audit_event(
                session,
                actor=actor,
                action="account.disable",
                case_id=row.case_id,
                detail={"account_id": row.id},
            )
            session.flush()
        return _account(row)


def insert_session(
    engine: Engine,
    secret_sha256: str,
    account: AccountRecord,
    *,
    at: datetime,
    expires_at: datetime,
    forget_failures_of: str,
) -> None:
    """Store a new session; the failures counted under ``forget_failures_of`` no longer count:
    after a successful login, her earlier typos do not hold her name against her."""
    with Session(engine) as session, session.begin():
        session.execute(delete(LoginFailureRow).where(LoginFailureRow.key_sha256 == forget_failures_of))
        session.add(
            WebSessionRow(
                secret_sha256=secret_sha256,
                account_id=account.account_id,
                created_at=at,
                last_seen_at=at,
                expires_at=expires_at,
            )
        )
        session.flush()
        record_audit_event(
            session,
            actor=account.actor,
            action="account.login",
            case_id=account.case_id,
            detail={"account_id": account.account_id},
        )


def live_session(
    engine: Engine, secret_sha256: str, *, now: datetime, idle: timedelta, touch_after: timedelta
) -> SessionRecord | None:
    """The session when it is not revoked, expired or idle too long, and its account is enabled.

    Its idle clock restarts, but only when ``touch_after`` has passed since the last restart:
    a write on every page view would cost more than the precision is worth.
    """
    with Session(engine) as session, session.begin():
        found = session.execute(
            select(WebSessionRow, AccountRow)
            .join(AccountRow, AccountRow.id == WebSessionRow.account_id)
            .where(WebSessionRow.secret_sha256 == secret_sha256)
        ).one_or_none()
        if found is None:
            return None
        row, account = found
        if (
            row.revoked_at is not None
            or account.disabled_at is not None
            or now >= row.expires_at
            or now >= row.last_seen_at + idle
        ):
            return None
        if now - row.last_seen_at >= touch_after:
            row.last_seen_at = now
        return SessionRecord(_account(account), row.created_at, row.last_seen_at, row.expires_at)


def revoke_session_row(engine: Engine, secret_sha256: str, *, at: datetime) -> None:
    with Session(engine) as session, session.begin():
        found = session.execute(
            select(WebSessionRow, AccountRow)
            .join(AccountRow, AccountRow.id == WebSessionRow.account_id)
            .where(WebSessionRow.secret_sha256 == secret_sha256)
        ).one_or_none()
        if found is None or found[0].revoked_at is not None:
            return
        row, account = found
        row.revoked_at = at
        record_audit_event(
            session,
            actor=f"account:{account.id}",
            action="account.logout",
            case_id=account.case_id,
            detail={"account_id": account.id},
        )


def recent_failures(engine: Engine, key_sha256: str, since: datetime) -> tuple[int, datetime | None]:
    """How many failures under the key since ``since``, and when the oldest of them was."""
    with Session(engine) as session:
        count, oldest = session.execute(
            select(func.count(LoginFailureRow.id), func.min(LoginFailureRow.at)).where(
                LoginFailureRow.key_sha256 == key_sha256, LoginFailureRow.at >= since
            )
        ).one()
        return int(count), oldest


def record_login_failure(
    engine: Engine,
    keys: Sequence[str],
    *,
    at: datetime,
    forget_before: datetime,
    account: AccountRecord | None,
    reason: str,
) -> None:
    """Count a refused login under each key, drop counts too old to matter, and audit it.

    The login name typed is not kept in the trail: people type their password into it by mistake.
    """
    with Session(engine) as session, session.begin():
        session.execute(delete(LoginFailureRow).where(LoginFailureRow.at < forget_before))
        session.add_all(LoginFailureRow(key_sha256=key, at=at) for key in keys)
        record_audit_event(
            session,
            actor=account.actor if account else "anonymous",
            action="account.login_refused",
            case_id=account.case_id if account else None,
            detail={"account_id": account.account_id if account else None, "reason": reason},
        )


def _account(row: AccountRow) -> AccountRecord:
    return AccountRecord(
        account_id=row.id,
        login=row.login,
        role=row.role,
        case_id=row.case_id,
        created_by=row.created_by,
        created_at=row.created_at,
        disabled_at=row.disabled_at,
        disabled_by=row.disabled_by,
    )
