"""Exact digests: the values hashlib gives, streamed or whole, and validation of hex values."""

from __future__ import annotations

import hashlib

import pytest

from reclaim.signals.digests import Md5Signal, Sha256Signal, digests_of_bytes, digests_of_chunks


def test_streamed_and_whole_digests_agree_with_hashlib() -> None:
    data = bytes(range(256)) * 5000
    whole = digests_of_bytes(data)
    streamed = digests_of_chunks(data[i : i + 4096] for i in range(0, len(data), 4096))
    assert whole == streamed
    assert whole.sha256 == hashlib.sha256(data).hexdigest()
    assert whole.md5 == hashlib.md5(data).hexdigest()


def test_digest_values_are_validated_and_lowered() -> None:
    assert Md5Signal.validate(" D41D8CD98F00B204E9800998ECF8427E ") == "d41d8cd98f00b204e9800998ecf8427e"
    for signal, bad in [(Sha256Signal, "abc"), (Md5Signal, "0" * 64), (Md5Signal, "g" * 32)]:
        with pytest.raises(ValueError, match=signal.name):
            signal.validate(bad)
    assert Sha256Signal.matches("a" * 64, "a" * 64) == (True, 0)
    assert Sha256Signal.matches("a" * 64, "b" * 64) == (False, 1)
