"""Find protected identifiers in message text by hashing every candidate the text could hold.

Candidates are read from folded text (full-width and Chinese-numeral digits made ASCII), each
is normalized and keyed-hashed, and only exact digest hits count; a hit gives the kind, the
digest and the span in the original text, never the matched characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from reclaim.errors import ReclaimError
from reclaim.identifiers.keyed import IdentifierKind, KeyedHasher, ProtectedIdentifier
from reclaim.identifiers.normalize import (
    FoldedText,
    cn_resident_id_check_char,
    fold_text_with_offsets,
    normalize_email,
    normalize_handle,
    normalize_name,
)

# What people put between the digits of a number: spaces, - . / ( ) (full-width forms are folded
# to these first) and zero-width characters that hide a number from naive filters.
_SEPARATOR: Final = r"[\s\-./()\u200b\u200c\u200d\u2060\ufeff]"
_GAP: Final = re.compile(f"{_SEPARATOR}{{1,3}}")
_DIGIT_GROUP: Final = re.compile(r"[0-9]+[Xx]?")
_MAX_DIGITS: Final = 18
_E164_DIGITS: Final = range(7, 16)
_ID_DIGITS: Final = 18
_EMAIL: Final = re.compile(
    r"(?<![A-Za-z0-9._%+\-])([A-Za-z0-9._%+\-]+)\s*(?:@|[\[(]\s*at\s*[\])]|\s+at\s+)\s*"
    r"((?:[A-Za-z0-9\-]+\s*(?:\.|[\[(]\s*dot\s*[\])]|\s+dot\s+)\s*)+[A-Za-z]{2,})",
    re.IGNORECASE,
)
_EMAIL_DOT: Final = re.compile(r"\s*(?:\.|[\[(]\s*dot\s*[\])]|\s+dot\s+)\s*", re.IGNORECASE)
_HANDLE: Final = re.compile(
    r"(?:(?<![A-Za-z0-9_.\-])@|(?:https?://)?(?:www\.)?\b(?:t|telegram)\.me/)([A-Za-z0-9_][A-Za-z0-9_.\-]*)",
    re.IGNORECASE,
)
_CJK: Final = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_CJK_GAP: Final = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]*")
_CJK_NAME_LENGTHS: Final = range(2, 5)
_LATIN_WORD: Final = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:['\-][A-Za-z\u00c0-\u024f]+)*")
_LATIN_WORD_GAP: Final = re.compile(r"\s+")
_LATIN_NAME_WORDS: Final = 3


@dataclass(frozen=True, slots=True)
class IdentifierHit:
    """A protected identifier found in a text: kind, digest and ``[start, end)`` in the original text."""

    kind: IdentifierKind
    digest: bytes
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Candidate:
    kind: IdentifierKind
    normalized: str
    start: int
    end: int


def find_identifiers(
    text: str, protected: Iterable[ProtectedIdentifier], secret: bytes
) -> list[IdentifierHit]:
    """Every protected identifier in ``text``, in order; a hit inside a longer one of its own is dropped."""
    wanted: dict[IdentifierKind, set[bytes]] = {}
    for identifier in protected:
        wanted.setdefault(identifier.kind, set()).add(identifier.digest)
    if not wanted or not text:
        return []
    digits = fold_text_with_offsets(text)
    words = fold_text_with_offsets(text, numerals=False)
    hashers = {kind: KeyedHasher(kind, secret) for kind in wanted}
    hits: set[IdentifierHit] = set()
    for candidate in _candidates(digits, words, wanted.keys()):
        digest = hashers[candidate.kind].digest(candidate.normalized)
        if digest in wanted[candidate.kind]:
            hits.add(IdentifierHit(candidate.kind, digest, candidate.start, candidate.end))
    return sorted(_outermost(hits), key=lambda hit: (hit.start, hit.end, hit.kind.value))


def _outermost(hits: set[IdentifierHit]) -> list[IdentifierHit]:
    """Leave out a hit whose span lies inside another hit of the same identifier."""
    kept: list[IdentifierHit] = []
    reach: dict[tuple[IdentifierKind, bytes], int] = {}
    for hit in sorted(hits, key=lambda hit: (hit.start, -hit.end)):
        key = (hit.kind, hit.digest)
        if reach.get(key, -1) >= hit.end:
            continue
        reach[key] = hit.end
        kept.append(hit)
    return kept


def _candidates(
    digits: FoldedText, words: FoldedText, kinds: Iterable[IdentifierKind]
) -> Iterator[_Candidate]:
    kinds = set(kinds)
    if kinds & {IdentifierKind.PHONE, IdentifierKind.ID_NUMBER}:
        for candidate in _number_candidates(digits):
            if candidate.kind in kinds:
                yield candidate
    if IdentifierKind.PHONE in kinds:
        yield from _matched_phones(digits)
    if IdentifierKind.EMAIL in kinds:
        yield from _emails(words)
    if IdentifierKind.HANDLE in kinds:
        yield from _handles(words)
    if IdentifierKind.NAME in kinds:
        yield from _cjk_names(words)
        yield from _latin_names(words)


def _digit_chains(folded: FoldedText) -> Iterator[list[re.Match[str]]]:
    """Maximal runs of digit groups with only separators between them."""
    chain: list[re.Match[str]] = []
    for group in _DIGIT_GROUP.finditer(folded.text):
        if chain and not (
            chain[-1].group()[-1] not in "Xx" and _GAP.fullmatch(folded.text, chain[-1].end(), group.start())
        ):
            yield chain
            chain = []
        chain.append(group)
    if chain:
        yield chain


def _number_candidates(folded: FoldedText) -> Iterator[_Candidate]:
    """Phone and ID numbers from every window of whole digit groups, so digits on either side never join."""
    text = folded.text
    for chain in _digit_chains(folded):
        for first in range(len(chain)):
            start = chain[first].start()
            plus = start > 0 and text[start - 1] == "+"
            number = ""
            for group in chain[first:]:
                number += group.group()
                if len(number) > _MAX_DIGITS:
                    break
                span = folded.original_span(start - plus, group.end())
                yield from _numbers_in(number.upper(), plus=plus, span=span)
                if number[-1] in "Xx":
                    break


def _numbers_in(number: str, *, plus: bool, span: tuple[int, int]) -> Iterator[_Candidate]:
    start, end = span
    if number.endswith("X"):
        if len(number) == _ID_DIGITS and cn_resident_id_check_char(number[:17]) == "X":
            yield _Candidate(IdentifierKind.ID_NUMBER, number, start, end)
        return
    phone = IdentifierKind.PHONE
    if plus and len(number) in _E164_DIGITS:
        yield _Candidate(phone, "+" + number, start, end)
    elif len(number) == 11 and number[0] == "1":
        yield _Candidate(phone, "+86" + number, start, end)
    elif len(number) == 13 and number.startswith("861"):
        yield _Candidate(phone, "+" + number, start, end)
    elif len(number) == 15 and number.startswith("00861"):
        yield _Candidate(phone, "+" + number[2:], start, end)
    elif len(number) == _ID_DIGITS and cn_resident_id_check_char(number[:17]) == number[17]:
        yield _Candidate(IdentifierKind.ID_NUMBER, number, start, end)


def _matched_phones(folded: FoldedText) -> Iterator[_Candidate]:
    """Numbers in other written forms (landlines, national prefixes) that phonenumbers recognizes."""
    import phonenumbers

    text = folded.text
    for match in phonenumbers.PhoneNumberMatcher(text, "CN", leniency=phonenumbers.Leniency.VALID):
        if (match.start > 0 and text[match.start - 1].isdigit()) or (
            match.end < len(text) and text[match.end].isdigit()
        ):
            continue
        normalized = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        yield _Candidate(IdentifierKind.PHONE, normalized, *folded.original_span(match.start, match.end))


def _emails(folded: FoldedText) -> Iterator[_Candidate]:
    for match in _EMAIL.finditer(folded.text):
        address = f"{match.group(1)}@{_EMAIL_DOT.sub('.', match.group(2))}"
        try:
            normalized = normalize_email(address)
        except ReclaimError:
            continue
        yield _Candidate(IdentifierKind.EMAIL, normalized, *folded.original_span(match.start(), match.end()))


def _handles(folded: FoldedText) -> Iterator[_Candidate]:
    for match in _HANDLE.finditer(folded.text):
        handle = match.group(1).rstrip(".-")
        try:
            normalized = normalize_handle(handle)
        except ReclaimError:
            continue
        end = match.start(1) + len(handle)
        yield _Candidate(IdentifierKind.HANDLE, normalized, *folded.original_span(match.start(), end))


def _cjk_names(folded: FoldedText) -> Iterator[_Candidate]:
    """Every 2 to 4 CJK characters in a row (spaces between them allowed): Chinese has no word gaps."""
    text = folded.text
    run: list[int] = []
    position = 0
    for match in _CJK.finditer(text):
        if run and not _CJK_GAP.fullmatch(text, position, match.start()):
            yield from _cjk_windows(folded, run)
            run = []
        run.append(match.start())
        position = match.end()
    yield from _cjk_windows(folded, run)


def _cjk_windows(folded: FoldedText, run: list[int]) -> Iterator[_Candidate]:
    text = folded.text
    for first in range(len(run)):
        for length in _CJK_NAME_LENGTHS:
            if first + length > len(run):
                break
            chosen = run[first : first + length]
            name = "".join(text[index] for index in chosen)
            yield _Candidate(IdentifierKind.NAME, name, *folded.original_span(chosen[0], chosen[-1] + 1))


def _latin_names(folded: FoldedText) -> Iterator[_Candidate]:
    """One to three Latin words in a row, joined as :func:`normalize_name` joins them."""
    text = folded.text
    words = list(_LATIN_WORD.finditer(text))
    for first in range(len(words)):
        name = ""
        for index in range(first, min(first + _LATIN_NAME_WORDS, len(words))):
            if index > first and not _LATIN_WORD_GAP.fullmatch(
                text, words[index - 1].end(), words[index].start()
            ):
                break
            name += words[index].group()
            yield _Candidate(
                IdentifierKind.NAME,
                normalize_name(name),
                *folded.original_span(words[first].start(), words[index].end()),
            )
