"""Audit events commit in the order of their ids, so a follower reading by id misses none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from reclaim.store.audit import record_audit_event
from reclaim.store.database import create_database_engine
from reclaim.store.migrate import upgrade_to_head
from reclaim.store.models import AuditEvent


@pytest.fixture
def migrated(postgres_url: str) -> Iterator[Engine]:
    engine = create_database_engine(postgres_url)
    upgrade_to_head(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_second_writer_waits_until_the_first_has_committed_its_event(migrated: Engine) -> None:
    event = {"actor": "test", "case_id": None, "detail": {"entry_ids": [1]}}
    with Session(migrated) as first:
        record_audit_event(first, action="bank.protect", **event)  # type: ignore[arg-type]
        first.flush()  # its id is taken; it is not committed yet
        with Session(migrated) as second:
            second.execute(text("SET lock_timeout = '300ms'"))
            # Without the turn-taking, this event would take a later id and could commit first:
            # a follower past it would then never see the first one.
            with pytest.raises(OperationalError, match="lock timeout"):
                record_audit_event(second, action="bank.protect", **event)  # type: ignore[arg-type]
                second.flush()
            second.rollback()
        first.commit()
    with Session(migrated) as second:
        record_audit_event(second, action="bank.withdraw", **event)  # type: ignore[arg-type]
        second.commit()
    with Session(migrated) as reader:
        actions = list(reader.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-2:] == ["bank.protect", "bank.withdraw"]
