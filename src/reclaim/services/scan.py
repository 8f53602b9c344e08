"""Scan found items (an export, a folder, a live channel): hash, match every bank, read every text.

Each item becomes a ``FinishedItem`` (its hashes, never its media or text) and its leads go to
the review queue; both are written in batches, one transaction each, keyed by the item's stable
key. So a scan killed part-way and started again skips what it finished and never queues a
lead twice. Photos and videos are hashed in worker processes, in memory; only hashes are kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from reclaim.config import Settings
from reclaim.errors import MediaLimitError, ReclaimError
from reclaim.identifiers.keyed import IdentifierKind, KeyedHasher

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.bank.snapshot import BankHit, BankSnapshot
    from reclaim.services.identifiers import TextScanner
    from reclaim.signals.query_signals import QuerySignals
    from reclaim.sources.found import FoundItem
    from reclaim.store.scans import FinishedItem, NewLead

BATCH_SIZE: Final = 100
# Links are keyed under their own label, so a link's digest never equals a handle's.
_LINK_KEY_LABEL: Final = b"reclaim mentioned links v1"


@dataclass(frozen=True, slots=True)
class ScanSource:
    kind: str  # "telegram-export", "folder", "telegram-live"
    location: str


@dataclass(frozen=True, slots=True)
class ScanFailure:
    """A file that could not be hashed; the scan went on without it."""

    key: str
    error: ReclaimError


@dataclass
class ScanSummary:
    """What one run read and found, as `reclaim scan --json` prints it."""

    scan_id: int
    source: ScanSource
    items: int = 0
    already_scanned: int = 0  # finished by an earlier run of a scan: skipped, not hashed again
    media: int = 0  # photos and videos read this run
    texts: int = 0  # messages with text read this run
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> media not hashed
    media_hits: int = 0
    identifier_hits: int = 0
    unassigned_hits: int = 0  # matched an imported list that belongs to no case: not queued
    queued: int = 0  # new leads in the review queue
    failures: list[ScanFailure] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # what the source reports (export problems)

    def to_json(self) -> dict[str, Any]:
        return {
            "scan_id": self.scan_id,
            "source": self.source.kind,
            "location": self.source.location,
            "items": self.items,
            "already_scanned": self.already_scanned,
            "media": self.media,
            "texts": self.texts,
            "skipped": dict(sorted(self.skipped.items())),
            "hits": {"media": self.media_hits, "identifier": self.identifier_hits},
            "unassigned_hits": self.unassigned_hits,
            "queued": self.queued,
            **self.extra,
        }


class _Readers:
    """What every item is checked with, loaded once per scan."""

    def __init__(self, engine: Engine, settings: Settings, include_low_quality: bool) -> None:
        from reclaim.services.identifiers import TextScanner, identifier_secret
        from reclaim.services.matching import load_bank

        secret = identifier_secret(settings)
        self.bank: BankSnapshot = load_bank(engine, include_low_quality=include_low_quality)
        self.texts: TextScanner = TextScanner(engine, secret)
        self.handles = KeyedHasher(IdentifierKind.HANDLE, secret)
        self.links = KeyedHasher(IdentifierKind.HANDLE, secret + _LINK_KEY_LABEL)


def run_scan(
    engine: Engine,
    settings: Settings,
    items: Sequence[FoundItem],
    source: ScanSource,
    *,
    workers: int | None = None,
    include_low_quality: bool = False,
    advance: Callable[[], None] = lambda: None,
) -> ScanSummary:
    """Scan ``items``; ``advance`` is called once per item, including those an earlier run finished."""
    from reclaim.store.scans import finish_scan, finished_keys, record_items, start_scan

    readers = _Readers(engine, settings, include_low_quality)
    done = finished_keys(engine, (item.key for item in items))
    scan_id = start_scan(
        engine, source=source.kind, location=source.location, actor=settings.actor, at=datetime.now(UTC)
    )
    summary = ScanSummary(scan_id, source, items=len(items), already_scanned=len(done))
    for _ in range(len(done)):
        advance()
    todo = [item for item in items if item.key not in done]
    batch: list[FinishedItem] = []
    for item, signals in _with_signals(todo, settings, workers):
        batch.append(_finish(item, signals, readers, summary))
        advance()
        if len(batch) >= BATCH_SIZE:
            summary.queued += record_items(engine, scan_id, batch, datetime.now(UTC))
            batch = []
    if batch:
        summary.queued += record_items(engine, scan_id, batch, datetime.now(UTC))
    finish_scan(engine, scan_id, summary.to_json(), datetime.now(UTC))
    return summary


def _with_signals(
    items: Sequence[FoundItem], settings: Settings, workers: int | None
) -> Iterator[tuple[FoundItem, QuerySignals | ReclaimError | None]]:
    """Each item with its media's query signals (or why there are none), in order.

    Files are hashed in worker processes, all through one pool; media held in memory (a live
    download) is hashed here, since it arrives one post at a time.
    """
    from reclaim.services.hashing import HashFailure, map_files
    from reclaim.signals.query_signals import query_signals_of_bytes, query_signals_of_file

    paths = [item.media_path for item in items if item.media_path is not None]
    hashed = map_files(query_signals_of_file, paths, settings.limits, workers)
    for item in items:
        if item.media_path is not None:
            outcome = next(hashed)
            yield item, outcome.error if isinstance(outcome, HashFailure) else outcome
        elif item.media_bytes is not None:
            try:
                yield item, query_signals_of_bytes(item.media_bytes, item.key, settings.limits)
            except ReclaimError as error:
                yield item, error
        else:
            yield item, None


def _finish(
    item: FoundItem, signals: QuerySignals | ReclaimError | None, readers: _Readers, summary: ScanSummary
) -> FinishedItem:
    from reclaim.network.mentions import mentioned_handles, mentioned_links
    from reclaim.store.scans import FinishedItem

    leads: list[NewLead] = []
    reason: str | None = item.skipped_media
    outcome, sha256, pdq = "text", None, None
    if isinstance(signals, ReclaimError):
        outcome, reason = "failed", "over_limit" if isinstance(signals, MediaLimitError) else "unreadable"
        summary.failures.append(ScanFailure(item.key, signals))
    elif signals is not None:
        outcome, sha256 = "hashed", signals.sha256
        pdq = signals.pdq.hex if signals.pdq is not None else None
        summary.media += 1
        leads += _media_leads(item, signals, readers.bank.match(signals), summary)
    if reason is not None:
        summary.skipped[reason] += 1
    if item.text:
        summary.texts += 1
        leads += [_identifier_lead(hit.case_id, hit.kind) for hit in readers.texts.hits(item.text)]
    unique = tuple(_unique(leads))
    summary.identifier_hits += sum(lead.kind == "identifier" for lead in unique)
    handles = sorted(readers.handles.digest(h).hex() for h in mentioned_handles(item.text))
    links = sorted(readers.links.digest(u).hex() for u in mentioned_links(item.text, item.links))
    return FinishedItem(
        key=item.key,
        platform=item.platform,
        channel_id=item.channel.channel_id if item.channel else None,
        channel_title=item.channel.title if item.channel else None,
        message_id=item.message_id,
        url=item.url,
        posted_at=item.posted_at,
        forwarded_from_id=item.forwarded_from_id,
        outcome=outcome,
        skip_reason=reason,
        sha256=sha256,
        pdq=pdq,
        mentions={"handles": handles, "links": links} if handles or links else None,
        leads=unique,
    )


def _media_leads(
    item: FoundItem, signals: QuerySignals, hits: list[BankHit], summary: ScanSummary
) -> Iterator[NewLead]:
    """One lead per case: its best hit (an exact digest first, then the nearest)."""
    from reclaim.store.scans import NewLead

    best: dict[str, BankHit] = {}
    for hit in hits:
        if hit.case_id is None:
            summary.unassigned_hits += 1
            continue
        current = best.get(hit.case_id)
        if current is None or hit.rank < current.rank:
            best[hit.case_id] = hit
    summary.media_hits += len(best)
    for case_id, hit in sorted(best.items()):
        yield NewLead(
            case_id=case_id,
            kind="media",
            signal=hit.signal,
            distance=hit.distance,
            via=hit.via,
            entry_id=hit.entry_id,
            media_path=str(item.media_path) if item.media_path is not None else None,
            media_sha256=signals.sha256,
        )


def _identifier_lead(case_id: str, kind: str) -> NewLead:
    from reclaim.store.scans import NewLead

    return NewLead(case_id=case_id, kind="identifier", signal=kind, distance=0, via="text")


def _unique(leads: list[NewLead]) -> Iterator[NewLead]:
    """A message naming her phone twice is one lead; the queue keys leads by case, kind and signal."""
    seen: set[tuple[str, str, str]] = set()
    for lead in leads:
        key = (lead.case_id, lead.kind, lead.signal)
        if key not in seen:
            seen.add(key)
            yield lead
