"""The notice state machine: which moves are allowed, and when the answer is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reclaim.cases.notice_states import NoticeStatus, is_overdue, transition
from reclaim.errors import UserInputError

DRAFTED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
WAIT = timedelta(days=3)


def test_sending_starts_the_wait_for_an_answer() -> None:
    sent_at = DRAFTED + timedelta(days=2)
    moved = transition(
        NoticeStatus.DRAFT, NoticeStatus.SENT, at=sent_at, sent_at=None, due_at=DRAFTED + WAIT, wait=WAIT
    )
    assert (moved.status, moved.sent_at, moved.due_at, moved.closed_at) == (
        NoticeStatus.SENT,
        sent_at,
        sent_at + WAIT,
        None,
    )


@pytest.mark.parametrize("answer", [NoticeStatus.REMOVED, NoticeStatus.REFUSED])
def test_removal_and_refusal_close_the_notice_at_the_time_they_happened(answer: NoticeStatus) -> None:
    answered = DRAFTED + timedelta(days=1, hours=5)
    moved = transition(
        NoticeStatus.SENT, answer, at=answered, sent_at=DRAFTED, due_at=DRAFTED + WAIT, wait=WAIT
    )
    assert moved.closed_at == answered and moved.sent_at == DRAFTED and moved.due_at == DRAFTED + WAIT


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (NoticeStatus.DRAFT, NoticeStatus.REMOVED),  # a draft was never sent: nothing to answer
        (NoticeStatus.DRAFT, NoticeStatus.ACKNOWLEDGED),
        (NoticeStatus.REMOVED, NoticeStatus.SENT),  # removal is final; a re-upload gets a new notice
        (NoticeStatus.REMOVED, NoticeStatus.REFUSED),
        (NoticeStatus.SENT, NoticeStatus.SENT),
        (NoticeStatus.REFUSED, NoticeStatus.ACKNOWLEDGED),
    ],
)
def test_impossible_moves_are_refused_with_what_is_allowed(
    current: NoticeStatus, wanted: NoticeStatus
) -> None:
    with pytest.raises(UserInputError) as raised:
        transition(current, wanted, at=DRAFTED, sent_at=DRAFTED, due_at=DRAFTED, wait=WAIT)
    assert raised.value.params["current"] == current.value


def test_a_late_answer_after_no_response_is_still_recorded() -> None:
    late = DRAFTED + timedelta(days=10)
    moved = transition(
        NoticeStatus.NO_RESPONSE,
        NoticeStatus.REMOVED,
        at=late,
        sent_at=DRAFTED,
        due_at=DRAFTED + WAIT,
        wait=WAIT,
    )
    assert moved.status is NoticeStatus.REMOVED and moved.closed_at == late


def test_an_answer_cannot_come_before_the_notice_was_sent() -> None:
    with pytest.raises(UserInputError):
        transition(
            NoticeStatus.SENT,
            NoticeStatus.REMOVED,
            at=DRAFTED - timedelta(hours=1),
            sent_at=DRAFTED,
            due_at=DRAFTED + WAIT,
            wait=WAIT,
        )


def test_only_notices_still_waiting_fall_overdue() -> None:
    due = DRAFTED + WAIT
    after = due + timedelta(seconds=1)
    assert is_overdue(NoticeStatus.SENT, due, after)
    assert is_overdue(NoticeStatus.ACKNOWLEDGED, due, after)
    assert is_overdue(NoticeStatus.DRAFT, due, after)
    assert not is_overdue(NoticeStatus.SENT, due, due)
    for answered in (NoticeStatus.REMOVED, NoticeStatus.REFUSED, NoticeStatus.NO_RESPONSE):
        assert not is_overdue(answered, due, after)
