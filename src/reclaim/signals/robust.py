"""Robust PDQ: the views of a found image worth hashing, and the few extra views of a protected one.

Plain PDQ hashes the whole frame, so a photo shown inside a chat screenshot, framed by bars,
tiled into a collage or turned by a few degrees no longer matches. Found content is public, so
the query side may look at it as many ways as it likes (``query_views``); each view is named
(``via``) so a reviewer sees why a match happened. The protected side gets only a handful of
centred crops (``bank_views``), all of at least 76 % of each side of the photo, so that no
extra hash sees finer detail than the plain hash of a slightly smaller photo would
(docs/robust-matching.md has the argument and the measurements).

Every view costs false-match chances, so each kind has its own distance limit
(``THRESHOLDS``): the plain views keep PDQ's 31, views that exist only because a detector
guessed get a stricter one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

from reclaim.signals.pdq import MIN_GOOD_QUALITY, PdqHash, pdq_dihedral_from_luma, pdq_from_luma
from reclaim.signals.regions import (
    Box,
    FloatArray,
    estimate_tilt,
    find_regions,
    full_box,
    trim_flat_borders,
    trim_low_detail_borders,
)

# Region finding needs the photo's edges to a pixel; 1024 on the long side keeps a photo that
# fills a third of a phone screenshot at ~300 pixels, and costs ~20 ms a query.
ANALYSIS_SIDE: Final = 1024

# The reference's names for the 8 dihedral transforms, in words a reviewer reads.
_DIHEDRAL_NAMES: Final = {
    "original": "",
    "rotate90": "rotate90",
    "rotate180": "rotate180",
    "rotate270": "rotate270",
    "flipx": "flip",  # upside down
    "flipy": "mirror",  # left to right
    "flipplus1": "transpose",
    "flipminus1": "transverse",
}

# Largest distance that counts as a match, per kind of view (the first word of ``via``).
# whole/trimmed are what PDQ itself would compare, with PDQ's own threshold. Regions, tilts and
# the bank's crops are guesses made on every image, so they must be stricter: at 31 they let
# hard decoys through (dark photos, other crops of the same wallpaper; benchmarks/README.md).
THRESHOLDS: Final[dict[str, int]] = {
    "whole": 31,
    "trimmed": 31,
    "detail": 28,
    "region": 28,
    "tilt": 28,
    "crop": 28,
}
PLAIN_VIA: Final = "whole"


@dataclass(frozen=True, slots=True)
class View:
    """One hashed view of an image and why it was taken (``via``, e.g. "region", "trimmed+mirror")."""

    via: str
    hash: PdqHash

    @property
    def kind(self) -> str:
        return self.via.split("+", 1)[0]

    @property
    def threshold(self) -> int:
        return THRESHOLDS.get(self.kind, THRESHOLDS["region"])

    @property
    def is_low_quality(self) -> bool:
        return self.hash.quality < MIN_GOOD_QUALITY


def analysis_plane(luma: npt.NDArray[np.generic], max_side: int = ANALYSIS_SIDE) -> FloatArray:
    """Luma as float32, shrunk by area averaging so its longer side is at most ``max_side``."""
    plane = np.asarray(luma, dtype=np.float32)
    height, width = plane.shape
    longest = max(height, width)
    if longest <= max_side:
        return plane
    size = (max(1, round(width * max_side / longest)), max(1, round(height * max_side / longest)))
    small = Image.fromarray(plane, mode="F").resize(size, Image.Resampling.BOX)
    return np.asarray(small, dtype=np.float32)


def query_views(luma: npt.NDArray[np.generic]) -> list[View]:
    """The views of a found image to search the bank with, plainest first, no two alike."""
    plane = analysis_plane(luma)
    whole = full_box(plane)
    views = _dihedral_views("whole", plane)
    trimmed = trim_flat_borders(plane)
    if _differs(trimmed, whole):
        views += _dihedral_views("trimmed", trimmed.of(plane))
    detailed = trim_low_detail_borders(plane)
    if _differs(detailed, whole) and _differs(detailed, trimmed):
        views.append(View("detail", pdq_from_luma(detailed.of(plane))))
    views += _tilt_views(plane)
    known = [whole, trimmed, detailed]
    for region in find_regions(plane):
        if all(_differs(region, box) for box in known):
            views.append(View("region", pdq_from_luma(region.of(plane))))
            known.append(region)
    return _unique(views)


def bank_views(luma: npt.NDArray[np.generic]) -> list[View]:
    """Extra views of a protected photo: centred crops down to 76 % of each side.

    A found copy cropped by 3-24 % then still meets one of them within PDQ's reach. Only centred
    crops, because a crop of each corner or side would multiply the hashes a bank holds per
    photo, and with them what the hashes together reveal (docs/robust-matching.md).
    """
    plane = analysis_plane(luma)
    height, width = plane.shape
    views: list[View] = []
    for keep in CENTRE_CROPS:
        crop_h, crop_w = round(height * keep), round(width * keep)
        top, left = (height - crop_h) // 2, (width - crop_w) // 2
        box = Box(top, left, top + crop_h, left + crop_w)
        views.append(View(f"crop+centre{round(keep * 100)}", pdq_from_luma(box.of(plane))))
    side = min(height, width)
    if max(height, width) >= 1.15 * side:  # collages and avatars cut photos to squares
        top, left = (height - side) // 2, (width - side) // 2
        square = Box(top, left, top + side, left + side)
        views.append(View("crop+square", pdq_from_luma(square.of(plane))))
    return _unique(views)


# PDQ moves ~20 bits per 1.5 % of rescaling, so crops 3 % apart leave any crop of 3-24 % within
# ~1.5 % of one of them.
CENTRE_CROPS: Final = (0.97, 0.94, 0.91, 0.88, 0.85, 0.82, 0.79, 0.76)


def _dihedral_views(kind: str, plane: FloatArray) -> list[View]:
    hashes = pdq_dihedral_from_luma(plane)
    return [
        View(f"{kind}+{_DIHEDRAL_NAMES[name]}" if _DIHEDRAL_NAMES[name] else kind, h)
        for name, h in hashes.items()
    ]


def _tilt_views(plane: FloatArray) -> list[View]:
    """Turn a photo tilted on a plain canvas back, then cut the canvas off."""
    angle = estimate_tilt(plane)
    if angle is None or not 0.5 <= abs(angle) <= 15:
        return []
    canvas = float(np.median([plane[0, 0], plane[0, -1], plane[-1, 0], plane[-1, -1]]))
    image = Image.fromarray(plane, mode="F")
    upright = np.asarray(
        image.rotate(-angle, resample=Image.Resampling.BILINEAR, fillcolor=canvas), dtype=np.float32
    )
    # Turned within its own frame, a photo lost its corners; after turning back they hold the
    # canvas colour. The average of the nearby picture is closer to what was there (2-3x fewer
    # flipped bits than a white or black corner).
    frame = Image.fromarray(np.ones_like(plane), mode="F")
    kept = np.asarray(frame.rotate(-angle, resample=Image.Resampling.BILINEAR, fillcolor=0.0)) > 0.5
    filled = _fill_from_surroundings(upright, kept)
    name = f"tilt+{round(abs(angle))}deg"
    views = [View(name, pdq_from_luma(filled))]
    trimmed = trim_flat_borders(upright)
    if _differs(trimmed, full_box(upright)):
        views.append(View(f"{name}+trimmed", pdq_from_luma(trimmed.of(upright))))
    return views


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


def _differs(box: Box, other: Box) -> bool:
    """More than 1 % apart on some side: PDQ would see a different frame."""
    tolerance_y = max(1, box.height // 100)
    tolerance_x = max(1, box.width // 100)
    return (
        abs(box.top - other.top) > tolerance_y
        or abs(box.bottom - other.bottom) > tolerance_y
        or abs(box.left - other.left) > tolerance_x
        or abs(box.right - other.right) > tolerance_x
    )


def _unique(views: list[View]) -> list[View]:
    seen: set[bytes] = set()
    unique: list[View] = []
    for view in views:
        if view.hash.bits not in seen:
            seen.add(view.hash.bits)
            unique.append(view)
    return unique
