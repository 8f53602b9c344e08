"""Protected identifiers are found in message text however they are written, and nothing else is."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reclaim.identifiers import (
    IdentifierKind,
    ProtectedIdentifier,
    find_identifiers,
    normalize_cn_resident_id,
    normalize_email,
    normalize_handle,
    normalize_name,
    normalize_phone,
    protect,
)

SECRET = b"k" * 32
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def check_char(base: str) -> str:
    total = 0
    for digit, weight in zip(base, WEIGHTS, strict=True):
        total += int(digit) * weight
    return "10X98765432"[total % 11]


VALID_ID = "11010519491231002" + check_char("11010519491231002")


def protected(kind: IdentifierKind, normalized: str) -> ProtectedIdentifier:
    return ProtectedIdentifier(kind, protect(kind, normalized, SECRET))


PHONE = protected(IdentifierKind.PHONE, normalize_phone("13812345678"))
ID_NUMBER = protected(IdentifierKind.ID_NUMBER, normalize_cn_resident_id(VALID_ID))
EMAIL = protected(IdentifierKind.EMAIL, normalize_email("xiaomei@example.com"))
HANDLE = protected(IdentifierKind.HANDLE, normalize_handle("maskpark"))
NAME = protected(IdentifierKind.NAME, normalize_name("张小梅"))
LATIN_NAME = protected(IdentifierKind.NAME, normalize_name("Mei Zhang"))
ALL = [PHONE, ID_NUMBER, EMAIL, HANDLE, NAME, LATIN_NAME]


def spans(text: str, identifier: ProtectedIdentifier) -> list[str]:
    """The original text under each hit of ``identifier``."""
    return [
        text[hit.start : hit.end]
        for hit in find_identifiers(text, ALL, SECRET)
        if hit.kind == identifier.kind and hit.digest == identifier.digest
    ]


def test_stored_identifiers_hold_no_plaintext() -> None:
    for identifier in ALL:
        assert len(identifier.digest) == 32
        for plain in ("13812345678", VALID_ID, "xiaomei", "maskpark", "张小梅", "mei"):
            assert plain not in repr(identifier)
            assert plain.encode() not in identifier.digest


def test_the_key_matters() -> None:
    assert find_identifiers("13812345678", [PHONE], b"another key") == []


def test_digest_depends_on_kind() -> None:
    assert protect(IdentifierKind.HANDLE, "abc", SECRET) != protect(IdentifierKind.NAME, "abc", SECRET)


def test_phone_written_many_ways() -> None:
    for written in (
        "13812345678",
        "138 1234 5678",
        "+86-138-1234-5678",
        "0086 13812345678",
        "１３８１２３４５６７８",
        "一三八一二三四五六七八",
        "(+86) 138.1234.5678",
        "138\u200b1234\u200b5678",
        "幺三八 幺二三四 五六七八",
    ):
        text = f"她的电话是{written}，快打"
        assert spans(text, PHONE) == [written], written


def test_hit_offsets_point_at_the_original_text() -> None:
    text = "call ＋８６ １３８-１２３４-５６７８ now"
    [hit] = find_identifiers(text, [PHONE], SECRET)
    assert (hit.kind, hit.digest) == (IdentifierKind.PHONE, PHONE.digest)
    assert text[hit.start : hit.end] == "＋８６ １３８-１２３４-５６７８"
    assert not hasattr(hit, "text")


def test_other_numbers_do_not_match() -> None:
    assert spans("电话 13812345679", PHONE) == []
    assert spans("订单号 213812345678999", PHONE) == []
    assert spans("订单号 138123456789", PHONE) == []
    assert spans("x13812345678" + "0", PHONE) == []


def test_a_number_next_to_another_group_still_matches() -> None:
    assert spans("138 1234 5678 2020", PHONE) == ["138 1234 5678"]


def test_id_number_with_spaces_inside() -> None:
    written = f"{VALID_ID[:6]} {VALID_ID[6:14]} {VALID_ID[14:]}"
    assert spans(f"身份证：{written}。", ID_NUMBER) == [written]
    assert spans(f"身份证{VALID_ID}", ID_NUMBER) == [VALID_ID]


def test_id_number_with_a_wrong_check_digit_or_inside_a_run_does_not_match() -> None:
    wrong = VALID_ID[:17] + ("0" if VALID_ID[-1] != "0" else "1")
    assert spans(wrong, ID_NUMBER) == []
    assert spans("9" + VALID_ID, ID_NUMBER) == []


def test_name_inside_running_chinese_text() -> None:
    assert spans("昨天张小梅发了", NAME) == ["张小梅"]
    assert spans("昨天张小发了", NAME) == []
    assert spans("昨天张小美发了", NAME) == []
    assert spans("张 小 梅", NAME) == ["张 小 梅"]


def test_latin_name_in_any_case() -> None:
    assert spans("Ask MEI  zhang about it", LATIN_NAME) == ["MEI  zhang"]
    assert spans("Mei Zhao", LATIN_NAME) == []


def test_handles_with_at_sign_or_link() -> None:
    assert spans("找 @Mask_Park 啊", HANDLE) == ["@Mask_Park"]
    assert spans("see t.me/mask_park.", HANDLE) == ["t.me/mask_park"]
    assert spans("https://t.me/MaskPark", HANDLE) == ["https://t.me/MaskPark"]
    assert spans("@maskparker", HANDLE) == []


def test_email_in_any_case_and_spelled_out() -> None:
    assert spans("mail XiaoMei@Example.com!", EMAIL) == ["XiaoMei@Example.com"]
    assert spans("xiaomei at example dot com", EMAIL) == ["xiaomei at example dot com"]
    assert spans("xiaomei [at] example [dot] com", EMAIL) == ["xiaomei [at] example [dot] com"]
    assert spans("xiaomei2@example.com", EMAIL) == []


def test_several_identifiers_in_one_message_are_sorted() -> None:
    text = f"张小梅 13812345678 {VALID_ID} @maskpark"
    kinds = [hit.kind for hit in find_identifiers(text, ALL, SECRET)]
    assert kinds == [
        IdentifierKind.NAME,
        IdentifierKind.PHONE,
        IdentifierKind.ID_NUMBER,
        IdentifierKind.HANDLE,
    ]


def test_nothing_protected_finds_nothing() -> None:
    assert find_identifiers("13812345678", [], SECRET) == []


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_finder_never_raises(text: str) -> None:
    for hit in find_identifiers(text, ALL, SECRET):
        assert 0 <= hit.start <= hit.end <= len(text)
