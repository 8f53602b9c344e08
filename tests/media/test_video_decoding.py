"""Video decoding on real MP4s (Meta's vPDQ sample clips) and on broken or hostile files."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import av
import pytest

from reclaim.config import MediaLimits
from reclaim.errors import MediaError, MediaLimitError
from reclaim.media.video import probe_video, sample_frames
from tests.shared_data import VIDEOS

HD_CLIP = VIDEOS / "pattern-hd-no-bar.mp4"  # 720x1280, 6.87 s at 30 fps, moov before mdat
ALL_CLIPS = sorted(VIDEOS.glob("*.mp4"))


def decode_all(path: Path, limits: MediaLimits | None = None) -> list[tuple[int, float, tuple[int, ...]]]:
    return [(f.frame, f.timestamp, f.rgb.shape) for f in sample_frames(path, limits or MediaLimits())]


@pytest.mark.parametrize("path", ALL_CLIPS, ids=lambda p: p.name)
def test_samples_one_frame_per_second_of_video(path: Path) -> None:
    info = probe_video(path, MediaLimits())
    frames = decode_all(path)

    assert info.duration_seconds is not None and info.frame_count is not None
    assert len(frames) == -(-info.frame_count // 30)  # frames 0, 30, 60, ... of a 30 fps clip
    assert abs(len(frames) - info.duration_seconds) <= 1
    assert [index for index, _, _ in frames] == [30 * n for n in range(len(frames))]
    assert [timestamp for _, timestamp, _ in frames] == pytest.approx(list(range(len(frames))))
    assert {shape for _, _, shape in frames} == {(info.height, info.width, 3)}


def test_sampled_frames_are_rgb_bytes_the_size_of_the_video() -> None:
    first = next(iter(sample_frames(HD_CLIP, MediaLimits())))

    assert first.rgb.dtype.name == "uint8"
    assert first.rgb.shape == (1280, 720, 3)
    assert 0 < first.rgb.mean() < 255


def test_sampling_every_half_second_takes_every_fifteenth_frame() -> None:
    frames = list(sample_frames(HD_CLIP, MediaLimits(), seconds_per_sample=0.5))

    assert [f.frame for f in frames] == list(range(0, 206, 15))
    assert [f.timestamp for f in frames] == pytest.approx([n / 2 for n in range(len(frames))])


def test_probe_reports_size_rate_duration_and_frame_count() -> None:
    info = probe_video(HD_CLIP, MediaLimits())

    assert (info.width, info.height, info.fps, info.frame_count) == (720, 1280, 30.0, 206)
    assert info.duration_seconds == pytest.approx(6.87, abs=0.01)


def test_stopping_early_closes_the_video() -> None:
    frames = sample_frames(HD_CLIP, MediaLimits())
    next(frames)
    frames.close()  # the generator's `with` closes the container; nothing is left open or raised


def assert_media_error(path: Path, words: str, error_type: type[MediaError] = MediaError) -> None:
    with pytest.raises(MediaError) as caught:
        decode_all(path)
    assert type(caught.value) is error_type
    message = str(caught.value)
    assert str(path) in message
    assert words in message
    assert "\n" not in message


def test_truncated_mp4_says_it_is_cut_off(tmp_path: Path) -> None:
    data = HD_CLIP.read_bytes()
    half = tmp_path / "half-downloaded.mp4"
    half.write_bytes(data[: len(data) // 2])

    assert_media_error(half, "cut off")


def test_mp4_cut_inside_its_header_is_not_a_video(tmp_path: Path) -> None:
    stub = tmp_path / "stub.mp4"
    stub.write_bytes(HD_CLIP.read_bytes()[:5000])  # the moov box runs to byte ~7900

    assert_media_error(stub, "is not a video")


def test_zero_byte_mp4_is_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")

    assert_media_error(empty, "is empty")


def test_text_file_named_mp4_is_text(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("这不是视频 / this is not a video\n", encoding="utf-8")

    assert_media_error(text, "is not a video (it is text)")


def test_random_bytes_named_mp4_are_not_a_video(tmp_path: Path) -> None:
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(bytes(range(256)) * 64)

    assert_media_error(noise, "is not a video")


def test_jpeg_named_mp4_is_an_image(tmp_path: Path) -> None:
    photo = tmp_path / "photo.mp4"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + bytes(2000))

    assert_media_error(photo, "it is an image")


def test_audio_only_file_has_no_video_stream(tmp_path: Path) -> None:
    audio = tmp_path / "voice.mp4"
    with av.open(str(audio), "w") as container:
        stream = container.add_stream("aac", rate=8000)
        frame = av.AudioFrame(format="fltp", layout="mono", samples=1024)
        frame.sample_rate = 8000
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)

    assert_media_error(audio, "has no video stream")


def test_missing_file_does_not_exist(tmp_path: Path) -> None:
    assert_media_error(tmp_path / "gone.mp4", "does not exist")


def test_playlist_that_names_other_files_is_refused(tmp_path: Path) -> None:
    # An HLS playlist makes FFmpeg open whatever files or URLs it lists (a local-file read).
    playlist = tmp_path / "clip.mp4"
    playlist.write_bytes(
        b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n" + str(HD_CLIP).encode() + b"\n#EXT-X-ENDLIST\n"
    )
    assert_media_error(playlist, "is not a video")


def test_file_name_that_looks_like_an_ffmpeg_url_is_read_as_a_file(tmp_path: Path) -> None:
    odd = tmp_path / "concat:x|y.mp4"
    odd.write_bytes(HD_CLIP.read_bytes())

    assert len(decode_all(odd)) == 7


@pytest.mark.parametrize(
    ("limits", "words"),
    [
        (MediaLimits(max_file_bytes=1_000_000), "more than the limit of 1000000 bytes"),
        (MediaLimits(max_video_seconds=5.0), "longer than the limit of 5 seconds"),
        (MediaLimits(max_video_pixels=1280 * 719), "720x1280 frames, more than the limit"),
    ],
    ids=["file-bytes", "seconds", "pixels"],
)
def test_video_over_a_limit_is_refused_before_decoding(limits: MediaLimits, words: str) -> None:
    for check in (probe_video, decode_all):
        with pytest.raises(MediaLimitError) as caught:
            check(HD_CLIP, limits)
        assert str(HD_CLIP) in str(caught.value)
        assert words in str(caught.value)


def test_duration_limit_holds_while_decoding_when_the_header_has_no_duration(tmp_path: Path) -> None:
    # Matroska written as a live stream (no seeking back) has no duration in its header:
    # only the count of decoded frames can stop an endless or mislabelled stream.
    stream = tmp_path / "live.mkv"
    with stream.open("wb") as file:
        copy_video_packets(HD_CLIP, WriteOnly(file), "matroska")
    assert probe_video(stream, MediaLimits()).duration_seconds is None

    with pytest.raises(MediaLimitError, match="longer than the limit of 3 seconds"):
        decode_all(stream, MediaLimits(max_video_seconds=3.0))


class WriteOnly:
    """A file PyAV cannot seek in, like a pipe."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file

    def write(self, data: bytes) -> int:
        return self.file.write(data)


def copy_video_packets(source_path: Path, target_file: WriteOnly, container_format: str) -> None:
    with av.open(str(source_path)) as source, av.open(target_file, "w", format=container_format) as target:
        video = source.streams.video[0]
        out = target.add_stream_from_template(video)
        for packet in source.demux(video):
            if packet.dts is not None:  # the demuxer's empty flush packet
                packet.stream = out
                target.mux(packet)
