"""``reclaim demo``: the main job on the bundled public samples, in a home of its own.

For now: set up a home (SQLite database, signing key), hash the sample photos and a
re-shared copy of one of them (smaller, re-compressed, as messengers do), and show which
files are the same picture. Later issues grow this into protect, scan, review and report.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final

from PIL import Image

from reclaim.config import Settings
from reclaim.services.hashing import HashFailure, HashResult, hash_files
from reclaim.signals.pdq import PdqSignal

DEMO_SAMPLES: Final = ("astronaut.jpg", "chelsea.jpg", "coffee.jpg", "rocket.jpg")
RESHARED_NAME: Final = "chelsea-reshared.jpg"


@dataclass(frozen=True)
class NearDuplicate:
    first: Path
    second: Path
    distance: int


@dataclass(frozen=True)
class DemoReport:
    home: Path
    results: tuple[HashResult, ...]
    failures: tuple[HashFailure, ...]
    near_duplicates: tuple[NearDuplicate, ...]


def copy_demo_samples(folder: Path) -> list[Path]:
    """Write the bundled samples, and a re-shared copy of one, into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    package = resources.files("reclaim.demo_data")
    for name in DEMO_SAMPLES:
        target = folder / name
        target.write_bytes(package.joinpath(name).read_bytes())
        paths.append(target)
    paths.append(_write_reshared_copy(folder / DEMO_SAMPLES[1], folder / RESHARED_NAME))
    return paths


def run_demo(settings: Settings, samples_folder: Path) -> DemoReport:
    from reclaim.services.home import initialize_home

    initialize_home(settings)
    files = copy_demo_samples(samples_folder)
    outcomes = list(hash_files(files, settings.limits, workers=1))
    results = tuple(o for o in outcomes if isinstance(o, HashResult))
    failures = tuple(o for o in outcomes if isinstance(o, HashFailure))
    return DemoReport(settings.home, results, failures, find_near_duplicates(results))


def find_near_duplicates(results: tuple[HashResult, ...]) -> tuple[NearDuplicate, ...]:
    pairs = []
    for first, second in itertools.combinations(results, 2):
        if first.pdq is None or second.pdq is None:
            continue
        distance = first.pdq.distance(second.pdq)
        if distance <= PdqSignal.default_threshold:
            pairs.append(NearDuplicate(first.path, second.path, distance))
    return tuple(pairs)


def _write_reshared_copy(source: Path, target: Path) -> Path:
    # What a messenger does to a forwarded photo: shrink it and re-compress it harder.
    with Image.open(source) as image:
        smaller = image.resize((image.width * 2 // 3, image.height * 2 // 3), Image.Resampling.BILINEAR)
        buffer = io.BytesIO()
        smaller.save(buffer, format="JPEG", quality=55)
    target.write_bytes(buffer.getvalue())
    return target
