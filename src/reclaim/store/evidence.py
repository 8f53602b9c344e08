"""A case's evidence log in the database: append-only entries, signed tree heads, vault captures.

Appends happen in one transaction that holds the case row locked, so two writers can never give
two entries the same place in the log; the transaction commits (durably, on both databases)
before the caller reports success.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from reclaim.evidence.log import extend_frontier, frontier_root
from reclaim.store.audit import record_audit_event
from reclaim.store.models import Case, EvidenceCapture, EvidenceEntry, EvidenceTimestamp, EvidenceTreeHead


@dataclass(frozen=True, slots=True)
class NewLogEntry:
    kind: str  # "sighting" or "custody"
    body: bytes  # canonical JSON
    leaf_hash: bytes


@dataclass(frozen=True, slots=True)
class NewCapture:
    """A capture already written to the vault, to be recorded with the entry at ``entry_offset``."""

    entry_offset: int  # position in the batch being appended
    vault_name: str
    kind: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class StoredEntry:
    leaf_index: int
    kind: str
    body: bytes
    leaf_hash: bytes
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class StoredTreeHead:
    tree_size: int
    root_hash: bytes
    body: bytes  # the signed bytes
    signature: bytes


@dataclass(frozen=True, slots=True)
class StoredCapture:
    leaf_index: int
    vault_name: str
    kind: str
    sha256: str
    size: int


# Given the log's size and root after the append, the signed head to store.
HeadSigner = Callable[[int, bytes], StoredTreeHead]


def append_entries(
    engine: Engine,
    case_id: str,
    entries: Sequence[NewLogEntry],
    *,
    sign_head: HeadSigner,
    recorded_at: datetime,
    actor: str,
    captures: Sequence[NewCapture] = (),
    on_empty_log: Callable[[], Sequence[NewLogEntry]] | None = None,
) -> tuple[int, StoredTreeHead]:
    """Append ``entries`` to the case's log and store the signed head; (first new leaf index, head).

    ``on_empty_log`` gives entries to write first when the log is still empty (its "created"
    custody event), decided inside the same locked transaction.
    """
    with Session(engine) as session, session.begin():
        # A write first: it takes PostgreSQL's row lock and SQLite's write lock (waiting out the busy
        # timeout) before the log is read, so two writers never compute the same next index.
        locked = session.execute(update(Case).where(Case.id == case_id).values(status=Case.status))
        if locked.rowcount != 1:  # type: ignore[attr-defined]
            raise LookupError(f"no case {case_id}")
        latest = session.execute(
            select(EvidenceTreeHead.tree_size, EvidenceTreeHead.frontier)
            .where(EvidenceTreeHead.case_id == case_id)
            .order_by(EvidenceTreeHead.tree_size.desc())
            .limit(1)
        ).first()
        size, frontier = (latest[0], [bytes.fromhex(h) for h in json.loads(latest[1])]) if latest else (0, [])
        batch = list(entries)
        if size == 0 and on_empty_log is not None:
            prefix = list(on_empty_log())
            batch = prefix + batch
            captures = [_shift(capture, len(prefix)) for capture in captures]
        first = size
        # One executemany, not an ORM object per row: a scan appends thousands at a time.
        session.execute(
            insert(EvidenceEntry),
            [
                {
                    "case_id": case_id,
                    "leaf_index": first + offset,
                    "kind": entry.kind,
                    "body": entry.body.decode("utf-8"),
                    "leaf_hash": entry.leaf_hash.hex(),
                    "recorded_at": recorded_at,
                }
                for offset, entry in enumerate(batch)
            ],
        )
        frontier = extend_frontier(frontier, size, [entry.leaf_hash for entry in batch])
        head = sign_head(size + len(batch), frontier_root(frontier))
        session.add(
            EvidenceTreeHead(
                case_id=case_id,
                tree_size=head.tree_size,
                root_hash=head.root_hash.hex(),
                signed_at=recorded_at,
                body=head.body.decode("utf-8"),
                signature=head.signature.hex(),
                frontier=json.dumps([node.hex() for node in frontier]),
            )
        )
        session.add_all(
            EvidenceCapture(
                case_id=case_id,
                leaf_index=first + capture.entry_offset,
                vault_name=capture.vault_name,
                kind=capture.kind,
                sha256=capture.sha256,
                size=capture.size,
                created_at=recorded_at,
            )
            for capture in captures
        )
        # The log itself says what each entry is; the trail says who appended how many, when.
        record_audit_event(
            session,
            actor=actor,
            action="evidence.append",
            case_id=case_id,
            detail={"first_leaf": first, "count": len(batch), "kinds": sorted({e.kind for e in batch})},
        )
    return first + len(batch) - len(entries), head


def read_entries(engine: Engine, case_id: str) -> list[StoredEntry]:
    """The case's log in order."""
    with Session(engine) as session:
        rows = session.scalars(
            select(EvidenceEntry).where(EvidenceEntry.case_id == case_id).order_by(EvidenceEntry.leaf_index)
        )
        return [
            StoredEntry(
                leaf_index=row.leaf_index,
                kind=row.kind,
                body=row.body.encode("utf-8"),
                leaf_hash=bytes.fromhex(row.leaf_hash),
                recorded_at=row.recorded_at,
            )
            for row in rows
        ]


def read_tree_heads(engine: Engine, case_id: str, sizes: Sequence[int] | None = None) -> list[StoredTreeHead]:
    """The case's signed tree heads by size (all of them, or those of ``sizes``)."""
    query = select(EvidenceTreeHead).where(EvidenceTreeHead.case_id == case_id)
    if sizes is not None:
        query = query.where(EvidenceTreeHead.tree_size.in_(list(sizes)))
    with Session(engine) as session:
        return [
            StoredTreeHead(
                tree_size=row.tree_size,
                root_hash=bytes.fromhex(row.root_hash),
                body=row.body.encode("utf-8"),
                signature=bytes.fromhex(row.signature),
            )
            for row in session.scalars(query.order_by(EvidenceTreeHead.tree_size))
        ]


def latest_tree_head(engine: Engine, case_id: str) -> StoredTreeHead | None:
    with Session(engine) as session:
        row = session.scalars(
            select(EvidenceTreeHead)
            .where(EvidenceTreeHead.case_id == case_id)
            .order_by(EvidenceTreeHead.tree_size.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return StoredTreeHead(
            row.tree_size,
            bytes.fromhex(row.root_hash),
            row.body.encode("utf-8"),
            bytes.fromhex(row.signature),
        )


def read_captures(engine: Engine, case_id: str) -> list[StoredCapture]:
    with Session(engine) as session:
        return [
            StoredCapture(row.leaf_index, row.vault_name, row.kind, row.sha256, row.size)
            for row in session.scalars(
                select(EvidenceCapture).where(EvidenceCapture.case_id == case_id).order_by(EvidenceCapture.id)
            )
        ]


def _shift(capture: NewCapture, by: int) -> NewCapture:
    return NewCapture(
        capture.entry_offset + by, capture.vault_name, capture.kind, capture.sha256, capture.size
    )


@dataclass(frozen=True, slots=True)
class StoredTimestamp:
    tree_size: int
    tsa_url: str
    gen_time: datetime
    response: bytes


def add_timestamp(engine: Engine, case_id: str, stamp: StoredTimestamp) -> None:
    with Session(engine) as session, session.begin():
        session.add(
            EvidenceTimestamp(
                case_id=case_id,
                tree_size=stamp.tree_size,
                tsa_url=stamp.tsa_url,
                gen_time=stamp.gen_time,
                response=stamp.response,
            )
        )


def read_timestamps(engine: Engine, case_id: str) -> list[StoredTimestamp]:
    with Session(engine) as session:
        return [
            StoredTimestamp(row.tree_size, row.tsa_url, row.gen_time, row.response)
            for row in session.scalars(
                select(EvidenceTimestamp)
                .where(EvidenceTimestamp.case_id == case_id)
                .order_by(EvidenceTimestamp.tree_size, EvidenceTimestamp.id)
            )
        ]
