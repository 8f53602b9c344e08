"""Protected identifier rows: add a case's keyed hashes, list them, read every case's for a scan."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reclaim.store.audit import record_audit_event
from reclaim.store.models import ProtectedIdentifierRow


@dataclass(frozen=True, slots=True)
class StoredIdentifier:
    """One stored keyed hash; there is no value to show, only what kind of detail it is."""

    id: int
    case_id: str
    kind: str
    digest: str  # HMAC-SHA256 as hex
    submitted_by: str
    created_at: datetime
    added: bool = False  # True when this call stored it; False when the case already had it

    def to_json(self) -> dict[str, object]:
        return {
            "identifier_id": self.id,
            "case_id": self.case_id,
            "kind": self.kind,
            "digest": self.digest,
            "submitted_by": self.submitted_by,
            "created_at": self.created_at.isoformat(),
            "added": self.added,
        }


def add_identifiers(
    engine: Engine, *, case_id: str, digests: Iterable[tuple[str, str]], actor: str, at: datetime
) -> list[StoredIdentifier]:
    """Store ``(kind, digest hex)`` pairs for a case; one already stored is returned, not repeated."""
    stored: list[StoredIdentifier] = []
    with Session(engine) as session, session.begin():
        for kind, digest in digests:
            row = session.scalars(
                select(ProtectedIdentifierRow).where(
                    ProtectedIdentifierRow.case_id == case_id,
                    ProtectedIdentifierRow.kind == kind,
                    ProtectedIdentifierRow.digest == digest,
                )
            ).first()
            added = row is None
            if row is None:
                row = ProtectedIdentifierRow(
                    case_id=case_id, kind=kind, digest=digest, submitted_by=actor, created_at=at
                )
                session.add(row)
                session.flush()
                # The audit trail names the kind only: a digest of a phone number can be guessed.
                record_audit_event(
                    session, actor=actor, action="identifier.add", case_id=case_id, detail={"kind": kind}
                )
            stored.append(_record(row, added=added))
    return stored


def list_identifiers(engine: Engine, case_id: str | None = None) -> list[StoredIdentifier]:
    """A case's identifiers, or every case's when ``case_id`` is None (what a text scan looks for)."""
    query = select(ProtectedIdentifierRow).order_by(ProtectedIdentifierRow.id)
    if case_id is not None:
        query = query.where(ProtectedIdentifierRow.case_id == case_id)
    with Session(engine) as session:
        return [_record(row) for row in session.scalars(query)]


def _record(row: ProtectedIdentifierRow, *, added: bool = False) -> StoredIdentifier:
    return StoredIdentifier(
        id=row.id,
        case_id=row.case_id,
        kind=row.kind,
        digest=row.digest,
        submitted_by=row.submitted_by,
        created_at=row.created_at,
        added=added,
    )
