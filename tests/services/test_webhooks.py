"""Webhooks on real databases, against a real HTTP receiver on 127.0.0.1, with photos protected by the CLI."""

from __future__ import annotations

import functools
import hashlib
import hmac
import http.server
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from tests.api.conftest import protect_astronaut
from tests.e2e.test_cli_bank import home_env
from tests.e2e.test_cli_hash import reclaim

from reclaim.config import load_settings
from reclaim.errors import UserInputError
from reclaim.services.home import open_store
from reclaim.services.platform import bank_changes
from reclaim.services.webhooks import (
    BACKOFF_SECONDS,
    add_webhook,
    all_webhooks,
    backoff_delay,
    check_webhook_url,
    deliver_due,
    post_with_urllib,
    remove_webhook,
)
from reclaim.store.models import AuditEvent, WebhookSubscriptionRow
from reclaim.store.webhooks import claim_due_subscriptions, release_claim

__all__ = ["home_env"]


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A platform's endpoint: records every request; answers ``status`` after ``delay`` seconds."""

    url: str
    deliveries: list[Delivery] = field(default_factory=list)
    status: int = 204
    delay: float = 0.0
    location: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.deliveries.append(Delivery(dict(self.headers.items()), body))
            time.sleep(state.delay)
            self.send_response(state.status)
            if state.location:
                self.send_header("Location", state.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/reclaim"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def store(home_env: dict[str, str]) -> Iterator[Engine]:
    engine = open_store(load_settings(home_env))
    yield engine
    engine.dispose()


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The receiver's check, as docs/api.md gives it; written again here, not imported."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(fields["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def _row(engine: Engine, webhook_id: str) -> WebhookSubscriptionRow:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        row = session.get(WebhookSubscriptionRow, webhook_id)
        assert row is not None
        session.expunge(row)
        return row


def test_delivery_is_signed_and_shows_what_the_feed_shows(
    home_env: dict[str, str], store: Engine, receiver: Receiver, tmp_path: Path
) -> None:
    protected = protect_astronaut(home_env, tmp_path / "mine")
    added = add_webhook(store, receiver.url, actor="admin-li", name="platform-x")

    [outcome] = deliver_due(store, owner="test")

    assert outcome.error is None and outcome.delivered == 3
    [delivery] = receiver.deliveries
    assert delivery.headers["X-Reclaim-Event"] == "bank.entries"
    assert delivery.headers["X-Reclaim-Delivery"].startswith("dlv_")
    assert delivery.headers["Content-Type"] == "application/json"
    assert verify(added.secret, delivery.headers["X-Reclaim-Signature"], delivery.body)
    assert not verify("whsec_someone-else", delivery.headers["X-Reclaim-Signature"], delivery.body)
    assert not verify(added.secret, delivery.headers["X-Reclaim-Signature"], delivery.body + b" ")
    feed = bank_changes(store, "0", 1000).to_json()
    assert delivery.json() == {"entries": feed["entries"], "cursor": "0", "next_cursor": feed["next_cursor"]}
    assert {e["entry_id"] for e in delivery.json()["entries"]} == set(protected.entry_ids.values())
    # Platforms never see the case, its title or who protected it.
    for private in (protected.case_id, "小美", "\\u5c0f\\u7f8e", "helpline-wang"):
        assert private not in delivery.body.decode()
    assert all_webhooks(store)[0].cursor == feed["next_cursor"]

    assert deliver_due(store, owner="test") == []  # caught up: nothing more is claimed or sent
    assert len(receiver.deliveries) == 1


def test_withdrawal_is_delivered_with_the_entry_ids_only(
    home_env: dict[str, str], store: Engine, receiver: Receiver, tmp_path: Path
) -> None:
    protected = protect_astronaut(home_env, tmp_path / "mine")
    add_webhook(store, receiver.url, actor="admin-li")
    deliver_due(store, owner="test")

    run = reclaim("withdraw", protected.case_id, "--yes", env=home_env)
    assert run.returncode == 0, run.stderr
    [outcome] = deliver_due(store, owner="test")

    assert outcome.delivered == 3
    withdrawn = receiver.deliveries[-1].json()
    assert withdrawn["cursor"] == receiver.deliveries[0].json()["next_cursor"]
    assert sorted(withdrawn["entries"], key=lambda e: e["entry_id"]) == [
        {
            "entry_id": entry_id,
            "status": "withdrawn",
            "signal_type": None,
            "value": None,
            "quality": None,
            "bank": None,
        }
        for entry_id in sorted(protected.entry_ids.values())
    ]


def test_a_failing_receiver_keeps_the_cursor_backs_off_and_later_gets_what_it_missed(
    home_env: dict[str, str], store: Engine, receiver: Receiver, tmp_path: Path
) -> None:
    protect_astronaut(home_env, tmp_path / "mine")
    added = add_webhook(store, receiver.url, actor="admin-li")
    clock = Clock()
    receiver.status = 500

    [outcome] = deliver_due(store, owner="test", clock=clock)

    assert outcome.error == "HTTP 500" and outcome.delivered == 0
    [record] = all_webhooks(store)
    assert record.cursor == "0" and record.failures == 1 and record.last_error == "HTTP 500"
    wait = (record.next_attempt_at - clock.now).total_seconds()
    assert 0.8 * BACKOFF_SECONDS[0] - 1 <= wait <= BACKOFF_SECONDS[0]
    assert deliver_due(store, owner="test", clock=clock) == []  # not due yet: nothing is sent
    assert len(receiver.deliveries) == 1

    clock.now += timedelta(seconds=BACKOFF_SECONDS[0])
    deliver_due(store, owner="test", clock=clock)
    [record] = all_webhooks(store)
    assert record.failures == 2 and record.cursor == "0"
    assert (
        0.8 * BACKOFF_SECONDS[1] - 1
        <= (record.next_attempt_at - clock.now).total_seconds()
        <= BACKOFF_SECONDS[1]
    )

    # The missed batch meanwhile grew: the next success brings all of it, in one ordered feed.
    protect_astronaut(home_env, tmp_path / "more")  # the same photo in a second case: 3 new entries
    receiver.status = 200
    clock.now += timedelta(seconds=BACKOFF_SECONDS[1])
    [outcome] = deliver_due(store, owner="test", clock=clock)

    assert outcome.error is None and outcome.delivered == 6
    last = receiver.deliveries[-1]
    assert last.json()["cursor"] == "0"
    assert last.json()["entries"] == bank_changes(store, "0", 1000).to_json()["entries"]
    assert verify(added.secret, last.headers["X-Reclaim-Signature"], last.body)
    [record] = all_webhooks(store)
    assert record.failures == 0 and record.last_error is None and record.last_delivered_at is not None


def test_a_timeout_and_a_redirect_are_failures_and_the_redirect_is_not_followed(
    home_env: dict[str, str], store: Engine, receiver: Receiver, tmp_path: Path
) -> None:
    protect_astronaut(home_env, tmp_path / "mine")
    add_webhook(store, receiver.url, actor="admin-li")
    clock = Clock()
    receiver.delay = 1.0
    [outcome] = deliver_due(
        store, owner="test", clock=clock, post=functools.partial(post_with_urllib, timeout=0.3)
    )
    assert outcome.error == "timeout"

    receiver.delay, receiver.status, receiver.location = 0.0, 307, receiver.url + "/elsewhere"
    clock.now += timedelta(hours=1)
    [outcome] = deliver_due(store, owner="test", clock=clock)
    assert outcome.error == "HTTP 307"
    assert len(receiver.deliveries) == 2  # the Location was not asked
    [record] = all_webhooks(store)
    assert record.cursor == "0" and record.failures == 2


def test_the_server_delivers_in_the_background_and_stops_on_shutdown(
    home_env: dict[str, str], receiver: Receiver, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from reclaim.api.app import create_app

    protect_astronaut(home_env, tmp_path / "mine")
    app = create_app(load_settings(home_env))
    add_webhook(app.state.engine, receiver.url, actor="admin-li")
    with TestClient(app):
        deadline = time.monotonic() + 20
        while not receiver.deliveries and time.monotonic() < deadline:
            time.sleep(0.1)
    assert len(receiver.deliveries) == 1
    assert not any(thread.name == "reclaim-webhooks" for thread in threading.enumerate())


def test_the_back_off_grows_to_an_hour_and_stays_there() -> None:
    assert [backoff_delay(n, 0.0).total_seconds() for n in range(1, 8)] == [
        10,
        30,
        120,
        600,
        1800,
        3600,
        3600,
    ]
    assert backoff_delay(100, 0.999).total_seconds() >= 0.8 * 3600
    assert all(backoff_delay(9).total_seconds() <= 3600 for _ in range(100))


def test_two_dispatchers_at_once_never_deliver_the_same_batch(
    home_env: dict[str, str], store: Engine, receiver: Receiver, tmp_path: Path
) -> None:
    protect_astronaut(home_env, tmp_path / "mine")
    add_webhook(store, receiver.url, actor="admin-li")
    other = open_store(load_settings(home_env))  # a second server worker: its own connections
    receiver.delay = 0.5  # holds the lease while the other tries
    start = threading.Barrier(2)
    outcomes: dict[str, list[object]] = {}

    def dispatch(name: str, engine: Engine) -> None:
        start.wait()
        outcomes[name] = list(deliver_due(engine, owner=name))

    try:
        threads = [
            threading.Thread(target=dispatch, args=(name, engine))
            for name, engine in (("worker-1", store), ("worker-2", other))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        other.dispose()

    assert len(receiver.deliveries) == 1
    assert sorted(len(found) for found in outcomes.values()) == [0, 1]


def test_a_lease_is_exclusive_until_released_or_expired(store: Engine, receiver: Receiver) -> None:
    added = add_webhook(store, receiver.url, actor="admin-li")
    now = datetime.now(UTC)
    lease = timedelta(seconds=60)

    [held] = claim_due_subscriptions(store, owner="a", now=now, lease=lease)
    assert claim_due_subscriptions(store, owner="b", now=now, lease=lease) == []
    # A dispatcher that died: its lease runs out and another takes over.
    [taken] = claim_due_subscriptions(store, owner="b", now=now + lease * 2, lease=lease)
    assert taken.webhook_id == added.record.webhook_id and taken.secret == added.secret
    assert not release_claim(store, held)  # "a" no longer holds it
    assert release_claim(store, taken)
    assert len(claim_due_subscriptions(store, owner="c", now=now + lease * 2, lease=lease)) == 1
    assert "secret" not in repr(taken) and added.secret not in repr(taken)


def test_add_and_remove_are_audited_and_a_removed_webhook_gets_nothing(
    store: Engine, receiver: Receiver, home_env: dict[str, str], tmp_path: Path
) -> None:
    added = add_webhook(store, receiver.url, actor="admin-li")
    removed = remove_webhook(store, added.record.webhook_id, actor="admin-zhao")
    protect_astronaut(home_env, tmp_path / "mine")

    assert not removed.active and deliver_due(store, owner="test") == []
    assert receiver.deliveries == []
    assert _row(store, added.record.webhook_id).secret == ""
    assert all_webhooks(store) == [] and len(all_webhooks(store, include_removed=True)) == 1
    with store.connect() as connection:
        events = connection.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.detail).where(
                AuditEvent.action.like("webhook.%")
            )
        ).all()
    assert [(actor, action, detail["webhook_id"]) for actor, action, detail in events] == [
        ("admin-li", "webhook.add", added.record.webhook_id),
        ("admin-zhao", "webhook.remove", added.record.webhook_id),
    ]
    assert all(added.secret not in json.dumps(detail) for _, _, detail in events)
    with pytest.raises(UserInputError):
        remove_webhook(store, "whk_nosuch", actor="admin-zhao")


@pytest.mark.parametrize(
    "url",
    ["https://platform.example/reclaim", "http://localhost:8080/h", "http://127.0.0.1/h", "http://[::1]/h"],
)
def test_https_or_this_computer_is_accepted(url: str) -> None:
    assert check_webhook_url(url) == url


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://platform.example/reclaim", "plain http"),
        ("ftp://platform.example/reclaim", "not an https"),
        ("platform.example/reclaim", "not an https"),
        ("https://", "not an https"),
        ("https://user:pw@platform.example/", "user name or password"),
        ("https://platform.example:port/", "not an https"),
    ],
)
def test_other_addresses_are_refused_with_a_reason(url: str, says: str) -> None:
    with pytest.raises(UserInputError) as refused:
        check_webhook_url(url)
    assert says in refused.value.message
