"""A corpus of a few hundred found photos, a victim's bank on SQLite and PostgreSQL, and one SparkSession.

The corpus is public sample photos (scikit-image), shrunk so the suite stays fast: the
victim's photos, each also edited the ways a leaked photo is (resized, recompressed, cropped,
mirrored, framed), among decoys and their edits, plus a corrupt file. Everything that needs
the bank is done once per database for the module, since a Spark job costs seconds.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageOps
from skimage import data

from tests.conftest import _postgres_schema_url
from tests.e2e.test_cli_hash import reclaim

SIDE = 320  # the corpus's longest side: small photos hash fast, and PDQ sees 64x64 anyway
PROTECTED = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "immunohistochemistry",
    "hubble_deep_field",
    "retina",
)
DECOYS = (
    "brick",
    "camera",
    "clock",
    "coins",
    "colorwheel",
    "grass",
    "gravel",
    "moon",
    "page",
    "text",
    "cell",
    "horse",
    "shepp_logan_phantom",
    "binary_blobs",
    "logo",
)


def _photo(name: str) -> Image.Image:
    array = np.asarray(getattr(data, name)())
    if array.dtype.kind in "bf":  # binary_blobs is boolean, the phantom floats from 0 to 1
        array = array.astype(np.float64) * 255
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    image = Image.fromarray(array[..., :3].astype(np.uint8))
    image.thumbnail((SIDE, SIDE))
    return image


def _save(image: Image.Image, path: Path, quality: int = 90) -> None:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    path.write_bytes(buffer.getvalue())


EDITS = (
    "resized",
    "crop",
    "corner-crop",
    "mirror",
    "rotate90",
    "grayscale",
    "blur",
    "border",
    "letterbox",
    "chat",
)


def _edits(image: Image.Image) -> dict[str, Image.Image]:
    """What a photo goes through when it is re-shared: each kind of edit the matcher is built for."""
    width, height = image.size
    side = max(width, height)
    letterbox = Image.new("RGB", (side * 16 // 9, side), (0, 0, 0))
    letterbox.paste(image, ((letterbox.width - width) // 2, (side - height) // 2))
    chat = Image.new("RGB", (width + width // 5, height + height // 2), (236, 229, 221))
    chat.paste(image, (width // 10, height // 4))
    ImageDraw.Draw(chat).rectangle((0, 0, chat.width, height // 8), fill=(7, 94, 84))  # the app's title bar
    edited = {
        "resized": image.resize((width * 2 // 3, height * 2 // 3)),
        "crop": image.crop((width // 12, height // 12, width - width // 12, height - height // 12)),
        "corner-crop": image.crop((width // 8, height // 8, width, height)),
        "mirror": ImageOps.mirror(image),
        "rotate90": image.rotate(90, expand=True),
        "grayscale": ImageOps.grayscale(image),
        "blur": image.filter(ImageFilter.GaussianBlur(2)),
        "border": ImageOps.expand(image, border=side // 8, fill=(250, 250, 250)),
        "letterbox": letterbox,
        "chat": chat,
    }
    assert tuple(edited) == EDITS
    return edited


@dataclass(frozen=True)
class Corpus:
    mine: Path  # the victim's own photos, protected into her case
    found: Path  # what the platform holds: her photos, edited copies, decoys, one corrupt file
    sample: Path  # a third of ``found``, for the second database: hashing is what a test pays for
    corrupt: Path


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("corpus")
    mine, found = root / "mine", root / "found"
    mine.mkdir()
    found.mkdir()
    for name in PROTECTED:
        photo = _photo(name)
        _save(photo, mine / f"{name}.jpg")
        (found / f"{name}-copy.jpg").write_bytes((mine / f"{name}.jpg").read_bytes())  # an exact copy
        _save(photo, found / f"{name}-q40.jpg", quality=40)
        for edit, edited in _edits(photo).items():
            _save(edited, found / f"{name}-{edit}.jpg")
    for name in DECOYS:
        photo = _photo(name)
        _save(photo, found / f"decoy-{name}.jpg")
        for edit, edited in _edits(photo).items():
            _save(edited, found / f"decoy-{name}-{edit}.jpg")
    # Tiles of large photos, unlike any protected one as a whole: more decoys.
    for name in ("hubble_deep_field", "retina"):
        big = np.asarray(getattr(data, name)())[..., :3]
        for row in range(3):
            for column in range(3):
                tile = big[row * 270 + 40 : row * 270 + 240, column * 270 + 40 : column * 270 + 240]
                _save(Image.fromarray(tile.astype(np.uint8)), found / f"decoy-{name}-tile{row}{column}.jpg")
    corrupt = found / "corrupt.jpg"
    corrupt.write_bytes((found / "decoy-moon.jpg").read_bytes()[:600])
    sample = root / "sample"
    sample.mkdir()
    for path in [*sorted(found.iterdir())[::3], corrupt]:
        (sample / path.name).write_bytes(path.read_bytes())
    return Corpus(mine, found, sample, sample / corrupt.name)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local[2] session for the whole run: starting Spark costs about ten seconds."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("reclaim tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@dataclass
class Home:
    """A helpline's installation with the victim's photos protected, and what its scan found."""

    env: dict[str, str]
    case_id: str
    root: Path
    found: Path  # the folder scanned: the whole corpus on SQLite, a sample of it on PostgreSQL
    scan_leads: list[dict[str, Any]] = field(default_factory=list)


def cli_lines(*args: str | Path, env: dict[str, str]) -> list[dict[str, Any]]:
    run = reclaim(*args, "--json", env=env)
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def home(
    request: pytest.FixtureRequest, corpus: Corpus, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Home]:
    # Tests that do not depend on the database ask for ``home`` on SQLite only (indirectly).
    root = tmp_path_factory.mktemp(f"home-{request.param}")
    env = {"RECLAIM_HOME": str(root / "home"), "RECLAIM_ACTOR": "helpline-wang"}
    urls = _postgres_schema_url() if request.param == "postgres" else iter([None])
    url = next(urls)
    if url is not None:
        env["RECLAIM_DATABASE_URL"] = url
    assert reclaim("init", env=env).returncode == 0
    [case] = cli_lines("case", "new", "小美", env=env)
    cli_lines("protect", case["case_id"], corpus.mine, "--attest", "self", env=env)
    installation = Home(
        env, case["case_id"], root, corpus.found if request.param == "sqlite" else corpus.sample
    )
    # The scan every bulk result is held to: the queue `reclaim scan folder` fills on the same files.
    cli_lines("scan", "folder", installation.found, env=env)
    installation.scan_leads = cli_lines("review", "list", env=env)
    yield installation
    for _ in urls:  # drops the PostgreSQL schema
        pass
