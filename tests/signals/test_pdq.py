"""PDQ against the reference: Meta's expected hashes, Meta's C++ core (pdqhash) and the dihedral files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pdqhash
import pytest
from PIL import Image

from reclaim.config import MediaLimits
from reclaim.media.image import decode_luma
from reclaim.services.hashing import DRIFT_RISK_LIMIT, hash_file, pdq_of_image_bytes
from reclaim.signals.pdq import (
    PdqHash,
    PdqSignal,
    drift_risk,
    hamming_distance,
    hash_from_grid,
    luma_from_rgb,
    luma_grid,
    pdq_dihedral_from_luma,
    pdq_from_luma,
    validate_pdq_hex,
)
from tests.shared_data import CONFORMANCE

EXPECTED = list(csv.DictReader((CONFORMANCE / "expected_pdq.csv").open()))
DIHEDRAL_FILES = {
    "original": "bridge-1-original.jpg",
    "rotate90": "bridge-2-rotate-90.jpg",
    "rotate180": "bridge-3-rotate-180.jpg",
    "rotate270": "bridge-4-rotate-270.jpg",
    "flipx": "bridge-5-flipx.jpg",
    "flipy": "bridge-6-flipy.jpg",
    "flipplus1": "bridge-7-flip-plus-1.jpg",
    "flipminus1": "bridge-8-flip-minus-1.jpg",
}


def reference_hash(rgb: np.ndarray) -> bytes:
    """Meta's C++ PDQ core through the pdqhash package, bits in the reference's hex order."""
    bits, _quality = pdqhash.compute(rgb)
    return np.packbits(bits.astype(np.uint8)).tobytes()


def test_every_conformance_hash_is_within_12_bits_and_5_on_average() -> None:
    distances = []
    for row in EXPECTED:
        ours = hash_file(CONFORMANCE / row["path"], MediaLimits())
        assert ours.pdq is not None
        distance = hamming_distance(ours.pdq.bits, bytes.fromhex(row["expected_pdq"]))
        assert distance <= 12, f"{row['path']} ({row['source']}) is {distance} bits from the reference"
        distances.append(distance)
    assert np.mean(distances) <= 5.0


def test_quality_agrees_with_the_reference_where_it_is_given() -> None:
    for row in EXPECTED:
        if row["expected_quality"]:
            ours = hash_file(CONFORMANCE / row["path"], MediaLimits())
            assert ours.pdq is not None and ours.pdq.quality == int(row["expected_quality"])


@pytest.mark.parametrize("relative", sorted({row["path"] for row in EXPECTED}))
def test_core_is_bit_exact_with_metas_cpp_core_on_the_same_pixels(relative: str) -> None:
    with Image.open(CONFORMANCE / relative) as image:
        rgb = np.asarray(image.convert("RGB"))
    bits, quality = pdqhash.compute(rgb)
    ours = pdq_from_luma(luma_from_rgb(rgb))
    assert ours.bits == np.packbits(bits.astype(np.uint8)).tobytes()
    assert ours.quality == quality


@pytest.mark.parametrize("name", sorted(DIHEDRAL_FILES))
def test_dihedral_variant_matches_the_reference_file_of_the_same_name(name: str) -> None:
    with Image.open(CONFORMANCE / "pdq" / "dih" / DIHEDRAL_FILES["original"]) as image:
        variants = pdq_dihedral_from_luma(luma_from_rgb(np.asarray(image.convert("RGB"))))
    transformed = hash_file(CONFORMANCE / "pdq" / "dih" / DIHEDRAL_FILES[name], MediaLimits()).pdq
    assert transformed is not None
    distances = {variant: hash_.distance(transformed) for variant, hash_ in variants.items()}
    assert distances[name] <= 16
    # Every other orientation is far away: the names are not interchangeable.
    assert all(d > 64 for variant, d in distances.items() if variant != name)


def test_reduced_scale_jpeg_hash_stays_close_to_the_full_resolution_hash(tmp_path: Path) -> None:
    from skimage import data

    distances = []
    for index, name in enumerate(["astronaut", "coffee", "rocket", "gravel", "grass"]):
        pixels = np.asarray(Image.fromarray(getattr(data, name)()).convert("RGB").resize((4000, 3000)))
        noise = np.random.default_rng(index).normal(0, 4, pixels.shape)
        photo = np.clip(pixels + noise, 0, 255).astype(np.uint8)
        path = tmp_path / f"{name}.jpg"
        Image.fromarray(photo).save(path, quality=90)
        with Image.open(path) as image:
            full = reference_hash(np.asarray(image.convert("RGB")))
        ours = hash_file(path, MediaLimits()).pdq
        assert ours is not None
        distances.append(hamming_distance(ours.bits, full))
    assert max(distances) <= 16
    assert np.mean(distances) <= 6


def test_flat_image_is_flagged_low_quality() -> None:
    flat = np.full((300, 400), 128, dtype=np.float32)
    assert pdq_from_luma(flat).is_low_quality
    gradient = np.tile(np.linspace(0, 255, 400, dtype=np.float32), (300, 1))
    noise = np.random.default_rng(0).uniform(0, 255, (300, 400)).astype(np.float32)
    assert not pdq_from_luma(gradient + noise).is_low_quality


def test_hex_round_trip_and_validation() -> None:
    value = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22"
    assert PdqHash.from_hex(value.upper()).hex == value
    assert PdqSignal.matches(value, value) == (True, 0)
    for bad in ["", "xyz", value[:-1], value + "0", "g" * 64]:
        with pytest.raises(ValueError, match="PDQ"):
            validate_pdq_hex(bad)


def fine_grain_photo(seed: int) -> bytes:
    """Wood-like grain finer than a JPEG block: the case a 1/8-scale decode gets wrong."""
    rows, cols = np.mgrid[0:3000, 0:4000].astype(np.float32)
    warp = 60 * np.sin(rows / 157 + seed) + 40 * np.sin(rows / 61 + cols / 900)
    noise = np.random.default_rng(seed).normal(0, 6, rows.shape)
    grey = np.clip(128 + 40 * np.sin((cols + warp) / 7.0) + noise, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(np.stack([grey, grey, grey], axis=-1)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_fine_texture_is_decoded_again_at_finer_scale_and_stays_close() -> None:
    data = fine_grain_photo(1)
    coarse = decode_luma(data, Path("grain.jpg"), MediaLimits())
    assert coarse.scale == 8
    coarse_grid = luma_grid(coarse.luma, coarse.full_size)
    assert drift_risk(coarse.luma, coarse_grid) > DRIFT_RISK_LIMIT
    with Image.open(io.BytesIO(data)) as image:
        full = reference_hash(np.asarray(image.convert("RGB")))
    coarse_distance = hamming_distance(hash_from_grid(coarse_grid).bits, full)
    final_distance = hamming_distance(pdq_of_image_bytes(data, Path("grain.jpg"), MediaLimits()).bits, full)
    assert final_distance <= 6 < coarse_distance


def test_ordinary_photo_is_not_decoded_twice() -> None:
    pixels = np.asarray(Image.fromarray(data_astronaut()).resize((4000, 3000)))
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90)
    decoded = decode_luma(buffer.getvalue(), Path("astronaut.jpg"), MediaLimits())
    assert drift_risk(decoded.luma, luma_grid(decoded.luma, decoded.full_size)) < DRIFT_RISK_LIMIT


def data_astronaut() -> np.ndarray:
    from skimage import data

    return data.astronaut()


@pytest.mark.parametrize("length", [1, 2, 37, 127, 128, 129, 500, 3000, 4032])
def test_axis_kernel_equals_the_reference_box_filter_written_out(length: int) -> None:
    from reclaim.signals.pdq import axis_kernel, jarosz_window

    # The reference's box filter as a dense matrix: output o averages the clipped window
    # [o - (w - h), o + (h - 1)] with h = (w + 2) // 2 (ThreatExchange pdq box1DFloat).
    window = jarosz_window(length)
    half = (window + 2) // 2
    box = np.zeros((length, length))
    for output in range(length):
        low, high = max(0, output - (window - half)), min(length - 1, output + half - 1)
        box[output, low : high + 1] = 1.0 / (high - low + 1)
    samples = ((np.arange(64) + 0.5) * length / 64).astype(int)
    expected = (box @ box)[samples]
    assert np.allclose(axis_kernel(length, length), expected, atol=1e-6)
