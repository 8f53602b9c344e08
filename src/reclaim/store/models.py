"""Tables, as SQLAlchemy 2 typed declarative models; they never leave ``reclaim.store``.

Adding a table: add a model here, then a hand-reviewed revision in ``migrations/versions``;
``tests/store/test_migrations.py`` fails until the two agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from reclaim.store.types import UTCDateTime

# Explicit names keep migrations identical on SQLite and PostgreSQL, and let later
# migrations drop or alter a constraint by name (SQLite batch mode needs the name).
NAMING_CONVENTION: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute once
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class Installation(Base):
    """This installation's identity: the key that signs its evidence logs. One row."""

    __tablename__ = "installations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # a UUID, as text
    created_at: Mapped[datetime]
    # Raw Ed25519 public key (32 bytes) and the SHA-256 of it, both as lowercase hex.
    signing_public_key: Mapped[str] = mapped_column(String(64))
    key_fingerprint: Mapped[str] = mapped_column(String(64))


class Case(Base):
    """One person's case: what she protects, what was found, what was sent where."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]
    # Free text rather than an enum or CHECK: the case state machine (reclaim.cases) owns the
    # values, and adding a state should not need a table rebuild on SQLite.
    status: Mapped[str] = mapped_column(String(32))


class AuditEvent(Base):
    """Who did what, when. Outlives the case it names: withdrawal keeps the record that it happened."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    # SET NULL, not CASCADE: deleting a case must not erase the trail that it was deleted.
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    detail: Mapped[dict[str, Any]]

    # Ids only grow, never reused (SQLite reuses the largest rowid once its row is deleted, as a
    # case's withdrawal deletes her latest events): followers of the bank page by event id.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 - SQLAlchemy reads it once


class Bank(Base):
    """A list of protected signals: one per case, or one per imported external list."""

    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "case" or "list"
    # CASCADE: a case's bank holds nothing but that case's hashes, so it goes with the case.
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    source: Mapped[str | None] = mapped_column(String(500))  # where an imported list came from
    created_at: Mapped[datetime]


class BankEntry(Base):
    """One protected signal (a PDQ, vPDQ, SHA-256 or MD5 value) and where it came from.

    A withdrawn entry keeps its provenance and a one-way fingerprint of its value, so that an
    imported list cannot silently bring the hash back, but not the value itself.
    """

    __tablename__ = "bank_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(36), index=True)  # the signals of one file share it
    signal_type: Mapped[str] = mapped_column(String(16))
    value: Mapped[str | None] = mapped_column(Text)
    value_fingerprint: Mapped[str] = mapped_column(String(64))
    quality: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16))  # "active" or "withdrawn"
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime]
    attestation: Mapped[str] = mapped_column(String(32))
    source_kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(500))
    external_id: Mapped[str | None] = mapped_column(String(200))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
    withdraw_reason: Mapped[str | None] = mapped_column(String(200))
    # Held back from matching until a person clears it: it matched far more uploads than a
    # private photo could ("flood"), or a platform said it is not NCII ("feedback").
    quarantined_at: Mapped[datetime | None]
    quarantine_reason: Mapped[str | None] = mapped_column(String(16))
    cleared_at: Mapped[datetime | None]
    cleared_by: Mapped[str | None] = mapped_column(String(200))
    # Bumped on every change: platforms follow the bank by this cursor (new and withdrawn).
    updated_at: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (Index("ix_bank_entries_value_fingerprint", "value_fingerprint"),)


class BankEntryView(Base):
    """An extra bank-side hash of an entry (e.g. of a crop), searched for robust matching."""

    __tablename__ = "bank_entry_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("bank_entries.id", ondelete="CASCADE"), index=True)
    via: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(64))


class EvidenceEntry(Base):
    """One leaf of a case's evidence log: a sighting or a chain-of-custody event, as canonical JSON.

    Rows are only ever inserted: ``body`` is the exact byte string that was hashed into the log,
    kept as text (canonical JSON is UTF-8), so a later change would break the signed root.
    """

    __tablename__ = "evidence_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    # CASCADE: a case's log is hers and goes with the case; its withdrawal is logged first.
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    leaf_index: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))  # "sighting" or "custody"
    body: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("case_id", "leaf_index"),)


class EvidenceTreeHead(Base):
    """A signed tree head of a case's log: size, root and time, signed by the installation key."""

    __tablename__ = "evidence_tree_heads"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    tree_size: Mapped[int]
    root_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime]
    body: Mapped[str] = mapped_column(Text)  # the exact signed bytes (canonical JSON)
    signature: Mapped[str] = mapped_column(String(128))  # Ed25519, hex
    # The roots of the tree's perfect subtrees (JSON list of hex): the next append extends them
    # instead of re-reading every leaf. Not evidence: verifiers recompute from the entries.
    frontier: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("case_id", "tree_size"),)


class EvidenceCapture(Base):
    """A capture (screenshot, saved photo, web archive) held encrypted in the vault; never its bytes."""

    __tablename__ = "evidence_captures"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    leaf_index: Mapped[int]  # the log entry that records it
    vault_name: Mapped[str] = mapped_column(String(64), unique=True)  # random: says nothing of the content
    kind: Mapped[str] = mapped_column(String(16))  # "capture", "archive" or "screenshot"
    sha256: Mapped[str] = mapped_column(String(64))  # of the plaintext, as the entry records it
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class EvidenceTimestamp(Base):
    """An RFC 3161 time-stamp of a signed tree head, from a time-stamping authority the user named."""

    __tablename__ = "evidence_timestamps"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    tree_size: Mapped[int]
    tsa_url: Mapped[str] = mapped_column(String(500))
    gen_time: Mapped[datetime]  # the authority's time, as its token states
    response: Mapped[bytes] = mapped_column(LargeBinary)  # the TimeStampResp, DER, as received


class ProtectedIdentifierRow(Base):
    """A personal detail of the person a case protects, kept only as a keyed hash (HMAC-SHA256).

    The value itself is never stored: phone numbers and ID numbers are few enough to guess, so
    the key lives outside the database (derived from the installation's signing key).
    """

    __tablename__ = "protected_identifiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # CASCADE: her identifiers go with her case on withdrawal.
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # phone, id_number, email, handle, name
    digest: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256, lowercase hex
    submitted_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("case_id", "kind", "digest"),)


class ChannelRow(Base):
    """A channel (or folder) some scan saw content in; the channel network is built from these."""

    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))  # "telegram", "folder"
    channel_id: Mapped[str] = mapped_column(String(200))  # "channel1741241258", a folder's path
    title: Mapped[str] = mapped_column(String(500))  # the latest title seen

    __table_args__ = (UniqueConstraint("platform", "channel_id"),)


class ScanRow(Base):
    """One run of `reclaim scan` or `reclaim watch`: what it read and, once done, what it found."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))  # "telegram-export", "folder", "telegram-live"
    location: Mapped[str] = mapped_column(String(1000))  # the export's folder, the channel's name
    started_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    summary: Mapped[dict[str, Any] | None]


class ScannedItemRow(Base):
    """A message or file a scan finished, so a resumed scan skips it; never its media or its text.

    The found copy's hashes and the keyed digests of handles and links it mentioned are what the
    channel network compares between channels.
    """

    __tablename__ = "scanned_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(1200), unique=True)  # FoundItem.key
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(32))  # "telegram", "folder"
    channel_row_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    url: Mapped[str | None] = mapped_column(String(2048))
    posted_at: Mapped[datetime | None]
    forwarded_from_id: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(16))  # "hashed", "text", "skipped", "failed"
    skip_reason: Mapped[str | None] = mapped_column(String(64))
    sha256: Mapped[str | None] = mapped_column(String(64))
    pdq: Mapped[str | None] = mapped_column(String(64))  # the found copy's whole PDQ hash, hex
    mentions: Mapped[dict[str, Any] | None]  # {"handles": [digest...], "links": [digest...]}
    scanned_at: Mapped[datetime]


class ReviewItemRow(Base):
    """A lead for a person to review: a found item that matched a case's bank or her details.

    Rejected rows stay, so the same item (or the same file posted again) is not queued again.
    """

    __tablename__ = "review_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    # CASCADE: her leads go with her case on withdrawal.
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("scanned_items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "media" or "identifier"
    signal: Mapped[str] = mapped_column(String(16))  # pdq, vpdq, sha256, md5; phone, name, ...
    entry_id: Mapped[int | None] = mapped_column(BigInteger)  # the bank entry a media hit matched
    distance: Mapped[int]
    via: Mapped[str] = mapped_column(String(120))
    media_path: Mapped[str | None] = mapped_column(String(4096))  # where the found file was, for the capture
    media_sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)  # "pending", "accepted", "rejected"
    possible_minor: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    leaf_index: Mapped[int | None]  # the sighting an accepted lead became

    __table_args__ = (UniqueConstraint("case_id", "item_id", "kind", "signal"),)


class NoticeRow(Base):
    """A takedown notice: to whom, for which sightings, and where it stands (``reclaim.cases.notices``).

    ``text`` is the notice as drafted, with the rights-holder's identity left out: the identity
    lives only in the case's vault and is put back when the notice is shown to be sent.
    """

    __tablename__ = "notices"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # also the reference the notice quotes
    # CASCADE: her notices go with her case on withdrawal.
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # 1, 2, ... within the case
    platform: Mapped[str] = mapped_column(String(32))  # where the content is
    route: Mapped[str] = mapped_column(String(64))  # the step of the reporting route it goes through
    lang: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), index=True)
    text: Mapped[str] = mapped_column(Text)
    sighting_leaves: Mapped[dict[str, Any]]  # {"leaves": [leaf index, ...]}
    possible_minor: Mapped[bool] = mapped_column(default=False)
    escalated_from: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    due_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]  # removed or refused

    __table_args__ = (UniqueConstraint("case_id", "number"),)


class NoticeEventRow(Base):
    """One change of a notice's status: when it happened (as the caseworker says), who recorded it."""

    __tablename__ = "notice_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)


class ApiTokenRow(Base):
    """A bearer token of the HTTP API: who may call it, in which role, until when. Never the secret.

    Only the SHA-256 of the token is kept (``reclaim.services.tokens`` says why a fast hash is
    enough), so a copy of the database lets no one call the API.
    """

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the public token id, "tok_..."
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # "admin", "caseworker" or "platform"
    # CASCADE: a token for one case is worth nothing once the case is withdrawn.
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))  # whose it is: "platform-x upload pipeline"
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(200))


class WebhookSubscriptionRow(Base):
    """A platform's webhook: where the bank's change feed is pushed, and how far it got.

    ``secret`` is kept as it is, unlike a token's: HMAC signing needs the key itself. It is
    shown once, when the subscription is made, and cleared when the subscription is removed.
    ``lease_owner``/``lease_until`` let one dispatcher at a time deliver a subscription.
    """

    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # "whk_..."
    url: Mapped[str] = mapped_column(String(2000))
    name: Mapped[str | None] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(String(128))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    cursor: Mapped[str] = mapped_column(String(40))  # the feed's cursor; moves only after a 2xx
    active: Mapped[bool]
    failures: Mapped[int]  # failed attempts in a row; 0 after a delivery
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_delivered_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[str | None] = mapped_column(String(200))


class EntryMatchCount(Base):
    """How many platform lookups matched an entry in one hour: the baseline floods are judged by."""

    __tablename__ = "entry_match_counts"

    entry_id: Mapped[int] = mapped_column(ForeignKey("bank_entries.id", ondelete="CASCADE"), primary_key=True)
    hour: Mapped[datetime] = mapped_column(primary_key=True, index=True)
    matches: Mapped[int]


class EntryFeedback(Base):
    """A platform's word on an entry it matched: "blocked" (it was NCII) or "not_ncii"."""

    __tablename__ = "entry_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("bank_entries.id", ondelete="CASCADE"), index=True)
    verdict: Mapped[str] = mapped_column(String(16))
    token_id: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime]


class AccountRow(Base):
    """A person who logs in to the web app: a login name, an Argon2id hash, a role. Never the password.

    ``case_id``: the one case a limited caseworker may see, or the victim's own case (a victim's
    account always has one). CASCADE: withdrawing her case removes the account that opened it.
    """

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # "acc_..."
    login: Mapped[str] = mapped_column(String(64), unique=True)  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2-cffi's encoded $argon2id$... string
    role: Mapped[str] = mapped_column(String(16))  # "admin", "caseworker" or "victim"
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]
    disabled_by: Mapped[str | None] = mapped_column(String(200))


class WebSessionRow(Base):
    """A logged-in browser: only the SHA-256 of its cookie's secret is kept, so a copy of the
    database cannot be used to log in."""

    __tablename__ = "web_sessions"

    secret_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]  # the absolute limit; the idle limit counts from last_seen_at
    revoked_at: Mapped[datetime | None]


class LoginFailureRow(Base):
    """One refused login, counted per login name and per client address (both kept as SHA-256).

    In the database rather than in memory, so that every worker of `reclaim serve` counts the same.
    """

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_sha256: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
