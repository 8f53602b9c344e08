"""``reclaim demo``: the main job on the bundled public samples, in a home of its own.

A helpline opens a case, protects three of her photos (only their hashes are kept), and
later checks what was found online: a copy a messenger shrank and re-compressed, the photo
inside a screenshot of a chat, a mirrored copy with black bars, and a stranger's photo. Each
found copy of hers is a match to review, saying which view of it matched; the stranger's is
not. Later issues grow this into scan, review, evidence and notices.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final

from PIL import Image, ImageDraw, ImageOps

from reclaim.bank.entries import Attestation
from reclaim.config import Settings
from reclaim.services.hashing import HashFailure
from reclaim.services.matching import QueryResult
from reclaim.services.protect import ProtectedItem

PROTECTED_SAMPLES: Final = ("astronaut.jpg", "chelsea.jpg", "coffee.jpg")
STRANGERS_SAMPLE: Final = "rocket.jpg"
DEMO_CASE_TITLE: Final = "demo: public sample photos"


@dataclass(frozen=True)
class DemoReport:
    home: Path
    case_id: str
    protected: tuple[ProtectedItem, ...]
    found: tuple[QueryResult, ...]
    failures: tuple[HashFailure, ...]


def run_demo(settings: Settings, samples_folder: Path) -> DemoReport:
    """Set up the home, protect the samples in a new case, and match the found copies."""
    from reclaim.services.cases import new_case
    from reclaim.services.home import initialize_home, open_store
    from reclaim.services.matching import load_bank, match_files
    from reclaim.services.protect import protect_files

    initialize_home(settings)
    mine, found = write_demo_files(samples_folder)
    engine = open_store(settings)
    try:
        case = new_case(engine, DEMO_CASE_TITLE, actor=settings.actor)
        outcomes = list(protect_files(engine, settings, case, mine, attestation=Attestation.SELF, workers=1))
        snapshot = load_bank(engine)
    finally:
        engine.dispose()
    results = list(match_files(snapshot, found, settings, workers=1))
    return DemoReport(
        home=settings.home,
        case_id=case.id,
        protected=tuple(o for o in outcomes if isinstance(o, ProtectedItem)),
        found=tuple(r for r in results if isinstance(r, QueryResult)),
        failures=tuple(o for o in [*outcomes, *results] if isinstance(o, HashFailure)),
    )


def write_demo_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """Her photos in ``folder/mine``, and what turned up online in ``folder/found``."""
    package = resources.files("reclaim.demo_data")
    mine_folder, found_folder = folder / "mine", folder / "found"
    mine_folder.mkdir(parents=True, exist_ok=True)
    found_folder.mkdir(parents=True, exist_ok=True)
    mine = []
    for name in PROTECTED_SAMPLES:
        target = mine_folder / name
        target.write_bytes(package.joinpath(name).read_bytes())
        mine.append(target)
    found_copies: dict[str, tuple[str, Callable[[Image.Image], Image.Image]]] = {
        "chelsea-forwarded.jpg": ("chelsea.jpg", _forwarded),
        "astronaut-in-a-chat.png": ("astronaut.jpg", _chat_screenshot),
        "coffee-mirrored-with-bars.jpg": ("coffee.jpg", _mirrored_with_bars),
        "strangers-photo.jpg": (STRANGERS_SAMPLE, _forwarded),
    }
    found = []
    for name, (source, edit) in found_copies.items():
        with Image.open(io.BytesIO(package.joinpath(source).read_bytes())) as image:
            edited = edit(image.convert("RGB"))
        target = found_folder / name
        if target.suffix == ".jpg":
            edited.save(target, quality=55)
        else:
            edited.save(target)  # screenshots are PNG
        found.append(target)
    return mine, found


def _forwarded(image: Image.Image) -> Image.Image:
    # What a messenger does to a forwarded photo: shrink it (and it is saved at quality 55).
    return image.resize((image.width * 2 // 3, image.height * 2 // 3), Image.Resampling.BILINEAR)


def _mirrored_with_bars(image: Image.Image) -> Image.Image:
    # Mirrored and letterboxed to a phone's 9:16, as re-uploads to video apps often are.
    mirrored = ImageOps.mirror(image)
    height = mirrored.width * 16 // 9
    canvas = Image.new("RGB", (mirrored.width, height), (0, 0, 0))
    canvas.paste(mirrored, (0, (height - mirrored.height) // 2))
    return canvas


def _chat_screenshot(image: Image.Image) -> Image.Image:
    # A phone screenshot of a chat: status bar, header, the photo in a bubble, a caption.
    screen = Image.new("RGB", (720, 1280), (236, 229, 221))
    draw = ImageDraw.Draw(screen)
    draw.rectangle((0, 0, 720, 150), fill=(7, 94, 84))
    draw.rounded_rectangle((60, 260, 660, 900), radius=24, fill=(255, 255, 255))
    photo = image.resize((560, round(560 * image.height / image.width)))
    screen.paste(photo.crop((0, 0, 560, min(560, photo.height))), (80, 280))
    draw.rectangle((80, 860, 500, 880), fill=(90, 90, 90))
    draw.rounded_rectangle((20, 1180, 700, 1260), radius=40, fill=(255, 255, 255))
    return screen
