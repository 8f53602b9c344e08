"""PDQ against the reference: Meta's expected hashes, Meta's C++ core (pdqhash) and the dihedral files."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pdqhash
import pytest
from PIL import Image

from reclaim.config import MediaLimits
from reclaim.services.hashing import hash_file
from reclaim.signals.pdq import (
    PdqHash,
    PdqSignal,
    hamming_distance,
    luma_from_rgb,
    pdq_dihedral_from_luma,
    pdq_from_luma,
    validate_pdq_hex,
)

CONFORMANCE = Path(__file__).resolve().parents[3] / "shared" / "conformance"
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
