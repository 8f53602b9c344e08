"""What `case show` flags: overdue notices, re-uploads after removal, the police deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reclaim.cases.timeline import add_months, case_flags, case_timeline, police_deadline, reuploads
from tests.cases.notices_fixtures import T0, notice, sighting


def test_the_same_link_seen_after_removal_is_a_reupload_and_before_removal_it_is_not() -> None:
    first = sighting(1, "https://t.me/maskpark/12")
    before = sighting(2, "https://t.me/maskpark/12", days=1.5)  # seen again while the notice was open
    again = sighting(3, "https://t.me/maskpark/12", days=5)
    removed = notice(1, [1], "removed", closed_days=2)
    flags = reuploads([first, before, again], [removed])
    assert [(f.kind, f.leaf_index, f.removed_by) for f in flags] == [("re-upload", 3, "RC-case-001")]


def test_the_same_protected_photo_or_file_elsewhere_after_removal_is_a_reupload() -> None:
    first = sighting(1, "https://t.me/maskpark/12", matched_entry=7, media_sha256="aa" * 32)
    same_photo = sighting(2, "https://t.me/backup/3", days=6, matched_entry=7)
    same_file = sighting(3, "https://t.me/other/9", days=6, media_sha256="aa" * 32)
    other_photo = sighting(4, "https://t.me/backup/4", days=6, matched_entry=8)
    flags = reuploads([first, same_photo, same_file, other_photo], [notice(1, [1], "removed", closed_days=2)])
    assert [f.leaf_index for f in flags] == [2, 3]


def test_a_refused_notice_makes_no_reupload() -> None:
    flags = reuploads(
        [sighting(1, "https://t.me/a/1"), sighting(2, "https://t.me/a/1", days=9)],
        [notice(1, [1], "refused", closed_days=2)],
    )
    assert flags == []


def test_overdue_and_unsent_notices_are_flagged_answered_ones_are_not() -> None:
    now = T0 + timedelta(days=10)
    notices = [
        notice(1, [1], "sent"),
        notice(2, [2], "draft", sent_days=None),
        notice(3, [3], "removed", closed_days=2),
        notice(4, [4], "acknowledged", due_days=20),
    ]
    flags = case_flags([], notices, now)
    assert [(f.kind, f.notice_id) for f in flags] == [("overdue", "RC-case-001"), ("unsent", "RC-case-002")]


def test_the_police_deadline_is_six_months_after_the_first_post_until_the_police_have_a_report() -> None:
    posted = datetime(2026, 2, 10, 20, 0, tzinfo=UTC)
    sightings = [sighting(1, "https://t.me/a/1", days=30, posted_at=posted), sighting(2, "https://t.me/a/2")]
    flag = police_deadline(sightings, [], T0 + timedelta(days=40))
    assert flag is not None and (flag.kind, flag.at) == (
        "police-deadline",
        datetime(2026, 8, 10, 20, 0, tzinfo=UTC),
    )
    passed = police_deadline(sightings, [], datetime(2026, 9, 1, tzinfo=UTC))
    assert passed is not None and passed.kind == "police-deadline-passed"
    reported = notice(1, [1, 2], "sent", route="police")
    assert police_deadline(sightings, [reported], T0 + timedelta(days=40)) is None
    drafted_only = notice(2, [1, 2], "draft", route="police", sent_days=None)
    assert police_deadline(sightings, [drafted_only], T0 + timedelta(days=40)) is not None


def test_six_months_from_the_end_of_a_month_is_the_end_of_the_shorter_month() -> None:
    assert add_months(datetime(2026, 8, 31, tzinfo=UTC), 6) == datetime(2027, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2027, 8, 31, tzinfo=UTC), 6) == datetime(2028, 2, 29, tzinfo=UTC)
    assert add_months(datetime(2026, 12, 3, tzinfo=UTC), 6) == datetime(2027, 6, 3, tzinfo=UTC)


def test_the_timeline_is_in_time_order() -> None:
    events = case_timeline(
        T0 - timedelta(days=1),
        [sighting(1, "https://t.me/a/1", days=0.5)],
        [notice(1, [1], "removed", closed_days=2)],
    )
    assert [(e.kind, e.status) for e in events] == [
        ("opened", None),
        ("notice", "draft"),
        ("sighting", None),
        ("notice", "sent"),
        ("notice", "removed"),
    ]
    assert events[-1].note == "ticket 42"
