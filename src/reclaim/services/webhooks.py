"""Webhooks: the bank's change feed (``GET /v1/bank/entries``) pushed to a platform's address.

Each subscription has its own cursor into the feed, moved only after the receiver answered
2xx, so deliveries come in the feed's order, carry withdrawals, survive restarts and show
exactly what the feed shows. A batch is delivered at least once: a crash between the answer
and the cursor's move sends it again, which is harmless because each entry carries its
present state. A failure (no answer in time, or any status but 2xx; redirects are not
followed) is retried with back-off, never given up, and shown by ``reclaim webhook list``.

Each request is signed: ``X-Reclaim-Signature: t=UNIX_SECONDS,v1=HEX``, HEX being the
HMAC-SHA256 of ``t + "." + body`` under the subscription's secret (docs/api.md, "Webhooks").
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import random
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from reclaim.errors import N_, UserInputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.store.webhooks import WebhookClaim, WebhookRecord

SECRET_PREFIX: Final = "whsec_"
EVENT: Final = "bank.entries"
MAX_URL_LENGTH: Final = 2000
MAX_NAME_LENGTH: Final = 200
BATCH_SIZE: Final = 500
TIMEOUT_SECONDS: Final = 10.0
# Longer than a round of batches can take (each waits TIMEOUT_SECONDS at most), so a lease
# runs out only when its dispatcher died, and another takes the subscription over.
LEASE: Final = timedelta(seconds=120)
_ROUND_SECONDS: Final = 60.0
# Seconds before the 1st, 2nd, ... retry; the last one repeats for as long as the receiver fails.
BACKOFF_SECONDS: Final = (10, 30, 120, 600, 1800, 3600)
# Loopback only: a receiver on this computer, for testing. Anywhere else the signed stream
# would cross the network in clear; its entries are no secret, but the stream should not be
# read or replayed by whoever is on the path.
_PLAIN_HTTP_HOSTS: Final = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True, slots=True)
class NewWebhook:
    """A new subscription and its secret: the only time the secret is seen."""

    secret: str
    record: WebhookRecord

    def to_json(self) -> dict[str, object]:
        return {**self.record.to_json(), "secret": self.secret}


@dataclass(frozen=True, slots=True)
class PostResult:
    """What became of one request: ``error`` is None after a 2xx answer."""

    error: str | None


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """One subscription's round: entries delivered, and the failure that ended it, if any."""

    webhook_id: str
    delivered: int
    batches: int
    cursor: str
    error: str | None
    retry_at: datetime | None

    def to_json(self) -> dict[str, object]:
        return {
            "webhook_id": self.webhook_id,
            "delivered": self.delivered,
            "batches": self.batches,
            "cursor": self.cursor,
            "error": self.error,
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
        }


Poster = Callable[[str, bytes, dict[str, str]], PostResult]


def check_webhook_url(url: str) -> str:
    """The address, when deliveries may go to it: https, or http to this computer only."""
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise UserInputError(N_("The address is longer than {limit} characters."), limit=MAX_URL_LENGTH)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        parts = urlsplit("")
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme == "http" and host and host not in _PLAIN_HTTP_HOSTS:
        raise UserInputError(
            N_("{url} is plain http; only a receiver on this computer may be reached that way."),
            hint=N_("Use an https:// address: the signed deliveries should not cross the network in clear."),
            url=url,
        )
    if scheme not in {"http", "https"} or not host:
        raise UserInputError(
            N_("{url} is not an https:// address."),
            hint=N_("Give the full address of the receiver, such as https://platform.example/reclaim."),
            url=url,
        )
    if parts.username is not None or parts.password is not None:
        raise UserInputError(
            N_("A webhook address must not hold a user name or password."),
            hint=N_("Lists and the audit trail show the address; the receiver checks the signature instead."),
        )
    return url


def add_webhook(
    engine: Engine, url: str, *, actor: str, name: str | None = None, now: datetime | None = None
) -> NewWebhook:
    """Subscribe ``url`` to the bank's changes from the start of the feed; its secret is in the answer."""
    from reclaim.store.webhooks import WebhookRecord, insert_subscription

    url = check_webhook_url(url)
    if name is not None and len(name) > MAX_NAME_LENGTH:
        raise UserInputError(N_("The name is longer than {limit} characters."), limit=MAX_NAME_LENGTH)
    created_at = now or datetime.now(UTC)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    record = WebhookRecord(
        webhook_id="whk_" + secrets.token_hex(8),
        url=url,
        name=name or None,
        created_by=actor,
        created_at=created_at,
        cursor="0",
        active=True,
        failures=0,
        next_attempt_at=created_at,
        last_error=None,
        last_delivered_at=None,
        removed_at=None,
    )
    insert_subscription(engine, record, secret)
    return NewWebhook(secret, record)


def all_webhooks(engine: Engine, *, include_removed: bool = False) -> list[WebhookRecord]:
    from reclaim.store.webhooks import list_subscription_records

    return list_subscription_records(engine, include_removed=include_removed)


def remove_webhook(engine: Engine, webhook_id: str, *, actor: str) -> WebhookRecord:
    """Stop deliveries to a subscription at once, and forget its secret."""
    from reclaim.store.webhooks import remove_subscription_row

    record = remove_subscription_row(engine, webhook_id.strip(), actor=actor, at=datetime.now(UTC))
    if record is None:
        raise UserInputError(
            N_("There is no webhook {webhook_id}."),
            hint=N_("`reclaim webhook list` shows the webhooks and their ids."),
            webhook_id=webhook_id,
        )
    return record


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """``t=TIMESTAMP,v1=HEX``: HMAC-SHA256 of ``timestamp + "." + body`` under ``secret``."""
    message = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """What a receiver checks: the signature is the secret's, and not older than ``tolerance`` seconds."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False  # a replay of an old delivery
    expected = signature_header(secret, timestamp, body).split(",v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def backoff_delay(failures: int, fraction: float | None = None) -> timedelta:
    """How long to wait after ``failures`` failures in a row: the schedule, less up to a fifth.

    The random part (``fraction`` in [0, 1), drawn when None) keeps receivers that came back
    at once from being hit by every retry in the same second; it only shortens, so the cap holds.
    """
    base = BACKOFF_SECONDS[min(max(failures, 1), len(BACKOFF_SECONDS)) - 1]
    share = random.random() if fraction is None else fraction  # jitter, not a secret
    return timedelta(seconds=base * (1 - 0.2 * share))


def post_with_urllib(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float = TIMEOUT_SECONDS
) -> PostResult:
    """POST ``body``; only a 2xx answer counts, a redirect is a failure and is not followed."""
    handlers: list[urllib.request.BaseHandler] = [_RefuseRedirects()]
    if (urlsplit(url).hostname or "") in _PLAIN_HTTP_HOSTS:
        handlers.append(urllib.request.ProxyHandler({}))  # a proxy could not reach this computer
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with opener.open(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as error:
        return PostResult(f"HTTP {error.code}")
    except urllib.error.URLError as error:
        reason = error.reason
        return PostResult("timeout" if isinstance(reason, TimeoutError) else f"no connection: {reason}")
    except TimeoutError:
        return PostResult("timeout")
    except OSError as error:
        return PostResult(f"no connection: {error}")
    return PostResult(None if 200 <= status < 300 else f"HTTP {status}")


def deliver_due(
    engine: Engine,
    *,
    owner: str,
    post: Poster = post_with_urllib,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    keep_going: Callable[[], bool] = lambda: True,
) -> list[DeliveryOutcome]:
    """Claim every due subscription no one else holds, and bring each up to date with the feed.

    ``keep_going`` is asked before each request: a server shutting down stops between two.
    """
    from reclaim.services.platform import bank_changes
    from reclaim.store.webhooks import claim_due_subscriptions, release_claim

    def has_news(cursor: str) -> bool:
        return bool(bank_changes(engine, cursor, 1).entries)

    outcomes = []
    for claim in claim_due_subscriptions(engine, owner=owner, now=clock(), lease=LEASE, wanted=has_news):
        if keep_going():
            outcomes.append(deliver_claimed(engine, claim, post=post, clock=clock, keep_going=keep_going))
        else:
            release_claim(engine, claim)
    return outcomes


def deliver_claimed(
    engine: Engine,
    claim: WebhookClaim,
    *,
    post: Poster = post_with_urllib,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    keep_going: Callable[[], bool] = lambda: True,
) -> DeliveryOutcome:
    """Send a claimed subscription its batches in order, until caught up, a failure, or the round's end."""
    from reclaim.services.platform import bank_changes
    from reclaim.store.webhooks import record_delivered, record_failed, release_claim

    started = clock()
    delivered = batches = 0
    try:
        while keep_going() and (clock() - started).total_seconds() < _ROUND_SECONDS:
            delta = bank_changes(engine, claim.cursor, BATCH_SIZE)
            if not delta.entries:
                break
            body = _batch_body(claim.cursor, delta.to_json())
            timestamp = int(clock().timestamp())
            result = post(claim.url, body, _headers(claim.secret, timestamp, body))
            if result.error is not None:
                retry_at = clock() + backoff_delay(claim.failures + 1)
                record_failed(engine, claim, result.error, retry_at=retry_at)
                return DeliveryOutcome(
                    claim.webhook_id, delivered, batches, claim.cursor, result.error, retry_at
                )
            if not record_delivered(engine, claim, delta.next_cursor, at=clock()):
                break  # removed, or the lease lost: whoever holds it now goes on from the cursor
            claim = dataclasses.replace(claim, cursor=delta.next_cursor, failures=0)
            delivered += len(delta.entries)
            batches += 1
            if len(delta.entries) < BATCH_SIZE:
                break
    finally:
        release_claim(engine, claim)  # after a failure, record_failed has already released it
    return DeliveryOutcome(claim.webhook_id, delivered, batches, claim.cursor, None, None)


def _batch_body(cursor: str, feed_page: dict[str, object]) -> bytes:
    payload = {"entries": feed_page["entries"], "cursor": cursor, "next_cursor": feed_page["next_cursor"]}
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "Reclaim-Webhook/1",
        "X-Reclaim-Event": EVENT,
        "X-Reclaim-Delivery": "dlv_" + secrets.token_hex(12),
        "X-Reclaim-Signature": signature_header(secret, timestamp, body),
    }


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is a failure: following it would send the signed stream somewhere not chosen."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
