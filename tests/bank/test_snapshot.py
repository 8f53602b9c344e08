"""The bank snapshot answers every kind of query from columns of entries, with no database."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reclaim.bank.snapshot import BankSnapshot, SignalTable
from reclaim.config import MediaLimits
from reclaim.signals.pdq import PdqHash
from reclaim.signals.query_signals import query_signals_of_file
from reclaim.signals.robust import protected_views
from reclaim.signals.vpdq import hash_video, to_signal_string
from tests.robust_edits import decoded, jpeg, sample, screenshot
from tests.shared_data import CONFORMANCE

LIMITS = MediaLimits()
SHA = "ab" * 32
LOW = PdqHash.from_hex("1" * 64, quality=20)


def table_with(photo_entry: int = 5, video_clip: str = "pattern-hd-no-bar.mp4") -> SignalTable:
    """Entries: 3 = a SHA-256, 4 = a low-quality PDQ, 5 = a photo (own hash and crops), 6 = a vPDQ clip."""
    views = protected_views(decoded(jpeg(sample("coffee"), 92)))
    frames = hash_video(CONFORMANCE / "video" / video_clip, LIMITS)
    hashes = [LOW.bits] + [view.hash.bits for view in views]
    return SignalTable(
        entry_ids=np.array([3, 4, photo_entry, 6], dtype=np.int64),
        bank_ids=np.array([1, 1, 2, 3], dtype=np.int32),
        banks={1: ("case-a", "a"), 2: ("case-b", "b"), 3: ("list-x", None)},
        signal_types=["sha256", "pdq", "pdq", "vpdq"],
        qualities=np.array([-1, 20, views[0].hash.quality, -1], dtype=np.int16),
        pdq_rows=np.array([1] + [2] * len(views), dtype=np.int64),
        pdq_hashes=np.frombuffer(b"".join(hashes), np.uint8).reshape(-1, 32),
        pdq_vias=["whole"] + [view.via for view in views],
        texts={0: SHA, 3: to_signal_string(frames)},
    )


def test_digests_and_bare_hashes_find_their_entries() -> None:
    snapshot = BankSnapshot(table_with())

    [digest] = snapshot.match_digest("sha256", SHA.upper())
    assert (digest.entry_id, digest.case_id, digest.bank, digest.via) == (3, "a", "case-a", "exact")
    assert snapshot.match_digest("md5", "ab" * 16) == []
    own = protected_views(decoded(jpeg(sample("coffee"), 92)))[0].hash
    assert [(h.entry_id, h.distance) for h in snapshot.match_pdq(own)] == [(5, 0)]


def test_low_quality_entries_match_only_when_allowed() -> None:
    assert BankSnapshot(table_with()).match_pdq(LOW) == []
    assert [h.entry_id for h in BankSnapshot(table_with(), allow_low_quality=True).match_pdq(LOW)] == [4]


def test_a_screenshot_of_a_protected_photo_is_found_through_a_region(tmp_path: Path) -> None:
    found = tmp_path / "chat.jpg"
    found.write_bytes(jpeg(screenshot(sample("coffee")), 80))

    hits = BankSnapshot(table_with()).match(query_signals_of_file(found, LIMITS))

    assert [(h.entry_id, h.case_id, h.signal) for h in hits] == [(5, "b", "pdq")]
    assert hits[0].via.split("+")[0] not in ("whole", "exact"), hits[0].via  # found through a view


def test_a_video_with_added_bars_is_found_with_the_time_ranges_that_match() -> None:
    query = query_signals_of_file(CONFORMANCE / "video" / "pattern-sd-grey-bar.mp4", LIMITS)

    [hit] = BankSnapshot(table_with()).match(query)

    assert (hit.entry_id, hit.signal, hit.case_id) == (6, "vpdq", None)
    assert hit.query_range is not None and hit.protected_range is not None
    assert hit.query_range.end - hit.query_range.start >= 3
    assert set(hit.to_json()) >= {"query_range", "protected_range"}


def test_an_unrelated_photo_and_video_match_nothing(tmp_path: Path) -> None:
    photo = tmp_path / "rocket.jpg"
    photo.write_bytes(jpeg(sample("rocket"), 85))
    snapshot = BankSnapshot(table_with())

    assert snapshot.match(query_signals_of_file(photo, LIMITS)) == []
    assert (
        snapshot.match(query_signals_of_file(CONFORMANCE / "video" / "doorknob-hd-no-bar.mp4", LIMITS)) == []
    )
