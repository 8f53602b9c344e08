"""Query-side views of a found video: the hashes we search the bank with, per sampled frame.

A leaked copy is seldom the file she hashed. Channels mirror it, add bars to fit a 16:9 or
9:16 player, or screen-record it inside a chat app. Each sampled frame of the query is
therefore hashed several ways ("views"), and the matcher (``video_match``) keeps, per frame,
the view closest to a protected frame:

- ``whole``: the frame as decoded, what vPDQ hashes;
- ``trimmed``: the frame without flat bars at its edges (letterbox, pillarbox), found per
  frame, because a compilation mixes clips with and without bars;
- ``moving``: the part of the picture that changes over time. A screen recording shows the
  video inside a chat UI that stands still, and bars stand still too, so the box around the
  changing pixels is the video. It needs the whole query, so it is found after a first pass;
- each of these mirrored (``-mirror``): a flipped copy is a common re-upload edit, and the
  mirrored hash comes from the same PDQ grid at no extra cost.

Query-side work costs no privacy: the found video is already public. Views are plain
functions of a luma image and a box, so the image matcher's views (``signals/robust.py``)
can replace or extend them later without touching the temporal matcher.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, NamedTuple

import numpy as np
import numpy.typing as npt

from reclaim.config import MediaLimits
from reclaim.signals.pdq import PdqHash, axis_kernel, hash_from_grid, luma_from_rgb

if TYPE_CHECKING:
    from reclaim.media.video import SampledFrame

# Ten samples a second against the bank's one: whatever phase the bank's 1 fps sampling
# had, some query sample lies within 1/20 s of each protected frame. In a fast pan PDQ moves
# ~130 bits a second, so 0.1 s off (five samples a second) already costs 50-70 bits and a
# trimmed copy of a fast clip was missed; 0.05 s off costs about half. At 30 and 60 fps
# every tenth of a second is a whole frame, so an unedited copy is sampled on the bank's
# very frames. The costly views (padded, unzoomed) are hashed on every second sample only.
QUERY_SAMPLES_PER_SECOND: Final = 10.0
_COSTLY_VIEWS_EVERY: Final = 2
# Frame shapes (width / height) that players and re-uploads pad videos to: landscape and
# portrait phone video, old TV, square feeds, and 2:3 / 3:2 (DV and photo frames).
PLAYER_SHAPES: Final = {
    "16:9": 16 / 9,
    "9:16": 9 / 16,
    "4:3": 4 / 3,
    "3:4": 3 / 4,
    "1:1": 1.0,
    "3:2": 3 / 2,
    "2:3": 2 / 3,
}
# Shapes within 5% of the frame's own are the frame: no bars worth the name.
_DIFFERENT_SHAPE: Final = 1.05
# Zooms that re-uploads apply to hide a watermark or fill a player (see unzoomed views).
# A factor only helps within about 0.05 of the true zoom (measured at 1.2x: 1.2 gives
# 24-60 bits, 1.1 and 1.35 give 60-110), hence a factor every 0.05.
UNZOOM_FACTORS: Final = (1.1, 1.15, 1.2, 1.25, 1.3)
# Views are hashed on frames reduced to about this many pixels on the short side.
_REDUCED_SIDE: Final = 180
# A row or column is a bar when this share of its pixels lie within _BAR_TOLERANCE of its
# median: flat, whatever its colour (black, grey; a blurred fill is not flat and stays).
# Codec noise on a bar is 1-3 levels; a dark, low-contrast picture row still varies more
# than 8 somewhere in 3% of its pixels.
_BAR_FLAT_SHARE: Final = 0.97
_BAR_TOLERANCE: Final = 8.0
# Trimming keeps at least this share of a side: a 16:9 clip letterboxed into a 9:16 player
# keeps 32% of the height, a 9:16 clip pillarboxed into 21:9 keeps 24% of the width.
_MIN_KEPT_SHARE: Final = 0.2
# A box that keeps this much of both sides is the whole frame; hashing it again adds nothing.
_SAME_BOX_SHARE: Final = 0.97
# A reduced pixel changed between two samples when it moved more than this many luma levels;
# codec noise on a still chat UI moves a block mean by 1-2 levels.
_CELL_CHANGE: Final = 2.0
# A pixel is moving when it changed in this share of the transitions (at least twice). Low on
# purpose: a dark, slow scene changes a cell only now and then, and a chat UI never does.
_MOVING_SHARE: Final = 0.05
# Rows and columns at the box's rim that change less than this share of its typical row are
# ringing or player controls (see _tightened).
_RIM_SHARE: Final = 0.5
# A row (column) of pixels belongs to the moving box when it holds this share of the busiest
# row's moving cells; stray moving cells (a clock, a typing dot) do not stretch the box.
_ROW_SHARE: Final = 0.3


class Box(NamedTuple):
    """A region of a frame in pixels: rows [top, bottom), columns [left, right)."""

    top: int
    bottom: int
    left: int
    right: int


@dataclass(frozen=True, slots=True)
class QueryFrame:
    """One view of one sampled query frame: when it was shown, how it was cut, its hash."""

    timestamp: float
    view: str
    pdq: PdqHash


def reduced_luma(rgb: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.float32], int]:
    """The frame's luma as block means of ``scale`` pixels a side, and that scale.

    A query frame is hashed a dozen ways; at full size that costs more than decoding it.
    PDQ blurs away detail finer than 1/128 of the frame anyway, and its kernels can stand
    for the full-size image on block means (``pdq.axis_kernel``), so the views are hashed
    on a frame of about ``_REDUCED_SIDE`` pixels with hashes that stay close to full-size
    ones (measured: the docs' design page).
    """
    luma = luma_from_rgb(rgb)
    scale = max(1, min(luma.shape) // _REDUCED_SIDE)
    if scale == 1:
        return luma, 1
    height, width = luma.shape[0] // scale * scale, luma.shape[1] // scale * scale
    blocks = luma[:height, :width].reshape(height // scale, scale, width // scale, scale)
    reduced: npt.NDArray[np.float32] = blocks.mean(axis=(1, 3), dtype=np.float32)
    return reduced, scale


def _kernel(length: int, scale: int) -> npt.NDArray[np.float32]:
    """PDQ's blur-and-sample matrix for ``length`` block means standing for ``length * scale`` pixels."""
    return axis_kernel(length * scale, length)


def _grid(region: npt.NDArray[np.float32], scale: int) -> npt.NDArray[np.float32]:
    height, width = region.shape
    return _product(_kernel(height, scale), region, _kernel(width, scale).T)


def _product(*matrices: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    # numpy's stubs call a float32 matmul float64; the arrays and the result are float32.
    return np.asarray(
        np.linalg.multi_dot(matrices) if len(matrices) > 2 else matrices[0] @ matrices[1], dtype=np.float32
    )


def hashes_of_views(
    luma: npt.NDArray[np.float32], boxes: dict[str, Box | None], scale: int = 1
) -> Iterator[tuple[str, PdqHash]]:
    """PDQ of each named box of a luma frame (None: the whole frame), and of its mirror image."""
    for name, box in boxes.items():
        region = luma if box is None else _crop(luma, box)
        grid = _grid(region, scale)
        yield name, hash_from_grid(grid)
        # Mirroring is exact on the grid, as the reference's dihedral hashes are.
        yield f"{name}-mirror", hash_from_grid(grid[:, ::-1])


def _crop(luma: npt.NDArray[np.float32], box: Box) -> npt.NDArray[np.float32]:
    return luma[box.top : box.bottom, box.left : box.right]


def hashes_of_padded_frames(luma: npt.NDArray[np.float32], scale: int = 1) -> Iterator[tuple[str, PdqHash]]:
    """PDQ of the frame as a player would show it with bars, for each common player shape.

    This is the other direction of bar trimming: her copy carries bars, the found one does
    not. A bar spans the whole height (or width) and is flat, so it adds nothing to the DCT
    coefficients PDQ keeps (they all vary along both axes): whatever its colour, the padded
    hash is the frame's content blurred and sampled on the wider grid. That needs one
    kernel product per axis, shared by every shape.
    """
    height, width = luma.shape
    aspect = width / height
    across = _product(luma, _kernel(width, scale).T)  # (height, 64): columns done, rows to do
    down = _product(_kernel(height, scale), luma)  # (64, width): rows done, columns to do
    for name, shape in PLAYER_SHAPES.items():
        if shape > aspect * _DIFFERENT_SHAPE:
            padded = round(height * shape)
            start = (padded - width) // 2
            grid = _product(down, _kernel(padded, scale)[:, start : start + width].T)
        elif shape < aspect / _DIFFERENT_SHAPE:
            padded = round(width / shape)
            start = (padded - height) // 2
            grid = _product(_kernel(padded, scale)[:, start : start + height], across)
        else:
            continue
        yield f"padded-{name}", hash_from_grid(grid)


def hashes_of_unzoomed_frames(luma: npt.NDArray[np.float32], scale: int = 1) -> Iterator[tuple[str, PdqHash]]:
    """PDQ of the frame widened as if a zoom had cut its edges off, for each zoom factor.

    A re-upload zoomed 1.2x shows the middle 83% of her frame, and PDQ moves 90-130 bits:
    every low frequency lands elsewhere on the grid. The cut-off edges are gone, but their
    place is not: padding the frame back to its old size, with its outermost pixels
    repeated, puts the picture back where her frame had it (measured 30-60 bits). The
    padding is folded into the kernels, so each factor costs one grid.
    """
    height, width = luma.shape
    for factor in UNZOOM_FACTORS:
        rows = _edge_padded_kernel(height, factor, scale)
        cols = _edge_padded_kernel(width, factor, scale)
        yield f"unzoomed-{factor:g}", hash_from_grid(_product(rows, luma, cols.T))


def _edge_padded_kernel(length: int, factor: float, scale: int) -> npt.NDArray[np.float32]:
    padded = round(length * factor)
    start = (padded - length) // 2
    full = _kernel(padded, scale)
    kernel = full[:, start : start + length].copy()
    # Pixels of the padding repeat the edge pixel, so their weights fall on it.
    kernel[:, 0] += full[:, :start].sum(axis=1)
    kernel[:, -1] += full[:, start + length :].sum(axis=1)
    return kernel


def bar_trimmed_box(luma: npt.NDArray[np.float32]) -> Box | None:
    """The frame without flat bars at its edges, or None when there are none to trim."""
    height, width = luma.shape
    top, bottom = _content_span(luma)
    left, right = _content_span(luma.T)
    box = Box(top, bottom, left, right)
    return None if _is_whole(box, height, width) else box


def _content_span(luma: npt.NDArray[np.float32]) -> tuple[int, int]:
    """The first and past-the-last row that is not part of a bar at either edge.

    A bar is a run of flat rows from the edge inwards, all of the edge row's colour: a dark
    sky just inside a black bar is flat too, but a different level, and stays.
    """
    # Every other pixel along the row is plenty to tell a flat bar from a picture.
    sampled = luma[:, ::2]
    median = np.median(sampled, axis=1)
    flat = (np.abs(sampled - median[:, None]) <= _BAR_TOLERANCE).mean(axis=1) >= _BAR_FLAT_SHARE
    length = len(median)
    top = _bar_length(flat, median)
    bottom = length - _bar_length(flat[::-1], median[::-1])
    if bottom - top < _MIN_KEPT_SHARE * length:
        return 0, length
    return top, bottom


def _bar_length(flat: npt.NDArray[np.bool_], median: npt.NDArray[np.float32]) -> int:
    in_bar = flat & (np.abs(median - median[0]) <= _BAR_TOLERANCE)
    outside = np.flatnonzero(~in_bar)
    return int(outside[0]) if outside.size else len(flat)


def _is_whole(box: Box, height: int, width: int) -> bool:
    return (box.bottom - box.top) >= _SAME_BOX_SHARE * height and (
        box.right - box.left
    ) >= _SAME_BOX_SHARE * width


class MotionTracker:
    """Finds the moving region of a video from its sampled frames, a frame at a time.

    Works on the reduced frames (``reduced_luma``): a reduced pixel is already the mean of
    a block, which hides codec noise, and the box must be exact to the pixel, because PDQ
    of a region a few pixels too large moves 15 bits per pixel row.
    """

    def __init__(self) -> None:
        self._previous: npt.NDArray[np.float32] | None = None
        self._changes: npt.NDArray[np.int32] | None = None
        self._transitions = 0

    def add(self, luma: npt.NDArray[np.float32]) -> None:
        """Count, per pixel, whether it changed since the previous sample."""
        if self._previous is None or luma.shape != self._previous.shape:
            # A size change mid-stream starts over: the boxes would not line up.
            self._previous = luma
            self._changes = np.zeros(luma.shape, dtype=np.int32)
            self._transitions = 0
            return
        assert self._changes is not None
        self._changes += np.abs(luma - self._previous) > _CELL_CHANGE
        self._previous = luma
        self._transitions += 1

    def moving_box(self) -> Box | None:
        """The box around the pixels that keep changing, or None when it is the whole frame."""
        if self._changes is None or self._transitions < 2:
            return None
        moving = self._changes >= max(2.0, _MOVING_SHARE * self._transitions)
        rows = _busy_span(moving.sum(axis=1))
        cols = _busy_span(moving.sum(axis=0))
        if rows is None or cols is None:
            return None
        height, width = self._changes.shape
        box = _tightened(self._changes, Box(rows[0], rows[1], cols[0], cols[1]))
        # A box too small to hash well is a moving detail, not the video.
        if (box.bottom - box.top) < 0.2 * height or (box.right - box.left) < 0.2 * width:
            return None
        return None if _is_whole(box, height, width) else box


def _tightened(changes: npt.NDArray[np.int32], box: Box) -> Box:
    """The box without its rim of codec ringing and player controls.

    Compression smears a moving picture a pixel or two into the still UI around it, and a
    progress bar under the player changes too, but both change far less often than the
    picture. Edge rows and columns changing less than half as often as the box's typical
    row or column are peeled off.
    """
    inside = changes[box.top : box.bottom, box.left : box.right].astype(np.float32)
    row_activity, col_activity = inside.mean(axis=1), inside.mean(axis=0)
    rows = np.flatnonzero(row_activity >= _RIM_SHARE * float(np.median(row_activity)))
    cols = np.flatnonzero(col_activity >= _RIM_SHARE * float(np.median(col_activity)))
    if not rows.size or not cols.size:
        return box
    return Box(
        box.top + int(rows[0]),
        box.top + int(rows[-1]) + 1,
        box.left + int(cols[0]),
        box.left + int(cols[-1]) + 1,
    )


def _busy_span(counts: npt.NDArray[np.int64]) -> tuple[int, int] | None:
    peak = int(counts.max()) if counts.size else 0
    if peak < 2:
        return None
    busy = np.flatnonzero(counts >= max(2, _ROW_SHARE * peak))
    return int(busy[0]), int(busy[-1]) + 1


def query_frames(
    path: Path | str, limits: MediaLimits, samples_per_second: float = QUERY_SAMPLES_PER_SECOND
) -> list[QueryFrame]:
    """Every view of every sampled frame of a found video, ready for ``VideoBank.match``.

    Decodes the file once, and a second time only when part of the picture stands still
    (a screen recording, burnt-in bars), to hash the moving region.
    """
    from reclaim.media.video import sample_frames

    return _query_frames(lambda: sample_frames(path, limits, 1.0 / samples_per_second))


def query_frames_of_bytes(
    data: bytes, name: str, limits: MediaLimits, samples_per_second: float = QUERY_SAMPLES_PER_SECOND
) -> list[QueryFrame]:
    """:func:`query_frames` for a video held in memory only (a live download); ``name`` labels errors."""
    from reclaim.media.video import sample_frames_of_bytes

    return _query_frames(lambda: sample_frames_of_bytes(data, name, limits, 1.0 / samples_per_second))


def _query_frames(samples: Callable[[], Iterator[SampledFrame]]) -> list[QueryFrame]:
    """The views of every sample ``samples()`` decodes; called a second time for the moving box."""
    tracker = MotionTracker()
    frames: list[QueryFrame] = []
    for number, (_, timestamp, rgb) in enumerate(samples()):
        luma, scale = reduced_luma(rgb)
        tracker.add(luma)
        boxes: dict[str, Box | None] = {"whole": None}
        trimmed = bar_trimmed_box(luma)
        if trimmed is not None:
            boxes["trimmed"] = trimmed
        views = hashes_of_views(luma, boxes, scale)
        frames.extend(QueryFrame(timestamp, view, pdq) for view, pdq in views)
        if number % _COSTLY_VIEWS_EVERY:
            continue
        if trimmed is None:
            # A frame that has bars already is not padded again: bars on both copies are rare.
            padded = hashes_of_padded_frames(luma, scale)
            frames.extend(QueryFrame(timestamp, view, pdq) for view, pdq in padded)
        unzoomed = hashes_of_unzoomed_frames(luma if trimmed is None else _crop(luma, trimmed), scale)
        frames.extend(QueryFrame(timestamp, view, pdq) for view, pdq in unzoomed)
    moving = tracker.moving_box()
    if moving is not None:
        for _, timestamp, rgb in samples():
            luma, scale = reduced_luma(rgb)
            region = _crop(luma, moving)
            # The player in a chat bubble pads a clip of another shape with bars of its own.
            inner = bar_trimmed_box(region)
            if inner is not None:
                region = _crop(region, inner)
            # The box may still hold a pixel of ringing at its rim, which costs PDQ ~10 bits
            # a side: the box one pixel in is hashed too, and the closer of the two wins.
            inset = Box(1, region.shape[0] - 1, 1, region.shape[1] - 1)
            views = hashes_of_views(region, {"moving": None, "moving-inset": inset}, scale)
            frames.extend(QueryFrame(timestamp, view, pdq) for view, pdq in views)
    return frames
