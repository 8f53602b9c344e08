"""Bearer tokens of the HTTP API: issue one for a role, list them, revoke one, check one.

A token is ``rcl_`` and 32 random bytes (URL-safe base64); only its SHA-256 is stored. A slow
password hash (scrypt, Argon2) protects secrets people choose, which are few enough to guess;
a 256-bit random secret cannot be guessed however fast the hash, and a fast one keeps the check
that every request pays to a single indexed lookup.

A token found valid is then trusted for up to ``TOKEN_CACHE_SECONDS`` without asking the database
again (the lookup cost more than the match it guards: benchmarks/bench_api.py). A revocation made
in another process (`reclaim token revoke` beside `reclaim serve`) thus takes effect within that
time; one made in this process, at once. Expiry is checked on every request; an unknown, expired
or revoked token is never remembered.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final

from reclaim.errors import N_, UserInputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.store.tokens import TokenRecord

ROLES: Final = ("admin", "caseworker", "platform")
TOKEN_PREFIX: Final = "rcl_"
DEFAULT_VALID_DAYS: Final = 90
MAX_NAME_LENGTH: Final = 200
TOKEN_CACHE_SECONDS: Final = 1.0
# Far more than the live tokens of an installation; past it the cache starts again empty.
_MAX_CACHED_TOKENS: Final = 10_000


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token and its secret: the only time the secret is seen."""

    token: str
    record: TokenRecord

    def to_json(self) -> dict[str, object]:
        return {"token": self.token, **self.record.to_json(self.record.created_at)}


def secret_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    engine: Engine,
    *,
    role: str,
    actor: str,
    case_id: str | None = None,
    valid_for: timedelta = timedelta(days=DEFAULT_VALID_DAYS),
    name: str | None = None,
    now: datetime | None = None,
) -> IssuedToken:
    """Issue a token for ``role`` (optionally for one case's caseworker), valid for ``valid_for``."""
    from reclaim.store.tokens import TokenRecord, insert_token

    if role not in ROLES:
        raise UserInputError(
            N_("{role} is not a role."), hint=N_("Use admin, caseworker or platform."), role=role
        )
    if case_id is not None and role != "caseworker":
        raise UserInputError(
            N_("Only a caseworker's token can be limited to one case."),
            hint=N_("Leave out --case, or use --role caseworker."),
        )
    if valid_for <= timedelta(0):
        raise UserInputError(N_("A token must be valid for at least one day."))
    if name is not None and len(name) > MAX_NAME_LENGTH:
        raise UserInputError(N_("The name is longer than {limit} characters."), limit=MAX_NAME_LENGTH)
    issued_at = now or datetime.now(UTC)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = TokenRecord(
        token_id="tok_" + secrets.token_hex(8),
        role=role,
        case_id=case_id,
        name=name or None,
        created_by=actor,
        created_at=issued_at,
        expires_at=issued_at + valid_for,
        revoked_at=None,
        revoked_by=None,
    )
    insert_token(engine, record, secret_digest(token))
    return IssuedToken(token, record)


class _TokenCache:
    """Valid tokens of one database by secret digest, with the monotonic time each was read."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, TokenRecord]] = {}
        self._lock = threading.Lock()
        # When a busy token's entry ages out, every request in flight would read the database
        # at once; one reads, the others wait for it and take its answer.
        self._readers: dict[str, threading.Lock] = {}

    def reader(self, digest: str) -> threading.Lock:
        with self._lock:
            return self._readers.setdefault(digest, threading.Lock())

    def done_reading(self, digest: str) -> None:
        with self._lock:
            self._readers.pop(digest, None)

    def get(self, digest: str, now: float) -> TokenRecord | None:
        entry = self._entries.get(digest)
        if entry is None or now - entry[0] >= TOKEN_CACHE_SECONDS:
            return None
        return entry[1]

    def put(self, digest: str, record: TokenRecord, now: float) -> None:
        with self._lock:
            if len(self._entries) >= _MAX_CACHED_TOKENS:
                self._entries.clear()
            self._entries[digest] = (now, record)

    def forget(self, token_id: str) -> None:
        with self._lock:
            for digest in [d for d, (_, record) in self._entries.items() if record.token_id == token_id]:
                del self._entries[digest]


# One cache per engine (per database): a token of one database must never open another.
_caches: weakref.WeakKeyDictionary[Engine, _TokenCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def _cache(engine: Engine) -> _TokenCache:
    cache = _caches.get(engine)
    if cache is None:
        with _caches_lock:
            cache = _caches.setdefault(engine, _TokenCache())
    return cache


def all_tokens(engine: Engine) -> list[TokenRecord]:
    from reclaim.store.tokens import list_token_records

    return list_token_records(engine)


def revoke_token(engine: Engine, token_id: str, *, actor: str) -> TokenRecord:
    """Revoke a token: 401 at once in this process, within TOKEN_CACHE_SECONDS in the others."""
    from reclaim.store.tokens import revoke_token_row

    record = revoke_token_row(engine, token_id.strip(), actor=actor, at=datetime.now(UTC))
    _cache(engine).forget(token_id.strip())
    if record is None:
        raise UserInputError(
            N_("There is no token {token_id}."),
            hint=N_("`reclaim token list` shows the tokens and their ids."),
            token_id=token_id,
        )
    return record


def valid_token(engine: Engine, token: str, *, now: datetime | None = None) -> TokenRecord | None:
    """The token's record when it exists, has not expired and is not revoked; else None."""
    from reclaim.store.tokens import token_by_secret_hash

    if not token.startswith(TOKEN_PREFIX):
        return None
    remembered = remembered_token(engine, token, now=now)
    if remembered is not None:
        return remembered
    digest = secret_digest(token)
    cache = _cache(engine)
    with cache.reader(digest):
        try:
            remembered = remembered_token(engine, token, now=now)  # read while this one waited?
            if remembered is not None:
                return remembered
            read_at = time.monotonic()  # before the read: a later revocation is seen next time
            record = token_by_secret_hash(engine, digest)
            if record is None or record.status(now or datetime.now(UTC)) != "active":
                return None
            cache.put(digest, record, read_at)
            return record
        finally:
            cache.done_reading(digest)


def remembered_token(engine: Engine, token: str, *, now: datetime | None = None) -> TokenRecord | None:
    """The record of a token found valid less than TOKEN_CACHE_SECONDS ago and not expired since.

    None means "ask valid_token", which reads the database; this never does, so an event loop
    may call it.
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    record = _cache(engine).get(secret_digest(token), time.monotonic())
    if record is None or record.status(now or datetime.now(UTC)) != "active":
        return None
    return record
