"""Migrations: they build the schema on both databases, reverse cleanly, and match the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from reclaim.store.database import create_database_engine
from reclaim.store.migrate import current_revision, downgrade_to, head_revision, upgrade_to_head
from reclaim.store.models import Base

FOUNDATION_TABLES = {"installations", "cases", "audit_events"}


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_to_head_creates_the_tables(engine: Engine) -> None:
    assert current_revision(engine) is None
    upgrade_to_head(engine)
    assert FOUNDATION_TABLES | {"alembic_version"} <= _tables(engine)
    assert current_revision(engine) == head_revision()


def test_upgrade_twice_changes_nothing(engine: Engine) -> None:
    upgrade_to_head(engine)
    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision()


def test_downgrade_to_base_and_up_again(engine: Engine) -> None:
    upgrade_to_head(engine)
    downgrade_to(engine, "base")
    assert current_revision(engine) is None
    assert not FOUNDATION_TABLES & _tables(engine)
    upgrade_to_head(engine)
    assert _tables(engine) >= FOUNDATION_TABLES


def test_models_agree_with_migrations(engine: Engine) -> None:
    upgrade_to_head(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_database_engine(postgres_url)
    try:
        yield engine
    finally:
        engine.dispose()


def test_sqlite_foreign_keys_are_back_on_after_migrating(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        upgrade_to_head(engine)
        downgrade_to(engine, "base")
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_tables_go_into_the_search_path_schema(postgres_engine: Engine) -> None:
    upgrade_to_head(postgres_engine)
    with postgres_engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar()
        placed = connection.execute(
            text("SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name = 'cases'")
        ).scalars()
        assert schema is not None and schema.startswith("t_")
        assert schema in set(placed)
        assert FOUNDATION_TABLES | {"alembic_version"} <= set(inspect(connection).get_table_names(schema))
