"""`reclaim stats`: median time to removal and share of refusals per addressee."""

from __future__ import annotations

from reclaim.cases.stats import platform_stats
from tests.cases.notices_fixtures import notice


def test_median_hours_to_removal_and_refusal_share_per_platform() -> None:
    notices = [
        notice(1, [1], "removed", sent_days=1, closed_days=2),  # 24 h
        notice(2, [2], "removed", sent_days=1, closed_days=4),  # 72 h
        notice(3, [3], "removed", sent_days=1, closed_days=1.5),  # 12 h
        notice(4, [4], "refused", sent_days=1, closed_days=3),
        notice(5, [5], "sent"),
        notice(6, [6], "no-response"),
        notice(7, [7], "draft", sent_days=None),
        notice(8, [8], "removed", route="police", sent_days=1, closed_days=11),
    ]
    telegram, police = platform_stats(notices)
    assert telegram.to_json() == {
        "platform": "telegram",
        "notices": 7,
        "sent": 6,
        "removed": 3,
        "refused": 1,
        "no_response": 1,
        "waiting": 1,
        "median_hours_to_removal": 24.0,
        "refusal_share": 0.25,
    }
    assert (police.addressee, police.median_hours_to_removal, police.refusal_share) == ("police", 240.0, 0.0)


def test_no_answer_yet_gives_no_figures_rather_than_zero() -> None:
    [row] = platform_stats([notice(1, [1], "sent")])
    assert row.median_hours_to_removal is None and row.refusal_share is None
