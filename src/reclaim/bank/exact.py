"""Exact lookups of file digests (SHA-256, MD5) in a bank: a dictionary, nothing more."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

DIGEST_TYPES: Final = ("sha256", "md5")


class DigestLookup:
    """Entry rows by (signal type, lowercase hex digest)."""

    def __init__(self, digests: Iterable[tuple[int, str, str]]) -> None:
        """``digests``: (entry row, signal type, hex value) for every digest entry."""
        self._rows: dict[tuple[str, str], list[int]] = {}
        for row, signal_type, value in digests:
            if signal_type in DIGEST_TYPES:
                self._rows.setdefault((signal_type, value.lower()), []).append(row)

    def find(self, signal_type: str, value: str) -> list[int]:
        return list(self._rows.get((signal_type, value.lower()), ()))
