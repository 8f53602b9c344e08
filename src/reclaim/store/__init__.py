"""Storage: SQLAlchemy 2 models, repositories and Alembic migrations (SQLite default, PostgreSQL by URL).

Nothing here is imported by ``reclaim`` itself, so commands that need no database (``reclaim hash``)
never pay for importing SQLAlchemy.
"""
