"""Normalizers give one canonical string per identifier and refuse what is not one."""

from __future__ import annotations

import pytest

from reclaim.errors import IdentifierError
from reclaim.identifiers import (
    fold_text,
    fold_text_with_offsets,
    normalize_cn_resident_id,
    normalize_email,
    normalize_handle,
    normalize_name,
    normalize_phone,
)

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def check_char(base: str) -> str:
    """ISO 7064 MOD 11-2, computed independently of the library."""
    total = 0
    for digit, weight in zip(base, WEIGHTS, strict=True):
        total += int(digit) * weight
    return "10X98765432"[total % 11]


BASE = "11010519491231002"
VALID_ID = BASE + check_char(BASE)


@pytest.mark.parametrize(
    "written",
    [
        "13812345678",
        "138 1234 5678",
        "+86-138-1234-5678",
        "0086 13812345678",
        "１３８１２３４５６７８",
        "一三八一二三四五六七八",
    ],
)
def test_phone_numbers_become_e164(written: str) -> None:
    assert normalize_phone(written) == "+8613812345678"


def test_a_phone_outside_china_keeps_its_country() -> None:
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"
    assert normalize_phone("020 7946 0958", default_region="GB") == "+442079460958"


@pytest.mark.parametrize("value", ["", "hello", "12345", "+86 999"])
def test_what_is_not_a_phone_number_is_refused(value: str) -> None:
    with pytest.raises(IdentifierError):
        normalize_phone(value)


def test_resident_id_with_a_valid_check_digit() -> None:
    assert VALID_ID == "11010519491231002X"  # the well-known sample number
    assert normalize_cn_resident_id(VALID_ID.lower()) == VALID_ID
    assert normalize_cn_resident_id(f" {VALID_ID[:6]} {VALID_ID[6:14]} {VALID_ID[14:]} ") == VALID_ID


def test_resident_id_x_is_uppercase() -> None:
    base = next(f"1101051990010100{n}" for n in range(10) if check_char(f"1101051990010100{n}") == "X")
    assert normalize_cn_resident_id(base + "x") == base + "X"


def test_resident_id_with_a_wrong_check_digit_is_refused() -> None:
    wrong = "0" if VALID_ID[-1] != "0" else "1"
    with pytest.raises(IdentifierError, match="check digit"):
        normalize_cn_resident_id(BASE + wrong)


@pytest.mark.parametrize("value", ["", "1234", BASE, BASE + "Y", BASE + "12"])
def test_resident_id_of_the_wrong_shape_is_refused(value: str) -> None:
    with pytest.raises(IdentifierError):
        normalize_cn_resident_id(value)


def test_email_is_lowercase_and_stripped() -> None:
    assert normalize_email("  Xiao.Mei@Example.COM ") == "xiao.mei@example.com"
    with pytest.raises(IdentifierError):
        normalize_email("not an address")


def test_handles_lose_at_sign_case_and_separators() -> None:
    assert normalize_handle("@Mask_Park") == normalize_handle("maskpark") == "maskpark"
    assert normalize_handle("mask.park-") == "maskpark"
    assert normalize_handle("https://t.me/Mask_Park") == "maskpark"
    with pytest.raises(IdentifierError):
        normalize_handle("@_")


def test_names_lose_whitespace_and_case() -> None:
    assert normalize_name(" 张 小梅 ") == "张小梅"
    assert normalize_name("John  Smith") == "johnsmith"
    assert normalize_name("Ｊｏｈｎ") == "john"
    with pytest.raises(IdentifierError):
        normalize_name("   ")


def test_fold_text_makes_digits_ascii() -> None:
    assert fold_text("电话：１３８－一二三四－伍陆柒捌，幺两") == "电话:138-1234-5678,12"


def test_fold_text_keeps_offsets_into_the_original() -> None:
    original = "ｘ一ﬁ"  # the ligature ﬁ folds to two characters
    folded = fold_text_with_offsets(original)
    assert folded.text == "x1fi"
    assert folded.original_span(2, 4) == (2, 3)
    assert folded.original_span(0, 2) == (0, 2)
