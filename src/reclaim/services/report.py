"""The case report: gather a case's facts from the store and the vault, then write them as PDF or HTML.

Only blurred thumbnails leave the vault (the same blur as a redacted bundle's), made in memory;
a sighting that may show a minor never had a capture. The report is written readable by its
owner only, as the vault's files are: it names the channels and links where she was exposed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from reclaim.config import Settings
from reclaim.errors import N_, NotInitializedError, UserInputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.evidence.vault import Vault
    from reclaim.reports.content import NoticeFacts, ReportContent, SightingFacts, TreeHeadFacts
    from reclaim.store.evidence import StoredCapture, StoredEntry
    from reclaim.store.installations import InstallationRecord

FORMATS: Final = ("pdf", "html")


@dataclass(frozen=True, slots=True)
class WrittenReport:
    path: Path
    case_id: str
    format: str
    lang: str
    sightings: int
    thumbnails: int
    notices: int
    tree_size: int
    root_hash: str | None
    key_fingerprint: str
    size: int
    log_verified: bool  # the latest head's signature verifies and the entries add up to its root

    def to_json(self) -> dict[str, Any]:
        return {
            "report": str(self.path),
            "case_id": self.case_id,
            "format": self.format,
            "lang": self.lang,
            "sightings": self.sightings,
            "thumbnails": self.thumbnails,
            "notices": self.notices,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "key_fingerprint": self.key_fingerprint,
            "log_verified": self.log_verified,
            "bytes": self.size,
        }


def report_needs_vault(engine: Engine, case_id: str) -> bool:
    """Whether the case has captures to make thumbnails of, so the vault must be opened."""
    from reclaim.store.evidence import read_captures

    return any(capture.kind == "capture" for capture in read_captures(engine, case_id))


def write_report(
    engine: Engine,
    settings: Settings,
    case_id: str,
    output: Path,
    *,
    lang: str,
    fmt: str,
    vault: Vault | None,
) -> WrittenReport:
    """Write the case's report to ``output`` in ``lang`` (zh|en) as ``fmt`` (pdf|html)."""
    from reclaim.locale import load_translator
    from reclaim.reports.compose import compose_report

    if fmt not in FORMATS:
        raise UserInputError(N_("{format} is not a report format: give pdf or html."), format=fmt)
    if output.is_dir() or not output.parent.is_dir():
        raise UserInputError(N_("Cannot write the report to {path}."), path=str(output))
    content = gather_report_content(engine, settings, case_id, vault)
    document = compose_report(content, load_translator(lang))
    if fmt == "pdf":
        from reclaim.reports.pdf import render_pdf

        data = render_pdf(document)
    else:
        from reclaim.reports.html import render_html

        data = render_html(document).encode("utf-8")
    from reclaim.evidence.vault import write_private_file

    write_private_file(output, data)
    head = content.head
    return WrittenReport(
        path=output,
        case_id=case_id,
        format=fmt,
        lang=document.lang,
        sightings=len(content.sightings),
        thumbnails=sum(1 for s in content.sightings if s.thumbnail is not None),
        notices=len(content.notices),
        tree_size=head.tree_size if head else 0,
        root_hash=head.root_hash if head else None,
        key_fingerprint=content.key_fingerprint,
        size=len(data),
        log_verified=head is None or (head.signature_verified and head.root_matches_entries),
    )


def gather_report_content(
    engine: Engine,
    settings: Settings,
    case_id: str,
    vault: Vault | None,
    notices: Sequence[NoticeFacts] | None = None,
) -> ReportContent:
    """The facts of one case; ``notices`` defaults to those on record."""
    from reclaim import __version__
    from reclaim.reports.content import ReportContent
    from reclaim.services.review import CHILD_PROTECTION_ROUTES
    from reclaim.store.cases import get_case
    from reclaim.store.evidence import read_captures, read_entries
    from reclaim.store.installations import get_installation

    case = get_case(engine, case_id)
    if case is None:
        raise UserInputError(N_("There is no case {case}."), case=case_id)
    installation = get_installation(engine)
    if installation is None:
        raise NotInitializedError(N_("This database records no installation yet."))
    rows = read_entries(engine, case_id)
    captures = {c.leaf_index: c for c in read_captures(engine, case_id) if c.kind == "capture"}
    if captures:
        if vault is None:
            raise UserInputError(N_("Making the report's blurred thumbnails needs the vault passphrase."))
        vault.case_key(case_id)  # a wrong passphrase fails here, before any capture is read
    sightings = tuple(
        _sighting(row, json.loads(row.body), captures.get(row.leaf_index), case_id, vault)
        for row in rows
        if row.kind == "sighting"
    )
    return ReportContent(
        case_id=case_id,
        display_name=case.title,
        case_opened_at=case.created_at,
        generated_at=datetime.now(UTC),
        generated_by=settings.actor,
        tool_version=__version__,
        installation_id=installation.id,
        key_fingerprint=installation.key_fingerprint,
        public_key=installation.signing_public_key,
        head=_head(engine, case_id, rows, installation),
        sightings=sightings,
        notices=tuple(notices) if notices is not None else _notices_on_record(engine, case_id),
        child_protection_routes=tuple((route.name, route.address) for route in CHILD_PROTECTION_ROUTES),
    )


def _sighting(
    row: StoredEntry, entry: dict[str, Any], capture: StoredCapture | None, case_id: str, vault: Vault | None
) -> SightingFacts:
    from reclaim.evidence.entries import parse_entry_time
    from reclaim.reports.content import SightingFacts, utc

    source = entry.get("source") or {}
    match = entry.get("match") or {}
    record = entry.get("capture") or {}
    archive = entry.get("archive") or {}
    screenshot = archive.get("screenshot") or {}
    recorded_at = parse_entry_time(entry.get("recorded_at")) or utc(row.recorded_at)
    possible_minor = bool(match.get("possible_minor"))
    thumbnail: bytes | None = None
    # Only pictures get a thumbnail, and never for a possible minor (no capture exists then anyway).
    if capture is not None and vault is not None and record.get("kind") == "image" and not possible_minor:
        from reclaim.services.evidence import blurred_thumbnail

        thumbnail = blurred_thumbnail(vault.load(case_id, capture.vault_name))
    return SightingFacts(
        leaf_index=row.leaf_index,
        seen_at=parse_entry_time(entry.get("seen_at")) or recorded_at,
        recorded_at=recorded_at,
        recorded_by=str(entry.get("recorded_by") or ""),
        platform=str(source.get("platform") or "unknown"),
        url=str(source.get("url") or ""),
        channel=_text(source.get("channel")),
        channel_id=_text(source.get("channel_id")),
        channel_title=_text(match.get("channel_title") or source.get("channel_title")),
        message_id=_text(source.get("message_id")),
        sender=_text(source.get("sender_id") or source.get("sender")),
        leaf_hash=row.leaf_hash.hex(),
        capture_sha256=_text(record.get("sha256")),
        capture_kind=_text(record.get("kind")),
        archive_sha256=_text(archive.get("sha256")) if archive.get("outcome") == "archived" else None,
        screenshot_sha256=_text(screenshot.get("sha256")) if screenshot.get("outcome") == "taken" else None,
        note=_text(entry.get("note")),
        possible_minor=possible_minor,
        thumbnail=thumbnail,
    )


def _head(
    engine: Engine, case_id: str, rows: Sequence[StoredEntry], installation: InstallationRecord
) -> TreeHeadFacts | None:
    """The latest signed head, checked now: its signature, and that the entries add up to its root."""
    from reclaim.evidence.log import (
        SignedTreeHead,
        leaf_hash,
        merkle_root,
        parse_tree_head,
        verify_tree_head,
    )
    from reclaim.reports.content import TreeHeadFacts
    from reclaim.store.evidence import latest_tree_head

    stored = latest_tree_head(engine, case_id)
    if stored is None:
        return None
    try:
        head = parse_tree_head(stored.body)
    except ValueError:
        signed_at, verified = datetime.fromtimestamp(0, UTC), False
    else:
        signed_at = datetime.fromtimestamp(head.timestamp_ms / 1000, UTC)
        verified = verify_tree_head(installation.signing_public_key, SignedTreeHead(head, stored.signature))
    # From the bodies, not the stored leaf hashes: an entry edited in the database must not pass.
    leaves = [leaf_hash(row.body) for row in rows[: stored.tree_size]]
    matches = len(leaves) == stored.tree_size and merkle_root(leaves) == stored.root_hash
    return TreeHeadFacts(stored.tree_size, stored.root_hash.hex(), signed_at, verified, matches)


def _notices_on_record(engine: Engine, case_id: str) -> tuple[NoticeFacts, ...]:
    from reclaim.reports.content import NoticeFacts
    from reclaim.store.notices import list_notices

    return tuple(NoticeFacts.from_record(record) for record in list_notices(engine, case_id))


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
