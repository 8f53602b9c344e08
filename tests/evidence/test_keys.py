"""The signing key: private from the first byte, never overwritten, signs and verifies."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from reclaim.errors import NotInitializedError, ReclaimError, UserInputError
from reclaim.evidence.keys import (
    create_signing_key,
    key_fingerprint,
    load_signing_key,
    public_key_bytes,
    signing_key_info,
    verify_signature,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """Umask 0: whatever mode the code asks open(2) and mkdir(2) for is what it gets."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_key_file_is_0600_and_its_new_directory_0700(tmp_path: Path, permissive_umask: None) -> None:
    path = tmp_path / "keys" / "signing.pem"
    create_signing_key(path)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


def test_no_temporary_file_is_left_behind(tmp_path: Path) -> None:
    create_signing_key(tmp_path / "signing.pem")
    assert [p.name for p in tmp_path.iterdir()] == ["signing.pem"]


def test_existing_key_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "signing.pem"
    create_signing_key(path)
    original = path.read_bytes()
    with pytest.raises(UserInputError, match="already exists"):
        create_signing_key(path)
    assert path.read_bytes() == original


def test_loaded_key_signs_and_the_public_key_verifies(tmp_path: Path) -> None:
    path = tmp_path / "signing.pem"
    info = create_signing_key(path)
    key = load_signing_key(path)
    message = b"tree head: size 3, root 00ff"
    signature = key.sign(message)
    assert verify_signature(info.public_key_hex, signature, message)
    assert not verify_signature(info.public_key_hex, signature, message + b"!")
    assert not verify_signature(info.public_key_hex, b"\x00" * 64, message)


def test_fingerprint_is_sha256_of_the_raw_public_key(tmp_path: Path) -> None:
    path = tmp_path / "signing.pem"
    info = create_signing_key(path)
    raw = public_key_bytes(load_signing_key(path).public_key())
    assert len(raw) == 32
    assert info.public_key_hex == raw.hex()
    assert info.fingerprint == hashlib.sha256(raw).hexdigest() == key_fingerprint(raw.hex())
    assert signing_key_info(path, load_signing_key(path)) == info


def test_each_created_key_is_new(tmp_path: Path) -> None:
    first = create_signing_key(tmp_path / "a.pem")
    second = create_signing_key(tmp_path / "b.pem")
    assert first.fingerprint != second.fingerprint


def test_missing_key_is_not_initialized(tmp_path: Path) -> None:
    with pytest.raises(NotInitializedError):
        load_signing_key(tmp_path / "nothing.pem")


def test_a_file_that_is_not_an_ed25519_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "signing.pem"
    path.write_text("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n")
    with pytest.raises(ReclaimError, match="not an unencrypted Ed25519 private key"):
        load_signing_key(path)
