"""Keyed hashes of normalized identifiers: only these are kept, never the values themselves.

A phone number has about 10^10 possible values, so a plain hash could be reversed by trying
them all; HMAC with a secret key cannot be, without the key.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

DIGEST_SIZE: Final = 32


class IdentifierKind(StrEnum):
    """What kind of personal detail an identifier is; part of what is hashed."""

    PHONE = "phone"
    ID_NUMBER = "id_number"
    EMAIL = "email"
    HANDLE = "handle"
    NAME = "name"


def _message_prefix(kind: IdentifierKind) -> bytes:
    return kind.value.encode() + b"\0"


def protect(kind: IdentifierKind, normalized: str, secret: bytes) -> bytes:
    """HMAC-SHA256 under ``secret`` of the kind, a NUL byte and the normalized value."""
    return hmac.new(
        secret, _message_prefix(kind) + normalized.encode("utf-8", "surrogatepass"), hashlib.sha256
    ).digest()


class KeyedHasher:
    """:func:`protect` for many values of one kind, with the key and the kind hashed in once."""

    __slots__ = ("_base",)

    def __init__(self, kind: IdentifierKind, secret: bytes) -> None:
        self._base = hmac.new(secret, _message_prefix(kind), hashlib.sha256)

    def digest(self, normalized: str) -> bytes:
        mac = self._base.copy()
        mac.update(normalized.encode("utf-8", "surrogatepass"))
        return mac.digest()


@dataclass(frozen=True, slots=True)
class ProtectedIdentifier:
    """A personal detail as it is stored: its kind and its keyed hash, no plaintext."""

    kind: IdentifierKind
    digest: bytes

    def __post_init__(self) -> None:
        if len(self.digest) != DIGEST_SIZE:
            raise ValueError(f"an identifier digest has {DIGEST_SIZE} bytes, not {len(self.digest)}")
