"""Match found media or hashes against every active bank entry.

The bank is read once into a snapshot (entry metadata plus the searchable signals); queries
are then matched without touching the database. Low-quality PDQ entries are left out unless
asked for, because a plain picture's hash resembles many others.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

from reclaim.bank.entries import is_low_quality
from reclaim.bank.exact import DigestLookup
from reclaim.config import Settings
from reclaim.errors import N_, UserInputError
from reclaim.signals.pdq import PdqHash

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.bank.index import HammingIndex
    from reclaim.services.hashing import HashFailure, HashResult
    from reclaim.signals.vpdq import VpdqFrame

PDQ_MAX_DISTANCE: Final = 31
_HEX: Final = re.compile(r"[0-9a-fA-F]+")
_PREFIXED: Final = re.compile(r"^(pdq|sha256|md5):([0-9a-fA-F]+)$")
_HEX_LENGTHS: Final = {"pdq": 64, "sha256": 64, "md5": 32}


@dataclass(frozen=True, slots=True)
class IndexedEntry:
    entry_id: int
    bank: str
    case_id: str | None
    signal_type: str


@dataclass(frozen=True, slots=True)
class MatchHit:
    """One bank entry a query matched, and how: which view of the query, at what distance."""

    entry: IndexedEntry
    distance: int
    via: str

    def to_json(self) -> dict[str, object]:
        return {
            "case_id": self.entry.case_id,
            "bank": self.entry.bank,
            "entry_id": self.entry.entry_id,
            "signal": self.entry.signal_type,
            "distance": self.distance,
            "via": self.via,
        }


@dataclass(frozen=True, slots=True)
class QueryResult:
    query: str
    matches: tuple[MatchHit, ...]

    def to_json(self) -> dict[str, object]:
        return {"query": self.query, "matches": [hit.to_json() for hit in self.matches]}


@dataclass
class BankSnapshot:
    """The active entries, ready to search; built once per command or worker."""

    entries: list[IndexedEntry]
    digests: DigestLookup
    pdq_index: HammingIndex
    pdq_rows: npt.NDArray[np.int64]  # index row -> entry row
    pdq_via: list[str]  # index row -> "whole" or the bank-side view it is
    videos: list[tuple[int, tuple[VpdqFrame, ...]]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.entries)


def load_bank(
    engine: Engine, *, include_low_quality: bool = False, case_id: str | None = None
) -> BankSnapshot:
    from reclaim.bank.index import HammingIndex
    from reclaim.signals.vpdq import frames_from_signal_string
    from reclaim.store.banks import active_signals

    entries: list[IndexedEntry] = []
    digests: list[tuple[int, str, str]] = []
    pdq_hashes: list[bytes] = []
    pdq_rows: list[int] = []
    pdq_via: list[str] = []
    videos: list[tuple[int, tuple[VpdqFrame, ...]]] = []
    for signal in active_signals(engine, case_id=case_id):
        if signal.signal_type == "pdq" and is_low_quality("pdq", signal.quality) and not include_low_quality:
            continue
        row = len(entries)
        entries.append(IndexedEntry(signal.entry_id, signal.bank, signal.case_id, signal.signal_type))
        if signal.signal_type == "pdq":
            for via, value in [("whole", signal.value), *((v.via, v.value) for v in signal.views)]:
                pdq_hashes.append(bytes.fromhex(value))
                pdq_rows.append(row)
                pdq_via.append(via)
        elif signal.signal_type == "vpdq":
            videos.append((row, tuple(frames_from_signal_string(signal.value))))
        else:
            digests.append((row, signal.signal_type, signal.value))
    matrix = np.frombuffer(b"".join(pdq_hashes), dtype=np.uint8).reshape(-1, 32)
    return BankSnapshot(
        entries=entries,
        digests=DigestLookup(digests),
        pdq_index=HammingIndex(matrix),
        pdq_rows=np.asarray(pdq_rows, dtype=np.int64),
        pdq_via=pdq_via,
        videos=videos,
    )


def parse_hash_query(text: str) -> tuple[str, str] | None:
    """(signal type, hex) for ``pdq:HEX``, ``sha256:HEX``, ``md5:HEX``, 64 hex (PDQ) or 32 hex (MD5)."""
    prefixed = _PREFIXED.match(text.strip())
    if prefixed:
        signal_type, value = prefixed.group(1), prefixed.group(2).lower()
        if len(value) != _HEX_LENGTHS[signal_type]:
            raise UserInputError(
                N_("A {signal} hash has {length} hex digits; {query} has {count}."),
                signal=signal_type,
                length=_HEX_LENGTHS[signal_type],
                query=text,
                count=len(value),
            )
        return signal_type, value
    if _HEX.fullmatch(text.strip()):
        value = text.strip().lower()
        if len(value) == 64:
            return "pdq", value
        if len(value) == 32:
            return "md5", value
    return None


def match_hash(snapshot: BankSnapshot, query: str, signal_type: str, value: str) -> QueryResult:
    if signal_type == "pdq":
        hits = _pdq_hits(snapshot, [(PdqHash.from_hex(value), "whole")])
    else:
        hits = [
            MatchHit(snapshot.entries[row], 0, "exact") for row in snapshot.digests.find(signal_type, value)
        ]
    return QueryResult(query, tuple(hits))


def match_files(
    snapshot: BankSnapshot, files: Sequence[Path], settings: Settings, *, workers: int | None = None
) -> Iterator[QueryResult | HashFailure]:
    """Hash each file and match it; failures are yielded, not raised."""
    from reclaim.services.hashing import HashFailure, hash_files

    for outcome in hash_files(files, settings.limits, workers=workers):
        if isinstance(outcome, HashFailure):
            yield outcome
        else:
            yield match_hashed_file(snapshot, outcome)


def match_hashed_file(snapshot: BankSnapshot, result: HashResult) -> QueryResult:
    hits: list[MatchHit] = []
    for signal_type, value in (("sha256", result.sha256), ("md5", result.md5)):
        hits += [
            MatchHit(snapshot.entries[row], 0, "exact") for row in snapshot.digests.find(signal_type, value)
        ]
    if result.pdq is not None:
        hits += _pdq_hits(snapshot, [(result.pdq, "whole")])
    if result.vpdq is not None:
        hits += _video_hits(snapshot, result.vpdq)
    return QueryResult(str(result.path), tuple(hits))


def _pdq_hits(snapshot: BankSnapshot, views: Sequence[tuple[PdqHash, str]]) -> list[MatchHit]:
    if not views or len(snapshot.pdq_index) == 0:
        return []
    queries = np.frombuffer(b"".join(view.bits for view, _ in views), dtype=np.uint8).reshape(-1, 32)
    query_rows, index_rows, distances = snapshot.pdq_index.search(queries, PDQ_MAX_DISTANCE)
    best: dict[int, MatchHit] = {}
    for query_row, index_row, distance in zip(query_rows, index_rows, distances, strict=True):
        entry_row = int(snapshot.pdq_rows[index_row])
        via = _via(views[query_row][1], snapshot.pdq_via[index_row])
        if entry_row not in best or distance < best[entry_row].distance:
            best[entry_row] = MatchHit(snapshot.entries[entry_row], int(distance), via)
    return sorted(best.values(), key=lambda hit: (hit.distance, hit.entry.entry_id))


def _video_hits(snapshot: BankSnapshot, frames: Sequence[VpdqFrame]) -> list[MatchHit]:
    from reclaim.signals.vpdq import is_vpdq_match, match_videos

    hits = []
    for row, protected in snapshot.videos:
        if is_vpdq_match(frames, protected):
            result = match_videos(frames, protected)
            distance = round(100 - min(result.query_percent, result.target_percent))
            hits.append(MatchHit(snapshot.entries[row], distance, "vpdq"))
    return hits


def _via(query_view: str, bank_view: str) -> str:
    if bank_view == "whole":
        return query_view
    return f"{query_view}~{bank_view}"
