"""Hash lists in and out of banks: imports keep provenance and never undo a withdrawal made here.

An import reads a list (our JSON lines or CSV, python-threatexchange, HMA, StopNCII) into a
bank of its own. A record the list marks withdrawn or deleted removes that hash from the
bank. A hash withdrawn on this installation is not re-added by any list. Exports hold only
active hashes and what ``ExchangeRecord`` can carry: never a name, title, note or identifier.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO

from reclaim.bank.entries import Attestation, BankEntry, NewEntry, Provenance, SourceKind, value_fingerprint
from reclaim.bank.formats import (
    ExchangeRecord,
    FormatProblem,
    HashListFormat,
    read_hash_list,
    write_csv,
    write_hma_bank_requests,
    write_jsonl,
    write_stopncii,
    write_threatexchange_signals,
)
from reclaim.config import Settings
from reclaim.errors import N_, UserInputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.store.cases import CaseRecord

EXPORT_FORMATS: Final = (
    HashListFormat.RECLAIM_JSONL,
    HashListFormat.RECLAIM_CSV,
    HashListFormat.THREATEXCHANGE_SIGNALS,
    HashListFormat.HMA_BANK_REQUESTS,
    HashListFormat.STOPNCII_JSON,
)


@dataclass
class ImportSummary:
    """What an import did; ``problems`` are the lines that could not be read."""

    bank: str
    added: int = 0
    already_present: int = 0
    withdrawn_by_list: int = 0
    kept_withdrawn: int = 0  # withdrawn here before: the list did not bring them back
    problems: list[FormatProblem] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "bank": self.bank,
            "added": self.added,
            "already_present": self.already_present,
            "withdrawn_by_list": self.withdrawn_by_list,
            "kept_withdrawn": self.kept_withdrawn,
            "problems": [{"position": p.position, "message": str(p)} for p in self.problems],
        }


def import_hash_list(
    engine: Engine,
    settings: Settings,
    path: Path,
    *,
    bank: str | None = None,
    list_format: HashListFormat | None = None,
) -> ImportSummary:
    """Import ``path`` into the list bank ``bank`` (default: the file's name)."""
    from reclaim.store.banks import ensure_list_bank

    summary = ImportSummary(bank=bank or f"list-{path.stem}")
    records = list(read_hash_list(path, list_format, summary.problems.append))
    ensure_list_bank(engine, summary.bank, source=path.name)
    provenance = Provenance(
        submitted_by=settings.actor,
        submitted_at=datetime.now(UTC),
        attestation=Attestation.LIST,
        source_kind=SourceKind.IMPORT,
        source=f"{(list_format or 'file')}:{path.name}",
    )
    _apply_records(engine, summary, records, provenance, action="bank.import", respect_withdrawals=True)
    return summary


def protect_from_hashes(
    engine: Engine, settings: Settings, case: CaseRecord, path: Path, *, attestation: Attestation
) -> ImportSummary:
    """``reclaim protect CASE --hashes FILE``: hashes made elsewhere (the offline page, another install)."""
    summary = ImportSummary(bank=case.bank)
    records = list(read_hash_list(path, None, summary.problems.append))
    return _protect_records(
        engine, settings, summary, records, attestation, source=f"hashes-file:{path.name}"
    )


def protect_from_browser(
    engine: Engine, settings: Settings, case: CaseRecord, lines: TextIO, *, attestation: Attestation
) -> ImportSummary:
    """The web app's protect page: the hashes her browser made of her files, as Reclaim JSON lines."""
    from reclaim.bank.formats.jsonl import read_jsonl

    summary = ImportSummary(bank=case.bank)
    records = list(read_jsonl(lines, summary.problems.append))
    return _protect_records(engine, settings, summary, records, attestation, source="web-page")


def _protect_records(
    engine: Engine,
    settings: Settings,
    summary: ImportSummary,
    records: list[ExchangeRecord],
    attestation: Attestation,
    *,
    source: str,
) -> ImportSummary:
    provenance = Provenance(
        submitted_by=settings.actor,
        submitted_at=datetime.now(UTC),
        attestation=attestation,
        source_kind=SourceKind.HASHES_FILE,
        source=source,
    )
    _apply_records(engine, summary, records, provenance, action="bank.protect", respect_withdrawals=False)
    return summary


def export_bank(engine: Engine, bank: str, list_format: HashListFormat, stream: TextIO) -> int:
    """Write the bank's active, unheld entries to ``stream``; returns how many were written."""
    from reclaim.store.banks import bank_id_by_name, list_entries

    if bank_id_by_name(engine, bank) is None:
        raise UserInputError(
            N_("There is no bank {bank}."), hint=N_("`reclaim bank list` shows the banks."), bank=bank
        )
    if list_format not in EXPORT_FORMATS:
        raise UserInputError(N_("Reclaim cannot write {format} lists."), format=list_format.value)
    # A held entry may be the poison the quarantine caught: it is not passed on until cleared.
    records = (_record_of(entry) for entry in list_entries(engine, bank=bank, include_quarantined=False))
    return _WRITERS[list_format](records, stream)


def _apply_records(
    engine: Engine,
    summary: ImportSummary,
    records: Iterable[ExchangeRecord],
    provenance: Provenance,
    *,
    action: str,
    respect_withdrawals: bool,
) -> None:
    from reclaim.store.banks import add_entries, list_entries, withdraw_entries

    active: list[ExchangeRecord] = []
    withdrawn: list[ExchangeRecord] = []
    for record in records:
        (withdrawn if record.is_withdrawn else active).append(record)
    if withdrawn:
        # Withdrawn at the source: remove the hash here too, whatever entry it was stored as.
        gone = {value_fingerprint(r.signal_type, r.value) for r in withdrawn}
        ids = [
            entry.id
            for entry in list_entries(engine, bank=summary.bank)
            if entry.value is not None and value_fingerprint(entry.signal_type, entry.value) in gone
        ]
        summary.withdrawn_by_list = len(
            withdraw_entries(
                engine, ids, actor=provenance.submitted_by, reason=f"withdrawn in {provenance.source}"
            )
        )
    entries = [
        NewEntry(
            signal_type=record.signal_type,
            value=record.value,
            quality=record.quality,
            provenance=provenance,
            item_id=str(uuid.uuid4()),
            external_id=record.external_id,
        )
        for record in active
    ]
    for added in add_entries(
        engine,
        summary.bank,
        entries,
        actor=provenance.submitted_by,
        action=action,
        respect_withdrawals=respect_withdrawals,
    ):
        if added.withdrawn_here:
            summary.kept_withdrawn += 1
        elif added.already_present:
            summary.already_present += 1
        else:
            summary.added += 1


def _record_of(entry: BankEntry) -> ExchangeRecord:
    assert entry.value is not None  # list_entries gives active entries, which keep their value
    return ExchangeRecord(
        signal_type=entry.signal_type,  # type: ignore[arg-type]
        value=entry.value,
        quality=entry.quality if entry.signal_type == "pdq" else None,
        external_id=str(entry.id),
        submitted_at=entry.provenance.submitted_at,
        attestation=entry.provenance.attestation.value,
        source=entry.provenance.source_kind.value,
    )


_WRITERS: Final[dict[HashListFormat, Callable[[Iterable[ExchangeRecord], TextIO], int]]] = {
    HashListFormat.RECLAIM_JSONL: write_jsonl,
    HashListFormat.RECLAIM_CSV: write_csv,
    HashListFormat.THREATEXCHANGE_SIGNALS: write_threatexchange_signals,
    HashListFormat.HMA_BANK_REQUESTS: write_hma_bank_requests,
    HashListFormat.STOPNCII_JSON: write_stopncii,
}
