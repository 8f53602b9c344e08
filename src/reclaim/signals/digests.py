"""Exact file digests: SHA-256, and MD5 only for interoperability with existing hash lists."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from reclaim.signals.base import SignalType


@dataclass(frozen=True, slots=True)
class Digests:
    sha256: str
    md5: str


def digests_of_bytes(data: bytes) -> Digests:
    return Digests(hashlib.sha256(data).hexdigest(), hashlib.md5(data, usedforsecurity=False).hexdigest())


def digests_of_chunks(chunks: Iterable[bytes]) -> Digests:
    """Digests of a stream, so a multi-gigabyte video never sits in memory."""
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    for chunk in chunks:
        sha256.update(chunk)
        md5.update(chunk)
    return Digests(sha256.hexdigest(), md5.hexdigest())


class _ExactDigest(SignalType):
    content_types = ("image", "video", "file")
    hex_length = 0

    @classmethod
    def validate(cls, value: str) -> str:
        text = value.strip().lower()
        if len(text) != cls.hex_length or any(c not in "0123456789abcdef" for c in text):
            raise ValueError(f"{value!r} is not a {cls.name} digest ({cls.hex_length} hexadecimal digits)")
        return text

    @staticmethod
    def distance(left: str, right: str) -> int:
        return 0 if left == right else 1


class Sha256Signal(_ExactDigest):
    name = "sha256"
    hex_length = 64


class Md5Signal(_ExactDigest):
    name = "md5"
    hex_length = 32
