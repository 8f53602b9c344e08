"""Small versions of the edits a leaked photo goes through, for the robust-matching tests.

Each returns JPEG bytes, decoded in the tests by the real decoder, so the codec's own noise
is part of what the matcher must see through. The benchmark (benchmarks/bench_robust.py)
makes richer ones; these stay small so the tests stay fast.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps
from skimage import data

from reclaim.config import MediaLimits
from reclaim.media.image import decode_luma, decode_rgb


def sample(name: str) -> Image.Image:
    array = getattr(data, name)()
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    return Image.fromarray(np.asarray(array)[..., :3].astype(np.uint8))


def jpeg(image: Image.Image, quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def decoded(encoded: bytes) -> np.ndarray:
    """Luma of JPEG bytes through the decoder every scan uses."""
    return decode_luma(encoded, Path("found.jpg"), MediaLimits()).luma


def decoded_rgb(encoded: bytes) -> np.ndarray:
    """RGB of JPEG bytes through the decoder robust matching uses."""
    return decode_rgb(encoded, Path("found.jpg"), MediaLimits())


def screenshot(photo: Image.Image) -> Image.Image:
    canvas = Image.new("RGB", (540, 1170), (236, 229, 221))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=20)
    draw.rectangle((0, 0, 540, 110), fill=(7, 94, 84))
    draw.text((90, 50), "group chat", fill=(255, 255, 255), font=font)
    draw.rounded_rectangle((20, 140, 400, 200), 14, fill=(255, 255, 255))
    draw.text((36, 158), "look what they posted", fill=(0, 0, 0), font=font)
    shown = photo.resize((380, round(photo.height * 380 / photo.width)))
    draw.rounded_rectangle((136, 230, 136 + 380 + 8, 230 + shown.height + 60), 14, fill=(220, 248, 198))
    mask = Image.new("L", shown.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, shown.width - 1, shown.height - 1), 12, fill=255)
    canvas.paste(shown, (140, 234), mask)
    draw.text((150, 234 + shown.height + 18), "delete this now", fill=(0, 0, 0), font=font)
    return canvas


def collage(photo: Image.Image, other: Image.Image) -> Image.Image:
    tile = (420, 420)
    canvas = Image.new("RGB", (2 * tile[0], tile[1]))
    canvas.paste(ImageOps.contain(other, tile), (0, 0))
    shown = ImageOps.contain(photo, tile)
    canvas.paste(shown, (tile[0], (tile[1] - shown.height) // 2))
    return canvas


def bordered(photo: Image.Image) -> Image.Image:
    canvas = Image.new("RGB", (photo.width + 90, photo.height + 160), (250, 250, 250))
    canvas.paste(photo, (30, 100))
    return canvas


def letterboxed(photo: Image.Image) -> Image.Image:
    height = round(photo.width * 16 / 9)
    canvas = Image.new("RGB", (photo.width, height), (0, 0, 0))
    canvas.paste(photo, (0, (height - photo.height) // 2))
    return canvas


def watermarked(photo: Image.Image) -> Image.Image:
    out = photo.copy()
    ImageDraw.Draw(out).text(
        (20, photo.height - 50), "@leak_channel", fill=(255, 255, 255), font=ImageFont.load_default(size=32)
    )
    return out


def centre_crop(photo: Image.Image, keep: float = 0.85) -> Image.Image:
    w, h = photo.size
    cw, ch = round(w * keep), round(h * keep)
    return photo.crop(((w - cw) // 2, (h - ch) // 2, (w - cw) // 2 + cw, (h - ch) // 2 + ch))


EDITS: dict[str, Callable[[Image.Image, Image.Image], bytes]] = {
    "jpeg-q20": lambda p, _: jpeg(p, 20),
    "resize": lambda p, _: jpeg(p.resize((p.width // 3, p.height // 3))),
    "grayscale": lambda p, _: jpeg(ImageOps.grayscale(p)),
    "blur": lambda p, _: jpeg(p.filter(ImageFilter.GaussianBlur(2))),
    "watermark": lambda p, _: jpeg(watermarked(p)),
    "border": lambda p, _: jpeg(bordered(p)),
    "letterbox": lambda p, _: jpeg(letterboxed(p)),
    "crop": lambda p, _: jpeg(centre_crop(p)),
    "collage": lambda p, other: jpeg(collage(p, other)),
    "screenshot": lambda p, _: jpeg(screenshot(p), 80),
    "mirror": lambda p, _: jpeg(ImageOps.mirror(p)),
    "rotate90": lambda p, _: jpeg(p.transpose(Image.Transpose.ROTATE_90)),
    "rotate180": lambda p, _: jpeg(p.transpose(Image.Transpose.ROTATE_180)),
    "tilt": lambda p, _: jpeg(p.rotate(6, resample=Image.Resampling.BICUBIC, expand=True)),
}
