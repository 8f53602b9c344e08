"""Accounts for people: create, list and disable them; log in and out; the session a cookie names.

Passwords are people's choices, few enough to guess, so unlike API tokens (services/tokens.py)
they get a slow, memory-hard hash: Argon2id with RFC 9106's second recommended profile
(t=3, 64 MiB, p=4), argon2-cffi's default. A login name that does not exist is checked against
a dummy hash all the same, so the answer's timing does not tell which names exist.

A session is a random 256-bit secret in an HttpOnly cookie; the database keeps only its SHA-256.
Its CSRF token is an HMAC of the secret, so it needs no column and a copy of the database can
forge neither. Refused logins are counted in the database (several workers agree) per login name
and per client address, both as SHA-256: a typed login name may be a misplaced password.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from reclaim.errors import N_, NotAuthenticatedError, ReclaimError, UserInputError

if TYPE_CHECKING:
    from argon2 import PasswordHasher
    from sqlalchemy import Engine

    from reclaim.store.accounts import AccountRecord

ROLES: Final = ("admin", "caseworker", "victim")
# The roles that may work on cases, as the API's case routes admit them (api/case_access.py).
CASE_ROLES: Final = ("caseworker", "admin")
LOGIN_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
MIN_PASSWORD_LENGTH: Final = 10
# Argon2 hashes whatever it is given; a megabyte "password" would only cost the server time.
MAX_PASSWORD_LENGTH: Final = 1024

SESSION_IDLE: Final = timedelta(hours=12)
SESSION_LIFETIME: Final = timedelta(days=7)
# The idle clock is restarted at most once a minute: a write per page view buys nothing.
SESSION_TOUCH_AFTER: Final = timedelta(minutes=1)

FAILURE_WINDOW: Final = timedelta(minutes=15)
# Five tries per name stops guessing a password; twenty per address leaves room for a helpline
# whose caseworkers share one office address, and still stops one machine trying many names.
MAX_FAILURES_PER_LOGIN: Final = 5
MAX_FAILURES_PER_ADDRESS: Final = 20


class LoginRefusedError(NotAuthenticatedError):
    """Wrong login name or password, or a disabled account: one answer for all three."""

    default_hint = N_("Check the login name and the password; in a password, capital letters count.")


class LoginThrottledError(ReclaimError):
    """Too many refused logins lately, for this name or from this address."""

    default_hint = N_("This protects the account from someone guessing its password.")

    def __init__(self, wait_minutes: int) -> None:
        super().__init__(
            N_("Too many wrong passwords. Wait {minutes} minutes, then try again."), minutes=wait_minutes
        )
        self.wait_minutes = wait_minutes


@dataclass(frozen=True, slots=True)
class WebSession:
    """A logged-in browser: whose it is and the token its forms must carry."""

    account: AccountRecord
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session just opened; ``secret`` goes into the cookie and nowhere else."""

    secret: str
    session: WebSession


@lru_cache(maxsize=1)
def password_hasher() -> PasswordHasher:
    from argon2 import PasswordHasher, Type

    # Spelled out rather than left to the library's default, so a new argon2-cffi cannot
    # silently change them; check_needs_rehash upgrades old hashes when these are raised.
    return PasswordHasher(
        time_cost=3, memory_cost=64 * 1024, parallelism=4, hash_len=32, salt_len=16, type=Type.ID
    )


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return password_hasher().hash(secrets.token_urlsafe(16))


def normalize_login(login: str) -> str:
    return login.strip().lower()


def create_account(
    engine: Engine, login: str, password: str, *, role: str, actor: str, case_id: str | None = None
) -> AccountRecord:
    """A new account; a victim's is tied to her case, a caseworker's may be limited to one."""
    from reclaim.store.accounts import AccountRecord, insert_account

    login = normalize_login(login)
    if not LOGIN_PATTERN.match(login):
        raise UserInputError(
            N_("{login} cannot be a login name."),
            hint=N_("Use 2 to 64 letters, digits and . _ @ -, starting with a letter or digit."),
            login=login,
        )
    if role not in ROLES:
        raise UserInputError(
            N_("{role} is not a role."), hint=N_("Use admin, caseworker or victim."), role=role
        )
    if role == "victim" and case_id is None:
        raise UserInputError(
            N_("A victim's account belongs to her case."), hint=N_("Add --case with her case.")
        )
    if role == "admin" and case_id is not None:
        raise UserInputError(
            N_("An administrator's account cannot be limited to one case."),
            hint=N_("Leave out --case, or use --role caseworker."),
        )
    check_password_strength(password)
    record = AccountRecord(
        account_id="acc_" + secrets.token_hex(8),
        login=login,
        role=role,
        case_id=case_id,
        created_by=actor,
        created_at=datetime.now(UTC),
        disabled_at=None,
        disabled_by=None,
    )
    if not insert_account(engine, record, password_hasher().hash(password)):
        raise UserInputError(
            N_("There is already an account {login}."),
            hint=N_("`reclaim account list` shows the accounts."),
            login=login,
        )
    return record


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserInputError(
            N_("The password is shorter than {length} characters."),
            hint=N_("A few unrelated words make a long password that is easy to remember."),
            length=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserInputError(
            N_("The password is longer than {length} characters."), length=MAX_PASSWORD_LENGTH
        )


def all_accounts(engine: Engine) -> list[AccountRecord]:
    from reclaim.store.accounts import list_account_records

    return list_account_records(engine)


def disable_account(engine: Engine, login: str, *, actor: str) -> AccountRecord:
    """Disable an account: it can no longer log in, and its open sessions end at once."""
    from reclaim.store.accounts import disable_account_row

    record = disable_account_row(engine, normalize_login(login), actor=actor, at=datetime.now(UTC))
    if record is None:
        raise UserInputError(
            N_("There is no account {login}."),
            hint=N_("`reclaim account list` shows the accounts."),
            login=login,
        )
    return record


def log_in(
    engine: Engine, login: str, password: str, *, client_address: str, now: datetime | None = None
) -> NewSession:
    """A new session for the right password; LoginThrottledError or LoginRefusedError otherwise."""
    from argon2.exceptions import InvalidHashError, VerificationError

    from reclaim.store.accounts import (
        account_with_hash,
        insert_session,
        record_login_failure,
        replace_password_hash,
    )

    now = now or datetime.now(UTC)
    login = normalize_login(login)
    login_key, address_key = _failure_key("login", login), _failure_key("address", client_address)
    _refuse_when_throttled(engine, login_key, MAX_FAILURES_PER_LOGIN, now)
    _refuse_when_throttled(engine, address_key, MAX_FAILURES_PER_ADDRESS, now)

    found = account_with_hash(engine, login) if len(password) <= MAX_PASSWORD_LENGTH else None
    hasher = password_hasher()
    try:
        hasher.verify(found[1] if found else _dummy_hash(), password)
        verified = found is not None
    except (VerificationError, InvalidHashError):
        verified = False
    account = found[0] if found else None
    if not verified or account is None or account.disabled_at is not None:
        reason = "disabled" if verified and account is not None else "password"
        record_login_failure(
            engine,
            (login_key, address_key),
            at=now,
            forget_before=now - FAILURE_WINDOW,
            account=account,
            reason=reason,
        )
        raise LoginRefusedError(N_("The login name or the password is wrong."))
    assert found is not None
    if hasher.check_needs_rehash(found[1]):
        replace_password_hash(engine, account.account_id, hasher.hash(password))
    secret = secrets.token_urlsafe(32)
    expires_at = now + SESSION_LIFETIME
    insert_session(
        engine, _secret_digest(secret), account, at=now, expires_at=expires_at, forget_failures_of=login_key
    )
    return NewSession(secret, WebSession(account, csrf_token_of(secret), expires_at))


def session_of(engine: Engine, secret: str, *, now: datetime | None = None) -> WebSession | None:
    """The live session a cookie's secret names; None when unknown, expired, idle, revoked or disabled."""
    from reclaim.store.accounts import live_session

    if not secret or len(secret) > 100:
        return None
    record = live_session(
        engine,
        _secret_digest(secret),
        now=now or datetime.now(UTC),
        idle=SESSION_IDLE,
        touch_after=SESSION_TOUCH_AFTER,
    )
    if record is None:
        return None
    return WebSession(record.account, csrf_token_of(secret), record.expires_at)


def log_out(engine: Engine, secret: str) -> None:
    from reclaim.store.accounts import revoke_session_row

    if secret:
        revoke_session_row(engine, _secret_digest(secret), at=datetime.now(UTC))


def csrf_token_of(secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), b"reclaim-csrf", hashlib.sha256).hexdigest()


def csrf_token_matches(session: WebSession, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(session.csrf_token, given)


def _secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _failure_key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _refuse_when_throttled(engine: Engine, key: str, limit: int, now: datetime) -> None:
    from reclaim.store.accounts import recent_failures

    count, oldest = recent_failures(engine, key, now - FAILURE_WINDOW)
    if count >= limit and oldest is not None:
        wait = oldest + FAILURE_WINDOW - now
        raise LoginThrottledError(max(1, -(-int(wait.total_seconds()) // 60)))
