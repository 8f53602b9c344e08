"""The sealed stream used by backups: round trip across chunks; cut, reordered or altered streams fail."""

from __future__ import annotations

import io
import os

import pytest

from reclaim.evidence.sealed_stream import (
    CHUNK_SIZE,
    TAG_SIZE,
    SealedStreamError,
    SealingWriter,
    unseal_chunks,
)

FAST = 2**10


def seal(data: bytes, passphrase: str = "pw") -> bytes:
    sink = io.BytesIO()
    writer = SealingWriter(sink, passphrase, scrypt_n=FAST)
    for start in range(0, len(data), 70_000):
        writer.write(data[start : start + 70_000])
    writer.close()
    return sink.getvalue()


def unseal(blob: bytes, passphrase: str = "pw") -> bytes:
    return b"".join(unseal_chunks(io.BytesIO(blob), passphrase))


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE + 5])
def test_round_trip_of_every_size(size: int) -> None:
    data = os.urandom(size)
    blob = seal(data)
    assert unseal(blob) == data
    assert size < 64 or data[:64] not in blob


def test_cut_reordered_altered_or_wrong_passphrase_fail() -> None:
    data = os.urandom(3 * CHUNK_SIZE + 10)
    blob = seal(data)
    body_start = len(blob) - (3 * (CHUNK_SIZE + TAG_SIZE) + 10 + TAG_SIZE)
    chunk = CHUNK_SIZE + TAG_SIZE
    chunks = [blob[body_start + i * chunk : body_start + (i + 1) * chunk] for i in range(4)]
    header = blob[:body_start]
    for broken in (
        header + b"".join(chunks[:3]),  # cut at a chunk boundary
        header + chunks[1] + chunks[0] + chunks[2] + chunks[3],  # reordered
        blob[:-1] + bytes([blob[-1] ^ 1]),  # altered
        blob[:-5],  # cut inside a chunk
    ):
        with pytest.raises(SealedStreamError):
            unseal(broken)
    with pytest.raises(SealedStreamError, match="passphrase"):
        unseal(blob, "other")
    with pytest.raises(SealedStreamError):
        unseal(b"not a backup at all")
