"""Telegram peer ids and message links, as exports of every age write them."""

from __future__ import annotations

from typing import Final

# Exports before Telegram Desktop 2.7.2 wrote peer ids as numbers with the type in the high
# 32 bits: users 1<<32 + id, groups and channels 2<<32 + id (2020 sample: 9882011936).
_LEGACY_SHIFT: Final = 32
_LEGACY_TYPES: Final = {1: "user", 2: "channel"}
# Chat types whose messages have t.me/c/<id>/<message> links (supergroups are channels).
CHANNEL_TYPES: Final = frozenset(
    {"public_channel", "private_channel", "public_supergroup", "private_supergroup"}
)


def normalize_peer_id(value: object, *, default_prefix: str = "channel") -> str | None:
    """Return a peer id as the modern ``user…``/``channel…``/``chat…`` string, or None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("peer id")
    if isinstance(value, int):
        bare, prefix = legacy_bare_id(value)
        return f"{prefix or default_prefix}{bare}"
    if isinstance(value, str) and value:
        return value
    raise ValueError("peer id")


def legacy_bare_id(value: int) -> tuple[int, str | None]:
    """Split a pre-2.7.2 shifted id into (bare id, peer type); modern ids come back unchanged."""
    shift = value >> _LEGACY_SHIFT
    if shift in _LEGACY_TYPES:
        return value & ((1 << _LEGACY_SHIFT) - 1), _LEGACY_TYPES[shift]
    return value, None


def message_url(chat_type: str, chat_id: int, message_id: int, username: str | None = None) -> str | None:
    """Link to a message: t.me/<username>/<id>, else t.me/c/<channel id>/<id> for channels."""
    if username:
        return f"https://t.me/{username.lstrip('@')}/{message_id}"
    if chat_type in CHANNEL_TYPES:
        return f"https://t.me/c/{chat_id}/{message_id}"
    return None
