"""What an evidence log entry says: a sighting of content online, or a chain-of-custody event.

Entries are plain dicts written as canonical JSON (``reclaim.evidence.canonical``): times as
ISO 8601 UTC text, counts as integers, never floats. Their fields are a contract with every
verifier of a bundle, so they change only with a new ``version``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final
from urllib.parse import urlsplit

from reclaim.errors import N_, UserInputError

ENTRY_VERSION: Final = 1
MAX_URL_LENGTH: Final = 2048
MAX_NOTE_LENGTH: Final = 4000
_TELEGRAM_HOSTS: Final = frozenset({"t.me", "www.t.me", "telegram.me", "www.telegram.me", "telegram.dog"})
# Telegram public usernames: 4-32 letters, digits and underscores (5 for new ones; old ones are shorter).
_TELEGRAM_NAME: Final = re.compile(r"^[A-Za-z0-9_]{4,32}$")
_DIGITS: Final = re.compile(r"^[0-9]{1,19}$")


class CustodyEvent(StrEnum):
    """Chain-of-custody events; each is an entry of the case's own log."""

    CREATED = "created"  # the log was opened, under this installation's key
    EXPORTED = "exported"  # a bundle was made
    SHARED = "shared"  # a bundle or report was handed to someone
    WITHDRAWN = "withdrawn"  # she withdrew the case; its captures were deleted


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where content was seen, as far as the URL tells."""

    url: str
    platform: str  # "telegram" or "web"
    channel: str | None  # a public username
    channel_id: str | None  # a private channel's number (t.me/c/<id>/<msg>)
    message_id: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "platform": self.platform,
            "channel": self.channel,
            "channel_id": self.channel_id,
            "message_id": self.message_id,
        }


def parse_source_url(url: str) -> SourceRef:
    """Platform, channel and message from a URL; t.me links are understood in their three forms."""
    text = url.strip()
    if len(text) > MAX_URL_LENGTH:
        raise UserInputError(N_("The URL is longer than {limit} characters."), limit=MAX_URL_LENGTH)
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError:
        host, parts = "", None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not host
        or any(c.isspace() for c in text)
    ):
        raise UserInputError(
            N_("{url} is not a web address."),
            hint=N_("Give the address as the browser shows it, such as https://t.me/channel/123."),
            url=url,
        )
    if host not in _TELEGRAM_HOSTS:
        return SourceRef(text, "web", None, None, None)
    segments = [segment for segment in parts.path.split("/") if segment]
    channel = channel_id = message_id = None
    if (
        len(segments) >= 3
        and segments[0] == "c"
        and _DIGITS.match(segments[1])
        and _DIGITS.match(segments[2])
    ):
        channel_id, message_id = segments[1], segments[2]
    elif len(segments) >= 2 and segments[0] == "s" and _TELEGRAM_NAME.match(segments[1]):
        channel = segments[1]
        message_id = segments[2] if len(segments) >= 3 and _DIGITS.match(segments[2]) else None
    elif segments and _TELEGRAM_NAME.match(segments[0]):
        channel = segments[0]
        message_id = segments[1] if len(segments) >= 2 and _DIGITS.match(segments[1]) else None
    return SourceRef(text, "telegram", channel, channel_id, message_id)


def parse_seen_at(text: str, now: datetime) -> datetime:
    """An ISO 8601 time with its zone, not in the future; naive times are refused, not guessed."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserInputError(
            N_("{value} is not an ISO 8601 time."),
            hint=N_("Write it like 2026-11-25T21:30+08:00 (with the time zone)."),
            value=text,
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise UserInputError(
            N_("{value} has no time zone, so the moment it names is unclear."),
            hint=N_("Add the zone, such as +08:00 for China or Z for UTC."),
            value=text,
        )
    if value > now:
        raise UserInputError(N_("{value} is in the future."), value=text)
    return value.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """A UTC time as ISO 8601 text with milliseconds and a Z, as entries write it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_entry_time(value: object) -> datetime | None:
    """A time an entry holds (as ``iso_utc`` writes it, or any ISO 8601), in UTC; None when absent
    or unreadable. A time without a zone is taken as UTC, as entries' times are."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def sighting_entry(
    *,
    case_id: str,
    installation_id: str,
    recorded_by: str,
    recorded_at: datetime,
    source: SourceRef,
    seen_at: datetime | None,
    capture: dict[str, Any] | None,
    note: str | None,
    archive: dict[str, Any] | None = None,
    match: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A sighting: where and when content was seen, who recorded it, and the capture's digests.

    ``archive`` is the web capture: its digests when the page was archived, or the reason when
    the attempt failed (recorded as an attempt, with no digest, never as evidence).
    """
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise UserInputError(N_("The note is longer than {limit} characters."), limit=MAX_NOTE_LENGTH)
    return {
        "type": "sighting",
        "version": ENTRY_VERSION,
        "case_id": case_id,
        "installation_id": installation_id,
        "recorded_by": recorded_by,
        "recorded_at": iso_utc(recorded_at),
        "seen_at": iso_utc(seen_at) if seen_at else None,
        "source": source.to_json(),
        "capture": capture,
        "archive": archive,
        "note": note,
        "match": match,
    }


def custody_entry(
    *,
    event: CustodyEvent,
    case_id: str,
    installation_id: str,
    by: str,
    at: datetime,
    detail: dict[str, Any],
) -> dict[str, Any]:
    """A chain-of-custody event: who did what with the evidence, when."""
    return {
        "type": "custody",
        "version": ENTRY_VERSION,
        "event": event.value,
        "case_id": case_id,
        "installation_id": installation_id,
        "by": by,
        "at": iso_utc(at),
        "detail": detail,
    }
