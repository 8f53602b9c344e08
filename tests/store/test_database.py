"""Engines: SQLite connection settings, foreign keys on both databases, errors for bad URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from reclaim.errors import StorageError
from reclaim.store.database import (
    create_database_engine,
    flush_deleted_data,
    redact_database_url,
    sqlite_database_path,
)
from reclaim.store.migrate import upgrade_to_head


def test_every_sqlite_connection_has_wal_foreign_keys_and_secure_delete(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        # Two connections open at once, so the second is a new one, not the first from the pool.
        with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
                assert connection.execute(text("PRAGMA secure_delete")).scalar() == 1
                assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() >= 1000
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    upgrade_to_head(engine)
    insert_event = text(
        "INSERT INTO audit_events (at, actor, action, case_id, detail) "
        "VALUES (CURRENT_TIMESTAMP, 'test', 'case.note', :case_id, '{}')"
    )
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert_event, {"case_id": "case-missing"})


def test_deleting_a_case_keeps_its_audit_events_without_the_link(engine: Engine) -> None:
    upgrade_to_head(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO cases (id, title, created_at, status) "
                "VALUES ('case-1', 'title', CURRENT_TIMESTAMP, 'open')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO audit_events (at, actor, action, case_id, detail) "
                "VALUES (CURRENT_TIMESTAMP, 'test', 'case.create', 'case-1', '{}')"
            )
        )
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM cases WHERE id = 'case-1'"))
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT action, case_id FROM audit_events")).all()
    assert [tuple(row) for row in rows] == [("case.create", None)]


@pytest.mark.parametrize(
    "url",
    [
        "not a database url",
        "mysql://user@localhost/reclaim",
        "postgresql+psycopg2://user@localhost/reclaim",
        # Port 1 has no server: connection refused at once.
        "postgresql://user:hunter2@127.0.0.1:1/reclaim",
    ],
)
def test_unusable_url_raises_storage_error_without_the_password(url: str) -> None:
    with pytest.raises(StorageError) as raised:
        create_database_engine(url)
    assert "hunter2" not in str(raised.value)
    assert raised.value.hint


def test_sqlite_file_in_a_missing_directory_raises_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="Cannot open the database"):
        create_database_engine(f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}")


@pytest.mark.postgres
def test_plain_postgresql_url_uses_psycopg_3(postgres_url: str) -> None:
    engine = create_database_engine(postgres_url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


def test_redacted_url_hides_the_password() -> None:
    assert redact_database_url("postgresql+psycopg://me:hunter2@db/reclaim") == (
        "postgresql+psycopg://me:***@db/reclaim"
    )
    assert "hunter2" not in redact_database_url("postgresql://me:hunter2@[broken")


def test_sqlite_database_path_is_none_for_postgres_and_memory(tmp_path: Path) -> None:
    assert sqlite_database_path(f"sqlite:///{tmp_path / 'a.db'}") == tmp_path / "a.db"
    assert sqlite_database_path("sqlite://") is None
    assert sqlite_database_path("postgresql+psycopg://me@db/reclaim") is None


def test_deleted_rows_leave_no_trace_in_the_sqlite_files(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    engine = create_database_engine(f"sqlite:///{path}")
    secret = "withdrawn-secret-7f3a9c"
    try:
        upgrade_to_head(engine)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO cases (id, title, created_at, status) "
                    "VALUES ('case-1', :title, CURRENT_TIMESTAMP, 'open')"
                ),
                {"title": secret * 50},
            )
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM cases"))
        flush_deleted_data(engine)
        # Checked while connections are open: closing the last one would checkpoint by itself,
        # but `reclaim serve` may keep one open for days.
        for file in tmp_path.iterdir():
            assert secret.encode() not in file.read_bytes(), file.name
    finally:
        engine.dispose()
