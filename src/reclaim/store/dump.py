"""Every table as JSON lines and back: the database part of ``reclaim backup`` and ``restore``.

A logical dump rather than a file copy, so that one backup format serves SQLite and PostgreSQL
and a home can move from one to the other. Rows are read in one transaction (a consistent
snapshot) and loaded in foreign-key order into a freshly migrated, empty database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Integer, Table, func, insert, select, text

from reclaim.store.models import Base
from reclaim.store.types import UTCDateTime

_BATCH = 1000


def table_names() -> list[str]:
    """The tables a dump holds, parents before children."""
    return [table.name for table in Base.metadata.sorted_tables]


def dump_tables(engine: Engine, write: Callable[[str, Iterator[bytes]], None]) -> dict[str, int]:
    """Call ``write(table, lines)`` for each table inside one snapshot; returns rows per table."""
    counts: dict[str, int] = {}
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        for table in Base.metadata.sorted_tables:
            counts[table.name] = 0

            def lines(table: Table = table) -> Iterator[bytes]:
                primary = list(table.primary_key.columns)
                result = connection.execute(select(table).order_by(*primary)).mappings()
                for row in result:
                    counts[table.name] += 1
                    yield json.dumps(_encode(table, row), ensure_ascii=False, sort_keys=True).encode("utf-8")

            write(table.name, lines())
    return counts


def load_tables(engine: Engine, read: Callable[[str], Iterable[bytes]]) -> dict[str, int]:
    """Insert every table's rows from ``read(table)`` in one transaction; the database must be empty."""
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = 0
            batch: list[dict[str, Any]] = []
            for line in read(table.name):
                batch.append(_decode(table, json.loads(line)))
                if len(batch) >= _BATCH:
                    connection.execute(insert(table), batch)
                    counts[table.name] += len(batch)
                    batch = []
            if batch:
                connection.execute(insert(table), batch)
                counts[table.name] += len(batch)
        if engine.dialect.name == "postgresql":
            # Rows came with their ids; the serial sequences must continue after them.
            for table in Base.metadata.sorted_tables:
                for column in table.primary_key.columns:
                    if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
                        top = connection.execute(select(func.max(column))).scalar()
                        if top is not None:
                            connection.execute(
                                text("SELECT setval(pg_get_serial_sequence(:table, :column), :value)"),
                                {"table": table.name, "column": column.name, "value": top},
                            )
    return counts


def is_empty(engine: Engine) -> bool:
    """True when no table of ours holds a row."""
    with engine.connect() as connection:
        return all(
            connection.execute(select(func.count()).select_from(table)).scalar() == 0
            for table in Base.metadata.sorted_tables
        )


def _encode(table: Table, row: Any) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for column in table.columns:
        value = row[column.name]
        record[column.name] = value.isoformat() if isinstance(value, datetime) else value
    return record


def _decode(table: Table, record: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for column in table.columns:
        value = record.get(column.name)
        if value is not None and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(value)
        row[column.name] = value
    return row
