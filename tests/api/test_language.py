"""Accept-Language picks the reader's language by q-value; anything else reads English."""

from __future__ import annotations

import pytest

from reclaim.api.language import preferred_language


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("en;q=0.5, zh-Hans;q=0.9", "zh"),
        ("fr-FR,fr;q=0.9", "en"),
        ("zh;q=0, en", "en"),
        ("*", "en"),
        ("zh;q=abc", "en"),
        ("", "en"),
    ],
)
def test_preferred_language(header: str, language: str) -> None:
    assert preferred_language(header) == language
