"""Temporal video matching on real H.264 clips: excerpts, compilations, mirrors, bars, decoys.

The clips are encoded here with PyAV (libx264) from the demo photos and decoded by the
same code that reads found videos, so codecs and sampling phases are real. They are small
(320x180, 15 fps) to keep the whole file fast on two cores.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image, ImageDraw, ImageFont

from reclaim.config import MediaLimits
from reclaim.signals.pdq import luma_from_rgb, pdq_from_luma
from reclaim.signals.video_match import TimeRange, VideoBank, VideoMatch
from reclaim.signals.video_views import (
    QueryFrame,
    bar_trimmed_box,
    hashes_of_padded_frames,
    query_frames,
)
from reclaim.signals.vpdq import VpdqFrame, hash_video
from tests.shared_data import VIDEOS

DEMO = Path(__file__).resolve().parents[2] / "src" / "reclaim" / "demo_data"
SIZE = (320, 180)
FPS = 15
LIMITS = MediaLimits()
Frame = npt.NDArray[np.uint8]


def pan(photo: str, seconds: float, seed: int, size: tuple[int, int] = SIZE) -> list[Frame]:
    """A slow pan and zoom over a demo photo, with a little sensor noise per frame."""
    image = Image.open(DEMO / photo).convert("RGB")
    rng = np.random.default_rng(seed)
    count = round(seconds * FPS)
    frames = []
    for i in range(count):
        t = i / max(1, count - 1)
        zoom = 1.1 + 0.4 * t
        height = min(image.height / zoom, image.width / zoom * size[1] / size[0])
        width = height * size[0] / size[1]
        left = (image.width - width) * (0.2 + 0.6 * t)
        top = (image.height - height) * 0.5
        box = (left, top, left + width, top + height)
        picture = np.asarray(image.resize(size, Image.Resampling.BILINEAR, box=box), dtype=np.int16)
        noisy = picture + rng.integers(-4, 5, size=(size[1], size[0], 1), dtype=np.int16)
        frames.append(np.clip(noisy, 0, 255).astype(np.uint8))
    return frames


def title_card(seconds: float, size: tuple[int, int] = SIZE) -> list[Frame]:
    image = Image.new("RGB", size, (0, 0, 0))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=16)
    draw.text((size[0] // 2, size[1] // 2), "CHANNEL 1024 NEW", fill=(240, 240, 240), font=font, anchor="mm")
    return [np.asarray(image)] * round(seconds * FPS)


def black(seconds: float, size: tuple[int, int] = SIZE) -> list[Frame]:
    return [np.zeros((size[1], size[0], 3), dtype=np.uint8)] * round(seconds * FPS)


def encode(path: Path, frames: Iterable[Frame], crf: int = 23) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS, options={"crf": str(crf), "preset": "ultrafast"})
        stream.pix_fmt = "yuv420p"
        for i, frame in enumerate(frames):
            if i == 0:
                stream.height, stream.width = frame.shape[:2]
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def decoded(path: Path) -> Iterator[Frame]:
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            yield frame.to_ndarray(format="rgb24")


def seconds(frames: list[Frame], start: float, end: float) -> list[Frame]:
    return frames[round(start * FPS) : round(end * FPS)]


def fit(frame: Frame, size: tuple[int, int]) -> Frame:
    """Scaled to fit ``size`` and centred on black bars, as a player pads a video."""
    height, width = frame.shape[:2]
    scale = min(size[0] / width, size[1] / height)
    inner = (round(width * scale) // 2 * 2, round(height * scale) // 2 * 2)
    canvas = np.zeros((size[1], size[0], 3), dtype=np.uint8)
    left, top = (size[0] - inner[0]) // 2, (size[1] - inner[1]) // 2
    canvas[top : top + inner[1], left : left + inner[0]] = np.asarray(Image.fromarray(frame).resize(inner))
    return canvas


def zoomed(frame: Frame, zoom: float) -> Frame:
    """The middle 1/zoom of the frame, scaled back up: a re-upload that zoomed in."""
    height, width = frame.shape[:2]
    margin_x, margin_y = width * (1 - 1 / zoom) / 2, height * (1 - 1 / zoom) / 2
    box = (margin_x, margin_y, width - margin_x, height - margin_y)
    return np.asarray(Image.fromarray(frame).resize((width, height), Image.Resampling.BILINEAR, box=box))


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The protected clip (opening on the channel card) and the found videos made from it."""
    folder = tmp_path_factory.mktemp("video_match")
    # Protected: black, the shared channel card, then two scenes (10 s of picture).
    scenes = pan("astronaut.jpg", 5.0, seed=1) + pan("coffee.jpg", 5.0, seed=2)
    protected = encode(folder / "protected.mp4", black(0.5) + title_card(1.5) + scenes)
    shown = list(decoded(protected))[round(2.0 * FPS) :]  # her picture as encoded, generation loss kept
    others = pan("chelsea.jpg", 4.0, seed=3) + pan("rocket.jpg", 4.0, seed=4)
    chat = np.full((360, 200, 3), 235, dtype=np.uint8)
    chat[:40] = (82, 136, 193)  # the chat app's header; the video plays in a bubble below
    recording = []
    for frame in shown:
        screen = chat.copy()
        screen[120:220, 10:190] = fit(frame, (180, 100))
        recording.append(screen)
    return {
        "protected": protected,
        # 4 s from the middle, across the cut between the two scenes.
        "excerpt": encode(folder / "excerpt.mp4", seconds(shown, 3.2, 7.2), crf=30),
        # Someone else's clip, 5 s of hers, another clip: she is at 4-9 s of the query.
        "compilation": encode(
            folder / "compilation.mp4",
            title_card(1.0) + others[: 3 * FPS] + seconds(shown, 2.0, 7.0) + others[4 * FPS :],
        ),
        "mirror": encode(folder / "mirror.mp4", [np.ascontiguousarray(f[:, ::-1]) for f in shown]),
        "zoom": encode(folder / "zoom.mp4", [zoomed(f, 1.2) for f in shown]),
        "screen": encode(folder / "screen.mp4", recording, crf=28),
        # Unrelated: the same card, black and fades, with other pictures.
        "unrelated": encode(folder / "unrelated.mp4", black(0.5) + title_card(1.5) + others),
    }


@cache
def vpdq_of(path: Path) -> tuple[VpdqFrame, ...]:
    return tuple(hash_video(path, LIMITS))


@cache
def views_of(path: Path, samples_per_second: float = 5.0) -> tuple[QueryFrame, ...]:
    # Five samples a second, half the library's default, keep the file fast; these clips
    # pan slowly enough that the sampling phase costs little.
    return tuple(query_frames(path, LIMITS, samples_per_second))


def only_match(matches: list[VideoMatch]) -> VideoMatch:
    assert len(matches) == 1, matches
    return matches[0]


def assert_within(found: TimeRange, start: float, end: float, slack: float = 1.0) -> None:
    assert start - slack <= found.start <= found.end <= end + slack, found


def test_an_excerpt_of_four_seconds_is_found_where_it_was_cut(clips: dict[str, Path]) -> None:
    bank = VideoBank([vpdq_of(clips["protected"])])

    match = only_match(bank.match(views_of(clips["excerpt"])))

    # The excerpt is protected seconds 5.2-9.2 (2 s of opening, then 3.2-7.2 of the picture).
    assert match.clip == 0
    assert match.to_json()["protected_range"] == pytest.approx(
        [match.protected_range.start, match.protected_range.end], abs=1e-3
    )
    assert_within(match.protected_range, 5.2, 9.2)
    assert_within(match.query_range, 0.0, 4.0)
    assert match.frames >= 3


def test_a_clip_inside_a_compilation_is_found_between_the_others(clips: dict[str, Path]) -> None:
    bank = VideoBank([vpdq_of(clips["protected"])])

    match = only_match(bank.match(views_of(clips["compilation"])))

    assert_within(match.query_range, 4.0, 9.0)
    assert_within(match.protected_range, 4.0, 9.0)
    # The offset says where in the query her clip starts: protected 4.0 s is query 4.0 s.
    assert abs(match.query_range.start - match.protected_range.start) <= 1.0


def test_a_mirrored_copy_matches_through_the_mirrored_view(clips: dict[str, Path]) -> None:
    bank = VideoBank([vpdq_of(clips["protected"])])

    match = only_match(bank.match(views_of(clips["mirror"])))

    assert match.via.endswith("-mirror")
    assert match.frames >= 8


def test_a_copy_zoomed_in_matches_through_an_unzoomed_view(clips: dict[str, Path]) -> None:
    bank = VideoBank([vpdq_of(clips["protected"])])

    match = only_match(bank.match(views_of(clips["zoom"])))

    assert match.via.startswith("unzoomed")
    assert match.frames >= 4


def test_a_screen_recording_in_a_chat_app_matches_through_its_moving_region(
    clips: dict[str, Path],
) -> None:
    bank = VideoBank([vpdq_of(clips["protected"])])

    match = only_match(bank.match(views_of(clips["screen"])))

    assert match.via.startswith("moving")
    assert match.frames >= 6


def test_unrelated_clips_sharing_black_frames_and_a_title_card_do_not_match(
    clips: dict[str, Path],
) -> None:
    bank = VideoBank([vpdq_of(clips["protected"])])

    assert bank.match(views_of(clips["unrelated"])) == []
    assert VideoBank([vpdq_of(clips["unrelated"])]).match(views_of(clips["excerpt"])) == []


# The conformance pairs that vPDQ misses (tests/signals/test_vpdq.py, KNOWN_VPDQ_MISSES),
# both ways round: bars or a logo on the found copy, and on her copy.
MISSED_BY_VPDQ = [
    ("pattern-sd-grey-bar.mp4", "pattern-hd-no-bar.mp4"),
    ("pattern-hd-no-bar.mp4", "pattern-sd-grey-bar.mp4"),
    ("pattern-sd-with-small-logo-bar.mp4", "pattern-hd-no-bar.mp4"),
    ("pattern-hd-no-bar.mp4", "pattern-sd-with-small-logo-bar.mp4"),
    ("chair-22-with-large-logo-bar.mp4", "chair-orig-22-sd-bar.mp4"),
    ("chair-orig-22-sd-bar.mp4", "chair-22-with-large-logo-bar.mp4"),
    ("chair-22-with-large-logo-bar.mp4", "chair-22-sd-grey-bar.mp4"),
    ("chair-22-sd-grey-bar.mp4", "chair-22-with-large-logo-bar.mp4"),
]
CONFORMANCE = sorted(p.name for p in VIDEOS.glob("*.mp4"))


def conformance_views(name: str) -> tuple[QueryFrame, ...]:
    # The chair moves slowly and runs 22 s: two samples a second find it and keep the test
    # quick. The pattern spins fast and needs the default five.
    return views_of(VIDEOS / name, 2.0 if name.startswith("chair") else 5.0)


@pytest.mark.parametrize(("query", "protected"), MISSED_BY_VPDQ, ids=lambda name: name[:-4])
def test_conformance_pairs_that_vpdq_misses_match(query: str, protected: str) -> None:
    bank = VideoBank([vpdq_of(VIDEOS / name) for name in CONFORMANCE])

    matches = bank.match(conformance_views(query))

    assert CONFORMANCE.index(protected) in {m.clip for m in matches}


@pytest.mark.parametrize("query", CONFORMANCE, ids=lambda name: name[:-4])
def test_conformance_clips_match_only_their_own_family(query: str) -> None:
    bank = VideoBank([vpdq_of(VIDEOS / name) for name in CONFORMANCE])

    matched = {CONFORMANCE[m.clip].split("-")[0] for m in bank.match(conformance_views(query))}

    assert matched <= {query.split("-", maxsplit=1)[0]}


def test_bars_are_trimmed_and_added_exactly() -> None:
    rng = np.random.default_rng(5)
    picture = rng.uniform(0, 255, (90, 160)).astype(np.float32)
    picture = np.asarray(Image.fromarray(picture).resize((320, 180)), dtype=np.float32)
    boxed = np.zeros((320, 320), dtype=np.float32)
    boxed[70:250] = picture  # letterboxed into a square player

    box = bar_trimmed_box(boxed)
    padded = dict(hashes_of_padded_frames(picture))

    assert box is not None and (box.top, box.bottom, box.left, box.right) == (70, 250, 0, 320)
    assert padded["padded-1:1"].distance(pdq_from_luma(boxed)) == 0
    assert bar_trimmed_box(picture) is None


def test_a_still_clip_matches_on_its_one_picture_and_a_shared_card_counts_once() -> None:
    card = luma_from_rgb(title_card(1.0)[0])
    still = pdq_from_luma(card)
    protected = [VpdqFrame(i, float(i), still) for i in range(3)]
    query = [QueryFrame(i / 5, "whole", still) for i in range(15)]

    # A clip that is only the card matches a card (it is all she protected) ...
    assert only_match(VideoBank([protected]).match(query)).frames == 3
    # ... but a card inside a moving clip is one picture, not enough to match on its own.
    moving = [
        VpdqFrame(i, float(i), pdq_from_luma(luma_from_rgb(f)))
        for i, f in enumerate(pan("rocket.jpg", 3, 9)[::FPS])
    ]
    assert (
        VideoBank([protected + [VpdqFrame(3 + f.frame, 3.0 + f.timestamp, f.pdq) for f in moving]]).match(
            query
        )
        == []
    )
