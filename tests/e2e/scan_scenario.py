"""A leak channel, its reincarnation and an unrelated channel, exported as Telegram Desktop writes them.

The victim's photo (scikit-image's astronaut) and video (vPDQ's "chair" clip) are re-shared
edited as leak channels edit them: a chat screenshot, a watermark, a border, a re-encoded video
with a bar. Her details appear obfuscated among other people's numbers and names.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image
from skimage import data

from tests import robust_edits
from tests.shared_data import CONFORMANCE
from tests.telegram_builder import ChannelExport

LEAK_ID, SUCCESSOR_ID, UNRELATED_ID = 1700000001, 1700000002, 1700000003
LEAK_TITLE, SUCCESSOR_TITLE, UNRELATED_TITLE = "面具公园", "面具公园2.0 备用", "猫咪日常"
PHONE = "13812345678"
NAME = "林小美"
PROTECTED_VIDEO = CONFORMANCE / "video" / "chair-orig-22-sd-bar.mp4"
RESHARED_VIDEO = CONFORMANCE / "video" / "chair-22-sd-grey-bar.mp4"
DECOY_VIDEO = CONFORMANCE / "video" / "pattern-sd-grey-bar.mp4"
START = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Scenario:
    protected_photo: Path
    exports: tuple[Path, Path, Path]  # leak, successor, unrelated
    # (channel id, message id, kind, signal) of every lead the scan must queue, and no other
    expected: frozenset[tuple[str, int, str, str]]


def _image(name: str) -> Image.Image:
    return Image.fromarray(getattr(data, name)()).convert("RGB")


def _save(image: Image.Image, path: Path, quality: int = 85) -> Path:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    path.write_bytes(buffer.getvalue())
    return path


def build_scenario(root: Path) -> Scenario:
    media = root / "edited"
    media.mkdir(parents=True)
    photo = _image("astronaut")
    protected = _save(photo, root / "her-photo.jpg", quality=95)
    screenshot = _save(robust_edits.screenshot(photo), media / "screenshot.jpg")
    watermarked = _save(robust_edits.watermarked(photo), media / "watermarked.jpg", quality=60)
    bordered = _save(robust_edits.bordered(photo.resize((300, 300))), media / "bordered.jpg")
    coffee = _save(_image("coffee"), media / "coffee.jpg")
    rocket = _save(_image("rocket"), media / "rocket.jpg")
    chelsea = _save(_image("chelsea"), media / "chelsea.jpg")

    leak = ChannelExport(root / "leak", LEAK_TITLE, LEAK_ID)
    leak.post(START, "新频道开张，备用 @maskpark_bak")
    leak.photo(START + timedelta(hours=1), screenshot, text="看看这个")
    leak.photo(START + timedelta(hours=2), coffee)
    leak.video(START + timedelta(hours=3), RESHARED_VIDEO)
    leak.post(START + timedelta(hours=4), f"她叫{NAME}，电话 一三八 1234 5678，随便打")
    leak.post(START + timedelta(hours=5), "广告：代办 139-8765-4321 联系林先生")
    leak.photo(START + timedelta(hours=6), None)  # left out of the export
    leak.video(START + timedelta(hours=7), DECOY_VIDEO)
    leak.photo(START + timedelta(days=2), chelsea, text="联系 t.me/maskpark_admin")

    successor_start = START + timedelta(days=5)
    successor = ChannelExport(root / "successor", SUCCESSOR_TITLE, SUCCESSOR_ID)
    successor.post(successor_start, "原频道被封，这里继续 @maskpark_bak t.me/maskpark_admin")
    successor.photo(successor_start + timedelta(hours=1), watermarked, forwarded_from=(LEAK_TITLE, LEAK_ID))
    successor.photo(successor_start + timedelta(hours=2), bordered)
    successor.photo(successor_start + timedelta(hours=3), coffee, forwarded_from=(LEAK_TITLE, LEAK_ID))
    successor.post(successor_start + timedelta(hours=4), "有事找 +86 139 0000 1111")

    unrelated = ChannelExport(root / "unrelated", UNRELATED_TITLE, UNRELATED_ID, chat_type="public_channel")
    unrelated.photo(successor_start, rocket, text="今天的猫")
    unrelated.photo(successor_start + timedelta(hours=1), chelsea)
    unrelated.post(successor_start + timedelta(hours=2), "领养请联系 林小姐 136 1111 2222")

    leak_channel, successor_channel = str(LEAK_ID), str(SUCCESSOR_ID)
    expected = frozenset(
        {
            (leak_channel, 2, "media", "pdq"),
            (leak_channel, 4, "media", "vpdq"),
            (leak_channel, 5, "identifier", "phone"),
            (leak_channel, 5, "identifier", "name"),
            (successor_channel, 2, "media", "pdq"),
            (successor_channel, 3, "media", "pdq"),
        }
    )
    return Scenario(protected, (leak.write(), successor.write(), unrelated.write()), expected)
