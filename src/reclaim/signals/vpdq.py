"""vPDQ: Meta's video hash, a PDQ hash per sampled frame, matched as a bag of frames.

Hashing follows ThreatExchange ``vpdq/cpp`` (one frame a second, see ``media.video``).
Matching follows the reference's README and python-threatexchange's brute-force matcher:
drop repeated hashes and hashes of quality < 50 on both sides, count the frames on each
side within distance 31 of some frame on the other side, and report both shares in
percent. Frame order and timestamps play no part, so a cut, re-encoded or re-framed copy
still matches. The matcher is pure: it sees hashes, not files, so an index
(``bank/index.py``) can replace the brute-force pair search without changing the result.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt

from reclaim.config import MediaLimits
from reclaim.signals.base import SignalType
from reclaim.signals.pdq import MIN_GOOD_QUALITY, PdqHash, luma_from_rgb, pdq_from_luma

# The reference defaults (python-threatexchange ``vpdq_util.py``, vpdq README).
FRAME_MAX_DISTANCE: Final = 31
MATCH_THRESHOLD_PERCENT: Final = 80.0
SECONDS_PER_HASH: Final = 1.0
# Rows of the query compared at once, so the distance matrix stays a few megabytes.
_CHUNK_ROWS: Final = 1024
_POPCOUNT: Final = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint16)


@dataclass(frozen=True, slots=True)
class VpdqFrame:
    """The PDQ hash of one sampled frame, with its decode-order index and time in seconds."""

    frame: int
    timestamp: float
    pdq: PdqHash

    def to_json(self) -> dict[str, int | float | str]:
        """The CLI's form: ``{"frame", "timestamp", "hash", "quality"}``."""
        # Milliseconds, as the reference prints them: finer digits are float noise.
        return {
            "frame": self.frame,
            "timestamp": round(self.timestamp, 3),
            "hash": self.pdq.hex,
            "quality": self.pdq.quality,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> VpdqFrame:
        """Parse the CLI's form; raises ValueError when a field is missing or malformed."""
        try:
            frame, timestamp = data["frame"], data["timestamp"]
            hex_value, quality = data["hash"], data["quality"]
        except KeyError as missing:
            raise ValueError(f"a vPDQ frame needs {missing}") from None
        if not (isinstance(frame, int) and isinstance(timestamp, int | float)):
            raise ValueError("a vPDQ frame needs a whole frame number and a timestamp")
        if not (isinstance(hex_value, str) and isinstance(quality, int) and 0 <= quality <= 100):
            raise ValueError("a vPDQ frame needs a PDQ hash and a quality from 0 to 100")
        return cls(frame, float(timestamp), PdqHash.from_hex(hex_value, quality))


class VpdqMatch(NamedTuple):
    """Shares of the (unique, good-quality) frames on each side that the other side matched."""

    query_percent: float
    target_percent: float


FrameHashes = Sequence[VpdqFrame] | Sequence[PdqHash]


def hash_video(
    path: Path | str, limits: MediaLimits, seconds_per_hash: float = SECONDS_PER_HASH
) -> list[VpdqFrame]:
    """vPDQ of a video file: the PDQ hash of one frame per ``seconds_per_hash``."""
    # Imported here so that matching, which needs no codec, does not load PyAV.
    from reclaim.media.video import sample_frames

    return [
        VpdqFrame(index, timestamp, pdq_from_luma(luma_from_rgb(rgb)))
        for index, timestamp, rgb in sample_frames(path, limits, seconds_per_hash)
    ]


def match_videos(
    query: FrameHashes,
    target: FrameHashes,
    *,
    max_distance: int = FRAME_MAX_DISTANCE,
    min_quality: int = MIN_GOOD_QUALITY,
) -> VpdqMatch:
    """Percent of query frames with a target frame within ``max_distance``, and the reverse.

    Both are 0 when either side has no frame of quality ``min_quality`` or better.
    """
    query_bits = _unique_good_bits(query, min_quality)
    target_bits = _unique_good_bits(target, min_quality)
    if not len(query_bits) or not len(target_bits):
        return VpdqMatch(0.0, 0.0)
    query_rows, target_rows = pairs_within(query_bits, target_bits, max_distance)
    query_matched = len(np.unique(query_rows))
    target_matched = len(np.unique(target_rows))
    return VpdqMatch(
        query_matched * 100.0 / len(query_bits),
        target_matched * 100.0 / len(target_bits),
    )


def is_vpdq_match(
    query: FrameHashes,
    target: FrameHashes,
    *,
    query_threshold: float = MATCH_THRESHOLD_PERCENT,
    target_threshold: float = MATCH_THRESHOLD_PERCENT,
    max_distance: int = FRAME_MAX_DISTANCE,
    min_quality: int = MIN_GOOD_QUALITY,
) -> bool:
    """True when both shares of matched frames reach their thresholds (80% by default)."""
    result = match_videos(query, target, max_distance=max_distance, min_quality=min_quality)
    return result.query_percent >= query_threshold and result.target_percent >= target_threshold


def pairs_within(
    query: npt.NDArray[np.uint8], target: npt.NDArray[np.uint8], max_distance: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """All (query row, target row) whose hashes (uint8 rows of 32) differ in <= max_distance bits.

    Brute force; ``bank.index.HammingIndex.search`` answers the same question for large banks.
    """
    query_rows: list[npt.NDArray[np.intp]] = []
    target_rows: list[npt.NDArray[np.intp]] = []
    for start in range(0, len(query), _CHUNK_ROWS):
        chunk = query[start : start + _CHUNK_ROWS]
        distances = _POPCOUNT[chunk[:, None, :] ^ target[None, :, :]].sum(axis=2)
        rows, cols = np.nonzero(distances <= max_distance)
        query_rows.append(rows + start)
        target_rows.append(cols)
    return np.concatenate(query_rows), np.concatenate(target_rows)


def _unique_good_bits(frames: FrameHashes, min_quality: int) -> npt.NDArray[np.uint8]:
    # The reference counts each distinct hash once: a still scene held for a minute is one
    # frame, not sixty, so it cannot outvote the rest of the video.
    unique = {h.bits: None for h in _hashes(frames) if h.quality >= min_quality}
    if not unique:
        return np.zeros((0, 32), dtype=np.uint8)
    return np.frombuffer(b"".join(unique), dtype=np.uint8).reshape(-1, 32)


def _hashes(frames: FrameHashes) -> Iterable[PdqHash]:
    return (f.pdq if isinstance(f, VpdqFrame) else f for f in frames)


class VpdqSignal(SignalType):
    """The vPDQ signal type. Its string form is python-threatexchange's, for HMA and banks.

    That form is a JSON list of ``"hash,quality,timestamp"`` strings. ``distance`` is the
    share of frames left unmatched on the worse side, in whole percent (rounded up), so
    ``default_threshold`` 20 means both sides at least 80% matched.
    """

    name = "vpdq"
    content_types = ("video",)
    default_threshold = math.ceil(100 - MATCH_THRESHOLD_PERCENT)

    @staticmethod
    def validate(value: str) -> str:
        return to_signal_string(frames_from_signal_string(value))

    @staticmethod
    def distance(left: str, right: str) -> int:
        result = match_videos(frames_from_signal_string(left), frames_from_signal_string(right))
        return math.ceil(100 - min(result.query_percent, result.target_percent))


def to_signal_string(frames: Iterable[VpdqFrame]) -> str:
    """python-threatexchange's serialized vPDQ (frame numbers are not part of it)."""
    return json.dumps([f"{f.pdq.hex},{f.pdq.quality},{f.timestamp:.3f}" for f in frames])


def frames_from_signal_string(value: str) -> list[VpdqFrame]:
    """Parse python-threatexchange's form; frame numbers are unknown there and set to -1."""
    try:
        items = json.loads(value)
    except json.JSONDecodeError:
        raise ValueError("a vPDQ signal is a JSON list of 'hash,quality,timestamp' strings") from None
    if not isinstance(items, list):
        raise ValueError("a vPDQ signal is a JSON list of 'hash,quality,timestamp' strings")
    frames = []
    for item in items:
        parts = item.split(",") if isinstance(item, str) else []
        if len(parts) != 3:
            raise ValueError(f"{item!r} is not a vPDQ frame ('hash,quality,timestamp')")
        hex_value, quality_text, timestamp_text = parts
        quality, timestamp = int(quality_text), float(timestamp_text)
        if not (0 <= quality <= 100 and timestamp >= 0):
            raise ValueError(f"{item!r} has a quality outside 0-100 or a negative timestamp")
        frames.append(VpdqFrame(-1, timestamp, PdqHash.from_hex(hex_value, quality)))
    return frames
