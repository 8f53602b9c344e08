"""Decode an untrusted image into the luma that PDQ hashes, safely and fast.

Large JPEGs are decoded at 1/2, 1/4 or 1/8 scale by libjpeg's DCT scaling (through
simplejpeg); ``signals.pdq`` corrects for the scale, so the hash stays that of the full
image while the decoder skips most of the inverse DCT and colour conversion work.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeVar

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from reclaim.config import MediaLimits
from reclaim.errors import N_, MediaError, MediaLimitError
from reclaim.media.sniff import is_heif
from reclaim.signals.pdq import luma_from_rgb

LumaArray = npt.NDArray[np.float32]
RgbArray = npt.NDArray[np.uint8]
T = TypeVar("T")

# Decode a JPEG no smaller than this on its short side. At 1/8 scale a 4000x3000 photo
# is 500x375; PDQ's blur is ~N/64 pixels wide, so each blur window still spans 3+ reduced
# pixels and the hash drifts about a bit on average (benchmarks/README.md).
MIN_REDUCED_SIDE: Final = 360
_SCALES: Final = (8, 4, 2)

# EXIF orientation -> the numpy operation that shows the picture upright (as
# ImageOps.exif_transpose), and which upright axes (rows, columns) then run backwards
# through the stored image. Orientations 5 to 8 also swap width and height.
_ORIENTATION: Final[dict[int, tuple[Callable[[LumaArray], LumaArray], tuple[bool, bool]]]] = {
    2: (lambda a: a[:, ::-1], (False, True)),
    3: (lambda a: a[::-1, ::-1], (True, True)),
    4: (lambda a: a[::-1, :], (True, False)),
    5: (lambda a: a.T, (False, False)),
    6: (lambda a: np.rot90(a, -1), (False, True)),
    7: (lambda a: a[::-1, ::-1].T, (True, True)),
    8: (lambda a: np.rot90(a, 1), (True, False)),
}
_EXIF_ORIENTATION_TAG: Final = 0x0112


@dataclass(frozen=True)
class DecodedLuma:
    """Upright luma, possibly reduced, and the upright (width, height) of the full image."""

    luma: LumaArray
    full_size: tuple[int, int]
    scale: int  # 1, or the JPEG DCT scaling denominator the decoder used
    # (rows, columns) flipped to make the picture upright: their partial JPEG block is first.
    reversed_axes: tuple[bool, bool] = (False, False)


def load_decoders() -> None:
    """Load Pillow's common format plugins and simplejpeg now, not on the first photo.

    Called before forking workers, so each starts hashing at once (about 15 ms each).
    """
    import simplejpeg  # noqa: F401

    Image.preinit()


def decode_luma(data: bytes, path: Path, limits: MediaLimits, max_scale: int = 8) -> DecodedLuma:
    """Decode image bytes into upright luma; every failure is a MediaError naming ``path``.

    A large JPEG is decoded at up to 1/``max_scale`` of its size.
    """
    return _decode_safely(data, path, limits, lambda image: _decode_open_image(image, data, max_scale))


def decode_rgb(data: bytes, path: Path, limits: MediaLimits, max_side: int = 768) -> RgbArray:
    """Decode image bytes into upright RGB at most ``max_side`` on its long side, for matching.

    Robust matching finds a photo inside a screenshot by colour as well as brightness, and needs
    no more than ``signals.robust.ANALYSIS_SIDE`` (768) pixels to place its edges; a large JPEG is
    decoded at reduced scale.
    """

    def decode(image: Image.Image) -> RgbArray:
        image.draft("RGB", (max_side, max_side))  # JPEG only: the smallest DCT scale still >= max_side
        image.seek(0)  # first frame of a GIF or multi-page TIFF
        upright = ImageOps.exif_transpose(image).convert("RGB")
        upright.thumbnail((max_side, max_side), Image.Resampling.BOX)
        return np.asarray(upright, dtype=np.uint8)

    return _decode_safely(data, path, limits, decode)


def _decode_safely(data: bytes, path: Path, limits: MediaLimits, decode: Callable[[Image.Image], T]) -> T:
    """Open ``data`` within the pixel limits and decode it; every failure is a MediaError naming ``path``."""
    if is_heif(data[:64]):
        _register_heif()
    # Pillow checks pixel counts when it opens a file, before decoding; make its check ours.
    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
    # WeasyPrint turns this on when it is imported (a report was written in this process): a cut
    # file would then decode with grey rows and be hashed as if whole.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                _check_pixels(image.size, path, limits)
                return decode(image)
    except MediaError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(path, limits) from None
    except UnidentifiedImageError:
        raise MediaError(N_("{path} is not an image that can be read."), path=str(path)) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, MemoryError) as error:
        raise MediaError(
            N_("{path} is damaged or cut short ({reason})."), path=str(path), reason=_reason(error)
        ) from None


def _decode_open_image(image: Image.Image, data: bytes, max_scale: int) -> DecodedLuma:
    orientation = _orientation(image)
    full_size = image.size
    scale = _jpeg_scale(image.size, max_scale) if image.format == "JPEG" else 1
    if scale > 1 and image.mode in ("RGB", "L", "YCbCr"):
        luma = _reduced_jpeg_luma(data, full_size, scale)
    else:
        scale = 1
        image.seek(0)  # first frame of a GIF or multi-page TIFF
        luma = _luma(image)
    if orientation not in _ORIENTATION:
        return DecodedLuma(luma, full_size, scale)
    upright, reversed_axes = _ORIENTATION[orientation]
    if orientation >= 5:
        full_size = (full_size[1], full_size[0])
    return DecodedLuma(np.ascontiguousarray(upright(luma)), full_size, scale, reversed_axes)


def _reduced_jpeg_luma(data: bytes, size: tuple[int, int], scale: int) -> LumaArray:
    """libjpeg-turbo's luma plane at 1/``scale``, through simplejpeg's one-call decoder.

    Grey output skips chroma upsampling and colour conversion; JPEG's Y differs from the
    reference's luma of decoded RGB by rounding only, which the block means average away.
    ``strict`` turns libjpeg's "premature end of data" warning into an error.
    """
    import simplejpeg

    width, height = (-(-side // scale) for side in size)  # libjpeg rounds reduced sizes up
    grey = simplejpeg.decode_jpeg(data, colorspace="GRAY", min_width=width, min_height=height, strict=True)
    return np.asarray(grey[:, :, 0], dtype=np.float32)


def _luma(image: Image.Image) -> LumaArray:
    if image.mode == "L":
        return np.asarray(image, dtype=np.float32)
    return luma_from_rgb(np.asarray(image.convert("RGB")))


def _jpeg_scale(size: tuple[int, int], max_scale: int) -> int:
    short = min(size)
    return next((s for s in _SCALES if s <= max_scale and short // s >= MIN_REDUCED_SIDE), 1)


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_EXIF_ORIENTATION_TAG, 1)
    except Exception:  # a broken EXIF block must not lose the photo; treat it as upright
        return 1
    return value if isinstance(value, int) else 1


def _check_pixels(size: tuple[int, int], path: Path, limits: MediaLimits) -> None:
    if size[0] * size[1] > limits.max_image_pixels:
        raise _too_many_pixels(path, limits)


def _too_many_pixels(path: Path, limits: MediaLimits) -> MediaLimitError:
    return MediaLimitError(
        N_("{path} has more than {limit} pixels: a decompression bomb, or too big to open safely."),
        path=str(path),
        limit=limits.max_image_pixels,
    )


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:120]


def _register_heif() -> None:
    # Imported only for HEIF files: it costs start-up time that JPEG-only runs need not pay.
    import pillow_heif

    pillow_heif.register_heif_opener()
