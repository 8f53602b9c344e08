"""Canonical forms of personal identifiers, and the text folding that finds them written oddly.

Each ``normalize_*`` returns the one string that is hashed for that kind of identifier, or
raises :class:`~reclaim.errors.IdentifierError`. :func:`fold_text` undoes the usual disguises
(full-width characters, Chinese numerals) and :func:`fold_text_with_offsets` also says where
each folded character came from, so a hit can be pointed at in the original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from reclaim.errors import N_, IdentifierError

# Chinese numerals as people write digits, including phone spellings: 幺 for 1, 两 for 2.
_CHINESE_DIGITS: Final = {
    **dict.fromkeys("零〇", "0"),
    **dict.fromkeys("一壹幺", "1"),
    **dict.fromkeys("二贰两", "2"),
    **dict.fromkeys("三叁", "3"),
    **dict.fromkeys("四肆", "4"),
    **dict.fromkeys("五伍", "5"),
    **dict.fromkeys("六陆", "6"),
    **dict.fromkeys("七柒", "7"),
    **dict.fromkeys("八捌", "8"),
    **dict.fromkeys("九玖", "9"),
}
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS: Final = "10X98765432"
_ID_SHAPE: Final = re.compile(r"[0-9]{17}[0-9X]")
_ID_SEPARATORS: Final = re.compile(r"[\s\-.]+")
_EMAIL_SHAPE: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_HANDLE_LINK: Final = re.compile(r"^(?:https?://)?(?:www\.)?(?:t|telegram)\.me/", re.IGNORECASE)
_HANDLE_SEPARATORS: Final = re.compile(r"[\s._\-]+")
_WHITESPACE: Final = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class FoldedText:
    """Folded text; folded character ``i`` came from ``original[starts[i]:ends[i]]``."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that the folded span ``[start, end)`` came from."""
        if start >= end:
            point = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return point, point
        return self.starts[start], self.ends[end - 1]


def _clusters(text: str) -> list[tuple[int, int]]:
    """Spans of a base character with the combining marks after it, so NFKC can compose them."""
    spans: list[tuple[int, int]] = []
    for index, char in enumerate(text):
        if spans and unicodedata.combining(char):
            spans[-1] = (spans[-1][0], index + 1)
        else:
            spans.append((index, index + 1))
    return spans


def fold_text_with_offsets(text: str, *, numerals: bool = True) -> FoldedText:
    """NFKC-fold ``text`` (and Chinese numerals to digits unless ``numerals`` is false), keeping offsets."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for start, end in _clusters(text):
        folded = unicodedata.normalize("NFKC", text[start:end])
        if numerals:
            folded = "".join(_CHINESE_DIGITS.get(char, char) for char in folded)
        pieces.append(folded)
        starts.extend([start] * len(folded))
        ends.extend([end] * len(folded))
    return FoldedText("".join(pieces), tuple(starts), tuple(ends))


def fold_text(text: str) -> str:
    """``text`` with full-width characters made ASCII (NFKC) and Chinese numerals made digits."""
    return fold_text_with_offsets(text).text


def normalize_phone(value: str, default_region: str = "CN") -> str:
    """A phone number in E.164 (``+8613812345678``); numbers without ``+`` are read in ``default_region``."""
    import phonenumbers

    try:
        number = phonenumbers.parse(fold_text(value).strip(), default_region)
    except phonenumbers.NumberParseException as error:
        raise IdentifierError(N_("This is not a phone number.")) from error
    if not phonenumbers.is_valid_number(number):
        raise IdentifierError(N_("This is not a valid phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def cn_resident_id_check_char(first_17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a resident ID number's first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first_17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def normalize_cn_resident_id(value: str) -> str:
    """An 18-character resident ID number of mainland China, check character verified, X uppercase."""
    compact = _ID_SEPARATORS.sub("", fold_text(value)).upper()
    if not _ID_SHAPE.fullmatch(compact):
        raise IdentifierError(N_("A resident ID number has 17 digits and then a digit or X."))
    if cn_resident_id_check_char(compact[:17]) != compact[17]:
        raise IdentifierError(N_("The check digit of this resident ID number is wrong."))
    return compact


def normalize_email(value: str) -> str:
    """An e-mail address, lowercase, without surrounding spaces."""
    address = unicodedata.normalize("NFKC", value).strip().lower()
    if not _EMAIL_SHAPE.fullmatch(address):
        raise IdentifierError(N_("This is not an e-mail address."))
    return address


def normalize_handle(value: str) -> str:
    """A Telegram-style handle without @ or t.me/, lowercase, with . _ - and spaces dropped."""
    handle = _HANDLE_LINK.sub("", unicodedata.normalize("NFKC", value).strip()).lstrip("@")
    handle = _HANDLE_SEPARATORS.sub("", handle).lower()
    if not handle:
        raise IdentifierError(N_("This handle is empty."))
    return handle


def normalize_name(value: str) -> str:
    """A person's name: NFKC, all whitespace removed, lowercase (``张小梅``, ``johnsmith``)."""
    name = _WHITESPACE.sub("", unicodedata.normalize("NFKC", value)).lower()
    if not name:
        raise IdentifierError(N_("This name is empty."))
    return name
