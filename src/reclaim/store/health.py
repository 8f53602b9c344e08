"""Is the database there? For a server's readiness check."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError


def database_answers(engine: Engine) -> bool:
    """True when a trivial query succeeds now."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True
