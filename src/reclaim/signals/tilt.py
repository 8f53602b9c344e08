"""Small tilts: read the angle a photo was turned on a plain canvas, and turn it back.

PDQ moves ~40 bits for a 2-degree turn, so a tilted copy matches only when turned back to within
a few tenths of a degree; guessing angles in steps would cost a view (and a chance of a false
match) per step. The canvas a turned photo leaves in the corners gives the angle instead: each
side of the photo is a straight line between content and canvas.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

from reclaim.signals.regions import FLAT_TOLERANCE, FloatArray

# Content differs from a plain canvas by more than JPEG noise; deep shadows may not, which
# the robust line fit of each side absorbs.
CANVAS_TOLERANCE: Final = 8.0


def estimate_tilt(plane: FloatArray) -> float | None:
    """The angle in degrees (counter-clockwise) a photo was turned on a plain canvas, or None.

    The canvas shows in the four corners; each side of the turned photo is then a straight line
    between content and canvas. Their slopes give the angle to a tenth of a degree, which PDQ
    needs: 2 degrees off flips ~40 bits.
    """
    height, width = plane.shape
    if height < 64 or width < 64:
        return None
    corners = [plane[:3, :3], plane[:3, -3:], plane[-3:, :3], plane[-3:, -3:]]
    values = [float(c.mean()) for c in corners]
    if max(values) - min(values) > FLAT_TOLERANCE or any(float(c.std()) > 4 for c in corners):
        return None
    content = np.abs(plane - float(np.median(values))) > CANVAS_TOLERANCE
    slopes = [
        _edge_slope(content),  # left side
        _edge_slope(content[:, ::-1]),  # right side, mirrored: its slope changes sign
        _edge_slope(content.T),  # top side, transposed: its slope changes sign
        _edge_slope(content.T[:, ::-1]),  # bottom side
    ]
    signs = (1.0, -1.0, -1.0, 1.0)
    angles = [
        math.degrees(math.atan(s)) * sign for s, sign in zip(slopes, signs, strict=True) if s is not None
    ]
    if not angles:
        return None
    middle = float(np.median(angles))
    # At least two sides must agree on the angle: one straight edge may be content, two are a turn.
    agreeing = [a for a in angles if abs(a - middle) <= 0.5]
    return float(np.mean(agreeing)) if len(agreeing) >= 2 else None


def _edge_slope(content: npt.NDArray[np.bool_]) -> float | None:
    """Slope dx/dy of the first content pixel along the rows, where it is off the canvas edge.

    The first content pixel follows the photo's side where the side is inside the canvas, but
    also a short stretch of the neighbouring side and any content as dark as the canvas; a
    Theil-Sen slope (median of pairwise slopes) ignores those, and a refit on the points
    within 2 pixels of that line makes it precise.
    """
    height, width = content.shape
    has = content.any(axis=1)
    first = np.where(has, content.argmax(axis=1), width)
    usable = has & (first > 1) & (first < width // 3)
    if usable.sum() < max(24, height // 6):
        return None
    y = np.nonzero(usable)[0].astype(np.float64)
    x = first[usable].astype(np.float64)
    pick = np.linspace(0, y.size - 1, min(y.size, 80)).astype(np.int64)
    ys, xs = y[pick], x[pick]
    dy = ys[None, :] - ys[:, None]
    dx = xs[None, :] - xs[:, None]
    pairs = dy > 8  # distant pairs only: a pixel of jitter must not swing the slope
    if pairs.sum() < 20:
        return None
    slope = float(np.median(dx[pairs] / dy[pairs]))
    intercept = float(np.median(x - slope * y))
    inliers = np.abs(x - (slope * y + intercept)) <= 2.0
    if inliers.sum() < max(24, usable.sum() // 3):
        return None
    fitted_slope, _ = np.polyfit(y[inliers], x[inliers], 1)
    return float(fitted_slope)


def turn_back(plane: FloatArray, angle: float) -> tuple[FloatArray, FloatArray]:
    """The plane turned by ``-angle`` degrees: with the canvas colour in the corners it brings in,
    and with those corners filled from the surrounding picture instead.

    Turned within its own frame, a photo lost its corners; the average of the nearby picture is
    closer to what was there than the canvas colour (2-3x fewer flipped bits).
    """
    canvas = float(np.median([plane[0, 0], plane[0, -1], plane[-1, 0], plane[-1, -1]]))
    image = Image.fromarray(plane, mode="F")
    upright = np.asarray(
        image.rotate(-angle, resample=Image.Resampling.BILINEAR, fillcolor=canvas), dtype=np.float32
    )
    frame = Image.fromarray(np.ones_like(plane), mode="F")
    kept = np.asarray(frame.rotate(-angle, resample=Image.Resampling.BILINEAR, fillcolor=0.0)) > 0.5
    return upright, _fill_from_surroundings(upright, kept)


def _fill_from_surroundings(plane: FloatArray, kept: npt.NDArray[np.bool_]) -> FloatArray:
    """Replace pixels outside ``kept`` by the mean of the kept pixels around them."""
    if kept.all():
        return plane
    radius = max(4, max(plane.shape) // 16)
    weight = kept.astype(np.float32)
    smooth = _box_blur(plane * weight, radius) / np.maximum(_box_blur(weight, radius), 1e-3)
    filled: FloatArray = np.where(kept, plane, smooth).astype(np.float32)
    return filled


def _box_blur(plane: FloatArray, radius: int) -> FloatArray:
    """Mean over a (2r+1)^2 window, clipped at the edges, by prefix sums along each axis."""
    result = plane.astype(np.float64)
    for axis in (0, 1):
        length = result.shape[axis]
        prefix = np.cumsum(result, axis=axis)
        prefix = np.concatenate([np.zeros_like(prefix.take([0], axis=axis)), prefix], axis=axis)
        index = np.arange(length)
        high = np.minimum(index + radius + 1, length)
        low = np.maximum(index - radius, 0)
        result = prefix.take(high, axis=axis) - prefix.take(low, axis=axis)
    blurred: FloatArray = result.astype(np.float32)
    return blurred
