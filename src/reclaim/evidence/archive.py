"""Web captures as WARC (ISO 28500), the format of web archives and the Bellingcat auto-archiver.

A page and the images it shows become one gzipped WARC file: a ``warcinfo`` record, then a
``request`` and a ``response`` record per fetched URL, with the HTTP status and headers as the
server sent them. Fetching is done elsewhere (``reclaim.services.web_capture``); this module only
finds what a page shows and writes the records, so it needs no network to test.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Final
from urllib.parse import urljoin, urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

MAX_RESOURCES: Final = 50
# Telegram's web preview (t.me/s/...) shows photos as CSS backgrounds, not <img> elements.
_CSS_URL: Final = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


@dataclass(frozen=True, slots=True)
class FetchedResource:
    """One HTTP exchange as it happened: what was asked, what came back."""

    url: str
    status: int
    reason: str
    headers: Sequence[tuple[str, str]]
    body: bytes
    fetched_at: datetime


def resource_urls(page_url: str, html: bytes) -> list[str]:
    """Absolute http(s) URLs of the images a page shows (<img src>, srcset, og:image, CSS backgrounds)."""
    parser = _ImageFinder()
    try:
        parser.feed(html.decode("utf-8", errors="replace"))
        parser.close()
    except (ValueError, AssertionError):
        pass  # a malformed page still yields whatever was found before the damage
    found: list[str] = []
    for reference in parser.references:
        absolute = urljoin(page_url, reference.strip())
        if urlsplit(absolute).scheme in ("http", "https") and absolute not in found:
            found.append(absolute)
        if len(found) >= MAX_RESOURCES:
            break
    return found


def write_warc(resources: Sequence[FetchedResource], *, software: str) -> bytes:
    """The exchanges as a gzipped WARC file, page first."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    info = writer.create_warcinfo_record(
        "capture.warc.gz",
        {"software": software, "format": "WARC File Format 1.0", "isPartOf": "reclaim evidence capture"},
    )
    writer.write_record(info)
    for resource in resources:
        date = _warc_date(resource.fetched_at)
        split = urlsplit(resource.url)
        path = (split.path or "/") + (f"?{split.query}" if split.query else "")
        request_headers = StatusAndHeaders(
            f"GET {path} HTTP/1.1", [("Host", split.netloc)], is_http_request=True
        )
        request = writer.create_warc_record(
            resource.url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=request_headers,
            warc_headers_dict={"WARC-Date": date},
        )
        http_headers = StatusAndHeaders(
            f"{resource.status} {resource.reason}", list(resource.headers), protocol="HTTP/1.1"
        )
        response = writer.create_warc_record(
            resource.url,
            "response",
            payload=io.BytesIO(resource.body),
            length=len(resource.body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_record(request)
        writer.write_record(response)
    return buffer.getvalue()


def _warc_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _ImageFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.references: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "img":
            if values.get("src"):
                self.references.append(values["src"])
            for candidate in values.get("srcset", "").split(","):
                if candidate.strip():
                    self.references.append(candidate.strip().split()[0])
        if (
            tag == "meta"
            and values.get("property") in ("og:image", "twitter:image")
            and values.get("content")
        ):
            self.references.append(values["content"])
        if values.get("style"):
            self.references.extend(_CSS_URL.findall(values["style"]))
