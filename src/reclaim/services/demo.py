"""``reclaim demo``: the main job on the bundled public samples, in a home of its own.

A helpline opens a case, protects three of her photos (only their hashes are kept), and
later checks what was found online: a copy a messenger shrank and re-compressed, the photo
inside a screenshot of a chat, a mirrored copy with black bars, and a stranger's photo. Each
found copy of hers is a match to review, saying which view of it matched; the stranger's is
not. Then the same copies turn up in a leak channel's Telegram export, beside a post with her
phone number written in Chinese numerals and another person's number: the scan queues a lead
for each copy of hers and for her number, and nothing else. Last, the takedown
(``demo_takedown``): the leads are accepted as evidence, the Telegram notice is drafted and
recorded as sent, and the Chinese report and the evidence bundle are written and verified.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final

from PIL import Image, ImageDraw, ImageOps

from reclaim.bank.entries import Attestation
from reclaim.config import Settings
from reclaim.services.demo_takedown import DemoTakedown
from reclaim.services.hashing import HashFailure
from reclaim.services.matching import QueryResult
from reclaim.services.protect import ProtectedItem
from reclaim.services.scan import ScanSummary
from reclaim.store.scans import StoredReview

PROTECTED_SAMPLES: Final = ("astronaut.jpg", "chelsea.jpg", "coffee.jpg")
STRANGERS_SAMPLE: Final = "rocket.jpg"
DEMO_CASE_TITLE: Final = "demo: public sample photos"
DEMO_PHONE: Final = "13812345678"  # a made-up number in a real format
DEMO_CHANNEL_ID: Final = 1000000001
DEMO_CHANNEL_TITLE: Final = "演示泄露频道 demo leak channel"


@dataclass(frozen=True)
class DemoReport:
    home: Path
    case_id: str
    protected: tuple[ProtectedItem, ...]
    found: tuple[QueryResult, ...]
    failures: tuple[HashFailure, ...]
    scan: ScanSummary
    leads: tuple[StoredReview, ...]
    takedown: DemoTakedown


def run_demo(settings: Settings, samples_folder: Path, *, lang: str) -> DemoReport:
    """Set up the home, protect the samples in a new case, match the found copies, scan the
    leak channel, and take the leads through to a notice, a report and a verified bundle."""
    from reclaim.identifiers import IdentifierKind
    from reclaim.services.cases import new_case
    from reclaim.services.demo_takedown import run_takedown
    from reclaim.services.home import initialize_home, open_store
    from reclaim.services.identifiers import add_case_identifiers, identifier_secret
    from reclaim.services.matching import load_bank, match_files
    from reclaim.services.protect import protect_files
    from reclaim.services.review import list_leads
    from reclaim.services.scan import ScanSource, run_scan
    from reclaim.sources.export_items import found_items
    from reclaim.sources.telegram_export import parse_export

    initialize_home(settings)
    mine, found = write_demo_files(samples_folder)
    export = write_demo_export(samples_folder / "telegram-export", found)
    engine = open_store(settings)
    try:
        case = new_case(engine, DEMO_CASE_TITLE, actor=settings.actor)
        outcomes = list(protect_files(engine, settings, case, mine, attestation=Attestation.SELF, workers=1))
        add_case_identifiers(
            engine,
            identifier_secret(settings),
            case_id=case.id,
            values={IdentifierKind.PHONE: [DEMO_PHONE]},
            actor=settings.actor,
        )
        snapshot = load_bank(engine)
        results = list(match_files(snapshot, found, settings, workers=1))
        parsed = parse_export(export)
        scan = run_scan(
            engine, settings, list(found_items(parsed)), ScanSource("telegram-export", str(export)), workers=1
        )
        leads = tuple(list_leads(engine, statuses=("pending",), case_id=case.id))
        takedown = run_takedown(engine, settings, case.id, leads, lang)
    finally:
        engine.dispose()
    return DemoReport(
        home=settings.home,
        case_id=case.id,
        protected=tuple(o for o in outcomes if isinstance(o, ProtectedItem)),
        found=tuple(r for r in results if isinstance(r, QueryResult)),
        failures=tuple(o for o in [*outcomes, *results] if isinstance(o, HashFailure)),
        scan=scan,
        leads=leads,
        takedown=takedown,
    )


def write_demo_export(folder: Path, found: list[Path]) -> Path:
    """A leak channel's Telegram Desktop export (Machine-readable JSON) holding the found copies."""
    photos = folder / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    # Posted two days ago, on the hour: a fresh leak, so the case shows the police deadline ahead.
    start = (int(time.time()) // 3600 - 48) * 3600
    texts = [
        "她的电话 一三八 1234 5678，随便打",  # her number, in the Chinese numerals leak posts use
        "广告 139-8765-4321 联系林先生",  # someone else's number
    ]
    messages: list[dict[str, object]] = []
    for number, source in enumerate(found, start=1):
        stamp = time.strftime("%d-%m-%Y_%H-%M-%S", time.gmtime(start + 60 * number))
        target = photos / f"photo_{number}@{stamp}{source.suffix}"
        target.write_bytes(source.read_bytes())
        messages.append(_demo_message(number, start + 60 * number, "", photo=f"photos/{target.name}"))
    for text in texts:
        number = len(messages) + 1
        messages.append(_demo_message(number, start + 60 * number, text))
    document = {
        "name": DEMO_CHANNEL_TITLE,
        "type": "public_channel",
        "id": DEMO_CHANNEL_ID,
        "messages": messages,
    }
    (folder / "result.json").write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


def _demo_message(number: int, unixtime: int, text: str, photo: str | None = None) -> dict[str, object]:
    from datetime import UTC, datetime

    message: dict[str, object] = {
        "id": number,
        "type": "message",
        "date": datetime.fromtimestamp(unixtime, UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "date_unixtime": str(unixtime),
        "from": DEMO_CHANNEL_TITLE,
        "from_id": f"channel{DEMO_CHANNEL_ID}",
    }
    if photo is not None:
        message.update(photo=photo, width=720, height=1280)
    message["text"] = text
    message["text_entities"] = [{"type": "plain", "text": text}] if text else []
    return message


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
