"""Every route of the OpenAPI document needs a valid token of one of its roles; errors speak her language."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reclaim.api.auth import ROLES_KEY
from reclaim.services.tokens import (
    ROLES,
    TOKEN_CACHE_SECONDS,
    TOKEN_PREFIX,
    create_token,
    remembered_token,
    revoke_token,
    secret_digest,
    valid_token,
)
from reclaim.store.database import create_database_engine
from reclaim.store.models import ApiTokenRow, AuditEvent
from reclaim.store.tokens import TokenRecord, insert_token
from tests.api.conftest import bearer

OPEN_PATHS = {"/healthz", "/readyz"}


def operations(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in app.openapi()["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_only_health_routes_are_open_and_every_other_route_names_its_roles(app: FastAPI) -> None:
    guarded = {path for path, _, operation in operations(app) if ROLES_KEY in operation}
    open_paths = {path for path, _, operation in operations(app) if ROLES_KEY not in operation}
    assert open_paths == OPEN_PATHS
    assert {"/v1/match", "/v1/bank/entries"} <= guarded


def test_every_route_answers_401_without_a_valid_token_and_403_outside_its_role(
    app: FastAPI, client: TestClient, tokens: dict[str, str]
) -> None:
    checked = 0
    for path, method, operation in operations(app):
        if path in OPEN_PATHS:
            continue
        allowed = operation[ROLES_KEY]
        for headers in ({}, bearer("rcl_not-a-token"), {"Authorization": "Basic dXNlcjpwYXNz"}):
            response = client.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert set(response.json()) == {"error", "hint"}
            assert response.headers["www-authenticate"] == "Bearer"
        for role in ROLES:
            response = client.request(method, path, headers=bearer(tokens[role]))
            if role in allowed:
                assert response.status_code not in {401, 403}, (method, path, role)
            else:
                assert response.status_code == 403, (method, path, role)
                assert role in response.json()["error"]
        checked += 1
    assert checked >= 3


def test_health_routes_need_no_token(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs").status_code == 404  # its page would load scripts from a CDN
    for _ in range(100):  # the bank loads beside the server at start-up
        ready = client.get("/readyz")
        if ready.status_code == 200:
            break
    assert ready.json() == {"status": "ready", "entries": 0}


def test_expired_and_revoked_tokens_get_401(app: FastAPI, client: TestClient) -> None:
    engine = app.state.engine
    expired = create_token(
        engine,
        role="platform",
        actor="test-admin",
        valid_for=timedelta(days=1),
        now=datetime.now(UTC) - timedelta(days=2),
    )
    revoked = create_token(engine, role="platform", actor="test-admin")
    query = {"signal_type": "md5", "signal": "0" * 32}
    assert client.get("/v1/match", params=query, headers=bearer(revoked.token)).status_code == 200

    revoke_token(engine, revoked.record.token_id, actor="test-admin")

    for token in (expired.token, revoked.token):
        response = client.get("/v1/match", params=query, headers=bearer(token))
        assert response.status_code == 401
        assert response.json()["error"] == "The token is not valid: unknown, expired or revoked."


def test_tokens_are_stored_only_as_hashes_and_their_issue_is_audited(
    app: FastAPI, tokens: dict[str, str]
) -> None:
    with Session(app.state.engine) as session:
        rows = list(session.scalars(select(ApiTokenRow)))
        events = [event.action for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    stored = " ".join(str(value) for row in rows for value in vars(row).values())
    assert len(rows) == 3
    assert not any(token in stored or token.removeprefix("rcl_") in stored for token in tokens.values())
    assert events.count("token.create") == 3


def test_errors_are_in_the_readers_language(client: TestClient, tokens: dict[str, str]) -> None:
    query = {"signal_type": "pdq", "signal": "abc"}
    headers = bearer(tokens["platform"])
    english = client.get("/v1/match", params=query, headers=headers)
    chinese = client.get("/v1/match", params=query, headers={**headers, "Accept-Language": "zh-CN,zh;q=0.9"})

    assert english.status_code == chinese.status_code == 400
    assert english.json()["error"] == "A pdq hash has 64 hex digits."
    assert chinese.json()["error"] != english.json()["error"]
    assert any("\u4e00" <= char <= "\u9fff" for char in chinese.json()["error"] + chinese.json()["hint"])
    unauthenticated = client.get("/v1/match", headers={"Accept-Language": "zh"})
    assert any("\u4e00" <= char <= "\u9fff" for char in unauthenticated.json()["error"])


MATCH_QUERY = {"signal_type": "md5", "signal": "0" * 32}


def test_a_revocation_in_another_process_takes_effect_within_the_cache_time(
    app: FastAPI, client: TestClient
) -> None:
    issued = create_token(app.state.engine, role="platform", actor="test-admin")
    headers = bearer(issued.token)
    assert client.get("/v1/match", params=MATCH_QUERY, headers=headers).status_code == 200
    # Another process (`reclaim token revoke` beside `reclaim serve`) has its own engine and cache.
    other = create_database_engine(app.state.engine.url.render_as_string(hide_password=False))
    try:
        revoke_token(other, issued.record.token_id, actor="test-admin")
    finally:
        other.dispose()
    revoked_at = time.monotonic()

    statuses = []
    while time.monotonic() - revoked_at < TOKEN_CACHE_SECONDS + 0.5:
        statuses.append(client.get("/v1/match", params=MATCH_QUERY, headers=headers).status_code)
        if statuses[-1] == 401:
            break
        time.sleep(0.05)
    assert statuses[-1] == 401, statuses
    assert set(statuses) <= {200, 401}
    # Within the cache time the server still trusted what it had read, and only then.
    assert time.monotonic() - revoked_at < TOKEN_CACHE_SECONDS + 0.5


def test_a_revocation_in_the_same_process_takes_effect_at_once(app: FastAPI, client: TestClient) -> None:
    issued = create_token(app.state.engine, role="platform", actor="test-admin")
    headers = bearer(issued.token)
    assert client.get("/v1/match", params=MATCH_QUERY, headers=headers).status_code == 200
    assert remembered_token(app.state.engine, issued.token) is not None

    revoke_token(app.state.engine, issued.record.token_id, actor="test-admin")

    assert remembered_token(app.state.engine, issued.token) is None
    assert client.get("/v1/match", params=MATCH_QUERY, headers=headers).status_code == 401


def test_an_unknown_token_is_never_remembered(app: FastAPI, client: TestClient) -> None:
    engine = app.state.engine
    token = TOKEN_PREFIX + "made-up-and-then-stored"
    for _ in range(3):
        assert client.get("/v1/match", params=MATCH_QUERY, headers=bearer(token)).status_code == 401
    assert remembered_token(engine, token) is None

    # Were a refusal remembered, a token stored right now would still be refused.
    now = datetime.now(UTC)
    record = TokenRecord(
        token_id="tok_madeup",
        role="platform",
        case_id=None,
        name=None,
        created_by="test-admin",
        created_at=now,
        expires_at=now + timedelta(days=1),
        revoked_at=None,
        revoked_by=None,
    )
    insert_token(engine, record, secret_digest(token))
    assert client.get("/v1/match", params=MATCH_QUERY, headers=bearer(token)).status_code == 200


def test_expiry_is_checked_on_every_request_even_for_a_remembered_token(app: FastAPI) -> None:
    engine = app.state.engine
    issued = create_token(engine, role="platform", actor="test-admin", valid_for=timedelta(days=1))
    assert valid_token(engine, issued.token) is not None
    assert remembered_token(engine, issued.token) is not None

    after_expiry = issued.record.expires_at + timedelta(seconds=1)
    assert remembered_token(engine, issued.token, now=after_expiry) is None
    assert valid_token(engine, issued.token, now=after_expiry) is None


def test_a_remembered_token_is_read_again_after_the_cache_time(app: FastAPI) -> None:
    engine = app.state.engine
    issued = create_token(engine, role="platform", actor="test-admin")
    assert valid_token(engine, issued.token) is not None
    assert remembered_token(engine, issued.token) is not None
    time.sleep(TOKEN_CACHE_SECONDS + 0.1)
    assert remembered_token(engine, issued.token) is None
