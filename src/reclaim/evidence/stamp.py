"""Stamp a page screenshot with the URL and the capture time, so the picture itself carries them.

The stamp is a white band added above the page (nothing of the page is covered) with two kinds
of line in black: the capture time in UTC (ISO 8601) and the URL, wrapped to the image's width.
The same two values go into the PNG's text chunks, for tools that read metadata.
"""

from __future__ import annotations

import io
import textwrap
from typing import Final

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

FONT_SIZE: Final = 16
LINE_HEIGHT: Final = 22
MARGIN: Final = 8
MAX_URL_LINES: Final = 4


def stamp_screenshot(png: bytes, *, url: str, taken_at: str) -> tuple[bytes, int, int]:
    """(the stamped PNG, its width, its height) for a screenshot of ``url`` taken at ``taken_at``."""
    with Image.open(io.BytesIO(png)) as page:
        page.load()
        rgb = page.convert("RGB")
    font = ImageFont.load_default(size=FONT_SIZE)
    characters = max(20, (rgb.width - 2 * MARGIN) // (FONT_SIZE // 2 + 1))
    url_lines = textwrap.wrap(url, characters, break_long_words=True, break_on_hyphens=False)
    if len(url_lines) > MAX_URL_LINES:
        url_lines = [*url_lines[: MAX_URL_LINES - 1], url_lines[MAX_URL_LINES - 1][:-1] + "…"]
    lines = [f"Captured {taken_at} (UTC) by Reclaim", *url_lines]
    band = 2 * MARGIN + LINE_HEIGHT * len(lines)
    stamped = Image.new("RGB", (rgb.width, rgb.height + band), (255, 255, 255))
    stamped.paste(rgb, (0, band))
    draw = ImageDraw.Draw(stamped)
    for number, line in enumerate(lines):
        draw.text((MARGIN, MARGIN + number * LINE_HEIGHT), line, fill=(0, 0, 0), font=font)
    draw.line([(0, band - 1), (rgb.width, band - 1)], fill=(0, 0, 0), width=1)
    metadata = PngInfo()
    metadata.add_itxt("URL", url)
    metadata.add_itxt("Creation Time", taken_at)
    metadata.add_itxt("Software", "Reclaim (headless Chromium)")
    buffer = io.BytesIO()
    stamped.save(buffer, "PNG", pnginfo=metadata, optimize=False)
    return buffer.getvalue(), stamped.width, stamped.height
