"""`reclaim review import OUT.parquet`: a bulk job's matches become leads, exactly as a scan's hits.

The output carries no cases (services/bulk_scan.py), so each matched entry is looked up in
this installation's active bank: an entry withdrawn since the job ran gives no lead, and one
of an imported list that belongs to no case is counted, not queued, as `reclaim scan` does.
Per file and case, the best hit becomes the lead (an exact digest first, then the nearest), and
items are keyed by the file's id and digest, so importing the same output twice queues nothing new.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from reclaim.config import Settings
from reclaim.errors import N_, UserInputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.store.scans import FinishedItem

PLATFORM: Final = "bulk"
SOURCE: Final = "bulk-import"
_BATCH: Final = 100
_COLUMNS: Final = ("id", "sha256", "pdq", "match_entry", "distance", "via")


@dataclass(frozen=True, slots=True)
class _Match:
    entry_id: int
    distance: int
    via: str


@dataclass
class ImportSummary:
    scan_id: int
    location: str
    matched_files: int = 0
    queued: int = 0
    unassigned: int = 0  # matched an imported list that belongs to no case: not queued
    withdrawn: int = 0  # the entry is no longer in the bank: not queued

    def to_json(self) -> dict[str, object]:
        return {
            "scan_id": self.scan_id,
            "source": SOURCE,
            "location": self.location,
            "matched_files": self.matched_files,
            "queued": self.queued,
            "unassigned_hits": self.unassigned,
            "withdrawn_hits": self.withdrawn,
        }


def import_bulk_matches(engine: Engine, settings: Settings, location: Path) -> ImportSummary:
    """Queue the matches of a `reclaim bulk scan|match` output for review."""
    from reclaim.store.scans import finish_scan, record_items, start_scan

    matches, digests = _read_matches(location)
    owners = _entry_owners(engine)
    scan_id = start_scan(
        engine, source=SOURCE, location=str(location.resolve()), actor=settings.actor, at=datetime.now(UTC)
    )
    summary = ImportSummary(scan_id, str(location.resolve()), matched_files=len(matches))
    batch: list[FinishedItem] = []
    for media_id, found in sorted(matches.items()):
        batch.append(_finished(media_id, digests[media_id], found, owners, summary))
        if len(batch) >= _BATCH:
            summary.queued += record_items(engine, scan_id, batch, datetime.now(UTC))
            batch = []
    if batch:
        summary.queued += record_items(engine, scan_id, batch, datetime.now(UTC))
    finish_scan(engine, scan_id, summary.to_json(), datetime.now(UTC))
    return summary


def _read_matches(location: Path) -> tuple[dict[str, list[_Match]], dict[str, tuple[str | None, str | None]]]:
    """Matched rows only (a whole corpus's output is mostly rows without a match)."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    try:
        dataset = ds.dataset(str(location), format="parquet")
        missing = [name for name in _COLUMNS if name not in dataset.schema.names]
        if missing:
            raise UserInputError(
                N_("{path} is not the output of reclaim bulk scan or bulk match (it has no {columns})."),
                hint=N_(
                    "Import the --output of `reclaim bulk scan` (not --hash-only) or `reclaim bulk match`."
                ),
                path=str(location),
                columns=", ".join(missing),
            )
        table = dataset.to_table(columns=list(_COLUMNS), filter=ds.field("match_entry").is_valid())
    except (OSError, pa.ArrowInvalid) as error:
        raise UserInputError(
            N_("{path} cannot be read as Parquet ({reason})."), path=str(location), reason=str(error)
        ) from None
    matches: dict[str, list[_Match]] = defaultdict(list)
    digests: dict[str, tuple[str | None, str | None]] = {}
    for row in table.to_pylist():
        media_id = str(row["id"])
        matches[media_id].append(_Match(int(row["match_entry"]), int(row["distance"] or 0), str(row["via"])))
        digests[media_id] = (row["sha256"], row["pdq"])
    return matches, digests


def _entry_owners(engine: Engine) -> dict[int, tuple[str | None, str]]:
    """Each active entry's case (None for a list of no case) and signal type."""
    from reclaim.store.banks import active_signal_table

    table = active_signal_table(engine)
    return {
        int(entry_id): (table.banks[int(bank_id)][1], signal)
        for entry_id, bank_id, signal in zip(table.entry_ids, table.bank_ids, table.signal_types, strict=True)
    }


def _finished(
    media_id: str,
    digests: tuple[str | None, str | None],
    found: list[_Match],
    owners: dict[int, tuple[str | None, str]],
    summary: ImportSummary,
) -> FinishedItem:
    from reclaim.bank.snapshot import hit_rank
    from reclaim.store.scans import FinishedItem, NewLead

    sha256, pdq = digests
    best: dict[str, tuple[tuple[int, int, int], _Match, str]] = {}
    for match in found:
        owner = owners.get(match.entry_id)
        if owner is None:
            summary.withdrawn += 1
            continue
        case_id, signal = owner
        if case_id is None:
            summary.unassigned += 1
            continue
        rank = hit_rank(signal, match.distance, match.entry_id)  # the scan's order of preference
        if case_id not in best or rank < best[case_id][0]:
            best[case_id] = (rank, match, signal)
    local = _local_file(media_id)
    leads = tuple(
        NewLead(
            case_id=case_id,
            kind="media",
            signal=signal,
            distance=match.distance,
            via=match.via,
            entry_id=match.entry_id,
            media_path=str(local) if local is not None else None,
            media_sha256=sha256,
        )
        for case_id, (_, match, signal) in sorted(best.items())
    )
    return FinishedItem(
        key=f"{PLATFORM}:{media_id}:{sha256}",
        platform=PLATFORM,
        channel_id=None,
        channel_title=None,
        message_id=None,
        url=_url(media_id, local),
        posted_at=None,
        forwarded_from_id=None,
        outcome="hashed",
        sha256=sha256,
        pdq=pdq,
        leads=leads,
    )


def _local_file(media_id: str) -> Path | None:
    """The file itself when the id is a path on this machine: accepting the lead can then seal it."""
    path = Path(media_id)
    try:
        return path if path.is_absolute() and path.is_file() else None
    except OSError:
        return None


def _url(media_id: str, local: Path | None) -> str | None:
    if local is not None:
        return local.as_uri()
    return media_id if "://" in media_id else None
