"""Schema migrations, run from the library: Alembic configured in code, no alembic.ini needed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from reclaim.errors import N_, StorageError

MIGRATIONS_DIR: Final = Path(__file__).parent / "migrations"


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema to the newest revision this version of Reclaim knows; a no-op when it is there."""
    _run(engine, lambda config: command.upgrade(config, "head"))


def downgrade_to(engine: Engine, revision: str = "base") -> None:
    """Take the schema back to ``revision`` ("base" drops every table). For tests and developers."""
    _run(engine, lambda config: command.downgrade(config, revision))


def current_revision(engine: Engine) -> str | None:
    """The schema's revision, or None when the database has never been migrated."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except DBAPIError as error:
        raise _storage_error(engine, error) from error


def head_revision() -> str:
    """The newest revision shipped with this version of Reclaim."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:  # only a broken installation ships no migrations
        raise StorageError(N_("No database migrations found in {path}."), path=str(MIGRATIONS_DIR))
    return head


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        # env.py runs on this connection, so a PostgreSQL search_path set by the caller (one
        # schema per test, or per deployment) decides where the tables and alembic_version go.
        config.attributes["connection"] = connection
    return config


def _run(engine: Engine, action: Callable[[Config], None]) -> None:
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table by copy, drop and rename. With foreign keys on, the drop
            # would fire ON DELETE actions in other tables (SET NULL on audit_events); SQLite's
            # own procedure (https://sqlite.org/lang_altertable.html#otheralter) turns them off
            # for the migration and checks them afterwards. The PRAGMA is ignored inside a
            # transaction, so it goes straight to the driver before SQLAlchemy begins one.
            _set_sqlite_foreign_keys(connection, enabled=False)
        try:
            with connection.begin():
                action(_config(connection))
                if sqlite:
                    _check_sqlite_foreign_keys(connection)
        except CommandError as error:
            raise StorageError(
                N_("Cannot migrate the database {url}: {reason}"),
                hint=N_("The database may come from a newer version of Reclaim; upgrade Reclaim."),
                url=_redacted(engine),
                reason=str(error),
            ) from error
        except DBAPIError as error:
            raise _storage_error(engine, error) from error
        finally:
            if sqlite:
                _set_sqlite_foreign_keys(connection, enabled=True)


def _set_sqlite_foreign_keys(connection: Connection, *, enabled: bool) -> None:
    driver_connection = connection.connection.driver_connection
    assert driver_connection is not None  # a checked-out connection always has one
    driver_connection.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    broken = connection.execute(text("PRAGMA foreign_key_check")).first()
    if broken is not None:
        # Raised inside the transaction, so the migration is rolled back.
        raise StorageError(
            N_("A migration left a broken reference in table {table}; nothing was changed."),
            table=str(broken[0]),
        )


def _storage_error(engine: Engine, error: DBAPIError) -> StorageError:
    reason = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else "unknown error"
    return StorageError(N_("Cannot use the database {url}: {reason}"), url=_redacted(engine), reason=reason)


def _redacted(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
