"""Decode an untrusted video with PyAV and sample it the way Meta's vPDQ reference does.

The reference (ThreatExchange ``vpdq/cpp/vpdq/cpp/hashing/filehasher.cpp``) decodes every
frame, counts them in the order the decoder returns them, and hashes every
``int(seconds_per_hash * fps)``-th one, with ``fps`` the stream's average frame rate and
the timestamp ``index / fps``. We keep those conventions so our hashes line up with hashes
made by the reference and by HMA installations.

Limits (file size, frame pixels, duration) are checked from the container before the
first frame is decoded, and again while decoding, because headers can lie.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Final, NamedTuple, cast

import av
import av.container
import av.video.frame
import av.video.stream
import numpy as np
import numpy.typing as npt

from reclaim.config import MediaLimits
from reclaim.errors import N_, MediaError, MediaLimitError
from reclaim.media.files import read_checked_head
from reclaim.media.sniff import HEAD_BYTES, describe_unknown, sniff_media_kind

# Demuxers we accept. Playlist and concat demuxers (hls, concat, ...) open other files or
# URLs named inside the file, the classic way a crafted ".mp4" reads /etc/passwd or
# reaches an internal host, so a found file may only be one of these plain containers.
_DEMUXERS: Final = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,mpegts,mpeg,asf,ogg"
# A file is read from the local disk and nothing else: no network, no nested protocols.
_OPEN_OPTIONS: Final = {"protocol_whitelist": "file", "format_whitelist": _DEMUXERS}
# Media held in memory (a live download) is read from its buffer alone. FFmpeg has no protocol
# named "none", so a demuxer that tries to open a second input (a reference in a MOV's dref
# box, say) is refused even the local disk.
_MEMORY_OPTIONS: Final = {"protocol_whitelist": "none", "format_whitelist": _DEMUXERS}
# Fewer decoded frames than the container's index lists means the file was cut off (a
# half-finished download). Edit lists may hide a few indexed frames legitimately, so we
# allow a second's worth, or 2% of a long video, before calling it cut off.
_TRUNCATION_SHARE: Final = 0.02
# Frame threads each hold a frame in flight: at the 8K pixel limit that is ~50 MB apiece.
_MAX_DECODER_THREADS: Final = 8
# Whole sentences, not a "{reason}" filled in English, so each one is translated.
_NOT_VIDEO: Final = {
    "image": N_("{path} is not a video (it is an image)."),
    "text": N_("{path} is not a video (it is text)."),
    "pdf": N_("{path} is not a video (it is a PDF document)."),
    "zip": N_("{path} is not a video (it is a zip archive)."),
}
_DECODE_ERRORS: Final = (av.FFmpegError, OSError, ValueError, EOFError, MemoryError)


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What the container says about the first video stream, checked against the limits."""

    width: int
    height: int
    fps: float
    duration_seconds: float | None
    frame_count: int | None


class SampledFrame(NamedTuple):
    """One sampled frame: its index in decode order, ``frame / fps`` and its RGB pixels."""

    frame: int
    timestamp: float
    rgb: npt.NDArray[np.uint8]


def probe_video(path: Path | str, limits: MediaLimits) -> VideoInfo:
    """Read a video's header and check it against ``limits``, without decoding a frame."""
    file = _checked_file(Path(path), limits)
    with _open(file) as container:
        return _stream_info(file, container, limits)[1]


def sample_frames(
    path: Path | str, limits: MediaLimits, seconds_per_sample: float = 1.0
) -> Iterator[SampledFrame]:
    """Decode every frame, yield one every ``seconds_per_sample`` as RGB (vPDQ's sampling).

    Frames are streamed: only the frame being yielded is held, whatever the video's length.
    Raises MediaError for a file that is not a decodable video, MediaLimitError for one
    over the limits.
    """
    if not seconds_per_sample > 0:
        raise ValueError("seconds_per_sample must be greater than zero")
    file = _checked_file(Path(path), limits)
    with _open(file) as container:
        yield from _sampled(container, file, limits, seconds_per_sample)


def sample_frames_of_bytes(
    data: bytes, name: str, limits: MediaLimits, seconds_per_sample: float = 1.0
) -> Iterator[SampledFrame]:
    """:func:`sample_frames` for a video held in memory only (a live download); nothing touches disk.

    ``name`` only labels errors. The same limits apply: size, container allow-list, frame
    pixels and duration, from the header and again while decoding.
    """
    if not seconds_per_sample > 0:
        raise ValueError("seconds_per_sample must be greater than zero")
    label = _checked_bytes(data, name, limits)
    with _open_bytes(data, label) as container:
        yield from _sampled(container, label, limits, seconds_per_sample)


def _sampled(
    container: av.container.InputContainer, file: Path, limits: MediaLimits, seconds_per_sample: float
) -> Iterator[SampledFrame]:
    stream, info = _stream_info(file, container, limits)
    # The reference truncates (29.97 fps gives every 29th frame), and falls back to
    # every frame when the video has less than one frame per sample period.
    step = max(1, int(seconds_per_sample * info.fps))
    max_frames = math.floor(limits.max_video_seconds * info.fps) + 1
    # Frame threading decodes several frames at once; frames still come out in order.
    stream.thread_type = "AUTO"
    stream.thread_count = min(_MAX_DECODER_THREADS, os.cpu_count() or 1)
    index = -1
    try:
        for index, frame in enumerate(container.decode(stream)):
            if index >= max_frames:
                raise _too_long(file, limits)
            if index % step:
                continue
            _check_frame_pixels(file, frame, limits)
            yield SampledFrame(index, index / info.fps, _rgb(frame))
    except _DECODE_ERRORS as error:
        raise _not_decodable(file, info, error, index + 1) from None
    _check_complete(file, info, decoded=index + 1)


def _checked_file(path: Path, limits: MediaLimits) -> Path:
    head = read_checked_head(path, limits)
    if not head:
        raise MediaError(N_("{path} is empty (0 bytes)."), path=str(path))
    kind = sniff_media_kind(head) or describe_unknown(head)
    if kind in _NOT_VIDEO:
        # Said before FFmpeg probes it: "it is text" helps more than "Invalid data found".
        raise MediaError(_NOT_VIDEO[kind], path=str(path))
    return path


def _checked_bytes(data: bytes, name: str, limits: MediaLimits) -> Path:
    label = Path(name)
    if len(data) > limits.max_file_bytes:
        raise MediaLimitError(
            N_("{path} is {size} bytes, more than the limit of {limit} bytes."),
            path=name,
            size=len(data),
            limit=limits.max_file_bytes,
        )
    if not data:
        raise MediaError(N_("{path} is empty (0 bytes)."), path=name)
    head = data[:HEAD_BYTES]
    kind = sniff_media_kind(head) or describe_unknown(head)
    if kind in _NOT_VIDEO:
        raise MediaError(_NOT_VIDEO[kind], path=name)
    return label


def _open_bytes(data: bytes, label: Path) -> av.container.InputContainer:
    try:
        return av.open(io.BytesIO(data), mode="r", options=_MEMORY_OPTIONS)
    except _DECODE_ERRORS as error:
        raise MediaError(
            N_("{path} is not a video ({reason})."), path=str(label), reason=_reason(error)
        ) from None


def _open(path: Path) -> av.container.InputContainer:
    # "file:" stops FFmpeg from reading a name such as "concat:a|b" or "http://..." as a URL.
    url = "file:" + str(path.resolve())
    try:
        return av.open(url, mode="r", options=_OPEN_OPTIONS)
    except _DECODE_ERRORS as error:
        raise MediaError(
            N_("{path} is not a video ({reason})."), path=str(path), reason=_reason(error)
        ) from None


def _stream_info(
    path: Path, container: av.container.InputContainer, limits: MediaLimits
) -> tuple[av.video.stream.VideoStream, VideoInfo]:
    if not container.streams.video:
        raise MediaError(N_("{path} has no video stream."), path=str(path))
    stream = container.streams.video[0]
    width, height = stream.codec_context.width, stream.codec_context.height
    if width <= 0 or height <= 0:
        raise MediaError(N_("{path} is not a video (its frames have no size)."), path=str(path))
    if width * height > limits.max_video_pixels:
        raise MediaLimitError(
            N_("{path} has {width}x{height} frames, more than the limit of {limit} pixels."),
            path=str(path),
            width=width,
            height=height,
            limit=limits.max_video_pixels,
        )
    fps = _frame_rate(stream)
    if fps is None:
        raise MediaError(N_("{path} is not a video (it has no frame rate)."), path=str(path))
    duration = _duration_seconds(container, stream)
    if duration is not None and duration > limits.max_video_seconds:
        raise _too_long(path, limits, duration)
    frame_count = stream.frames or None
    return stream, VideoInfo(width, height, fps, duration, frame_count)


def _frame_rate(stream: av.video.stream.VideoStream) -> float | None:
    # As the reference: the average rate, else the lowest rate that represents every timestamp.
    for rate in (stream.average_rate, stream.base_rate):
        if isinstance(rate, Fraction) and rate > 0:
            return float(rate)
    return None


def _duration_seconds(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream
) -> float | None:
    if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
        return float(stream.duration * stream.time_base)
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    return None


def _check_frame_pixels(path: Path, frame: av.video.frame.VideoFrame, limits: MediaLimits) -> None:
    # H.264 and HEVC may change the frame size mid-stream, past what the header said.
    if frame.width * frame.height > limits.max_video_pixels:
        raise MediaLimitError(
            N_("{path} has {width}x{height} frames, more than the limit of {limit} pixels."),
            path=str(path),
            width=frame.width,
            height=frame.height,
            limit=limits.max_video_pixels,
        )


def _check_complete(path: Path, info: VideoInfo, decoded: int) -> None:
    if decoded == 0:
        raise MediaError(N_("{path} is not a video (no frame decodes)."), path=str(path))
    if _is_cut_off(info, decoded):
        raise _cut_off(path, info, decoded)


def _is_cut_off(info: VideoInfo, decoded: int) -> bool:
    expected = info.frame_count
    return expected is not None and expected - decoded > max(info.fps, expected * _TRUNCATION_SHARE)


def _cut_off(path: Path, info: VideoInfo, decoded: int) -> MediaError:
    return MediaError(
        N_("{path} is cut off: {decoded} of {expected} frames decode."),
        path=str(path),
        decoded=decoded,
        expected=info.frame_count,
    )


def _rgb(frame: av.video.frame.VideoFrame) -> npt.NDArray[np.uint8]:
    # The reference converts with swscale's default BT.601 matrix whatever the stream says.
    # rgb24 is 8 bits a channel; PyAV's stub types every format's array at once.
    return cast("npt.NDArray[np.uint8]", frame.to_ndarray(format="rgb24", src_colorspace="ITU601"))


def _too_long(path: Path, limits: MediaLimits, seconds: float | None = None) -> MediaLimitError:
    if seconds is None:
        return MediaLimitError(
            N_("{path} runs longer than the limit of {limit:.0f} seconds."),
            path=str(path),
            limit=limits.max_video_seconds,
        )
    return MediaLimitError(
        N_("{path} runs {seconds:.0f} seconds, longer than the limit of {limit:.0f} seconds."),
        path=str(path),
        seconds=seconds,
        limit=limits.max_video_seconds,
    )


def _not_decodable(path: Path, info: VideoInfo, error: BaseException, decoded: int) -> MediaError:
    if decoded == 0:
        return MediaError(N_("{path} is not a video ({reason})."), path=str(path), reason=_reason(error))
    # A decoder may fail on the last, partial packet of a cut-off file or simply stop.
    if _is_cut_off(info, decoded):
        return _cut_off(path, info, decoded)
    return MediaError(
        N_("{path} is damaged after frame {decoded} ({reason})."),
        path=str(path),
        decoded=decoded,
        reason=_reason(error),
    )


def _reason(error: BaseException) -> str:
    # FFmpeg's own words ("Invalid data found when processing input"), without errno or path.
    if isinstance(error, av.FFmpegError) and error.strerror:
        return str(error.strerror)
    return type(error).__name__ if not str(error) else str(error).splitlines()[0]
