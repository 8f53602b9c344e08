"""The HTML report: one file that needs nothing else, holds the same facts, and escapes strangers' text."""

from __future__ import annotations

import base64
import re

from reclaim.locale import load_translator
from reclaim.reports.compose import compose_report
from reclaim.reports.html import render_html
from tests.reports.pdf_checks import is_sharp_copy, open_image
from tests.reports.sample_content import ASTRONAUT_SHA, COFFEE_SHA, jpeg, sample_content, sighting


def test_html_is_one_self_contained_file_with_blurred_inline_thumbnails() -> None:
    page = render_html(compose_report(sample_content(), load_translator("zh")))

    sources = re.findall(r'<img src="([^"]+)"', page)
    assert len(sources) == 2 and all(src.startswith("data:image/jpeg;base64,") for src in sources)
    capture = open_image(jpeg("astronaut"))
    assert not any(
        is_sharp_copy(open_image(base64.b64decode(src.split(",", 1)[1])), capture) for src in sources
    )
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r'(?:src|href)="(?:https?:|file:|//)', page)  # nothing loads from elsewhere
    for needle in ("小美", ASTRONAUT_SHA, COFFEE_SHA, "https://t.me/xiaomei_leaks_2026/77", "RCL-k7m2x9pq-2"):
        assert needle in page
    assert '<html lang="zh-Hans-CN">' in page


def test_text_written_by_strangers_is_escaped() -> None:
    hostile = sighting(
        1,
        channel_title='<img src="https://tracker.example/x.png"><script>alert(1)</script>',
        note="</td></tr></table><h1>forged</h1>",
    )
    page = render_html(compose_report(sample_content(sightings=(hostile,)), load_translator("en")))

    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<h1>forged</h1>" not in page
    assert 'src="https://tracker.example' not in page
