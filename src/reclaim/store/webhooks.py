"""Webhook subscription rows: add, list, remove, and claim one for delivery under a lease.

A claim is a conditional UPDATE (due, active, lease free or expired), so of several dispatchers
(server workers, a cron job) the one whose UPDATE changes the row delivers, on SQLite and on
PostgreSQL alike; every later write checks the lease is still its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session

from reclaim.store.audit import record_audit_event
from reclaim.store.models import WebhookSubscriptionRow


@dataclass(frozen=True, slots=True)
class WebhookRecord:
    """What is known of a subscription, its secret aside."""

    webhook_id: str
    url: str
    name: str | None
    created_by: str
    created_at: datetime
    cursor: str
    active: bool
    failures: int
    next_attempt_at: datetime
    last_error: str | None
    last_delivered_at: datetime | None
    removed_at: datetime | None

    def to_json(self) -> dict[str, object]:
        return {
            "webhook_id": self.webhook_id,
            "url": self.url,
            "name": self.name,
            "active": self.active,
            "cursor": self.cursor,
            "failures": self.failures,
            "next_attempt_at": self.next_attempt_at.isoformat() if self.active else None,
            "last_error": self.last_error,
            "last_delivered_at": self.last_delivered_at.isoformat() if self.last_delivered_at else None,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "removed_at": self.removed_at.isoformat() if self.removed_at else None,
        }


@dataclass(frozen=True, slots=True)
class WebhookClaim:
    """A subscription this dispatcher holds the lease of, with what it needs to deliver."""

    webhook_id: str
    url: str
    cursor: str
    failures: int
    owner: str
    secret: str = field(repr=False)


def insert_subscription(engine: Engine, record: WebhookRecord, secret: str) -> None:
    """Store a new subscription and record who made it, in one transaction."""
    with Session(engine) as session, session.begin():
        session.add(
            WebhookSubscriptionRow(
                id=record.webhook_id,
                url=record.url,
                name=record.name,
                secret=secret,
                created_by=record.created_by,
                created_at=record.created_at,
                cursor=record.cursor,
                active=True,
                failures=0,
                next_attempt_at=record.next_attempt_at,
            )
        )
        session.flush()
        record_audit_event(
            session,
            actor=record.created_by,
            action="webhook.add",
            case_id=None,
            detail={"webhook_id": record.webhook_id, "url": record.url, "cursor": record.cursor},
        )


def list_subscription_records(engine: Engine, *, include_removed: bool = False) -> list[WebhookRecord]:
    query = select(WebhookSubscriptionRow).order_by(WebhookSubscriptionRow.created_at)
    if not include_removed:
        query = query.where(WebhookSubscriptionRow.active.is_(True))
    with Session(engine) as session:
        return [_record(row) for row in session.scalars(query)]


def remove_subscription_row(
    engine: Engine, webhook_id: str, *, actor: str, at: datetime
) -> WebhookRecord | None:
    """Stop a subscription and forget its secret (a second removal changes nothing); None if unknown."""
    with Session(engine) as session, session.begin():
        row = session.get(WebhookSubscriptionRow, webhook_id)
        if row is None:
            return None
        if row.active:
            row.active = False
            row.secret = ""  # nothing is signed for it any more
            row.removed_at = at
            row.removed_by = actor
            row.lease_owner = None
            row.lease_until = None
            record_audit_event(
                session, actor=actor, action="webhook.remove", case_id=None, detail={"webhook_id": row.id}
            )
            session.flush()
        return _record(row)


def claim_due_subscriptions(
    engine: Engine,
    *,
    owner: str,
    now: datetime,
    lease: timedelta,
    wanted: Callable[[str], bool] = lambda cursor: True,
) -> list[WebhookClaim]:
    """Take the lease of every active subscription due at ``now`` that no one else holds.

    ``wanted`` is asked of each one's cursor first, so one with nothing to deliver costs a read,
    not a write, every round.
    """
    table = WebhookSubscriptionRow
    claimable = (
        table.active.is_(True),
        table.next_attempt_at <= now,
        or_(table.lease_until.is_(None), table.lease_until < now),
    )
    claims: list[WebhookClaim] = []
    with engine.connect() as connection:
        due = list(
            connection.execute(
                select(table.id, table.cursor).where(*claimable).order_by(table.next_attempt_at)
            )
        )
    candidates = [webhook_id for webhook_id, cursor in due if wanted(cursor)]
    for webhook_id in candidates:
        with engine.begin() as connection:
            # The conditions again: another dispatcher may have claimed it since it was listed.
            taken = connection.execute(
                update(table)
                .where(table.id == webhook_id, *claimable)
                .values(lease_owner=owner, lease_until=now + lease)
            )
            if taken.rowcount != 1:
                continue
            url, cursor, failures, secret = connection.execute(
                select(table.url, table.cursor, table.failures, table.secret).where(table.id == webhook_id)
            ).one()
        claims.append(WebhookClaim(webhook_id, url, cursor, failures, owner, secret))
    return claims


def record_delivered(engine: Engine, claim: WebhookClaim, next_cursor: str, *, at: datetime) -> bool:
    """Move the cursor past a batch the receiver took; False when the lease was lost meanwhile."""
    return _update_held(
        engine,
        claim,
        cursor=next_cursor,
        failures=0,
        last_error=None,
        last_delivered_at=at,
        next_attempt_at=at,
    )


def record_failed(engine: Engine, claim: WebhookClaim, error: str, *, retry_at: datetime) -> bool:
    """Count a failed attempt and set the next one; the cursor stays where it was."""
    return _update_held(
        engine,
        claim,
        failures=claim.failures + 1,
        last_error=error,
        next_attempt_at=retry_at,
        lease_owner=None,
        lease_until=None,
    )


def release_claim(engine: Engine, claim: WebhookClaim) -> bool:
    """Give the lease back, so the next round (of any dispatcher) may take it."""
    return _update_held(engine, claim, lease_owner=None, lease_until=None)


def _update_held(engine: Engine, claim: WebhookClaim, **values: object) -> bool:
    table = WebhookSubscriptionRow
    with engine.begin() as connection:
        result = connection.execute(
            update(table)
            .where(table.id == claim.webhook_id, table.lease_owner == claim.owner, table.active.is_(True))
            .values(**values)
        )
        return result.rowcount == 1


def _record(row: WebhookSubscriptionRow) -> WebhookRecord:
    return WebhookRecord(
        webhook_id=row.id,
        url=row.url,
        name=row.name,
        created_by=row.created_by,
        created_at=row.created_at,
        cursor=row.cursor,
        active=row.active,
        failures=row.failures,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        last_delivered_at=row.last_delivered_at,
        removed_at=row.removed_at,
    )
