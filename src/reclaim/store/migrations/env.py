"""Alembic environment: runs on the connection handed over by ``reclaim.store.migrate``.

Developers running the ``alembic`` command from the repository (see ``alembic.ini``) get an
engine for RECLAIM_DATABASE_URL instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from reclaim.store.models import Base

config = context.config


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_from_settings() -> None:
    from reclaim.config import load_settings
    from reclaim.store.database import create_database_engine

    engine = create_database_engine(config.get_main_option("sqlalchemy.url") or load_settings().database_url)
    try:
        with engine.connect() as connection:
            run_on(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Reclaim migrations run online only: SQLite batch mode needs a live connection.")

handed_over = config.attributes.get("connection")
if handed_over is not None:
    run_on(handed_over)
else:
    run_from_settings()
