"""Protect: hash a person's photos and videos into her case's bank. The media is never copied.

Each file becomes a protected item: its SHA-256 and MD5, and its PDQ (photos) or vPDQ
(videos), each an entry with the same provenance. A found copy (``--from-found``) is
protected the same way, marked as such: voyeur victims never had an original.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reclaim.bank.entries import Attestation, ExtraView, NewEntry, Provenance, SourceKind, is_low_quality
from reclaim.config import MediaLimits, Settings
from reclaim.media.files import unreadable

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.services.hashing import HashFailure, HashResult
    from reclaim.store.banks import AddedEntry
    from reclaim.store.cases import CaseRecord


@dataclass(frozen=True, slots=True)
class ProtectedItem:
    """One file protected: the entries it made (or found already there)."""

    path: Path
    case_id: str
    item_id: str
    kind: str
    entries: tuple[AddedEntry, ...]
    pdq_quality: int | None
    source_kind: SourceKind

    @property
    def low_quality(self) -> bool:
        return is_low_quality("pdq", self.pdq_quality)

    @property
    def already_protected(self) -> bool:
        return all(entry.already_present for entry in self.entries)

    def to_json(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "case_id": self.case_id,
            "item_id": self.item_id,
            "kind": self.kind,
            "source_kind": self.source_kind.value,
            "entries": [
                {"entry_id": e.entry_id, "signal": e.signal_type, "new": not e.already_present}
                for e in self.entries
            ],
            "pdq_quality": self.pdq_quality,
            "low_quality": self.low_quality,
            "already_protected": self.already_protected,
        }


def protect_files(
    engine: Engine,
    settings: Settings,
    case: CaseRecord,
    files: Sequence[Path],
    *,
    attestation: Attestation,
    from_found: bool = False,
    workers: int | None = None,
) -> Iterator[ProtectedItem | HashFailure]:
    """Hash ``files`` (``find_media_files`` finds them in folders) into the case's bank."""
    from reclaim.services.hashing import HashFailure, map_files

    provenance = Provenance(
        submitted_by=settings.actor,
        submitted_at=datetime.now(UTC),
        attestation=attestation,
        source_kind=SourceKind.FOUND_COPY if from_found else SourceKind.OWN_FILE,
        source=_this_device(engine),
    )
    for outcome in map_files(protected_signals_of_file, files, settings.limits, workers):
        if isinstance(outcome, HashFailure):
            yield outcome
            continue
        yield _store_item(engine, case, outcome, provenance)


@dataclass(frozen=True, slots=True)
class ProtectedSignals:
    """A protected file's hashes, and for a photo the extra bank-side views (centred crops...)."""

    hashed: HashResult
    extra_views: tuple[ExtraView, ...]


def protected_signals_of_file(path: Path, limits: MediaLimits) -> ProtectedSignals:
    """Hash a file to protect; runs in worker processes. The crops' argument: docs/robust-matching.md."""
    from reclaim.services.hashing import hash_file

    hashed = hash_file(path, limits)
    if hashed.kind != "image":
        return ProtectedSignals(hashed, ())
    from reclaim.media.image import decode_rgb
    from reclaim.signals.pdq import luma_from_rgb
    from reclaim.signals.robust import BANK_SIDE, bank_views

    try:
        data = path.read_bytes()
    except OSError as error:
        raise unreadable(path, error) from None
    luma = luma_from_rgb(decode_rgb(data, path, limits, max_side=BANK_SIDE))
    return ProtectedSignals(hashed, tuple(ExtraView(view.via, view.hash.hex) for view in bank_views(luma)))


def _store_item(
    engine: Engine, case: CaseRecord, signals: ProtectedSignals, provenance: Provenance
) -> ProtectedItem:
    from reclaim.store.banks import add_entries

    result = signals.hashed
    item_id = str(uuid.uuid4())
    entries = [
        NewEntry("sha256", result.sha256, None, provenance, item_id),
        NewEntry("md5", result.md5, None, provenance, item_id),
    ]
    if result.pdq is not None:
        entries.append(
            NewEntry(
                "pdq", result.pdq.hex, result.pdq.quality, provenance, item_id, views=signals.extra_views
            )
        )
    if result.vpdq is not None:
        from reclaim.signals.vpdq import to_signal_string

        entries.append(NewEntry("vpdq", to_signal_string(result.vpdq), None, provenance, item_id))
    # Her own decision to protect again overrides her earlier withdrawal of the same file.
    added = add_entries(
        engine,
        case.bank,
        entries,
        actor=provenance.submitted_by,
        action="bank.protect",
        respect_withdrawals=False,
    )
    return ProtectedItem(
        path=result.path,
        case_id=case.id,
        item_id=added[0].item_id,  # an earlier item's, when the file was protected before
        kind=result.kind,
        entries=tuple(added),
        pdq_quality=result.pdq.quality if result.pdq is not None else None,
        source_kind=provenance.source_kind,
    )


def _this_device(engine: Engine) -> str:
    from reclaim.store.installations import get_installation

    installation = get_installation(engine)
    return f"installation:{installation.id}" if installation is not None else "installation:unknown"
