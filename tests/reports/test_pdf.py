"""The PDF as poppler reads it: its text, its fonts (all embedded) and its images (none sharp)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reclaim.errors import ReclaimError
from reclaim.locale import load_translator
from reclaim.reports import fonts
from reclaim.reports.compose import compose_report
from reclaim.reports.pdf import render_pdf
from tests.reports.pdf_checks import (
    high_frequency_ratio,
    is_sharp_copy,
    open_image,
    pdf_fonts,
    pdf_images,
    pdf_text,
    squeezed,
)
from tests.reports.sample_content import ASTRONAUT_SHA, COFFEE_SHA, jpeg, sample_content, sharp_thumbnail


def write_pdf(tmp_path: Path, lang: str, **changes: object) -> Path:
    path = tmp_path / f"report-{lang}.pdf"
    path.write_bytes(render_pdf(compose_report(sample_content(**changes), load_translator(lang))))  # type: ignore[arg-type]
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_text_holds_the_case_name_every_link_and_hash_in_fonts_all_embedded(
    tmp_path: Path, lang: str
) -> None:
    pdf = write_pdf(tmp_path, lang)
    text = squeezed(pdf_text(pdf))

    assert "小美" in text
    for url in (
        "https://t.me/c/1234567890/101",
        "https://t.me/xiaomei_leaks_2026/77",
        "https://t.me/c/1234567890/103",
    ):
        assert url in text
    assert ASTRONAUT_SHA in text and COFFEE_SHA in text
    assert ("证据报告" if lang == "zh" else "Evidencereport") in text
    found = pdf_fonts(pdf)
    assert found and all(font.embedded for font in found), found
    assert any("CJK" in font.name for font in found)  # the Chinese is drawn by a CJK font, not boxes


def test_no_image_in_the_pdf_is_a_sharp_copy_of_a_capture(tmp_path: Path) -> None:
    captures = [open_image(jpeg("astronaut")), open_image(jpeg("coffee"))]
    images = pdf_images(write_pdf(tmp_path, "zh"), tmp_path / "images")

    assert len(images) == 2  # one thumbnail per picture capture; none for the possible minor
    for image in images:
        assert max(image.size) <= 256
        for capture in captures:
            assert not is_sharp_copy(image, capture), high_frequency_ratio(image, capture)


def test_the_sharpness_check_catches_a_sharp_copy_in_a_pdf(tmp_path: Path) -> None:
    capture = jpeg("astronaut")
    images = pdf_images(write_pdf(tmp_path, "en", thumbnail_of=sharp_thumbnail(capture)), tmp_path / "images")

    assert any(is_sharp_copy(image, open_image(capture)) for image in images)


def test_a_chinese_report_refuses_to_render_without_a_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "installed_cjk_family", lambda: None)
    document = compose_report(sample_content(), load_translator("zh"))

    with pytest.raises(ReclaimError) as raised:
        render_pdf(document)
    assert "fonts-noto-cjk" in (raised.value.hint or "")
