"""A full-page screenshot of a web page with the system's Chromium, headless, stamped with its time.

The Berkeley Protocol names a full-page capture with date and time, beside the URL and the HTML
source, as the minimum for court. Chromium is driven by Playwright's Python package through
``executable_path`` (no browser is downloaded), in a fresh in-memory browser context, so the
page's cookies and cache are not kept. Without Chromium on PATH the screenshot is simply not
taken; a screenshot that fails raises ScreenshotFailed with the reason. The caller records
either as an attempt, never as evidence.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from reclaim.evidence.entries import iso_utc
from reclaim.evidence.stamp import stamp_screenshot

BROWSERS: Final = ("chromium", "chromium-browser", "google-chrome")
VIEWPORT_WIDTH: Final = 1280
VIEWPORT_HEIGHT: Final = 800
MAX_HEIGHT: Final = 20_000  # taller pages are cut here (and the record says so)
TIMEOUT_MS: Final = 20_000


@dataclass(frozen=True, slots=True)
class Screenshot:
    png: bytes  # stamped
    taken_at: datetime
    width: int
    height: int
    page_height: int  # of the whole page, in CSS pixels, before the stamp
    truncated: bool
    browser: str


class ScreenshotUnavailable(Exception):  # noqa: N818 - an outcome, recorded as such
    """No screenshot can be taken here (no Chromium, no Playwright); ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ScreenshotFailed(Exception):  # noqa: N818
    """Chromium was there but the screenshot failed; ``reason`` says why, for the record."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def find_chromium() -> str | None:
    """The first Chromium on PATH, or None."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found is not None:
            return found
    return None


def take_screenshot(url: str) -> Screenshot:
    """A stamped full-page PNG of ``url``; raises ScreenshotUnavailable or ScreenshotFailed."""
    executable = find_chromium()
    if executable is None:
        raise ScreenshotUnavailable(f"no Chromium on PATH ({', '.join(BROWSERS)})")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ScreenshotUnavailable("the playwright Python package is not installed") from None
    # Chromium's sandbox cannot start as root (its setuid/namespace sandbox refuses to), as in a
    # container; only then is it turned off. Playwright adds --no-sandbox unless asked for the sandbox.
    sandbox = os.geteuid() != 0
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, chromium_sandbox=sandbox, timeout=TIMEOUT_MS
            )
            try:
                context = browser.new_context(
                    viewport={"width": VIEWPORT_WIDTH, "height": VIEWPORT_HEIGHT}, service_workers="block"
                )
                page = context.new_page()
                page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
                page_height = int(
                    page.evaluate(
                        "Math.max(document.documentElement.scrollHeight,"
                        " document.body ? document.body.scrollHeight : 0)"
                    )
                )
                truncated = page_height > MAX_HEIGHT
                taken_at = datetime.now(UTC)
                raw = page.screenshot(
                    full_page=True,
                    timeout=TIMEOUT_MS,
                    clip={"x": 0, "y": 0, "width": VIEWPORT_WIDTH, "height": MAX_HEIGHT}
                    if truncated
                    else None,
                )
                version = browser.version
            finally:
                browser.close()
    except (PlaywrightError, OSError) as error:
        raise ScreenshotFailed((str(error).strip().splitlines() or ["Chromium failed"])[0][:500]) from None
    try:
        png, width, height = stamp_screenshot(raw, url=url, taken_at=iso_utc(taken_at))
    except (OSError, ValueError) as error:
        raise ScreenshotFailed(f"the screenshot could not be read: {error}"[:500]) from None
    return Screenshot(png, taken_at, width, height, page_height, truncated, f"Chromium {version}")
