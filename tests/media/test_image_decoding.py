"""Safe image decoding: every format a phone or a chat app produces, upright, and hostile files refused."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps
from skimage import data

from reclaim.config import MediaLimits
from reclaim.errors import MediaError, MediaLimitError
from reclaim.media.image import decode_luma, decode_rgb
from reclaim.media.sniff import sniff_media_kind
from reclaim.services.hashing import hash_file
from reclaim.signals.pdq import PdqHash, luma_from_rgb, pdq_from_luma


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return Image.fromarray(data.astronaut())


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_like_exif_transpose(photo: Image.Image, orientation: int) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    wide = photo.resize((480, 320))
    encoded = encode(wide, "JPEG", quality=95, exif=exif.tobytes())
    with Image.open(io.BytesIO(encoded)) as image:
        upright = ImageOps.exif_transpose(image)
        expected = pdq_from_luma(luma_from_rgb(np.asarray(upright.convert("RGB"))))
    decoded = decode_luma(encoded, Path("rotated.jpg"), MediaLimits())
    assert decoded.luma.shape == (upright.height, upright.width)
    assert pdq_from_luma(decoded.luma, decoded.full_size).distance(expected) <= 2


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("PNG", {}),
        ("WEBP", {"quality": 90}),
        ("GIF", {}),
        ("BMP", {}),
        ("TIFF", {}),
        ("JPEG", {"quality": 90}),
    ],
)
def test_common_formats_hash_to_the_same_picture(
    photo: Image.Image, fmt: str, options: dict[str, object]
) -> None:
    original = pdq_from_luma(luma_from_rgb(np.asarray(photo)))
    encoded = encode(photo, fmt, **options)
    assert sniff_media_kind(encoded[:512]) == "image"
    decoded = decode_luma(encoded, Path(f"photo.{fmt.lower()}"), MediaLimits())
    assert pdq_from_luma(decoded.luma, decoded.full_size).distance(original) <= 20


def test_heic_from_a_phone_is_decoded(tmp_path: Path, photo: Image.Image) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    path = tmp_path / "IMG_0001.HEIC"
    photo.save(path, format="HEIF", quality=80)
    assert sniff_media_kind(path.read_bytes()[:512]) == "image"
    result = hash_file(path, MediaLimits())
    original = pdq_from_luma(luma_from_rgb(np.asarray(photo)))
    assert result.kind == "image" and result.pdq is not None
    assert result.pdq.distance(original) <= 20


def test_first_frame_of_an_animated_gif_is_hashed(photo: Image.Image) -> None:
    frames = [photo, ImageOps.invert(photo)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    decoded = decode_luma(buffer.getvalue(), Path("anim.gif"), MediaLimits())
    first = pdq_from_luma(luma_from_rgb(np.asarray(photo)))
    assert pdq_from_luma(decoded.luma).distance(first) <= 20


def png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG that claims a huge grey canvas: the classic decompression bomb."""
    raw = zlib.compress(b"\x00" * (width + 1) * 64, 9)  # far fewer rows than declared

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_png_decompression_bomb_is_refused_before_decoding() -> None:
    for width, height in [(50_000, 50_000), (15_000, 14_000)]:
        with pytest.raises(MediaLimitError, match=r"bomb\.png has more than 200000000 pixels"):
            decode_luma(png_bomb(width, height), Path("bomb.png"), MediaLimits())


def test_the_pixel_limit_is_the_configured_one_not_pillows_default(photo: Image.Image) -> None:
    encoded = encode(photo.resize((40, 40)), "PNG")
    with pytest.raises(MediaLimitError, match="more than 1000 pixels"):
        decode_luma(encoded, Path("small.png"), MediaLimits(max_image_pixels=1000))
    assert decode_luma(encoded, Path("small.png"), MediaLimits(max_image_pixels=1600)).luma.shape == (40, 40)


def test_truncated_jpeg_is_reported_as_damaged(photo: Image.Image) -> None:
    encoded = encode(photo.resize((1600, 1600)), "JPEG", quality=90)
    with pytest.raises(MediaError, match=r"cut\.jpg is damaged or cut short"):
        decode_luma(encoded[: len(encoded) // 2], Path("cut.jpg"), MediaLimits())


def test_truncated_large_jpeg_is_reported_even_when_decoded_at_reduced_scale(photo: Image.Image) -> None:
    encoded = encode(photo.resize((4000, 3000)), "JPEG", quality=90)
    with pytest.raises(MediaError, match="damaged or cut short"):
        decode_luma(encoded[: len(encoded) // 3], Path("cut-big.jpg"), MediaLimits())


def test_random_bytes_behind_a_jpeg_header_are_reported() -> None:
    garbage = b"\xff\xd8\xff\xe0" + np.random.default_rng(1).bytes(5000)
    with pytest.raises(MediaError, match=r"garbage\.jpg"):
        decode_luma(garbage, Path("garbage.jpg"), MediaLimits())


@pytest.mark.parametrize("orientation", range(1, 9))
def test_rotated_reduced_jpeg_with_a_partial_block_matches_the_upright_reference(
    photo: Image.Image, orientation: int
) -> None:
    # 2001x1501 decodes at 1/4 scale with a partial block at the end of each axis; a flip
    # moves it to the start, and the kernels must follow it there.
    noise = np.random.default_rng(orientation).normal(0, 4, (1501, 2001, 3))
    pixels = np.clip(np.asarray(photo.resize((2001, 1501)), dtype=np.float64) + noise, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = orientation
    encoded = encode(Image.fromarray(pixels.astype(np.uint8)), "JPEG", quality=90, exif=exif.tobytes())
    decoded = decode_luma(encoded, Path("odd.jpg"), MediaLimits())
    assert decoded.scale == 4
    with Image.open(io.BytesIO(encoded)) as image:
        upright = np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
    expected = pdq_from_luma(luma_from_rgb(upright))
    ours = hash_file_bytes(encoded)
    assert ours.distance(expected) <= 4


def hash_file_bytes(encoded: bytes) -> PdqHash:
    from reclaim.services.hashing import pdq_of_image_bytes

    return pdq_of_image_bytes(encoded, Path("odd.jpg"), MediaLimits())


@pytest.mark.parametrize("orientation", [1, 6, 8])
def test_rgb_for_matching_is_upright_and_bounded(photo: Image.Image, orientation: int) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    encoded = encode(photo.resize((1600, 1200)), "JPEG", quality=92, exif=exif.tobytes())
    with Image.open(io.BytesIO(encoded)) as image:
        upright = ImageOps.exif_transpose(image).convert("RGB")
    rgb = decode_rgb(encoded, Path("found.jpg"), MediaLimits(), max_side=400)
    assert max(rgb.shape[:2]) == 400 and rgb.shape[2] == 3
    assert (rgb.shape[0] > rgb.shape[1]) == (upright.height > upright.width)
    expected = np.asarray(
        upright.resize((rgb.shape[1], rgb.shape[0]), Image.Resampling.BOX), dtype=np.float32
    )
    assert np.abs(rgb.astype(np.float32) - expected).mean() < 4


def test_rgb_for_matching_refuses_what_luma_refuses(photo: Image.Image) -> None:
    with pytest.raises(MediaLimitError, match="more than 200000000 pixels"):
        decode_rgb(png_bomb(15_000, 14_000), Path("bomb.png"), MediaLimits())
    encoded = encode(photo.resize((1600, 1600)), "JPEG", quality=90)
    with pytest.raises(MediaError, match=r"cut\.jpg is damaged or cut short"):
        decode_rgb(encoded[: len(encoded) // 2], Path("cut.jpg"), MediaLimits())


def test_a_cut_file_is_refused_even_after_weasyprint_let_pillow_load_cut_files(
    photo: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import ImageFile

    # What importing WeasyPrint does (weasyprint/images.py), and a server that wrote a report keeps.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    encoded = encode(photo.resize((1600, 1600)), "JPEG", quality=90)
    with pytest.raises(MediaError, match=r"cut\.jpg is damaged or cut short"):
        decode_rgb(encoded[: len(encoded) // 2], Path("cut.jpg"), MediaLimits())
