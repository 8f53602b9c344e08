"""Fixtures shared by every test: real databases, never mocks.

``database_url`` runs a test twice: on a SQLite file and on the PostgreSQL server at
127.0.0.1:5432 (database ``test``), in a schema of its own that is dropped afterwards, so tests
may run in parallel without seeing each other's tables.
"""

from __future__ import annotations

import os

# One BLAS thread per process, as the CLI sets it (cli/main.py): the PDQ grids are small matrix
# products, and on 2 cores with pytest-xdist OpenBLAS's own threads only fight each other.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reclaim.config import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

# libpq connection string of the server CI starts; override to test against another one.
POSTGRES_CONNINFO = os.environ.get(
    "RECLAIM_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres dbname=test"
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL for an empty database: a SQLite file in tmp_path, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
    else:
        yield from _postgres_schema_url()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema only, for tests of PostgreSQL behaviour (mark them ``postgres``)."""
    yield from _postgres_schema_url()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on ``database_url``, disposed of afterwards so the schema can be dropped."""
    from reclaim.store.database import create_database_engine

    engine = create_database_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for a home that does not exist yet; on SQLite the database lives in it, as by default."""
    home = tmp_path / "home"
    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{home / 'reclaim.sqlite3'}"
    return Settings(home=home, database_url=database_url)


def _postgres_schema_url() -> Iterator[str]:
    import psycopg
    from psycopg import sql

    try:
        admin = psycopg.connect(POSTGRES_CONNINFO, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        reason = str(error).strip().splitlines()[0]
    else:
        reason = ""
    if reason:
        # Fail, never skip: CI starts the server, and a silent skip would hide half the suite.
        pytest.fail(
            f"PostgreSQL is not reachable ({POSTGRES_CONNINFO}): {reason}\n"
            "Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
            pytrace=False,
        )
    schema = f"t_{secrets.token_hex(8)}"
    with admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        try:
            info = admin.info
            yield (
                f"postgresql+psycopg://{info.user}@{info.host}:{info.port}/{info.dbname}"
                f"?options=-csearch_path%3D{schema}"
            )
        finally:
            # Fails loudly rather than hanging if a test leaked a connection inside a transaction.
            admin.execute("SET lock_timeout = '10s'")
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
