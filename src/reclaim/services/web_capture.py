"""Fetch a page and the images it shows for a WARC capture, within limits, over plain HTTP(S).

A public Telegram post's web preview (``t.me/s/<channel>/<id>``) and most forum pages are plain
HTML, so no browser is needed for them. A page that cannot be fetched raises CaptureFailed with
the reason, which the caller records as a failed attempt, never as evidence.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from typing import Final

from reclaim import __version__
from reclaim.evidence.archive import FetchedResource, resource_urls, write_warc

USER_AGENT: Final = f"Reclaim/{__version__} (evidence capture)"


@dataclass(frozen=True, slots=True)
class CaptureLimits:
    timeout_s: float = 20.0
    max_page_bytes: int = 20 * 1024**2
    max_resource_bytes: int = 20 * 1024**2
    max_total_bytes: int = 200 * 1024**2


@dataclass(frozen=True, slots=True)
class WebCapture:
    warc: bytes
    page_status: int
    resources: int  # images archived with the page
    failed_resources: int


class CaptureFailed(Exception):  # noqa: N818 - an outcome, recorded as such, more than an error
    """The page itself could not be fetched; ``reason`` says why, in words for the record."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def capture_page(url: str, limits: CaptureLimits | None = None) -> WebCapture:
    """The page at ``url`` and the images it shows, as a WARC file."""
    limits = limits or CaptureLimits()
    page = _fetch(url, limits, limits.max_page_bytes)
    if page.status >= 400:
        raise CaptureFailed(f"HTTP {page.status} {page.reason}".strip())
    resources = [page]
    failed = 0
    total = len(page.body)
    content_type = dict((k.lower(), v) for k, v in page.headers).get("content-type", "")
    references = resource_urls(url, page.body) if "html" in content_type.lower() else []
    for reference in references:
        try:
            resource = _fetch(
                reference, limits, min(limits.max_resource_bytes, limits.max_total_bytes - total)
            )
        except CaptureFailed:
            failed += 1
            continue
        total += len(resource.body)
        resources.append(resource)
        if resource.status >= 400:
            failed += 1
    return WebCapture(
        warc=write_warc(resources, software=USER_AGENT),
        page_status=page.status,
        resources=len(resources) - 1 - sum(1 for r in resources[1:] if r.status >= 400),
        failed_resources=failed,
    )


def _fetch(url: str, limits: CaptureLimits, max_bytes: int) -> FetchedResource:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    fetched_at = datetime.now(UTC)
    try:
        with urllib.request.urlopen(request, timeout=limits.timeout_s) as response:
            body = response.read(max_bytes + 1)
            status, reason, headers = response.status, response.reason, response.headers
    except urllib.error.HTTPError as error:
        # An error page is part of what happened: it goes into the WARC as the server sent it.
        body = error.read(max_bytes + 1) if error.fp is not None else b""
        status, reason, headers = error.code, str(error.reason), error.headers
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason_text = getattr(error, "reason", None) or error
        raise CaptureFailed(f"cannot fetch {url}: {reason_text}") from None
    if len(body) > max_bytes:
        raise CaptureFailed(f"{url} is larger than {max_bytes} bytes")
    return FetchedResource(url, status, reason or "", _header_pairs(headers), body, fetched_at)


def _header_pairs(headers: Message | None) -> list[tuple[str, str]]:
    return [(name, str(value)) for name, value in headers.items()] if headers is not None else []
