"""Videos held in memory (a live download) decode as their files do, under the same limits."""

from __future__ import annotations

import pytest

from reclaim.config import MediaLimits
from reclaim.errors import MediaError, MediaLimitError
from reclaim.media.video import sample_frames, sample_frames_of_bytes
from reclaim.signals.query_signals import query_signals_of_bytes, query_signals_of_file
from tests.shared_data import VIDEOS

CLIP = VIDEOS / "doorknob-hd-no-bar.mp4"  # 4 s, 1280x720, 30 fps
LIMITS = MediaLimits()


def test_bytes_give_the_frames_and_query_signals_the_file_gives() -> None:
    data = CLIP.read_bytes()

    frames = sample_frames_of_bytes(data, "live", LIMITS)
    in_memory = [(f.frame, f.timestamp, f.rgb.tobytes()) for f in frames]
    on_disk = [(f.frame, f.timestamp, f.rgb.tobytes()) for f in sample_frames(CLIP, LIMITS)]
    assert in_memory == on_disk and len(in_memory) == 4

    from_bytes = query_signals_of_bytes(data, "telegram:1700000001:2", LIMITS)
    from_file = query_signals_of_file(CLIP, LIMITS)
    assert from_bytes.kind == "video" and from_bytes.frames == from_file.frames
    assert (from_bytes.sha256, from_bytes.md5) == (from_file.sha256, from_file.md5)


def test_a_playlist_in_memory_opens_nothing_else() -> None:
    # A concat list naming a real file: the demuxer is not on the allow-list, so it is refused
    # before anything is read from disk.
    playlist = f"ffconcat version 1.0\nfile {CLIP}\n".encode()

    with pytest.raises(MediaError):
        list(sample_frames_of_bytes(playlist, "live", LIMITS))


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (MediaLimits(max_video_seconds=2), "longer than the limit of 2 seconds"),
        (MediaLimits(max_video_pixels=640 * 360), "1280x720 frames, more than the limit"),
        (MediaLimits(max_file_bytes=1000), "bytes, more than the limit of 1000 bytes"),
    ],
)
def test_the_file_limits_hold_in_memory(limits: MediaLimits, message: str) -> None:
    with pytest.raises(MediaLimitError, match=message):
        query_signals_of_bytes(CLIP.read_bytes(), "live", limits)


def test_a_cut_off_download_is_a_clear_error() -> None:
    data = CLIP.read_bytes()

    with pytest.raises(MediaError, match=r"^live"):
        list(sample_frames_of_bytes(data[: len(data) // 3], "live", LIMITS))
    with pytest.raises(MediaError, match="is not a video"):
        list(sample_frames_of_bytes(b"hello, this is text\n", "live", LIMITS))
