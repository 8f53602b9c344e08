"""PDQ: Meta's 256-bit perceptual image hash, with a core built for phone photos.

The reference (ThreatExchange ``pdq/cpp``) turns an image into luma, blurs it with a
Jarosz filter (a box filter of width ~N/128, two passes per axis), samples a 64x64 grid,
takes the 16x16 low-frequency block of its DCT (DC left out) and sets each bit where a
coefficient exceeds the median.

Every step before the median is linear, so the 64x64 grid equals ``Ky @ luma @ Kx.T``
for two small kernel matrices that depend only on the image size. That lets us work on
a JPEG decoded at 1/2, 1/4 or 1/8 scale by libjpeg's DCT scaling: a downscaled pixel is
(close to) the mean of its block, so summing the full-resolution kernel over each block
gives the grid the reference would compute at full resolution, at a fraction of the cost.
See ``docs/pdq-fast-core.md`` for the derivation and the measured drift.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from reclaim.signals.base import SignalType

GRID: Final = 64
DCT_SIZE: Final = 16
HASH_BITS: Final = 256
# Below this quality a hash says little about the image (flat or tiny pictures); the
# reference uses the same cut-off, and DESIGN.md asks us to warn before matching on it.
MIN_GOOD_QUALITY: Final = 50

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class PdqHash:
    """A PDQ hash: 32 bytes in the reference's hex order, and its quality (0-100)."""

    bits: bytes
    quality: int

    def __post_init__(self) -> None:
        if len(self.bits) != HASH_BITS // 8:
            raise ValueError(f"a PDQ hash has 32 bytes, not {len(self.bits)}")

    @property
    def hex(self) -> str:
        return self.bits.hex()

    @classmethod
    def from_hex(cls, value: str, quality: int = 100) -> PdqHash:
        return cls(bytes.fromhex(validate_pdq_hex(value)), quality)

    def distance(self, other: PdqHash) -> int:
        return hamming_distance(self.bits, other.bits)

    @property
    def is_low_quality(self) -> bool:
        return self.quality < MIN_GOOD_QUALITY


class PdqSignal(SignalType):
    """The PDQ signal type: name, what it applies to, how two values compare."""

    name = "pdq"
    content_types = ("image", "video")
    # The reference's recommended match threshold (ThreatExchange pdq README).
    default_threshold = 31

    @staticmethod
    def validate(value: str) -> str:
        return validate_pdq_hex(value)

    @staticmethod
    def distance(left: str, right: str) -> int:
        return hamming_distance(bytes.fromhex(left), bytes.fromhex(right))


def validate_pdq_hex(value: str) -> str:
    """Return the hash in lower case, or raise ValueError when it is not 64 hex digits."""
    text = value.strip().lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError(f"{value!r} is not a PDQ hash (64 hexadecimal digits)")
    return text


def hamming_distance(left: bytes, right: bytes) -> int:
    return (int.from_bytes(left, "big") ^ int.from_bytes(right, "big")).bit_count()


_LUMA_WEIGHTS: Final = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def luma_from_rgb(rgb: npt.NDArray[np.uint8]) -> FloatArray:
    """The reference's luma (ITU-R BT.601 weights) of an (H, W, 3) RGB array."""
    luma: FloatArray = rgb.astype(np.float32) @ _LUMA_WEIGHTS
    return luma


def pdq_from_luma(luma: npt.NDArray[np.generic], full_size: tuple[int, int] | None = None) -> PdqHash:
    """PDQ of a luma image (H, W), values 0-255.

    ``full_size`` is the (width, height) of the image before a block-mean downscale
    (JPEG DCT scaling); the hash then approximates the one of the full-size image.
    """
    return hash_from_grid(luma_grid(luma, full_size))


def pdq_dihedral_from_luma(
    luma: npt.NDArray[np.generic], full_size: tuple[int, int] | None = None
) -> dict[str, PdqHash]:
    """The 8 rotations and mirrors of the image, named as the reference names them."""
    grid = luma_grid(luma, full_size)
    quality = grid_quality(grid)
    return {name: _hash_with_quality(transform(grid), quality) for name, transform in DIHEDRAL.items()}


def luma_grid(
    luma: npt.NDArray[np.generic],
    full_size: tuple[int, int] | None = None,
    reversed_axes: tuple[bool, bool] = (False, False),
) -> FloatArray:
    """The reference's blurred and sampled 64x64 luma grid, as one matrix product per axis.

    ``reversed_axes`` (rows, columns) says which axes of a reduced image were flipped after
    decoding (EXIF orientation), so that their partial JPEG block is now the first, not the last.
    """
    height, width = luma.shape
    full_width, full_height = full_size if full_size else (width, height)
    rows = axis_kernel(full_height, height, reversed_axes[0])
    cols = axis_kernel(full_width, width, reversed_axes[1])
    pixels = np.asarray(luma, dtype=np.float32)
    grid: FloatArray = rows @ (pixels @ cols.T)
    return grid


def hash_from_grid(grid: FloatArray) -> PdqHash:
    return _hash_with_quality(grid, grid_quality(grid))


def grid_quality(grid: FloatArray) -> int:
    """The reference's quality: summed luma gradients of the grid, in percent steps."""
    # The reference truncates each step to an integer percentage before summing.
    vertical = np.trunc((grid[:-1, :] - grid[1:, :]) * np.float32(100.0 / 255.0))
    horizontal = np.trunc((grid[:, :-1] - grid[:, 1:]) * np.float32(100.0 / 255.0))
    total = int(np.abs(vertical).sum() + np.abs(horizontal).sum())
    return min(total // 90, 100)


def drift_risk(luma: npt.NDArray[np.generic], grid: FloatArray) -> float:
    """How likely a reduced-scale decode moved the hash: roughness over the median margin.

    A reduced decode replaces each block by its mean, which is exact for smooth pictures and
    off for fine texture (wood grain, gravel, sensor noise on a plain wall), in proportion to
    the pixel-to-pixel roughness of the reduced image. Bits flip where coefficients sit close
    to the median, so the risk is that roughness over the margin of the nearest tenth of the
    coefficients. Measured at 1/8 scale: ordinary photos score under 13, textures over 45.
    """
    pixels = np.asarray(luma, dtype=np.float32)
    roughness = float(
        np.sqrt(np.square(np.diff(pixels, axis=0)).mean() + np.square(np.diff(pixels, axis=1)).mean())
    )
    basis = _dct_basis()
    coefficients = basis @ grid @ basis.T
    distances = np.abs(coefficients - _median(coefficients)).ravel()
    margin = float(np.partition(distances, _TENTH)[_TENTH])
    return roughness / max(margin, 1e-6)


def _hash_with_quality(grid: FloatArray, quality: int) -> PdqHash:
    basis = _dct_basis()
    coefficients = basis @ grid @ basis.T
    median = _median(coefficients)
    # The reference sets bit i*16+j for coefficient [i][j] and prints the last bit first.
    bits = (coefficients.ravel()[::-1] > median).astype(np.uint8)
    return PdqHash(np.packbits(bits).tobytes(), quality)


_TENTH: Final = HASH_BITS // 10


def _median(values: npt.NDArray[np.floating[Any]]) -> float:
    """The median of the 256 coefficients (mean of the middle two), as the reference thresholds.

    np.median would do, but its first call imports numpy.ma: 8 ms of start-up in every worker.
    """
    middle = np.partition(values.ravel(), (HASH_BITS // 2 - 1, HASH_BITS // 2))
    return float(middle[HASH_BITS // 2 - 1] + middle[HASH_BITS // 2]) / 2


@lru_cache(maxsize=1)
def _dct_basis() -> FloatArray:
    k = np.arange(1, DCT_SIZE + 1, dtype=np.float64)[:, None]
    j = np.arange(GRID, dtype=np.float64)[None, :]
    basis: FloatArray = (np.sqrt(2.0 / GRID) * np.cos(np.pi / (2 * GRID) * k * (2 * j + 1))).astype(
        np.float32
    )
    return basis


def jarosz_window(length: int) -> int:
    """The reference's box width for an axis of this many pixels."""
    return (length + 2 * GRID - 1) // (2 * GRID)


@lru_cache(maxsize=64)
def axis_kernel(full_length: int, length: int, partial_block_first: bool = False) -> FloatArray:
    """The (64, length) matrix that blurs and samples one axis of ``length`` pixels.

    ``length`` may be smaller than ``full_length`` when the image was decoded at reduced
    scale; each reduced pixel then stands for the mean of ``full_length / length`` pixels,
    and the one partial block is the last unless the axis was flipped after decoding.
    """
    window = jarosz_window(full_length)
    rows = np.zeros((GRID, full_length), dtype=np.float64)
    samples = ((np.arange(GRID) + 0.5) * full_length / GRID).astype(np.int64)
    rows[np.arange(GRID), samples] = 1.0
    for _ in range(2):
        rows = _times_box(rows, window)
    if length != full_length:
        rows = (
            _sum_blocks(rows[:, ::-1], length)[:, ::-1] if partial_block_first else _sum_blocks(rows, length)
        )
    kernel: FloatArray = rows.astype(np.float32)
    return kernel


def _times_box(rows: npt.NDArray[np.float64], window: int) -> npt.NDArray[np.float64]:
    """``rows @ B`` for the reference's box filter B (mean over a clipped window)."""
    count, length = rows.shape
    half = (window + 2) // 2
    before, after = window - half, half - 1  # output o averages [o - before, o + after]
    index = np.arange(length)
    counts = np.minimum(index + after, length - 1) - np.maximum(index - before, 0) + 1
    # Input q feeds every output o whose window holds q: o in [q - after, q + before], a box
    # sum of the weighted rows. The prefix sums are padded with their end values, so both
    # ends of every window are plain slices.
    prefix = np.zeros((count, after + length + before + 2))
    np.cumsum(rows / counts, axis=1, out=prefix[:, after + 1 : after + 1 + length])
    prefix[:, after + 1 + length :] = prefix[:, after + length : after + 1 + length]
    result: npt.NDArray[np.float64] = prefix[:, window : window + length] - prefix[:, :length]
    return result


def _sum_blocks(rows: npt.NDArray[np.float64], length: int) -> npt.NDArray[np.float64]:
    """Sum the kernel over the full-size pixels each reduced pixel stands for."""
    full_length = rows.shape[1]
    scale = max(1, round(full_length / length))
    if -(-full_length // scale) == length:
        # libjpeg's DCT scaling: reduced pixel p covers [p*scale, (p+1)*scale).
        edges = np.minimum(np.arange(length + 1) * scale, full_length)
    else:
        edges = np.round(np.arange(length + 1) * full_length / length).astype(np.int64)
    prefix = np.concatenate([np.zeros((rows.shape[0], 1)), np.cumsum(rows, axis=1)], axis=1)
    result: npt.NDArray[np.float64] = prefix[:, edges[1:]] - prefix[:, edges[:-1]]
    return result


# Transforming the grid is exact: the reference does the same with sign flips and
# transposes of the DCT output. Names and directions as the reference's dihedral files.
DIHEDRAL: Final[dict[str, Callable[[FloatArray], FloatArray]]] = {
    "original": lambda g: g,
    "rotate90": lambda g: np.rot90(g, 1),
    "rotate180": lambda g: np.rot90(g, 2),
    "rotate270": lambda g: np.rot90(g, 3),
    # The reference's flipx mirrors across the x axis (upside down), flipy across the y axis.
    "flipx": lambda g: g[::-1, :],
    "flipy": lambda g: g[:, ::-1],
    "flipplus1": lambda g: g.T,
    "flipminus1": lambda g: g[::-1, ::-1].T,
}


def hashes_from_grids(grids: FloatArray) -> list[PdqHash]:
    """``hash_from_grid`` of each of a stack of grids (N, 64, 64), in one batch: the same bits."""
    if grids.shape[0] == 0:
        return []
    basis = _dct_basis()
    coefficients = (basis @ grids @ basis.T).reshape(grids.shape[0], -1)
    middle = np.partition(coefficients, (HASH_BITS // 2 - 1, HASH_BITS // 2), axis=1)
    medians = (middle[:, HASH_BITS // 2 - 1] + middle[:, HASH_BITS // 2]) / 2
    bits = np.packbits((coefficients[:, ::-1] > medians[:, None]).astype(np.uint8), axis=1)
    scale = np.float32(100.0 / 255.0)
    vertical = np.abs(np.trunc((grids[:, :-1, :] - grids[:, 1:, :]) * scale)).sum(axis=(1, 2))
    horizontal = np.abs(np.trunc((grids[:, :, :-1] - grids[:, :, 1:]) * scale)).sum(axis=(1, 2))
    qualities = np.minimum((vertical + horizontal).astype(np.int64) // 90, 100)
    return [PdqHash(row.tobytes(), int(q)) for row, q in zip(bits, qualities, strict=True)]
