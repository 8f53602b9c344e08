"""Protect a person's details (phone, ID number, e-mail, handles, names) and find them in text.

Values are normalized, then kept only as HMAC-SHA256 digests. The HMAC key is derived from the
installation's signing key (HKDF, its own label), not stored in the database: a phone number
has about 10^10 possible values, so a digest without a secret key could be reversed by trying
them all. Deriving it means a backup, which already carries the signing key, carries it too,
and every server worker that signs evidence can also scan text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

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

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.config import Settings
    from reclaim.store.identifiers import StoredIdentifier

_HKDF_INFO: Final = b"reclaim protected identifiers v1"

_NORMALIZERS: Final = {
    IdentifierKind.PHONE: normalize_phone,
    IdentifierKind.ID_NUMBER: normalize_cn_resident_id,
    IdentifierKind.EMAIL: normalize_email,
    IdentifierKind.HANDLE: normalize_handle,
    IdentifierKind.NAME: normalize_name,
}


@dataclass(frozen=True, slots=True)
class TextHit:
    """A protected detail found in a text: which case, which kind, where (character offsets)."""

    case_id: str
    kind: str
    start: int
    end: int

    def to_json(self) -> dict[str, object]:
        return {"case_id": self.case_id, "kind": self.kind, "start": self.start, "end": self.end}


def identifier_secret(settings: Settings) -> bytes:
    """The installation's HMAC key for identifiers, derived from its Ed25519 signing key."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    from reclaim.evidence.keys import load_signing_key

    raw = load_signing_key(settings.signing_key_path).private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(raw)


def add_case_identifiers(
    engine: Engine,
    secret: bytes,
    *,
    case_id: str,
    values: Mapping[IdentifierKind, Iterable[str]],
    actor: str,
) -> list[StoredIdentifier]:
    """Normalize each value, keep only its keyed hash; every value is checked before any is stored."""
    from reclaim.store.identifiers import add_identifiers

    digests = [
        (kind.value, protect(kind, _NORMALIZERS[kind](value), secret).hex())
        for kind, kind_values in values.items()
        for value in kind_values
    ]
    return add_identifiers(engine, case_id=case_id, digests=digests, actor=actor, at=datetime.now(UTC))


def case_identifiers(engine: Engine, case_id: str) -> list[StoredIdentifier]:
    from reclaim.store.identifiers import list_identifiers

    return list_identifiers(engine, case_id)


class TextScanner:
    """Every case's protected details, read once, to look for in many texts (a scan's messages)."""

    def __init__(self, engine: Engine, secret: bytes) -> None:
        from reclaim.store.identifiers import list_identifiers

        self._secret = secret
        self._cases: dict[tuple[str, bytes], list[str]] = {}
        for stored in list_identifiers(engine):
            self._cases.setdefault((stored.kind, bytes.fromhex(stored.digest)), []).append(stored.case_id)
        self._protected = [ProtectedIdentifier(IdentifierKind(kind), digest) for kind, digest in self._cases]

    def __bool__(self) -> bool:
        return bool(self._protected)

    def hits(self, text: str) -> list[TextHit]:
        if not self._protected or not text:
            return []
        return [
            TextHit(case_id, str(hit.kind), hit.start, hit.end)
            for hit in find_identifiers(text, self._protected, self._secret)
            for case_id in self._cases.get((str(hit.kind), hit.digest), [])
        ]


def find_protected_identifiers(engine: Engine, secret: bytes, texts: Iterable[str]) -> list[list[TextHit]]:
    """For each text, the protected details of every case found in it."""
    scanner = TextScanner(engine, secret)
    return [scanner.hits(text) for text in texts]
