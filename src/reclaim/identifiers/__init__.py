"""Protected personal identifiers for doxxing detection, kept only as keyed hashes."""

from __future__ import annotations

from reclaim.identifiers.finder import IdentifierHit, find_identifiers
from reclaim.identifiers.keyed import IdentifierKind, ProtectedIdentifier, protect
from reclaim.identifiers.normalize import (
    FoldedText,
    cn_resident_id_check_char,
    fold_text,
    fold_text_with_offsets,
    normalize_cn_resident_id,
    normalize_email,
    normalize_handle,
    normalize_name,
    normalize_phone,
)

__all__ = [
    "FoldedText",
    "IdentifierHit",
    "IdentifierKind",
    "ProtectedIdentifier",
    "cn_resident_id_check_char",
    "find_identifiers",
    "fold_text",
    "fold_text_with_offsets",
    "normalize_cn_resident_id",
    "normalize_email",
    "normalize_handle",
    "normalize_name",
    "normalize_phone",
    "protect",
]
