"""How each platform answers: median time from sending to removal, and the share it refuses."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reclaim.cases.notice_states import NoticeStatus
from reclaim.cases.routes import STEPS

if TYPE_CHECKING:
    from reclaim.store.notices import NoticeRecord


@dataclass(frozen=True, slots=True)
class PlatformStats:
    addressee: str  # who received the notices: a platform, 12377, the police, the hotlines
    notices: int
    sent: int
    removed: int
    refused: int
    no_response: int
    waiting: int  # sent and not yet answered
    median_hours_to_removal: float | None
    refusal_share: float | None  # refused / answered (removed or refused)

    def to_json(self) -> dict[str, Any]:
        return {
            "platform": self.addressee,
            "notices": self.notices,
            "sent": self.sent,
            "removed": self.removed,
            "refused": self.refused,
            "no_response": self.no_response,
            "waiting": self.waiting,
            "median_hours_to_removal": self.median_hours_to_removal,
            "refusal_share": self.refusal_share,
        }


def platform_stats(notices: Sequence[NoticeRecord]) -> list[PlatformStats]:
    """One row per addressee with a notice on record, most notices first."""
    groups: dict[str, list[NoticeRecord]] = {}
    for notice in notices:
        groups.setdefault(STEPS[notice.route].addressee, []).append(notice)
    rows = [_stats(addressee, group) for addressee, group in groups.items()]
    return sorted(rows, key=lambda row: (-row.notices, row.addressee))


def _stats(addressee: str, notices: Sequence[NoticeRecord]) -> PlatformStats:
    def count(status: NoticeStatus) -> int:
        return sum(1 for n in notices if n.status == status)

    hours = [
        (n.closed_at - n.sent_at).total_seconds() / 3600
        for n in notices
        if n.status == NoticeStatus.REMOVED and n.closed_at is not None and n.sent_at is not None
    ]
    removed, refused = count(NoticeStatus.REMOVED), count(NoticeStatus.REFUSED)
    answered = removed + refused
    return PlatformStats(
        addressee=addressee,
        notices=len(notices),
        sent=sum(1 for n in notices if n.sent_at is not None),
        removed=removed,
        refused=refused,
        no_response=count(NoticeStatus.NO_RESPONSE),
        waiting=count(NoticeStatus.SENT) + count(NoticeStatus.ACKNOWLEDGED),
        median_hours_to_removal=round(statistics.median(hours), 1) if hours else None,
        refusal_share=round(refused / answered, 3) if answered else None,
    )
