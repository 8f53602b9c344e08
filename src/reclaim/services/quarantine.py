"""The quarantine review: entries held back from matching, platforms' feedback, and clearing.

An entry is held when it flooded (``services.flood``) or when a platform said the picture it
matched is not NCII. Either way a person looks: she clears it (it matches again) or withdraws
it (`reclaim bank withdraw`). A platform's "not NCII" holds an entry once: after a person has
cleared it, the same platform saying so again is recorded for her to see, and holds nothing,
so one platform cannot keep a victim's hash out of matching by repeating itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final

from reclaim.bank.entries import EntryStatus
from reclaim.errors import N_, NotFoundError, UserInputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.config import Settings
    from reclaim.store.quarantine import QuarantinedEntry
    from reclaim.store.tokens import TokenRecord

VERDICTS: Final = ("blocked", "not_ncii")
MAX_NOTE_LENGTH: Final = 1000


@dataclass(frozen=True, slots=True)
class FeedbackResult:
    entry_id: int
    verdict: str
    quarantined: bool  # the entry is held for review now (by this feedback or before it)

    def to_json(self) -> dict[str, object]:
        return {"entry_id": self.entry_id, "verdict": self.verdict, "quarantined": self.quarantined}


def give_feedback(
    engine: Engine, token: TokenRecord, entry_id: int, verdict: str, note: str | None = None
) -> FeedbackResult:
    """Record a platform's verdict on an entry it matched; "not_ncii" holds the entry for review."""
    from reclaim.store.quarantine import (
        earlier_feedback_at,
        entry_standing,
        quarantine_entries,
        record_feedback,
    )

    if verdict not in VERDICTS:
        raise UserInputError(
            N_("{verdict} is not a verdict."), hint=N_("Use blocked or not_ncii."), verdict=verdict
        )
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise UserInputError(N_("The note is longer than {limit} characters."), limit=MAX_NOTE_LENGTH)
    standing = entry_standing(engine, entry_id)
    if standing is None or standing.status != EntryStatus.ACTIVE:
        raise _no_entry(entry_id)
    now = datetime.now(UTC)
    said_before = earlier_feedback_at(engine, entry_id, token_id=token.token_id, verdict=verdict)
    actor = f"token:{token.token_id}"
    record_feedback(
        engine, entry_id, verdict=verdict, token_id=token.token_id, note=note, actor=actor, at=now
    )
    held = standing.quarantined
    repeated_after_clearing = (
        said_before is not None and standing.cleared_at is not None and standing.cleared_at > said_before
    )
    if verdict == "not_ncii" and not held and not repeated_after_clearing:
        held = bool(quarantine_entries(engine, {entry_id: 0}, reason="feedback", actor=actor, at=now))
    return FeedbackResult(entry_id, verdict, held)


def held_entries(engine: Engine, settings: Settings, *, case_id: str | None = None) -> list[QuarantinedEntry]:
    """Entries waiting for review, with their matches over the flood window and their feedback."""
    from reclaim.store.quarantine import quarantined_entries

    since = datetime.now(UTC) - timedelta(hours=settings.flood.hours)
    return quarantined_entries(engine, since=since, case_id=case_id)


def clear_held_entry(engine: Engine, entry_id: int, *, actor: str) -> None:
    """A person looked and the entry is hers: it matches again, and floods no longer hold it."""
    from reclaim.store.quarantine import clear_entry, entry_standing

    if not clear_entry(engine, entry_id, actor=actor, at=datetime.now(UTC)):
        standing = entry_standing(engine, entry_id)
        if standing is None or standing.status != EntryStatus.ACTIVE:
            raise _no_entry(entry_id)
        raise UserInputError(
            N_("Entry {entry_id} is not quarantined."),
            hint=N_("`reclaim bank quarantine` lists the entries waiting for review."),
            entry_id=entry_id,
        )


def _no_entry(entry_id: int) -> NotFoundError:
    return NotFoundError(
        N_("There is no entry {entry_id} in the bank."),
        hint=N_("It may have been withdrawn: the bank feed (GET /v1/bank/entries) says so."),
        entry_id=entry_id,
    )
