"""The matcher finds a protected photo through each kind of edit, and nothing else."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from reclaim.bank.matcher import Matcher, ViewBatch
from reclaim.signals.pdq import PdqHash, pdq_from_luma
from reclaim.signals.robust import THRESHOLDS, View, only_meets, protected_views, threshold_for
from tests.robust_edits import EDITS, collage, decoded, decoded_rgb, jpeg, sample, screenshot

PROTECTED = ["astronaut", "coffee", "chelsea", "rocket"]
UNRELATED = ["camera", "immunohistochemistry", "hubble_deep_field", "moon", "page", "gravel"]


def bank_matcher(photos: dict[int, Image.Image], with_crops: bool = True) -> Matcher:
    ids: list[int] = []
    rows: list[bytes] = []
    vias: list[str] = []
    qualities: list[int] = []
    for entry, photo in photos.items():
        luma = decoded(jpeg(photo, 92))
        views = protected_views(luma) if with_crops else [View("whole", pdq_from_luma(luma))]
        for view in views:
            ids.append(entry)
            rows.append(view.hash.bits)
            vias.append(view.via)
            qualities.append(view.hash.quality)
    return Matcher(ids, np.frombuffer(b"".join(rows), np.uint8).reshape(-1, 32), vias, qualities)


@pytest.fixture(scope="module")
def photos() -> dict[int, Image.Image]:
    return {entry: sample(name) for entry, name in enumerate(PROTECTED, start=100)}


@pytest.fixture(scope="module")
def matcher(photos: dict[int, Image.Image]) -> Matcher:
    return bank_matcher(photos)


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("entry", [100, 101])
def test_each_edit_of_a_protected_photo_is_found(
    matcher: Matcher, photos: dict[int, Image.Image], edit: str, entry: int
) -> None:
    other = sample("camera")
    matches = matcher.match_image(decoded_rgb(EDITS[edit](photos[entry], other)))
    assert [m.entry_id for m in matches] == [entry], matches


@pytest.mark.parametrize("name", UNRELATED)
def test_unrelated_photos_match_nothing(matcher: Matcher, name: str) -> None:
    photo = sample(name)
    for found in (jpeg(photo), jpeg(screenshot(photo), 80), jpeg(collage(photo, sample("moon")))):
        assert matcher.match_image(decoded_rgb(found)) == []
        assert matcher.match_image(decoded(found)) == []


def test_a_match_says_which_views_met(matcher: Matcher, photos: dict[int, Image.Image]) -> None:
    found = decoded_rgb(jpeg(screenshot(photos[101]), 80))
    (match,) = matcher.match_image(found)
    # The photo's own region meets its own hash; the middle of that region (a view cut from
    # it) may meet the bank's middle window nearer still, and then the match says so.
    assert (match.via, match.bank_via) in {
        ("region", "whole"),
        ("middle+cols", "crop+middle-cols"),
        ("middle+rows", "crop+middle-rows"),
    }
    assert match.distance <= THRESHOLDS["region"]
    plain = Matcher([101], np.frombuffer(pdq_from_luma(decoded(jpeg(photos[101], 92))).bits, np.uint8)[None])
    assert [m.via for m in plain.match_image(found)] == ["region"]
    assert match.query_hash.quality >= 50


def test_plain_pdq_alone_misses_what_the_views_find(photos: dict[int, Image.Image]) -> None:
    plain = bank_matcher(photos, with_crops=False)
    found = decoded(jpeg(screenshot(photos[100]), 80))
    whole_only = [v for v in plain_views(found) if v.via == "whole"]
    assert plain.match_views(whole_only) == []
    assert [m.entry_id for m in plain.match_image(found)] == [100]


def plain_views(luma: np.ndarray) -> list[View]:
    return [View("whole", pdq_from_luma(luma))]


def test_low_quality_hashes_do_not_match_unless_asked() -> None:
    flat = Image.new("RGB", (400, 300), (120, 120, 120))
    ImageDraw.Draw(flat).rectangle((0, 0, 200, 30), fill=(124, 124, 124))
    luma = decoded(jpeg(flat))
    weak = pdq_from_luma(luma)
    assert weak.quality < 50
    bits = np.frombuffer(weak.bits, np.uint8).reshape(1, 32)
    assert Matcher([7], bits, qualities=[weak.quality]).match_image(luma) == []
    permissive = Matcher([7], bits, qualities=[weak.quality], allow_low_quality=True)
    assert [m.entry_id for m in permissive.match_image(luma)] == [7]


def test_rows_that_do_not_line_up_are_refused() -> None:
    with pytest.raises(ValueError, match="one row per hash"):
        Matcher([1, 2], np.zeros((3, 32), np.uint8))


def test_an_empty_bank_matches_nothing(photos: dict[int, Image.Image]) -> None:
    empty = Matcher([], np.zeros((0, 32), np.uint8))
    assert len(empty) == 0
    assert empty.match_image(decoded(jpeg(photos[100]))) == []


def test_the_nearest_pair_wins_and_ties_go_to_the_plainer_view() -> None:
    own = pdq_from_luma(decoded(jpeg(sample("astronaut"))))
    flipped = bytes(b ^ 0xFF for b in own.bits[:1]) + own.bits[1:]  # 8 bits away
    bank = np.frombuffer(own.bits + flipped, np.uint8).reshape(2, 32)
    matcher = Matcher([5, 5], bank, ["whole", "crop+centre88"])
    views = [View("whole", own), View("region", own)]
    (match,) = matcher.match_views(views)
    assert (match.entry_id, match.distance, match.via, match.bank_via) == (5, 0, "whole", "whole")


def test_a_pair_must_be_within_the_stricter_of_its_two_thresholds() -> None:
    own = pdq_from_luma(decoded(jpeg(sample("astronaut"))))
    bits = np.unpackbits(np.frombuffer(own.bits, np.uint8))
    bits[:34] ^= 1  # 34 bits away: within "whole" (36), outside "region" and "crop" (32)
    moved = np.packbits(bits).reshape(1, 32)
    assert THRESHOLDS["region"] < 34 <= THRESHOLDS["whole"]
    assert [m.distance for m in Matcher([1], moved).match_views([View("whole", own)])] == [34]
    assert Matcher([1], moved).match_views([View("region", own)]) == []
    assert Matcher([1], moved, ["crop+centre88"]).match_views([View("whole", own)]) == []


def test_corner_and_middle_views_meet_only_their_own_bank_window() -> None:
    own = pdq_from_luma(decoded(jpeg(sample("astronaut"))))
    bank = np.frombuffer(own.bits * 4, np.uint8).reshape(4, 32)
    matcher = Matcher([1, 2, 3, 4], bank, ["whole", "crop+centre88", "crop+corner-tl", "crop+middle-cols"])
    met = {m.entry_id: m.bank_via for m in matcher.match_views([View("corner+tl", own)])}
    assert met == {3: "crop+corner-tl"}
    assert [m.entry_id for m in matcher.match_views([View("corner+br", own)])] == []
    assert [m.entry_id for m in matcher.match_views([View("middle+cols", own)])] == [4]
    assert [m.entry_id for m in matcher.match_views([View("whole", own)])] == [1, 2, 3, 4]


def _reference_matches(
    matcher_rows: list[tuple[int, bytes, str]], views: list[View]
) -> set[tuple[int, int, str]]:
    """Every (entry, distance, view) the matcher must report, by comparing every pair."""
    best: dict[int, tuple[int, int]] = {}
    for entry, bits, bank_via in matcher_rows:
        for position, view in enumerate(views):
            only = only_meets(view.via)
            if only is not None and only != bank_via:
                continue
            distance = int(
                np.unpackbits(np.frombuffer(bits, np.uint8) ^ np.frombuffer(view.hash.bits, np.uint8)).sum()
            )
            if distance <= min(threshold_for(view.via), threshold_for(bank_via)):
                best[entry] = min(best.get(entry, (distance, position)), (distance, position))
    return {(entry, d, views[position].via) for entry, (d, position) in best.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_batch_of_queries_finds_what_comparing_every_pair_finds(seed: int) -> None:
    # Clustered hashes (a few centres, each bit flipped with 8 % chance) so that many pairs fall
    # near the thresholds; every kind of bank and query view, corner and middle windows included.
    rng = np.random.default_rng(seed)
    centres = rng.integers(0, 2, (6, 256), dtype=np.uint8)

    def near() -> bytes:
        bits = centres[rng.integers(0, len(centres))] ^ (rng.random(256) < 0.08).astype(np.uint8)
        return np.packbits(bits).tobytes()

    bank_vias = ["whole", "crop+centre88", "crop+corner-tl", "crop+corner-br", "crop+middle-cols"]
    query_vias = ["whole", "whole+mirror", "region", "corner+tl", "corner+br", "middle+cols", "tilt+3deg"]
    rows = [(int(rng.integers(1, 40)), near(), str(rng.choice(bank_vias))) for _ in range(300)]
    matcher = Matcher(
        [entry for entry, _, _ in rows],
        np.frombuffer(b"".join(bits for _, bits, _ in rows), np.uint8).reshape(-1, 32),
        [via for _, _, via in rows],
    )
    queries = [
        [View(str(rng.choice(query_vias)), PdqHash(near(), 100)) for _ in range(int(rng.integers(0, 12)))]
        for _ in range(25)
    ]
    batched = matcher.match_batch(ViewBatch.of_views(queries))
    assert len(batched) == len(queries)
    found = 0
    for views, matches in zip(queries, batched, strict=True):
        assert {(m.entry_id, m.distance, m.via) for m in matches} == _reference_matches(rows, views)
        assert matches == sorted(matches, key=lambda m: (m.distance, m.entry_id))
        assert matches == matcher.match_views(views)
        found += len(matches)
    assert found > 50  # the clusters put many pairs within reach: the test compares real matches
