"""The vault: captures and web archives encrypted at rest, one random AES-256-GCM key per case.

A case's key is wrapped (AES-256-GCM again) by a key derived from the user's passphrase with
scrypt, and stored beside the case's files. Without the passphrase a stolen laptop or backup
shows only ciphertext under random names; nothing of a capture, not even a thumbnail, is
written in the clear. Deleting a case's folder (and its key) makes its captures unrecoverable.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from reclaim.errors import N_, ReclaimError, UserInputError, VaultLockedError

FILE_MAGIC: Final = b"RCLVLT01"
KEY_FILE: Final = "case-key.json"
NONCE_SIZE: Final = 12
KEY_SIZE: Final = 32
# scrypt cost: 2^15 x 8 x 128 bytes = 32 MiB and about a tenth of a second per unlock, the
# interactive setting of the scrypt paper and RFC 7914; the parameters are stored per key so a
# later version can raise them without locking old vaults.
SCRYPT_N: Final = 2**15
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1
_SAFE_NAME: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_PRIVATE_DIR: Final = 0o700
_PRIVATE_FILE: Final = 0o600


class Vault:
    """The encrypted captures under one folder, opened with one passphrase."""

    def __init__(self, root: Path, passphrase: str, *, scrypt_n: int = SCRYPT_N) -> None:
        if not passphrase:
            raise UserInputError(
                N_("The vault needs a passphrase."),
                hint=N_("Set RECLAIM_PASSPHRASE or type one when asked; keep it somewhere safe."),
            )
        self.root = root
        self._passphrase = passphrase.encode("utf-8")
        self._scrypt_n = scrypt_n
        self._keys: dict[str, bytes] = {}

    def case_key(self, case_id: str) -> bytes:
        """The case's data key: unwrapped with the passphrase, or made and wrapped on first use."""
        if case_id in self._keys:
            return self._keys[case_id]
        folder = self._case_dir(case_id)
        key_path = folder / KEY_FILE
        if not key_path.exists():
            _make_private_dir(folder)
            # Never replaces a key: another process may have made one a moment ago, and captures
            # sealed with it would be lost. Whichever key landed first is the case's key.
            wrapped = self._wrap(case_id, AESGCM.generate_key(bit_length=256))
            write_private_file(key_path, wrapped, replace=False)
        key = self._unwrap(case_id, key_path)
        self._keys[case_id] = key
        return key

    def store(self, case_id: str, data: bytes, *, name: str | None = None) -> str:
        """Encrypt ``data`` into the case's folder; returns its name there (random unless given).

        A given name replaces what was stored under it: for a secret kept under a fixed name,
        such as the Telegram login (services/telegram_session.py).
        """
        key = self.case_key(case_id)
        if name is None:
            name = secrets.token_hex(16)
        elif not _SAFE_NAME.match(name):
            raise ReclaimError(N_("{name} is not a vault file name."), name=name)
        nonce = os.urandom(NONCE_SIZE)
        sealed = AESGCM(key).encrypt(nonce, data, _file_aad(case_id, name))
        write_private_file(self._case_dir(case_id) / name, FILE_MAGIC + nonce + sealed)
        return name

    def contains(self, case_id: str, name: str) -> bool:
        """Whether a file of this name is stored for the case (nothing is decrypted)."""
        return bool(_SAFE_NAME.match(name)) and (self._case_dir(case_id) / name).is_file()

    def load(self, case_id: str, name: str) -> bytes:
        """The plaintext of a stored capture; raises when it is missing or was altered."""
        if not _SAFE_NAME.match(name):
            raise ReclaimError(N_("{name} is not a vault file name."), name=name)
        key = self.case_key(case_id)
        path = self._case_dir(case_id) / name
        try:
            blob = path.read_bytes()
        except OSError as error:
            raise ReclaimError(
                N_("A capture is missing from the vault: {path} ({reason})."),
                hint=N_("Restore the vault from your backup (`reclaim restore`)."),
                path=str(path),
                reason=error.strerror or str(error),
            ) from error
        nonce, sealed = (
            blob[len(FILE_MAGIC) : len(FILE_MAGIC) + NONCE_SIZE],
            blob[len(FILE_MAGIC) + NONCE_SIZE :],
        )
        try:
            if not blob.startswith(FILE_MAGIC):
                raise InvalidTag
            return AESGCM(key).decrypt(nonce, sealed, _file_aad(case_id, name))
        except InvalidTag:
            raise ReclaimError(
                N_("The vault file {path} was altered or damaged and cannot be decrypted."),
                hint=N_("Restore the vault from your backup (`reclaim restore`)."),
                path=str(path),
            ) from None

    def remove(self, case_id: str, name: str) -> None:
        """Delete one stored capture (a failed append leaves nothing behind)."""
        if _SAFE_NAME.match(name):
            (self._case_dir(case_id) / name).unlink(missing_ok=True)

    def delete_case(self, case_id: str) -> None:
        """Delete the case's key and captures: without the key, copies of them in old backups stay sealed."""
        shutil.rmtree(self._case_dir(case_id), ignore_errors=True)
        self._keys.pop(case_id, None)

    def _case_dir(self, case_id: str) -> Path:
        if not _SAFE_NAME.match(case_id):
            raise ReclaimError(N_("{name} is not a vault file name."), name=case_id)
        return self.root / case_id

    def _wrap(self, case_id: str, key: bytes) -> bytes:
        salt = os.urandom(16)
        nonce = os.urandom(NONCE_SIZE)
        kek = _derive(self._passphrase, salt, self._scrypt_n, SCRYPT_R, SCRYPT_P)
        wrapped = AESGCM(kek).encrypt(nonce, key, _key_aad(case_id))
        record = {
            "version": 1,
            "cipher": "AES-256-GCM",
            "kdf": {"name": "scrypt", "n": self._scrypt_n, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt)},
            "nonce": _b64(nonce),
            "wrapped_key": _b64(wrapped),
        }
        return json.dumps(record, sort_keys=True, indent=1).encode("ascii")

    def _unwrap(self, case_id: str, path: Path) -> bytes:
        try:
            record = json.loads(path.read_bytes())
            kdf = record["kdf"]
            kek = _derive(self._passphrase, _unb64(kdf["salt"]), int(kdf["n"]), int(kdf["r"]), int(kdf["p"]))
            nonce, wrapped = _unb64(record["nonce"]), _unb64(record["wrapped_key"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ReclaimError(
                N_("The vault key {path} is damaged: {reason}"),
                hint=N_("Restore the vault from your backup (`reclaim restore`)."),
                path=str(path),
                reason=str(error),
            ) from error
        try:
            return AESGCM(kek).decrypt(nonce, wrapped, _key_aad(case_id))
        except InvalidTag:
            raise VaultLockedError(
                N_("The passphrase does not open the vault of case {case}."), case=case_id
            ) from None


def erase_case(root: Path, case_id: str) -> None:
    """Delete a case's key and every file sealed for it, or raise; needs no passphrase.

    For a withdrawal: she must be able to withdraw even after forgetting the passphrase, and a
    file that could not be deleted must be an error, not a silent leftover.
    """
    if not _SAFE_NAME.match(case_id):
        raise ReclaimError(N_("{name} is not a vault file name."), name=case_id)
    folder = root / case_id
    try:
        _overwrite(folder / KEY_FILE)
        if folder.exists():
            shutil.rmtree(folder)
    except OSError as error:
        raise ReclaimError(
            N_("The vault files of case {case} could not be deleted: {reason}"),
            hint=N_("Check the permissions of the vault folder and run the withdrawal again."),
            case=case_id,
            reason=error.strerror or str(error),
        ) from error


def _overwrite(path: Path) -> None:
    # The key first, zeroed in place before its name goes: without it the sealed files that a
    # disk tool might still find are noise. Best effort: SSDs and copy-on-write file systems may
    # keep the old block, which the passphrase still guards.
    if not path.is_file():
        return
    with path.open("r+b") as handle:
        handle.write(bytes(path.stat().st_size))
        handle.flush()
        os.fsync(handle.fileno())


def _derive(passphrase: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=KEY_SIZE, n=n, r=r, p=p).derive(passphrase)


def _key_aad(case_id: str) -> bytes:
    # Binds a wrapped key to its case: a key file copied into another case's folder will not open.
    return b"reclaim-vault-key/1:" + case_id.encode("ascii")


def _file_aad(case_id: str, name: str) -> bytes:
    # Binds a capture to its case and name, so files cannot be swapped between entries unnoticed.
    return FILE_MAGIC + case_id.encode("ascii") + b"/" + name.encode("ascii")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _make_private_dir(path: Path) -> None:
    if path.is_dir():
        return
    path.mkdir(mode=_PRIVATE_DIR, parents=True, exist_ok=True)
    path.chmod(_PRIVATE_DIR)


def write_private_file(path: Path, content: bytes, *, replace: bool = True) -> None:
    """Write a file only its owner can read, atomically (the vault's files, reports)."""
    # Written under a temporary name, synced, then renamed: a crash leaves the old file or the
    # new one, never half of one; the directory is synced so the name survives a power cut.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE_FILE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)  # fails when the name exists, unlike rename
            except FileExistsError:
                return
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
