"""Evidence bundles: one zip that anyone can check offline with SHA-256 and an Ed25519 verifier.

Layout (every name fixed, so a verifier knows what to expect and refuses anything else):

- ``manifest.json``: canonical JSON naming the case, the key, the tree head, the captures and
  the SHA-256 of every other file; ``manifest.sig``: its raw 64-byte Ed25519 signature.
- ``public-key.pem``: the installation's public key (SubjectPublicKeyInfo PEM, as openssl reads).
- ``entries.jsonl``: the log's entries in order, one canonical JSON object a line.
- ``tree-heads/<size>.json`` and ``.sig``: the signed head, and earlier exported heads; ``.tsr``:
  RFC 3161 time-stamps of them, as the authority sent them.
- ``proofs/inclusion.jsonl``: one RFC 6962 audit path per entry.
- ``proofs/consistency.jsonl``: proofs that this log extends each earlier exported head.
- ``captures/``: captures sealed with a bundle key the recipient gets separately, or blurred.
- ``VERIFY.md``: how to check all this by hand (not covered by the signature: it is advice).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from reclaim.evidence.canonical import canonical_json
from reclaim.evidence.keys import key_fingerprint, public_key_bytes
from reclaim.evidence.verify_guide import VERIFY_GUIDE

BUNDLE_FORMAT: Final = "reclaim-evidence-bundle"
BUNDLE_VERSION: Final = 1
MANIFEST: Final = "manifest.json"
MANIFEST_SIGNATURE: Final = "manifest.sig"
PUBLIC_KEY: Final = "public-key.pem"
ENTRIES: Final = "entries.jsonl"
INCLUSION_PROOFS: Final = "proofs/inclusion.jsonl"
CONSISTENCY_PROOFS: Final = "proofs/consistency.jsonl"
GUIDE: Final = "VERIFY.md"
HEADS_DIR: Final = "tree-heads/"
CAPTURES_DIR: Final = "captures/"
SEALED: Final = "AES-256-GCM"
BLURRED: Final = "blurred"
NONCE_SIZE: Final = 12


@dataclass(frozen=True, slots=True)
class BundleHead:
    size: int
    body: bytes  # the signed bytes
    signature: bytes


@dataclass(frozen=True, slots=True)
class BundleCapture:
    leaf_index: int
    kind: str  # "capture", "archive" or "screenshot"
    plaintext_sha256: str  # what the entry records
    data: bytes  # the plaintext, or the blurred image when redacting


@dataclass(frozen=True, slots=True)
class BundleTimestamp:
    size: int  # of the tree head it stamps
    tsa_url: str
    gen_time: str  # ISO 8601, as the token states
    response: bytes  # TimeStampResp, DER


@dataclass(frozen=True, slots=True)
class BundleContents:
    case_id: str
    installation_id: str
    created_at: str  # ISO 8601 UTC
    entries: Sequence[bytes]
    head: BundleHead
    root: bytes
    earlier_heads: Sequence[BundleHead]
    inclusion: Sequence[Sequence[bytes]]  # one audit path per entry
    consistency: Sequence[tuple[BundleHead, bytes, Sequence[bytes]]]  # (earlier head, its root, proof)
    leaf_hashes: Sequence[bytes]
    captures: Sequence[BundleCapture] = field(default_factory=tuple)
    redacted: bool = False
    timestamps: Sequence[BundleTimestamp] = field(default_factory=tuple)


def head_file(size: int) -> str:
    return f"{HEADS_DIR}{size:012d}.json"


def timestamp_file(size: int, number: int) -> str:
    return f"{HEADS_DIR}{size:012d}-{number}.tsr"


def capture_aad(leaf_index: int, name: str) -> bytes:
    # Binds a sealed capture to its entry and file name: swapping two captures fails to decrypt.
    return f"reclaim-bundle-capture/1:{leaf_index}:{name}".encode("ascii")


def write_bundle(path: Path, contents: BundleContents, key: Ed25519PrivateKey) -> bytes | None:
    """Write the bundle to ``path`` (atomically); returns the bundle key, or None when redacted."""
    bundle_key = None if contents.redacted else AESGCM.generate_key(bit_length=256)
    files: dict[str, bytes] = {}
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    files[PUBLIC_KEY] = public_pem
    files[ENTRIES] = b"".join(entry + b"\n" for entry in contents.entries)
    for head in (*contents.earlier_heads, contents.head):
        files[head_file(head.size)] = head.body
        files[head_file(head.size).removesuffix(".json") + ".sig"] = head.signature
    files[INCLUSION_PROOFS] = b"".join(
        canonical_json(
            {
                "leaf_index": index,
                "leaf_hash": leaf.hex(),
                "tree_size": contents.head.size,
                "audit_path": [node.hex() for node in path],
            }
        )
        + b"\n"
        for index, (leaf, path) in enumerate(zip(contents.leaf_hashes, contents.inclusion, strict=True))
    )
    files[CONSISTENCY_PROOFS] = b"".join(
        canonical_json(
            {
                "from_size": earlier.size,
                "from_root": earlier_root.hex(),
                "to_size": contents.head.size,
                "proof": [node.hex() for node in proof],
            }
        )
        + b"\n"
        for earlier, earlier_root, proof in contents.consistency
    )
    listed_timestamps = []
    for number, stamp in enumerate(contents.timestamps):
        name = timestamp_file(stamp.size, number)
        files[name] = stamp.response
        listed_timestamps.append(
            {"tree_size": stamp.size, "file": name, "tsa_url": stamp.tsa_url, "gen_time": stamp.gen_time}
        )
    listed_captures = []
    for capture in contents.captures:
        if bundle_key is None:
            name = f"{CAPTURES_DIR}{capture.leaf_index:08d}-{capture.kind}-blurred.jpg"
            files[name] = capture.data
        else:
            name = f"{CAPTURES_DIR}{capture.leaf_index:08d}-{capture.kind}.sealed"
            nonce = os.urandom(NONCE_SIZE)
            files[name] = nonce + AESGCM(bundle_key).encrypt(
                nonce, capture.data, capture_aad(capture.leaf_index, name)
            )
        listed_captures.append(
            {
                "leaf_index": capture.leaf_index,
                "kind": capture.kind,
                "file": name,
                "protection": BLURRED if bundle_key is None else SEALED,
                "plaintext_sha256": capture.plaintext_sha256,
            }
        )
    public_hex = public_key_bytes(key.public_key()).hex()
    manifest: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "case_id": contents.case_id,
        "installation_id": contents.installation_id,
        "created_at": contents.created_at,
        "public_key": public_hex,
        "key_fingerprint": key_fingerprint(public_hex),
        "tree_size": contents.head.size,
        "root_hash": contents.root.hex(),
        "redacted": contents.redacted,
        "captures": listed_captures,
        "timestamps": listed_timestamps,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    manifest_bytes = canonical_json(manifest)
    files[MANIFEST] = manifest_bytes
    files[MANIFEST_SIGNATURE] = key.sign(manifest_bytes)
    files[GUIDE] = VERIFY_GUIDE.encode("utf-8")
    _write_zip_atomically(path, files)
    return bundle_key


def _write_zip_atomically(path: Path, files: dict[str, bytes]) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    first = [GUIDE, MANIFEST, MANIFEST_SIGNATURE, PUBLIC_KEY]
    order = [*first, *sorted(set(files) - set(first))]
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in order:
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = (
                    zipfile.ZIP_STORED if name.startswith(CAPTURES_DIR) else zipfile.ZIP_DEFLATED
                )
                info.external_attr = 0o644 << 16
                archive.writestr(info, files[name])
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
