"""Schemathesis on the case routes with a caseworker token: generated requests find no server error.

tests/api/test_schema.py calls every route with a platform token, which the case routes refuse
at once; here they are called by a caseworker, half the time on a case, lead and notice that exist.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reclaim.api.app import create_app
from reclaim.config import Settings
from reclaim.services.tokens import create_token
from tests.api.conftest import bearer
from tests.api.test_cases import PASSPHRASE, open_case, protect_and_find

CASE_PATHS = ("/v1/cases", "/v1/review", "/v1/notices")


@pytest.fixture
def vault_app(api_settings: Settings) -> Iterator[FastAPI]:
    app = create_app(dataclasses.replace(api_settings, passphrase=PASSPHRASE), check_every=0)
    yield app
    app.state.engine.dispose()


def test_generated_case_requests_find_no_server_error(
    vault_app: FastAPI, home_env: dict[str, str], tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    headers = bearer(create_token(vault_app.state.engine, role="caseworker", actor="test-admin").token)
    with TestClient(vault_app) as client:
        case_id = open_case(client, headers)
        protect_and_find(home_env, tmp_path, case_id)
        client.post(f"/v1/cases/{case_id}/sightings", json={"url": "https://t.me/a_chan/7"}, headers=headers)
        [notice] = client.post(
            f"/v1/cases/{case_id}/notices", json={"platform": "telegram"}, headers=headers
        ).json()["notices"]
        [lead] = client.get("/v1/review", headers=headers).json()["leads"]
    real = {"case_id": case_id, "notice_id": notice["notice_id"], "review_id": lead["review_id"]}

    schema = schemathesis.openapi.from_asgi("/openapi.json", vault_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    strategies = [op.as_strategy() for op in operations if op.path.startswith(CASE_PATHS)]
    assert len(strategies) >= 15
    failures: list[str] = []
    answered: set[int] = set()

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=st.one_of(strategies), on_real_ids=st.booleans())
    def run(case: schemathesis.Case, on_real_ids: bool) -> None:
        if on_real_ids and case.path_parameters:
            case.path_parameters = {
                name: real.get(name, value) for name, value in case.path_parameters.items()
            }
        response = case.call(headers=headers)
        answered.add(response.status_code)
        if response.status_code >= 500:
            failures.append(
                f"{case.method} {case.formatted_path} {case.query} {case.body!r} -> {response.text}"
            )
        elif response.status_code >= 400:
            assert set(response.json()) == {"error", "hint"}, response.text

    run()
    assert failures == []
    assert {200, 404} <= answered, answered  # real ids reached the services, too
