"""Find where a photo sits inside a found image: borders, letterboxes, screenshots, collages, tilts.

PDQ hashes the whole frame, and it is unforgiving about framing: moving the frame by 1 % of
its width flips ~30 of 256 bits, 2 % ~55 (measured on scikit-image's sample photos). So every
box found here must land on the photo's own edges to a pixel or two; a box that is roughly
right is as useless as none. All functions work on a luma plane (H, W), values 0-255, and
return boxes in its pixel coordinates.

Detectors, each cheap (a few passes over a ~1 megapixel plane):

- flat lines: rows or columns of (nearly) one value (bars, letterboxes, chat backgrounds,
  collage gutters). Recursive cuts along them (the XY-cut of document layout analysis,
  Nagy & Seth 1984) separate a chat screenshot into status bar, bubbles and the photo, and
  a collage with gutters into its tiles.
- seams: a row or column where the picture changes abruptly along almost its whole length,
  which is where two tiles of a collage without gutters meet.
- low-detail margins: bands at the edges with far less gradient energy than the middle, the
  blurred copy of the photo that some apps put behind a photo of another aspect ratio; and a
  pair of straight steps symmetric about the centre, where such an app put the photo.

Every box is finally snapped to the strongest step near each side (``snap_to_edges``), through
the ringing JPEG adds around edges. Tilts are ``signals.tilt``'s job.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]

# A line is flat when at most 2 % of its pixels stray more than 10 grey levels from its
# mean: JPEG noise at quality 30 stays within that, one character of text does not.
FLAT_TOLERANCE: Final = 10.0
FLAT_OUTLIERS: Final = 0.02
# A seam: at least 60 % of the pixels along the line change by more than 24 levels from one
# side to the other, and it stands out from its neighbours. Two unrelated photos side by side
# differ that much at ~70 % of their pixels; a horizon or a wall edge rarely runs the whole way.
SEAM_STEP: Final = 24.0
SEAM_SHARE: Final = 0.6
# A low-detail margin has less than a fifth of the gradient energy of the middle of the image.
LOW_DETAIL_RATIO: Final = 0.2
# Regions smaller than this share of each side of the image are text lines, avatars, icons.
MIN_REGION_SIDE: Final = 0.15
MIN_REGION_PIXELS: Final = 48


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle of pixels: rows top..bottom-1, columns left..right-1."""

    top: int
    left: int
    bottom: int
    right: int

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def width(self) -> int:
        return self.right - self.left

    def of(self, plane: FloatArray) -> FloatArray:
        """The box's pixels of a plane (H, W), or of each channel of a stack (C, H, W)."""
        return plane[..., self.top : self.bottom, self.left : self.right]

    def differs(self, other: Box, share: float = 0.01) -> bool:
        """Some side is more than ``share`` of the box's size away from ``other``'s side."""
        tolerance_y = max(1, int(self.height * share))
        tolerance_x = max(1, int(self.width * share))
        return (
            abs(self.top - other.top) > tolerance_y
            or abs(self.bottom - other.bottom) > tolerance_y
            or abs(self.left - other.left) > tolerance_x
            or abs(self.right - other.right) > tolerance_x
        )


def full_box(plane: FloatArray) -> Box:
    return Box(0, 0, plane.shape[-2], plane.shape[-1])


def flat_rows(plane: FloatArray) -> npt.NDArray[np.bool_]:
    """Which rows are (nearly) one colour across the whole width.

    ``plane`` is luma (H, W) or luma and chroma (3, H, W): with chroma, a pale yellow sky is not
    the beige chat background of the same brightness.
    """
    # The mean, not the median: 2 % of outliers move it by at most 5 levels, and it costs a
    # tenth of a median on a 1024-pixel line.
    mean = plane.mean(axis=-1, keepdims=True)
    strays = np.abs(plane - mean) > FLAT_TOLERANCE
    if strays.ndim == 3:
        strays = np.logical_or.reduce(strays, axis=0)
    flat: npt.NDArray[np.bool_] = np.count_nonzero(strays, axis=-1) <= FLAT_OUTLIERS * strays.shape[-1]
    return flat


def luma_of(plane: FloatArray) -> FloatArray:
    """The luma of a plane that may carry chroma too."""
    luma: FloatArray = plane[0] if plane.ndim == 3 else plane
    return luma


def _across(block: FloatArray) -> FloatArray:
    """Columns as rows (the chroma axis, if any, stays first)."""
    swapped: FloatArray = np.swapaxes(block, -1, -2)
    return swapped


def _line_levels(block: FloatArray) -> FloatArray:
    """Each row's mean: (H,) for luma, (H, C) for a stack of channels."""
    level: FloatArray = block.mean(axis=-1)
    return level.T if level.ndim == 2 else level


def _colour_gap(levels: FloatArray, reference: FloatArray | float) -> npt.NDArray[np.floating[Any]]:
    """How far each line's mean colour is from ``reference``: the largest channel difference."""
    difference = np.abs(levels - reference)
    gap: npt.NDArray[np.floating[Any]] = difference.max(axis=-1) if difference.ndim == 2 else difference
    return gap


def seam_rows(plane: FloatArray) -> npt.NDArray[np.int64]:
    """Rows r where the picture above (r-1) and below (r) differ along nearly the whole width."""
    if plane.shape[0] < 3:
        return np.empty(0, np.int64)
    share = (np.abs(np.diff(plane, axis=0)) > SEAM_STEP).mean(axis=1)
    # Stand out: more than twice the larger of the two neighbouring lines' shares.
    padded = np.concatenate([[1.0], share, [1.0]])
    neighbours = np.maximum(padded[:-2], padded[2:])
    (seams,) = np.nonzero((share >= SEAM_SHARE) & (share > 2 * np.maximum(neighbours, 0.15)))
    return (seams + 1).astype(np.int64)


def trim_flat_borders(plane: FloatArray) -> Box:
    """The box left after cutting bars off every side (borders, letterboxes), snapped to the photo.

    A bar is a run of flat lines of one colour from the edge. Once a bar is found, later passes
    cut only flat lines of a bar's colour: a photo's own flat sky or dark water is kept. ``plane``
    is luma, or luma and chroma (``flat_rows``).
    """
    box = full_box(plane)
    bars: list[FloatArray] = []
    for _ in range(2):  # a bar on one axis hides the flatness of the bars on the other
        rows = _bar_span(box.of(plane), bars)
        box = Box(box.top + rows[0], box.left, box.top + rows[1], box.right)
        cols = _bar_span(_across(box.of(plane)), bars)
        box = Box(box.top, box.left + cols[0], box.bottom, box.left + cols[1])
        if box.height < 2 or box.width < 2:
            return full_box(plane)
    return snap_to_edges(luma_of(plane), box)


def _bar_span(block: FloatArray, bars: list[FloatArray]) -> tuple[int, int]:
    """First and one-past-last row of ``block`` that are not part of a bar at its top or bottom.

    Appends the colours of new bars to ``bars``; when ``bars`` is not empty, only lines of one of
    those colours count.
    """
    flat = flat_rows(block)
    level = _line_levels(block)
    known = list(bars)
    span = [0, flat.size]
    for side, order in ((0, slice(None)), (1, slice(None, None, -1))):
        edge_flat, edge_level = flat[order], level[order]
        if not edge_flat[0] or (
            known and min(float(_colour_gap(edge_level[:1], b)[0]) for b in known) > FLAT_TOLERANCE
        ):
            continue
        reference = edge_level[0]
        in_bar = edge_flat & (_colour_gap(edge_level, reference) <= FLAT_TOLERANCE)
        length = int(np.argmin(in_bar)) if not in_bar.all() else flat.size
        span[side] = length if side == 0 else flat.size - length
        bars.append(reference)
    if span[0] >= span[1]:
        return 0, flat.size
    return span[0], span[1]


def snap_to_edges(plane: FloatArray, box: Box) -> Box:
    """Move each side of ``box`` that lies inside the image onto the strongest step near it.

    JPEG rings across the 8x8 block that holds an edge, so the first line that is not flat may
    be up to 7 lines outside the photo: at quality 15-40 that left boxes 1-2 % too large, 20-36
    bits from the photo's hash.
    """
    if box.height < 2 or box.width < 2:
        return box
    down = np.abs(np.diff(plane[:, box.left : box.right], axis=0)).mean(axis=1)
    across = np.abs(np.diff(plane[box.top : box.bottom, :], axis=1)).mean(axis=0)
    top, bottom = _sharpest_steps(down, box.top, box.bottom)
    left, right = _sharpest_steps(across, box.left, box.right)
    return Box(top, left, bottom, right)


def trim_low_detail_borders(plane: FloatArray) -> Box:
    """The box left after cutting off edge bands with little detail (a blurred fill, a plain bar)."""
    height, width = plane.shape
    if height < 16 or width < 16:
        return full_box(plane)
    step_down = np.abs(np.diff(plane, axis=0))
    step_across = np.abs(np.diff(plane, axis=1))
    energy = step_down[:, :-1] + step_across[:-1, :]
    top, bottom = _detail_span(energy.mean(axis=1))
    left, right = _detail_span(energy.mean(axis=0))
    # JPEG rings across the 8x8 block that holds the edge, so the first detailed line may sit up
    # to 7 lines outside the photo; the edge itself is the strongest step near it.
    top, bottom = _sharpest_steps(step_down.mean(axis=1), top, bottom + 1)
    left, right = _sharpest_steps(step_across.mean(axis=0), left, right + 1)
    return Box(top, left, bottom, right)


def find_centred_photo(plane: FloatArray) -> Box:
    """The photo that an app centred on a fill of another aspect (its own blurred copy, a gradient).

    The photo's sides are then a pair of straight steps at the same distance from both ends of an
    axis, each running the whole length of the photo; a pair that stands far above the typical
    line-to-line change is taken for the photo's edges. Detail in the fill does not matter.
    """
    height, width = plane.shape
    if height < 32 or width < 32:
        return full_box(plane)
    top = _symmetric_steps(np.abs(np.diff(plane, axis=0)).mean(axis=1))
    left = _symmetric_steps(np.abs(np.diff(plane, axis=1)).mean(axis=0))
    return Box(top[0], left[0], top[1], left[1])


def _symmetric_steps(steps: FloatArray) -> tuple[int, int]:
    """The strongest pair of steps at lines b and length - b (give or take one), or the whole axis.

    ``steps[i]`` is the change between line i and line i + 1 of an axis of ``steps.size + 1`` lines.
    """
    length = steps.size + 1
    bands = np.arange(max(2, length // 50), length // 2 - length // 10)
    if bands.size == 0:
        return 0, length
    # The far side may sit one line off the mirror position after an odd resize.
    far = np.maximum(np.maximum(steps[length - bands - 2], steps[length - bands - 1]), steps[length - bands])
    score = np.minimum(steps[bands - 1], far)
    best = int(np.argmax(score))
    # Both steps at least 4 times the typical change: a photo's edge against a fill, not a shadow.
    if score[best] < 4 * float(np.median(steps)):
        return 0, length
    band = int(bands[best])
    window = [length - band - 1, length - band, length - band + 1]
    end = max(window, key=lambda line: float(steps[min(line - 1, steps.size - 1)]))
    return band, end


def find_regions(plane: FloatArray, max_regions: int = 12) -> list[Box]:
    """Rectangles that may hold a photo: the nodes of a recursive cut along flat lines and seams.

    Every node is kept, not just the leaves: a cut through a flat sky inside the photo must not
    lose the photo. The largest regions come first; the whole image is left out. ``plane`` is
    luma, or luma and chroma (``flat_rows``).
    """
    height, width = plane.shape[-2:]
    min_height = max(MIN_REGION_PIXELS, int(MIN_REGION_SIDE * height))
    min_width = max(MIN_REGION_PIXELS, int(MIN_REGION_SIDE * width))
    found: set[Box] = set()

    def visit(box: Box, axis: int, depth: int, other_axis_tried: bool) -> None:
        if box.height < min_height or box.width < min_width or depth > 5:
            return
        found.add(box)
        block = box.of(plane)
        pieces = _pieces(block if axis == 0 else _across(block))
        minimum = min_height if axis == 0 else min_width
        pieces = [(a, b) for a, b in pieces if b - a >= minimum]
        if len(pieces) == 1 and pieces[0] == (0, block.shape[axis - 2]):
            if not other_axis_tried:
                visit(box, 1 - axis, depth + 1, True)
            return
        for start, end in pieces:
            if axis == 0:
                child = Box(box.top + start, box.left, box.top + end, box.right)
            else:
                child = Box(box.top, box.left + start, box.bottom, box.left + end)
            visit(child, 1 - axis, depth + 1, False)

    visit(full_box(plane), 0, 0, False)
    kept: list[Box] = [full_box(plane)]
    snapped = {snap_to_edges(luma_of(plane), box) for box in found}
    for box in sorted(snapped, key=lambda b: (-b.height * b.width, b.top, b.left)):
        if all(box.differs(other, 0.005) for other in kept):
            kept.append(box)
    return kept[1 : max_regions + 1]


def _pieces(block: FloatArray) -> list[tuple[int, int]]:
    """Runs of rows between gaps, and the parts of each run between seams.

    A gap is a flat row of the colour that frames the block (its flat first or last rows: the
    chat background, the bubble, the gutter). A flat row of another colour is the photo's own
    sky or wall and does not cut it. A run split at seams is kept whole as well, because a
    seam may be a horizon rather than the edge between two tiles.
    """
    flat = flat_rows(block)
    level = _line_levels(block)
    ends = (_leading_run(flat), flat.size - 1 - _leading_run(flat[::-1]))
    frame = [level[run] for run in ends if run.size]
    gap = flat.copy()
    if frame:
        near = np.zeros_like(flat)
        for values in frame:
            near |= _colour_gap(level, np.median(values, axis=0)) <= FLAT_TOLERANCE
        gap &= near
    steps = np.diff(np.concatenate([[0], (~gap).astype(np.int8), [0]]))
    runs = zip(np.nonzero(steps == 1)[0], np.nonzero(steps == -1)[0], strict=True)
    pieces: list[tuple[int, int]] = []
    seams = seam_rows(luma_of(block))
    for start, end in runs:
        cuts = [int(start), *(int(s) for s in seams if start < s < end), int(end)]
        if len(cuts) > 2:
            pieces.append((int(start), int(end)))
        pieces.extend(itertools.pairwise(cuts))
    return pieces


def _leading_run(flags: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Indices of the run of True at the start of ``flags``."""
    (falses,) = np.nonzero(~flags)
    length = int(falses[0]) if falses.size else flags.size
    return np.arange(length, dtype=np.int64)


def _sharpest_steps(steps: FloatArray, start: int, end: int, reach: int = 9) -> tuple[int, int]:
    """Move ``start`` and ``end`` (line indices) to the strongest step within ``reach`` lines inward.

    ``steps[i]`` is the change between line i and line i + 1.
    """
    if end - start <= 4 * reach:
        return start, end
    if start > 0:
        window = steps[max(start - 1, 0) : start + reach]
        start = max(start - 1, 0) + int(np.argmax(window)) + 1
    if end < steps.size + 1:
        low = max(end - reach - 1, 0)
        window = steps[low : min(end, steps.size)]
        end = low + int(np.argmax(window)) + 1
    return start, end


def _detail_span(profile: FloatArray) -> tuple[int, int]:
    """First and last index of a profile whose edge bands are below a fifth of the middle's level."""
    length = profile.size
    middle = float(np.median(profile[length // 4 : length - length // 4]))
    detailed = np.nonzero(profile >= LOW_DETAIL_RATIO * middle)[0]
    if detailed.size == 0 or middle <= 0:
        return 0, length
    return int(detailed[0]), int(detailed[-1])
