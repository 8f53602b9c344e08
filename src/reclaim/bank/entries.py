"""Bank entries as values: a protected signal, its provenance, and whether it still counts.

Provenance is what keeps a hash list from silently turning into a censorship list: every
entry says who submitted it, when, under which attestation and from which device or import.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final

from reclaim.signals.pdq import MIN_GOOD_QUALITY

SIGNAL_TYPES: Final = ("pdq", "vpdq", "sha256", "md5")


class Attestation(StrEnum):
    """Who vouches that the signal shows the person the bank protects."""

    SELF = "self"  # "I am the person shown"
    ON_BEHALF = "on-behalf"  # "I act for her with her consent" (helpline, lawyer)
    LIST = "list"  # an external list's operator vouches (StopNCII, an HMA bank)


class SourceKind(StrEnum):
    """Where the signal was computed from."""

    OWN_FILE = "own-file"  # her own copy, hashed on this device
    FOUND_COPY = "found-copy"  # a copy found online that shows her (voyeur victims never had one)
    HASHES_FILE = "hashes-file"  # hashes made elsewhere (the offline page, another installation)
    IMPORT = "import"  # an imported hash list


class EntryStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    # Never stored as a status: how followers see an active entry held for review.
    QUARANTINED = "quarantined"


@dataclass(frozen=True, slots=True)
class Provenance:
    submitted_by: str
    submitted_at: datetime
    attestation: Attestation
    source_kind: SourceKind
    source: str  # the device (installation) or the import (file, list name)


@dataclass(frozen=True, slots=True)
class ExtraView:
    """A bank-side extra hash of an entry, e.g. of a crop, named by how it was made."""

    via: str
    value: str


@dataclass(frozen=True, slots=True)
class NewEntry:
    """A signal about to be added to a bank."""

    signal_type: str
    value: str
    quality: int | None
    provenance: Provenance
    item_id: str
    external_id: str | None = None
    views: tuple[ExtraView, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.signal_type not in SIGNAL_TYPES:
            raise ValueError(f"unknown signal type {self.signal_type!r}")


@dataclass(frozen=True, slots=True)
class BankEntry:
    """A stored entry. ``value`` is None once withdrawn: only provenance and a fingerprint remain."""

    id: int
    bank: str
    case_id: str | None
    item_id: str
    signal_type: str
    value: str | None
    quality: int | None
    status: EntryStatus
    provenance: Provenance
    external_id: str | None
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdraw_reason: str | None

    @property
    def low_quality(self) -> bool:
        """PDQ of quality < 50: kept, but matched against only when asked explicitly."""
        return is_low_quality(self.signal_type, self.quality)

    def to_json(self) -> dict[str, object]:
        return {
            "entry_id": self.id,
            "bank": self.bank,
            "case_id": self.case_id,
            "item_id": self.item_id,
            "signal": self.signal_type,
            "value": self.value,
            "quality": self.quality,
            "low_quality": self.low_quality,
            "status": self.status.value,
            "submitted_by": self.provenance.submitted_by,
            "submitted_at": self.provenance.submitted_at.isoformat(),
            "attestation": self.provenance.attestation.value,
            "source_kind": self.provenance.source_kind.value,
            "source": self.provenance.source,
            "external_id": self.external_id,
            "withdrawn_at": self.withdrawn_at.isoformat() if self.withdrawn_at else None,
            "withdraw_reason": self.withdraw_reason,
        }


def is_low_quality(signal_type: str, quality: int | None) -> bool:
    return signal_type == "pdq" and quality is not None and quality < MIN_GOOD_QUALITY


def value_fingerprint(signal_type: str, value: str) -> str:
    """A one-way fingerprint kept after withdrawal, so an import cannot quietly re-add the value.

    It confirms a guessed value but reveals none: the hash itself is deleted.
    """
    return hashlib.sha256(f"{signal_type}:{value.lower()}".encode()).hexdigest()
