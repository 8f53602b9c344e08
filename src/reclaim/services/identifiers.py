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


def find_protected_identifiers(engine: Engine, secret: bytes, texts: Iterable[str]) -> list[list[TextHit]]:
    """For each text, the protected details of every case found in it."""
    from reclaim.store.identifiers import list_identifiers

    cases_by_digest: dict[tuple[str, bytes], list[str]] = {}
    for stored in list_identifiers(engine):
        cases_by_digest.setdefault((stored.kind, bytes.fromhex(stored.digest)), []).append(stored.case_id)
    protected = [ProtectedIdentifier(IdentifierKind(kind), digest) for kind, digest in cases_by_digest]
    results: list[list[TextHit]] = []
    for text in texts:
        hits = []
        for hit in find_identifiers(text, protected, secret):
            for case_id in cases_by_digest.get((str(hit.kind), hit.digest), []):
                hits.append(TextHit(case_id, str(hit.kind), hit.start, hit.end))
        results.append(hits)
    return results
