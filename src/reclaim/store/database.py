"""Engines for SQLite (the default, a file in RECLAIM_HOME) and PostgreSQL (by URL, psycopg 3)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from reclaim.errors import N_, StorageError

# Long enough for a scan and the web UI to take turns writing; short enough that a stuck
# process shows up as an error rather than a hang.
SQLITE_BUSY_TIMEOUT_MS: Final = 30_000
# An unreachable PostgreSQL host should fail within seconds, not after the TCP default (minutes).
POSTGRES_CONNECT_TIMEOUT_S: Final = 10

_POSTGRES_DRIVER: Final = "postgresql+psycopg"


def create_database_engine(url: str) -> Engine:
    """An engine for ``sqlite:///path`` or ``postgresql[+psycopg]://...``, checked by connecting once.

    Raises StorageError for a malformed or unsupported URL and for a database that cannot be
    opened or reached, with the password left out of the message.
    """
    parsed = _parse_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = _create_sqlite_engine(parsed)
    elif backend == "postgresql":
        engine = _create_postgres_engine(parsed)
    else:
        raise StorageError(
            N_("Unsupported database URL {url}: use sqlite:///PATH or postgresql+psycopg://..."),
            url=redact_database_url(url),
        )
    _check_connection(engine)
    return engine


def redact_database_url(url: str) -> str:
    """The URL with any password replaced by ``***``, safe to print and log."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        # Unparseable, so we cannot tell where a password would be: show only the scheme.
        scheme, sep, _ = url.partition("://")
        return f"{scheme}://***" if sep else "***"


def flush_deleted_data(engine: Engine) -> None:
    """Make deletions final on disk: on SQLite, copy the WAL back and truncate it.

    secure_delete zeroes freed pages in the database file, but until a checkpoint the old page
    images (a withdrawn victim's hashes) still sit in the -wal file. Call after a withdrawal.
    PostgreSQL's storage is the server operator's to manage; nothing is done there.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    if busy:
        raise StorageError(
            N_("Deleted data could not be cleared from the database journal yet."),
            hint=N_("Close other Reclaim commands (such as `reclaim serve`) and run the withdrawal again."),
        )


def vacuum_database(engine: Engine, tables: Sequence[str]) -> None:
    """Rebuild storage after a case's withdrawal, so no page keeps a deleted row; then flush the WAL.

    SQLite: secure_delete has zeroed what the deletes freed; VACUUM then rewrites the whole file
    from the live rows, so space it never saw (rows written before it was on, by an older version
    or another tool) goes too, and the checkpoint empties the WAL that held the old pages.
    PostgreSQL: VACUUM on ``tables`` removes the dead rows from table and index pages so their
    space is reused. PostgreSQL's own files (tables, WAL, its backups) live on the server,
    outside RECLAIM_HOME, and are its operator's to manage; VACUUM FULL would rewrite them but
    locks every table for the whole rewrite.
    """
    if engine.dialect.name == "sqlite":
        _vacuum_sqlite(engine)
    else:
        preparer = engine.dialect.identifier_preparer
        with engine.connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM needs it
            for table in tables:
                autocommit.exec_driver_sql(f"VACUUM {preparer.quote(table)}")
    flush_deleted_data(engine)


def _vacuum_sqlite(engine: Engine) -> None:
    # On the driver's connection: SQLAlchemy's would open a transaction (see
    # _begin_sqlite_transaction), and VACUUM refuses to run inside one.
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute("VACUUM")
        finally:
            cursor.close()
    except sqlite3.OperationalError as error:
        # Usually "database is locked": another process held a transaction past the busy timeout.
        raise StorageError(
            N_("The database could not be compacted ({reason})."),
            hint=N_("Close other Reclaim commands (such as `reclaim serve`) and run the withdrawal again."),
            reason=str(error),
        ) from None
    finally:
        connection.close()


def sqlite_database_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL and for in-memory SQLite."""
    parsed = _parse_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise StorageError(
            N_("{url} is not a database URL: use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB."),
            url=redact_database_url(url),
        ) from None


def _create_sqlite_engine(url: URL) -> Engine:
    if url.drivername not in ("sqlite", "sqlite+pysqlite"):
        raise StorageError(
            N_("Unsupported SQLite driver {driver}: use a sqlite:///PATH URL."), driver=url.drivername
        )
    engine = create_engine(url)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Python's sqlite3 (before 3.12's autocommit attribute) opens transactions only before
    # DML, which breaks SAVEPOINT and transactional DDL; SQLAlchemy's documented recipe hands
    # BEGIN to us (see _begin_sqlite_transaction). It also keeps these PRAGMAs outside a
    # transaction, where foreign_keys would otherwise be silently ignored.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # WAL lets the web UI read while a scan writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted rows (a withdrawn victim's hashes and identifiers) are overwritten with zeros
        # instead of lingering in free pages where a forensic tool could recover them.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _begin_sqlite_transaction(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def _create_postgres_engine(url: URL) -> Engine:
    if url.drivername not in ("postgresql", _POSTGRES_DRIVER):
        raise StorageError(
            N_("Unsupported PostgreSQL driver {driver}: use a postgresql+psycopg://... URL."),
            driver=url.drivername,
        )
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
    try:
        # pool_pre_ping: a server restarted under a long-running `reclaim serve` should cost one
        # reconnect, not an error page.
        return create_engine(
            url.set(drivername=_POSTGRES_DRIVER), connect_args=connect_args, pool_pre_ping=True
        )
    except (ImportError, NoSuchModuleError):
        raise StorageError(
            N_("PostgreSQL support is not installed."),
            hint=N_("Install it with: pip install 'reclaim[postgres]'"),
        ) from None


def _check_connection(engine: Engine) -> None:
    try:
        with engine.connect():
            pass
    except DBAPIError as error:
        engine.dispose()
        raise StorageError(
            N_("Cannot open the database {url}: {reason}"),
            url=engine.url.render_as_string(hide_password=True),
            reason=_first_line(error.orig),
        ) from error


def _first_line(error: BaseException | None) -> str:
    text = str(error).strip() if error is not None else ""
    return text.splitlines()[0] if text else "unknown error"
