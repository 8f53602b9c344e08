"""A passphrase-sealed stream, for backups of a whole home: scrypt, then AES-256-GCM in chunks.

Layout: ``RCLSTR01``, a 4-byte big-endian header length, the header (JSON: scrypt parameters,
salt, chunk size, nonce prefix), then chunks of ``chunk_size`` plaintext bytes each sealed with
AES-256-GCM. A chunk's nonce is the prefix, its 4-byte number and a last-chunk flag, and every
chunk authenticates the header: chunks cannot be reordered, dropped, or the stream cut short
(the "STREAM" construction of Hoang, Reyhanitabar, Rogaway and Vizár, 2015). Nothing is kept in
memory beyond one chunk, so a home of many gigabytes can be sealed.
"""

from __future__ import annotations

import base64
import json
import os
import struct
from collections.abc import Iterator
from typing import IO, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC: Final = b"RCLSTR01"
CHUNK_SIZE: Final = 1024**2
TAG_SIZE: Final = 16
SCRYPT_N: Final = 2**15
MAX_HEADER: Final = 4096


class SealedStreamError(ValueError):
    """The stream is not ours, was altered or cut short, or the passphrase is wrong."""


class SealingWriter:
    """A write-only file object: what is written to it comes out sealed in ``sink``."""

    def __init__(self, sink: IO[bytes], passphrase: str, *, scrypt_n: int = SCRYPT_N) -> None:
        salt, self._prefix = os.urandom(16), os.urandom(7)
        header = json.dumps(
            {
                "kdf": {"name": "scrypt", "n": scrypt_n, "r": 8, "p": 1, "salt": _b64(salt)},
                "cipher": "AES-256-GCM",
                "chunk_size": CHUNK_SIZE,
                "nonce_prefix": _b64(self._prefix),
            },
            sort_keys=True,
        ).encode("ascii")
        self._aead = AESGCM(_derive(passphrase, salt, scrypt_n, 8, 1))
        self._header = header
        self._sink = sink
        self._buffer = bytearray()
        self._counter = 0
        self.closed = False
        sink.write(MAGIC + struct.pack(">I", len(header)) + header)

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK_SIZE:  # keep the last chunk back: only close() knows it is last
            self._seal(bytes(self._buffer[:CHUNK_SIZE]), last=False)
            del self._buffer[:CHUNK_SIZE]
        return len(data)

    def flush(self) -> None:
        self._sink.flush()

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._sink.flush()
            self.closed = True

    def _seal(self, chunk: bytes, *, last: bool) -> None:
        nonce = _nonce(self._prefix, self._counter, last)
        self._sink.write(self._aead.encrypt(nonce, chunk, self._header))
        self._counter += 1


def unseal_chunks(source: IO[bytes], passphrase: str) -> Iterator[bytes]:
    """The plaintext of a sealed stream, chunk by chunk; SealedStreamError at the first problem."""
    head = source.read(len(MAGIC) + 4)
    if len(head) != len(MAGIC) + 4 or not head.startswith(MAGIC):
        raise SealedStreamError("not a Reclaim backup")
    (length,) = struct.unpack(">I", head[len(MAGIC) :])
    if length > MAX_HEADER:
        raise SealedStreamError("damaged header")
    header = source.read(length)
    try:
        fields = json.loads(header)
        kdf = fields["kdf"]
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        if not (2 <= n <= 2**20 and r <= 32 and p <= 16) or fields["chunk_size"] != CHUNK_SIZE:
            raise ValueError("unexpected parameters")
        salt, prefix = _unb64(kdf["salt"]), _unb64(fields["nonce_prefix"])
    except (ValueError, KeyError, TypeError) as error:
        raise SealedStreamError(f"damaged header: {error}") from None
    aead = AESGCM(_derive(passphrase, salt, n, r, p))
    counter = 0
    current = source.read(CHUNK_SIZE + TAG_SIZE)
    while True:
        following = source.read(CHUNK_SIZE + TAG_SIZE)
        last = not following
        try:
            yield aead.decrypt(_nonce(prefix, counter, last), current, header)
        except InvalidTag:
            if counter == 0:
                raise SealedStreamError("wrong passphrase, or the backup was altered") from None
            raise SealedStreamError("the backup was altered or cut short") from None
        if last:
            return
        current = following
        counter += 1


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
