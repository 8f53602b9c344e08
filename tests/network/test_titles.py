"""Title similarity sees through version and backup decorations, in Chinese and in English."""

from __future__ import annotations

import pytest

from reclaim.network import title_core, title_similarity


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("面具公园", "面具公园2.0 备用"),
        ("面具公园", "【官方】面具公园 新群 🎭"),
        ("Mask Park", "Mask Park Backup"),
        ("Mask Park", "MASK PARK 2.0 (new official channel)"),
        ("面具公园", "面具公园３"),  # full-width digit folds under NFKC
    ],
)
def test_decorated_copies_score_high(left: str, right: str) -> None:
    assert title_similarity(left, right) >= 0.9


@pytest.mark.parametrize(
    ("left", "right"),
    [("面具公园", "天气预报频道"), ("Mask Park", "Weather Report"), ("面具公园", "")],
)
def test_unrelated_titles_score_low(left: str, right: str) -> None:
    assert title_similarity(left, right) <= 0.2


def test_similarity_is_symmetric_and_bounded() -> None:
    forward = title_similarity("面具公园粉丝", "面具公园")
    assert forward == title_similarity("面具公园", "面具公园粉丝")
    assert 0.0 < forward < 1.0


def test_core_drops_decorations_but_keeps_latin_words_that_contain_them() -> None:
    assert title_core("面具公园2.0 备用") == "面具公园"
    assert title_core("Mask Park Backup") == "maskpark"
    assert title_core("Newton Channel") == "newton"
