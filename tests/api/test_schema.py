"""Schemathesis against the OpenAPI document: generated requests of every route find no server error."""

from __future__ import annotations

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import bearer


def test_generated_requests_find_no_server_error(app: FastAPI, tokens: dict[str, str]) -> None:
    app.state.live_bank.snapshot()  # loaded, so /readyz answers 200 rather than 503 "still loading"
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    strategies = [result.ok().as_strategy() for result in schema.get_all_operations()]
    assert len(strategies) >= 5
    headers = bearer(tokens["platform"])
    failures: list[str] = []

    # Bounded: a few examples per route, no deadline, so the run takes seconds on a loaded machine.
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=st.one_of(strategies))
    def run(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}")
        elif response.status_code >= 400:
            assert set(response.json()) == {"error", "hint"}, response.text

    run()
    assert failures == []
