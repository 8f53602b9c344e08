"""Evidence use cases: record a sighting, list a case's log, export a bundle anyone can verify.

Each write goes through one path: the vault file first (synced), then one database transaction
that appends the entries and the newly signed tree head, so that a reported success is durable
and a failure leaves nothing half-recorded.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reclaim.config import Settings
from reclaim.errors import N_, MediaError, NotInitializedError, ReclaimError, UserInputError
from reclaim.evidence.canonical import canonical_json
from reclaim.evidence.entries import (
    CustodyEvent,
    SourceRef,
    custody_entry,
    iso_utc,
    parse_seen_at,
    parse_source_url,
    sighting_entry,
)
from reclaim.evidence.log import TreeHead, leaf_hash, merkle_root, sign_tree_head

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from sqlalchemy import Engine

    from reclaim.evidence.vault import Vault
    from reclaim.store.evidence import NewCapture, NewLogEntry, StoredTreeHead
    from reclaim.store.installations import InstallationRecord

REDACTED_SIZE = 256


@dataclass(frozen=True, slots=True)
class SightingRequest:
    url: str
    capture: Path | None = None
    # A capture sent to the server (the web app's sighting form): held in memory, never on disk.
    capture_bytes: bytes | None = None
    note: str | None = None
    seen_at: str | None = None  # ISO 8601 with a zone, as typed
    archive: bool = False  # fetch the page and its images into a WARC
    source: SourceRef | None = None  # where it was seen, when the scan knows more than a URL tells
    match: dict[str, Any] | None = None  # the reviewed lead this sighting comes from


@dataclass(frozen=True, slots=True)
class RecordedEntry:
    """One entry of a case's log, as ``reclaim evidence add|list --json`` print it."""

    case_id: str
    leaf_index: int
    entry: dict[str, Any]
    leaf_hash: str
    tree_size: int | None = None
    root_hash: str | None = None
    archive_failure: str | None = None  # why the page could not be archived
    screenshot_failure: str | None = None  # why no screenshot was taken of an archived page

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "case_id": self.case_id,
            "leaf_index": self.leaf_index,
            "leaf_hash": self.leaf_hash,
            "entry": self.entry,
        }
        if self.tree_size is not None:
            record["tree_size"] = self.tree_size
            record["root_hash"] = self.root_hash
        return record


@dataclass(frozen=True, slots=True)
class ExportedBundle:
    path: Path
    case_id: str
    entries: int
    captures: int
    root_hash: str
    key_fingerprint: str
    bundle_key: str | None  # hex; None when redacted
    timestamps: int = 0
    timestamp_failure: ReclaimError | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "bundle": str(self.path),
            "timestamps": self.timestamps,
            "case_id": self.case_id,
            "entries": self.entries,
            "captures": self.captures,
            "root_hash": self.root_hash,
            "key_fingerprint": self.key_fingerprint,
            "bundle_key": self.bundle_key,
        }


def add_sighting(
    engine: Engine, settings: Settings, case_id: str, request: SightingRequest, vault: Vault | None
) -> RecordedEntry:
    """Append a sighting (and its capture, sealed in the vault) to the case's log; durable on return."""
    from reclaim.store.evidence import NewCapture, NewLogEntry, append_entries

    now = datetime.now(UTC)
    source = request.source or parse_source_url(request.url)
    seen_at = parse_seen_at(request.seen_at, now) if request.seen_at else None
    installation = _installation(engine)
    key = _signing_key(settings)
    capture_record = None
    data = b""
    if (
        request.capture is not None or request.capture_bytes is not None or request.archive
    ) and vault is None:
        raise UserInputError(N_("Storing a capture needs the vault passphrase."))
    if request.capture is not None:
        data, capture_record = _read_capture(request.capture, settings)
    elif request.capture_bytes is not None:
        data, capture_record = request.capture_bytes, _sent_capture_record(request.capture_bytes, settings)
    archive_record, warc, archive_failure = (
        _archive(source.url, now) if request.archive else (None, b"", None)
    )
    screenshot = b""
    screenshot_failure = None
    if archive_record is not None and archive_failure is None:
        archive_record["screenshot"], screenshot, screenshot_failure = _screenshot(source.url)
    entry = sighting_entry(
        case_id=case_id,
        installation_id=installation.id,
        recorded_by=settings.actor,
        recorded_at=now,
        source=source,
        seen_at=seen_at,
        capture=capture_record,
        note=request.note.strip() or None if request.note else None,
        archive=archive_record,
        match=request.match,
    )
    body = canonical_json(entry)
    captures: list[NewCapture] = []
    if capture_record is not None and vault is not None:
        name = vault.store(case_id, data)
        captures.append(NewCapture(0, name, "capture", capture_record["sha256"], len(data)))
    if warc and archive_record is not None and vault is not None:
        name = vault.store(case_id, warc)
        captures.append(NewCapture(0, name, "archive", archive_record["sha256"], len(warc)))
    if screenshot and archive_record is not None and vault is not None:
        name = vault.store(case_id, screenshot)
        digest = archive_record["screenshot"]["sha256"]
        captures.append(NewCapture(0, name, "screenshot", digest, len(screenshot)))
    try:
        index, head = append_entries(
            engine,
            case_id,
            [NewLogEntry("sighting", body, leaf_hash(body))],
            sign_head=_head_signer(key, case_id),
            recorded_at=now,
            actor=settings.actor,
            captures=captures,
            on_empty_log=lambda: [_created_entry(installation, settings, case_id, now)],
        )
    except BaseException:
        if vault is not None:
            for capture in captures:
                vault.remove(case_id, capture.vault_name)
        raise
    return RecordedEntry(
        case_id,
        index,
        entry,
        leaf_hash(body).hex(),
        head.tree_size,
        head.root_hash.hex(),
        archive_failure,
        screenshot_failure,
    )


def _archive(url: str, now: datetime) -> tuple[dict[str, Any], bytes, str | None]:
    """(the entry's archive record, the WARC, the failure reason) of one capture attempt."""
    from reclaim.services.web_capture import CaptureFailed, capture_page
    from reclaim.signals.digests import digests_of_bytes

    try:
        capture = capture_page(url)
    except CaptureFailed as failure:
        return (
            {"outcome": "failed", "attempted_at": iso_utc(now), "reason": failure.reason[:500]},
            b"",
            failure.reason,
        )
    digests = digests_of_bytes(capture.warc)
    record = {
        "outcome": "archived",
        "attempted_at": iso_utc(now),
        "format": "WARC/1.0 (gzip)",
        "sha256": digests.sha256,
        "md5": digests.md5,
        "size": len(capture.warc),
        "http_status": capture.page_status,
        "resources": capture.resources,
        "failed_resources": capture.failed_resources,
    }
    return record, capture.warc, None


def _screenshot(url: str) -> tuple[dict[str, Any], bytes, str | None]:
    """(the archive's screenshot record, the stamped PNG, why none was taken) of one attempt."""
    from reclaim.services.screenshot import ScreenshotFailed, ScreenshotUnavailable, take_screenshot
    from reclaim.signals.digests import digests_of_bytes

    attempted_at = datetime.now(UTC)
    try:
        shot = take_screenshot(url)
    except ScreenshotUnavailable as unavailable:
        return {"outcome": "not_taken", "reason": unavailable.reason[:500]}, b"", unavailable.reason
    except ScreenshotFailed as failure:
        failed = {"outcome": "failed", "attempted_at": iso_utc(attempted_at), "reason": failure.reason[:500]}
        return failed, b"", failure.reason
    digests = digests_of_bytes(shot.png)
    record: dict[str, Any] = {
        "outcome": "taken",
        "taken_at": iso_utc(shot.taken_at),
        "format": "PNG",
        "sha256": digests.sha256,
        "md5": digests.md5,
        "size": len(shot.png),
        "width": shot.width,
        "height": shot.height,
        "page_height": shot.page_height,
        "truncated": shot.truncated,
        "browser": shot.browser,
    }
    return record, shot.png, None


def record_entries(
    engine: Engine, settings: Settings, case_id: str, entries: Sequence[dict[str, Any]]
) -> tuple[int, int]:
    """Append many prepared entries (a scan's accepted hits) in one durable transaction.

    Returns (first new leaf index, tree size); one tree head is signed for the whole batch.
    """
    from reclaim.store.evidence import NewLogEntry, append_entries

    now = datetime.now(UTC)
    installation = _installation(engine)
    key = _signing_key(settings)
    batch = []
    for entry in entries:
        body = canonical_json(entry)
        batch.append(NewLogEntry(str(entry.get("type", "sighting")), body, leaf_hash(body)))
    first, head = append_entries(
        engine,
        case_id,
        batch,
        sign_head=_head_signer(key, case_id),
        recorded_at=now,
        actor=settings.actor,
        on_empty_log=lambda: [_created_entry(installation, settings, case_id, now)],
    )
    return first, head.tree_size


def list_entries(engine: Engine, case_id: str) -> list[RecordedEntry]:
    """The case's log, oldest first."""
    from reclaim.store.evidence import read_entries

    return [
        RecordedEntry(case_id, row.leaf_index, json.loads(row.body), row.leaf_hash.hex())
        for row in read_entries(engine, case_id)
    ]


def verify_case_log(engine: Engine, public_key_hex: str, case_id: str) -> list[str]:
    """What is wrong with a stored log: each signed head must sign the root of the entries before it.

    Returns descriptions of the problems (empty when the log holds); used after a restore.
    """
    from reclaim.evidence.log import SignedTreeHead, parse_tree_head, verify_tree_head
    from reclaim.store.evidence import read_entries, read_tree_heads

    rows = read_entries(engine, case_id)
    leaves = [row.leaf_hash for row in rows]
    problems = [
        f"entry {row.leaf_index}: its leaf hash does not match its body"
        for row in rows
        if leaf_hash(row.body) != row.leaf_hash
    ]
    if [row.leaf_index for row in rows] != list(range(len(rows))):
        problems.append("the entries' places in the log have gaps")
    heads = read_tree_heads(engine, case_id)
    for stored in heads:
        try:
            head = parse_tree_head(stored.body)
        except ValueError as error:
            problems.append(f"tree head {stored.tree_size}: {error}")
            continue
        if not verify_tree_head(public_key_hex, SignedTreeHead(head, stored.signature)):
            problems.append(f"tree head {stored.tree_size}: the signature does not verify")
        if head.size > len(leaves) or merkle_root(leaves[: head.size]) != head.root:
            problems.append(f"tree head {stored.tree_size}: the entries do not add up to its root")
    if rows and (not heads or heads[-1].tree_size != len(rows)):
        problems.append("the latest entries are not covered by a signed tree head")
    return problems


def export_bundle(
    engine: Engine,
    settings: Settings,
    case_id: str,
    output: Path,
    *,
    redact: bool,
    vault: Vault | None,
    tsa_url: str | None = None,
) -> ExportedBundle:
    """Log the export, then write the bundle of the whole log with proofs and captures."""
    from reclaim.evidence.bundle import BundleCapture, BundleContents, BundleTimestamp, write_bundle
    from reclaim.evidence.keys import signing_key_info
    from reclaim.evidence.log import consistency_proof, inclusion_proofs
    from reclaim.store.evidence import (
        NewLogEntry,
        append_entries,
        read_captures,
        read_entries,
        read_timestamps,
        read_tree_heads,
    )

    if output.is_dir() or not output.parent.is_dir():
        raise UserInputError(N_("Cannot write the bundle to {path}."), path=str(output))
    installation = _installation(engine)
    key = _signing_key(settings)
    stored_captures = read_captures(engine, case_id)
    if stored_captures:
        if vault is None:
            raise UserInputError(N_("Exporting captures needs the vault passphrase."))
        vault.case_key(case_id)  # a wrong passphrase fails here, before anything is logged
    now = datetime.now(UTC)
    event = custody_entry(
        event=CustodyEvent.EXPORTED,
        case_id=case_id,
        installation_id=installation.id,
        by=settings.actor,
        at=now,
        detail={"file_name": output.name, "redacted": redact, "captures": len(stored_captures)},
    )
    body = canonical_json(event)
    append_entries(
        engine,
        case_id,
        [NewLogEntry("custody", body, leaf_hash(body))],
        sign_head=_head_signer(key, case_id),
        recorded_at=now,
        actor=settings.actor,
        on_empty_log=lambda: [_created_entry(installation, settings, case_id, now)],
    )
    timestamp_failure = None
    if tsa_url is not None:
        from reclaim.services.timestamps import TimestampFailedError, stamp_latest_head

        try:
            stamp_latest_head(engine, case_id, tsa_url)
        except TimestampFailedError as error:
            timestamp_failure = error  # the bundle is still sound; the caller says what failed
    rows = read_entries(engine, case_id)
    leaves = [row.leaf_hash for row in rows]
    size = len(rows)
    # Heads of earlier exports: each was signed right after its "exported" entry was appended.
    earlier_sizes = [
        row.leaf_index + 1
        for row in rows[:-1]
        if row.kind == "custody" and json.loads(row.body).get("event") == CustodyEvent.EXPORTED
    ]
    heads = {head.tree_size: head for head in read_tree_heads(engine, case_id, [*earlier_sizes, size])}
    latest = heads[size]
    earlier = [heads[s] for s in earlier_sizes if s in heads]
    captures = []
    for stored in stored_captures:
        assert vault is not None
        plain = vault.load(case_id, stored.vault_name)
        data = blurred_thumbnail(plain) if redact else plain
        captures.append(BundleCapture(stored.leaf_index, stored.kind, stored.sha256, data))
    root = merkle_root(leaves)
    stamps = [
        BundleTimestamp(stamp.tree_size, stamp.tsa_url, stamp.gen_time.isoformat(), stamp.response)
        for stamp in read_timestamps(engine, case_id)
        if stamp.tree_size in heads and (stamp.tree_size == size or stamp.tree_size in earlier_sizes)
    ]
    contents = BundleContents(
        case_id=case_id,
        installation_id=installation.id,
        created_at=iso_utc(now),
        entries=[row.body for row in rows],
        head=_bundle_head(latest),
        root=root,
        earlier_heads=[_bundle_head(head) for head in earlier],
        inclusion=inclusion_proofs(leaves, range(size)),
        consistency=[
            (_bundle_head(head), head.root_hash, consistency_proof(leaves, head.tree_size))
            for head in earlier
        ],
        leaf_hashes=leaves,
        captures=captures,
        redacted=redact,
        timestamps=stamps,
    )
    bundle_key = write_bundle(output, contents, key)
    info = signing_key_info(settings.signing_key_path, key)
    return ExportedBundle(
        path=output,
        case_id=case_id,
        entries=size,
        captures=len(captures),
        root_hash=root.hex(),
        key_fingerprint=info.fingerprint,
        bundle_key=bundle_key.hex() if bundle_key is not None else None,
        timestamps=len(stamps),
        timestamp_failure=timestamp_failure,
    )


def _bundle_head(head: StoredTreeHead) -> Any:
    from reclaim.evidence.bundle import BundleHead

    return BundleHead(head.tree_size, head.body, head.signature)


def _read_capture(path: Path, settings: Settings) -> tuple[bytes, dict[str, Any]]:
    from reclaim.media.files import unreadable
    from reclaim.services.hashing import hash_file
    from reclaim.signals.digests import digests_of_bytes

    try:
        data = path.read_bytes()
    except OSError as error:
        raise unreadable(path, error) from None
    if len(data) > settings.limits.max_file_bytes:
        raise UserInputError(N_("{path} is larger than the configured limit."), path=str(path))
    record: dict[str, Any] = {"sha256": "", "md5": "", "size": len(data), "kind": "file", "pdq": None}
    try:
        result = hash_file(path, settings.limits)
    except MediaError:
        # A saved page or a PDF is evidence too: it gets exact digests but no PDQ.
        digests = digests_of_bytes(data)
        record.update(sha256=digests.sha256, md5=digests.md5)
    else:
        record.update(sha256=result.sha256, md5=result.md5, kind=result.kind)
        if result.pdq is not None:
            record["pdq"] = {"hash": result.pdq.hex, "quality": result.pdq.quality}
    if record["sha256"] != hashlib.sha256(data).hexdigest():
        # The file changed between the two reads: what is sealed must be what was hashed.
        raise UserInputError(N_("{path} changed while it was being read."), path=str(path))
    return data, record


def _sent_capture_record(data: bytes, settings: Settings) -> dict[str, Any]:
    """The capture record of bytes sent to the server: as ``_read_capture``'s, a photo with its PDQ."""
    from reclaim.media.sniff import HEAD_BYTES, sniff_media_kind
    from reclaim.services.hashing import pdq_of_image_bytes
    from reclaim.signals.digests import digests_of_bytes

    if len(data) > settings.limits.max_file_bytes:
        raise UserInputError(N_("The capture is larger than the configured limit."))
    digests = digests_of_bytes(data)
    record: dict[str, Any] = {
        "sha256": digests.sha256,
        "md5": digests.md5,
        "size": len(data),
        "kind": "file",
        "pdq": None,
    }
    if sniff_media_kind(data[:HEAD_BYTES]) == "image":
        try:
            pdq = pdq_of_image_bytes(data, Path("capture"), settings.limits)
        except MediaError:
            return record  # a picture the decoders refuse is still evidence, with exact digests
        record.update(kind="image", pdq={"hash": pdq.hex, "quality": pdq.quality})
    return record


def blurred_thumbnail(data: bytes) -> bytes:
    """A small, heavily blurred JPEG made in memory: shows that a capture exists, not who is in it."""
    from PIL import Image, ImageFilter

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (REDACTED_SIZE * 2, REDACTED_SIZE * 2))
            thumbnail = image.convert("RGB")
            thumbnail.thumbnail((REDACTED_SIZE, REDACTED_SIZE))
    except (OSError, ValueError, Image.DecompressionBombError):
        thumbnail = Image.new("RGB", (REDACTED_SIZE, REDACTED_SIZE), (128, 128, 128))
    blurred = thumbnail.filter(ImageFilter.GaussianBlur(radius=max(thumbnail.size) / 12))
    buffer = io.BytesIO()
    blurred.save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


def _installation(engine: Engine) -> InstallationRecord:
    from reclaim.store.installations import get_installation

    installation = get_installation(engine)
    if installation is None:
        raise NotInitializedError(N_("This database records no installation yet."))
    return installation


def _signing_key(settings: Settings) -> Ed25519PrivateKey:
    from reclaim.evidence.keys import load_signing_key

    return load_signing_key(settings.signing_key_path)


def _head_signer(key: Ed25519PrivateKey, case_id: str) -> Any:
    from reclaim.store.evidence import StoredTreeHead

    def sign(size: int, root: bytes) -> StoredTreeHead:
        now_ms = int(datetime.now(UTC).timestamp() * 1000)
        head = TreeHead(case_id=case_id, size=size, root=root, timestamp_ms=now_ms)
        signed = sign_tree_head(key, head)
        return StoredTreeHead(head.size, head.root, head.signed_bytes(), signed.signature)

    return sign


def _created_entry(
    installation: InstallationRecord, settings: Settings, case_id: str, now: datetime
) -> NewLogEntry:
    from reclaim.store.evidence import NewLogEntry

    body = canonical_json(
        custody_entry(
            event=CustodyEvent.CREATED,
            case_id=case_id,
            installation_id=installation.id,
            by=settings.actor,
            at=now,
            detail={
                "public_key": installation.signing_public_key,
                "key_fingerprint": installation.key_fingerprint,
            },
        )
    )
    return NewLogEntry("custody", body, leaf_hash(body))
