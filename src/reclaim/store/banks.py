"""Bank and entry rows: add with provenance, withdraw, and read what the matcher needs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine, Select, delete, func, select, update
from sqlalchemy.orm import Session

from reclaim.bank.entries import (
    Attestation,
    BankEntry,
    EntryStatus,
    ExtraView,
    NewEntry,
    Provenance,
    SourceKind,
    value_fingerprint,
)
from reclaim.bank.snapshot import SignalTable
from reclaim.store.audit import record_audit_event
from reclaim.store.models import Bank, BankEntryView
from reclaim.store.models import BankEntry as BankEntryRow


@dataclass(frozen=True, slots=True)
class AddedEntry:
    """The outcome of adding one signal: its entry id, and whether it was there already."""

    entry_id: int
    item_id: str
    signal_type: str
    already_present: bool
    withdrawn_here: bool = False  # refused: withdrawn on this installation before


@dataclass(frozen=True, slots=True)
class ActiveSignal:
    """What the matcher needs of an active entry; no provenance, no names."""

    entry_id: int
    bank: str
    case_id: str | None
    signal_type: str
    value: str
    quality: int | None
    views: tuple[ExtraView, ...]


@dataclass(frozen=True, slots=True)
class BankSummary:
    name: str
    kind: str
    case_id: str | None
    source: str | None
    created_at: datetime
    active_entries: int
    withdrawn_entries: int

    def to_json(self) -> dict[str, object]:
        return {
            "bank": self.name,
            "kind": self.kind,
            "case_id": self.case_id,
            "source": self.source,
            "created_at": self.created_at.isoformat(),
            "active_entries": self.active_entries,
            "withdrawn_entries": self.withdrawn_entries,
        }


def list_banks(engine: Engine) -> list[BankSummary]:
    counts = (
        select(BankEntryRow.bank_id, BankEntryRow.status, func.count().label("n"))
        .group_by(BankEntryRow.bank_id, BankEntryRow.status)
        .subquery()
    )
    with Session(engine) as session:
        tallies: dict[tuple[int, str], int] = {
            (bank_id, status): n for bank_id, status, n in session.execute(select(counts))
        }
        return [
            BankSummary(
                name=bank.name,
                kind=bank.kind,
                case_id=bank.case_id,
                source=bank.source,
                created_at=bank.created_at,
                active_entries=tallies.get((bank.id, EntryStatus.ACTIVE), 0),
                withdrawn_entries=tallies.get((bank.id, EntryStatus.WITHDRAWN), 0),
            )
            for bank in session.scalars(select(Bank).order_by(Bank.id))
        ]


@dataclass(frozen=True, slots=True)
class BankRef:
    id: int
    kind: str
    case_id: str | None


def bank_by_name(engine: Engine, name: str) -> BankRef | None:
    with Session(engine) as session:
        row = session.execute(select(Bank.id, Bank.kind, Bank.case_id).where(Bank.name == name)).first()
    return BankRef(row.id, row.kind, row.case_id) if row is not None else None


def bank_id_by_name(engine: Engine, name: str) -> int | None:
    with Session(engine) as session:
        return session.scalar(select(Bank.id).where(Bank.name == name))


def ensure_list_bank(engine: Engine, name: str, source: str) -> int:
    """The id of the imported-list bank ``name``, created when missing."""
    with Session(engine) as session, session.begin():
        existing = session.scalar(select(Bank.id).where(Bank.name == name))
        if existing is not None:
            return existing
        bank = Bank(name=name, kind="list", case_id=None, source=source, created_at=datetime.now(UTC))
        session.add(bank)
        session.flush()
        return bank.id


def add_entries(
    engine: Engine,
    bank_name: str,
    entries: Sequence[NewEntry],
    *,
    actor: str,
    action: str,
    respect_withdrawals: bool = True,
) -> list[AddedEntry]:
    """Add ``entries`` to a bank in one transaction, skipping values the bank already holds.

    With ``respect_withdrawals`` (imports), a value withdrawn from this installation before is
    not re-added: a withdrawal made here wins over any list. A person protecting her own file
    again passes False: her new decision replaces her old one.
    """
    with Session(engine) as session, session.begin():
        bank = session.scalars(select(Bank).where(Bank.name == bank_name)).one()
        fingerprints = [value_fingerprint(entry.signal_type, entry.value) for entry in entries]
        existing: dict[str, BankEntryRow] = {}
        candidates = select(BankEntryRow).where(BankEntryRow.value_fingerprint.in_(set(fingerprints)))
        rows = list(session.scalars(candidates.order_by(BankEntryRow.id)))
        # Protected again after a withdrawal: her later decision stands, so the value is live.
        active_anywhere = {row.value_fingerprint for row in rows if row.status == EntryStatus.ACTIVE}
        for row in rows:
            if row.status == EntryStatus.ACTIVE and row.bank_id == bank.id:
                existing[row.value_fingerprint] = row
            elif respect_withdrawals and row.value_fingerprint not in active_anywhere:
                existing.setdefault(row.value_fingerprint, row)
        now = datetime.now(UTC)
        added: list[AddedEntry] = []
        for entry, fingerprint in zip(entries, fingerprints, strict=True):
            found = existing.get(fingerprint)
            if found is not None:
                withdrawn = found.status == EntryStatus.WITHDRAWN
                added.append(
                    AddedEntry(found.id, found.item_id, entry.signal_type, True, withdrawn_here=withdrawn)
                )
                continue
            row = _new_row(bank, entry, fingerprint, now)
            session.add(row)
            session.flush()
            session.add_all(BankEntryView(entry_id=row.id, via=v.via, value=v.value) for v in entry.views)
            existing[fingerprint] = row
            added.append(AddedEntry(row.id, row.item_id, entry.signal_type, False))
        new_ids = [a.entry_id for a in added if not a.already_present]
        if new_ids:
            record_audit_event(
                session, actor=actor, action=action, case_id=bank.case_id, detail={"entry_ids": new_ids}
            )
        return added


def withdraw_entries(engine: Engine, entry_ids: Iterable[int], *, actor: str, reason: str) -> list[BankEntry]:
    """Withdraw entries: their values and extra views are deleted, their provenance stays."""
    ids = sorted(set(entry_ids))
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        rows = list(session.scalars(select(BankEntryRow).where(BankEntryRow.id.in_(ids))))
        active = [row for row in rows if row.status == EntryStatus.ACTIVE]
        for row in active:
            row.value = None
            row.status = EntryStatus.WITHDRAWN
            row.withdrawn_at = now
            row.withdrawn_by = actor
            row.withdraw_reason = reason
            row.updated_at = now
        if active:
            session.execute(delete(BankEntryView).where(BankEntryView.entry_id.in_([r.id for r in active])))
            for case_id in sorted({row.case_id or "" for row in active}):
                record_audit_event(
                    session,
                    actor=actor,
                    action="bank.withdraw",
                    case_id=case_id or None,
                    detail={
                        "entry_ids": [r.id for r in active if (r.case_id or "") == case_id],
                        "reason": reason,
                    },
                )
        session.flush()
        return [_entry(row, _bank_names(session)[row.bank_id]) for row in rows]


def withdrawn_fingerprints(engine: Engine, fingerprints: Iterable[str]) -> set[str]:
    """Which of ``fingerprints`` were withdrawn from any bank on this installation."""
    wanted = set(fingerprints)
    if not wanted:
        return set()
    with Session(engine) as session:
        return set(
            session.scalars(
                select(BankEntryRow.value_fingerprint).where(
                    BankEntryRow.status == EntryStatus.WITHDRAWN, BankEntryRow.value_fingerprint.in_(wanted)
                )
            )
        )


def list_entries(
    engine: Engine,
    *,
    bank: str | None = None,
    case_id: str | None = None,
    include_withdrawn: bool = False,
    include_quarantined: bool = True,
) -> list[BankEntry]:
    query = (
        select(BankEntryRow, Bank.name).join(Bank, Bank.id == BankEntryRow.bank_id).order_by(BankEntryRow.id)
    )
    if bank is not None:
        query = query.where(Bank.name == bank)
    if case_id is not None:
        query = query.where(BankEntryRow.case_id == case_id)
    if not include_withdrawn:
        query = query.where(BankEntryRow.status == EntryStatus.ACTIVE)
    if not include_quarantined:
        query = query.where(BankEntryRow.quarantined_at.is_(None))
    with Session(engine) as session:
        return [_entry(row, name) for row, name in session.execute(query)]


def active_signals(engine: Engine, *, case_id: str | None = None) -> list[ActiveSignal]:
    """Every active entry with its extra views, ordered by entry id."""
    query = (
        select(BankEntryRow.id, Bank.name, BankEntryRow.case_id, BankEntryRow.signal_type)
        .add_columns(BankEntryRow.value, BankEntryRow.quality)
        .join(Bank, Bank.id == BankEntryRow.bank_id)
        .where(BankEntryRow.status == EntryStatus.ACTIVE, BankEntryRow.quarantined_at.is_(None))
        .order_by(BankEntryRow.id)
    )
    if case_id is not None:
        query = query.where(BankEntryRow.case_id == case_id)
    with Session(engine) as session:
        views: dict[int, list[ExtraView]] = {}
        view_query = select(BankEntryView.entry_id, BankEntryView.via, BankEntryView.value).order_by(
            BankEntryView.id
        )
        for entry_id, via, value in session.execute(view_query):
            views.setdefault(entry_id, []).append(ExtraView(via, value))
        return [
            ActiveSignal(entry_id, bank, case, signal_type, value, quality, tuple(views.get(entry_id, ())))
            for entry_id, bank, case, signal_type, value, quality in session.execute(query)
            if value is not None
        ]


def touch_entries(engine: Engine, entry_ids: Iterable[int]) -> None:
    """Mark entries changed now, so that followers of the bank see them again."""
    with Session(engine) as session, session.begin():
        session.execute(
            update(BankEntryRow)
            .where(BankEntryRow.id.in_(list(entry_ids)))
            .values(updated_at=datetime.now(UTC))
        )


def _new_row(bank: Bank, entry: NewEntry, fingerprint: str, now: datetime) -> BankEntryRow:
    provenance = entry.provenance
    return BankEntryRow(
        bank_id=bank.id,
        case_id=bank.case_id,
        item_id=entry.item_id,
        signal_type=entry.signal_type,
        value=entry.value,
        value_fingerprint=fingerprint,
        quality=entry.quality,
        status=EntryStatus.ACTIVE,
        submitted_by=provenance.submitted_by,
        submitted_at=provenance.submitted_at,
        attestation=provenance.attestation,
        source_kind=provenance.source_kind,
        source=provenance.source,
        external_id=entry.external_id,
        updated_at=now,
    )


def _bank_names(session: Session) -> dict[int, str]:
    return {bank_id: name for bank_id, name in session.execute(select(Bank.id, Bank.name))}


def _entry(row: BankEntryRow, bank: str) -> BankEntry:
    return BankEntry(
        id=row.id,
        bank=bank,
        case_id=row.case_id,
        item_id=row.item_id,
        signal_type=row.signal_type,
        value=row.value,
        quality=row.quality,
        status=EntryStatus(row.status),
        provenance=Provenance(
            submitted_by=row.submitted_by,
            submitted_at=row.submitted_at,
            attestation=Attestation(row.attestation),
            source_kind=SourceKind(row.source_kind),
            source=row.source,
        ),
        external_id=row.external_id,
        withdrawn_at=row.withdrawn_at,
        withdrawn_by=row.withdrawn_by,
        withdraw_reason=row.withdraw_reason,
    )


def active_signal_table(engine: Engine, *, case_id: str | None = None, chunk: int = 100_000) -> SignalTable:
    """Read the active entries and their extra views in chunks, without an object per entry.

    PDQ entries (nearly all of a large bank) are read without their signal type, and an
    entry's case comes from its bank: strings cost the driver far more than integers, and
    this is what a server pays at start-up (benchmarks/bench_bank_load.py).
    """
    entries = BankEntryRow.__table__.c
    views = BankEntryView.__table__.c
    live = [
        entries.status == EntryStatus.ACTIVE,
        entries.value.is_not(None),
        entries.quarantined_at.is_(None),  # held for review: matches nothing until cleared
    ]
    if case_id is not None:
        live.append(entries.case_id == case_id)
    pdq_query = (
        select(entries.id, entries.bank_id, entries.value, func.coalesce(entries.quality, -1))
        .where(entries.signal_type == "pdq", *live)
        .order_by(entries.id)
    )
    other_query = (
        select(entries.id, entries.bank_id, entries.signal_type, entries.value)
        .where(entries.signal_type != "pdq", *live)
        .order_by(entries.id)
    )
    view_query = (
        select(views.entry_id, views.via, views.value)
        .join(BankEntryRow.__table__, entries.id == views.entry_id)
        .where(*live)
        .order_by(views.entry_id, views.id)
    )
    ids: list[npt.NDArray[np.int64]] = []
    bank_ids: list[npt.NDArray[np.int32]] = []
    qualities: list[npt.NDArray[np.int16]] = []
    signal_types: list[str] = []
    pdq_hex: list[str] = []
    texts: dict[int, str] = {}
    with engine.connect() as connection:
        banks: dict[int, tuple[str, str | None]] = {
            bank_id: (name, case)
            for bank_id, name, case in connection.execute(select(Bank.id, Bank.name, Bank.case_id))
        }
        streamed = connection.execution_options(stream_results=True, yield_per=chunk)
        for partition in _driver_rows(connection, pdq_query, chunk):
            entry_ids, entry_banks, values, entry_qualities = zip(*partition, strict=True)
            ids.append(np.array(entry_ids, dtype=np.int64))
            bank_ids.append(np.array(entry_banks, dtype=np.int32))
            qualities.append(np.array(entry_qualities, dtype=np.int16))
            signal_types += ["pdq"] * len(entry_ids)
            pdq_hex += values
        pdq_count = len(signal_types)
        for partition in streamed.execute(other_query).partitions():
            entry_ids, entry_banks, types, values = zip(*partition, strict=True)
            ids.append(np.array(entry_ids, dtype=np.int64))
            bank_ids.append(np.array(entry_banks, dtype=np.int32))
            qualities.append(np.full(len(entry_ids), -1, dtype=np.int16))
            texts.update(zip(range(len(signal_types), len(signal_types) + len(types)), values, strict=True))
            signal_types += types
        all_ids = np.concatenate(ids) if ids else np.empty(0, np.int64)
        pdq_rows = np.arange(pdq_count, dtype=np.int64)
        view_rows: list[npt.NDArray[np.int64]] = []
        pdq_vias = ["whole"] * pdq_count
        for view_partition in _driver_rows(connection, view_query, chunk):
            view_entries, vias, values = zip(*view_partition, strict=True)
            # PDQ rows are the first pdq_count rows, in entry id order: search only them.
            view_rows.append(np.searchsorted(all_ids[:pdq_count], np.array(view_entries, dtype=np.int64)))
            pdq_vias += vias
            pdq_hex += values
    return SignalTable(
        entry_ids=all_ids,
        bank_ids=np.concatenate(bank_ids) if bank_ids else np.empty(0, np.int32),
        banks=banks,
        signal_types=signal_types,
        qualities=np.concatenate(qualities) if qualities else np.empty(0, np.int16),
        pdq_rows=np.concatenate([pdq_rows, *view_rows]),
        pdq_hashes=np.frombuffer(bytes.fromhex("".join(pdq_hex)), dtype=np.uint8).reshape(-1, 32),
        pdq_vias=pdq_vias,
        texts=texts,
    )


def _driver_rows(connection: Connection, statement: Select[Any], size: int) -> Iterator[Sequence[Any]]:
    """Rows of ``statement``, ``size`` at a time, as plain tuples where the driver allows.

    On SQLite the statement runs on the driver's own cursor: these columns are integers and
    text, which need no conversion, and skipping SQLAlchemy's row objects halves the cost of
    reading ten million entries. PostgreSQL streams through a server-side cursor.
    """
    if connection.dialect.name != "sqlite":
        streamed = connection.execution_options(stream_results=True, yield_per=size)
        yield from streamed.execute(statement).partitions()
        return
    compiled = statement.compile(dialect=connection.dialect)
    params = compiled.construct_params()
    driver = connection.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        cursor.execute(str(compiled), [params[name] for name in compiled.positiontup or ()])
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()
