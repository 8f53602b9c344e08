"""The reference pipeline that bench_hash.py races: Pillow full decode + the `pdqhash` package.

    python benchmarks/reference_pdq.py DIR_OR_FILE...      # JSON lines {"path","pdq","quality"}
    python benchmarks/reference_pdq.py --check             # agree with shared/conformance?

`pdqhash` (PyPI) wraps Meta's C++ PDQ core (ThreatExchange pdq/cpp). Per file it does what a
careful user of that package would: Pillow open, `ImageOps.exif_transpose` (phones store
portraits sideways), decode every pixel with `.convert("RGB")`, `pdqhash.compute`. It runs
as its own process so that its start-up (imports) counts like ours does.

Bit order: `pdqhash.compute` returns 256 bits, bit i of the hash; packing them
most-significant-first gives the 64 hex digits in the order the reference hasher prints
(checked against the expectations in shared/conformance with --check).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image, ImageOps

try:  # HEIC in the mixed folder; optional for the phone40 race
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover
    pass

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".gif", ".bmp", ".tif", ".tiff"}
CONFORMANCE = Path(__file__).resolve().parents[2] / "shared" / "conformance"


def reference_pdq(path: Path) -> tuple[str, int]:
    """Full-resolution PDQ as the reference computes it: (64 hex digits, quality)."""
    with Image.open(path) as im:
        rgb = ImageOps.exif_transpose(im).convert("RGB")
    vector, quality = pdqhash.compute(np.asarray(rgb))
    return np.packbits(vector.astype(np.uint8)).tobytes().hex(), int(quality)


def iter_files(args: list[str]) -> list[Path]:
    files: list[Path] = []
    for a in args:
        p = Path(a)
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.suffix.lower() in IMAGE_SUFFIXES)
        else:
            files.append(p)
    return files


def check_conformance() -> int:
    """Distance of this pipeline to every expectation in shared/conformance/expected_pdq.csv."""
    worst = 0
    with open(CONFORMANCE / "expected_pdq.csv", newline="") as f:
        for row in csv.DictReader(f):
            got, quality = reference_pdq(CONFORMANCE / row["path"])
            d = int(
                np.unpackbits(
                    np.frombuffer(bytes.fromhex(got), np.uint8)
                    ^ np.frombuffer(bytes.fromhex(row["expected_pdq"]), np.uint8)
                ).sum()
            )
            worst = max(worst, d)
            print(f"{d:3d}  q={quality:3d}/{row['expected_quality']:>3}  {row['source']:6}  {row['path']}")
    print(f"worst distance {worst}")
    return 0 if worst <= 16 else 1


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"]:
        return check_conformance()
    out = sys.stdout
    for path in iter_files(argv):
        pdq, quality = reference_pdq(path)
        out.write(json.dumps({"path": str(path), "pdq": pdq, "quality": quality}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
