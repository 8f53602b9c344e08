"""The installation's Ed25519 signing key, which signs every evidence log's tree heads.

The key is the installation's identity in court: it is written once, private to its owner from
the first byte, and never replaced by Reclaim.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from reclaim.errors import N_, NotInitializedError, ReclaimError, UserInputError

KEY_FILE_MODE: Final = 0o600
KEY_DIR_MODE: Final = 0o700


@dataclass(frozen=True, slots=True)
class SigningKeyInfo:
    """The public side of a signing key: what bundles carry and what verifiers compare."""

    path: Path
    public_key_hex: str  # the raw 32-byte Ed25519 public key
    fingerprint: str  # SHA-256 of the raw public key


def create_signing_key(path: Path) -> SigningKeyInfo:
    """Generate a key and write it as PKCS#8 PEM, readable by its owner only; never overwrites."""
    if path.exists():
        raise _key_exists(path)
    _make_private_dir(path.parent)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_new_private_file(path, pem)
    return signing_key_info(path, key)


def restore_signing_key(path: Path, pem: bytes) -> SigningKeyInfo:
    """Write a key from a backup, as create_signing_key writes a new one; never overwrites."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise ReclaimError(N_("The backup's signing key is not an Ed25519 private key."))
    if path.exists():
        raise _key_exists(path)
    _make_private_dir(path.parent)
    _write_new_private_file(path, pem)
    return signing_key_info(path, key)


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """Read the key written by create_signing_key."""
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        raise NotInitializedError(N_("No signing key at {path}."), path=str(path)) from None
    except OSError as error:
        raise ReclaimError(
            N_("Cannot read the signing key {path}: {reason}"),
            hint=N_("Check the file's owner and permissions."),
            path=str(path),
            reason=error.strerror or str(error),
        ) from error
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise ReclaimError(
            N_("{path} is not an unencrypted Ed25519 private key in PEM format."),
            hint=N_("Restore the key from your backup (`reclaim restore`)."),
            path=str(path),
        )
    return key


def signing_key_info(path: Path, key: Ed25519PrivateKey) -> SigningKeyInfo:
    """The public key and fingerprint of ``key``, stored at ``path``."""
    public_hex = public_key_bytes(key.public_key()).hex()
    return SigningKeyInfo(path=path, public_key_hex=public_hex, fingerprint=key_fingerprint(public_hex))


def public_key_bytes(public_key: Ed25519PublicKey) -> bytes:
    """The raw 32-byte encoding (RFC 8032), which any Ed25519 verifier accepts."""
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_fingerprint(public_key_hex: str) -> str:
    """SHA-256 of the raw public key, as hex: short enough to read aloud, checkable with sha256sum."""
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()


def verify_signature(public_key_hex: str, signature: bytes, message: bytes) -> bool:
    """True when ``signature`` is ``message`` signed by the key whose raw public key is given."""
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _key_exists(path: Path) -> UserInputError:
    return UserInputError(
        N_("A signing key already exists at {path}; Reclaim never replaces it."),
        hint=N_("Keep the existing key: evidence already signed with it depends on it."),
        path=str(path),
    )


def _make_private_dir(directory: Path) -> None:
    if directory.is_dir():
        # An existing directory may be shared (the user chose the path); leave its mode alone.
        return
    directory.parent.mkdir(parents=True, exist_ok=True)
    directory.mkdir(mode=KEY_DIR_MODE)
    # mkdir's mode is filtered by the umask; set it exactly.
    directory.chmod(KEY_DIR_MODE)


def _write_new_private_file(path: Path, content: bytes) -> None:
    # The file is created with mode 0600 by open(2) itself, so no other user can open it even
    # between creation and a chmod. It is written and synced under a temporary name and then
    # hard-linked into place: link(2) fails if the key already exists (no overwrite, even in a
    # race with another `reclaim init`), and a crash never leaves a half-written key.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(
        temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), KEY_FILE_MODE
    )
    try:
        try:
            os.fchmod(fd, KEY_FILE_MODE)  # the umask may have removed bits; make it exact
            view = memoryview(content)
            while view:  # os.write may write less than asked
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise _key_exists(path) from None
    finally:
        temporary.unlink(missing_ok=True)
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # Makes the new name durable: a key that vanishes after a power cut would orphan the logs it signed.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # some platforms cannot open directories; the data itself is already synced
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
