"""A case's report facts built by hand: three sightings (one may show a minor), two notices.

The notices are records of the shape ``reclaim.store.notices`` keeps, so the report's notice
section is tested on what it will be given, through ``NoticeFacts.from_record``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from PIL import Image
from skimage import data

from reclaim.reports.content import NoticeFacts, ReportContent, SightingFacts, TreeHeadFacts
from reclaim.services.evidence import blurred_thumbnail

FIRST_SEEN = datetime(2026, 3, 31, 8, 0, tzinfo=UTC)
MADE = datetime(2026, 4, 20, 9, 30, tzinfo=UTC)
ASTRONAUT_SHA = "a1" * 32
COFFEE_SHA = "c0" * 32


class Status(StrEnum):
    SENT = "sent"
    REMOVED = "removed"


@dataclass(frozen=True)
class StoredNotice:
    """The fields of the store's NoticeRecord that a report reads (and one it must ignore)."""

    id: str
    case_id: str
    platform: str
    route: str
    status: Status
    created_at: datetime
    sent_at: datetime | None
    due_at: datetime
    closed_at: datetime | None
    sighting_leaves: list[int]
    escalated_from: str | None
    text: str = "the notice text, which holds her identity and never goes into a report"
    lang: str = "zh"
    events: tuple[object, ...] = field(default=())

    @property
    def reference(self) -> str:
        return self.id


def jpeg(name: str, size: tuple[int, int] = (480, 360)) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(getattr(data, name)()).convert("RGB").resize(size).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def sharp_thumbnail(capture: bytes) -> bytes:
    """What a careless report would embed: the capture merely made smaller."""
    with Image.open(io.BytesIO(capture)) as image:
        small = image.convert("RGB")
        small.thumbnail((256, 256))
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def sighting(index: int, **changes: object) -> SightingFacts:
    base = SightingFacts(
        leaf_index=index,
        seen_at=FIRST_SEEN + timedelta(days=index - 1),
        recorded_at=FIRST_SEEN + timedelta(days=index - 1, minutes=7),
        recorded_by="helpline-wang",
        platform="telegram",
        url=f"https://t.me/c/1234567890/{100 + index}",
        channel=None,
        channel_id="1234567890",
        channel_title="小美 合集 <b>leak</b>",
        message_id=str(100 + index),
        sender=None,
        leaf_hash=f"{index:02d}" * 32,
        capture_sha256=None,
        capture_kind=None,
        archive_sha256=None,
        screenshot_sha256=None,
        note=None,
        possible_minor=False,
        thumbnail=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def sample_content(*, thumbnail_of: bytes | None = None, **changes: object) -> ReportContent:
    """The sample case; ``thumbnail_of`` replaces the first sighting's blurred thumbnail."""
    astronaut = jpeg("astronaut")
    sightings = (
        sighting(
            1,
            capture_sha256=ASTRONAUT_SHA,
            capture_kind="image",
            thumbnail=thumbnail_of if thumbnail_of is not None else blurred_thumbnail(astronaut),
            note="频道在新闻报道后被删除",
        ),
        sighting(
            2,
            url="https://t.me/xiaomei_leaks_2026/77",
            channel="xiaomei_leaks_2026",
            channel_id=None,
            message_id="77",
            sender="user5550001",
            capture_sha256=COFFEE_SHA,
            capture_kind="image",
            thumbnail=blurred_thumbnail(jpeg("coffee")),
        ),
        sighting(3, possible_minor=True, url="https://t.me/c/1234567890/103"),
    )
    notices = (
        StoredNotice(
            "RCL-k7m2x9pq-1",
            "k7m2x9pq",
            "telegram",
            "telegram-in-app",
            Status.REMOVED,
            FIRST_SEEN,
            FIRST_SEEN + timedelta(hours=2),
            FIRST_SEEN + timedelta(days=2),
            FIRST_SEEN + timedelta(days=1),
            [1],
            None,
        ),
        StoredNotice(
            "RCL-k7m2x9pq-2",
            "k7m2x9pq",
            "telegram",
            "abuse@telegram.org",
            Status.SENT,
            FIRST_SEEN + timedelta(days=2),
            FIRST_SEEN + timedelta(days=2),
            FIRST_SEEN + timedelta(days=4),
            None,
            [2],
            "RCL-k7m2x9pq-1",
        ),
    )
    content = ReportContent(
        case_id="k7m2x9pq",
        display_name="小美",
        case_opened_at=FIRST_SEEN - timedelta(days=1),
        generated_at=MADE,
        generated_by="helpline-wang",
        tool_version="0.1.0",
        installation_id="installation-1",
        key_fingerprint="f1" * 32,
        public_key="0b" * 32,
        head=TreeHeadFacts(5, "e7" * 32, FIRST_SEEN + timedelta(days=3), True, True),
        sightings=sightings,
        notices=tuple(NoticeFacts.from_record(notice) for notice in notices),
        child_protection_routes=(("12377", "https://www.12377.cn"), ("IWF", "https://report.iwf.org.uk")),
    )
    return replace(content, **changes)  # type: ignore[arg-type]
