"""Robust PDQ: the views of a found image worth hashing, and the few extra views of a protected one.

Plain PDQ hashes the whole frame, so a photo shown inside a chat screenshot, framed by bars,
tiled into a collage or turned by a few degrees no longer matches. Found content is public, so
the query side may look at it as many ways as it likes (``query_views``); each view is named
(``via``) so a reviewer sees why a match happened. The protected side gets only a handful of
large crops (``bank_views``): centred ones, the middle of each axis, one window per corner,
none smaller than 75 % of both sides or two thirds of one, so that no extra hash sees much
finer detail than the photo's own hash. Where a found image may hold one of them at a size it
cannot know (a crop off a side or a corner, a tile cut to fill), the found image is searched
for it at every size (``corner_views``, ``middle_views``): the search is done on the public
side, not by more bank hashes (docs/robust-matching.md has the argument and the measurements).

Every view costs false-match chances, so each kind has its own distance limit
(``THRESHOLDS``): the plain views a little above PDQ's customary 31, views that exist only
because a detector guessed (and the bank's crops) a stricter one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

from reclaim.signals.pdq import (
    MIN_GOOD_QUALITY,
    PdqHash,
    axis_kernel,
    hashes_from_grids,
    pdq_dihedral_from_luma,
    pdq_from_luma,
)
from reclaim.signals.regions import (
    Box,
    FloatArray,
    find_centred_photo,
    find_regions,
    full_box,
    luma_of,
    trim_flat_borders,
    trim_low_detail_borders,
)
from reclaim.signals.tilt import estimate_tilt, turn_back

# Region finding needs the photo's edges to a pixel or two (snapping finds the exact one);
# 768 on the long side keeps a photo that fills two thirds of a phone screenshot's width at
# ~240 pixels (0.4 % a pixel), at 60 % of the cost of 1024 (benchmarks/README.md).
ANALYSIS_SIDE: Final = 768
# Bank crops are made once per protected photo, so they can afford a finer plane: their edges
# then sit within 0.1 % of where a crop of the full photo would have them.
BANK_SIDE: Final = 1024
# Views are hashed from block means no larger than this (a 768-pixel view from 2x2 means):
# PDQ's own blur is ~1/64 of a side, so even 384 pixels keep 6 per blur window, and each halving
# quarters the cost of the hash.
HASH_SIDE: Final = 512

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

# Largest distance that counts as a match, per kind of view (the first word of ``via``); a pair
# of views must be within the smaller of their two limits. whole/trimmed are what PDQ itself
# compares, at a little above PDQ's customary 31: a photo under a logo or a caption lands at
# 32-36, while no decoy of benchmarks/bench_robust.py (same scenes, dark photos, text
# screenshots, each shown in screenshots and collages too) came nearer than 52 (a mirrored
# crop of the other half of the same rippled-water wallpaper), or than 80 through any view
# other than the whole image.
# Views that exist because a detector guessed, and the bank's crops, are held closer, because
# they are many and each is a fresh chance for a stranger's photo to come near.
THRESHOLDS: Final[dict[str, int]] = {
    "whole": 36,
    "trimmed": 36,
    "detail": 32,
    "centred": 32,
    "region": 32,
    "tilt": 32,
    "crop": 32,
    "corner": 32,
    "middle": 32,
}
PLAIN_VIA: Final = "whole"


# The bank views that ``only_meets`` names: the matcher keeps an index of each.
ANCHORED_BANK_VIAS: Final = ("crop+corner-", "crop+middle-")


def only_meets(via: str) -> str | None:
    """The one bank view a query view is compared with, or None for all of them.

    A corner window of a found image is worth comparing only with the bank's window of the same
    corner: there are hundreds of them per image, and each comparison is a chance for a stranger.
    """
    kind, _, rest = via.partition("+")
    if kind == "corner":
        return f"crop+corner-{rest}"
    if kind == "middle":
        return f"crop+middle-{rest}"
    return None


def threshold_for(via: str) -> int:
    """The distance limit of a view named ``via``; an unknown kind gets a detector's (stricter) one."""
    return THRESHOLDS.get(via.split("+", 1)[0], THRESHOLDS["region"])


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
        return threshold_for(self.via)

    @property
    def is_low_quality(self) -> bool:
        return self.hash.quality < MIN_GOOD_QUALITY


def analysis_plane(pixels: npt.NDArray[np.generic], max_side: int = ANALYSIS_SIDE) -> FloatArray:
    """Luma (H, W), or luma and chroma (3, H, W) from RGB (H, W, 3), as float32, shrunk by area
    averaging so the longer side is at most ``max_side``."""
    image = np.asarray(pixels, dtype=np.float32)
    channels = [image] if image.ndim == 2 else _luma_and_chroma(image)
    height, width = channels[0].shape
    longest = max(height, width)
    if longest > max_side:
        size = (max(1, round(width * max_side / longest)), max(1, round(height * max_side / longest)))
        channels = [
            np.asarray(Image.fromarray(c, mode="F").resize(size, Image.Resampling.BOX), dtype=np.float32)
            for c in channels
        ]
    plane: FloatArray = channels[0] if len(channels) == 1 else np.stack(channels)
    return plane


_LUMA_WEIGHTS: Final = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # PDQ's luma


def _luma_and_chroma(rgb: FloatArray) -> list[FloatArray]:
    """BT.601 luma (as PDQ's) and the two colour differences, each on a 0-255-like scale."""
    luma: FloatArray = rgb @ _LUMA_WEIGHTS
    return [luma, (rgb[..., 2] - luma) * np.float32(0.564), (rgb[..., 0] - luma) * np.float32(0.713)]


def query_views(pixels: npt.NDArray[np.generic]) -> list[View]:
    """The views of a found image to search the bank with, plainest first, no two alike.

    ``pixels`` is luma (H, W) or RGB (H, W, 3); with colour, bars and chat backgrounds are told
    from a photo's plain areas of the same brightness (``media.image.decode_rgb`` gives it).
    """
    coloured = analysis_plane(pixels)
    plane = luma_of(coloured)
    whole = full_box(plane)
    views = _dihedral_views("whole", plane)
    trimmed = trim_flat_borders(coloured)
    if _differs(trimmed, whole):
        views += _dihedral_views("trimmed", trimmed.of(plane))
    known = [whole, trimmed]
    for kind, box in (("detail", trim_low_detail_borders(plane)), ("centred", find_centred_photo(plane))):
        if all(_differs(box, other) for other in known):
            views.append(View(kind, hash_plane(box.of(plane))))
            known.append(box)
    views += _tilt_views(plane)
    for region in find_regions(coloured):
        if all(_differs(region, box) for box in known):
            views.append(View("region", hash_plane(region.of(plane))))
            known.append(region)
    views += corner_views(plane)
    for box in known:
        views += middle_views(box.of(plane))
        if box != whole:
            views += corner_views(box.of(plane), sides_only=True)
    return _unique(views)


def protected_views(luma: npt.NDArray[np.generic], full_size: tuple[int, int] | None = None) -> list[View]:
    """Every hash a bank stores for a protected photo: its own PDQ (via "whole"), then its bank views.

    ``full_size`` as for ``pdq_from_luma``, when ``luma`` is a reduced decode.
    """
    return _unique([View(PLAIN_VIA, pdq_from_luma(luma, full_size)), *bank_views(luma)])


def bank_views(luma: npt.NDArray[np.generic]) -> list[View]:
    """Extra views of a protected photo: centred crops down to 76 % of each side, centred cuts
    to common tile aspects and the middle 2/3 of each axis, and 3/4 of each side at each corner.

    A found copy cropped about its centre by 3-24 %, cut to a tile, or cropped off a side or a
    corner then still meets one of them within PDQ's reach (the last two through the query's
    corner and middle views). One window per corner and per axis, not a grid of shifted ones:
    those would multiply the hashes a bank holds per photo, and with them what the hashes
    together reveal (docs/robust-matching.md).
    """
    plane = analysis_plane(luma, BANK_SIDE)
    views = [View(via, hash_plane(box.of(plane))) for via, box in bank_crops(*plane.shape)]
    return _unique(views)


def bank_crops(height: int, width: int) -> list[tuple[str, Box]]:
    """The boxes ``bank_views`` hashes in a photo of this size, each with its ``via``."""
    crops: list[tuple[str, Box]] = []
    for keep in CENTRE_CROPS:
        crops.append(
            (f"crop+centre{round(keep * 100)}", _centred(height, width, height * keep, width * keep))
        )
    # The middle of each axis and the corners: each is the one bank window its query views
    # (``only_meets``) are compared with, so none may give way to an aspect cut of the same box.
    middle_rows, middle_cols = round(height * MIDDLE_KEEP), round(width * MIDDLE_KEEP)
    crops.append(("crop+middle-rows", _centred(height, width, middle_rows, width)))
    crops.append(("crop+middle-cols", _centred(height, width, height, middle_cols)))
    rows, cols = round(height * CORNER_KEEP), round(width * CORNER_KEEP)
    for corner in CORNERS:
        top = height - rows if corner[0] == "b" else 0
        left = width - cols if corner[1] == "r" else 0
        crops.append((f"crop+corner-{corner}", Box(top, left, top + rows, left + cols)))
    for aspect in TILE_ASPECTS:
        # The photo cut to the aspect of a collage tile or a chat preview, along one axis only.
        if width / height > aspect:
            crop_h, crop_w, keep = float(height), height * aspect, height * aspect / width
        else:
            crop_h, crop_w, keep = width / aspect, float(width), width / aspect / height
        box = _centred(height, width, crop_h, crop_w)
        if MIN_TILE_KEEP <= keep <= 0.97 and all(box != other for _, other in crops):
            crops.append((f"crop+aspect{_aspect_name(aspect)}", box))
    return crops


def _centred(height: int, width: int, crop_h: float, crop_w: float) -> Box:
    rows, cols = round(crop_h), round(crop_w)
    top, left = (height - rows) // 2, (width - cols) // 2
    return Box(top, left, top + rows, left + cols)


# Aspect ratios (width / height) that collage apps, chat previews and stories cut photos to.
TILE_ASPECTS: Final = (1.0, 4 / 5, 5 / 4, 3 / 4, 4 / 3, 2 / 3, 3 / 2, 9 / 16, 16 / 9)
# A tile may cut one axis to two thirds, no further: each such hash sees at most 1.5x finer
# detail along that axis than the photo's own hash (docs/robust-matching.md).
MIN_TILE_KEEP: Final = 2 / 3


def _aspect_name(aspect: float) -> str:
    from fractions import Fraction

    ratio = Fraction(aspect).limit_denominator(16)
    return f"{ratio.numerator}:{ratio.denominator}"


# PDQ moves ~20 bits per 1.5 % of rescaling, so crops 3 % apart leave any crop of 3-24 % within
# ~1.5 % of one of them.
CENTRE_CROPS: Final = (0.97, 0.94, 0.91, 0.88, 0.85, 0.82, 0.79, 0.76)


def hash_plane(plane: FloatArray) -> PdqHash:
    """PDQ of a view, hashed from block means when it is large (PDQ blurs finer detail away)."""
    reduced, full_size = _reduced(plane)
    return pdq_from_luma(reduced, full_size)


def _reduced(plane: FloatArray) -> tuple[FloatArray, tuple[int, int]]:
    """Block means of at most HASH_SIDE on the long side, and the (width, height) they stand for.

    ``pdq_from_luma`` sums its kernels over each block, so the hash stays within a bit or two of
    the full view's, at a quarter of the cost per halving (benchmarks/README.md).
    """
    height, width = plane.shape
    scale = -(-max(height, width) // HASH_SIDE)
    if scale <= 1:
        return plane, (width, height)
    rows, cols = -(-height // scale), -(-width // scale)
    padded = np.pad(plane, ((0, rows * scale - height), (0, cols * scale - width)), mode="edge")
    blocks = padded.reshape(rows, scale, cols, scale).mean(axis=(1, 3), dtype=np.float32)
    return blocks, (width, height)


def _dihedral_views(kind: str, plane: FloatArray) -> list[View]:
    reduced, full_size = _reduced(plane)
    hashes = pdq_dihedral_from_luma(reduced, full_size)
    return [
        View(f"{kind}+{_DIHEDRAL_NAMES[name]}" if _DIHEDRAL_NAMES[name] else kind, h)
        for name, h in hashes.items()
    ]


# The bank's centred crops that leave out the corners a turn of up to ~10 degrees loses.
TILT_CENTRE_CROPS: Final = (0.88, 0.82, 0.76)


def _tilt_views(plane: FloatArray) -> list[View]:
    """A photo tilted on a plain canvas turned back: whole, and with the canvas cut off."""
    angle = estimate_tilt(plane)
    if angle is None or not 0.5 <= abs(angle) <= 15:
        return []
    upright, filled = turn_back(plane, angle)
    name = f"tilt+{round(abs(angle))}deg"
    views = [View(name, hash_plane(filled))]
    # Turned within its own frame, the photo lost its corners for good; its middle did not, and
    # the bank holds the middle as centred crops: cut the same crops here, corners and all.
    height, width = filled.shape
    for keep in TILT_CENTRE_CROPS:
        box = _centred(height, width, height * keep, width * keep)
        views.append(View(f"{name}+centre{round(keep * 100)}", hash_plane(box.of(filled))))
    trimmed = trim_flat_borders(upright)
    if _differs(trimmed, full_box(upright)):
        views.append(View(f"{name}+trimmed", hash_plane(trimmed.of(upright))))
    return views


def _differs(box: Box, other: Box) -> bool:
    """More than 1 % apart on some side: PDQ would see a different frame."""
    return box.differs(other, 0.01)


def _unique(views: list[View]) -> list[View]:
    seen: set[bytes] = set()
    unique: list[View] = []
    for view in views:
        if view.hash.bits not in seen:
            seen.add(view.hash.bits)
            unique.append(view)
    return unique


# A crop taken from a corner or a side keeps one corner of the photo. The bank holds, per
# corner, the window of CORNER_KEEP of each side anchored there; a found image that keeps that
# corner and at least CORNER_KEEP of each side holds that window too, at a size it does not
# know, so it hashes its own windows anchored at the same corner for every size in
# CORNER_SPANS (what share of the photo's side the found image kept, 1.5 % apart).
CORNER_KEEP: Final = 0.75
CORNERS: Final = ("tl", "tr", "bl", "br")
CORNER_SPANS: Final = tuple(float(v) for v in np.geomspace(1.0, 0.75, 14))
# Corner windows are cut from block means of at most this many pixels: 0.3 % of a side a pixel.
CORNER_SIDE: Final = 256


@lru_cache(maxsize=1024)
def _kernel(full_length: int, length: int) -> FloatArray:
    """``pdq.axis_kernel``, kept for the ~60 window lengths each found image asks for (pdq's own
    cache of 64 would turn over at every image and build each kernel again: 30 % of the cost)."""
    return axis_kernel(full_length, length)


def corner_views(plane: FloatArray, sides_only: bool = False) -> list[View]:
    """Windows anchored at each corner of a found image, sized to hold the bank's corner window
    whatever share of the photo (CORNER_KEEP to 1 of each side) the found image kept.

    ``sides_only``: only the windows for a photo that lost one side (the other axis whole), 28
    per corner instead of 196: for the regions of a found image, such as a tall photo that a
    chat app shows with its bottom cut off."""
    reduced, scale = _block_means(plane, CORNER_SIDE)
    views: list[View] = []
    for corner in CORNERS:
        flipped = np.ascontiguousarray(
            reduced[:: -1 if corner[0] == "b" else 1, :: -1 if corner[1] == "r" else 1]
        )
        height, width = flipped.shape
        heights = sorted({min(height, round(height * CORNER_KEEP / span)) for span in CORNER_SPANS})
        widths = sorted({min(width, round(width * CORNER_KEEP / span)) for span in CORNER_SPANS})
        if heights[0] < 16 or widths[0] < 16:
            continue
        # Rows of every height first, (nh * 64, W), then the columns of every width.
        rows = np.concatenate([_kernel(h * scale, h) @ flipped[:h] for h in heights])
        grids = np.concatenate(
            [(rows[:, :w] @ _kernel(w * scale, w).T).reshape(-1, 64, 64) for w in widths]
        )  # (nw * nh, 64, 64)
        if sides_only:  # grid k is width k // nh and height k % nh; index 0 is CORNER_KEEP
            k = np.arange(grids.shape[0])
            grids = grids[(k // len(heights) == 0) | (k % len(heights) == 0)]
        # The grid of a flipped window is the flip of the window's grid: flip it back.
        grids = grids[:, :: -1 if corner[0] == "b" else 1, :: -1 if corner[1] == "r" else 1]
        views += [View(f"corner+{corner}", h) for h in hashes_from_grids(np.ascontiguousarray(grids))]
    return views


def _block_means(plane: FloatArray, side: int) -> tuple[FloatArray, int]:
    """Means of square blocks, so the long side is at most ``side``, and the block's size."""
    height, width = plane.shape
    scale = -(-max(height, width) // side)
    if scale <= 1:
        return plane, 1
    rows, cols = height // scale, width // scale
    blocks = plane[: rows * scale, : cols * scale].reshape(rows, scale, cols, scale).mean(axis=(1, 3))
    return blocks.astype(np.float32), scale


# A photo cut to fill a tile or a preview of another aspect loses the same share from both
# ends of one axis, any share up to a third. The bank holds, per axis, the middle MIDDLE_KEEP
# of it (the whole other axis); a found tile that kept at least that much holds it, at a size
# it does not know, so it hashes its own middle for every share in MIDDLE_SPANS (2 % apart).
MIDDLE_KEEP: Final = 2 / 3
MIDDLE_SPANS: Final = tuple(float(v) for v in np.geomspace(1.0, 2 / 3, 21))


def middle_views(plane: FloatArray) -> list[View]:
    """The middle of each axis of a found image (or of a tile found in it), sized to be the
    bank's middle window whatever share (MIDDLE_KEEP to 1) of the photo's axis it kept."""
    reduced, scale = _block_means(plane, CORNER_SIDE)
    height, width = reduced.shape
    if min(height, width) < 24:
        return []
    views: list[View] = []
    for axis, name in ((1, "cols"), (0, "rows")):
        image = reduced if axis == 1 else np.ascontiguousarray(reduced.T)
        length = image.shape[1]
        across = _kernel(image.shape[0] * scale, image.shape[0]) @ image  # (64, length)
        widths = sorted({round(length * MIDDLE_KEEP / span) for span in MIDDLE_SPANS})
        grids = np.stack(
            [across[:, (length - w) // 2 : (length - w) // 2 + w] @ _kernel(w * scale, w).T for w in widths]
        )
        if axis == 0:
            grids = grids.transpose(0, 2, 1)
        views += [View(f"middle+{name}", h) for h in hashes_from_grids(np.ascontiguousarray(grids))]
    return views
