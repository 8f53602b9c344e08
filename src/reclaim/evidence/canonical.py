"""Canonical JSON: the one byte string an evidence entry or tree head has, so that its hash is stable.

Sorted keys, no insignificant whitespace, UTF-8, integers only. Floats are refused because
their text form differs between languages and versions, and a verifier in another language
must reproduce the exact bytes that were hashed and signed.
"""

from __future__ import annotations

import json
from typing import Any

# JSON numbers beyond 2^53 lose precision in JavaScript verifiers; nothing we log needs them.
MAX_SAFE_INTEGER = 2**53 - 1


class NotCanonicalError(ValueError):
    """A value cannot be written as canonical JSON (a float, a non-string key, a huge integer)."""


def canonical_json(value: Any) -> bytes:
    """``value`` as canonical JSON bytes; NotCanonicalError for floats and other non-JSON values."""
    _check(value)
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def is_canonical(data: bytes) -> bool:
    """True when ``data`` is exactly the canonical encoding of the JSON value it holds."""
    try:
        return canonical_json(json.loads(data.decode("utf-8"))) == data
    except (ValueError, RecursionError):
        return False


def _check(value: Any) -> None:
    if value is None or isinstance(value, str | bool):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise NotCanonicalError(f"integer {value} is outside the safe range")
        return
    if isinstance(value, float):
        raise NotCanonicalError("floats have no canonical form; use integers")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonicalError(f"object key {key!r} is not a string")
            _check(item)
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check(item)
        return
    raise NotCanonicalError(f"{type(value).__name__} is not a JSON value")
