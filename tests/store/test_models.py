"""Models: timestamps come back timezone-aware in UTC on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from reclaim.store.migrate import upgrade_to_head
from reclaim.store.models import AuditEvent, Case

BEIJING = timezone(timedelta(hours=8))


def test_timestamps_round_trip_as_utc(engine: Engine) -> None:
    upgrade_to_head(engine)
    created = datetime(2024, 5, 1, 20, 30, 15, 123456, tzinfo=BEIJING)
    with Session(engine) as session, session.begin():
        session.add(Case(id="case-1", title="测试", created_at=created, status="open"))
        session.flush()  # no relationship() tells the unit of work to insert the case first
        session.add(AuditEvent(at=created, actor="cli", action="case.create", case_id="case-1", detail={}))
    with Session(engine) as session:
        case = session.get_one(Case, "case-1")
        event = session.query(AuditEvent).one()
        assert case.created_at == created
        assert case.created_at.utcoffset() == timedelta(0)
        assert case.title == "测试"
        assert event.at == created
        assert event.detail == {}


def test_naive_timestamps_are_refused(engine: Engine) -> None:
    upgrade_to_head(engine)
    with pytest.raises(StatementError, match="naive datetime"), Session(engine) as session, session.begin():
        session.add(Case(id="case-1", title="t", created_at=datetime(2024, 5, 1), status="open"))


def test_audit_detail_keeps_nested_json(engine: Engine) -> None:
    upgrade_to_head(engine)
    detail = {"paths": ["a.jpg", "b.mp4"], "count": 2, "note": "中文"}
    with Session(engine) as session, session.begin():
        session.add(AuditEvent(at=datetime.now(UTC), actor="cli", action="protect", detail=detail))
    with Session(engine) as session:
        assert session.query(AuditEvent).one().detail == detail
