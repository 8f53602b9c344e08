"""Bearer tokens of the HTTP API: issue one for a role, list them, revoke one, check one.

A token is ``rcl_`` and 32 random bytes (URL-safe base64); only its SHA-256 is stored. A slow
password hash (scrypt, Argon2) protects secrets people choose, which are few enough to guess;
a 256-bit random secret cannot be guessed however fast the hash, and a fast one keeps the check
that every request pays to a single indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
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


def all_tokens(engine: Engine) -> list[TokenRecord]:
    from reclaim.store.tokens import list_token_records

    return list_token_records(engine)


def revoke_token(engine: Engine, token_id: str, *, actor: str) -> TokenRecord:
    """Revoke a token at once: the next request that shows it gets 401."""
    from reclaim.store.tokens import revoke_token_row

    record = revoke_token_row(engine, token_id.strip(), actor=actor, at=datetime.now(UTC))
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
    record = token_by_secret_hash(engine, secret_digest(token))
    if record is None or record.status(now or datetime.now(UTC)) != "active":
        return None
    return record
