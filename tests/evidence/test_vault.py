"""The vault: captures round-trip, stay sealed on disk, and refuse a wrong passphrase or tampering."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from reclaim.errors import ReclaimError, UserInputError, VaultLockedError
from reclaim.evidence.vault import Vault

FAST = 2**10  # scrypt cost for tests only; the parameters are stored, so unlocking uses the same


def test_capture_round_trips_and_is_never_on_disk_in_the_clear(tmp_path: Path) -> None:
    secret = os.urandom(3000) + b"the photo bytes"
    vault = Vault(tmp_path / "vault", "correct horse", scrypt_n=FAST)
    name = vault.store("case1", secret)
    assert Vault(tmp_path / "vault", "correct horse").load("case1", name) == secret
    for path in (tmp_path / "vault").rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert secret[:32] not in content and b"the photo bytes" not in content
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "vault" / "case1").stat().st_mode) == 0o700


def test_a_wrong_passphrase_does_not_open_the_case(tmp_path: Path) -> None:
    name = Vault(tmp_path, "right", scrypt_n=FAST).store("case1", b"x")
    with pytest.raises(VaultLockedError):
        Vault(tmp_path, "wrong").load("case1", name)
    with pytest.raises(UserInputError):
        Vault(tmp_path, "")


def test_each_case_has_its_own_key_and_files_cannot_be_swapped(tmp_path: Path) -> None:
    vault = Vault(tmp_path, "pass", scrypt_n=FAST)
    first, second = vault.store("a", b"first"), vault.store("a", b"second")
    assert vault.case_key("a") != vault.case_key("b")
    (tmp_path / "a" / first).write_bytes((tmp_path / "a" / second).read_bytes())
    with pytest.raises(ReclaimError, match="altered"):
        vault.load("a", first)
    blob = bytearray((tmp_path / "a" / second).read_bytes())
    blob[-1] ^= 1
    (tmp_path / "a" / second).write_bytes(bytes(blob))
    with pytest.raises(ReclaimError, match="altered"):
        vault.load("a", second)


def test_deleting_a_case_removes_its_key_and_captures(tmp_path: Path) -> None:
    vault = Vault(tmp_path, "pass", scrypt_n=FAST)
    vault.store("a", b"x")
    vault.delete_case("a")
    assert not (tmp_path / "a").exists()
