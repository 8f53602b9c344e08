"""Match found media or hashes against every active bank entry.

The bank is read once into a ``BankSnapshot``; found files are turned into query signals
(digests plus robust photo views or video frames) in worker processes, and matched here
without touching the database again. Low-quality PDQ entries are left out unless asked for,
because a plain picture's hash resembles many others.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from reclaim.config import Settings
from reclaim.errors import N_, UserInputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.bank.snapshot import BankHit, BankSnapshot
    from reclaim.services.hashing import HashFailure

_HEX: Final = re.compile(r"[0-9a-fA-F]+")
_PREFIXED: Final = re.compile(r"^(pdq|sha256|md5):([0-9a-fA-F]+)$")
_HEX_LENGTHS: Final = {"pdq": 64, "sha256": 64, "md5": 32}


@dataclass(frozen=True, slots=True)
class QueryResult:
    """The ``reclaim match --json`` line of one query."""

    query: str
    matches: tuple[BankHit, ...]

    def to_json(self) -> dict[str, object]:
        return {"query": self.query, "matches": [hit.to_json() for hit in self.matches]}


def load_bank(
    engine: Engine, *, include_low_quality: bool = False, case_id: str | None = None
) -> BankSnapshot:
    """Every active entry (or one case's), ready to match."""
    from reclaim.bank.snapshot import BankSnapshot
    from reclaim.store.banks import active_signal_table

    return BankSnapshot(active_signal_table(engine, case_id=case_id), allow_low_quality=include_low_quality)


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
    from reclaim.signals.pdq import PdqHash

    if signal_type == "pdq":
        hits = snapshot.match_pdq(PdqHash.from_hex(value))
    else:
        hits = snapshot.match_digest(signal_type, value)
    return QueryResult(query, tuple(hits))


def match_files(
    snapshot: BankSnapshot, files: Sequence[Path], settings: Settings, *, workers: int | None = None
) -> Iterator[QueryResult | HashFailure]:
    """Turn each file into query signals (in worker processes) and match it; failures are yielded."""
    from reclaim.services.hashing import HashFailure, map_files
    from reclaim.signals.query_signals import query_signals_of_file

    for outcome in map_files(query_signals_of_file, files, settings.limits, workers):
        if isinstance(outcome, HashFailure):
            yield outcome
        else:
            yield QueryResult(str(outcome.path), tuple(snapshot.match(outcome)))
