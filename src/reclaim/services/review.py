"""The review queue: a person looks at each lead a scan found and accepts or rejects it.

A match is never acted on by itself. Accepting records a sighting in the case's evidence log,
with the found file sealed in the vault as its capture; rejecting is kept, so the same item
is not queued again. A lead that may show a minor is accepted without any capture (keeping
such material is itself an offence: 未成年人保护法 art. 52) and is sent to the child-protection
route instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from reclaim.config import Settings
from reclaim.errors import N_, UserInputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.evidence.entries import SourceRef
    from reclaim.evidence.vault import Vault
    from reclaim.services.evidence import RecordedEntry
    from reclaim.store.scans import StoredReview


@dataclass(frozen=True, slots=True)
class ReportRoute:
    name: str
    address: str


# Where content that may show a child is reported (../shared/legal/REFERENCE.md, "Minors" and
# "Reporting routes"): the link is enough; the file itself must not be kept or passed on.
CHILD_PROTECTION_ROUTES: Final = (
    ReportRoute("12377", "https://www.12377.cn"),
    ReportRoute("police", "https://www.cyberpolice.cn"),
    ReportRoute("IWF", "https://report.iwf.org.uk"),
)


@dataclass(frozen=True, slots=True)
class Decision:
    """What deciding a lead did: the lead, and for an accepted one the sighting it became."""

    review: StoredReview
    sighting: RecordedEntry | None = None
    capture_missing: str | None = None  # why the found file could not be kept as the capture

    def to_json(self) -> dict[str, Any]:
        record = self.review.to_json()
        if self.sighting is not None:
            record["sighting"] = {
                "leaf_index": self.sighting.leaf_index,
                "leaf_hash": self.sighting.leaf_hash,
            }
            record["capture"] = self.sighting.entry.get("capture") is not None
        if self.capture_missing is not None:
            record["capture_missing"] = self.capture_missing
        if self.review.possible_minor:
            record["route"] = [{"name": r.name, "address": r.address} for r in CHILD_PROTECTION_ROUTES]
        return record


def list_leads(engine: Engine, *, statuses: Sequence[str], case_id: str | None = None) -> list[StoredReview]:
    from reclaim.store.scans import list_reviews

    return list_reviews(engine, statuses=statuses, case_id=case_id)


def accept_lead(
    engine: Engine,
    settings: Settings,
    review_id: int,
    *,
    open_vault: Callable[[], Vault],
    possible_minor: bool = False,
    note: str | None = None,
) -> Decision:
    """Record the lead as a sighting in its case's log, then mark it accepted."""
    from reclaim.services.evidence import SightingRequest, add_sighting
    from reclaim.store.scans import ACCEPTED, decide_review, get_review

    review = _pending(engine, review_id)
    capture, missing = (None, None) if possible_minor else _capture_of(review)
    request = SightingRequest(
        url=review.url or "",
        capture=capture,
        note=note,
        seen_at=review.posted_at.isoformat() if review.posted_at else None,
        source=_source_of(review),
        match=_match_record(review, possible_minor),
    )
    sighting = add_sighting(engine, settings, review.case_id, request, open_vault() if capture else None)
    if not decide_review(
        engine,
        review_id,
        status=ACCEPTED,
        actor=settings.actor,
        at=datetime.now(UTC),
        possible_minor=possible_minor,
        leaf_index=sighting.leaf_index,
    ):
        raise _already_decided(review_id)
    decided = get_review(engine, review_id)
    assert decided is not None
    return Decision(decided, sighting, missing)


def reject_lead(engine: Engine, settings: Settings, review_id: int) -> Decision:
    from reclaim.store.scans import REJECTED, decide_review, get_review

    _pending(engine, review_id)
    if not decide_review(engine, review_id, status=REJECTED, actor=settings.actor, at=datetime.now(UTC)):
        raise _already_decided(review_id)
    decided = get_review(engine, review_id)
    assert decided is not None
    return Decision(decided)


def _pending(engine: Engine, review_id: int) -> StoredReview:
    from reclaim.store.scans import PENDING, get_review

    review = get_review(engine, review_id)
    if review is None:
        raise UserInputError(
            N_("There is no lead {review_id} in the review queue."),
            hint=N_("See the queue with: reclaim review list"),
            review_id=review_id,
        )
    if review.status != PENDING:
        raise _already_decided(review_id)
    return review


def _already_decided(review_id: int) -> UserInputError:
    return UserInputError(
        N_("Lead {review_id} has already been decided."),
        hint=N_("See decided leads with: reclaim review list --status all"),
        review_id=review_id,
    )


def _capture_of(review: StoredReview) -> tuple[Path | None, str | None]:
    """The found file, when it is still where the scan read it and unchanged; else why not."""
    if review.kind != "media" or review.media_path is None:
        return None, None
    path = Path(review.media_path)
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, error.strerror or type(error).__name__
    if hashlib.sha256(data).hexdigest() != review.media_sha256:
        return None, "changed"
    return path, None


def _source_of(review: StoredReview) -> SourceRef:
    from reclaim.evidence.entries import SourceRef, parse_source_url

    if review.url and review.url.startswith(("http://", "https://")):
        parsed = parse_source_url(review.url)
        if parsed.channel_id is None and review.channel_id:
            return SourceRef(
                parsed.url, parsed.platform, parsed.channel, review.channel_id, parsed.message_id
            )
        return parsed
    message = str(review.message_id) if review.message_id is not None else None
    return SourceRef(review.url or "", review.platform or "unknown", None, review.channel_id, message)


def _match_record(review: StoredReview, possible_minor: bool) -> dict[str, Any]:
    """What the log keeps of the lead: how it matched, never the detail or the media itself."""
    return {
        "review_id": review.id,
        "kind": review.kind,
        "signal": review.signal,
        "distance": review.distance,
        "via": review.via,
        "entry_id": review.entry_id,
        "media_sha256": review.media_sha256,
        "channel_title": review.channel_title,
        "posted_at": review.posted_at.isoformat() if review.posted_at else None,
        "possible_minor": possible_minor,
    }
