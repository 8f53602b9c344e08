"""The handles and links a message mentions, normalized so that two channels' mentions compare equal.

Leak channels advertise their backups and admins ("备用频道 @maskpark_bak", "t.me/+AbCd..."), and
a successor keeps mentioning what its predecessor did. The scan keys these before storing them
(a handle may be a victim's), so the network compares keyed digests, never the names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Final
from urllib.parse import urlsplit

# @name and t.me/name (also telegram.me, telegram.dog); Telegram usernames are 4-32 characters.
_HANDLE: Final = re.compile(
    r"(?:(?<![A-Za-z0-9_.\-])@|(?<![A-Za-z0-9])(?:https?://)?(?:www\.)?(?:t|telegram)\.(?:me|dog)/)"
    r"([A-Za-z][A-Za-z0-9_]{3,31})(?![A-Za-z0-9_])",
    re.IGNORECASE,
)
# Paths of t.me that are not a channel's name.
_NOT_HANDLES: Final = frozenset({"c", "s", "joinchat", "addstickers", "share", "proxy", "socks", "iv"})
_INVITE: Final = re.compile(r"(?:t|telegram)\.(?:me|dog)/(?:joinchat/|\+)([A-Za-z0-9_\-]{8,})", re.IGNORECASE)
_URL: Final = re.compile(r"https?://[^\s<>\"'，。！？、）)】]+", re.IGNORECASE)


def mentioned_handles(text: str) -> frozenset[str]:
    """Usernames a text mentions as @name or a t.me link, lowercase, without @."""
    folded = unicodedata.normalize("NFKC", text)
    return frozenset(
        match.group(1).lower()
        for match in _HANDLE.finditer(folded)
        if match.group(1).lower() not in _NOT_HANDLES
    )


def mentioned_links(text: str, links: Iterable[str] = ()) -> frozenset[str]:
    """Web addresses a text holds or links to (entity hrefs), as host + path, lowercase host.

    Telegram invite links keep their code (case matters there); a plain t.me/name link counts as
    a handle instead, so it is left out here.
    """
    folded = unicodedata.normalize("NFKC", text)
    found: set[str] = set()
    for invite in _INVITE.finditer(folded):
        found.add(f"t.me/+{invite.group(1)}")
    for raw in [*_URL.findall(folded), *links]:
        normalized = _normalized_url(raw)
        if normalized is not None:
            found.add(normalized)
    return frozenset(found)


def _normalized_url(raw: str) -> str | None:
    text = raw.strip().rstrip(".,;:!?")
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower().removeprefix("www.")
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    if host in {"t.me", "telegram.me", "telegram.dog"}:
        invite = _INVITE.search(f"t.me{parts.path}")
        return f"t.me/+{invite.group(1)}" if invite else None
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")
