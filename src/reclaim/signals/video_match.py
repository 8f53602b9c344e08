"""Find protected clips inside a found video by temporal alignment of frame hashes.

Meta's vPDQ rule treats a video as a bag of frames and asks that 80% of each side match.
A leak channel's compilation holds her clip between other people's clips, and an excerpt
holds a few seconds of it, so the share on one side is small and the rule says no. Here a
match is a run of frames that line up in time instead: the query's frame at time ``t``
resembles the protected frame at ``t - offset`` for one offset, over several seconds.
Because unrelated frames almost never line up by chance, each frame may be further from
its partner (a logo drawn over it, a zoom, a re-encode) than a lone PDQ match could be.

The bank side is what the victim's device made: vPDQ frames at one frame a second,
nothing more. The query side brings several views of each frame (``video_views``); the
search goes through ``bank.index.HammingIndex``, so the faster index serves it unchanged,
and the matcher sees hashes only, so a Spark executor can run it without a database.
See ``docs/robust-video-matching.md`` for the thresholds' measurements.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from reclaim.bank.index import HammingIndex
from reclaim.signals.pdq import MIN_GOOD_QUALITY
from reclaim.signals.video_views import QueryFrame
from reclaim.signals.vpdq import FRAME_MAX_DISTANCE, VpdqFrame

# Frame pairs up to this far apart are candidates. Unrelated natural frames sit 100-140 bits
# apart and rarely below 80; a logo over a third of the frame, a 1.2x zoom or bars left in
# place move the hash 30-70 bits. Alignment in time, not this distance, rejects chance pairs.
CANDIDATE_DISTANCE: Final = 64
# A run of at least three distinct protected frames may rest on loose pairs if their mean
# stays at most this: one chance pair below 64 happens, three in a row averaging below
# this at one offset do not (measured: see the design page).
MAX_MEAN_DISTANCE: Final = 52
# Evidence needed: three distinct protected frames on loose pairs, or two on pairs as close
# as vPDQ's own frame threshold (a 3 s excerpt can cover only two 1 fps frames well).
MIN_LOOSE_FRAMES: Final = 3
MIN_STRICT_FRAMES: Final = 2
# Two protected frames within this many bits show the same picture (a held title card, a
# still camera, a fade): they count once, so a shared card cannot add up to a match.
SAME_PICTURE_DISTANCE: Final = 12
# Query time minus protected time may wobble by this much: the bank sampled at 1 fps at
# some phase, the query at 4 fps at another, and a re-encode may shift frames.
OFFSET_TOLERANCE_SECONDS: Final = 0.6
_OFFSET_BIN_SECONDS: Final = 0.2
# A run continues across one unmatched protected frame (a fast motion between samples, a
# logo over the subject); a longer gap starts a new run, judged on its own, so a shared
# title card a few seconds before her picture does not stretch the reported range.
MAX_GAP_SECONDS: Final = 2.5
# Runs at one offset that each passed are joined again across gaps up to this long: a
# stretch of frames that a logo spoiled is still her clip, shown in one piece.
JOIN_GAP_SECONDS: Final = 6.0
# A run's matched frames must be this share of the protected frames it spans, so that
# scattered chance pairs at one offset over a long clip do not join into a run.
MIN_DENSITY: Final = 0.5


@dataclass(frozen=True, slots=True)
class TimeRange:
    """Seconds from the start of a video, both ends included."""

    start: float
    end: float


@dataclass(frozen=True, slots=True)
class VideoMatch:
    """Part of the query that shows part of a protected clip.

    ``clip`` is the clip's row in the ``VideoBank``; ``frames`` counts the protected
    frames matched; ``distance`` is their mean Hamming distance to the query; ``via`` is
    the query view that matched most of them (``whole``, ``trimmed-mirror``, ...).
    """

    clip: int
    query_range: TimeRange
    protected_range: TimeRange
    frames: int
    distance: float
    via: str

    def to_json(self) -> dict[str, object]:
        """The CLI's form; times in seconds to the millisecond, as vPDQ frames print them."""
        return {
            "clip": self.clip,
            "query_range": [round(self.query_range.start, 3), round(self.query_range.end, 3)],
            "protected_range": [round(self.protected_range.start, 3), round(self.protected_range.end, 3)],
            "frames": self.frames,
            "distance": self.distance,
            "via": self.via,
        }


@dataclass(frozen=True, slots=True)
class _Pairs:
    """Candidate pairs of one clip: query time, protected row, distance, view, per pair."""

    query_time: npt.NDArray[np.float64]
    entry: npt.NDArray[np.int64]
    distance: npt.NDArray[np.int32]
    view: npt.NDArray[np.int64]


class VideoBank:
    """The protected clips' frame hashes in one index, searched by whole found videos."""

    def __init__(self, clips: Sequence[Sequence[VpdqFrame]]) -> None:
        frames = [
            (row, f) for row, clip in enumerate(clips) for f in clip if f.pdq.quality >= MIN_GOOD_QUALITY
        ]
        self._clip_count = len(clips)
        self._clip = np.array([row for row, _ in frames], dtype=np.int64)
        self._time = np.array([f.timestamp for _, f in frames], dtype=np.float64)
        bits = b"".join(f.pdq.bits for _, f in frames)
        self._bits = np.frombuffer(bits, dtype=np.uint8).reshape(-1, 32)
        self._index = HammingIndex(self._bits)
        self._frames = np.bincount(self._clip, minlength=self._clip_count)
        # Pictures per clip: a still clip has one, and can only ever match on that one.
        # Frames are stored clip after clip: clip c owns rows _starts[c] to _starts[c + 1].
        self._starts = np.concatenate([[0], np.cumsum(self._frames)])
        self._pictures = [
            _distinct_pictures(self._bits[self._starts[row] : self._starts[row + 1]], MIN_STRICT_FRAMES)
            for row in range(self._clip_count)
        ]

    def __len__(self) -> int:
        return self._clip_count

    def match(self, query: Sequence[QueryFrame]) -> list[VideoMatch]:
        """Every run of the query that lines up with a protected clip, best evidence first."""
        good = [f for f in query if f.pdq.quality >= MIN_GOOD_QUALITY]
        if not good or not len(self._index):
            return []
        views = sorted({f.view for f in good})
        hashes = np.frombuffer(b"".join(f.pdq.bits for f in good), dtype=np.uint8).reshape(-1, 32)
        rows, entries, distances = self._index.search(hashes, CANDIDATE_DISTANCE)
        times = np.array([f.timestamp for f in good], dtype=np.float64)[rows]
        view_ids = np.array([views.index(f.view) for f in good], dtype=np.int64)[rows]
        matches: list[VideoMatch] = []
        for clip in np.unique(self._clip[entries]):
            mask = self._clip[entries] == clip
            pairs = _best_view_per_pair(_Pairs(times[mask], entries[mask], distances[mask], view_ids[mask]))
            matches.extend(self._runs_of_clip(int(clip), pairs, views))
        return sorted(matches, key=lambda m: (-m.frames, m.distance, m.clip, m.query_range.start))

    def _runs_of_clip(self, clip: int, pairs: _Pairs, views: list[str]) -> list[VideoMatch]:
        offsets = pairs.query_time - self._time[pairs.entry]
        pool = np.ones(len(offsets), dtype=bool)
        found: list[VideoMatch] = []
        # Each round takes the offset most protected frames agree on, reads its runs, and
        # removes its pairs, so a clip shown twice in a compilation is found twice.
        while pool.any():
            centre = _busiest_offset(offsets[pool], pairs.entry[pool])
            # Half a bin more than the tolerance takes every pair that voted for the centre,
            # so each round removes at least one pair.
            reach = OFFSET_TOLERANCE_SECONDS + _OFFSET_BIN_SECONDS / 2
            window = pool & (np.abs(offsets - centre) <= reach)
            pool &= ~window
            chosen = _closest_pair_per_entry(pairs, np.flatnonzero(window))
            if len(chosen) < min(MIN_STRICT_FRAMES, self._pictures[clip]):
                break  # the busiest offset is too weak for any rule; the others are weaker
            passed = [self._judge_run(clip, pairs, run, views) for run in self._split_runs(chosen, pairs)]
            found.extend(_joined([m for m in passed if m is not None]))
        return _without_overlaps(found)

    def _split_runs(self, chosen: npt.NDArray[np.int64], pairs: _Pairs) -> list[npt.NDArray[np.int64]]:
        """Split the chosen pairs (one per protected frame) where protected time jumps."""
        order = chosen[np.argsort(self._time[pairs.entry[chosen]], kind="stable")]
        gaps = np.diff(self._time[pairs.entry[order]]) > MAX_GAP_SECONDS
        return np.split(order, np.flatnonzero(gaps) + 1)

    def _judge_run(
        self, clip: int, pairs: _Pairs, run: npt.NDArray[np.int64], views: list[str]
    ) -> VideoMatch | None:
        """The run as a match when its evidence passes the rule, else None."""
        entries = pairs.entry[run]
        distances = pairs.distance[run]
        protected_times = self._time[entries]
        query_times = pairs.query_time[run]
        pictures = _distinct_pictures(self._bits[entries], MIN_LOOSE_FRAMES)
        clip_times = self._time[self._starts[clip] : self._starts[clip + 1]]
        in_span = (clip_times >= protected_times.min()) & (clip_times <= protected_times.max())
        density = len(run) / max(1, int(in_span.sum()))
        distinct_query_times = len(np.unique(query_times))
        strict = distances <= FRAME_MAX_DISTANCE
        # Loose: several different pictures in order, close on average. Strict: pairs as
        # close as vPDQ asks of every frame, on two pictures or on all a still clip has.
        loose_ok = (
            pictures >= MIN_LOOSE_FRAMES
            and distinct_query_times >= MIN_LOOSE_FRAMES
            and float(distances.mean()) <= MAX_MEAN_DISTANCE
        )
        strict_pictures = _distinct_pictures(self._bits[entries[strict]], MIN_STRICT_FRAMES)
        # Two pictures, or all a still clip has; and two query moments even then, since one
        # frame alone is an image match, not a video one.
        needed = min(MIN_STRICT_FRAMES, self._pictures[clip])
        moments = min(MIN_STRICT_FRAMES, self._frames[clip])
        strict_ok = strict_pictures >= needed and len(np.unique(query_times[strict])) >= moments
        if density < MIN_DENSITY or not (loose_ok or strict_ok):
            return None
        via = Counter(views[v] for v in pairs.view[run]).most_common(1)[0][0]
        return VideoMatch(
            clip=clip,
            query_range=TimeRange(float(query_times.min()), float(query_times.max())),
            protected_range=TimeRange(float(protected_times.min()), float(protected_times.max())),
            frames=len(run),
            distance=round(float(distances.mean()), 1),
            via=via,
        )


def _joined(matches: list[VideoMatch]) -> list[VideoMatch]:
    """Join runs of one offset (in protected time order) that lie close together."""
    joined: list[VideoMatch] = []
    for match in matches:
        last = joined[-1] if joined else None
        if last is None or match.protected_range.start - last.protected_range.end > JOIN_GAP_SECONDS:
            joined.append(match)
            continue
        frames = last.frames + match.frames
        joined[-1] = VideoMatch(
            clip=last.clip,
            query_range=TimeRange(last.query_range.start, match.query_range.end),
            protected_range=TimeRange(last.protected_range.start, match.protected_range.end),
            frames=frames,
            distance=round((last.distance * last.frames + match.distance * match.frames) / frames, 1),
            via=last.via if last.frames >= match.frames else match.via,
        )
    return joined


def _without_overlaps(matches: list[VideoMatch]) -> list[VideoMatch]:
    """Drop runs whose query time lies within a stronger run of the same clip.

    A still or slow opening matches at neighbouring offsets too; the run at the true offset
    has more frames, and the echoes beside it say nothing new.
    """
    kept: list[VideoMatch] = []
    for match in sorted(matches, key=lambda m: (-m.frames, m.distance)):
        if not any(_overlaps(match.query_range, other.query_range) for other in kept):
            kept.append(match)
    return kept


def _overlaps(left: TimeRange, right: TimeRange) -> bool:
    return left.start <= right.end and right.start <= left.end


def _best_view_per_pair(pairs: _Pairs) -> _Pairs:
    """Keep, for each (query time, protected frame), the view that came closest."""
    order = np.lexsort((pairs.distance, pairs.entry, pairs.query_time))
    keys = np.stack([pairs.query_time[order], pairs.entry[order].astype(np.float64)])
    first = np.ones(len(order), dtype=bool)
    first[1:] = np.any(keys[:, 1:] != keys[:, :-1], axis=0)
    keep = order[first]
    return _Pairs(pairs.query_time[keep], pairs.entry[keep], pairs.distance[keep], pairs.view[keep])


def _busiest_offset(offsets: npt.NDArray[np.float64], entries: npt.NDArray[np.int64]) -> float:
    """The offset (query minus protected time) that the most protected frames agree on."""
    bins = np.round(offsets / _OFFSET_BIN_SECONDS).astype(np.int64)
    # One vote per protected frame and bin: a still frame matched by every query sample
    # near it would otherwise outvote a moving scene.
    votes = np.unique(np.stack([bins, entries]), axis=1)[0]
    low = int(votes.min())
    histogram = np.bincount(votes - low).astype(np.float64)
    reach = round(OFFSET_TOLERANCE_SECONDS / _OFFSET_BIN_SECONDS)
    windowed = np.convolve(histogram, np.ones(2 * reach + 1), mode="same")
    return float((int(np.argmax(windowed)) + low) * _OFFSET_BIN_SECONDS)


def _closest_pair_per_entry(pairs: _Pairs, candidates: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """One pair per protected frame among the candidates: the closest in Hamming distance."""
    order = candidates[np.lexsort((pairs.distance[candidates], pairs.entry[candidates]))]
    first = np.ones(len(order), dtype=bool)
    first[1:] = pairs.entry[order][1:] != pairs.entry[order][:-1]
    chosen: npt.NDArray[np.int64] = order[first]
    return chosen


def _distinct_pictures(bits: npt.NDArray[np.uint8], enough: int) -> int:
    """How many different pictures the frames show, counting up to ``enough``.

    A frame within SAME_PICTURE_DISTANCE of a counted one shows the same picture.
    """
    counted = np.zeros((0, bits.shape[1]), dtype=np.uint8)
    for row in bits:
        distances = np.bitwise_count(counted ^ row).sum(axis=1)
        if not (distances <= SAME_PICTURE_DISTANCE).any():
            counted = np.vstack([counted, row])
            if len(counted) >= enough:
                break
    return len(counted)
