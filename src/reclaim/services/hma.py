"""Answers in the shapes of Meta's Hasher-Matcher-Actioner (OpenMediaMatch), so its clients work.

The matching is the platform service's (``services.platform``); only the shapes differ: HMA
names a match by ``bank_content_id`` (our entry id), gives distances as strings, groups
``/m/lookup`` answers by bank and, for uploads, by signal type. Case banks are named
``protected`` here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from reclaim.services.platform import PlatformMatch

if TYPE_CHECKING:
    from reclaim.bank.snapshot import BankSnapshot
    from reclaim.config import MediaLimits

# HMA calls the MD5 of a video file "video_md5"; it is the same digest as our md5 of any file.
_SIGNAL_ALIASES: Final = {"video_md5": "md5"}
# Our digests of any file; HMA's photo signal type is "pdq", as ours.
_DIGESTS: Final = ("md5", "sha256")


def raw_lookup(
    snapshot: BankSnapshot,
    signal_type: str,
    signal: str,
    *,
    banks: frozenset[str] | None = None,
    include_distance: bool = False,
) -> dict[str, object]:
    """``{"matches": [id, ...]}``; with ``include_distance``, ``[{"bank_content_id", "distance"}]``."""
    matches = _signal_matches(snapshot, signal_type, signal, banks)
    if include_distance:
        return {"matches": [_content(match) for match in matches]}
    return {"matches": [match.entry_id for match in matches]}


def lookup_signal(
    snapshot: BankSnapshot, signal_type: str, signal: str, *, banks: frozenset[str] | None = None
) -> dict[str, list[dict[str, object]]]:
    """``{"<bank>": [{"bank_content_id", "distance"}]}`` for one hash."""
    return _by_bank(_signal_matches(snapshot, signal_type, signal, banks))


def hash_media(data: bytes, limits: MediaLimits) -> dict[str, str]:
    """``{"<signal type>": "<hash>"}`` of an upload held in memory: pdq (photos), md5, sha256."""
    from reclaim.signals.query_signals import query_signals_of_bytes

    signals = query_signals_of_bytes(data, "upload", limits)
    hashes = {"md5": signals.md5, "sha256": signals.sha256}
    return {"pdq": signals.pdq.hex, **hashes} if signals.pdq is not None else hashes


def lookup_media(
    snapshot: BankSnapshot, data: bytes, limits: MediaLimits, *, banks: frozenset[str] | None = None
) -> dict[str, dict[str, list[dict[str, object]]]]:
    """``{"<signal type>": {"<bank>": [{"bank_content_id", "distance"}]}}`` for an upload.

    The upload is matched as ``POST /v1/match`` matches it (robust views of a photo, a video's
    frames); each hit is filed under the signal type that found it.
    """
    from reclaim.services.platform import match_hits
    from reclaim.signals.query_signals import query_signals_of_bytes

    signals = query_signals_of_bytes(data, "upload", limits)
    types = (("pdq",) if signals.pdq is not None else ()) + _DIGESTS
    found: dict[str, list[PlatformMatch]] = {signal_type: [] for signal_type in types}
    for signal_type, match in match_hits(snapshot.match(signals)):
        found.setdefault(signal_type, []).append(match)
    return {signal_type: _by_bank(_only(matches, banks)) for signal_type, matches in found.items()}


def _signal_matches(
    snapshot: BankSnapshot, signal_type: str, signal: str, banks: frozenset[str] | None
) -> list[PlatformMatch]:
    from reclaim.services.platform import match_signal

    signal_type = signal_type.strip().lower()
    return _only(match_signal(snapshot, _SIGNAL_ALIASES.get(signal_type, signal_type), signal), banks)


def _only(matches: list[PlatformMatch], banks: frozenset[str] | None) -> list[PlatformMatch]:
    ordered = sorted(matches, key=lambda match: (match.distance, match.entry_id))
    return [match for match in ordered if banks is None or match.bank in banks]


def _by_bank(matches: list[PlatformMatch]) -> dict[str, list[dict[str, object]]]:
    grouped: dict[str, list[dict[str, object]]] = {}
    for match in matches:
        grouped.setdefault(match.bank, []).append(_content(match))
    return grouped


def _content(match: PlatformMatch) -> dict[str, object]:
    # HMA gives a distance as its signal type's own text (for PDQ the Hamming distance, "4").
    return {"bank_content_id": match.entry_id, "distance": str(match.distance)}
