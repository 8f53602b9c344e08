"""vPDQ on Meta's sample clips: frame hashes, the reference's hashes, and matching of variants."""

from __future__ import annotations

import itertools
import json
from functools import cache

import av
import pytest

from reclaim.config import MediaLimits
from reclaim.signals.pdq import PdqHash, luma_from_rgb, pdq_from_luma
from reclaim.signals.vpdq import (
    VpdqFrame,
    VpdqSignal,
    frames_from_signal_string,
    hash_video,
    is_vpdq_match,
    match_videos,
    to_signal_string,
)
from tests.shared_data import VIDEOS

CLIPS = sorted(p.name for p in VIDEOS.glob("*.mp4"))

# Printed by the reference C++ hasher for pattern-hd-no-bar.mp4 (ThreatExchange commit
# baefb4ed, vpdq/sample-hashes/pattern-hd-no-bar.txt, BSD licence): frames 0, 30, ... 180.
REFERENCE_PATTERN_HD = [
    "d3d8981ba52c59e79fb49295bed80905036b1dbe57b292c8ea4fb525f52c420e",
    "db58997a042c5de7dfb49a55ae580905016b8cba57b69ac0b64fdd27f52c480e",
    "0ad784c9d5a342a1385aa67975f8e529f2052e5f2bda5419550fd697ecf0e702",
    "68b9a94154e26a14f1cafe7d4d40967cc54671abb4b91a29bc05d7d13cace6d2",
    "688d92c02fbdd5532bc9df11b48df52caf4a683ac2792dc061e40f895a3766d6",
    "b48d8bd8d7b06736ba2446baeb1368f67fe4a540b295e1637e340119f58f00e9",
    "b63b8f0d97a74bb2847b13bd06d6c14974c8317485f08a6c658f31701afeca67",
]


@cache
def vpdq_of(name: str) -> tuple[VpdqFrame, ...]:
    return tuple(hash_video(VIDEOS / name, MediaLimits()))


def clip_family(name: str) -> str:
    return name.split("-", maxsplit=1)[0]  # chair, pattern or doorknob


def test_hashes_one_frame_per_second_with_index_and_timestamp() -> None:
    frames = vpdq_of("pattern-hd-no-bar.mp4")

    assert [f.frame for f in frames] == [0, 30, 60, 90, 120, 150, 180]
    assert [f.timestamp for f in frames] == pytest.approx([0, 1, 2, 3, 4, 5, 6])
    assert all(f.pdq.quality == 100 for f in frames)


def test_frame_hashes_agree_with_the_reference_hasher() -> None:
    frames = vpdq_of("pattern-hd-no-bar.mp4")

    distances = [
        f.pdq.distance(PdqHash.from_hex(h)) for f, h in zip(frames, REFERENCE_PATTERN_HD, strict=True)
    ]
    # Measured 0-2 bits: the reference's FFmpeg build rounds a few pixels differently.
    assert max(distances) <= 6


@pytest.mark.parametrize("name", ["pattern-hd-no-bar.mp4", "chair-22-sd-grey-bar.mp4"])
def test_frame_hash_is_the_pdq_of_the_same_frame_decoded_on_its_own(name: str) -> None:
    frames = {f.frame: f.pdq for f in vpdq_of(name)}
    wanted = {0, 60, max(frames)}
    # Decoded without frame threading or our sampling, straight from PyAV.
    with av.open(str(VIDEOS / name)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index in wanted:
                expected = pdq_from_luma(luma_from_rgb(frame.to_ndarray(format="rgb24")))
                assert frames[index].distance(expected) <= 2
                assert frames[index].quality == expected.quality
                wanted.discard(index)
    assert not wanted


# Pairs of one clip that plain vPDQ misses. The reference's own hashes of these clips
# (vpdq/sample-hashes) miss them too: PDQ sees pillarbox bars and a logo over the middle
# of the frame as a different picture. Robust matching (signals/robust.py: trim borders on
# the query side) is what should catch them; trimming the bars makes the pattern pairs
# match 100% in a quick trial. Strict xfail, so these flip to failures once they match.
BARS = "pillarbox bars added to one copy"
LOGO = "a large logo drawn over the frame"
KNOWN_VPDQ_MISSES = {
    frozenset({"pattern-hd-no-bar.mp4", "pattern-sd-grey-bar.mp4"}): BARS,
    frozenset({"pattern-hd-no-bar.mp4", "pattern-sd-with-small-logo-bar.mp4"}): BARS,
    frozenset({"chair-22-with-large-logo-bar.mp4", "chair-orig-22-sd-bar.mp4"}): LOGO,
    frozenset({"chair-22-with-large-logo-bar.mp4", "chair-22-sd-grey-bar.mp4"}): LOGO,
}


def clip_pairs() -> list[object]:
    pairs: list[object] = []
    for query, target in itertools.combinations(CLIPS, 2):
        reason = KNOWN_VPDQ_MISSES.get(frozenset({query, target}))
        marks = [pytest.mark.xfail(strict=True, reason=f"vPDQ is not robust to {reason}")] if reason else []
        pairs.append(pytest.param(query, target, marks=marks, id=f"{query[:-4]}~{target[:-4]}"))
    return pairs


@pytest.mark.parametrize(("query", "target"), clip_pairs())
def test_variants_of_one_clip_match_and_different_clips_do_not(query: str, target: str) -> None:
    same_clip = clip_family(query) == clip_family(target)
    result = match_videos(vpdq_of(query), vpdq_of(target))

    assert is_vpdq_match(vpdq_of(query), vpdq_of(target)) is same_clip, result
    assert is_vpdq_match(vpdq_of(target), vpdq_of(query)) is same_clip, result
    if not same_clip:
        assert max(result) < 20  # far from the threshold: a margin against false matches


@pytest.mark.parametrize("name", CLIPS)
def test_a_video_matches_itself_fully(name: str) -> None:
    good = [f for f in vpdq_of(name) if f.pdq.quality >= 50]

    assert match_videos(vpdq_of(name), vpdq_of(name)) == (100.0 if good else 0.0, 100.0 if good else 0.0)


def test_a_clip_inside_a_longer_video_matches_only_on_the_clip_side() -> None:
    chair, pattern = vpdq_of("chair-orig-22-sd-bar.mp4"), vpdq_of("pattern-sd-grey-bar.mp4")
    compilation = chair + pattern  # another video with the protected clip spliced in

    result = match_videos(pattern, compilation)

    assert result.query_percent == 100.0
    assert result.target_percent < 50.0
    assert not is_vpdq_match(pattern, compilation)
    assert is_vpdq_match(pattern, compilation, target_threshold=0.0)


def test_low_quality_and_repeated_frames_are_left_out_as_the_reference_does() -> None:
    good = PdqHash(bytes(32), 100)
    other = PdqHash(b"\xff" * 32, 100)
    flat = PdqHash(b"\x0f" * 32, 10)

    # Left: one distinct good hash (repeated) and one matching the target; right: one good hash.
    assert match_videos([good, good, good, other], [good]) == (50.0, 100.0)
    assert match_videos([flat, good], [good, flat]) == (100.0, 100.0)
    assert match_videos([flat], [flat]) == (0.0, 0.0)
    assert match_videos([], [good]) == (0.0, 0.0)


def test_frames_match_up_to_31_bits_apart_and_not_32() -> None:
    base = PdqHash(bytes(32), 100)
    near = PdqHash((2**31 - 1).to_bytes(32, "big"), 100)
    far = PdqHash((2**32 - 1).to_bytes(32, "big"), 100)

    assert match_videos([base], [near]) == (100.0, 100.0)
    assert match_videos([base], [far]) == (0.0, 0.0)


def test_matching_many_frames_agrees_with_pair_by_pair_counting() -> None:
    # More rows than one comparison chunk, so the chunked search is exercised.
    frames = [f.pdq for name in CLIPS for f in vpdq_of(name)]
    query = [PdqHash(bytes(b ^ (i % 7) for b in h.bits), 100) for i in range(40) for h in frames]
    target = frames

    def share_matched(left: list[PdqHash], right: list[PdqHash]) -> float:
        unique = list({h.bits: h for h in left if h.quality >= 50}.values())
        good_right = [h for h in right if h.quality >= 50]
        matched = sum(any(h.distance(r) <= 31 for r in good_right) for h in unique)
        return matched * 100.0 / len(unique)

    result = match_videos(query, target)

    assert result.query_percent == pytest.approx(share_matched(query, target))
    assert result.target_percent == pytest.approx(share_matched(target, query))


def test_json_form_for_the_cli() -> None:
    frame = vpdq_of("pattern-hd-no-bar.mp4")[1]

    data = frame.to_json()

    assert list(data) == ["frame", "timestamp", "hash", "quality"]
    assert data == {"frame": 30, "timestamp": 1.0, "hash": frame.pdq.hex, "quality": 100}
    assert VpdqFrame.from_json(json.loads(json.dumps(data))) == frame


def test_signal_string_is_python_threatexchange_form_and_round_trips() -> None:
    frames = vpdq_of("chair-22-sd-grey-bar.mp4")

    value = to_signal_string(frames)

    assert json.loads(value)[1] == f"{frames[1].pdq.hex},{frames[1].pdq.quality},1.000"
    parsed = frames_from_signal_string(value)
    assert [(f.pdq, f.timestamp) for f in parsed] == [(f.pdq, f.timestamp) for f in frames]
    assert VpdqSignal.validate(value) == value


def test_signal_distance_is_the_unmatched_share_of_the_worse_side() -> None:
    chair = to_signal_string(vpdq_of("chair-orig-22-sd-bar.mp4"))
    chair_grey = to_signal_string(vpdq_of("chair-22-sd-grey-bar.mp4"))
    doorknob = to_signal_string(vpdq_of("doorknob-hd-no-bar.mp4"))

    assert VpdqSignal.matches(chair, chair) == (True, 0)
    assert VpdqSignal.matches(chair, chair_grey) == (True, 0)
    assert VpdqSignal.matches(chair, doorknob) == (False, 100)


@pytest.mark.parametrize("value", ["", "{}", '["abc,100,0.0"]', '["' + "0" * 64 + ',101,0.0"]', "[1]"])
def test_malformed_signal_strings_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        VpdqSignal.validate(value)
