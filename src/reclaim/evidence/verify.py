"""Check a bundle offline: signatures, file digests, the Merkle tree, every proof, the captures.

A bundle comes from outside and may be hostile. Nothing is extracted to disk; every member is
read into memory within limits fixed before reading (declared sizes, compression ratio, member
count), names are checked for traversal and duplicates, and JSON is parsed with limits on size
and depth. Every problem becomes a message naming the file, the entry and the check; nothing
raises out of ``verify_bundle``.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from cryptography import x509
from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from reclaim.errors import N_
from reclaim.evidence import bundle as layout
from reclaim.evidence.canonical import is_canonical
from reclaim.evidence.keys import key_fingerprint, public_key_bytes, verify_signature
from reclaim.evidence.log import (
    TreeHead,
    hashes_from_hex,
    leaf_hash,
    merkle_root,
    parse_tree_head,
    verify_consistency,
    verify_inclusion,
)

MAX_MEMBERS: Final = 250_000
MAX_TOTAL_BYTES: Final = 8 * 1024**3
MAX_CAPTURE_BYTES: Final = 2 * 1024**3
MAX_TEXT_BYTES: Final = 512 * 1024**2  # entries.jsonl and proofs of a very large case
MAX_SMALL_BYTES: Final = 64 * 1024**2  # manifest, key, heads
MAX_LINE_BYTES: Final = 1024**2  # one entry or proof
# Deflate cannot compress better than about 1032:1; more than that declared is a zip bomb, and
# no honest bundle member comes near this ratio anyway.
MAX_RATIO: Final = 200
_ALLOWED_NAME: Final = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")
_HEX64: Final = re.compile(r"^[0-9a-f]{64}$")
_FILE_PROBLEMS: Final = {
    "large": N_("{file} is too large."),
    "json": N_("{file} is not valid JSON."),
    "object": N_("{file} is not a JSON object."),
}
_LINE_PROBLEMS: Final = {
    "large": N_("Line {line} of {file} is too large."),
    "json": N_("Line {line} of {file} is not valid JSON."),
    "object": N_("Line {line} of {file} is not a JSON object."),
}


@dataclass(frozen=True, slots=True)
class Problem:
    message: str  # an N_ message id
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class BundleReport:
    """What a bundle is and whether it holds; ``problems`` empty means intact."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    case_id: str | None = None
    key_fingerprint: str | None = None
    tree_size: int | None = None
    root_hash: str | None = None
    captures: int = 0
    captures_decrypted: int = 0
    # Earlier heads this bundle proves it extends: size -> root hex (signatures and proofs checked).
    extends: dict[int, str] = field(default_factory=dict)
    # RFC 3161 time-stamps found valid: tree size, the authority's time, who, chain checked or not.
    timestamps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    def add(self, message: str, **params: Any) -> None:
        self.problems.append(Problem(message, params))


class _StopCheckingError(Exception):
    """Nothing further can be checked."""


def verify_bundle(
    path: Path,
    *,
    expected_fingerprint: str | None = None,
    bundle_key: bytes | None = None,
    tsa_roots: Sequence[x509.Certificate] = (),
) -> BundleReport:
    """Every check of a bundle; with ``bundle_key`` the sealed captures are opened and hashed too.

    With ``tsa_roots`` the time-stamps' signatures are checked up to those roots; without, only
    that each time-stamp is of its tree head.
    """
    report = BundleReport(path)
    try:
        members = _read_members(path, report)
        _check(members, report, expected_fingerprint, bundle_key)
        if report.problems == [] and report.tree_size is not None:
            _check_timestamps(members, report, tsa_roots)
    except _StopCheckingError:
        pass
    except (MemoryError, RecursionError):
        report.add(N_("The bundle is too large or too deeply nested to check."))
    except Exception as error:
        report.add(N_("The bundle could not be checked ({reason})."), reason=type(error).__name__)
    return report


def verify_extension(earlier: BundleReport, later: BundleReport) -> list[Problem]:
    """Problems with the claim that ``later``'s log extends ``earlier``'s (both verified first)."""
    if not earlier.intact or not later.intact or earlier.tree_size is None or later.tree_size is None:
        return [Problem(N_("Both bundles must verify before one can be shown to extend the other."))]
    if earlier.case_id != later.case_id or earlier.key_fingerprint != later.key_fingerprint:
        return [Problem(N_("The bundles are from different cases or signed by different keys."))]
    if earlier.tree_size == later.tree_size and earlier.root_hash == later.root_hash:
        return []
    if later.extends.get(earlier.tree_size) != earlier.root_hash:
        return [
            Problem(
                N_("The later bundle does not prove that it extends the earlier tree head (size {size})."),
                {"size": earlier.tree_size},
            )
        ]
    return []


def _read_members(path: Path, report: BundleReport) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError):
        report.add(N_("{file} is not a readable zip file."), file=path.name)
        raise _StopCheckingError from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            report.add(N_("The bundle holds {count} files, more than a bundle can."), count=len(infos))
            raise _StopCheckingError
        seen: set[str] = set()
        total = 0
        for info in infos:
            name = info.filename
            if not _ALLOWED_NAME.match(name) or any(part in ("", ".", "..") for part in name.split("/")):
                report.add(N_("The bundle contains a file with a forbidden name: {name}."), name=name[:200])
            elif name in seen:
                report.add(N_("The bundle contains {name} more than once."), name=name)
            if info.flag_bits & 0x1:
                report.add(N_("{name} in the bundle is encrypted as a zip entry."), name=name[:200])
            limit = _limit_for(name)
            total += info.file_size
            if info.file_size > limit or total > MAX_TOTAL_BYTES:
                report.add(
                    N_("{name} in the bundle is too large ({size} bytes)."),
                    name=name[:200],
                    size=info.file_size,
                )
            elif info.file_size > 1024**2 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                report.add(N_("{name} in the bundle is a zip bomb (it expands too far)."), name=name[:200])
            seen.add(name)
        if report.problems:
            raise _StopCheckingError
        members: dict[str, bytes] = {}
        for info in infos:
            members[info.filename] = _read_member(archive, info, report)
        if report.problems:
            raise _StopCheckingError
        return members


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, report: BundleReport) -> bytes:
    try:
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError):
        report.add(N_("{name} in the bundle is damaged and cannot be read."), name=info.filename)
        return b""
    if len(data) != info.file_size:
        report.add(N_("{name} in the bundle is damaged and cannot be read."), name=info.filename)
    return data


def _limit_for(name: str) -> int:
    if name.startswith(layout.CAPTURES_DIR):
        return MAX_CAPTURE_BYTES
    if name in (layout.ENTRIES, layout.INCLUSION_PROOFS, layout.CONSISTENCY_PROOFS):
        return MAX_TEXT_BYTES
    return MAX_SMALL_BYTES


def _check(
    members: dict[str, bytes],
    report: BundleReport,
    expected_fingerprint: str | None,
    bundle_key: bytes | None,
) -> None:
    for required in (layout.MANIFEST, layout.MANIFEST_SIGNATURE, layout.PUBLIC_KEY):
        if required not in members:
            report.add(N_("The bundle has no {file}."), file=required)
    if report.problems:
        raise _StopCheckingError
    public_hex = _public_key(members[layout.PUBLIC_KEY], report)
    report.key_fingerprint = key_fingerprint(public_hex)
    if expected_fingerprint is not None and expected_fingerprint.strip().lower() != report.key_fingerprint:
        report.add(
            N_("The bundle is signed by key {found}, not by the expected key {expected}."),
            found=report.key_fingerprint,
            expected=expected_fingerprint,
        )
    manifest_bytes = members[layout.MANIFEST]
    if not verify_signature(public_hex, members[layout.MANIFEST_SIGNATURE], manifest_bytes):
        report.add(
            N_("manifest.json is not signed by the key in public-key.pem (it or the key was altered).")
        )
        raise _StopCheckingError
    manifest = _json_object(manifest_bytes, layout.MANIFEST, report)
    if manifest.get("format") != layout.BUNDLE_FORMAT or manifest.get("version") != layout.BUNDLE_VERSION:
        report.add(
            N_("{file} is not a Reclaim evidence bundle of a version this program knows."),
            file=layout.MANIFEST,
        )
        raise _StopCheckingError
    if manifest.get("public_key") != public_hex:
        report.add(N_("The manifest names a different public key than public-key.pem."))
    _check_files(members, manifest, report)
    case_id = manifest.get("case_id")
    size = manifest.get("tree_size")
    if not isinstance(case_id, str) or not isinstance(size, int) or isinstance(size, bool) or size < 1:
        report.add(N_("{file} lacks a valid {field}."), file=layout.MANIFEST, field="case_id/tree_size")
        raise _StopCheckingError
    report.case_id, report.tree_size = case_id, size
    root = _check_head(members, public_hex, case_id, size, report)
    report.root_hash = root.hex()
    if manifest.get("root_hash") != root.hex():
        report.add(N_("The manifest's root hash is not the signed tree head's."))
    entries, leaves = _check_entries(members, case_id, size, root, report)
    _check_inclusion(members, leaves, size, root, report)
    _check_consistency(members, public_hex, TreeHead(case_id, size, root, 0), report)
    _check_captures(members, manifest, entries, bundle_key, report)


def _public_key(pem: bytes, report: BundleReport) -> str:
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        key = None
    if not isinstance(key, Ed25519PublicKey):
        report.add(N_("public-key.pem is not an Ed25519 public key."))
        raise _StopCheckingError
    return public_key_bytes(key).hex()


def _check_files(members: dict[str, bytes], manifest: dict[str, Any], report: BundleReport) -> None:
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        report.add(N_("{file} lacks a valid {field}."), file=layout.MANIFEST, field="files")
        raise _StopCheckingError
    unsigned = {layout.MANIFEST, layout.MANIFEST_SIGNATURE, layout.GUIDE}
    for name in sorted(set(members) - unsigned - set(listed)):
        report.add(N_("{name} was added to the bundle: the manifest does not list it."), name=name)
    for name, digest in sorted(listed.items()):
        if name not in members:
            report.add(N_("{name} is missing from the bundle."), name=name)
        elif hashlib.sha256(members[name]).hexdigest() != digest:
            report.add(N_("{name} was altered: its SHA-256 is not the one the manifest lists."), name=name)


def _check_head(
    members: dict[str, bytes], public_hex: str, case_id: str, size: int, report: BundleReport
) -> bytes:
    body_name = layout.head_file(size)
    signature_name = body_name.removesuffix(".json") + ".sig"
    body, signature = members.get(body_name), members.get(signature_name)
    if body is None or signature is None:
        report.add(N_("The bundle has no {file}."), file=body_name)
        raise _StopCheckingError
    if not verify_signature(public_hex, signature, body):
        report.add(N_("The tree head {file} is not signed by the bundle's key."), file=body_name)
    try:
        head = parse_tree_head(body)
    except ValueError as error:
        report.add(N_("{file} is not a valid tree head: {reason}"), file=body_name, reason=str(error))
        raise _StopCheckingError from None
    if head.case_id != case_id or head.size != size:
        report.add(N_("The tree head {file} is for another case or size."), file=body_name)
    return head.root


def _check_entries(
    members: dict[str, bytes], case_id: str, size: int, root: bytes, report: BundleReport
) -> tuple[list[dict[str, Any]], list[bytes]]:
    lines = list(_lines(members.get(layout.ENTRIES), layout.ENTRIES, report))
    if len(lines) != size:
        report.add(
            N_("entries.jsonl has {count} entries; the signed tree head says {size}."),
            count=len(lines),
            size=size,
        )
    entries: list[dict[str, Any]] = []
    for number, line in enumerate(lines):
        entry = _json_object(line, layout.ENTRIES, report, entry=number, stop=False)
        if not is_canonical(line):
            report.add(N_("Entry {entry} is not canonical JSON."), entry=number)
        elif entry.get("case_id") != case_id:
            report.add(N_("Entry {entry} belongs to another case."), entry=number)
        entries.append(entry)
    if merkle_root([leaf_hash(line) for line in lines]) != root:
        report.add(
            N_(
                "The entries do not add up to the signed root hash: an entry was changed, removed, "
                "reordered or added."
            )
        )
    return entries, [leaf_hash(line) for line in lines]


def _check_inclusion(
    members: dict[str, bytes], leaves: list[bytes], size: int, root: bytes, report: BundleReport
) -> None:
    proofs = list(_lines(members.get(layout.INCLUSION_PROOFS), layout.INCLUSION_PROOFS, report))
    if len(proofs) != len(leaves):
        report.add(N_("{file} does not have one proof per entry."), file=layout.INCLUSION_PROOFS)
    for number, (line, leaf) in enumerate(zip(proofs, leaves, strict=False)):
        proof = _json_object(line, layout.INCLUSION_PROOFS, report, entry=number, stop=False)
        try:
            path = hashes_from_hex(proof.get("audit_path"))
            stated_leaf = bytes.fromhex(str(proof.get("leaf_hash")))
        except ValueError:
            report.add(N_("The inclusion proof of entry {entry} is malformed."), entry=number)
            continue
        if proof.get("leaf_index") != number or proof.get("tree_size") != size or stated_leaf != leaf:
            report.add(N_("The inclusion proof of entry {entry} is for another entry."), entry=number)
        elif not verify_inclusion(leaf, number, size, path, root):
            report.add(
                N_("Entry {entry} is not in the signed tree: its inclusion proof fails."), entry=number
            )


def _check_consistency(
    members: dict[str, bytes], public_hex: str, head: TreeHead, report: BundleReport
) -> None:
    case_id, size, root = head.case_id, head.size, head.root
    for number, line in enumerate(
        _lines(members.get(layout.CONSISTENCY_PROOFS), layout.CONSISTENCY_PROOFS, report)
    ):
        proof = _json_object(line, layout.CONSISTENCY_PROOFS, report, entry=number, stop=False)
        old_size, old_root_hex = proof.get("from_size"), proof.get("from_root")
        if (
            not isinstance(old_size, int)
            or not isinstance(old_root_hex, str)
            or not _HEX64.match(old_root_hex)
        ):
            report.add(N_("Consistency proof {entry} is malformed."), entry=number)
            continue
        name = layout.head_file(old_size)
        body, signature = members.get(name), members.get(name.removesuffix(".json") + ".sig")
        try:
            path = hashes_from_hex(proof.get("proof"))
            old_head = parse_tree_head(body or b"")
        except ValueError:
            report.add(N_("Consistency proof {entry} is malformed."), entry=number)
            continue
        if (
            signature is None
            or not verify_signature(public_hex, signature, body or b"")
            or old_head.case_id != case_id
            or old_head.size != old_size
            or old_head.root.hex() != old_root_hex
            or proof.get("to_size") != size
            or not verify_consistency(old_size, size, old_head.root, root, path)
        ):
            report.add(
                N_("The log does not provably extend its earlier tree head of size {size}."), size=old_size
            )
            continue
        report.extends[old_size] = old_root_hex


def _check_captures(
    members: dict[str, bytes],
    manifest: dict[str, Any],
    entries: list[dict[str, Any]],
    bundle_key: bytes | None,
    report: BundleReport,
) -> None:
    listed = manifest.get("captures")
    if not isinstance(listed, list):
        report.add(N_("{file} lacks a valid {field}."), file=layout.MANIFEST, field="captures")
        return
    for item in listed:
        if not isinstance(item, dict):
            report.add(N_("{file} lacks a valid {field}."), file=layout.MANIFEST, field="captures")
            continue
        index, name, digest = item.get("leaf_index"), item.get("file"), item.get("plaintext_sha256")
        entry = entries[index] if isinstance(index, int) and 0 <= index < len(entries) else None
        recorded = _recorded_digest(entry, item.get("kind"))
        if not isinstance(name, str) or name not in members or recorded is None or recorded != digest:
            report.add(
                N_("Capture {file} does not match the entry it claims to belong to."), file=str(name)[:200]
            )
            continue
        report.captures += 1
        if bundle_key is None or item.get("protection") != layout.SEALED:
            continue
        blob = members[name]
        try:
            assert isinstance(index, int)
            plain = AESGCM(bundle_key).decrypt(
                blob[: layout.NONCE_SIZE], blob[layout.NONCE_SIZE :], layout.capture_aad(index, name)
            )
        except (InvalidTag, ValueError):
            report.add(N_("Capture {file} does not open with the bundle key."), file=name)
            continue
        if hashlib.sha256(plain).hexdigest() != recorded:
            report.add(N_("Capture {file} is not the file the entry recorded (SHA-256 differs)."), file=name)
            continue
        report.captures_decrypted += 1


def _check_timestamps(
    members: dict[str, bytes], report: BundleReport, roots: Sequence[x509.Certificate]
) -> None:
    from reclaim.evidence.timestamp import TimestampError, check_timestamp

    manifest = json.loads(members[layout.MANIFEST])
    listed = manifest.get("timestamps", [])
    if not isinstance(listed, list):
        report.add(N_("{file} lacks a valid {field}."), file=layout.MANIFEST, field="timestamps")
        return
    for item in listed:
        size = item.get("tree_size") if isinstance(item, dict) else None
        name = item.get("file") if isinstance(item, dict) else None
        head = members.get(layout.head_file(size)) if isinstance(size, int) else None
        if head is None or not isinstance(name, str) or name not in members:
            report.add(N_("{file} lacks a valid {field}."), file=layout.MANIFEST, field="timestamps")
            continue
        try:
            checked = check_timestamp(members[name], head, roots=roots)
        except TimestampError as error:
            report.add(N_("The time-stamp {file} does not hold: {reason}"), file=name, reason=str(error))
            continue
        report.timestamps.append(
            {
                "tree_size": size,
                "gen_time": checked.gen_time.isoformat(),
                "authority": checked.authority,
                "chain_verified": checked.chain_verified,
            }
        )


def _recorded_digest(entry: dict[str, Any] | None, kind: object) -> str | None:
    if entry is None:
        return None
    field_name = "archive" if kind in ("archive", "screenshot") else "capture"
    record = entry.get(field_name)
    if kind == "screenshot" and isinstance(record, dict):
        record = record.get("screenshot")  # the archive's full-page screenshot
    if not isinstance(record, dict):
        return None
    digest = record.get("sha256")
    return digest if isinstance(digest, str) else None


def _lines(data: bytes | None, name: str, report: BundleReport) -> Iterator[bytes]:
    if data is None:
        report.add(N_("The bundle has no {file}."), file=name)
        return
    if data and not data.endswith(b"\n"):
        report.add(N_("{file} does not end with a line break: it was cut short or altered."), file=name)
    for line in data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n"):
        if line:
            yield line


def _json_object(
    data: bytes, name: str, report: BundleReport, *, entry: int | None = None, stop: bool = True
) -> dict[str, Any]:
    if len(data) > (MAX_SMALL_BYTES if entry is None else MAX_LINE_BYTES):
        problem = "large"
    else:
        try:
            value = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates)
        except (UnicodeDecodeError, ValueError, RecursionError):
            problem = "json"
        else:
            if isinstance(value, dict):
                return value
            problem = "object"
    if entry is None:
        report.add(_FILE_PROBLEMS[problem], file=name)
    else:
        report.add(_LINE_PROBLEMS[problem], line=entry + 1, file=name)
    if stop:
        raise _StopCheckingError
    return {}


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result
