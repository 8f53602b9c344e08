"""What platforms may ask of the bank: does this hash or upload match, and what changed since.

Platforms see bank entries (ids, signals, distances), never cases, titles, identifiers or
evidence: every case's bank is named ``protected`` to them, since a case bank's own name holds
the case id, and which entries belong to one person is hers to keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from reclaim.errors import N_, UserInputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.bank.snapshot import BankHit, BankSnapshot
    from reclaim.config import MediaLimits
    from reclaim.store.bank_changes import EntryState

PUBLIC_CASE_BANK: Final = "protected"
PLATFORM_SIGNAL_TYPES: Final = ("pdq", "md5", "sha256")
MAX_PAGE: Final = 10_000
_HEX_LENGTHS: Final = {"pdq": 64, "sha256": 64, "md5": 32}
_HEX: Final = re.compile(r"[0-9a-f]+")
_CURSOR: Final = re.compile(r"(\d{1,18})(?:\.(\d{1,9}))?")


@dataclass(frozen=True, slots=True)
class PlatformMatch:
    bank: str
    entry_id: int
    distance: int

    def to_json(self) -> dict[str, object]:
        return {"bank": self.bank, "entry_id": self.entry_id, "distance": self.distance}


@dataclass(frozen=True, slots=True)
class MediaMatch:
    """An upload's matches and the hashes it was searched by, for the platform to keep."""

    matches: list[PlatformMatch]
    sha256: str
    md5: str
    pdq: tuple[str, int] | None  # (hex, quality) of the whole photo; None for a video

    def to_json(self) -> dict[str, object]:
        pdq = {"hash": self.pdq[0], "quality": self.pdq[1]} if self.pdq else None
        return {
            "matches": [match.to_json() for match in self.matches],
            "hashes": {"sha256": self.sha256, "md5": self.md5, "pdq": pdq},
        }


@dataclass(frozen=True, slots=True)
class BankDelta:
    entries: list[EntryState]
    next_cursor: str

    def to_json(self) -> dict[str, object]:
        return {
            "entries": [
                {
                    "entry_id": entry.entry_id,
                    "status": entry.status,
                    "signal_type": entry.signal_type,
                    "value": entry.value,
                    "quality": entry.quality,
                    "bank": _public_bank(entry.bank, entry.case_bank) if entry.bank else None,
                }
                for entry in self.entries
            ],
            "next_cursor": self.next_cursor,
        }


def match_signal(snapshot: BankSnapshot, signal_type: str, signal: str) -> list[PlatformMatch]:
    """Entries a PDQ hash is near, or an MD5 or SHA-256 digest equals."""
    from reclaim.signals.pdq import PdqHash

    value = signal.strip().lower()
    if signal_type not in PLATFORM_SIGNAL_TYPES:
        raise UserInputError(
            N_("{signal_type} is not a signal type."),
            hint=N_("Use pdq, md5 or sha256."),
            signal_type=signal_type,
        )
    if len(value) != _HEX_LENGTHS[signal_type] or not _HEX.fullmatch(value):
        raise UserInputError(
            N_("A {signal} hash has {length} hex digits."),
            signal=signal_type,
            length=_HEX_LENGTHS[signal_type],
        )
    if signal_type == "pdq":
        hits = snapshot.match_pdq(PdqHash.from_hex(value))
    else:
        hits = snapshot.match_digest(signal_type, value)
    return _platform_matches(hits)


def match_media(snapshot: BankSnapshot, data: bytes, limits: MediaLimits) -> MediaMatch:
    """Match an upload held in memory (never written to disk) as `reclaim match` matches a file."""
    from reclaim.signals.query_signals import query_signals_of_bytes

    signals = query_signals_of_bytes(data, "upload", limits)
    pdq = signals.pdq
    return MediaMatch(
        matches=_platform_matches(snapshot.match(signals)),
        sha256=signals.sha256,
        md5=signals.md5,
        pdq=(pdq.hex, pdq.quality) if pdq is not None else None,
    )


def bank_changes(engine: Engine, cursor: str, limit: int) -> BankDelta:
    """Entries added or withdrawn after ``cursor`` ("0" for the whole bank), at most ``limit``.

    An entry's present state is given (an entry added and since withdrawn shows as withdrawn),
    so a platform that applies the pages in order holds exactly the active entries.
    """
    from reclaim.store.bank_changes import changed_entry_ids, entry_states

    after_event, skip = _parse_cursor(cursor)
    if not 1 <= limit <= MAX_PAGE:
        raise UserInputError(N_("The limit must be between 1 and {most}."), most=MAX_PAGE)
    seen: list[int] = []
    next_event, next_skip = after_event, skip
    for event_id, position, entry_id in changed_entry_ids(engine, after_event, skip):
        if len(seen) == limit:
            break
        seen.append(entry_id)
        next_event, next_skip = event_id, position + 1
    unique = list(dict.fromkeys(seen))
    states = entry_states(engine, unique)
    return BankDelta([states[entry_id] for entry_id in unique], _format_cursor(next_event, next_skip))


def match_hits(hits: list[BankHit]) -> list[tuple[str, PlatformMatch]]:
    """Each entry a query hit, with the signal type it was found by, at its nearest distance."""
    best: dict[tuple[str, str, int], int] = {}
    for hit in hits:
        key = (hit.signal, _public_bank(hit.bank, hit.case_id is not None), hit.entry_id)
        best[key] = min(hit.distance, best.get(key, hit.distance))
    return [
        (signal, PlatformMatch(bank, entry_id, distance))
        for (signal, bank, entry_id), distance in best.items()
    ]


def _platform_matches(hits: list[BankHit]) -> list[PlatformMatch]:
    best: dict[tuple[str, int], int] = {}
    for hit in hits:
        key = (_public_bank(hit.bank, hit.case_id is not None), hit.entry_id)
        best[key] = min(hit.distance, best.get(key, hit.distance))
    return [PlatformMatch(bank, entry_id, distance) for (bank, entry_id), distance in best.items()]


def _public_bank(bank: str, case_bank: bool) -> str:
    return PUBLIC_CASE_BANK if case_bank else bank


def _parse_cursor(cursor: str) -> tuple[int, int]:
    parsed = _CURSOR.fullmatch(cursor.strip())
    if parsed is None:
        raise UserInputError(
            N_("{cursor} is not a cursor of this bank."),
            hint=N_("Start with since=0 and then pass the next_cursor of each answer."),
            cursor=cursor,
        )
    return int(parsed.group(1)), int(parsed.group(2) or 0)


def _format_cursor(event_id: int, skip: int) -> str:
    # "E.N": N entries of event E seen; a cursor is opaque to platforms, and stays valid forever.
    return f"{event_id}.{skip}" if skip else str(event_id)
