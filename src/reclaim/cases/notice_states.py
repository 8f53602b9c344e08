"""A notice's life: drafted, sent, answered, and when it is overdue.

    draft ──sent──▶ sent ──▶ acknowledged ──▶ removed
                      │            │      └─▶ refused ──▶ removed (the platform changed its mind)
                      └────────────┴──────▶ no-response ──▶ acknowledged | removed | refused

A late answer is still recorded. "removed" is final: content that comes back is a new
sighting, flagged as a re-upload, and gets a new notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from reclaim.errors import N_, UserInputError


class NoticeStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    REMOVED = "removed"
    REFUSED = "refused"
    NO_RESPONSE = "no-response"


_ALLOWED: Final = {
    NoticeStatus.DRAFT: {NoticeStatus.SENT},
    NoticeStatus.SENT: {
        NoticeStatus.ACKNOWLEDGED,
        NoticeStatus.REMOVED,
        NoticeStatus.REFUSED,
        NoticeStatus.NO_RESPONSE,
    },
    NoticeStatus.ACKNOWLEDGED: {NoticeStatus.REMOVED, NoticeStatus.REFUSED, NoticeStatus.NO_RESPONSE},
    NoticeStatus.NO_RESPONSE: {NoticeStatus.ACKNOWLEDGED, NoticeStatus.REMOVED, NoticeStatus.REFUSED},
    NoticeStatus.REFUSED: {NoticeStatus.REMOVED},
    NoticeStatus.REMOVED: set(),
}
# Still waiting for the platform: these can fall overdue.
WAITING: Final = frozenset({NoticeStatus.DRAFT, NoticeStatus.SENT, NoticeStatus.ACKNOWLEDGED})
# The sightings a notice in these states covers need no other notice to the same addressee.
LIVE: Final = WAITING | {NoticeStatus.REMOVED}
# Answered one way or the other; refused and no-response ones are escalated.
ESCALATABLE: Final = frozenset(
    {NoticeStatus.SENT, NoticeStatus.ACKNOWLEDGED, NoticeStatus.REFUSED, NoticeStatus.NO_RESPONSE}
)


@dataclass(frozen=True, slots=True)
class Transition:
    status: NoticeStatus
    sent_at: datetime | None
    due_at: datetime
    closed_at: datetime | None


def transition(
    current: NoticeStatus,
    wanted: NoticeStatus,
    *,
    at: datetime,
    sent_at: datetime | None,
    due_at: datetime,
    wait: timedelta,
) -> Transition:
    """The notice after moving to ``wanted`` at ``at``; a clear error for a move that cannot happen."""
    if wanted not in _ALLOWED[current]:
        raise UserInputError(
            N_("A notice that is {current} cannot become {wanted}."),
            hint=N_("Allowed from {current}: {allowed}."),
            current=current.value,
            wanted=wanted.value,
            allowed=", ".join(sorted(s.value for s in _ALLOWED[current])) or "-",
        )
    if wanted is NoticeStatus.SENT:
        # The wait for an answer starts when it was sent, not when it was drafted.
        return Transition(wanted, at, at + wait, None)
    if sent_at is not None and at < sent_at:
        raise UserInputError(
            N_("The notice was sent on {sent}; an answer cannot come before that."),
            sent=sent_at.strftime("%Y-%m-%d %H:%M UTC"),
        )
    closed = at if wanted in (NoticeStatus.REMOVED, NoticeStatus.REFUSED) else None
    return Transition(wanted, sent_at, due_at, closed)


def is_overdue(status: NoticeStatus, due_at: datetime, now: datetime) -> bool:
    return status in WAITING and now > due_at
